// Generated from the Rust types in crates/app by `cargo xtask bindings`. Do not edit.

export type ErrorCode = "invalid_promptpay_id" | "invalid_amount" | "invalid_settings" | "invalid_phone" | "amount_not_sold" | "unknown_operator" | "payment_method_unavailable" | "invalid_request" | "not_permitted" | "ledger_unavailable" | "internal";

export type AppError = { 
/**
 * The case, for the UI to branch on and translate.
 */
code: ErrorCode, 
/**
 * The detail, in English, naming the problem (e.g. which field and why).
 */
message: string, };

export type Settings = { 
/**
 * How long a QR stays payable on screen before it is shown as expired (default 5 minutes).
 */
qr_countdown_seconds: number, };

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
