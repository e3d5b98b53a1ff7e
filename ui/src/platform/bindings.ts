// Generated from the Rust types in crates/app by `cargo xtask bindings`. Do not edit.

export type ErrorCode = "invalid_promptpay_id" | "invalid_amount" | "invalid_settings" | "invalid_phone" | "amount_not_sold" | "unknown_operator" | "payment_method_unavailable" | "invalid_request" | "not_permitted" | "ledger_unavailable" | "not_logged_in" | "invalid_pin" | "wrong_pin" | "operator_locked" | "setup_already_done" | "shift_not_open" | "shift_open" | "invalid_day" | "provider_unavailable" | "printer_unavailable" | "hub_unavailable" | "fleet_not_set_up" | "demo_only" | "internal";

export type AppError = { 
/**
 * The case, for the UI to branch on and translate.
 */
code: ErrorCode, 
/**
 * The detail, in English, naming the problem (e.g. which field and why).
 */
message: string, };

export type QrRequest = { 
/**
 * A mobile number (`081-234-5678`, `+66812345678`), a 13-digit national or tax ID, or a
 * 15-digit e-wallet ID.
 */
promptpay_id: string, 
/**
 * The amount in baht as typed (`150`, `150.50`); empty for a QR where the payer types it.
 */
amount: string, };

export type PayeeKind = "mobile" | "national_id" | "e_wallet" | "bill";

export type QrScreen = { 
/**
 * The EMVCo payload the QR encodes (ends with its CRC).
 */
payload: string, 
/**
 * The QR rendered in Rust: a `data:image/png;base64,…` URL, error correction M, quiet zone
 * of 4 modules.
 */
png_data_url: string, 
/**
 * The kind of account paid into.
 */
payee_kind: PayeeKind, 
/**
 * The account as a person reads it (`081-234-5678`).
 */
payee_display: string, 
/**
 * The amount in satang, or `null` for a QR where the payer types the amount.
 */
amount_satang: number | null, 
/**
 * The amount as a person reads it (`1,500.00`), or `null`.
 */
amount_display: string | null, 
/**
 * How long the QR stays payable, in seconds; the UI counts down on a monotonic clock.
 */
valid_for_seconds: number, };

export type Satang = number;

export type Network = "ais" | "dtac" | "true_move" | "my" | "penguin" | "feels";

export type PaymentMethod = "cash" | "prompt_pay_local" | "tmweasy" | "deposit_qr" | "blue_pay";

export type SaleState = "awaiting_payment" | "payment_expired" | "payment_cancelled" | "paid" | "topup_pending" | "needs_attention" | "completed" | "refund_due" | "refunded";

export type ActorKind = "cashier" | "kiosk" | "callback" | "poller" | "owner";

export type ReportDimension = "operator" | "network" | "provider" | "method" | "register";

export type OutcomeTotals = { 
/**
 * How many sales.
 */
count: number, 
/**
 * How much (satang): credit delivered, money refunded, money owed, money held.
 */
satang: Satang, };

export type ReportRow = { 
/**
 * The operator id, network code, provider name, method code or register id (`""` where a
 * sale has none, e.g. the provider of a sale that was never paid).
 */
key: string, 
/**
 * Every sale started (count), and the price of them all.
 */
sales: OutcomeTotals, 
/**
 * Money received from customers.
 */
received: OutcomeTotals, 
/**
 * Topped up: credit delivered.
 */
completed: OutcomeTotals, 
/**
 * Money handed back.
 */
refunded: OutcomeTotals, 
/**
 * Paid, not delivered, not yet handed back: owed to customers.
 */
refund_due: OutcomeTotals, 
/**
 * Paid, top-up outcome waiting for a person (unresolved): money held.
 */
needs_attention: OutcomeTotals, 
/**
 * Still being worked on by the engine (awaiting payment, paid, top-up pending): money held.
 */
in_progress: OutcomeTotals, 
/**
 * Never paid (QR expired, cancelled): count only.
 */
unpaid: OutcomeTotals, 
/**
 * What the top-up providers charged for the credit delivered (their discount taken off).
 */
cost: Satang, 
/**
 * Credit delivered minus its cost: what the shop earned on top-ups.
 */
margin: Satang, };

export type Role = "owner" | "cashier" | "kiosk";

export type OperatorView = { 
/**
 * Stable id (also sent as Easysoft `users` unless set otherwise).
 */
id: string, 
/**
 * Display name.
 */
name: string, 
/**
 * What they may do.
 */
role: Role, 
/**
 * Whether they may log in and sell.
 */
active: boolean, 
/**
 * Whether the account is locked after too many wrong PINs (an owner unlocks it).
 */
locked: boolean, };

export type OwnerSetup = { 
/**
 * The owner's name.
 */
name: string, 
/**
 * 4 to 8 digits.
 */
pin: string, 
/**
 * The shop's name, printed on receipts and shown on the kiosk.
 */
shop_name: string, };

export type LoginRequest = { 
/**
 * Who.
 */
operator_id: string, 
/**
 * Their PIN.
 */
pin: string, };

export type OperatorUpdate = { 
/**
 * Stable id (`cashier-1`); letters, digits, `-` and `_`.
 */
id: string, 
/**
 * Display name.
 */
name: string, 
/**
 * Owner, cashier or kiosk.
 */
role: Role, 
/**
 * A new PIN, or `null` to keep the current one (required for a new operator who logs in).
 */
pin: string | null, 
/**
 * Whether they may log in and sell.
 */
active: boolean, };

export type AppMode = "counter" | "kiosk";

export type Language = "th" | "en";

export type ShiftView = { 
/**
 * Row id.
 */
id: number, 
/**
 * Who.
 */
operator_id: string, 
/**
 * When it opened (Unix ms).
 */
opened_at: number, 
/**
 * Cash in the drawer at opening.
 */
opening_float: Satang, 
/**
 * `1,000.00`.
 */
opening_float_display: string, 
/**
 * Sales made in this shift so far.
 */
sales_count: number, };

export type ShopStatus = { 
/**
 * Running on the built-in provider simulators (no provider configured): show the DEMO banner.
 */
demo: boolean, 
/**
 * No owner yet: show the first-start screen.
 */
setup_needed: boolean, 
/**
 * Counter or kiosk.
 */
mode: AppMode, 
/**
 * The shop's name.
 */
shop_name: string, 
/**
 * This machine's register id (`counter-1`, `kiosk-1`).
 */
register_id: string, 
/**
 * This machine's register name.
 */
register_name: string, 
/**
 * The screen language chosen in settings.
 */
language: Language, 
/**
 * Who is logged in (a kiosk is logged in as its kiosk operator).
 */
operator: OperatorView | null, 
/**
 * The logged-in cashier's open shift.
 */
shift: ShiftView | null, 
/**
 * Why the machine must not sell now (ledger self-check failed, settings invalid, no
 * top-up provider reachable): shown to the person, and every sale is refused.
 */
problems: Array<AppError>, 
/**
 * Sales waiting for a person (refund due, outcome unknown) that this operator may see.
 */
attention_count: number, 
/**
 * Seconds of no touch after which the kiosk goes back to its attract screen.
 */
kiosk_idle_seconds: number, };

export type NetworkOffer = { 
/**
 * The network.
 */
network: Network, 
/**
 * Its name as customers know it (`AIS`, `dtac`, `TrueMove H`).
 */
name: string, 
/**
 * Quick-button amounts, from the routed providers' denominations.
 */
amounts: Array<Satang>, 
/**
 * The smallest amount sold.
 */
min: Satang, 
/**
 * The largest amount sold.
 */
max: Satang, 
/**
 * Whether any routed provider can sell it now (online, with balance).
 */
available: boolean, };

export type MethodOffer = { 
/**
 * The method.
 */
method: PaymentMethod, 
/**
 * Whether it is set up (a QR provider with credentials, a PromptPay ID for the local QR).
 */
available: boolean, };

export type Offer = { 
/**
 * The networks, in display order.
 */
networks: Array<NetworkOffer>, 
/**
 * The ways to pay (the kiosk offers only the QR providers).
 */
methods: Array<MethodOffer>, };

export type SaleInput = { 
/**
 * The network chosen.
 */
network: Network, 
/**
 * The number as typed (`081-234-5678`).
 */
phone: string, 
/**
 * The amount in baht as typed (`50`, `50.00`).
 */
amount: string, 
/**
 * How the customer pays.
 */
method: PaymentMethod, };

export type SaleAction = "confirm_payment" | "cancel" | "check_again" | "mark_refunded" | "mark_delivered" | "mark_not_delivered";

export type PaymentView = { 
/**
 * `intent`, `open`, `unknown`, `paid`, `expired`, `cancelled` or `failed`.
 */
state: string, 
/**
 * The QR to scan, as a `data:image/png;base64,…` URL (provider QR, a payment link drawn
 * as a QR, or the shop's own PromptPay QR).
 */
qr_png_data_url: string | null, 
/**
 * A payment link (BluePay `payUrl`), shown beside its QR.
 */
link: string | null, 
/**
 * What the customer must pay (a provider may add a few satang to tell transfers apart).
 */
amount: Satang, 
/**
 * `50.00`.
 */
amount_display: string, 
/**
 * When it expires (Unix ms), if it does.
 */
expires_at: number | null, 
/**
 * Seconds left when this reply was made; the UI counts down from here on a monotonic clock.
 */
seconds_left: number | null, };

export type TopupView = { 
/**
 * `wepay` or `easysoft`.
 */
provider: string, 
/**
 * `intent`, `pending`, `unknown`, `manual`, `succeeded`, `failed` or `rejected`.
 */
state: string, 
/**
 * Our key.
 */
reference: string, 
/**
 * The provider's id, once known.
 */
provider_ref: string | null, };

export type SaleView = { 
/**
 * The sale id.
 */
id: string, 
/**
 * Where it stands.
 */
state: SaleState, 
/**
 * The network.
 */
network: Network, 
/**
 * Its display name.
 */
network_name: string, 
/**
 * `081-234-5678`.
 */
phone_display: string, 
/**
 * The credit bought.
 */
amount: Satang, 
/**
 * `50.00`.
 */
amount_display: string, 
/**
 * How the customer pays.
 */
method: PaymentMethod, 
/**
 * Who sold it.
 */
operator_id: string, 
/**
 * When it started (Unix ms).
 */
created_at: number, 
/**
 * The live (or last) payment attempt.
 */
payment: PaymentView | null, 
/**
 * The live (or last) top-up attempt.
 */
topup: TopupView | null, 
/**
 * Why a person must look, in English for support (the UI shows a sentence per state).
 */
attention: string | null, 
/**
 * What the person in front of the screen may do now (already filtered by their role).
 */
actions: Array<SaleAction>, };

export type SaleResolution = { 
/**
 * The sale.
 */
sale_id: string, 
/**
 * What they did.
 */
action: SaleAction, 
/**
 * What they checked or did (kept in the ledger's event with who did it).
 */
note: string, };

export type SaleUpdated = { 
/**
 * The sale.
 */
sale_id: string, 
/**
 * Its state now.
 */
state: SaleState, 
/**
 * Whether a person must act now.
 */
needs_attention: boolean, };

export type OpenShift = { 
/**
 * The cash float in the drawer, in baht as typed.
 */
opening_float: string, };

export type CloseShift = { 
/**
 * The cash counted in the drawer, in baht as typed.
 */
counted_cash: string, };

export type ShiftClosed = { 
/**
 * The shift.
 */
shift_id: number, 
/**
 * Who.
 */
operator_id: string, 
/**
 * Opening float.
 */
opening_float: Satang, 
/**
 * Cash taken for sales in the shift.
 */
cash_sales: Satang, 
/**
 * Cash handed back for refunds in the shift.
 */
cash_refunds: Satang, 
/**
 * Float + cash sales − cash refunds.
 */
expected: Satang, 
/**
 * What was counted.
 */
counted: Satang, 
/**
 * Counted − expected (negative: cash missing).
 */
variance: Satang, 
/**
 * When it closed (Unix ms).
 */
closed_at: number, };

export type ReportRequest = { 
/**
 * First day, `YYYY-MM-DD` (Bangkok, CE).
 */
from: string, 
/**
 * Last day, inclusive.
 */
to: string, 
/**
 * The breakdown.
 */
by: ReportDimension, };

export type DayTotals = { 
/**
 * `YYYY-MM-DD`.
 */
day: string, 
/**
 * The day's totals.
 */
totals: ReportRow, };

export type ReportView = { 
/**
 * What was asked.
 */
request: ReportRequest, 
/**
 * One line per key.
 */
rows: Array<ReportRow>, 
/**
 * Every line added up.
 */
total: ReportRow, 
/**
 * Per day, every key added up.
 */
days: Array<DayTotals>, 
/**
 * Display names of the keys where known: operator names, and on a fleet report register
 * names too (operators of other registers are not in this machine's ledger).
 */
labels: { [key in string]: string }, };

export type ProviderBalance = { 
/**
 * `wepay` or `easysoft`.
 */
provider: string, 
/**
 * The wallet balance, when it could be read.
 */
balance: Satang | null, 
/**
 * `10,000.00`.
 */
balance_display: string | null, 
/**
 * Below the low-balance alert setting.
 */
low: boolean, 
/**
 * Why it could not be read.
 */
error: AppError | null, 
/**
 * Per network, whether the provider sells it now (Easysoft network status); empty where the
 * provider has no such query.
 */
networks: Array<NetworkStatus>, };

export type RegisterBalanceView = { 
/**
 * `wepay` or `easysoft`.
 */
provider: string, 
/**
 * The balance, when it could be read.
 */
balance: Satang | null, 
/**
 * `10,000.00`.
 */
balance_display: string | null, 
/**
 * Below this machine's low-balance alert setting.
 */
low: boolean, 
/**
 * Why it could not be read.
 */
error: string | null, 
/**
 * When it was read (Unix ms, register clock).
 */
checked_at: number, };

export type RegisterHealthView = { 
/**
 * The register's id.
 */
register_id: string, 
/**
 * Its name.
 */
name: string, 
/**
 * Its last contact with the hub (Unix ms), if it ever made one.
 */
last_seen_at: number | null, 
/**
 * Not heard from for longer than [`crate::shop::fleet_view::SILENT_AFTER_MS`] (or never): its
 * network, power or app may be down.
 */
silent: boolean, 
/**
 * Ledger entries it had and the hub did not, at its last contact.
 */
backlog: number, 
/**
 * Sales waiting for a person (refund due, outcome unknown).
 */
unresolved: number, 
/**
 * Sales its engine is still working on.
 */
in_progress: number, 
/**
 * Provider callbacks the hub holds for it, not yet handled.
 */
callbacks_waiting: number, 
/**
 * Provider callbacks it refused (unknown order, bad signature, …): look at them.
 */
callbacks_refused: number, 
/**
 * Its provider balances as it last read them.
 */
balances: Array<RegisterBalanceView>, };

export type FleetHealthView = { 
/**
 * When the hub computed it (Unix ms, hub clock).
 */
at: number, 
/**
 * One per enrolled register, by id.
 */
registers: Array<RegisterHealthView>, };

export type NetworkStatus = { 
/**
 * The network.
 */
network: Network, 
/**
 * Open for sale.
 */
online: boolean, };

export type ReconciliationDifference = { 
/**
 * The sale.
 */
sale_id: string, 
/**
 * Our top-up key.
 */
reference: string, 
/**
 * What our ledger says (`succeeded`, `needs_attention`, ...).
 */
ours: string, 
/**
 * What the provider says (`succeeded`, `failed`, `pending`, `unknown: …`).
 */
theirs: string, 
/**
 * Our amount and theirs differ, or only a state does.
 */
amount_differs: boolean, };

export type ProviderReconciliation = { 
/**
 * `wepay` or `easysoft`.
 */
provider: string, 
/**
 * Top-ups of the day we sent to it.
 */
checked: number, 
/**
 * Those whose state and amount agree.
 */
matching: number, 
/**
 * Credit delivered according to us.
 */
delivered: Satang, 
/**
 * Every disagreement, none left out.
 */
differences: Array<ReconciliationDifference>, };

export type ReconciliationView = { 
/**
 * `YYYY-MM-DD`.
 */
day: string, 
/**
 * Per provider.
 */
providers: Array<ProviderReconciliation>, };

export type ProviderId = "wepay" | "easysoft" | "tmweasy" | "deposit_qr" | "bluepay";

export type ProviderField = { 
/**
 * The key (`base_url`, `username`, `password`, ...).
 */
key: string, 
/**
 * A secret (password, API key, private key): never sent back in full.
 */
secret: boolean, 
/**
 * The value for plain fields; for a secret, a hint such as `••••1234`, or empty if unset.
 */
value: string, 
/**
 * Whether it must be set for the provider to work.
 */
required: boolean, };

export type ProviderSettingsView = { 
/**
 * Which provider.
 */
provider: ProviderId, 
/**
 * Whether the app uses it.
 */
enabled: boolean, 
/**
 * Its fields, in display order.
 */
fields: Array<ProviderField>, };

export type NetworkRoute = { 
/**
 * The network.
 */
network: Network, 
/**
 * `wepay`, `easysoft`, in order of preference.
 */
providers: Array<string>, };

export type SettingsView = { 
/**
 * The shop's name.
 */
shop_name: string, 
/**
 * The shop's PromptPay ID for the local QR (mobile, tax ID or e-wallet), or empty.
 */
promptpay_id: string, 
/**
 * This machine's register id.
 */
register_id: string, 
/**
 * This machine's register name (sent as Easysoft `users` for kiosk sales).
 */
register_name: string, 
/**
 * The screen language.
 */
language: Language, 
/**
 * How long a QR stays payable (seconds).
 */
qr_countdown_seconds: number, 
/**
 * Kiosk idle timeout (seconds).
 */
kiosk_idle_seconds: number, 
/**
 * Where the callback listener listens (`0.0.0.0:8787`), or empty for none (the engine polls).
 */
callback_listen: string, 
/**
 * The public base URL providers call back (`https://shop.example/`), or empty.
 */
public_url: string, 
/**
 * Below this, a provider balance is shown as low.
 */
low_balance_alert: Satang, 
/**
 * Routing per network.
 */
routing: Array<NetworkRoute>, 
/**
 * Every provider's settings.
 */
providers: Array<ProviderSettingsView>, 
/**
 * The receipt printer: `tcp://192.168.1.50:9100`, `/dev/usb/lp0`, or empty for none.
 */
printer: string, 
/**
 * Receipt paper width in dots (384 for 58 mm, 576 for 80 mm).
 */
printer_width_dots: number, 
/**
 * The fleet hub's URL, or empty.
 */
hub_url: string, 
/**
 * Whether a hub token is stored (never shown).
 */
hub_token_set: boolean, 
/**
 * Whether an owner token for the hub is stored (never shown): the owner screen then shows
 * the fleet.
 */
hub_owner_token_set: boolean, 
/**
 * Where secrets are kept: `keyring` (the OS keyring) or `encrypted_file`.
 */
secret_store: string, };

export type ProviderSettingsUpdate = { 
/**
 * Which provider.
 */
provider: ProviderId, 
/**
 * Whether the app uses it.
 */
enabled: boolean, 
/**
 * Plain fields by key.
 */
values: Array<[string, string]>, 
/**
 * Secrets by key: a new value, or `null` to keep the stored one. An empty string clears it.
 */
secrets: Array<[string, string | null]>, };

export type SettingsUpdate = { 
/**
 * See [`SettingsView`].
 */
shop_name: string, 
/**
 * See [`SettingsView`].
 */
promptpay_id: string, 
/**
 * See [`SettingsView`].
 */
register_name: string, 
/**
 * See [`SettingsView`].
 */
language: Language, 
/**
 * See [`SettingsView`].
 */
qr_countdown_seconds: number, 
/**
 * See [`SettingsView`].
 */
kiosk_idle_seconds: number, 
/**
 * See [`SettingsView`].
 */
callback_listen: string, 
/**
 * See [`SettingsView`].
 */
public_url: string, 
/**
 * See [`SettingsView`].
 */
low_balance_alert: Satang, 
/**
 * See [`SettingsView`].
 */
routing: Array<NetworkRoute>, 
/**
 * Provider settings (only those listed change).
 */
providers: Array<ProviderSettingsUpdate>, 
/**
 * See [`SettingsView`].
 */
printer: string, 
/**
 * See [`SettingsView`].
 */
printer_width_dots: number, 
/**
 * See [`SettingsView`].
 */
hub_url: string, 
/**
 * A new hub token, or `null` to keep the stored one.
 */
hub_token: string | null, 
/**
 * A new owner token for the hub (`termdee hub owner-token`), or `null` to keep the stored
 * one.
 */
hub_owner_token: string | null, };

export type ConnectionTest = { 
/**
 * Which provider.
 */
provider: ProviderId, 
/**
 * Whether it answered as expected.
 */
ok: boolean, 
/**
 * The balance it reported (top-up providers).
 */
balance_display: string | null, 
/**
 * What went wrong.
 */
error: AppError | null, };

export type ReceiptPreview = { 
/**
 * The sale.
 */
sale_id: string, 
/**
 * `data:image/png;base64,…`, the printer's width in pixels.
 */
png_data_url: string, };

export type PrintJobView = { 
/**
 * Job id.
 */
id: number, 
/**
 * The sale, or `null` for a test page.
 */
sale_id: string | null, 
/**
 * `queued`, `printing`, `printed` or `failed`.
 */
state: string, 
/**
 * How many times it was tried.
 */
attempts: number, 
/**
 * The last error (printer off, out of paper, timed out).
 */
last_error: string | null, 
/**
 * When it was queued (Unix ms).
 */
created_at: number, };
