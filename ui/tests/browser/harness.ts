// Runs the real UI with Tauri's IPC replaced by `mockIPC`: every command goes to a function the
// Playwright test exposes (`__termdeeIpc`), which answers from fixtures the Rust backend wrote.
import { mockIPC } from '@tauri-apps/api/mocks';

type Reply = { ok: unknown } | { err: unknown };

declare global {
  interface Window {
    __termdeeIpc(command: string, args: unknown): Promise<Reply>;
    __termdeeCalls: { command: string; args: unknown }[];
  }
}

window.__termdeeCalls = [];
mockIPC(async (command, args) => {
  window.__termdeeCalls.push({ command, args });
  const reply = await window.__termdeeIpc(command, args);
  if ('err' in reply) throw reply.err;
  return reply.ok;
});

await import('../../src/main');
