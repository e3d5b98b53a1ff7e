//! What the screens send and see: every request and reply of the desktop app's commands.
//!
//! These types are the IPC contract. They derive `ts_rs::TS`, and `crate::bindings` writes them
//! to `ui/src/platform/bindings.ts`; a test fails when the checked-in file drifts. Money is
//! always satang (`number` in TypeScript) with a display string beside it where a screen shows
//! it, so the UI never formats or parses money itself; times are Unix milliseconds, and a
//! countdown comes as the seconds left *when the reply was made*, which the UI counts down on a
//! monotonic clock (money rule 8).

use serde::{Deserialize, Serialize};
use termdee_domain::report::{ReportDimension, ReportRow};
use termdee_domain::{Network, PaymentMethod, SaleState, Satang};
use ts_rs::TS;

use crate::error::AppError;

// ---------------------------------------------------------------------------------------------
// Who is at the machine

/// What an operator may do. Enforced in the backend on every command, not only hidden in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The shop owner: settings, operators, every report, resolving any sale, leaving kiosk mode.
    Owner,
    /// A cashier: sells at the counter, sees and settles their own shift only.
    Cashier,
    /// An unattended kiosk machine: sells by QR only; nothing else.
    Kiosk,
}

/// An operator as the screens show it (never with a PIN or its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OperatorView {
    /// Stable id (also sent as Easysoft `users` unless set otherwise).
    pub id: String,
    /// Display name.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// Whether they may log in and sell.
    pub active: bool,
    /// Whether the account is locked after too many wrong PINs (an owner unlocks it).
    pub locked: bool,
}

/// The owner's first start: there is no default PIN, the first person sets one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OwnerSetup {
    /// The owner's name.
    pub name: String,
    /// 4 to 8 digits.
    pub pin: String,
    /// The shop's name, printed on receipts and shown on the kiosk.
    pub shop_name: String,
}

/// Logging in at the machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LoginRequest {
    /// Who.
    pub operator_id: String,
    /// Their PIN.
    pub pin: String,
}

/// An operator added or changed by the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OperatorUpdate {
    /// Stable id (`cashier-1`); letters, digits, `-` and `_`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Owner, cashier or kiosk.
    pub role: Role,
    /// A new PIN, or `null` to keep the current one (required for a new operator who logs in).
    pub pin: Option<String>,
    /// Whether they may log in and sell.
    pub active: bool,
}

/// Whether the machine sells at a counter or as an unattended kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AppMode {
    /// A cashier at a counter: keyboard-first, cash and QR.
    Counter,
    /// Full screen, unattended, QR only; leaving needs the owner PIN.
    Kiosk,
}

/// The screen language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// Thai (the default).
    #[default]
    Th,
    /// English.
    En,
}

/// A cashier's shift as they may see it while it is open (no expected cash: the count is blind).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShiftView {
    /// Row id.
    pub id: i64,
    /// Who.
    pub operator_id: String,
    /// When it opened (Unix ms).
    pub opened_at: i64,
    /// Cash in the drawer at opening.
    pub opening_float: Satang,
    /// `1,000.00`.
    pub opening_float_display: String,
    /// Sales made in this shift so far.
    pub sales_count: i64,
}

/// Everything the shell needs to choose a screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShopStatus {
    /// Running on the built-in provider simulators (no provider configured): show the DEMO banner.
    pub demo: bool,
    /// No owner yet: show the first-start screen.
    pub setup_needed: bool,
    /// Counter or kiosk.
    pub mode: AppMode,
    /// The shop's name.
    pub shop_name: String,
    /// This machine's register id (`counter-1`, `kiosk-1`).
    pub register_id: String,
    /// This machine's register name.
    pub register_name: String,
    /// The screen language chosen in settings.
    pub language: Language,
    /// Who is logged in (a kiosk is logged in as its kiosk operator).
    pub operator: Option<OperatorView>,
    /// The logged-in cashier's open shift.
    pub shift: Option<ShiftView>,
    /// Why the machine must not sell now (ledger self-check failed, settings invalid, no
    /// top-up provider reachable): shown to the person, and every sale is refused.
    pub problems: Vec<AppError>,
    /// Sales waiting for a person (refund due, outcome unknown) that this operator may see.
    pub attention_count: i64,
    /// Seconds of no touch after which the kiosk goes back to its attract screen.
    pub kiosk_idle_seconds: u32,
}

// ---------------------------------------------------------------------------------------------
// Selling

/// A network as offered for sale now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NetworkOffer {
    /// The network.
    pub network: Network,
    /// Its name as customers know it (`AIS`, `dtac`, `TrueMove H`).
    pub name: String,
    /// Quick-button amounts, from the routed providers' denominations.
    pub amounts: Vec<Satang>,
    /// The smallest amount sold.
    pub min: Satang,
    /// The largest amount sold.
    pub max: Satang,
    /// Whether any routed provider can sell it now (online, with balance).
    pub available: bool,
}

/// A way to pay, as offered on this machine now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MethodOffer {
    /// The method.
    pub method: PaymentMethod,
    /// Whether it is set up (a QR provider with credentials, a PromptPay ID for the local QR).
    pub available: bool,
}

/// What can be sold here now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Offer {
    /// The networks, in display order.
    pub networks: Vec<NetworkOffer>,
    /// The ways to pay (the kiosk offers only the QR providers).
    pub methods: Vec<MethodOffer>,
}

/// A sale as typed by the cashier or the kiosk customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SaleInput {
    /// The network chosen.
    pub network: Network,
    /// The number as typed (`081-234-5678`).
    pub phone: String,
    /// The amount in baht as typed (`50`, `50.00`).
    pub amount: String,
    /// How the customer pays.
    pub method: PaymentMethod,
}

/// What a person can do with a sale now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SaleAction {
    /// The cashier took the cash / saw the PromptPay transfer arrive.
    ConfirmPayment,
    /// The customer left before paying.
    Cancel,
    /// Ask the provider again now (unknown outcome, pending payment).
    CheckAgain,
    /// The money was handed back at the counter (refund due → refunded).
    MarkRefunded,
    /// Checked with the provider: the credit arrived (needs attention → completed).
    MarkDelivered,
    /// Checked with the provider: the credit did not arrive (needs attention → refund due).
    MarkNotDelivered,
}

/// A payment attempt as the QR screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PaymentView {
    /// `intent`, `open`, `unknown`, `paid`, `expired`, `cancelled` or `failed`.
    pub state: String,
    /// The QR to scan, as a `data:image/png;base64,…` URL (provider QR, a payment link drawn
    /// as a QR, or the shop's own PromptPay QR).
    pub qr_png_data_url: Option<String>,
    /// A payment link (BluePay `payUrl`), shown beside its QR.
    pub link: Option<String>,
    /// What the customer must pay (a provider may add a few satang to tell transfers apart).
    pub amount: Satang,
    /// `50.00`.
    pub amount_display: String,
    /// When it expires (Unix ms), if it does.
    pub expires_at: Option<i64>,
    /// Seconds left when this reply was made; the UI counts down from here on a monotonic clock.
    pub seconds_left: Option<i64>,
}

/// A top-up attempt as the screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TopupView {
    /// `wepay` or `easysoft`.
    pub provider: String,
    /// `intent`, `pending`, `unknown`, `manual`, `succeeded`, `failed` or `rejected`.
    pub state: String,
    /// Our key.
    pub reference: String,
    /// The provider's id, once known.
    pub provider_ref: Option<String>,
}

/// One sale, as every screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SaleView {
    /// The sale id.
    pub id: String,
    /// Where it stands.
    pub state: SaleState,
    /// The network.
    pub network: Network,
    /// Its display name.
    pub network_name: String,
    /// `081-234-5678`.
    pub phone_display: String,
    /// The credit bought.
    pub amount: Satang,
    /// `50.00`.
    pub amount_display: String,
    /// How the customer pays.
    pub method: PaymentMethod,
    /// Who sold it.
    pub operator_id: String,
    /// When it started (Unix ms).
    pub created_at: i64,
    /// The live (or last) payment attempt.
    pub payment: Option<PaymentView>,
    /// The live (or last) top-up attempt.
    pub topup: Option<TopupView>,
    /// Why a person must look, in English for support (the UI shows a sentence per state).
    pub attention: Option<String>,
    /// What the person in front of the screen may do now (already filtered by their role).
    pub actions: Vec<SaleAction>,
}

/// A person settles a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SaleResolution {
    /// The sale.
    pub sale_id: String,
    /// What they did.
    pub action: SaleAction,
    /// What they checked or did (kept in the ledger's event with who did it).
    pub note: String,
}

/// A change pushed to the screens as the Tauri event `sale-updated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SaleUpdated {
    /// The sale.
    pub sale_id: String,
    /// Its state now.
    pub state: SaleState,
    /// Whether a person must act now.
    pub needs_attention: bool,
}

// ---------------------------------------------------------------------------------------------
// Shifts

/// Opening a shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OpenShift {
    /// The cash float in the drawer, in baht as typed.
    pub opening_float: String,
}

/// Closing a shift: the cashier counts first, and sees the expected figure only afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CloseShift {
    /// The cash counted in the drawer, in baht as typed.
    pub counted_cash: String,
}

/// A closed shift's cash: expected against counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ShiftClosed {
    /// The shift.
    pub shift_id: i64,
    /// Who.
    pub operator_id: String,
    /// Opening float.
    pub opening_float: Satang,
    /// Cash taken for sales in the shift.
    pub cash_sales: Satang,
    /// Cash handed back for refunds in the shift.
    pub cash_refunds: Satang,
    /// Float + cash sales − cash refunds.
    pub expected: Satang,
    /// What was counted.
    pub counted: Satang,
    /// Counted − expected (negative: cash missing).
    pub variance: Satang,
    /// When it closed (Unix ms).
    pub closed_at: i64,
}

// ---------------------------------------------------------------------------------------------
// Owner reports

/// Which report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReportRequest {
    /// First day, `YYYY-MM-DD` (Bangkok, CE).
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
    /// The breakdown.
    pub by: ReportDimension,
}

/// One day's figures, for the chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DayTotals {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// The day's totals.
    pub totals: ReportRow,
}

/// A report: one line per key, the total, and the days for a chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReportView {
    /// What was asked.
    pub request: ReportRequest,
    /// One line per key.
    pub rows: Vec<ReportRow>,
    /// Every line added up.
    pub total: ReportRow,
    /// Per day, every key added up.
    pub days: Vec<DayTotals>,
    /// Display names of the keys where known: operator names, and on a fleet report register
    /// names too (operators of other registers are not in this machine's ledger).
    pub labels: std::collections::BTreeMap<String, String>,
}

/// A provider's balance and health, for the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProviderBalance {
    /// `wepay` or `easysoft`.
    pub provider: String,
    /// The wallet balance, when it could be read.
    pub balance: Option<Satang>,
    /// `10,000.00`.
    pub balance_display: Option<String>,
    /// Below the low-balance alert setting.
    pub low: bool,
    /// Why it could not be read.
    pub error: Option<AppError>,
    /// Per network, whether the provider sells it now (Easysoft network status); empty where the
    /// provider has no such query.
    pub networks: Vec<NetworkStatus>,
}

/// One network's status at a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NetworkStatus {
    /// The network.
    pub network: Network,
    /// Open for sale.
    pub online: bool,
}

/// Every register of the fleet as the hub sees it (the owner screen's fleet panel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FleetHealthView {
    /// When the hub computed it (Unix ms, hub clock).
    #[ts(type = "number")]
    pub at: i64,
    /// One per enrolled register, by id.
    pub registers: Vec<RegisterHealthView>,
}

/// How one register is doing, for the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RegisterHealthView {
    /// The register's id.
    pub register_id: String,
    /// Its name.
    pub name: String,
    /// Its last contact with the hub (Unix ms), if it ever made one.
    #[ts(type = "number | null")]
    pub last_seen_at: Option<i64>,
    /// Not heard from for longer than [`crate::shop::fleet_view::SILENT_AFTER_MS`] (or never): its
    /// network, power or app may be down.
    pub silent: bool,
    /// Ledger entries it had and the hub did not, at its last contact.
    #[ts(type = "number")]
    pub backlog: i64,
    /// Sales waiting for a person (refund due, outcome unknown).
    #[ts(type = "number")]
    pub unresolved: i64,
    /// Sales its engine is still working on.
    #[ts(type = "number")]
    pub in_progress: i64,
    /// Provider callbacks the hub holds for it, not yet handled.
    #[ts(type = "number")]
    pub callbacks_waiting: i64,
    /// Provider callbacks it refused (unknown order, bad signature, …): look at them.
    #[ts(type = "number")]
    pub callbacks_refused: i64,
    /// Its provider balances as it last read them.
    pub balances: Vec<RegisterBalanceView>,
}

/// One provider balance a register last read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RegisterBalanceView {
    /// `wepay` or `easysoft`.
    pub provider: String,
    /// The balance, when it could be read.
    pub balance: Option<Satang>,
    /// `10,000.00`.
    pub balance_display: Option<String>,
    /// Below this machine's low-balance alert setting.
    pub low: bool,
    /// Why it could not be read.
    pub error: Option<String>,
    /// When it was read (Unix ms, register clock).
    #[ts(type = "number")]
    pub checked_at: i64,
}

/// One difference between our ledger and a provider's records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReconciliationDifference {
    /// The sale.
    pub sale_id: String,
    /// Our top-up key.
    pub reference: String,
    /// What our ledger says (`succeeded`, `needs_attention`, ...).
    pub ours: String,
    /// What the provider says (`succeeded`, `failed`, `pending`, `unknown: …`).
    pub theirs: String,
    /// Our amount and theirs differ, or only a state does.
    pub amount_differs: bool,
}

/// One provider's day, reconciled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProviderReconciliation {
    /// `wepay` or `easysoft`.
    pub provider: String,
    /// Top-ups of the day we sent to it.
    pub checked: i64,
    /// Those whose state and amount agree.
    pub matching: i64,
    /// Credit delivered according to us.
    pub delivered: Satang,
    /// Every disagreement, none left out.
    pub differences: Vec<ReconciliationDifference>,
}

/// A day reconciled against every provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReconciliationView {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Per provider.
    pub providers: Vec<ProviderReconciliation>,
}

// ---------------------------------------------------------------------------------------------
// Settings (owner only)

/// A provider the app can talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProviderId {
    /// wePAY (top-ups).
    Wepay,
    /// Easysoft TOPUP v2 (top-ups).
    Easysoft,
    /// Tmweasy Mae Manee (QR payments).
    Tmweasy,
    /// Deposit-QR / RichPay (QR payments).
    DepositQr,
    /// BluePay WebPay (QR / wallet payments).
    Bluepay,
}

/// One setting of a provider, as the settings screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProviderField {
    /// The key (`base_url`, `username`, `password`, ...).
    pub key: String,
    /// A secret (password, API key, private key): never sent back in full.
    pub secret: bool,
    /// The value for plain fields; for a secret, a hint such as `••••1234`, or empty if unset.
    pub value: String,
    /// Whether it must be set for the provider to work.
    pub required: bool,
}

/// A provider's settings as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProviderSettingsView {
    /// Which provider.
    pub provider: ProviderId,
    /// Whether the app uses it.
    pub enabled: bool,
    /// Its fields, in display order.
    pub fields: Vec<ProviderField>,
}

/// Routing for one network: the top-up providers to try, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NetworkRoute {
    /// The network.
    pub network: Network,
    /// `wepay`, `easysoft`, in order of preference.
    pub providers: Vec<String>,
}

/// The settings screen's content (secrets masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettingsView {
    /// The shop's name.
    pub shop_name: String,
    /// The shop's PromptPay ID for the local QR (mobile, tax ID or e-wallet), or empty.
    pub promptpay_id: String,
    /// This machine's register id.
    pub register_id: String,
    /// This machine's register name (sent as Easysoft `users` for kiosk sales).
    pub register_name: String,
    /// The screen language.
    pub language: Language,
    /// How long a QR stays payable (seconds).
    pub qr_countdown_seconds: u32,
    /// Kiosk idle timeout (seconds).
    pub kiosk_idle_seconds: u32,
    /// Where the callback listener listens (`0.0.0.0:8787`), or empty for none (the engine polls).
    pub callback_listen: String,
    /// The public base URL providers call back (`https://shop.example/`), or empty.
    pub public_url: String,
    /// Below this, a provider balance is shown as low.
    pub low_balance_alert: Satang,
    /// Routing per network.
    pub routing: Vec<NetworkRoute>,
    /// Every provider's settings.
    pub providers: Vec<ProviderSettingsView>,
    /// The receipt printer: `tcp://192.168.1.50:9100`, `/dev/usb/lp0`, or empty for none.
    pub printer: String,
    /// Receipt paper width in dots (384 for 58 mm, 576 for 80 mm).
    pub printer_width_dots: u32,
    /// The fleet hub's URL, or empty.
    pub hub_url: String,
    /// Whether a hub token is stored (never shown).
    pub hub_token_set: bool,
    /// Whether an owner token for the hub is stored (never shown): the owner screen then shows
    /// the fleet.
    pub hub_owner_token_set: bool,
    /// Where secrets are kept: `keyring` (the OS keyring) or `encrypted_file`.
    pub secret_store: String,
}

/// One provider's settings as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProviderSettingsUpdate {
    /// Which provider.
    pub provider: ProviderId,
    /// Whether the app uses it.
    pub enabled: bool,
    /// Plain fields by key.
    pub values: Vec<(String, String)>,
    /// Secrets by key: a new value, or `null` to keep the stored one. An empty string clears it.
    pub secrets: Vec<(String, Option<String>)>,
}

/// The settings screen's "save" (owner only; refused while a shift is open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettingsUpdate {
    /// See [`SettingsView`].
    pub shop_name: String,
    /// See [`SettingsView`].
    pub promptpay_id: String,
    /// See [`SettingsView`].
    pub register_name: String,
    /// See [`SettingsView`].
    pub language: Language,
    /// See [`SettingsView`].
    pub qr_countdown_seconds: u32,
    /// See [`SettingsView`].
    pub kiosk_idle_seconds: u32,
    /// See [`SettingsView`].
    pub callback_listen: String,
    /// See [`SettingsView`].
    pub public_url: String,
    /// See [`SettingsView`].
    pub low_balance_alert: Satang,
    /// See [`SettingsView`].
    pub routing: Vec<NetworkRoute>,
    /// Provider settings (only those listed change).
    pub providers: Vec<ProviderSettingsUpdate>,
    /// See [`SettingsView`].
    pub printer: String,
    /// See [`SettingsView`].
    pub printer_width_dots: u32,
    /// See [`SettingsView`].
    pub hub_url: String,
    /// A new hub token, or `null` to keep the stored one.
    pub hub_token: Option<String>,
    /// A new owner token for the hub (`termdee hub owner-token`), or `null` to keep the stored
    /// one.
    pub hub_owner_token: Option<String>,
}

/// "Test connection" for one provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectionTest {
    /// Which provider.
    pub provider: ProviderId,
    /// Whether it answered as expected.
    pub ok: bool,
    /// The balance it reported (top-up providers).
    pub balance_display: Option<String>,
    /// What went wrong.
    pub error: Option<AppError>,
}

// ---------------------------------------------------------------------------------------------
// Receipts

/// A receipt rendered for the screen, exactly as it prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReceiptPreview {
    /// The sale.
    pub sale_id: String,
    /// `data:image/png;base64,…`, the printer's width in pixels.
    pub png_data_url: String,
}

/// A receipt waiting for (or sent to) the printer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrintJobView {
    /// Job id.
    pub id: i64,
    /// The sale, or `null` for a test page.
    pub sale_id: Option<String>,
    /// `queued`, `printing`, `printed` or `failed`.
    pub state: String,
    /// How many times it was tried.
    pub attempts: i64,
    /// The last error (printer off, out of paper, timed out).
    pub last_error: Option<String>,
    /// When it was queued (Unix ms).
    pub created_at: i64,
}
