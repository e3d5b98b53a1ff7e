// The owner's settings over the fake backend: every field, secrets shown only as hints and sent
// only when changed, routing order, "test connection", and refusals by code — in Thai and English.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, shot, text } from './support.mjs';

const OWNER = { loggedIn: 'owner' };

/** The secrets the fake backend holds (fake-backend.ts STORED_SECRETS): none may reach the page. */
const SECRETS = ['wepay-secret-pass-9876', 'easysoft-secret-4321', 'tmweasy-secret-5555', 'deposit-secret-key-7777', 'SECRETPEM0042', 'secret-pass', 'secret-key'];

const words = {
  th: { ok: 'เชื่อมต่อได้ · ยอดเงินคงเหลือ ฿12,345.00', error: 'ติดต่อผู้ให้บริการไม่ได้ กรุณาลองใหม่', shiftOpen: 'เปลี่ยนการตั้งค่านี้ไม่ได้ระหว่างที่มีกะเปิดอยู่ กรุณาปิดกะก่อน', keyring: 'รหัสลับเก็บใน keyring ของระบบ' },
  en: { ok: 'Connected · Balance ฿12,345.00', error: 'The provider could not be reached; please try again', shiftOpen: 'This cannot change while a shift is open; close the shift first', keyring: 'Secrets are kept in the OS keyring' },
};

async function openSettings(page) {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-save').waitFor();
}

/** Everything the page holds: text, input values and attributes. */
async function pageContent(page) {
  return page.evaluate(() => {
    const values = [...document.querySelectorAll('input, textarea, select')].map((element) => element.value);
    const attributes = [...document.querySelectorAll('*')].flatMap((element) => [...element.attributes].map((attribute) => attribute.value));
    return [document.body.innerText, ...values, ...attributes].join('\n');
  });
}

for (const lang of ['th', 'en']) {
  const w = words[lang];
  describe(`settings in ${lang}`, () => {
    test('every field is shown; secrets only as hints, never the secret', async () => {
      const page = await openApp({ lang, scenario: OWNER, ready: 'dashboard' });
      await openSettings(page);
      assert.equal(await page.getByTestId('set-shop-name').inputValue(), 'ร้านเติมดี สาขาตลาด');
      assert.equal(await page.getByTestId('set-promptpay-id').inputValue(), '0812345678');
      assert.equal(await page.getByTestId('set-register-id').inputValue(), 'counter-1');
      assert.ok(await page.getByTestId('set-register-id').isDisabled(), 'the register id is not edited here');
      assert.equal(await page.getByTestId('set-register-name').inputValue(), 'เคาน์เตอร์ 1');
      assert.equal(await page.getByTestId('set-language').inputValue(), 'th');
      assert.equal(await page.getByTestId('set-qr-seconds').inputValue(), '300');
      assert.equal(await page.getByTestId('set-idle-seconds').inputValue(), '60');
      assert.equal(await page.getByTestId('set-low-balance').inputValue(), '1000', 'the alert shown in baht');
      assert.equal(await page.getByTestId('set-callback-listen').inputValue(), '0.0.0.0:8787');
      assert.equal(await page.getByTestId('set-public-url').inputValue(), 'https://shop.example/');
      assert.equal(await page.getByTestId('set-printer').inputValue(), 'tcp://192.168.1.50:9100');
      assert.equal(await page.getByTestId('set-paper').inputValue(), '384');
      assert.ok((await text(page, 'secret-store')).includes(w.keyring));
      assert.equal(await page.locator('[data-testid^="provider-"][data-testid$="-test"]').count(), 5, 'a test button per provider');

      assert.equal(await text(page, 'provider-wepay-password-hint'), '••••9876');
      assert.equal(await text(page, 'provider-deposit_qr-api_key-hint'), '••••7777');
      assert.equal(await page.getByTestId('provider-wepay-username').inputValue(), 'shop01');
      assert.equal(await page.getByTestId('provider-wepay-password-new').count(), 0, 'no input holds a secret until "change"');
      const content = await pageContent(page);
      for (const secret of SECRETS) assert.ok(!content.includes(secret), `the page never holds ${secret}`);
      await shot(page, `settings-${lang}`);
      await page.getByTestId('providers').scrollIntoViewIfNeeded();
      await shot(page, `settings-providers-${lang}`);
      await page.close();
    });

    test('saving sends secrets only when changed, the routing order, and the typed values', async () => {
      const page = await openApp({ lang, scenario: OWNER, ready: 'dashboard' });
      await openSettings(page);
      await page.getByTestId('set-register-name').fill('เคาน์เตอร์หน้า');
      await page.getByTestId('set-low-balance').fill('1,500.50');
      await page.getByTestId('set-qr-seconds').fill('180');
      await page.getByTestId('provider-easysoft-password-change').click();
      await page.getByTestId('provider-easysoft-password-new').fill('new-easy-pass');
      await page.getByTestId('provider-tmweasy-password-change').click();
      await page.getByTestId('provider-tmweasy-password-keep').click();
      await page.getByTestId('provider-deposit_qr-enabled').check();
      await page.getByTestId('set-hub-owner-token-change').click();
      await page.getByTestId('set-hub-owner-token-new').fill('tdo_owner-token-0042');
      await page.getByTestId('route-ais-easysoft-up').click();
      await page.getByTestId('route-feels-wepay-remove').click();
      await page.getByTestId('route-feels-easysoft-add').click();
      assert.ok(await page.getByTestId('route-ais-easysoft-up').isDisabled(), 'the first provider cannot move up');
      await page.getByTestId('settings-save').click();
      await page.getByTestId('settings-saved').waitFor();
      const update = await page.evaluate(() => window.__fake.lastSettingsUpdate);
      assert.equal(update.register_name, 'เคาน์เตอร์หน้า');
      assert.equal(update.low_balance_alert, 150050, 'baht typed, satang sent');
      assert.equal(update.qr_countdown_seconds, 180);
      assert.deepEqual(update.routing.find((route) => route.network === 'ais').providers, ['easysoft', 'wepay']);
      assert.deepEqual(update.routing.find((route) => route.network === 'feels').providers, ['easysoft']);
      const provider = (id) => update.providers.find((entry) => entry.provider === id);
      assert.deepEqual(provider('wepay').secrets, [['password', null]], 'an untouched secret is kept (null)');
      assert.deepEqual(provider('easysoft').secrets, [['password', 'new-easy-pass']]);
      assert.deepEqual(provider('tmweasy').secrets, [['password', null]], '"keep" after "change" keeps the stored secret');
      assert.equal(provider('deposit_qr').enabled, true);
      assert.deepEqual(provider('wepay').values, [['base_url', 'https://www.wepay.in.th/'], ['username', 'shop01']]);
      assert.equal(update.hub_token, null);
      assert.equal(update.hub_owner_token, 'tdo_owner-token-0042', 'the fleet view\'s owner token');
      assert.notEqual(await text(page, 'set-hub-owner-token-hint'), '', 'shown back as set, never as the token');
      assert.ok(!(await pageContent(page)).includes('tdo_owner-token-0042'));
      // The reply's hint replaces the typed secret: it is not kept in the page.
      assert.equal(await text(page, 'provider-easysoft-password-hint'), '••••pass');
      assert.ok(!(await pageContent(page)).includes('new-easy-pass'));
      await page.close();
    });

    test('test connection shows the balance, or the sentence for the error', async () => {
      const page = await openApp({ lang, scenario: OWNER, ready: 'dashboard' });
      await openSettings(page);
      await page.getByTestId('provider-wepay-test').click();
      assert.equal(await text(page, 'provider-wepay-test-ok'), `✓ ${w.ok}`);
      await page.getByTestId('provider-easysoft-test').click();
      const error = page.getByTestId('provider-easysoft-test-error');
      await error.waitFor();
      assert.equal(await error.getAttribute('data-code'), 'provider_unavailable');
      assert.ok((await error.textContent()).startsWith(w.error));
      assert.ok((await error.textContent()).includes('connection refused'), 'with the detail for support');
      await error.scrollIntoViewIfNeeded();
      await shot(page, `settings-test-${lang}`);
      await page.close();
    });

    test('a save refused while a shift is open says so; a bad number is caught before sending', async () => {
      const page = await openApp({ lang, scenario: { ...OWNER, shiftOpen: true }, ready: 'dashboard' });
      await openSettings(page);
      await page.getByTestId('set-idle-seconds').fill('sixty');
      await page.getByTestId('settings-save').click();
      await page.getByTestId('set-idle-seconds-problem').waitFor();
      assert.equal(await page.evaluate(() => window.__termdeeCalls.filter((call) => call.command === 'save_settings').length), 0);
      await page.getByTestId('set-idle-seconds').fill('90');
      await page.getByTestId('settings-save').click();
      const error = page.getByTestId('settings-error');
      await error.waitFor();
      assert.equal(await error.getAttribute('data-code'), 'shift_open');
      assert.ok((await error.textContent()).startsWith(w.shiftOpen));
      assert.equal(await page.getByTestId('settings-saved').count(), 0);
      await page.close();
    });
  });
}

test('a cashier has no settings or dashboard', async () => {
  const page = await openApp({ lang: 'th', scenario: { loggedIn: 'cashier-1', shiftOpen: true }, ready: 'sale-form' });
  assert.equal(await page.getByTestId('nav-settings').count(), 0);
  assert.equal(await page.getByTestId('nav-dashboard').count(), 0);
  await page.close();
});
