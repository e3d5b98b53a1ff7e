// Runs the real UI with Tauri's IPC replaced by `mockIPC`: every command goes to the in-browser
// fake backend (fake-backend.ts), set up from the scenario the test put in
// `window.__termdeeScenario` before the page loaded. Events go through the same mock
// (`shouldMockEvents`), so the UI's real `listen('sale-updated')` receives what the fake emits.
import { mockIPC } from '@tauri-apps/api/mocks';
import { FakeShop, type Scenario } from './fake-backend';
// The UI's pure modules, for the tests that call them directly in the page (the harness is
// bundled, so there is no module URL to import from).
import * as i18n from '../../src/i18n';
import * as platform from '../../src/platform';
import * as dates from '../../src/format/dates';
import * as money from '../../src/format/money';
import * as phone from '../../src/format/phone';

declare global {
  interface Window {
    __termdeeScenario?: Scenario;
    __termdeeCalls: { command: string; args: unknown }[];
    __fake: FakeShop;
    __modules: { i18n: typeof i18n; platform: typeof platform; dates: typeof dates; money: typeof money; phone: typeof phone };
  }
}

window.__modules = { i18n, platform, dates, money, phone };
window.__termdeeCalls = [];
window.__fake = new FakeShop(window.__termdeeScenario ?? {});
mockIPC(
  (command, args) => {
    window.__termdeeCalls.push({ command, args });
    return window.__fake.handle(command, (args ?? {}) as Record<string, unknown>);
  },
  { shouldMockEvents: true },
);

await import('../../src/main');
