// The real app end to end, in demo mode on the built-in simulators: a cashier's cash sale, a
// kiosk QR sale paid by the simulated customer, a QR that expires, and a failed top-up that
// ends as a refund handed back — each checked on screen and in the ledger.
// One app at a time: without a window manager, windows stack at the same place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { By } from 'selenium-webdriver';
import {
  OWNER_PIN, byTestId, click, fill, firstStart, ledgerSale, openShift, pressPin, screenshot,
  startApp, waitAttribute,
} from './app.mjs';

const CASHIER_PIN = '1357';

async function saleId(session) {
  return (await byTestId(session, 'sale-panel')).getAttribute('data-sale-id');
}

/** Types a counter sale and presses sell. */
async function counterSale(session, { network, phone, baht, method }) {
  await click(session, `network-${network}`);
  await fill(session, 'phone', phone);
  await fill(session, 'amount', baht);
  await click(session, `method-${method}`);
  await click(session, 'sell');
  await byTestId(session, 'sale-panel');
}

test('a cashier sells credit for cash: the top-up completes and the ledger has it under the cashier', async () => {
  const app = await startApp();
  const { session } = app;
  try {
    await firstStart(session);
    await byTestId(session, 'demo-banner');
    screenshot('1-first-start-done');
    // The owner adds a cashier, then logs out.
    await click(session, 'nav-dashboard');
    await click(session, 'dash-operators');
    await click(session, 'operator-add');
    await fill(session, 'operator-id', 'cashier-1');
    await fill(session, 'operator-name', 'มาลี');
    await (await byTestId(session, 'operator-role')).findElement(By.css('option[value="cashier"]')).click();
    await fill(session, 'operator-pin', CASHIER_PIN);
    await click(session, 'operator-save');
    await byTestId(session, 'operator-row');
    await click(session, 'logout');
    await click(session, 'login-operator-cashier-1');
    await pressPin(session, 'pin', CASHIER_PIN);
    await openShift(session, '1000');
    await counterSale(session, { network: 'ais', phone: '0812345678', baht: '50', method: 'cash' });
    const id = await saleId(session);
    await waitAttribute(session, 'sale-panel', 'data-state', 'awaiting_payment');
    screenshot('2-counter-cash');
    await click(session, 'confirm-payment');
    await waitAttribute(session, 'sale-panel', 'data-state', 'completed');
    screenshot('3-counter-done');

    const sale = ledgerSale(app.dataDir, id);
    assert.equal(sale.state, 'completed');
    assert.equal(sale.operator_id, 'cashier-1');
    assert.equal(sale.method, 'cash');
    assert.equal(sale.received, 5000);
    assert.equal(sale.delivered, 5000);
    assert.ok(sale.shift_id, 'the sale belongs to the open shift');
    assert.ok(sale.events.some((e) => e.kind === 'payment_received' && e.actor_id === 'cashier-1'), 'the cashier took the cash');
    assert.ok(sale.topups.some((t) => t.state === 'succeeded'));
  } finally {
    await app.stop();
  }
});

test('a kiosk QR sale is paid by the simulated customer and topped up', async () => {
  const app = await startApp();
  const { session } = app;
  try {
    await firstStart(session);
    await click(session, 'nav-dashboard');
    await click(session, 'dash-kiosk');
    await click(session, 'enter-kiosk');
    await click(session, 'enter-kiosk-confirm-yes');
    await waitAttribute(session, 'kiosk', 'data-step', 'attract');
    screenshot('4-kiosk-attract');
    await click(session, 'kiosk-start');
    await click(session, 'kiosk-network-dtac');
    for (const round of [1, 2]) {
      for (const digit of '0891234567') await click(session, `kiosk-key-${digit}`);
      await click(session, 'kiosk-number-next');
      if (round === 1) await waitAttribute(session, 'kiosk', 'data-step', 'confirm');
    }
    await click(session, 'kiosk-amount-20');
    const pay = await byTestId(session, 'kiosk-pay', 30_000);
    await byTestId(session, 'qr-image');
    const saleIdOnScreen = await pay.getAttribute('data-sale-id');
    screenshot('5-kiosk-qr');
    await click(session, 'demo-pay');
    await waitAttribute(session, 'kiosk-result', 'data-look', 'ok', 30_000);
    screenshot('6-kiosk-done');

    const sale = ledgerSale(app.dataDir, saleIdOnScreen);
    assert.equal(sale.state, 'completed');
    assert.notEqual(sale.method, 'cash', 'a kiosk takes QR payments only');
    assert.equal(sale.received, 2000);
    assert.equal(sale.delivered, 2000);
    assert.ok(sale.events.some((e) => e.actor_kind === 'kiosk'), 'the kiosk started it');
  } finally {
    await app.stop();
  }
});

test('a kiosk QR that is not paid in time expires and nothing is taken', async () => {
  const app = await startApp({ TERMDEE_QR_COUNTDOWN_SECONDS: '5' });
  const { session } = app;
  try {
    await firstStart(session);
    await click(session, 'nav-dashboard');
    await click(session, 'dash-kiosk');
    await click(session, 'enter-kiosk');
    await click(session, 'enter-kiosk-confirm-yes');
    await click(session, 'kiosk-start');
    await click(session, 'kiosk-network-ais');
    for (const round of [1, 2]) {
      for (const digit of '0812345678') await click(session, `kiosk-key-${digit}`);
      await click(session, 'kiosk-number-next');
      if (round === 1) await waitAttribute(session, 'kiosk', 'data-step', 'confirm');
    }
    await click(session, 'kiosk-amount-10');
    const pay = await byTestId(session, 'kiosk-pay', 30_000);
    const id = await pay.getAttribute('data-sale-id');
    await waitAttribute(session, 'kiosk-result', 'data-look', 'nothing', 30_000);
    screenshot('7-kiosk-expired');

    const sale = ledgerSale(app.dataDir, id);
    assert.equal(sale.state, 'payment_expired');
    assert.equal(sale.received, 0);
    assert.ok(sale.payments.every((p) => p.state === 'expired'), JSON.stringify(sale.payments));
  } finally {
    await app.stop();
  }
});

test('a failed top-up ends as refund due, and the owner hands the money back', async () => {
  const app = await startApp();
  const { session } = app;
  try {
    await firstStart(session);
    // The owner lands on the dashboard; selling is one tab away.
    await click(session, 'nav-sell');
    await openShift(session, '500');
    // The simulators fail every top-up to a number ending in 0004.
    await counterSale(session, { network: 'true_move', phone: '0812340004', baht: '50', method: 'cash' });
    const id = await saleId(session);
    await click(session, 'confirm-payment');
    await waitAttribute(session, 'sale-panel', 'data-state', 'refund_due');
    screenshot('8-refund-due');
    assert.equal(ledgerSale(app.dataDir, id).state, 'refund_due');

    await click(session, 'nav-attention');
    await waitAttribute(session, 'attention-item', 'data-sale-id', id);
    await fill(session, 'resolution-note', 'คืนเงินสด 50 บาท');
    screenshot('9-attention');
    await click(session, 'action-mark_refunded');
    await click(session, 'confirm-yes');
    await session.wait(async () => ledgerSale(app.dataDir, id).state === 'refunded', 15_000);
    const sale = ledgerSale(app.dataDir, id);
    assert.equal(sale.refunded, 5000);
    assert.equal(sale.delivered, 0);
    assert.ok(
      sale.events.some((e) => e.kind === 'refunded' && e.actor_kind === 'owner' && e.detail.includes('คืนเงินสด')),
      'the refund is recorded with who did it and their note',
    );
  } finally {
    await app.stop();
  }
});

test('the owner screens: dashboard, settings without secrets, receipt preview (screenshots)', async () => {
  const app = await startApp();
  const { session } = app;
  try {
    await firstStart(session);
    // The owner lands on the dashboard; selling is one tab away.
    await click(session, 'nav-sell');
    await openShift(session, '500');
    await counterSale(session, { network: 'ais', phone: '0812345678', baht: '100', method: 'cash' });
    await click(session, 'confirm-payment');
    await waitAttribute(session, 'sale-panel', 'data-state', 'completed');
    await byTestId(session, 'receipt-image', 20_000);
    screenshot('10-receipt');
    await click(session, 'nav-dashboard');
    await byTestId(session, 'report-table', 20_000);
    screenshot('11-dashboard');
    // The CSV export lands as a file the owner is told about (TERMDEE_DATA_DIR/exports here).
    await click(session, 'report-csv');
    const saved = await (await byTestId(session, 'csv-saved')).getText();
    const files = readdirSync(join(app.dataDir, 'exports'));
    assert.equal(files.length, 1, JSON.stringify(files));
    assert.ok(saved.includes(files[0]), `${saved} names ${files[0]}`);
    const csv = readFileSync(join(app.dataDir, 'exports', files[0]), 'utf8');
    assert.ok(csv.split('\n').some((line) => line.includes('owner') && line.includes('100.00')), csv);
    await click(session, 'nav-settings');
    await byTestId(session, 'providers', 20_000);
    screenshot('12-settings');
    const page = await session.getPageSource();
    assert.ok(!page.includes('demo1234'), 'no provider secret reaches the screen');
  } finally {
    await app.stop();
  }
});
