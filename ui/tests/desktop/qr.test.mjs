// Desktop end-to-end: the real app (the Rust backend, the real IPC) under Xvfb, driven through
// tauri-driver and WebKitWebDriver. `cargo xtask test` runs this with TERMDEE_DESKTOP_BIN set;
// `cargo xtask screenshot` runs it with TERMDEE_SCREENSHOT_DIR set as well.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { Builder, By, until } from 'selenium-webdriver';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

const application = process.env.TERMDEE_DESKTOP_BIN;
const tauriDriverPath = process.env.TERMDEE_TAURI_DRIVER ?? 'tauri-driver';
const screenshotDir = process.env.TERMDEE_SCREENSHOT_DIR;
if (!application) throw new Error('TERMDEE_DESKTOP_BIN must name the desktop binary (cargo xtask test sets it)');

const configHome = mkdtempSync(join(tmpdir(), 'termdee-e2e-'));

/** CRC-16/CCITT-FALSE, as EMVCo QR payloads use, written here independently of the Rust code. */
function crc16(text) {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, 'ascii')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForPort(port, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`tauri-driver did not listen on ${port}`);
}

/** Starts tauri-driver and a session of the app with the given extra environment. */
async function startApp(env = {}) {
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn(tauriDriverPath, ['--port', String(port), '--native-port', String(nativePort)], {
    env: { ...process.env, XDG_CONFIG_HOME: configHome, XDG_DATA_HOME: configHome, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitForPort(port, 20_000);
  const session = await new Builder()
    .usingServer(`http://127.0.0.1:${port}/`)
    .withCapabilities({ browserName: 'wry', 'tauri:options': { application } })
    .build();
  return {
    session,
    async stop() {
      await session.quit().catch(() => {});
      // SIGTERM, not SIGKILL: a killed tauri-driver orphans WebKitWebDriver (TOOLCHAIN.md).
      driver.kill('SIGTERM');
      await new Promise((resolve) => driver.once('exit', resolve));
    },
  };
}

function screenshot(name) {
  if (!screenshotDir) return;
  execFileSync('import', ['-window', 'root', join(screenshotDir, `${name}.png`)]);
}

async function byTestId(session, id, timeout = 10_000) {
  return session.wait(until.elementLocated(By.css(`[data-testid="${id}"]`)), timeout);
}

async function type(session, promptpayId, amount) {
  const idField = await byTestId(session, 'promptpay-id');
  await idField.clear();
  await idField.sendKeys(promptpayId);
  const amountField = await byTestId(session, 'amount');
  await amountField.clear();
  await amountField.sendKeys(amount);
  await (await byTestId(session, 'submit')).click();
}

/** Decodes the QR the app shows, from the PNG the Rust backend rendered. */
function decodeQr(dataUrl) {
  const png = PNG.sync.read(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(code, 'the QR on screen is readable by a QR scanner');
  return code.data;
}

let app;
before(async () => { app = await startApp(); });
after(async () => {
  await app?.stop();
  rmSync(configHome, { recursive: true, force: true });
});

test('a cashier types an ID and an amount and gets a scannable PromptPay QR', async () => {
  const { session } = app;
  await byTestId(session, 'placeholder');
  await session.executeScript('return document.fonts.ready');
  screenshot('1-start-th');

  await type(session, '081-234-5678', '150.50');
  const image = await byTestId(session, 'qr-image');
  const payload = decodeQr(await image.getAttribute('src'));
  assert.equal(payload, await image.getAttribute('data-payload'), 'the QR encodes the payload shown');
  assert.equal(payload.slice(-4), crc16(payload.slice(0, -4)), 'the CRC is right');
  assert.match(payload, /^000201010212/, 'a dynamic QR (with an amount)');
  assert.match(payload, /29370016A000000677010111011300668123456785802TH|0113006681234567/);
  assert.match(payload, /5406150\.50/, 'the amount as 150.50');

  assert.equal(await (await byTestId(session, 'amount-text')).getText(), '฿150.50');
  assert.match(await (await byTestId(session, 'payee')).getText(), /081-234-5678/);
  const countdown = await (await byTestId(session, 'countdown')).getText();
  assert.match(countdown, /^[45]:\d\d$/, `the 5-minute countdown runs (${countdown})`);
  screenshot('2-qr-th');

  await (await byTestId(session, 'language-toggle')).click();
  assert.equal(await (await byTestId(session, 'submit')).getText(), 'Show QR');
  screenshot('3-qr-en');
  await (await byTestId(session, 'language-toggle')).click();
});

test('bad input shows a Thai error from the backend and no QR', async () => {
  const { session } = app;
  await type(session, '12345', '10');
  const error = await byTestId(session, 'error');
  assert.equal(await error.getAttribute('data-code'), 'invalid_promptpay_id');
  assert.match(await error.getText(), /พร้อมเพย์ไม่ถูกต้อง/);
  assert.equal((await session.findElements(By.css('[data-testid="qr-image"]'))).length, 0);
  screenshot('4-error-th');
});

test('the QR expires when its countdown (from the settings) runs out', async () => {
  // One app window at a time: without a window manager, windows stack at the same place.
  await app.stop();
  app = undefined;
  const short = await startApp({ TERMDEE_QR_COUNTDOWN_SECONDS: '5' });
  try {
    await type(short.session, '0812345678', '20');
    await byTestId(short.session, 'qr-image');
    const expired = await byTestId(short.session, 'expired', 15_000);
    assert.match(await expired.getText(), /QR หมดอายุแล้ว/);
    screenshot('5-expired-th');
  } finally {
    await short.stop();
  }
});
