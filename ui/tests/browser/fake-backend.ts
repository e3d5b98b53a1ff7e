// An in-browser fake of the Rust backend for the browser tests: every command of the IPC
// contract, answering with the generated binding types, and a small sale state machine that
// pushes `sale-updated` events the way the engine does. The tests drive the "outside world"
// (a customer paying, a provider answering) through `window.__fake`.
//
// It follows the contract's rules, not the engine's internals: errors are `{ code, message }`,
// money is satang with display strings, a payment's `seconds_left` is computed when the reply is
// made, `actions` are filtered by role, and owner-only commands refuse a cashier.
import { emit } from '@tauri-apps/api/event';
import type {
  AppError,
  ConnectionTest,
  ErrorCode,
  FleetHealthView,
  Language,
  Network,
  NetworkOffer,
  Offer,
  OperatorView,
  PaymentMethod,
  PrintJobView,
  ProviderBalance,
  ProviderId,
  ReconciliationView,
  ReportDimension,
  ReportRequest,
  ReportRow,
  ReportView,
  Role,
  SaleAction,
  SaleState,
  SaleView,
  SettingsUpdate,
  SettingsView,
  ShiftClosed,
  ShiftView,
  ShopStatus,
} from '../../src/platform/bindings';
import { SAMPLE_QR_PNG } from './qr-sample';

/** What a test sets up before the page loads (`window.__termdeeScenario`). */
export interface Scenario {
  setupNeeded?: boolean;
  mode?: 'counter' | 'kiosk';
  demo?: boolean;
  /** Who is logged in at start (an operator id), or nobody. */
  loggedIn?: string | null;
  /** Whether that operator has an open shift. */
  shiftOpen?: boolean;
  problems?: AppError[];
  language?: Language;
  kioskIdleSeconds?: number;
  qrSeconds?: number;
  /** Seed sales needing attention (one unknown outcome, one refund due). */
  attentionSales?: boolean;
  /** Seed a few recent sales for the logged-in operator. */
  recentSales?: boolean;
  /** Methods that are not set up. */
  unavailableMethods?: PaymentMethod[];
  /** Commands that fail with this error instead of answering. */
  failures?: Record<string, AppError>;
  /** QR payments with no expiry (a provider that gives none). */
  qrWithoutExpiry?: boolean;
  /** After payment, move the top-up on by itself (for screenshots and manual runs). */
  autoTopup?: SaleState;
  /** The hub URL and an owner token are set: the fleet panel reads the (fake) hub. */
  fleet?: boolean;
}

interface Account {
  view: OperatorView;
  pin: string;
  wrongPins: number;
}

interface SaleRecord {
  view: SaleView;
  shiftId: number | null;
  paidCash: boolean;
}

interface Resolution {
  sale_id: string;
  action: SaleAction;
  note: string;
  by: string;
}

const MINUTE = 60_000;

function fail(code: ErrorCode, message: string): never {
  throw { code, message } satisfies AppError;
}

/** `1,234.50` from satang, written independently of the UI's formatter. */
function display(satang: number): string {
  const baht = Math.floor(Math.abs(satang) / 100);
  const rest = Math.abs(satang) % 100;
  const grouped = String(baht).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${satang < 0 ? '-' : ''}${grouped}.${String(rest).padStart(2, '0')}`;
}

function parseBaht(text: string): number | null {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim().replaceAll(',', ''));
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

function phoneDisplay(phone: string): string | null {
  const digits = phone.replace(/[\s-]/g, '');
  if (!/^0[689]\d{8}$/.test(digits)) return null;
  return `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
}

const AMOUNTS = [1000, 2000, 5000, 10000, 20000, 30000, 50000];

const NETWORKS: NetworkOffer[] = [
  { network: 'ais', name: 'AIS', amounts: AMOUNTS, min: 1000, max: 100000, available: true },
  { network: 'dtac', name: 'dtac', amounts: AMOUNTS, min: 1000, max: 100000, available: true },
  { network: 'true_move', name: 'TrueMove H', amounts: [500, ...AMOUNTS], min: 500, max: 100000, available: true },
  { network: 'my', name: 'my by NT', amounts: AMOUNTS, min: 1000, max: 50000, available: true },
  { network: 'penguin', name: 'Penguin', amounts: AMOUNTS, min: 1000, max: 50000, available: false },
  { network: 'feels', name: 'Feels', amounts: AMOUNTS, min: 1000, max: 50000, available: true },
];

const METHODS: PaymentMethod[] = ['cash', 'prompt_pay_local', 'tmweasy', 'deposit_qr', 'blue_pay'];

/** The secrets the fake "stores": a test checks none of them ever reaches the page. */
export const STORED_SECRETS: Record<string, string> = {
  'wepay.password': 'wepay-secret-pass-9876',
  'easysoft.password': 'easysoft-secret-4321',
  'tmweasy.password': 'tmweasy-secret-5555',
  'deposit_qr.api_key': 'deposit-secret-key-7777',
  'bluepay.merchant_private_key_pem': '-----BEGIN PRIVATE KEY-----SECRETPEM0042',
};

function hint(secret: string | undefined): string {
  return secret ? `••••${secret.slice(-4)}` : '';
}

export class FakeShop {
  scenario: Scenario;
  accounts = new Map<string, Account>();
  sales = new Map<string, SaleRecord>();
  order: string[] = [];
  resolutions: Resolution[] = [];
  shifts = new Map<string, ShiftView>();
  jobs: PrintJobView[] = [];
  /** Files `save_report_csv` wrote, by path. */
  savedFiles: Record<string, string> = {};
  operator: string | null;
  mode: 'counter' | 'kiosk';
  setupNeeded: boolean;
  settings: SettingsView;
  secrets: Record<string, string> = { ...STORED_SECRETS };
  nextSale = 1;
  nextShift = 1;
  nextJob = 1;

  constructor(scenario: Scenario) {
    this.scenario = scenario;
    this.setupNeeded = scenario.setupNeeded ?? false;
    this.mode = scenario.mode ?? 'counter';
    const add = (id: string, name: string, role: Role, pin: string, extra: Partial<OperatorView> = {}) =>
      this.accounts.set(id, { view: { id, name, role, active: true, locked: false, ...extra }, pin, wrongPins: 0 });
    if (!this.setupNeeded) {
      add('owner', 'สมชาย', 'owner', '1234');
      add('cashier-1', 'มาลี', 'cashier', '2468');
      add('cashier-2', 'นก', 'cashier', '1357', { locked: true });
      add('kiosk-1', 'ตู้หน้าร้าน', 'kiosk', '0000');
    }
    this.operator = scenario.loggedIn ?? (this.mode === 'kiosk' ? 'kiosk-1' : null);
    if (scenario.shiftOpen && this.operator) this.openShiftFor(this.operator, 100000);
    this.settings = this.initialSettings();
    this.jobs.push({ id: this.nextJob++, sale_id: 'S-0090', state: 'failed', attempts: 3, last_error: 'printer off (connection refused)', created_at: Date.now() - 30 * MINUTE });
    this.jobs.push({ id: this.nextJob++, sale_id: 'S-0091', state: 'printed', attempts: 1, last_error: null, created_at: Date.now() - 20 * MINUTE });
    if (scenario.attentionSales) this.seedAttention();
    if (scenario.recentSales && this.operator) this.seedRecent(this.operator);
  }

  // --- Test controls ----------------------------------------------------------------------------

  /** The newest sale's id. */
  lastSaleId(): string {
    return this.order[this.order.length - 1];
  }

  /** The customer pays a QR sale (a provider's callback arriving). `quiet`: the event is lost
   *  (or not sent yet), so the screen only learns it from its next request. */
  pay(saleId = this.lastSaleId(), quiet = false) {
    const record = this.record(saleId);
    if (record.view.state !== 'awaiting_payment') fail('invalid_request', `sale ${saleId} is ${record.view.state}`);
    this.markPaid(record, quiet);
  }

  /** The engine sends the top-up. */
  startTopup(saleId = this.lastSaleId()) {
    this.move(this.record(saleId), 'topup_pending');
  }

  /** The top-up provider answers: `completed`, `refund_due` (failed) or `needs_attention` (unknown). */
  finish(saleId = this.lastSaleId(), outcome: SaleState = 'completed') {
    const record = this.record(saleId);
    if (outcome === 'needs_attention') record.view.attention = 'wepay: timeout after sending; outcome unknown';
    if (outcome === 'refund_due') record.view.attention = 'wepay: failed (rejected by operator)';
    this.move(record, outcome);
  }

  sale(saleId = this.lastSaleId()): SaleView {
    return this.viewOf(this.record(saleId));
  }

  // --- The IPC --------------------------------------------------------------------------------------

  handle(command: string, args: Record<string, unknown>): unknown {
    const failure = this.scenario.failures?.[command];
    if (failure) throw failure;
    const a = args as Record<string, never>;
    switch (command) {
      case 'status':
        return this.status();
      case 'setup_owner':
        return this.setupOwner(a.setup);
      case 'login_choices':
        return [...this.accounts.values()].filter((account) => account.view.active && account.view.role !== 'kiosk').map((account) => account.view);
      case 'login':
        return this.login(a.request);
      case 'logout':
        this.operator = null;
        return this.status();
      case 'offer':
        return this.offer();
      case 'start_sale':
        return this.startSale(a.input);
      case 'sale':
        return this.viewOf(this.record(a.saleId));
      case 'confirm_payment':
        return this.confirmPayment(a.saleId);
      case 'cancel_sale':
        return this.cancel(a.saleId);
      case 'check_again':
        return this.checkAgain(a.saleId);
      case 'resolve_sale':
        return this.resolve(a.resolution);
      case 'recent_sales':
        this.loggedIn();
        return this.order
          .map((id) => this.sales.get(id) as SaleRecord)
          .filter((record) => record.view.operator_id === this.operator)
          .reverse()
          .map((record) => this.viewOf(record));
      case 'attention':
        this.loggedIn();
        return this.attentionSales().map((record) => this.viewOf(record));
      case 'demo_pay':
        return this.demoPay(a.saleId);
      case 'enter_kiosk':
        this.ownerOnly();
        this.mode = 'kiosk';
        this.operator = 'kiosk-1';
        return this.status();
      case 'leave_kiosk':
        return this.leaveKiosk(a.pin);
      case 'open_shift':
        return this.openShift(a.request);
      case 'close_shift':
        return this.closeShift(a.request);
      case 'report':
        this.ownerOnly();
        return this.report(a.request);
      case 'report_csv':
        this.ownerOnly();
        return this.reportCsv(a.request);
      case 'save_report_csv': {
        this.ownerOnly();
        const request = a.request as ReportRequest;
        const path = `/home/owner/Downloads/termdee-${request.by}-${request.from}-${request.to}.csv`;
        this.savedFiles[path] = this.reportCsv(request);
        return path;
      }
      case 'fleet_report':
        this.fleetReady();
        return this.fleetReport(a.request);
      case 'save_fleet_report_csv': {
        this.fleetReady();
        const request = a.request as ReportRequest;
        const path = `/home/owner/Downloads/termdee-fleet-${request.by}-${request.from}-${request.to}.csv`;
        this.savedFiles[path] = this.reportCsv(request);
        return path;
      }
      case 'fleet_health':
        this.fleetReady();
        return this.fleetHealth();
      case 'balances':
        this.ownerOnly();
        return this.balances();
      case 'reconcile':
        this.ownerOnly();
        return this.reconcile(a.day);
      case 'operators':
        this.ownerOnly();
        return [...this.accounts.values()].map((account) => account.view);
      case 'save_operator':
        return this.saveOperator(a.update);
      case 'unlock_operator':
        return this.unlock(a.operatorId);
      case 'settings_view':
        this.ownerOnly();
        return this.settings;
      case 'save_settings':
        return this.saveSettings(a.update);
      case 'test_connection':
        this.ownerOnly();
        return this.testConnection(a.provider);
      case 'receipt_preview':
        return { sale_id: a.saleId, png_data_url: this.receiptPng(this.record(a.saleId).view) };
      case 'print_receipt':
        this.record(a.saleId);
        return this.queueJob(a.saleId);
      case 'print_test_page':
        return this.queueJob(null);
      case 'print_jobs':
        return [...this.jobs].reverse();
      case 'retry_print':
        return this.retryPrint(a.jobId);
      default:
        return fail('internal', `the fake backend has no command ${command}`);
    }
  }

  // --- Who is at the machine --------------------------------------------------------------------------

  status(): ShopStatus {
    const operator = this.operator ? (this.accounts.get(this.operator)?.view ?? null) : null;
    return {
      demo: this.scenario.demo ?? false,
      setup_needed: this.setupNeeded,
      mode: this.mode,
      shop_name: this.settings.shop_name,
      register_id: this.settings.register_id,
      register_name: this.settings.register_name,
      language: this.settings.language,
      operator,
      shift: this.operator ? (this.shifts.get(this.operator) ?? null) : null,
      problems: this.scenario.problems ?? [],
      attention_count: operator ? this.attentionSales().length : 0,
      kiosk_idle_seconds: this.settings.kiosk_idle_seconds,
    };
  }

  private setupOwner(setup: { name: string; pin: string; shop_name: string }): ShopStatus {
    if (!this.setupNeeded) fail('setup_already_done', 'there is an owner');
    if (!/^\d{4,8}$/.test(setup.pin)) fail('invalid_pin', 'the PIN must be 4 to 8 digits');
    this.accounts.set('owner', { view: { id: 'owner', name: setup.name, role: 'owner', active: true, locked: false }, pin: setup.pin, wrongPins: 0 });
    this.settings.shop_name = setup.shop_name;
    this.setupNeeded = false;
    this.operator = 'owner';
    return this.status();
  }

  private login(request: { operator_id: string; pin: string }): ShopStatus {
    const account = this.accounts.get(request.operator_id);
    if (!account || !account.view.active) fail('unknown_operator', `no operator ${request.operator_id}`);
    if (account.view.locked) fail('operator_locked', `${request.operator_id} is locked`);
    if (account.pin !== request.pin) {
      account.wrongPins += 1;
      if (account.wrongPins >= 3) {
        account.view.locked = true;
        fail('operator_locked', `${request.operator_id} locked after ${account.wrongPins} wrong PINs`);
      }
      fail('wrong_pin', `wrong PIN for ${request.operator_id} (${account.wrongPins} of 3)`);
    }
    account.wrongPins = 0;
    this.operator = account.view.id;
    return this.status();
  }

  private loggedIn(): Account {
    const account = this.operator ? this.accounts.get(this.operator) : undefined;
    if (!account) fail('not_logged_in', 'nobody is logged in');
    return account;
  }

  private ownerOnly(): Account {
    const account = this.loggedIn();
    if (account.view.role !== 'owner') fail('not_permitted', `${account.view.id} is a ${account.view.role}`);
    return account;
  }

  // --- Selling ----------------------------------------------------------------------------------------

  offer(): Offer {
    const unavailable = this.scenario.unavailableMethods ?? [];
    const methods = METHODS.filter((method) => this.mode !== 'kiosk' || !['cash', 'prompt_pay_local'].includes(method)).map((method) => ({
      method,
      available: !unavailable.includes(method),
    }));
    return { networks: NETWORKS, methods };
  }

  private startSale(input: { network: Network; phone: string; amount: string; method: PaymentMethod }): SaleView {
    const account = this.loggedIn();
    const problem = this.scenario.problems?.[0];
    if (problem) throw problem;
    const network = NETWORKS.find((entry) => entry.network === input.network);
    if (!network || !network.available) fail('amount_not_sold', `${input.network} is not sold now`);
    const phone = phoneDisplay(input.phone);
    if (!phone) fail('invalid_phone', `"${input.phone}" is not a Thai mobile number`);
    const amount = parseBaht(input.amount);
    if (amount === null || amount <= 0) fail('invalid_amount', `"${input.amount}" is not an amount`);
    if (amount < network.min || amount > network.max) fail('amount_not_sold', `${input.amount} is outside ${network.min}..${network.max}`);
    if (!this.offer().methods.some((entry) => entry.method === input.method && entry.available)) {
      fail('payment_method_unavailable', `${input.method} is not set up`);
    }
    const shift = this.shifts.get(account.view.id) ?? null;
    if (this.mode === 'counter' && !shift) fail('shift_not_open', 'open a shift first');
    const id = `S-${String(this.nextSale++).padStart(4, '0')}`;
    const qr = input.method !== 'cash';
    const expires = qr && !this.scenario.qrWithoutExpiry ? Date.now() + this.qrSeconds() * 1000 : null;
    const view: SaleView = {
      id,
      state: 'awaiting_payment',
      network: input.network,
      network_name: network.name,
      phone_display: phone,
      amount,
      amount_display: display(amount),
      method: input.method,
      operator_id: account.view.id,
      created_at: Date.now(),
      payment: {
        state: 'open',
        qr_png_data_url: qr ? SAMPLE_QR_PNG : null,
        link: input.method === 'blue_pay' ? `https://pay.example/${id}` : null,
        // Tmweasy adds satang to tell transfers apart (tmweasy.md): the customer pays a bit more.
        amount: input.method === 'tmweasy' ? amount + 37 : amount,
        amount_display: display(input.method === 'tmweasy' ? amount + 37 : amount),
        expires_at: expires,
        seconds_left: null,
      },
      topup: null,
      attention: null,
      actions: [],
    };
    const record: SaleRecord = { view, shiftId: shift?.id ?? null, paidCash: false };
    this.sales.set(id, record);
    this.order.push(id);
    if (shift) shift.sales_count += 1;
    return this.viewOf(record);
  }

  private confirmPayment(saleId: string): SaleView {
    this.loggedIn();
    const record = this.record(saleId);
    if (record.view.state !== 'awaiting_payment' || !['cash', 'prompt_pay_local'].includes(record.view.method)) {
      fail('invalid_request', `cannot confirm a ${record.view.method} sale in ${record.view.state}`);
    }
    this.markPaid(record);
    return this.viewOf(record);
  }

  private demoPay(saleId: string): SaleView {
    if (!this.scenario.demo) fail('demo_only', 'demo_pay exists only in demo mode');
    const record = this.record(saleId);
    if (record.view.state !== 'awaiting_payment') fail('invalid_request', `sale is ${record.view.state}`);
    this.markPaid(record);
    return this.viewOf(record);
  }

  private cancel(saleId: string): SaleView {
    this.loggedIn();
    const record = this.record(saleId);
    if (record.view.state !== 'awaiting_payment') fail('invalid_request', `cannot cancel a sale in ${record.view.state}`);
    const expired = record.view.payment?.expires_at != null && Date.now() >= record.view.payment.expires_at;
    if (record.view.payment) record.view.payment.state = expired ? 'expired' : 'cancelled';
    this.move(record, expired ? 'payment_expired' : 'payment_cancelled');
    return this.viewOf(record);
  }

  private checkAgain(saleId: string): SaleView {
    this.loggedIn();
    const record = this.record(saleId);
    if (!this.viewOf(record).actions.includes('check_again')) fail('invalid_request', `nothing to check on a sale in ${record.view.state}`);
    return this.viewOf(record);
  }

  private resolve(resolution: { sale_id: string; action: SaleAction; note: string }): SaleView {
    const account = this.loggedIn();
    const record = this.record(resolution.sale_id);
    if (!this.viewOf(record).actions.includes(resolution.action)) fail('invalid_request', `${resolution.action} is not allowed now`);
    if (resolution.note.trim() === '') fail('invalid_request', 'a note is required');
    const next: Partial<Record<SaleAction, SaleState>> = {
      mark_refunded: 'refunded',
      mark_delivered: 'completed',
      mark_not_delivered: 'refund_due',
    };
    const state = next[resolution.action];
    if (!state) fail('invalid_request', `${resolution.action} is not a resolution`);
    this.resolutions.push({ ...resolution, by: account.view.id });
    this.move(record, state);
    return this.viewOf(record);
  }

  private markPaid(record: SaleRecord, quiet = false) {
    if (record.view.payment) record.view.payment.state = 'paid';
    record.paidCash = record.view.method === 'cash';
    this.move(record, 'paid', quiet);
    const auto = this.scenario.autoTopup;
    if (auto) {
      window.setTimeout(() => this.startTopup(record.view.id), 600);
      window.setTimeout(() => this.finish(record.view.id, auto), 1800);
    }
  }

  private move(record: SaleRecord, state: SaleState, quiet = false) {
    record.view.state = state;
    if (state === 'topup_pending' || state === 'completed' || state === 'needs_attention' || state === 'refund_due') {
      record.view.topup = {
        provider: 'wepay',
        state: { topup_pending: 'pending', completed: 'succeeded', needs_attention: 'unknown', refund_due: 'failed' }[state],
        reference: `TD${record.view.id.replace('-', '')}`,
        provider_ref: state === 'completed' ? 'WP-778812' : null,
      };
    }
    const payload = { sale_id: record.view.id, state, needs_attention: state === 'needs_attention' || state === 'refund_due' };
    // Pushed after the reply, as the engine emits once the state is durable.
    if (!quiet) void Promise.resolve().then(() => emit('sale-updated', payload));
  }

  private record(saleId: string): SaleRecord {
    const record = this.sales.get(saleId);
    if (!record) fail('invalid_request', `no sale ${saleId}`);
    return record;
  }

  /** The sale as the logged-in person sees it now: seconds left computed at reply time, and
   *  the actions their role allows. */
  private viewOf(record: SaleRecord): SaleView {
    const view = structuredClone(record.view);
    if (view.payment && view.state === 'awaiting_payment' && view.payment.expires_at !== null) {
      view.payment.seconds_left = Math.max(0, Math.ceil((view.payment.expires_at - Date.now()) / 1000));
    } else if (view.payment) {
      view.payment.seconds_left = null;
    }
    const role = this.operator ? this.accounts.get(this.operator)?.view.role : undefined;
    const actions: SaleAction[] = [];
    if (view.state === 'awaiting_payment') {
      if (role !== 'kiosk' && (view.method === 'cash' || view.method === 'prompt_pay_local')) actions.push('confirm_payment');
      actions.push('cancel');
    }
    if (view.state === 'needs_attention' && role !== 'kiosk') actions.push('check_again', 'mark_delivered', 'mark_not_delivered');
    if (view.state === 'refund_due' && role !== 'kiosk') actions.push('mark_refunded');
    view.actions = actions;
    return view;
  }

  private attentionSales(): SaleRecord[] {
    const role = this.operator ? this.accounts.get(this.operator)?.view.role : undefined;
    return this.order
      .map((id) => this.sales.get(id) as SaleRecord)
      .filter((record) => record.view.state === 'needs_attention' || record.view.state === 'refund_due')
      .filter((record) => role === 'owner' || record.view.operator_id === this.operator)
      .reverse();
  }

  private qrSeconds(): number {
    return this.scenario.qrSeconds ?? this.settings.qr_countdown_seconds;
  }

  private seedSale(operatorId: string, network: Network, phone: string, amount: number, method: PaymentMethod, state: SaleState, minutesAgo: number): SaleRecord {
    const id = `S-${String(this.nextSale++).padStart(4, '0')}`;
    const name = NETWORKS.find((entry) => entry.network === network)?.name ?? network;
    const record: SaleRecord = {
      view: {
        id,
        state,
        network,
        network_name: name,
        phone_display: phoneDisplay(phone) ?? phone,
        amount,
        amount_display: display(amount),
        method,
        operator_id: operatorId,
        created_at: Date.now() - minutesAgo * MINUTE,
        payment: { state: 'paid', qr_png_data_url: null, link: null, amount, amount_display: display(amount), expires_at: null, seconds_left: null },
        topup: null,
        attention: null,
        actions: [],
      },
      shiftId: null,
      paidCash: method === 'cash',
    };
    this.sales.set(id, record);
    this.order.push(id);
    return record;
  }

  private seedAttention() {
    const unknown = this.seedSale('cashier-1', 'ais', '0891112222', 5000, 'tmweasy', 'needs_attention', 40);
    unknown.view.attention = 'wepay: timeout after sending; outcome unknown';
    const due = this.seedSale('cashier-1', 'dtac', '0623334444', 10000, 'cash', 'refund_due', 25);
    due.view.attention = 'easysoft: refill failed (code 9)';
  }

  private seedRecent(operatorId: string) {
    this.seedSale(operatorId, 'true_move', '0657778888', 2000, 'cash', 'completed', 15);
    this.seedSale(operatorId, 'ais', '0812345678', 5000, 'prompt_pay_local', 'completed', 5);
  }

  // --- Kiosk and shifts -------------------------------------------------------------------------------

  private leaveKiosk(pin: string): ShopStatus {
    const owner = [...this.accounts.values()].find((account) => account.view.role === 'owner');
    if (!owner) fail('internal', 'no owner');
    if (owner.pin !== pin) fail('wrong_pin', 'not the owner PIN');
    this.mode = 'counter';
    this.operator = owner.view.id;
    return this.status();
  }

  private openShiftFor(operatorId: string, float: number): ShiftView {
    const shift: ShiftView = {
      id: this.nextShift++,
      operator_id: operatorId,
      opened_at: Date.now() - 2 * 60 * MINUTE,
      opening_float: float,
      opening_float_display: display(float),
      sales_count: 0,
    };
    this.shifts.set(operatorId, shift);
    return shift;
  }

  private openShift(request: { opening_float: string }): ShopStatus {
    const account = this.loggedIn();
    if (this.shifts.has(account.view.id)) fail('invalid_request', 'a shift is already open');
    const float = parseBaht(request.opening_float);
    if (float === null) fail('invalid_amount', `"${request.opening_float}" is not an amount`);
    const shift = this.openShiftFor(account.view.id, float);
    shift.opened_at = Date.now();
    return this.status();
  }

  private closeShift(request: { counted_cash: string }): ShiftClosed {
    const account = this.loggedIn();
    const shift = this.shifts.get(account.view.id);
    if (!shift) fail('shift_not_open', 'no open shift');
    const counted = parseBaht(request.counted_cash);
    if (counted === null) fail('invalid_amount', `"${request.counted_cash}" is not an amount`);
    const inShift = [...this.sales.values()].filter((record) => record.shiftId === shift.id && record.paidCash);
    const cashSales = inShift.reduce((sum, record) => sum + record.view.amount, 0);
    const cashRefunds = inShift.filter((record) => record.view.state === 'refunded').reduce((sum, record) => sum + record.view.amount, 0);
    const expected = shift.opening_float + cashSales - cashRefunds;
    this.shifts.delete(account.view.id);
    return {
      shift_id: shift.id,
      operator_id: account.view.id,
      opening_float: shift.opening_float,
      cash_sales: cashSales,
      cash_refunds: cashRefunds,
      expected,
      counted,
      variance: counted - expected,
      closed_at: Date.now(),
    };
  }

  // --- Owner -----------------------------------------------------------------------------------------

  private days(request: ReportRequest): string[] {
    const valid = /^\d{4}-\d{2}-\d{2}$/;
    if (!valid.test(request.from) || !valid.test(request.to) || request.to < request.from) fail('invalid_day', `bad range ${request.from}..${request.to}`);
    const days: string[] = [];
    for (let ms = Date.parse(`${request.from}T00:00:00Z`); ms <= Date.parse(`${request.to}T00:00:00Z`); ms += 24 * 60 * MINUTE) {
      days.push(new Date(ms).toISOString().slice(0, 10));
    }
    return days;
  }

  /** A deterministic day of trade: the figures depend on the day and the key only. */
  private row(key: string, seed: number): ReportRow {
    const completedCount = 5 + (seed % 7);
    const completed = completedCount * 5000 + (seed % 3) * 2000;
    const refunded = seed % 4 === 0 ? 1 : 0;
    const due = seed % 5 === 1 ? 1 : 0;
    const held = seed % 6 === 2 ? 1 : 0;
    const cost = Math.floor((completed * 97) / 100);
    const totals = (count: number, satang: number) => ({ count, satang });
    return {
      key,
      sales: totals(completedCount + refunded + due + held + 2, completed + (refunded + due + held) * 5000 + 4000),
      received: totals(completedCount + refunded + due + held, completed + (refunded + due + held) * 5000),
      completed: totals(completedCount, completed),
      refunded: totals(refunded, refunded * 5000),
      refund_due: totals(due, due * 5000),
      needs_attention: totals(held, held * 5000),
      in_progress: totals(0, 0),
      unpaid: totals(2, 0),
      cost,
      margin: completed - cost,
    };
  }

  private sum(key: string, rows: ReportRow[]): ReportRow {
    const total = this.row(key, 0);
    for (const field of ['sales', 'received', 'completed', 'refunded', 'refund_due', 'needs_attention', 'in_progress', 'unpaid'] as const) {
      total[field] = { count: rows.reduce((sum, row) => sum + row[field].count, 0), satang: rows.reduce((sum, row) => sum + row[field].satang, 0) };
    }
    total.cost = rows.reduce((sum, row) => sum + row.cost, 0);
    total.margin = rows.reduce((sum, row) => sum + row.margin, 0);
    return total;
  }

  private keys(by: ReportDimension): string[] {
    switch (by) {
      case 'operator':
        return ['cashier-1', 'kiosk-1', 'owner'];
      case 'network':
        return ['ais', 'dtac', 'true_move'];
      case 'provider':
        return ['wepay', 'easysoft', ''];
      case 'method':
        return ['cash', 'prompt_pay_local', 'tmweasy'];
      case 'register':
        return ['counter-1', 'kiosk-1'];
    }
  }

  private report(request: ReportRequest): ReportView {
    const days = this.days(request);
    const keys = this.keys(request.by);
    const perDay = days.map((day, dayIndex) => keys.map((key, keyIndex) => this.row(key, dayIndex * 3 + keyIndex + Number(day.slice(8)))));
    const rows = keys.map((key, keyIndex) => this.sum(key, perDay.map((day) => day[keyIndex])));
    return {
      request,
      rows,
      total: this.sum('', rows),
      days: days.map((day, index) => ({ day, totals: this.sum('', perDay[index]) })),
      labels: {},
    };
  }

  private fleetReady() {
    this.ownerOnly();
    if (!this.scenario.fleet) fail('fleet_not_set_up', 'set the hub URL and the owner token in the settings');
  }

  /** Three registers: this counter, a busy kiosk and one that went dark. */
  private fleetReport(request: ReportRequest): ReportView {
    const view = this.report(request);
    // Twice the figures of this machine: the fleet is more than one register.
    const rows = view.rows.map((row) => this.sum(row.key, [row, row]));
    if (request.by === 'register') rows.push(this.sum('kiosk-7', [view.rows[0]]));
    return {
      ...view,
      rows,
      total: this.sum('', rows),
      labels: { 'cashier-1': 'สมชาย', 'kiosk-1': 'ตู้หน้าร้าน', owner: 'เจ้าของ', 'counter-1': 'เคาน์เตอร์ 1', 'kiosk-7': 'ตู้สาขา 2' },
    };
  }

  private fleetHealth(): FleetHealthView {
    const at = Date.now();
    const balance = (provider: string, satang: number | null, low: boolean) => ({
      provider,
      balance: satang,
      balance_display: satang === null ? null : display(satang),
      low,
      error: satang === null ? 'connection refused' : null,
      checked_at: at - 2 * MINUTE,
    });
    return {
      at,
      registers: [
        { register_id: 'counter-1', name: 'เคาน์เตอร์ 1', last_seen_at: at - 20_000, silent: false, backlog: 0, unresolved: 0, in_progress: 1, callbacks_waiting: 0, callbacks_refused: 0, balances: [balance('wepay', 1234500, false)] },
        { register_id: 'kiosk-1', name: 'ตู้หน้าร้าน', last_seen_at: at - 5_000, silent: false, backlog: 3, unresolved: 2, in_progress: 0, callbacks_waiting: 1, callbacks_refused: 1, balances: [balance('wepay', 1234500, false), balance('easysoft', 80000, true)] },
        { register_id: 'kiosk-7', name: 'ตู้สาขา 2', last_seen_at: at - 3 * 60 * MINUTE, silent: true, backlog: 41, unresolved: 0, in_progress: 0, callbacks_waiting: 0, callbacks_refused: 0, balances: [balance('easysoft', null, false)] },
      ],
    };
  }

  private reportCsv(request: ReportRequest): string {
    const view = this.report(request);
    const lines = ['key,sales,completed_count,completed_satang,refunded_count,refund_due_count,needs_attention_count,cost_satang,margin_satang'];
    for (const row of [...view.rows, { ...view.total, key: 'TOTAL' }]) {
      lines.push([row.key, row.sales.count, row.completed.count, row.completed.satang, row.refunded.count, row.refund_due.count, row.needs_attention.count, row.cost, row.margin].join(','));
    }
    return `${lines.join('\n')}\n`;
  }

  private balances(): ProviderBalance[] {
    return [
      { provider: 'wepay', balance: 1234500, balance_display: '12,345.00', low: false, error: null, networks: [] },
      {
        provider: 'easysoft',
        balance: 80000,
        balance_display: '800.00',
        low: true,
        error: null,
        networks: [
          { network: 'ais', online: true },
          { network: 'dtac', online: true },
          { network: 'true_move', online: false },
          { network: 'my', online: true },
        ],
      },
    ];
  }

  private reconcile(day: string): ReconciliationView {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) fail('invalid_day', `"${day}" is not YYYY-MM-DD`);
    return {
      day,
      providers: [
        {
          provider: 'wepay',
          checked: 42,
          matching: 40,
          delivered: 215000,
          differences: [
            { sale_id: 'S-0031', reference: 'TDS0031', ours: 'needs_attention', theirs: 'succeeded', amount_differs: false },
            { sale_id: 'S-0037', reference: 'TDS0037', ours: 'succeeded', theirs: 'succeeded', amount_differs: true },
          ],
        },
        { provider: 'easysoft', checked: 12, matching: 12, delivered: 60000, differences: [] },
      ],
    };
  }

  private saveOperator(update: { id: string; name: string; role: Role; pin: string | null; active: boolean }): OperatorView {
    this.ownerOnly();
    if (!/^[A-Za-z0-9_-]+$/.test(update.id)) fail('invalid_request', `bad id "${update.id}"`);
    if (update.name.trim() === '') fail('invalid_request', 'a name is required');
    const existing = this.accounts.get(update.id);
    if (update.pin !== null && !/^\d{4,8}$/.test(update.pin)) fail('invalid_pin', 'the PIN must be 4 to 8 digits');
    if (!existing && update.pin === null && update.role !== 'kiosk') fail('invalid_pin', 'a new operator needs a PIN');
    const view: OperatorView = { id: update.id, name: update.name, role: update.role, active: update.active, locked: existing?.view.locked ?? false };
    this.accounts.set(update.id, { view, pin: update.pin ?? existing?.pin ?? '', wrongPins: 0 });
    return view;
  }

  private unlock(operatorId: string): OperatorView {
    this.ownerOnly();
    const account = this.accounts.get(operatorId);
    if (!account) fail('unknown_operator', `no operator ${operatorId}`);
    account.view.locked = false;
    account.wrongPins = 0;
    return account.view;
  }

  private initialSettings(): SettingsView {
    const field = (key: string, value: string, required = true) => ({ key, secret: false, value, required });
    const secret = (provider: string, key: string, required = true) => ({ key, secret: true, value: hint(this.secrets[`${provider}.${key}`]), required });
    const routes: [Network, string[]][] = [
      ['ais', ['wepay', 'easysoft']],
      ['dtac', ['wepay', 'easysoft']],
      ['true_move', ['easysoft', 'wepay']],
      ['my', ['wepay']],
      ['penguin', []],
      ['feels', ['wepay']],
    ];
    return {
      shop_name: 'ร้านเติมดี สาขาตลาด',
      promptpay_id: '0812345678',
      register_id: this.mode === 'kiosk' ? 'kiosk-1' : 'counter-1',
      register_name: this.mode === 'kiosk' ? 'ตู้หน้าร้าน' : 'เคาน์เตอร์ 1',
      language: this.scenario.language ?? 'th',
      qr_countdown_seconds: this.scenario.qrSeconds ?? 300,
      kiosk_idle_seconds: this.scenario.kioskIdleSeconds ?? 60,
      callback_listen: '0.0.0.0:8787',
      public_url: 'https://shop.example/',
      low_balance_alert: 100000,
      routing: routes.map(([network, providers]) => ({ network, providers })),
      providers: [
        { provider: 'wepay', enabled: true, fields: [field('base_url', 'https://www.wepay.in.th/'), field('username', 'shop01'), secret('wepay', 'password')] },
        { provider: 'easysoft', enabled: true, fields: [field('endpoint', 'https://api.easysoft.in.th/topup/v2.php'), field('username', 'shop01'), secret('easysoft', 'password')] },
        { provider: 'tmweasy', enabled: true, fields: [field('base_url', 'https://tmweasy.example/'), field('username', 'shop01'), secret('tmweasy', 'password'), field('con_id', '12345')] },
        { provider: 'deposit_qr', enabled: false, fields: [field('base_url', 'https://deposit.example/'), secret('deposit_qr', 'api_key')] },
        { provider: 'bluepay', enabled: false, fields: [field('base_url', 'https://bluepay.example/'), field('app_id', 'APP-1'), secret('bluepay', 'merchant_private_key_pem')] },
      ],
      printer: 'tcp://192.168.1.50:9100',
      printer_width_dots: 384,
      hub_url: '',
      hub_token_set: false,
      hub_owner_token_set: false,
      secret_store: 'keyring',
    };
  }

  private saveSettings(update: SettingsUpdate): SettingsView {
    this.ownerOnly();
    if (this.shifts.size > 0) fail('shift_open', 'providers and payment methods cannot change while a shift is open');
    if (update.qr_countdown_seconds < 5 || update.qr_countdown_seconds > 1800) fail('invalid_settings', 'qr_countdown_seconds must be 5..1800');
    for (const provider of update.providers) {
      const view = this.settings.providers.find((entry) => entry.provider === provider.provider);
      if (!view) fail('invalid_settings', `unknown provider ${provider.provider}`);
      view.enabled = provider.enabled;
      for (const [key, value] of provider.values) {
        const field = view.fields.find((entry) => entry.key === key && !entry.secret);
        if (field) field.value = value;
      }
      for (const [key, value] of provider.secrets) {
        if (value === null) continue;
        if (value === '') delete this.secrets[`${provider.provider}.${key}`];
        else this.secrets[`${provider.provider}.${key}`] = value;
        const field = view.fields.find((entry) => entry.key === key && entry.secret);
        if (field) field.value = hint(this.secrets[`${provider.provider}.${key}`]);
      }
    }
    this.lastSettingsUpdate = update;
    this.settings = {
      ...this.settings,
      shop_name: update.shop_name,
      promptpay_id: update.promptpay_id,
      register_name: update.register_name,
      language: update.language,
      qr_countdown_seconds: update.qr_countdown_seconds,
      kiosk_idle_seconds: update.kiosk_idle_seconds,
      callback_listen: update.callback_listen,
      public_url: update.public_url,
      low_balance_alert: update.low_balance_alert,
      routing: update.routing,
      printer: update.printer,
      printer_width_dots: update.printer_width_dots,
      hub_url: update.hub_url,
      hub_token_set: update.hub_token !== null ? update.hub_token !== '' : this.settings.hub_token_set,
      hub_owner_token_set: update.hub_owner_token !== null ? update.hub_owner_token !== '' : this.settings.hub_owner_token_set,
    };
    return this.settings;
  }

  /** What the last save sent, for the tests to inspect. */
  lastSettingsUpdate: SettingsUpdate | null = null;

  private testConnection(provider: ProviderId): ConnectionTest {
    if (provider === 'wepay') return { provider, ok: true, balance_display: '12,345.00', error: null };
    if (provider === 'tmweasy') return { provider, ok: true, balance_display: null, error: null };
    return { provider, ok: false, balance_display: null, error: { code: 'provider_unavailable', message: `${provider}: connection refused (127.0.0.1:9)` } };
  }

  // --- Receipts ----------------------------------------------------------------------------------------

  private queueJob(saleId: string | null): PrintJobView {
    const job: PrintJobView = { id: this.nextJob++, sale_id: saleId, state: 'queued', attempts: 0, last_error: null, created_at: Date.now() };
    this.jobs.push(job);
    return job;
  }

  private retryPrint(jobId: number): PrintJobView {
    const job = this.jobs.find((entry) => entry.id === jobId);
    if (!job) fail('invalid_request', `no job ${jobId}`);
    job.state = 'queued';
    job.attempts += 1;
    job.last_error = null;
    return job;
  }

  /** A receipt drawn like the backend's (58 mm, 384 dots wide), so the preview has a real PNG. */
  private receiptPng(sale: SaleView): string {
    const canvas = document.createElement('canvas');
    canvas.width = 384;
    canvas.height = 420;
    const context = canvas.getContext('2d');
    if (!context) return '';
    context.fillStyle = 'white';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = 'black';
    context.textAlign = 'center';
    context.font = 'bold 26px Sarabun';
    context.fillText(this.settings.shop_name, 192, 40);
    context.font = '20px Sarabun';
    context.fillText('ใบเสร็จรับเงิน / Receipt', 192, 72);
    context.textAlign = 'left';
    const lines: [string, string][] = [
      ['รายการ', sale.id],
      ['เครือข่าย', sale.network_name],
      ['เบอร์', sale.phone_display],
      ['ชำระโดย', sale.method],
      ['ยอดเติม', `฿${sale.amount_display}`],
      ['สถานะ', sale.state],
    ];
    lines.forEach(([label, value], index) => {
      context.fillText(label, 16, 120 + index * 36);
      context.textAlign = 'right';
      context.fillText(value, 368, 120 + index * 36);
      context.textAlign = 'left';
    });
    context.textAlign = 'center';
    context.fillText('ขอบคุณที่ใช้บริการ', 192, 400);
    return canvas.toDataURL('image/png');
  }
}
