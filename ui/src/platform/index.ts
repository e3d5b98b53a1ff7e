// The only module that talks to Tauri. Screens call these functions; a test replaces the IPC
// underneath them with `mockIPC`, so the screens never know whether a real backend is there.
//
// One typed async function per backend command, named after it; argument objects use the
// camelCase keys the Rust commands take (`saleId`, `jobId`, ...). Every function rejects with an
// AppError `{ code, message }`: the screens branch on `code` only and show the sentence for it
// from i18n.ts, never the message (which is English detail for support).
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type {
  AppError,
  CloseShift,
  ConnectionTest,
  ErrorCode,
  FleetHealthView,
  LoginRequest,
  Offer,
  OpenShift,
  OperatorUpdate,
  OperatorView,
  OwnerSetup,
  PrintJobView,
  ProviderBalance,
  ProviderId,
  ReceiptPreview,
  ReconciliationView,
  ReportRequest,
  ReportView,
  SaleInput,
  SaleResolution,
  SaleUpdated,
  SaleView,
  SettingsUpdate,
  SettingsView,
  ShiftClosed,
  ShopStatus,
} from './bindings';

export type * from './bindings';

/** Every ErrorCode, as a Record so that a code added in Rust without being listed here fails
 *  the type check (an unknown code from a newer backend still becomes `internal`). */
const KNOWN_CODES: Record<ErrorCode, true> = {
  invalid_promptpay_id: true,
  invalid_amount: true,
  invalid_settings: true,
  invalid_phone: true,
  amount_not_sold: true,
  unknown_operator: true,
  payment_method_unavailable: true,
  invalid_request: true,
  not_permitted: true,
  ledger_unavailable: true,
  not_logged_in: true,
  invalid_pin: true,
  wrong_pin: true,
  operator_locked: true,
  setup_already_done: true,
  shift_not_open: true,
  shift_open: true,
  invalid_day: true,
  provider_unavailable: true,
  printer_unavailable: true,
  hub_unavailable: true,
  fleet_not_set_up: true,
  demo_only: true,
  internal: true,
};

/** Every error code, in declaration order (the tests check each has its sentences). */
export const ERROR_CODES = Object.keys(KNOWN_CODES) as ErrorCode[];

/** Turns whatever the IPC rejected with into an AppError: the backend sends `{code, message}`;
 *  anything else (a missing command, a broken bridge) becomes `internal` with its text. */
export function asAppError(error: unknown): AppError {
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    const { code, message } = error as { code: unknown; message: unknown };
    if (typeof code === 'string' && Object.prototype.hasOwnProperty.call(KNOWN_CODES, code)) {
      return { code: code as ErrorCode, message: String(message) };
    }
    // A code this UI does not know (a newer backend): keep its message for support.
    return { code: 'internal', message: String(message) };
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

export function isAppError(value: unknown): value is AppError {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw asAppError(error);
  }
}

// --- The shop and who is at the machine ---------------------------------------------------------

/** Everything the shell needs to choose a screen. */
export const status = () => call<ShopStatus>('status');
/** First start: creates the owner account (there is no default PIN). */
export const setupOwner = (setup: OwnerSetup) => call<ShopStatus>('setup_owner', { setup });
/** The operators offered on the login screen. */
export const loginChoices = () => call<OperatorView[]>('login_choices');
export const login = (request: LoginRequest) => call<ShopStatus>('login', { request });
export const logout = () => call<ShopStatus>('logout');

// --- Selling ---------------------------------------------------------------------------------------

/** What can be sold here now: networks with their amounts, and the ways to pay. */
export const offer = () => call<Offer>('offer');
export const startSale = (input: SaleInput) => call<SaleView>('start_sale', { input });
export const sale = (saleId: string) => call<SaleView>('sale', { saleId });
/** The cashier took the cash / saw the local PromptPay transfer arrive. */
export const confirmPayment = (saleId: string) => call<SaleView>('confirm_payment', { saleId });
/** Cancels an unpaid sale (and its payment at the provider). */
export const cancelSale = (saleId: string) => call<SaleView>('cancel_sale', { saleId });
/** Asks the providers again now about a sale whose outcome is not known. */
export const checkAgain = (saleId: string) => call<SaleView>('check_again', { saleId });
/** A person settles a sale (refunded in cash, delivered after checking, ...), with a note. */
export const resolveSale = (resolution: SaleResolution) => call<SaleView>('resolve_sale', { resolution });
/** This operator's latest sales, newest first. */
export const recentSales = () => call<SaleView[]>('recent_sales');
/** Sales waiting for a person that this operator may see. */
export const attention = () => call<SaleView[]>('attention');
/** Demo mode only: act as the paying customer of a QR sale. */
export const demoPay = (saleId: string) => call<SaleView>('demo_pay', { saleId });

/** Calls `callback` whenever the backend pushes a change to a sale (the UI never polls). */
export function onSaleUpdated(callback: (update: SaleUpdated) => void): Promise<() => void> {
  return listen<SaleUpdated>('sale-updated', (event) => callback(event.payload));
}

// --- Kiosk and shifts --------------------------------------------------------------------------

export const enterKiosk = () => call<ShopStatus>('enter_kiosk');
/** Leaves kiosk mode; needs the owner PIN. */
export const leaveKiosk = (pin: string) => call<ShopStatus>('leave_kiosk', { pin });
export const openShift = (request: OpenShift) => call<ShopStatus>('open_shift', { request });
/** Closes the shift with the blind cash count; the reply has the expected figure. */
export const closeShift = (request: CloseShift) => call<ShiftClosed>('close_shift', { request });

// --- Owner -----------------------------------------------------------------------------------------

export const report = (request: ReportRequest) => call<ReportView>('report', { request });
/** Saves the report as a CSV file (the owner's Downloads folder); the answer is its path. */
export const saveReportCsv = (request: ReportRequest) => call<string>('save_report_csv', { request });
/** The same report over every register, from the fleet hub (owner token in the settings). */
export const fleetReport = (request: ReportRequest) => call<ReportView>('fleet_report', { request });
/** Saves the fleet report as a CSV file; the answer is its path. */
export const saveFleetReportCsv = (request: ReportRequest) => call<string>('save_fleet_report_csv', { request });
/** Every register's health, from the fleet hub. */
export const fleetHealth = () => call<FleetHealthView>('fleet_health');
export const balances = () => call<ProviderBalance[]>('balances');
/** Our ledger against each provider for one day (`YYYY-MM-DD`). */
export const reconcile = (day: string) => call<ReconciliationView>('reconcile', { day });
export const operators = () => call<OperatorView[]>('operators');
export const saveOperator = (update: OperatorUpdate) => call<OperatorView>('save_operator', { update });
export const unlockOperator = (operatorId: string) => call<OperatorView>('unlock_operator', { operatorId });
export const settingsView = () => call<SettingsView>('settings_view');
export const saveSettings = (update: SettingsUpdate) => call<SettingsView>('save_settings', { update });
export const testConnection = (provider: ProviderId) => call<ConnectionTest>('test_connection', { provider });

// --- Receipts and the printer --------------------------------------------------------------------

export const receiptPreview = (saleId: string) => call<ReceiptPreview>('receipt_preview', { saleId });
export const printReceipt = (saleId: string) => call<PrintJobView>('print_receipt', { saleId });
export const printTestPage = () => call<PrintJobView>('print_test_page');
export const printJobs = () => call<PrintJobView[]>('print_jobs');
export const retryPrint = (jobId: number) => call<PrintJobView>('retry_print', { jobId });
