// The cashier's counter in headless Chromium over the fake backend: keyboard-first selling, the
// live sale panel driven by `sale-updated` events, each payment method, expiry, refund due,
// recent numbers, and the shift gate — in Thai and in English.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { calls, fake, openApp, shot, text } from './support.mjs';

const COUNTER = { loggedIn: 'cashier-1', shiftOpen: true };

const words = {
  th: {
    receivedCash: 'รับเงินสด ฿50.00 แล้ว',
    transferSeen: 'เห็นยอดโอน ฿100.00 เข้าแล้ว',
    done: 'เติม ฿50.00 เข้าเบอร์ 081-234-5678 สำเร็จ',
    waiting: 'รอลูกค้าชำระเงิน ฿50.00',
    toppingUp: 'กำลังเติมเงินเข้าเบอร์ 081-234-5678',
    refund: 'เติมไม่สำเร็จ: คืนเงินสด ฿50.00 ให้ลูกค้า',
    unknown: 'ไม่ทราบผลการเติม: ตรวจกับผู้ให้บริการว่าเครดิตเข้าเบอร์ 081-234-5678 หรือไม่',
    expired: 'QR หมดอายุแล้ว',
    expiredSentence: 'QR หมดอายุ ไม่มีการตัดเงิน',
    badPhone: 'เบอร์โทรศัพท์ไม่ถูกต้อง',
    notSold: 'ยอดเงินนี้เติมให้เครือข่ายที่เลือกไม่ได้',
    range: 'จำนวนเงินต้องอยู่ระหว่าง ฿10.00 ถึง ฿1,000.00',
    pickNetwork: 'เลือกเครือข่ายก่อน',
    demo: 'โหมดสาธิต — ไม่มีการเติมเงินจริง',
    demoPay: 'ทำเป็นลูกค้าจ่ายเงิน (สาธิต)',
    steps: ['1. รอชำระเงิน', '2. กำลังเติมเงิน', '3. สำเร็จ'],
    refundStep: 'ไม่สำเร็จ → ต้องคืนเงิน',
  },
  en: {
    receivedCash: 'Received ฿50.00 cash',
    transferSeen: 'Transfer of ฿100.00 seen',
    done: '฿50.00 topped up to 081-234-5678',
    waiting: 'Waiting for the customer to pay ฿50.00',
    toppingUp: 'Topping up 081-234-5678',
    refund: 'The top-up failed: hand back ฿50.00 in cash',
    unknown: 'Outcome unknown: check with the provider whether the credit reached 081-234-5678',
    expired: 'The QR has expired',
    expiredSentence: 'The QR expired; no money was taken',
    badPhone: 'Invalid phone number',
    notSold: 'This amount cannot be topped up',
    range: 'The amount must be between ฿10.00 and ฿1,000.00',
    pickNetwork: 'Pick a network first',
    demo: 'DEMO — no real top-ups',
    demoPay: 'Act as the paying customer (demo)',
    steps: ['Paying', 'Topping up', 'Done'],
    refundStep: 'Failed → Refund due',
  },
};

/** Network by hotkey, number typed, Enter, amount typed — the keyboard path. */
async function typeSale(page, { key = '1', phone = '0812345678', amount = '50' } = {}) {
  await page.getByTestId('network-ais').waitFor();
  await page.keyboard.press(key);
  await page.keyboard.type(phone);
  await page.keyboard.press('Enter');
  await page.keyboard.type(amount);
}

async function stepLooks(page) {
  return page.getByTestId('sale-steps').locator('li').evaluateAll((items) => items.map((item) => item.dataset.look));
}

for (const lang of ['th', 'en']) {
  const w = words[lang];
  describe(`counter in ${lang}`, () => {
    test('a cash sale by keyboard: paying → topping up → done, with the receipt', async () => {
      const page = await openApp({ lang, scenario: COUNTER, ready: 'sale-form' });
      await typeSale(page);
      assert.equal(await page.getByTestId('phone').inputValue(), '081-234-5678', 'the number is formatted as typed');
      assert.equal(await page.getByTestId('network-ais').getAttribute('aria-pressed'), 'true', 'key 1 picks the first network');
      await page.keyboard.press('Enter');
      const panel = page.getByTestId('sale-panel');
      await panel.waitFor();
      assert.equal(await panel.getAttribute('data-state'), 'awaiting_payment');
      assert.equal(await text(page, 'sale-sentence'), w.waiting);
      assert.deepEqual(await stepLooks(page), ['active', 'waiting', 'waiting']);
      assert.equal(await page.getByTestId('qr-image').count(), 0, 'no QR for cash');
      assert.deepEqual((await calls(page, 'start_sale')).map((call) => call.args), [
        { input: { network: 'ais', phone: '081-234-5678', amount: '50', method: 'cash' } },
      ]);
      await shot(page, `counter-cash-${lang}`);

      assert.equal(await text(page, 'confirm-payment'), w.receivedCash);
      await page.getByTestId('confirm-payment').click();
      await page.locator('[data-testid="sale-panel"][data-state="paid"]').waitFor();
      await fake(page, 'startTopup');
      await page.locator('[data-testid="sale-panel"][data-state="topup_pending"]').waitFor();
      assert.equal(await text(page, 'sale-sentence'), w.toppingUp);
      assert.deepEqual(await stepLooks(page), ['done', 'active', 'waiting']);
      assert.ok(await page.getByTestId('topping-up').isVisible());

      await fake(page, 'finish', undefined, 'completed');
      await page.locator('[data-testid="sale-panel"][data-state="completed"]').waitFor();
      assert.equal(await text(page, 'sale-sentence'), w.done);
      assert.deepEqual(await stepLooks(page), ['done', 'done', 'done']);
      const receipt = page.getByTestId('receipt-image');
      await receipt.waitFor();
      assert.match(await receipt.getAttribute('src'), /^data:image\/png;base64,/);
      await page.getByTestId('print-receipt').click();
      await page.getByTestId('print-job').waitFor();
      assert.equal(await page.getByTestId('print-job').getAttribute('data-state'), 'queued');
      assert.equal((await calls(page, 'print_receipt')).length, 1);
      // Fetched again on each event, never on a timer.
      assert.equal((await calls(page, 'sale')).length, 3, 'one sale() per sale-updated event after the confirm');
      await shot(page, `counter-done-${lang}`);
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    test('local PromptPay: the shop QR with countdown, the cashier confirms the transfer', async () => {
      const page = await openApp({ lang, scenario: COUNTER, ready: 'sale-form' });
      await typeSale(page, { amount: '100' });
      await page.getByTestId('method-prompt_pay_local').click();
      await page.getByTestId('sell').click();
      await page.getByTestId('qr-image').waitFor();
      assert.equal(await text(page, 'qr-amount'), '฿100.00');
      assert.equal(await text(page, 'countdown'), '5:00');
      assert.equal(await page.getByTestId('demo-pay').count(), 0, 'no demo button outside demo mode');
      await page.clock.runFor(300_000);
      await page.getByTestId('qr-expired').waitFor();
      assert.equal(await calls(page, 'cancel_sale').then((list) => list.length), 0, "the shop's own QR is not cancelled by the countdown");
      assert.equal(await text(page, 'confirm-payment'), w.transferSeen, 'the cashier can still confirm a transfer that arrived late');
      await page.getByTestId('confirm-payment').click();
      await page.locator('[data-testid="sale-panel"][data-state="paid"]').waitFor();
      assert.deepEqual((await calls(page, 'confirm_payment')).map((call) => call.args), [{ saleId: 'S-0001' }]);
      await page.close();
    });

    test('a QR provider: the countdown runs on, expiry cancels at the provider and shows expired', async () => {
      const page = await openApp({ lang, scenario: COUNTER, ready: 'sale-form' });
      await typeSale(page);
      await page.getByTestId('method-tmweasy').click();
      await page.keyboard.press('Enter');
      await page.getByTestId('qr-image').waitFor();
      assert.equal(await text(page, 'qr-amount'), '฿50.37', 'the amount the provider asks for, as text');
      assert.equal(await page.getByTestId('confirm-payment').count(), 0, 'a provider QR is confirmed by the provider, not the cashier');
      await page.clock.runFor(61_000);
      assert.equal(await text(page, 'countdown'), '3:59');
      await shot(page, `counter-qr-${lang}`);
      await page.clock.runFor(239_000);
      await page.locator('[data-testid="sale-panel"][data-state="payment_expired"]').waitFor();
      assert.deepEqual((await calls(page, 'cancel_sale')).map((call) => call.args), [{ saleId: 'S-0001' }]);
      assert.equal(await text(page, 'sale-sentence'), w.expiredSentence);
      assert.equal(await page.getByTestId('sale-steps').locator('li').first().getAttribute('data-look'), 'failed');
      await page.close();
    });

    test('a QR paid just before the countdown ends shows the paid path, not expired', async () => {
      const page = await openApp({ lang, scenario: COUNTER, ready: 'sale-form' });
      await typeSale(page);
      await page.getByTestId('method-deposit_qr').click();
      await page.keyboard.press('Enter');
      await page.getByTestId('qr-image').waitFor();
      await page.clock.runFor(299_000);
      await fake(page, 'pay');
      await page.locator('[data-testid="sale-panel"][data-state="paid"]').waitFor();
      await page.clock.runFor(5_000);
      assert.equal(await page.getByTestId('qr-expired').count(), 0);
      assert.equal(await page.getByTestId('sale-panel').getAttribute('data-state'), 'paid');
      assert.equal((await calls(page, 'cancel_sale')).length, 0, 'a paid sale is never cancelled');
      await page.close();
    });

    test('cancelling a QR the customer has just paid shows the paid sale instead', async () => {
      const page = await openApp({ lang, scenario: COUNTER, ready: 'sale-form' });
      await typeSale(page);
      await page.getByTestId('method-tmweasy').click();
      await page.keyboard.press('Enter');
      await page.getByTestId('qr-image').waitFor();
      await fake(page, 'pay', undefined, true);
      await page.getByTestId('cancel-sale').click();
      await page.getByTestId('cancel-confirm-yes').click();
      await page.locator('[data-testid="sale-panel"][data-state="paid"]').waitFor();
      assert.equal(await page.getByTestId('sale-error').count(), 0);
      await page.close();
    });

    test('a failed top-up after payment: refund due, settled at the counter with a note', async () => {
      const page = await openApp({ lang, scenario: COUNTER, ready: 'sale-form' });
      await typeSale(page);
      await page.keyboard.press('Enter');
      await page.getByTestId('confirm-payment').click();
      await page.locator('[data-testid="sale-panel"][data-state="paid"]').waitFor();
      await fake(page, 'startTopup');
      await fake(page, 'finish', undefined, 'refund_due');
      await page.locator('[data-testid="sale-panel"][data-state="refund_due"]').waitFor();
      assert.equal(await text(page, 'sale-sentence'), w.refund);
      assert.deepEqual(await stepLooks(page), ['done', 'failed', 'failed']);
      assert.ok((await page.getByTestId('sale-steps').locator('li').nth(2).textContent()).includes(w.refundStep));
      await shot(page, `counter-refund-${lang}`);
      await page.getByTestId('action-mark_refunded').click();
      await page.getByTestId('note-required').waitFor();
      await page.getByTestId('resolution-note').fill('handed back 50 baht');
      await page.getByTestId('action-mark_refunded').click();
      await page.getByTestId('confirm-yes').click();
      await page.locator('[data-testid="sale-panel"][data-state="refunded"]').waitFor();
      const resolutions = await page.evaluate(() => window.__fake.resolutions);
      assert.deepEqual(resolutions, [{ sale_id: 'S-0001', action: 'mark_refunded', note: 'handed back 50 baht', by: 'cashier-1' }]);
      await page.close();
    });

    test('an unknown top-up outcome: the panel says to check with the provider, with its actions', async () => {
      const page = await openApp({ lang, scenario: COUNTER, ready: 'sale-form' });
      await typeSale(page);
      await page.keyboard.press('Enter');
      await page.getByTestId('confirm-payment').click();
      await page.locator('[data-testid="sale-panel"][data-state="paid"]').waitFor();
      await fake(page, 'finish', undefined, 'needs_attention');
      await page.locator('[data-testid="sale-panel"][data-state="needs_attention"]').waitFor();
      assert.equal(await text(page, 'sale-sentence'), w.unknown);
      assert.deepEqual(await stepLooks(page), ['done', 'active', 'waiting']);
      assert.ok(await page.getByTestId('action-check_again').isVisible());
      assert.ok(await page.getByTestId('action-mark_delivered').isVisible());
      await page.getByTestId('attention-badge').filter({ hasText: '1' }).waitFor();
      await page.getByTestId('go-attention').click();
      await page.getByTestId('attention-item').waitFor();
      await page.close();
    });

    test('demo mode: the DEMO banner, and acting as the paying customer completes a QR sale', async () => {
      const page = await openApp({ lang, scenario: { ...COUNTER, demo: true, autoTopup: 'completed' }, ready: 'sale-form' });
      assert.equal(await text(page, 'demo-banner'), w.demo);
      await typeSale(page);
      await page.getByTestId('method-blue_pay').click();
      await page.keyboard.press('Enter');
      await page.getByTestId('qr-image').waitFor();
      assert.ok(await page.getByTestId('qr-link').isVisible(), 'a payment link is shown beside its QR');
      assert.equal(await text(page, 'demo-pay'), w.demoPay);
      await shot(page, `counter-demo-${lang}`);
      await page.getByTestId('demo-pay').click();
      await page.locator('[data-testid="sale-panel"][data-state="paid"]').waitFor();
      await page.clock.runFor(2_000);
      await page.locator('[data-testid="sale-panel"][data-state="completed"]').waitFor();
      assert.deepEqual((await calls(page, 'demo_pay')).map((call) => call.args), [{ saleId: 'S-0001' }]);
      await page.close();
    });

    test('checks before sending: network, number and amount range; backend refusals under their field', async () => {
      const page = await openApp({ lang, scenario: COUNTER, ready: 'sale-form' });
      await page.getByTestId('sell').click();
      assert.ok((await text(page, 'error-network')).startsWith(w.pickNetwork));
      await page.getByTestId('network-dtac').click();
      await page.keyboard.type('0712345678');
      await page.keyboard.press('Enter');
      assert.ok((await text(page, 'error-phone')).startsWith(w.badPhone), 'a 07 number is not a mobile number');
      assert.equal(await page.getByTestId('phone').getAttribute('aria-invalid'), 'true');
      await page.getByTestId('phone').fill('');
      await page.getByTestId('phone').pressSequentially('08123456789999');
      assert.equal(await page.getByTestId('phone').inputValue(), '081-234-5678', 'at most 10 digits');
      await page.getByTestId('amount').fill('5000');
      await page.getByTestId('sell').click();
      assert.equal(await text(page, 'error-amount'), w.range);
      assert.equal((await calls(page, 'start_sale')).length, 0, 'nothing sent while the form is wrong');
      await page.close();
    });

    test('a backend refusal shows its sentence under the field and the details line', async () => {
      const page = await openApp({
        lang,
        scenario: { ...COUNTER, failures: { start_sale: { code: 'amount_not_sold', message: 'no provider sells 30.00 for dtac' } } },
        ready: 'sale-form',
      });
      await typeSale(page, { key: '2', amount: '30' });
      await page.keyboard.press('Enter');
      const error = page.getByTestId('error-amount');
      await error.waitFor();
      assert.equal(await error.getAttribute('data-code'), 'amount_not_sold');
      assert.ok((await error.textContent()).startsWith(w.notSold));
      assert.ok((await text(page, 'error-amount-details')).includes('no provider sells 30.00 for dtac'));
      await page.close();
    });

    test('recent numbers: repeat fills the form; R repeats the last; unavailable networks are disabled', async () => {
      const page = await openApp({ lang, scenario: { ...COUNTER, recentSales: true }, ready: 'sale-form' });
      await page.getByTestId('recent-sale').first().waitFor();
      const phones = await page.getByTestId('recent-sale').locator('.recent-phone').allTextContents();
      assert.deepEqual(phones, ['081-234-5678', '065-777-8888'], 'newest first');
      await page.getByTestId('recent-repeat').nth(1).click();
      assert.equal(await page.getByTestId('phone').inputValue(), '065-777-8888');
      assert.equal(await page.getByTestId('amount').inputValue(), '20');
      assert.equal(await page.getByTestId('network-true_move').getAttribute('aria-pressed'), 'true');
      assert.equal(await page.getByTestId('method-cash').getAttribute('aria-pressed'), 'true');
      await page.keyboard.press('Escape');
      assert.equal(await page.getByTestId('phone').inputValue(), '', 'Escape clears the form');
      await page.keyboard.press('r');
      assert.equal(await page.getByTestId('phone').inputValue(), '081-234-5678');
      assert.equal(await page.getByTestId('method-prompt_pay_local').getAttribute('aria-pressed'), 'true');
      assert.ok(await page.getByTestId('network-penguin').isDisabled());
      await page.getByTestId('recent-receipt').first().click();
      await page.getByTestId('receipt-modal').getByTestId('receipt-image').waitFor();
      await page.keyboard.press('Escape');
      assert.equal(await page.getByTestId('receipt-modal').count(), 0);
      await page.close();
    });
  });
}

test('problems stop selling: the red strip and a disabled sell button', async () => {
  const page = await openApp({
    lang: 'en',
    scenario: { ...COUNTER, problems: [{ code: 'ledger_unavailable', message: 'integrity_check: page 7 is corrupt' }] },
    ready: 'sale-form',
  });
  const strip = page.getByTestId('problems');
  assert.ok((await strip.textContent()).includes('The ledger failed its check; selling is paused'));
  assert.ok((await strip.textContent()).includes('integrity_check: page 7 is corrupt'), 'the detail is there for support');
  assert.ok(await page.getByTestId('sell').isDisabled());
  await page.keyboard.press('1');
  assert.equal(await page.getByTestId('network-ais').getAttribute('aria-pressed'), 'false', 'hotkeys do nothing while selling is paused');
  await shot(page, 'counter-problems-en');
  await page.close();
});

test('a cashier without an open shift opens one with a float first', async () => {
  const page = await openApp({ lang: 'th', scenario: { loggedIn: 'cashier-1' }, ready: 'open-shift' });
  assert.equal(await page.getByTestId('sale-form').count(), 0, 'no selling before the shift is open');
  await page.getByTestId('opening-float').fill('1,000.5x');
  await page.getByTestId('open-shift-submit').click();
  await page.getByTestId('float-typo').waitFor();
  assert.equal((await calls(page, 'open_shift')).length, 0);
  await page.getByTestId('opening-float').fill('1000');
  await page.getByTestId('open-shift-submit').click();
  await page.getByTestId('sale-form').waitFor();
  assert.deepEqual((await calls(page, 'open_shift')).map((call) => call.args), [{ request: { opening_float: '1000' } }]);
  assert.ok(await page.getByTestId('nav-close-shift').isVisible());
  await page.close();
});
