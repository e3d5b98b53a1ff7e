// Runs the real UI with Tauri's IPC replaced by `mockIPC`: every command goes to the in-browser
// fake backend (fake-backend.ts), set up from the scenario the test put in
// `window.__termdeeScenario` before the page loaded. Events go through the same mock
// (`shouldMockEvents`), so the UI's real `listen('sale-updated')` receives what the fake emits.
import { mockIPC } from '@tauri-apps/api/mocks';
import { FakeShop, type Scenario } from './fake-backend';

declare global {
  interface Window {
    __termdeeScenario?: Scenario;
    __termdeeCalls: { command: string; args: unknown }[];
    __fake: FakeShop;
  }
}

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
