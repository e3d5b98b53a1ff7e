// The attention list (sales waiting for a person) and closing a shift with a blind count, in
// Thai and English.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { calls, fake, openApp, shot, text } from './support.mjs';

const words = {
  th: {
    unknown: 'ไม่ทราบผลการเติม: ตรวจกับผู้ให้บริการว่าเครดิตเข้าเบอร์ 089-111-2222 หรือไม่',
    refund: 'เติมไม่สำเร็จ: คืนเงินสด ฿100.00 ให้ลูกค้า',
    confirmRefund: 'คืนเงินสด ฿100.00 ให้ลูกค้าเบอร์ 062-333-4444 แล้วใช่ไหม?',
    confirmDelivered: 'ตรวจกับผู้ให้บริการแล้วว่าเครดิต ฿50.00 เข้าเบอร์ 089-111-2222 แล้วใช่ไหม?',
    noteRequired: 'กรุณากรอกบันทึกก่อน',
    empty: 'ไม่มีรายการค้าง',
    short: 'เงินขาด',
    over: 'เงินเกิน',
  },
  en: {
    unknown: 'Outcome unknown: check with the provider whether the credit reached 089-111-2222',
    refund: 'The top-up failed: hand back ฿100.00 in cash',
    confirmRefund: 'Did you hand back ฿100.00 in cash to the customer of 062-333-4444?',
    confirmDelivered: 'Checked with the provider that ฿50.00 of credit reached 089-111-2222?',
    noteRequired: 'Please write a note first',
    empty: 'Nothing waiting',
    short: 'Cash short',
    over: 'Cash over',
  },
};

const OWNER_ATTENTION = { loggedIn: 'owner', attentionSales: true };

for (const lang of ['th', 'en']) {
  const w = words[lang];
  describe(`attention list in ${lang}`, () => {
    test('each sale says what to do, with only the actions the backend allows', async () => {
      const page = await openApp({ lang, scenario: OWNER_ATTENTION, ready: 'dashboard' });
      assert.equal(await text(page, 'attention-badge'), '2', 'the top bar counts sales waiting for a person');
      await page.getByTestId('nav-attention').click();
      const items = page.getByTestId('attention-item');
      await items.first().waitFor();
      assert.deepEqual(await items.evaluateAll((all) => all.map((item) => item.dataset.state)), ['refund_due', 'needs_attention']);
      const sentences = await page.getByTestId('attention-sentence').allTextContents();
      assert.deepEqual(sentences, [w.refund, w.unknown]);
      const refundItem = items.nth(0);
      const unknownItem = items.nth(1);
      assert.deepEqual(await refundItem.locator('[data-testid^="action-"]').evaluateAll((all) => all.map((b) => b.dataset.testid)), ['action-mark_refunded']);
      assert.deepEqual(await unknownItem.locator('[data-testid^="action-"]').evaluateAll((all) => all.map((b) => b.dataset.testid)), [
        'action-check_again',
        'action-mark_delivered',
        'action-mark_not_delivered',
      ]);
      assert.ok((await unknownItem.getByTestId('attention-details').textContent()).includes('timeout after sending'), 'the English detail is there for support');
      await shot(page, `attention-${lang}`);
      await page.close();
    });

    test('a refund needs a note and a confirmation, and is recorded with who did it', async () => {
      const page = await openApp({ lang, scenario: OWNER_ATTENTION, ready: 'dashboard' });
      await page.getByTestId('nav-attention').click();
      const item = page.locator('[data-testid="attention-item"][data-state="refund_due"]');
      await item.getByTestId('action-mark_refunded').click();
      assert.equal(await item.getByTestId('note-required').textContent(), w.noteRequired);
      assert.equal(await page.getByTestId('confirm').count(), 0, 'no confirmation without a note');
      await item.getByTestId('resolution-note').fill('gave 100 baht back, customer signed');
      await item.getByTestId('action-mark_refunded').click();
      assert.equal(await text(page, 'confirm-question'), w.confirmRefund);
      await shot(page, `attention-confirm-${lang}`);
      await page.getByTestId('confirm-no').click();
      assert.equal((await calls(page, 'resolve_sale')).length, 0, 'backing out records nothing');
      await item.getByTestId('action-mark_refunded').click();
      await page.getByTestId('confirm-yes').click();
      await page.locator('[data-testid="attention-item"]').nth(0).and(page.locator('[data-state="needs_attention"]')).waitFor();
      assert.deepEqual((await calls(page, 'resolve_sale')).map((call) => call.args), [
        { resolution: { sale_id: 'S-0002', action: 'mark_refunded', note: 'gave 100 baht back, customer signed' } },
      ]);
      assert.deepEqual(await page.evaluate(() => window.__fake.resolutions.map((entry) => entry.by)), ['owner']);
      await page.getByTestId('attention-badge').filter({ hasText: '1' }).waitFor();
      await page.close();
    });

    test('an unknown outcome: check again, then mark delivered after checking', async () => {
      const page = await openApp({ lang, scenario: OWNER_ATTENTION, ready: 'dashboard' });
      await page.getByTestId('nav-attention').click();
      const item = page.locator('[data-testid="attention-item"][data-state="needs_attention"]');
      await item.getByTestId('action-check_again').click();
      await page.waitForFunction(() => window.__termdeeCalls.some((call) => call.command === 'check_again'));
      assert.deepEqual((await calls(page, 'check_again')).map((call) => call.args), [{ saleId: 'S-0001' }]);
      await item.getByTestId('resolution-note').fill('wePAY portal shows success, ref WP-1');
      await item.getByTestId('action-mark_delivered').click();
      assert.equal(await text(page, 'confirm-question'), w.confirmDelivered);
      await page.getByTestId('confirm-yes').click();
      await page.locator('[data-testid="attention-item"]').first().and(page.locator('[data-state="refund_due"]')).waitFor();
      assert.equal(await page.getByTestId('attention-item').count(), 1);
      assert.equal(await page.evaluate(() => window.__fake.sale('S-0001').state), 'completed');
      await page.close();
    });

    test('a refusal shows its sentence; the list is empty when nothing waits', async () => {
      const page = await openApp({
        lang,
        scenario: { ...OWNER_ATTENTION, failures: { resolve_sale: { code: 'not_permitted', message: 'cashier-1 may not settle sales of others' } } },
        ready: 'dashboard',
      });
      await page.getByTestId('nav-attention').click();
      const item = page.locator('[data-testid="attention-item"][data-state="refund_due"]');
      await item.getByTestId('resolution-note').fill('x');
      await item.getByTestId('action-mark_refunded').click();
      await page.getByTestId('confirm-yes').click();
      const error = item.getByTestId('action-error');
      await error.waitFor();
      assert.equal(await error.getAttribute('data-code'), 'not_permitted');
      await page.close();

      const empty = await openApp({ lang, scenario: { loggedIn: 'owner' }, ready: 'dashboard' });
      await empty.getByTestId('nav-attention').click();
      assert.equal(await text(empty, 'attention-empty'), w.empty);
      assert.equal(await empty.getByTestId('attention-badge').count(), 0);
      await empty.close();
    });
  });

  describe(`closing a shift in ${lang}`, () => {
    test('the count is blind: expected, counted and the variance only after', async () => {
      const page = await openApp({ lang, scenario: { loggedIn: 'cashier-1', shiftOpen: true }, ready: 'sale-form' });
      // One cash sale of 50 baht in the shift.
      await page.getByTestId('network-ais').click();
      await page.getByTestId('phone').fill('0812345678');
      await page.getByTestId('amount').fill('50');
      await page.getByTestId('sell').click();
      await page.getByTestId('confirm-payment').click();
      await page.locator('[data-testid="sale-panel"][data-state="paid"]').waitFor();
      await fake(page, 'startTopup');
      await fake(page, 'finish', undefined, 'completed');

      await page.getByTestId('nav-close-shift').click();
      await page.getByTestId('close-shift').waitFor();
      const before = await page.getByTestId('close-shift').textContent();
      assert.ok(!before.includes('1,050.00'), 'the expected cash is not shown before the count');
      await shot(page, `close-shift-${lang}`);
      await page.getByTestId('counted-cash').fill('1,040');
      await page.getByTestId('close-shift-submit').click();
      await page.getByTestId('shift-closed').waitFor();
      assert.deepEqual((await calls(page, 'close_shift')).map((call) => call.args), [{ request: { counted_cash: '1,040' } }]);
      assert.equal(await text(page, 'closed-float'), '฿1,000.00');
      assert.equal(await text(page, 'closed-cash-sales'), '฿50.00');
      assert.equal(await text(page, 'closed-expected'), '฿1,050.00');
      assert.equal(await text(page, 'closed-counted'), '฿1,040.00');
      assert.equal(await text(page, 'closed-variance'), `-฿10.00 · ${w.short}`);
      assert.equal(await page.getByTestId('closed-variance').getAttribute('data-look'), 'short');
      const colour = await page.getByTestId('closed-variance').evaluate((element) => getComputedStyle(element).color);
      assert.equal(colour, 'rgb(180, 35, 24)', 'cash missing is shown in red');
      await shot(page, `shift-closed-${lang}`);
      await page.getByTestId('shift-closed-done').click();
      await page.getByTestId('open-shift').waitFor();
      await page.close();
    });

    test('counting more than expected shows the surplus; a typo is caught before sending', async () => {
      const page = await openApp({ lang, scenario: { loggedIn: 'cashier-1', shiftOpen: true }, ready: 'sale-form' });
      await page.getByTestId('nav-close-shift').click();
      await page.getByTestId('counted-cash').fill('abc');
      await page.getByTestId('close-shift-submit').click();
      await page.getByTestId('count-typo').waitFor();
      assert.equal((await calls(page, 'close_shift')).length, 0);
      await page.getByTestId('counted-cash').fill('1020.50');
      await page.getByTestId('close-shift-submit').click();
      await page.getByTestId('shift-closed').waitFor();
      assert.equal(await text(page, 'closed-variance'), `+฿20.50 · ${w.over}`);
      assert.equal(await page.getByTestId('closed-variance').getAttribute('data-look'), 'over');
      await page.close();
    });
  });
}
