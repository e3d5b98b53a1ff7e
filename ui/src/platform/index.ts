// The only module that talks to Tauri. Screens call these functions; a test replaces the IPC
// underneath them with `mockIPC`, so the screens never know whether a real backend is there.
import { invoke } from '@tauri-apps/api/core';
import type { AppError, ErrorCode, QrRequest, QrScreen, Settings } from './bindings';

export type { AppError, ErrorCode, PayeeKind, QrRequest, QrScreen, Settings } from './bindings';

const KNOWN_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'invalid_promptpay_id',
  'invalid_amount',
  'invalid_settings',
  'internal',
]);

/** Turns whatever the IPC rejected with into an AppError: the backend sends `{code, message}`;
 *  anything else (a missing command, a broken bridge) becomes `internal` with its text. */
function asAppError(error: unknown): AppError {
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    const { code, message } = error as { code: unknown; message: unknown };
    if (typeof code === 'string' && KNOWN_CODES.has(code as ErrorCode)) {
      return { code: code as ErrorCode, message: String(message) };
    }
  }
  return { code: 'internal', message: String(error) };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw asAppError(error);
  }
}

/** Builds and renders the PromptPay QR for the typed ID and amount. */
export function prepareQr(request: QrRequest): Promise<QrScreen> {
  return call<QrScreen>('prepare_qr', { request });
}

/** The settings in force. */
export function loadSettings(): Promise<Settings> {
  return call<Settings>('settings');
}

export function isAppError(value: unknown): value is AppError {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}
