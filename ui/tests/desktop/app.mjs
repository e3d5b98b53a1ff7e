// Driving the real desktop app (Rust backend, real IPC, real simulators in demo mode) under
// Xvfb through tauri-driver and WebKitWebDriver, and reading its ledger with `termdee sales`.
// `cargo xtask test` sets TERMDEE_DESKTOP_BIN and TERMDEE_CLI_BIN; `cargo xtask screenshot`
// sets TERMDEE_SCREENSHOT_DIR as well.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { Builder, By, until } from 'selenium-webdriver';

const application = process.env.TERMDEE_DESKTOP_BIN;
const cli = process.env.TERMDEE_CLI_BIN;
const tauriDriverPath = process.env.TERMDEE_TAURI_DRIVER ?? 'tauri-driver';
const screenshotDir = process.env.TERMDEE_SCREENSHOT_DIR;
if (!application) throw new Error('TERMDEE_DESKTOP_BIN must name the desktop binary (cargo xtask test sets it)');
if (!cli) throw new Error('TERMDEE_CLI_BIN must name the termdee command line (cargo xtask test sets it)');

export const OWNER_PIN = '2580';

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

/** Starts the app on a fresh machine (its own data folder) with extra environment. */
export async function startApp(env = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'termdee-e2e-'));
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn(tauriDriverPath, ['--port', String(port), '--native-port', String(nativePort)], {
    env: {
      ...process.env,
      TERMDEE_DATA_DIR: dataDir,
      // No desktop session under Xvfb: secrets go to the encrypted file.
      TERMDEE_SECRET_STORE: 'file',
      XDG_CONFIG_HOME: dataDir,
      XDG_DATA_HOME: dataDir,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitForPort(port, 20_000);
  const session = await new Builder()
    .usingServer(`http://127.0.0.1:${port}/`)
    .withCapabilities({ browserName: 'wry', 'tauri:options': { application } })
    .build();
  return {
    session,
    dataDir,
    async stop() {
      await session.quit().catch(() => {});
      // SIGTERM, not SIGKILL: a killed tauri-driver orphans WebKitWebDriver (TOOLCHAIN.md).
      driver.kill('SIGTERM');
      await new Promise((resolve) => driver.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function screenshot(name) {
  if (!screenshotDir) return;
  // The real ImageMagick: /usr/local/bin/convert on these machines is a stand-in (TOOLCHAIN.md).
  execFileSync('/usr/bin/import', ['-window', 'root', join(screenshotDir, `${name}.png`)]);
}

export async function byTestId(session, id, timeout = 15_000) {
  return session.wait(until.elementLocated(By.css(`[data-testid="${id}"]`)), timeout);
}

export async function bySelector(session, css, timeout = 15_000) {
  return session.wait(until.elementLocated(By.css(css)), timeout);
}

export async function click(session, id) {
  // A screen that is still settling (a dialog closing, a re-render replacing the element) makes a
  // click land on something else or on a stale node: find the element again and retry until the
  // deadline, as a person would tap again.
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const element = await byTestId(session, id);
      await session.wait(until.elementIsEnabled(element), 15_000);
      await element.click();
      return;
    } catch (error) {
      const retriable = ['ElementClickInterceptedError', 'StaleElementReferenceError'].includes(error?.name);
      if (!retriable || Date.now() > deadline) {
        error.message = `clicking ${id}: ${error.message}`;
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

export async function fill(session, id, text) {
  const element = await byTestId(session, id);
  await element.clear();
  await element.sendKeys(text);
}

/** Presses the on-screen PIN pad (`prefix-key-<d>` then `prefix-ok`). */
export async function pressPin(session, prefix, pin) {
  for (const digit of pin) await click(session, `${prefix}-key-${digit}`);
  await click(session, `${prefix}-ok`);
}

/** The first start: the owner (no default PIN) and the shop's name. */
export async function firstStart(session) {
  await byTestId(session, 'setup', 30_000);
  await session.executeScript('return document.fonts.ready');
  await fill(session, 'setup-name', 'สมชาย');
  await fill(session, 'setup-shop', 'ร้านเติมดี สาขาตลาด');
  await fill(session, 'setup-pin', OWNER_PIN);
  await fill(session, 'setup-pin-again', OWNER_PIN);
  await click(session, 'setup-submit');
}

/** Opens the shift with a float, if the screen asks for one. */
export async function openShift(session, float = '500') {
  await byTestId(session, 'open-shift', 20_000);
  await fill(session, 'opening-float', float);
  await click(session, 'open-shift-submit');
  await byTestId(session, 'sale-form');
}

/** Waits until the element with `id` has `attribute` equal to `value`. */
export async function waitAttribute(session, id, attribute, value, timeout = 30_000) {
  await session.wait(async () => {
    const found = await session.findElements(By.css(`[data-testid="${id}"][${attribute}="${value}"]`));
    return found.length > 0;
  }, timeout, `${id} never had ${attribute}=${value}`);
}

/** The ledger's sales, as `termdee sales --events` prints them. */
export function ledgerSales(dataDir) {
  const out = execFileSync(cli, ['sales', '--db', join(dataDir, 'demo.sqlite'), '--events'], { encoding: 'utf8' });
  return out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/** The ledger's row for one sale. */
export function ledgerSale(dataDir, saleId) {
  const sale = ledgerSales(dataDir).find((entry) => entry.id === saleId);
  assert.ok(sale, `sale ${saleId} is in the ledger`);
  return sale;
}
