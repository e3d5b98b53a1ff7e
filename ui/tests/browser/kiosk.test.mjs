// The unattended kiosk end to end over the fake backend: attract → network → number twice →
// amount → QR with a large countdown → result → back to the start; the idle timeout, expiry at
// the provider, a payment arriving by event, failures that owe the customer money, and leaving
// kiosk mode with the owner PIN — in Thai and English.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { calls, fake, openApp, shot, text } from './support.mjs';

const KIOSK = { mode: 'kiosk', kioskIdleSeconds: 60, qrSeconds: 120 };
const VIEWPORT = { width: 1280, height: 800 };

const words = {
  th: {
    touch: 'แตะเพื่อเติมเงิน',
    again: 'กรอกเบอร์อีกครั้งเพื่อยืนยัน',
    mismatch: 'เบอร์ไม่ตรงกัน กรุณากรอกใหม่',
    bad: 'เบอร์ต้องมี 10 หลัก ขึ้นต้นด้วย 06 08 หรือ 09',
    success: 'เติมเงินสำเร็จ',
    refund: 'ติดต่อพนักงานเพื่อรับเงินคืน แจ้งรหัสรายการ S-0001',
    held: 'เงินของคุณไม่หาย กรุณาติดต่อพนักงาน แจ้งรหัสรายการ S-0001',
    expired: 'QR หมดอายุ ไม่มีการตัดเงิน',
    toppingUp: 'ได้รับเงินแล้ว กำลังเติมเงิน…',
    scan: 'สแกนด้วยแอปธนาคารใดก็ได้',
    wrongPin: 'รหัส PIN ไม่ถูกต้อง',
    outOfService: 'ขออภัย เครื่องปิดให้บริการชั่วคราว',
    language: 'English',
  },
  en: {
    touch: 'Touch to top up',
    again: 'Enter the number again to confirm',
    mismatch: 'The numbers do not match; please start again',
    bad: 'The number must have 10 digits starting with 06, 08 or 09',
    success: 'Top-up successful',
    refund: 'Please see staff for your refund, sale id S-0001',
    held: 'Your money is safe; please see staff with sale id S-0001',
    expired: 'The QR expired: no money was taken',
    toppingUp: 'Payment received, topping up…',
    scan: 'Scan with any Thai banking app',
    wrongPin: 'Wrong PIN',
    outOfService: 'Sorry, this kiosk is out of service',
    language: 'ภาษาไทย',
  },
};

async function step(page) {
  return page.getByTestId('kiosk').getAttribute('data-step');
}

async function waitStep(page, name) {
  await page.locator(`[data-testid="kiosk"][data-step="${name}"]`).waitFor();
}

/** Touches the keypad for each digit. */
async function touchNumber(page, digits) {
  for (const digit of digits) await page.getByTestId(`kiosk-key-${digit}`).click();
}

/** From the attract screen to the QR: AIS, the number twice, 50 baht. */
async function toQr(page, { first = '0812345678', second = first } = {}) {
  await page.getByTestId('kiosk-start').click();
  await page.getByTestId('kiosk-network-ais').click();
  await touchNumber(page, first);
  await page.getByTestId('kiosk-number-next').click();
  await touchNumber(page, second);
  await page.getByTestId('kiosk-number-next').click();
  await page.getByTestId('kiosk-amount-50').click();
  await page.getByTestId('kiosk-pay').waitFor();
}

for (const lang of ['th', 'en']) {
  const w = words[lang];
  describe(`kiosk in ${lang}`, () => {
    test('end to end: number twice, QR with a large countdown, paid by event, success, back to the start', async () => {
      const page = await openApp({ lang, scenario: KIOSK, viewport: VIEWPORT, ready: 'kiosk' });
      assert.equal(await step(page), 'attract');
      assert.ok((await text(page, 'kiosk-start')).startsWith(w.touch));
      assert.equal(await page.getByTestId('topbar').count(), 0, 'no cashier top bar on a kiosk');
      await shot(page, `kiosk-attract-${lang}`);
      await page.getByTestId('kiosk-start').click();
      await waitStep(page, 'network');
      assert.ok(await page.getByTestId('kiosk-network-penguin').isDisabled(), 'a network nobody sells now cannot be picked');
      await page.getByTestId('kiosk-network-ais').click();
      await touchNumber(page, '0812345678');
      assert.equal(await text(page, 'kiosk-number'), '081-234-5678', 'shown large and formatted');
      await shot(page, `kiosk-number-${lang}`);
      await page.getByTestId('kiosk-number-next').click();
      assert.equal(await text(page, 'kiosk-number-title'), w.again);
      assert.equal(await text(page, 'kiosk-first-number'), '081-234-5678');
      // A hardware keypad works too.
      await page.keyboard.type('0812345678');
      await page.keyboard.press('Enter');
      await waitStep(page, 'amount');
      const touchTarget = await page.getByTestId('kiosk-amount-50').boundingBox();
      assert.ok(touchTarget.height >= 64 && touchTarget.width >= 64, `kiosk buttons are at least 64 px (${touchTarget.width}×${touchTarget.height})`);
      await page.getByTestId('kiosk-amount-50').click();
      await page.getByTestId('qr-image').waitFor();
      assert.deepEqual((await calls(page, 'start_sale')).map((call) => call.args), [
        { input: { network: 'ais', phone: '081-234-5678', amount: '50', method: 'tmweasy' } },
      ]);
      assert.equal(await text(page, 'kiosk-amount'), '฿50.37', 'the amount to pay, as text');
      assert.equal(await text(page, 'kiosk-countdown'), '2:00');
      const size = await page.getByTestId('kiosk-countdown').evaluate((element) => Number.parseFloat(getComputedStyle(element).fontSize));
      assert.ok(size >= 64, `the countdown is large (${size}px)`);
      assert.ok((await page.getByTestId('kiosk-pay').textContent()).includes(w.scan));
      await page.clock.runFor(30_000);
      assert.equal(await text(page, 'kiosk-countdown'), '1:30');
      await shot(page, `kiosk-qr-${lang}`);

      await fake(page, 'pay');
      await page.getByTestId('kiosk-topping-up').waitFor();
      assert.ok((await text(page, 'kiosk-topping-up')).includes(w.toppingUp));
      await fake(page, 'startTopup');
      await fake(page, 'finish', undefined, 'completed');
      await waitStep(page, 'result');
      assert.equal(await page.getByTestId('kiosk-result').getAttribute('data-look'), 'ok');
      assert.equal(await text(page, 'kiosk-result-title'), w.success);
      await shot(page, `kiosk-success-${lang}`);
      assert.equal((await calls(page, 'cancel_sale')).length, 0);
      await page.clock.runFor(10_500);
      await waitStep(page, 'attract');
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    test('a second number that does not match is refused, and both are typed again', async () => {
      const page = await openApp({ lang, scenario: KIOSK, viewport: VIEWPORT, ready: 'kiosk' });
      await page.getByTestId('kiosk-start').click();
      await page.getByTestId('kiosk-network-dtac').click();
      await touchNumber(page, '0712345678');
      await page.getByTestId('kiosk-number-next').click();
      assert.equal(await text(page, 'kiosk-number-problem'), w.bad);
      await page.getByTestId('kiosk-key-clear').click();
      await touchNumber(page, '0812345678');
      await page.getByTestId('kiosk-number-next').click();
      await touchNumber(page, '0812345679');
      await page.getByTestId('kiosk-number-next').click();
      assert.equal(await text(page, 'kiosk-number-problem'), w.mismatch);
      assert.equal(await page.getByTestId('kiosk-number-problem').getAttribute('data-problem'), 'mismatch');
      assert.equal(await step(page), 'number');
      assert.equal((await text(page, 'kiosk-number')).trim(), '', 'the first entry starts again too');
      await shot(page, `kiosk-mismatch-${lang}`);
      assert.equal((await calls(page, 'start_sale')).length, 0, 'nothing is sold to an unconfirmed number');
      await page.close();
    });

    test('the countdown ending cancels at the provider and tells the customer no money was taken', async () => {
      const page = await openApp({ lang, scenario: KIOSK, viewport: VIEWPORT, ready: 'kiosk' });
      await toQr(page);
      // The idle timeout (60 s) does not cut a QR short: the customer is busy with their phone.
      await page.clock.runFor(90_000);
      assert.equal(await step(page), 'pay');
      assert.equal((await calls(page, 'cancel_sale')).length, 0);
      await page.clock.runFor(30_000);
      await waitStep(page, 'result');
      assert.deepEqual((await calls(page, 'cancel_sale')).map((call) => call.args), [{ saleId: 'S-0001' }]);
      assert.equal(await text(page, 'kiosk-result-title'), w.expired);
      assert.equal(await page.getByTestId('kiosk-result').getAttribute('data-look'), 'nothing');
      await shot(page, `kiosk-expired-${lang}`);
      await page.clock.runFor(31_000);
      await waitStep(page, 'attract');
      await page.close();
    });

    test('a payment arriving as the countdown ends shows the paid path', async () => {
      const page = await openApp({ lang, scenario: KIOSK, viewport: VIEWPORT, ready: 'kiosk' });
      await toQr(page);
      await page.clock.runFor(119_000);
      await fake(page, 'pay');
      await page.getByTestId('kiosk-topping-up').waitFor();
      await page.clock.runFor(5_000);
      assert.equal(await step(page), 'pay');
      assert.equal((await calls(page, 'cancel_sale')).length, 0, 'a paid sale is not cancelled');
      await page.close();
    });

    test('a failed top-up tells the customer to see staff for the refund, with the sale id', async () => {
      const page = await openApp({ lang, scenario: KIOSK, viewport: VIEWPORT, ready: 'kiosk' });
      await toQr(page);
      await fake(page, 'pay');
      await fake(page, 'startTopup');
      await fake(page, 'finish', undefined, 'refund_due');
      await waitStep(page, 'result');
      assert.equal(await page.getByTestId('kiosk-result').getAttribute('data-look'), 'refund');
      assert.equal(await text(page, 'kiosk-result-detail'), w.refund);
      assert.ok((await text(page, 'kiosk-sale-id')).includes('S-0001'));
      await shot(page, `kiosk-refund-${lang}`);
      // Long enough to note the sale id down.
      await page.clock.runFor(20_000);
      assert.equal(await step(page), 'result');
      await page.clock.runFor(11_000);
      await waitStep(page, 'attract');
      await page.close();
    });

    test('an unknown outcome says the money is safe and to see staff', async () => {
      const page = await openApp({ lang, scenario: KIOSK, viewport: VIEWPORT, ready: 'kiosk' });
      await toQr(page);
      await fake(page, 'pay');
      await fake(page, 'finish', undefined, 'needs_attention');
      await waitStep(page, 'result');
      assert.equal(await page.getByTestId('kiosk-result').getAttribute('data-look'), 'held');
      assert.equal(await text(page, 'kiosk-result-detail'), w.held);
      await page.close();
    });

    test('idle: no touch for kiosk_idle_seconds goes back to the attract screen', async () => {
      const page = await openApp({ lang, scenario: KIOSK, viewport: VIEWPORT, ready: 'kiosk' });
      await page.getByTestId('kiosk-start').click();
      await page.getByTestId('kiosk-network-ais').click();
      await touchNumber(page, '081');
      await page.clock.runFor(45_000);
      await page.getByTestId('kiosk-key-2').click(); // a touch restarts the wait
      await page.clock.runFor(45_000);
      assert.equal(await step(page), 'number', 'still there 45 s after the last touch');
      await page.clock.runFor(16_000);
      await waitStep(page, 'attract');
      await page.getByTestId('kiosk-start').click();
      await page.getByTestId('kiosk-network-ais').click();
      assert.equal((await text(page, 'kiosk-number')).trim(), '', 'the next customer starts clean');
      await page.close();
    });

    test('leaving kiosk mode needs the owner PIN, from a 3-second press on the logo', async () => {
      const page = await openApp({ lang, scenario: KIOSK, viewport: VIEWPORT, ready: 'kiosk' });
      const logo = await page.getByTestId('kiosk-logo').boundingBox();
      await page.mouse.move(logo.x + 10, logo.y + 10);
      await page.mouse.down();
      await page.clock.runFor(1_000);
      await page.mouse.up();
      await page.clock.runFor(3_000);
      assert.equal(await page.getByTestId('leave-kiosk').count(), 0, 'a short tap does nothing');
      await page.mouse.down();
      await page.clock.runFor(3_100);
      await page.mouse.up();
      await page.getByTestId('leave-kiosk').waitFor();
      for (const digit of '9999') await page.getByTestId(`leave-pin-key-${digit}`).click();
      await page.getByTestId('leave-pin-ok').click();
      await page.getByTestId('leave-error').waitFor();
      assert.equal(await text(page, 'leave-error'), w.wrongPin);
      await shot(page, `kiosk-leave-${lang}`);
      await page.keyboard.type('1234');
      await page.keyboard.press('Enter');
      await page.getByTestId('dashboard').waitFor();
      assert.deepEqual((await calls(page, 'leave_kiosk')).map((call) => call.args), [{ pin: '9999' }, { pin: '1234' }]);
      await page.close();
    });
  });
}

test('an unpaid sale without a countdown is cancelled when the customer walks away', async () => {
  const page = await openApp({ lang: 'th', scenario: { ...KIOSK, qrWithoutExpiry: true }, viewport: VIEWPORT, ready: 'kiosk' });
  await toQr(page);
  assert.equal(await page.getByTestId('kiosk-countdown').count(), 0);
  await page.clock.runFor(61_000);
  await waitStep(page, 'attract');
  assert.deepEqual((await calls(page, 'cancel_sale')).map((call) => call.args), [{ saleId: 'S-0001' }]);
  await page.close();
});

test('the customer can cancel before paying; the language button is theirs and resets', async () => {
  const page = await openApp({ lang: 'th', scenario: KIOSK, viewport: VIEWPORT, ready: 'kiosk' });
  await page.getByTestId('kiosk-language').click();
  assert.ok((await text(page, 'kiosk-start')).startsWith('Touch to top up'));
  await toQr(page);
  await page.getByTestId('kiosk-cancel').click();
  await waitStep(page, 'attract');
  assert.deepEqual((await calls(page, 'cancel_sale')).map((call) => call.args), [{ saleId: 'S-0001' }]);
  assert.ok((await text(page, 'kiosk-start')).startsWith('แตะเพื่อเติมเงิน'), 'the next customer starts in Thai');
  await page.close();
});

test('a cancel refused because the customer just paid shows the paid path', async () => {
  const page = await openApp({ lang: 'th', scenario: KIOSK, viewport: VIEWPORT, ready: 'kiosk' });
  await toQr(page);
  await fake(page, 'pay', undefined, true);
  await page.getByTestId('kiosk-cancel').click();
  await page.getByTestId('kiosk-topping-up').waitFor();
  assert.equal(await step(page), 'pay', 'not sent back to the start with money taken');
  assert.equal(await page.getByTestId('kiosk-error').count(), 0, 'nothing alarming shown');
  await page.close();
});

test('demo mode on the kiosk: the banner and a way to pay as the customer', async () => {
  const page = await openApp({ lang: 'en', scenario: { ...KIOSK, demo: true, autoTopup: 'completed' }, viewport: VIEWPORT, ready: 'kiosk' });
  assert.equal(await text(page, 'demo-banner'), 'DEMO — no real top-ups');
  await toQr(page);
  await page.getByTestId('demo-pay').click();
  await page.getByTestId('kiosk-topping-up').waitFor();
  await page.clock.runFor(2_000);
  await waitStep(page, 'result');
  assert.equal(await page.getByTestId('kiosk-result').getAttribute('data-look'), 'ok');
  await page.close();
});

test('a kiosk that must not sell says so and cannot be started', async () => {
  for (const lang of ['th', 'en']) {
    const page = await openApp({
      lang,
      scenario: { ...KIOSK, problems: [{ code: 'provider_unavailable', message: 'no top-up provider reachable' }] },
      viewport: VIEWPORT,
      ready: 'kiosk',
    });
    assert.ok(await page.getByTestId('kiosk-start').isDisabled());
    assert.equal(await text(page, 'kiosk-start'), words[lang].outOfService);
    assert.ok(await page.getByTestId('problems').isVisible());
    await page.close();
  }
});
