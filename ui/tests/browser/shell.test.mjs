// The shell: first start, login with the PIN pad, the top bar, language, and the sentence for
// every error code, in Thai and English. Also the small formatters (dates in the Buddhist era,
// money, phone numbers), run in the browser from the real modules.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { calls, logIn, openApp, shot, text } from './support.mjs';

const words = {
  th: {
    setupTitle: 'เริ่มใช้งานเติมดี',
    pinsDiffer: 'PIN ทั้งสองช่องไม่ตรงกัน',
    invalidPin: 'รหัส PIN ต้องเป็นตัวเลข 4 ถึง 8 หลัก',
    wrongPin: 'รหัส PIN ไม่ถูกต้อง',
    locked: 'ใส่ PIN ผิดหลายครั้ง บัญชีถูกล็อกชั่วคราว กรุณาให้เจ้าของร้านปลดล็อก',
    loginTitle: 'ใครกำลังใช้งาน?',
    cashier: 'มาลี · พนักงานขาย',
    toggle: 'English',
  },
  en: {
    setupTitle: 'Welcome to Termdee',
    pinsDiffer: 'The two PINs do not match',
    invalidPin: 'The PIN must be 4 to 8 digits',
    wrongPin: 'Wrong PIN',
    locked: 'Too many wrong PINs: the account is locked for a while; ask the owner to unlock it',
    loginTitle: "Who's working?",
    cashier: 'มาลี · Cashier',
    toggle: 'ภาษาไทย',
  },
};

for (const lang of ['th', 'en']) {
  const w = words[lang];
  describe(`shell in ${lang}`, () => {
    test('first start creates the owner: no default PIN, the PIN typed twice must match', async () => {
      const page = await openApp({ lang, scenario: { setupNeeded: true }, ready: 'setup' });
      assert.ok((await text(page, 'setup')).startsWith(w.setupTitle));
      await shot(page, `setup-${lang}`);
      await page.getByTestId('setup-name').fill('สมชาย');
      await page.getByTestId('setup-shop').fill('ร้านเติมดี');
      await page.getByTestId('setup-pin').fill('12');
      await page.getByTestId('setup-submit').click();
      assert.equal(await text(page, 'setup-error-pin'), w.invalidPin);
      await page.getByTestId('setup-pin').fill('4321');
      await page.getByTestId('setup-pin-again').fill('4322');
      await page.getByTestId('setup-submit').click();
      assert.equal(await text(page, 'setup-error-pinAgain'), w.pinsDiffer);
      assert.equal((await calls(page, 'setup_owner')).length, 0, 'nothing sent while the PINs differ');
      await page.getByTestId('setup-pin-again').fill('4321');
      await page.getByTestId('setup-submit').click();
      await page.getByTestId('dashboard').waitFor();
      assert.deepEqual((await calls(page, 'setup_owner')).map((call) => call.args), [
        { setup: { name: 'สมชาย', shop_name: 'ร้านเติมดี', pin: '4321' } },
      ]);
      assert.equal(await text(page, 'shop-name'), 'ร้านเติมดี');
      await page.close();
    });

    test('login: operator buttons, PIN pad by touch, a wrong PIN says so and empties the pad', async () => {
      const page = await openApp({ lang, scenario: {}, ready: 'login' });
      assert.ok((await text(page, 'login')).startsWith(w.loginTitle));
      const buttons = await page.locator('[data-testid^="login-operator-"]').evaluateAll((all) => all.map((b) => b.dataset.testid));
      assert.deepEqual(buttons, ['login-operator-owner', 'login-operator-cashier-1', 'login-operator-cashier-2'], 'the kiosk account is not offered');
      await shot(page, `login-${lang}`);
      await page.getByTestId('login-operator-cashier-1').click();
      for (const digit of '2461') await page.getByTestId(`pin-key-${digit}`).click();
      assert.equal(await page.getByTestId('pin-dots').getAttribute('data-length'), '4', 'the PIN shows as dots');
      assert.ok(!(await page.getByTestId('login-pin').textContent()).includes('2461'), 'the digits themselves are never shown');
      await page.getByTestId('pin-ok').click();
      const error = page.getByTestId('login-error');
      await error.waitFor();
      assert.equal(await error.getAttribute('data-code'), 'wrong_pin');
      assert.ok((await error.textContent()).startsWith(w.wrongPin));
      assert.equal(await page.getByTestId('pin-dots').getAttribute('data-length'), '0', 'a wrong PIN empties the pad');
      await shot(page, `login-wrong-${lang}`);
      // The keyboard works too, Backspace included.
      await page.keyboard.type('24689');
      await page.keyboard.press('Backspace');
      await page.keyboard.press('Enter');
      await page.getByTestId('open-shift').waitFor();
      assert.equal(await text(page, 'operator-chip'), w.cashier);
      assert.deepEqual((await calls(page, 'login')).map((call) => call.args.request), [
        { operator_id: 'cashier-1', pin: '2461' },
        { operator_id: 'cashier-1', pin: '2468' },
      ]);
      await page.getByTestId('logout').click();
      await page.getByTestId('login').waitFor();
      await page.close();
    });

    test('a locked account says who can unlock it; three wrong PINs lock an account', async () => {
      const page = await openApp({ lang, scenario: {}, ready: 'login' });
      await logIn(page, 'cashier-2', '1357');
      const error = page.getByTestId('login-error');
      await error.waitFor();
      assert.equal(await error.getAttribute('data-code'), 'operator_locked');
      assert.ok((await error.textContent()).startsWith(w.locked));
      await page.getByTestId('login-back').click();
      await page.getByTestId('login-operator-cashier-1').click();
      // As logIn() does: type only once the PIN pad is up, or the first digits go nowhere.
      await page.getByTestId('pin').waitFor();
      for (const pin of ['1111', '2222', '3333']) {
        await page.keyboard.type(pin);
        await page.keyboard.press('Enter');
        await page.waitForFunction((count) => window.__termdeeCalls.filter((call) => call.command === 'login').length === count, ['1111', '2222', '3333'].indexOf(pin) + 2);
      }
      assert.equal(await page.getByTestId('login-error').getAttribute('data-code'), 'operator_locked');
      await page.close();
    });

    test('the top bar: shop, register, operator; the language toggle is one tap and persists', async () => {
      const page = await openApp({ lang, scenario: { loggedIn: 'cashier-1', shiftOpen: true }, ready: 'sale-form' });
      assert.equal(await text(page, 'shop-name'), 'ร้านเติมดี สาขาตลาด');
      assert.ok((await text(page, 'register-name')).endsWith('เคาน์เตอร์ 1'));
      assert.equal(await text(page, 'language-toggle'), w.toggle);
      await page.getByTestId('language-toggle').click();
      const other = lang === 'th' ? 'en' : 'th';
      assert.equal(await page.evaluate(() => document.documentElement.lang), other);
      assert.equal(await page.evaluate(() => window.localStorage.getItem('termdee.language')), other);
      await page.close();
    });
  });
}

test("without a saved choice the shop's language applies, and a saved choice wins after a restart", async () => {
  const page = await openApp({ lang: null, scenario: { loggedIn: 'owner', language: 'en' }, ready: 'dashboard' });
  assert.equal(await text(page, 'language-toggle'), 'ภาษาไทย', "the shop's setting (English) is used");
  await page.getByTestId('language-toggle').click();
  assert.equal(await text(page, 'language-toggle'), 'English');
  await page.reload();
  await page.getByTestId('dashboard').waitFor();
  assert.equal(await text(page, 'language-toggle'), 'English', 'the choice on this machine survives a restart');
  await page.close();
});

test('a status that cannot be read shows its sentence and a retry', async () => {
  const page = await openApp({ lang: 'th', scenario: { failures: { status: { code: 'ledger_unavailable', message: 'database is locked' } } }, ready: 'status-error' });
  assert.equal(await page.getByTestId('status-error').getAttribute('data-code'), 'ledger_unavailable');
  await page.evaluate(() => {
    delete window.__fake.scenario.failures.status;
  });
  await page.getByTestId('status-retry').click();
  await page.getByTestId('login').waitFor();
  await page.close();
});

test('every ErrorCode in the bindings has a sentence in Thai and in English', async () => {
  const bindings = await readFile(new URL('../../src/platform/bindings.ts', import.meta.url), 'utf8');
  const union = /export type ErrorCode = ([^;]+);/.exec(bindings)[1];
  const codes = [...union.matchAll(/"([a-z_]+)"/g)].map((match) => match[1]);
  assert.ok(codes.length >= 20, `found ${codes.length} codes`);
  const page = await openApp({ lang: 'th', scenario: {}, ready: 'login' });
  const sentences = await page.evaluate(async (all) => {
    const { errorSentence } = window.__modules.i18n;
    const { ERROR_CODES, asAppError } = window.__modules.platform;
    return {
      known: ERROR_CODES,
      rows: all.map((code) => ({ code, th: errorSentence('th', code), en: errorSentence('en', code), kept: asAppError({ code, message: 'm' }).code })),
      unknown: asAppError({ code: 'something_new', message: 'x' }),
      broken: asAppError('bridge down'),
    };
  }, codes);
  assert.deepEqual([...sentences.known].sort(), [...codes].sort(), 'the platform module knows exactly the generated codes');
  for (const row of sentences.rows) {
    assert.ok(row.th && /[\u0E00-\u0E7F]/.test(row.th), `${row.code} has a Thai sentence`);
    assert.ok(row.en && /^[\x20-\x7E]+$/.test(row.en), `${row.code} has an English sentence`);
    assert.notEqual(row.th, row.en);
    assert.equal(row.kept, row.code, `${row.code} crosses the IPC as itself`);
  }
  assert.deepEqual(sentences.unknown, { code: 'internal', message: 'x' }, 'an unknown code from a newer backend becomes internal');
  assert.deepEqual(sentences.broken, { code: 'internal', message: 'bridge down' });
  await page.close();
});

test('the bundled Thai font is the one rendering Thai text', async () => {
  const page = await openApp({ lang: 'th', scenario: {}, ready: 'login' });
  await page.evaluate(() => document.fonts.ready);
  const thaiFaces = await page.evaluate(() =>
    [...document.fonts]
      .filter((face) => face.family.replaceAll('"', '') === 'Sarabun' && face.unicodeRange.includes('E01'))
      .map((face) => face.status),
  );
  assert.ok(thaiFaces.includes('loaded'), `Sarabun's Thai subset (assets/fonts) is loaded: ${thaiFaces}`);
  const family = await page.getByTestId('login').evaluate((element) => getComputedStyle(element).fontFamily);
  assert.match(family, /^"?Sarabun"?/);
  await page.close();
});

describe('formatters', () => {
  test('days in the Buddhist era in Thai and the common era in English, Bangkok time', async () => {
    const page = await openApp({ lang: 'th', scenario: {}, ready: 'login' });
    const out = await page.evaluate(async () => {
      const d = window.__modules.dates;
      return {
        th: d.formatDay('2026-11-27', 'th'),
        en: d.formatDay('2026-11-27', 'en'),
        newYearTh: d.formatDay('2027-01-01', 'th'),
        shortTh: d.formatDayShort('2026-02-05', 'th'),
        range: d.formatDayRange('2026-11-01', '2026-11-27', 'en'),
        same: d.formatDayRange('2026-11-27', '2026-11-27', 'th'),
        bad: d.formatDay('2026-02-30', 'th'),
        // 23:30 UTC on 31 Dec is already New Year's Day in Bangkok.
        bangkok: d.bangkokDay(Date.UTC(2026, 11, 31, 23, 30)),
        dateTime: d.formatDateTime(Date.UTC(2026, 10, 27, 7, 5), 'th'),
        time: d.formatTime(Date.UTC(2026, 10, 27, 17, 9)),
        weekAgo: d.addDays('2026-03-02', -6),
        leap: d.addDays('2028-02-28', 1),
        month: d.monthStart('2026-11-27'),
        today: d.bangkokDay(Date.now()),
      };
    });
    assert.deepEqual(out, {
      th: '27 พ.ย. 2569',
      en: '27 Nov 2026',
      newYearTh: '1 ม.ค. 2570',
      shortTh: '5 ก.พ.',
      range: '1 Nov 2026 – 27 Nov 2026',
      same: '27 พ.ย. 2569',
      bad: '2026-02-30',
      bangkok: '2027-01-01',
      dateTime: '27 พ.ย. 2569 14:05',
      time: '00:09',
      weekAgo: '2026-02-24',
      leap: '2028-02-29',
      month: '2026-11-01',
      today: '2026-11-27',
    });
    await page.close();
  });

  test('money from satang with integer arithmetic, and typed baht to satang', async () => {
    const page = await openApp({ lang: 'th', scenario: {}, ready: 'login' });
    const out = await page.evaluate(async () => {
      const m = window.__modules.money;
      return {
        small: m.formatSatang(5),
        big: m.formatSatang(123456789),
        negative: m.formatBaht(-1000),
        signed: [m.formatSignedBaht(2050), m.formatSignedBaht(0), m.formatSignedBaht(-1)],
        parsed: ['50', '50.5', '1,000.25', ' 0.10 ', '12.345', '-5', 'abc', '', '1e3'].map((typed) => m.parseBahtToSatang(typed)),
        // 0.1 + 0.2 in floats is 0.30000000000000004: digits parsing has no such error.
        sum: m.parseBahtToSatang('0.10') + m.parseBahtToSatang('0.20'),
        typed: [m.satangToTyped(50000), m.satangToTyped(12345), m.satangToTyped(100000)],
      };
    });
    assert.deepEqual(out, {
      small: '0.05',
      big: '1,234,567.89',
      negative: '-฿10.00',
      signed: ['+฿20.50', '฿0.00', '-฿0.01'],
      parsed: [5000, 5050, 100025, 10, null, null, null, null, null],
      sum: 30,
      typed: ['500', '123.45', '1000'],
    });
    await page.close();
  });

  test('phone numbers formatted as typed and checked as Thai mobiles', async () => {
    const page = await openApp({ lang: 'th', scenario: {}, ready: 'login' });
    const out = await page.evaluate(async () => {
      const p = window.__modules.phone;
      return {
        formatted: ['0', '081', '0812', '081234', '0812345', '0812345678', '081-234-5678', '08123456789'].map(p.formatPhone),
        valid: ['081-234-5678', '0612345678', '0912345678', '0212345678', '0712345678', '081234567', ''].map(p.isMobileNumber),
      };
    });
    assert.deepEqual(out, {
      formatted: ['0', '081', '081-2', '081-234', '081-234-5', '081-234-5678', '081-234-5678', '081-234-5678'],
      valid: [true, true, true, false, false, false, false],
    });
    await page.close();
  });
});
