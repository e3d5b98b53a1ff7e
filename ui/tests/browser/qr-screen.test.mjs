// Browser tests of the QR screen: the real UI in headless Chromium, with the IPC mocked.
// Replies come from tests/fixtures/qr.json, which `cargo xtask bindings` writes from the real
// Rust use case (and a Rust test keeps it current), so these tests cannot drift from the backend.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';

const uiRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = JSON.parse(await readFile(new URL('../fixtures/qr.json', import.meta.url), 'utf8'));

/** The fixture whose request matches what the UI sent, or an internal error. */
function answer(command, args) {
  if (command === 'prepare_qr') {
    for (const { request, reply } of Object.values(fixtures)) {
      if (request.promptpay_id === args.request.promptpay_id && request.amount === args.request.amount) {
        return reply;
      }
    }
    return { err: { code: 'internal', message: `no fixture for ${JSON.stringify(args)}` } };
  }
  if (command === 'settings') return { ok: { qr_countdown_seconds: 300 } };
  return { err: { code: 'internal', message: `unknown command ${command}` } };
}

let server;
let browser;
let baseUrl;

before(async () => {
  server = await createServer({
    root: uiRoot,
    configFile: `${uiRoot}/vite.config.ts`,
    logLevel: 'error',
    server: { port: 0, host: '127.0.0.1', hmr: false },
  });
  await server.listen();
  const { port } = server.httpServer.address();
  baseUrl = `http://127.0.0.1:${port}/tests/browser/harness.html`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(language) {
  const page = await browser.newPage({ viewport: { width: 1024, height: 720 } });
  await page.clock.install();
  await page.exposeFunction('__termdeeIpc', answer);
  await page.goto(`${baseUrl}?lang=${language}`);
  await page.getByTestId('promptpay-id').waitFor();
  return page;
}

async function fill(page, promptpayId, amount) {
  await page.getByTestId('promptpay-id').fill(promptpayId);
  await page.getByTestId('amount').fill(amount);
  await page.getByTestId('submit').click();
}

for (const language of ['th', 'en']) {
  describe(`QR screen in ${language}`, () => {
    const labels = {
      th: { showQr: 'สร้าง QR', timeLeft: 'QR หมดอายุใน', expired: 'QR หมดอายุแล้ว', payer: 'ผู้จ่ายกรอกจำนวนเอง', badId: 'พร้อมเพย์ไม่ถูกต้อง', badAmount: 'จำนวนเงินไม่ถูกต้อง', mobile: 'เบอร์มือถือ' },
      en: { showQr: 'Show QR', timeLeft: 'QR expires in', expired: 'This QR has expired', payer: 'Payer enters the amount', badId: 'Invalid PromptPay ID', badAmount: 'Invalid amount', mobile: 'Mobile number' },
    }[language];

    test('starts with an empty form and a placeholder', async () => {
      const page = await openPage(language);
      assert.equal(await page.getByTestId('submit').textContent(), labels.showQr);
      assert.equal(await page.getByTestId('qr-image').count(), 0, 'no QR before one is asked for');
      assert.ok(await page.getByTestId('placeholder').isVisible());
      await page.close();
    });

    test('shows the QR rendered by the backend, the payee, the amount and the countdown', async () => {
      const page = await openPage(language);
      await fill(page, '081-234-5678', '150.50');
      const expected = fixtures.mobile_with_amount.reply.ok;
      const image = page.getByTestId('qr-image');
      await image.waitFor();
      assert.equal(await image.getAttribute('src'), expected.png_data_url);
      assert.equal(await image.getAttribute('data-payload'), expected.payload);
      assert.match(await page.getByTestId('payee').textContent(), new RegExp(`081-234-5678.*${labels.mobile}`));
      assert.equal(await page.getByTestId('amount-text').textContent(), '฿150.50');
      assert.ok((await page.getByTestId('countdown-line').textContent()).startsWith(labels.timeLeft));
      assert.equal(await page.getByTestId('countdown').textContent(), '5:00');
      const calls = await page.evaluate(() => window.__termdeeCalls);
      assert.deepEqual(calls.at(-1), {
        command: 'prepare_qr',
        args: { request: { promptpay_id: '081-234-5678', amount: '150.50' } },
      });
      await page.close();
    });

    test('counts down and then shows the QR as expired', async () => {
      const page = await openPage(language);
      await fill(page, '081-234-5678', '150.50');
      await page.getByTestId('qr-image').waitFor();
      await page.clock.runFor(61_000);
      assert.equal(await page.getByTestId('countdown').textContent(), '3:59');
      await page.clock.runFor(239_000);
      await page.getByTestId('expired').waitFor();
      assert.ok((await page.getByTestId('expired').textContent()).includes(labels.expired));
      assert.equal(await page.getByTestId('countdown').count(), 0, 'no countdown once expired');
      assert.match(await page.getByTestId('qr-card').getAttribute('class'), /is-expired/);
      await page.getByTestId('new-qr').click();
      assert.equal(await page.getByTestId('qr-image').count(), 0, 'a new QR starts from the form');
      await page.close();
    });

    test('a static QR says the payer types the amount', async () => {
      const page = await openPage(language);
      await fill(page, '1234567890123', '');
      await page.getByTestId('qr-image').waitFor();
      assert.equal(await page.getByTestId('amount-text').textContent(), labels.payer);
      await page.close();
    });

    test('bad input shows the error under its field and no QR', async () => {
      const page = await openPage(language);
      await fill(page, '12345', '10');
      const error = page.getByTestId('error');
      await error.waitFor();
      assert.equal(await error.getAttribute('data-code'), 'invalid_promptpay_id');
      assert.ok((await error.textContent()).startsWith(labels.badId));
      assert.equal(await page.getByTestId('promptpay-id').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.getByTestId('qr-image').count(), 0);

      await fill(page, '0812345678', '12.345');
      await page.waitForSelector('[data-code="invalid_amount"]');
      assert.ok((await page.getByTestId('error').textContent()).startsWith(labels.badAmount));
      assert.equal(await page.getByTestId('amount').getAttribute('aria-invalid'), 'true');
      await page.close();
    });
  });
}

test('the language toggle switches between Thai and English', async () => {
  const page = await openPage('th');
  assert.equal(await page.getByTestId('submit').textContent(), 'สร้าง QR');
  await page.getByTestId('language-toggle').click();
  assert.equal(await page.getByTestId('submit').textContent(), 'Show QR');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.getByTestId('language-toggle').click();
  assert.equal(await page.getByTestId('submit').textContent(), 'สร้าง QR');
  await page.close();
});

test('the bundled Thai font is the one rendering Thai text', async () => {
  const page = await openPage('th');
  await page.evaluate(() => document.fonts.ready);
  const thaiFaces = await page.evaluate(() =>
    [...document.fonts]
      .filter((face) => face.family.replaceAll('"', '') === 'Sarabun' && face.unicodeRange.includes('E01'))
      .map((face) => face.status),
  );
  assert.ok(thaiFaces.includes('loaded'), `Sarabun's Thai subset (assets/fonts) is loaded: ${thaiFaces}`);
  await page.close();
});
