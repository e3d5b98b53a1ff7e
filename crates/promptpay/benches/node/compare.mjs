// Times the reference npm packages on the same inputs as benches/promptpay.rs:
//   payload      — promptpay-qr's generatePayload
//   payload_png  — generatePayload + qrcode.toBuffer (PNG, error correction M, margin 4,
//                  scale 8 = the Rust side's default 8 px per module)
// Usage: node compare.mjs [NODE_MODULES_FOLDER]   (or set NODE_PATH)
// Prints one JSON line: {"payload":{"<id>":ns,...},"payload_png":{...},"versions":{...}}
import { createRequire } from 'node:module';
import path from 'node:path';

const folder = process.argv[2] ?? (process.env.NODE_PATH ?? '').split(path.delimiter)[0];
if (!folder) {
  console.error('usage: node compare.mjs NODE_MODULES_FOLDER (or set NODE_PATH)');
  process.exit(2);
}
// createRequire needs a file inside the folder to resolve packages from it.
const require = createRequire(path.join(path.resolve(folder), 'noop.js'));
const generatePayload = require('promptpay-qr');
const QRCode = require('qrcode');

// Keep in step with INPUTS in benches/promptpay.rs (amounts there are in satang).
const INPUTS = [
  ['mobile_amount', '0812345678', 4.22],
  ['national_id_amount', '1234567890123', 1234.56],
  ['ewallet_static', '140000123456789', undefined],
];
const PNG_OPTIONS = { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 8 };

/** Mean ns per call of `fn` after a 0.5 s warm-up, over at least `seconds`. Synchronous
 * functions are timed without `await`, which would add a microtask turn to every call. */
async function time(fn, seconds, isAsync) {
  const warmUpEnd = performance.now() + 500;
  while (performance.now() < warmUpEnd) isAsync ? await fn() : fn();
  let iterations = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 100; i++) {
      const value = isAsync ? await fn() : fn();
      sink += value.length; // keeps the result alive so the call cannot be optimised away
    }
    iterations += 100;
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink === 0) throw new Error('nothing was produced');
  return Number(elapsed) / iterations;
}

const result = { payload: {}, payload_png: {}, versions: {
  node: process.version,
  'promptpay-qr': require('promptpay-qr/package.json').version,
  qrcode: require('qrcode/package.json').version,
} };
for (const [id, target, amount] of INPUTS) {
  const options = amount === undefined ? {} : { amount };
  result.payload[id] = await time(() => generatePayload(target, options), 2, false);
  result.payload_png[id] = await time(() => QRCode.toBuffer(generatePayload(target, options), PNG_OPTIONS), 3, true);
}
console.log(JSON.stringify(result));
