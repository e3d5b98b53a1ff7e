// The owner's dashboard over the fake backend: the report (Buddhist-era dates in Thai, common era
// in English, presets, breakdowns, totals, the chart, CSV), provider balances, reconciliation,
// operators, the print queue and entering kiosk mode — in Thai and English.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { calls, openApp, shot, text } from './support.mjs';

const OWNER = { loggedIn: 'owner' };

const words = {
  th: {
    today: '27 พ.ย. 2569',
    week: '21 พ.ย. 2569 – 27 พ.ย. 2569',
    month: '1 พ.ย. 2569 – 27 พ.ย. 2569',
    yesterday: '26 พ.ย. 2569',
    chartLabel: '21 พ.ย.',
    operatorHeader: 'ผู้ขาย',
    networkHeader: 'เครือข่าย',
    total: 'รวม',
    low: 'ยอดเงินต่ำ: เติมเงินเข้าบัญชีผู้ให้บริการ',
    differences: 'พบ 2 รายการไม่ตรงกัน',
    allMatch: 'ตรงกันทุกรายการ',
    invalidPin: 'รหัส PIN ต้องเป็นตัวเลข 4 ถึง 8 หลัก',
    failed: 'พิมพ์ไม่สำเร็จ',
    queued: 'รอพิมพ์',
    invalidDay: 'วันที่ไม่ถูกต้อง',
    silent: 'ขาดการติดต่อ',
    refused: 'ปฏิเสธ 1',
    never: 'ยังไม่ได้เชื่อมต่อศูนย์กลางร้าน',
    hubDown: 'ติดต่อศูนย์กลางร้านไม่ได้',
  },
  en: {
    today: '27 Nov 2026',
    week: '21 Nov 2026 – 27 Nov 2026',
    month: '1 Nov 2026 – 27 Nov 2026',
    yesterday: '26 Nov 2026',
    chartLabel: '21 Nov',
    operatorHeader: 'Operator',
    networkHeader: 'Network',
    total: 'Total',
    low: 'Low balance: top up your provider wallet',
    differences: '2 differences',
    allMatch: 'Everything matches',
    invalidPin: 'The PIN must be 4 to 8 digits',
    failed: 'Failed',
    queued: 'Queued',
    invalidDay: 'Invalid date or date range',
    silent: 'Not heard from',
    refused: '1 refused',
    never: 'No fleet hub yet',
    hubDown: 'The fleet hub could not be reached',
  },
};

async function lastReport(page) {
  const list = await calls(page, 'report');
  return list.at(-1)?.args.request;
}

for (const lang of ['th', 'en']) {
  const w = words[lang];
  describe(`dashboard in ${lang}`, () => {
    test("the report opens on today's per-operator totals, dates in the shop's era", async () => {
      const page = await openApp({ lang, scenario: OWNER, ready: 'report-table' });
      assert.deepEqual(await lastReport(page), { from: '2026-11-27', to: '2026-11-27', by: 'operator' });
      assert.equal(await text(page, 'report-range'), w.today);
      assert.equal(await text(page, 'report-from-text'), w.today, 'the picked day is echoed in the era of the language');
      const header = await page.getByTestId('report-table').locator('thead th').first().textContent();
      assert.equal(header, w.operatorHeader);
      const keys = await page.getByTestId('report-row').evaluateAll((rows) => rows.map((row) => row.dataset.key));
      assert.deepEqual(keys, ['cashier-1', 'kiosk-1', 'owner']);
      assert.ok((await page.getByTestId('report-row').first().locator('th').textContent()).startsWith('มาลี'), "operators by name (the owner's list)");
      // The total line adds the rows up (checked on the satang the table shows).
      const column = (selector, col) =>
        page.locator(selector).evaluateAll((rows, name) => rows.map((row) => Number(row.querySelector(`[data-col="${name}"]`).dataset.satang)), col);
      for (const col of ['completed', 'refunded', 'refund_due', 'needs_attention', 'cost', 'margin']) {
        const rows = await column('[data-testid="report-row"]', col);
        const [total] = await column('[data-testid="report-total"]', col);
        assert.equal(total, rows.reduce((sum, value) => sum + value, 0), `the total of ${col}`);
      }
      assert.ok((await page.getByTestId('report-total').locator('th').textContent()).startsWith(w.total));
      const completed = await page.getByTestId('report-total').locator('[data-col="completed"] .cell-amount').textContent();
      assert.match(completed, /^\d{1,3}(,\d{3})*\.\d{2}$/, 'amounts formatted as baht with satang');
      assert.equal(await page.getByTestId('chart-bar').count(), 1, 'one bar for one day');
      await shot(page, `dashboard-${lang}`);
      await page.close();
    });

    test('presets, the network breakdown and a chart bar per day', async () => {
      const page = await openApp({ lang, scenario: OWNER, ready: 'report-table' });
      await page.getByTestId('preset-week').click();
      await page.getByTestId('report-range').filter({ hasText: w.week }).waitFor();
      assert.deepEqual(await lastReport(page), { from: '2026-11-21', to: '2026-11-27', by: 'operator' });
      const bars = page.getByTestId('chart-bar');
      assert.equal(await bars.count(), 7);
      assert.deepEqual(await bars.evaluateAll((all) => all.map((bar) => bar.dataset.day)).then((days) => [days[0], days[6]]), ['2026-11-21', '2026-11-27']);
      const heights = await bars.locator('rect').evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('height'))));
      const amounts = await bars.evaluateAll((all) => all.map((bar) => Number(bar.dataset.satang)));
      const tallest = amounts.indexOf(Math.max(...amounts));
      assert.equal(heights[tallest], Math.max(...heights), 'the biggest day has the tallest bar');
      assert.ok(heights.every((height) => height > 0));
      assert.equal(await bars.first().locator('text.chart-label').textContent(), w.chartLabel);
      await page.getByTestId('report-by-network').click();
      await page.waitForFunction(() => window.__termdeeCalls.filter((call) => call.command === 'report').at(-1).args.request.by === 'network');
      await page.getByTestId('report-table').locator('thead th').first().filter({ hasText: w.networkHeader }).waitFor();
      assert.deepEqual(await page.getByTestId('report-row').locator('th').allTextContents(), ['AIS', 'dtac', 'TrueMove H']);
      await shot(page, `dashboard-week-${lang}`);
      await page.getByTestId('preset-month').click();
      await page.getByTestId('report-range').filter({ hasText: w.month }).waitFor();
      await page.getByTestId('preset-yesterday').click();
      await page.getByTestId('report-range').filter({ hasText: w.yesterday }).waitFor();
      assert.deepEqual(await lastReport(page), { from: '2026-11-26', to: '2026-11-26', by: 'network' });
      await page.getByTestId('report-by-provider').click();
      await page.getByTestId('report-row').first().waitFor();
      assert.equal(await page.getByTestId('report-row').last().locator('th').textContent(), '—', 'a sale with no provider is shown as a dash');
      await page.close();
    });

    test('dates picked by hand; a range ending before it starts is refused with its sentence', async () => {
      const page = await openApp({ lang, scenario: OWNER, ready: 'report-table' });
      await page.getByTestId('report-from').fill('2026-11-10');
      await page.getByTestId('report-to').fill('2026-11-03');
      await page.getByTestId('report-show').click();
      const error = page.getByTestId('report-error');
      await error.waitFor();
      assert.equal(await error.getAttribute('data-code'), 'invalid_day');
      assert.ok((await error.textContent()).startsWith(w.invalidDay));
      await page.close();
    });

    test('CSV export saves the backend CSV as a file and says where', async () => {
      const page = await openApp({ lang, scenario: OWNER, ready: 'report-table' });
      await page.getByTestId('report-csv').click();
      const saved = page.getByTestId('csv-saved');
      await saved.waitFor();
      const path = '/home/owner/Downloads/termdee-operator-2026-11-27-2026-11-27.csv';
      assert.ok((await saved.textContent()).includes(path), 'the owner is told where the file is');
      const written = await page.evaluate((p) => window.__fake.savedFiles[p], path);
      const expected = await page.evaluate(() => window.__fake.handle('report_csv', { request: { from: '2026-11-27', to: '2026-11-27', by: 'operator' } }));
      assert.equal(written, expected, 'the file is exactly the report as CSV');
      assert.ok(written.startsWith('key,sales,'));
      await page.close();
    });

    test('the fleet: every register\'s health, the silent one flagged, and the report over every register', async () => {
      const page = await openApp({ lang, scenario: { ...OWNER, fleet: true }, ready: 'dashboard' });
      await page.getByTestId('dash-fleet').click();
      await page.getByTestId('fleet-table').waitFor();
      const registers = page.getByTestId('fleet-register');
      assert.deepEqual(await registers.evaluateAll((all) => all.map((row) => `${row.dataset.register}:${row.dataset.silent}`)), [
        'counter-1:false',
        'kiosk-1:false',
        'kiosk-7:true',
      ]);
      const kiosk7 = page.locator('[data-register="kiosk-7"]');
      assert.equal(await kiosk7.getByTestId('fleet-silent').textContent(), w.silent);
      assert.equal(await kiosk7.locator('[data-col="backlog"]').textContent(), '41');
      const kiosk1 = page.locator('[data-register="kiosk-1"]');
      assert.equal(await kiosk1.getByTestId('fleet-refused').textContent(), w.refused);
      assert.equal(await kiosk1.getByTestId('fleet-balance-easysoft').getAttribute('data-low'), 'true');
      assert.equal(await kiosk1.locator('[data-col="unresolved"]').textContent(), '2');
      assert.equal(await page.getByTestId('fleet-silent').count(), 1, 'only the register that went dark');

      // The fleet report: the hub's lines, named by the hub's labels.
      const report = page.locator('[data-source="fleet"]');
      await report.getByTestId('report-table').waitFor();
      assert.deepEqual((await calls(page, 'fleet_report')).at(-1).args.request, { from: '2026-11-27', to: '2026-11-27', by: 'operator' });
      assert.ok((await report.getByTestId('report-row').first().locator('th').textContent()).startsWith('สมชาย (cashier-1)'));
      await shot(page, `fleet-${lang}`);
      await report.getByTestId('report-by-register').click();
      await report.locator('[data-testid="report-row"][data-key="kiosk-7"]').waitFor();
      assert.equal(await report.locator('[data-testid="report-row"][data-key="kiosk-7"] th').textContent(), 'ตู้สาขา 2 (kiosk-7)');
      const column = (selector) => report.locator(selector).evaluateAll((rows) => rows.map((row) => Number(row.querySelector('[data-col="completed"]').dataset.satang)));
      const [total] = await column('[data-testid="report-total"]');
      assert.equal(total, (await column('[data-testid="report-row"]')).reduce((sum, value) => sum + value, 0));
      await report.getByTestId('report-csv').click();
      await report.getByTestId('csv-saved').waitFor();
      assert.ok((await report.getByTestId('csv-saved').textContent()).includes('termdee-fleet-register-2026-11-27-2026-11-27.csv'));
      assert.equal((await calls(page, 'save_report_csv')).length, 0, 'the fleet CSV comes from the hub, not this ledger');
      await page.close();
    });

    test('the fleet panel says what to set up without a hub, and says when the hub is down', async () => {
      const page = await openApp({ lang, scenario: OWNER, ready: 'dashboard' });
      await page.getByTestId('dash-fleet').click();
      const notSetUp = page.getByTestId('fleet-not-set-up');
      await notSetUp.waitFor();
      assert.equal(await notSetUp.getByTestId('fleet-error').getAttribute('data-code'), 'fleet_not_set_up');
      assert.ok((await notSetUp.textContent()).includes(w.never));
      assert.equal(await page.getByTestId('report-table').count(), 0, 'no empty table pretending to be a fleet');
      await page.close();

      const down = { code: 'hub_unavailable', message: 'hub unreachable: connection refused' };
      const offline = await openApp({ lang, scenario: { ...OWNER, fleet: true, failures: { fleet_health: down, fleet_report: down } }, ready: 'dashboard' });
      await offline.getByTestId('dash-fleet').click();
      const error = offline.getByTestId('fleet-error');
      await error.waitFor();
      assert.equal(await error.getAttribute('data-code'), 'hub_unavailable');
      assert.ok((await error.textContent()).startsWith(w.hubDown));
      await offline.getByTestId('report-error').waitFor();
      assert.equal(await offline.getByTestId('fleet-table').count(), 0);
      await offline.close();
    });

    test('provider balances with the low-balance alert and Easysoft network status', async () => {
      const page = await openApp({ lang, scenario: OWNER, ready: 'dashboard' });
      await page.getByTestId('dash-balances').click();
      await page.getByTestId('balance-wepay').waitFor();
      assert.equal(await text(page, 'balance-wepay-amount'), '฿12,345.00');
      assert.equal(await page.getByTestId('balance-wepay-low').count(), 0);
      assert.equal(await page.getByTestId('balance-easysoft').getAttribute('data-low'), 'true');
      assert.ok((await text(page, 'balance-easysoft-low')).endsWith(w.low));
      const statuses = await page.getByTestId('balance-easysoft-networks').locator('[data-online]').evaluateAll((all) => all.map((chip) => `${chip.dataset.testid}=${chip.dataset.online}`));
      assert.deepEqual(statuses, ['network-status-ais=true', 'network-status-dtac=true', 'network-status-true_move=false', 'network-status-my=true']);
      await shot(page, `balances-${lang}`);
      await page.close();
    });

    test('reconciliation of a day lists every difference', async () => {
      const page = await openApp({ lang, scenario: OWNER, ready: 'dashboard' });
      await page.getByTestId('dash-reconcile').click();
      assert.equal(await text(page, 'reconcile-day-text'), w.today);
      await page.getByTestId('reconcile-run').click();
      await page.getByTestId('reconcile-wepay').waitFor();
      assert.deepEqual((await calls(page, 'reconcile')).map((call) => call.args), [{ day: '2026-11-27' }]);
      assert.ok((await text(page, 'reconcile-wepay-verdict')).includes(w.differences));
      assert.ok((await text(page, 'reconcile-easysoft-verdict')).includes(w.allMatch));
      const rows = page.getByTestId('reconcile-difference');
      assert.deepEqual(await rows.evaluateAll((all) => all.map((row) => row.dataset.saleId)), ['S-0031', 'S-0037']);
      assert.ok((await rows.first().textContent()).includes('needs_attention'));
      assert.ok((await rows.first().textContent()).includes('TDS0031'));
      await shot(page, `reconcile-${lang}`);
      await page.close();
    });

    test('operators: add with a role and PIN, refuse a bad PIN, unlock, edit', async () => {
      const page = await openApp({ lang, scenario: OWNER, ready: 'dashboard' });
      await page.getByTestId('dash-operators').click();
      await page.getByTestId('operator-row').first().waitFor();
      assert.equal(await page.getByTestId('operator-row').count(), 4);
      await page.getByTestId('operator-add').click();
      await page.getByTestId('operator-id').fill('cashier-3');
      await page.getByTestId('operator-name').fill('ต้อม');
      await page.getByTestId('operator-role').selectOption('cashier');
      await page.getByTestId('operator-pin').fill('12');
      await page.getByTestId('operator-save').click();
      const error = page.getByTestId('operator-error');
      await error.waitFor();
      assert.ok((await error.textContent()).startsWith(w.invalidPin));
      await page.getByTestId('operator-pin').fill('5678');
      await page.getByTestId('operator-save').click();
      await page.locator('[data-testid="operator-row"][data-operator-id="cashier-3"]').waitFor();
      assert.deepEqual((await calls(page, 'save_operator')).at(-1).args, {
        update: { id: 'cashier-3', name: 'ต้อม', role: 'cashier', pin: '5678', active: true },
      });

      const locked = page.locator('[data-testid="operator-row"][data-operator-id="cashier-2"]');
      await locked.getByTestId('operator-unlock').click();
      await locked.getByTestId('operator-unlock').waitFor({ state: 'detached' });
      assert.deepEqual((await calls(page, 'unlock_operator')).map((call) => call.args), [{ operatorId: 'cashier-2' }]);

      await page.locator('[data-testid="operator-row"][data-operator-id="cashier-1"]').getByTestId('operator-edit').click();
      assert.ok(await page.getByTestId('operator-id').isDisabled(), 'an id does not change');
      await page.getByTestId('operator-active').uncheck();
      await page.getByTestId('operator-save').click();
      await page.getByTestId('operator-form').waitFor({ state: 'detached' });
      assert.deepEqual((await calls(page, 'save_operator')).at(-1).args, {
        update: { id: 'cashier-1', name: 'มาลี', role: 'cashier', pin: null, active: false },
      });
      await shot(page, `operators-${lang}`);
      await page.close();
    });

    test('the print queue: failed jobs with their error and a retry; a test page', async () => {
      const page = await openApp({ lang, scenario: OWNER, ready: 'dashboard' });
      await page.getByTestId('dash-printer').click();
      const failed = page.locator('[data-testid="print-job-row"][data-state="failed"]');
      await failed.waitFor();
      assert.ok((await failed.textContent()).includes('printer off (connection refused)'));
      assert.ok((await failed.textContent()).includes(w.failed));
      await shot(page, `print-queue-${lang}`);
      await failed.getByTestId('print-retry').click();
      await page.locator('[data-testid="print-job-row"][data-job-id="1"][data-state="queued"]').waitFor();
      assert.deepEqual((await calls(page, 'retry_print')).map((call) => call.args), [{ jobId: 1 }]);
      await page.getByTestId('print-test-page').click();
      await page.locator('[data-testid="print-job-row"][data-job-id="3"]').waitFor();
      assert.equal((await calls(page, 'print_test_page')).length, 1);
      await page.close();
    });
  });
}

test('entering kiosk mode asks first, then the machine becomes a kiosk', async () => {
  const page = await openApp({ lang: 'th', scenario: OWNER, ready: 'dashboard' });
  await page.getByTestId('dash-kiosk').click();
  await page.getByTestId('enter-kiosk').click();
  await page.getByTestId('enter-kiosk-confirm-no').click();
  assert.equal((await calls(page, 'enter_kiosk')).length, 0);
  await page.getByTestId('enter-kiosk').click();
  await page.getByTestId('enter-kiosk-confirm-yes').click();
  await page.getByTestId('kiosk').waitFor();
  assert.equal((await calls(page, 'enter_kiosk')).length, 1);
  await page.close();
});
