// What every browser test file shares: the UI and the harness built by Vite (once per file) and
// served as static files, one headless Chromium, and `openApp` to load the real UI over the fake
// backend with a scenario, a language and a fake clock (installed before the page starts, so
// countdowns and idle timers run on it).
//
// Built, not served by Vite's dev server: a page load then fetches a few bundled files instead
// of every module of the UI one by one through the dev server's transforms. `openApp` went from
// 1.0–1.8 s to 0.8–1.2 s (most of the rest is Chromium starting a page's renderer), and the
// whole run from 3 min 50 s to 3 min 7 s. The build is the production one (`vite.config.ts`),
// so the tests also run the code the app ships.
import { after, before } from 'node:test';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';

const uiRoot = fileURLToPath(new URL('../..', import.meta.url));

/** 27 November 2026, 10:00 in Bangkok (03:00 UTC): BE 2569. */
export const NOW = new Date('2026-11-27T03:00:00Z');

/** Set TERMDEE_UI_SHOTS to a folder to keep a screenshot of each main screen there. */
const shotsDir = process.env.TERMDEE_UI_SHOTS;

let server;
let browser;
let baseUrl;
let builtDir;

before(async () => {
  builtDir = await mkdtemp(join(tmpdir(), 'termdee-ui-harness-'));
  const config = {
    root: uiRoot,
    configFile: `${uiRoot}/vite.config.ts`,
    logLevel: 'error',
    build: {
      outDir: builtDir,
      emptyOutDir: true,
      rollupOptions: { input: `${uiRoot}/tests/browser/harness.html` },
    },
  };
  await build(config);
  server = await preview({ ...config, preview: { port: 0, host: '127.0.0.1', strictPort: false } });
  const { port } = server.httpServer.address();
  baseUrl = `http://127.0.0.1:${port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  if (shotsDir) await mkdir(shotsDir, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (builtDir) await rm(builtDir, { recursive: true, force: true });
});

/**
 * Opens the UI on the fake backend.
 * @param {object} options
 * @param {'th'|'en'} [options.lang] the language asked for in the address (as a saved choice would)
 * @param {object} [options.scenario] see Scenario in fake-backend.ts
 * @param {{width:number,height:number}} [options.viewport]
 * @param {string} [options.ready] a test id to wait for
 */
export async function openApp({ lang = 'th', scenario = {}, viewport = { width: 1024, height: 720 }, ready } = {}) {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  page.errors = errors;
  await page.clock.install({ time: NOW });
  await page.addInitScript((value) => {
    window.__termdeeScenario = value;
  }, scenario);
  const query = lang ? `?lang=${lang}` : '';
  await page.goto(`${baseUrl}/tests/browser/harness.html${query}`);
  if (ready) await page.getByTestId(ready).first().waitFor();
  return page;
}

/** Every command the UI sent, in order. */
export function calls(page, command) {
  return page.evaluate((name) => window.__termdeeCalls.filter((call) => !name || call.command === name), command);
}

/** Runs a control of the fake backend (`pay`, `startTopup`, `finish`, ...). */
export function fake(page, method, ...args) {
  return page.evaluate(({ method, args }) => window.__fake[method](...args), { method, args });
}

/** Saves a screenshot when TERMDEE_UI_SHOTS names a folder. */
export async function shot(page, name) {
  if (!shotsDir) return;
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: `${shotsDir}/${name}.png` });
}

/** The text of an element, trimmed. */
export async function text(page, testId) {
  return ((await page.getByTestId(testId).first().textContent()) ?? '').trim();
}

/** Logs in through the login screen. */
export async function logIn(page, operatorId, pin) {
  await page.getByTestId(`login-operator-${operatorId}`).click();
  await page.getByTestId('pin').waitFor();
  await page.keyboard.type(pin);
  await page.keyboard.press('Enter');
}
