//! What the three payment simulators (Tmweasy, Deposit-QR, BluePay) share: the simulated
//! clock, hand-written JSON (money as decimal numbers without floats), Bangkok timestamps, the
//! PromptPay QR picture, and the `/_sim` routes that stand in for the customer.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use termdee_domain::Satang;

/// A forged callback, sent once on request so a test can check that the client rejects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Forgery {
    /// The payment's real data with a signature that does not verify (BluePay: signed with a
    /// key that is not the provider's; Deposit-QR has no signature, so a wrong `txn_ref_id`).
    BadSignature,
    /// The payment's order id, marked paid, with an amount other than the one asked for
    /// (correctly signed where the provider signs).
    WrongAmount,
    /// A paid callback for an order id the client never created (correctly signed).
    UnknownOrder,
}

/// The simulated clock of a payment simulator: tokio time (so a test may pause it) plus a
/// manual offset that [`advance`](SimClock::advance) moves forward (so a test over real HTTP
/// can jump past an expiry without sleeping).
#[derive(Debug)]
pub(crate) struct SimClock {
    start: tokio::time::Instant,
    wall_start_micros: i64,
    offset: Mutex<Duration>,
}

impl SimClock {
    pub fn new() -> Self {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        SimClock {
            start: tokio::time::Instant::now(),
            wall_start_micros: i64::try_from(wall.as_micros()).unwrap_or(0),
            offset: Mutex::new(Duration::ZERO),
        }
    }

    /// Time since the simulator started, on the simulated clock.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed() + *self.offset.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the simulated clock forward.
    pub fn advance(&self, by: Duration) {
        *self.offset.lock().unwrap_or_else(PoisonError::into_inner) += by;
    }

    /// Unix time in microseconds, on the simulated clock.
    pub fn wall_micros(&self) -> i64 {
        self.wall_start_micros + i64::try_from(self.elapsed().as_micros()).unwrap_or(0)
    }
}

/// A JSON value written by hand, so that money is a decimal number without a float.
pub(crate) enum J {
    /// A string.
    S(String),
    /// Raw JSON text: a number, `null`, `true`, an object written by [`object`].
    Raw(String),
}

/// `{"key":value,...}` in the order given.
pub(crate) fn object(entries: &[(&str, J)]) -> String {
    let parts: Vec<String> = entries
        .iter()
        .map(|(key, value)| {
            let value = match value {
                J::S(text) => serde_json::Value::String(text.clone()).to_string(),
                J::Raw(raw) => raw.clone(),
            };
            format!("{}:{}", serde_json::Value::String((*key).to_owned()), value)
        })
        .collect();
    format!("{{{}}}", parts.join(","))
}

/// Baht as a JSON number: `8032` when whole (as the real Deposit-QR sample), else `8032.01`.
pub(crate) fn baht_number(amount: Satang) -> String {
    if amount.is_whole_baht() {
        (amount.as_satang() / 100).to_string()
    } else {
        amount.to_baht_string()
    }
}

/// Reads a JSON number or numeric string (`1000`, `1000.00`, `"1000.00"`) as baht, exactly.
pub(crate) fn parse_baht_json(raw: &serde_json::value::RawValue) -> Option<Satang> {
    let text = raw.get().trim();
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    Satang::parse_baht(text).ok()
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's algorithm: days since 1970-01-01 → (year, month, day).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Bangkok local time (UTC+7) as `yyyy-MM-dd HH:mm:ss` (BluePay).
pub(crate) fn bangkok_plain(micros: i64) -> String {
    let (date, time, _) = bangkok_parts(micros);
    format!("{date} {time}")
}

/// Bangkok local time as ISO-8601 with microseconds and `+07:00` (Deposit-QR).
pub(crate) fn bangkok_iso(micros: i64) -> String {
    let (date, time, fraction) = bangkok_parts(micros);
    format!("{date}T{time}.{fraction:06}+07:00")
}

fn bangkok_parts(micros: i64) -> (String, String, i64) {
    let local = micros + 7 * 3600 * 1_000_000;
    let secs = local.div_euclid(1_000_000);
    let fraction = local.rem_euclid(1_000_000);
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let rest = secs.rem_euclid(86_400);
    (
        format!("{year:04}-{month:02}-{day:02}"),
        format!(
            "{:02}:{:02}:{:02}",
            rest / 3600,
            rest % 3600 / 60,
            rest % 60
        ),
        fraction,
    )
}

/// A PNG of a real PromptPay (EMVCo) payload paying `promptpay_id` (a mobile number or a
/// 13-digit id) `amount`; an empty vector if the id or amount cannot be encoded.
pub(crate) fn promptpay_png(promptpay_id: &str, amount: Satang) -> Vec<u8> {
    let made = termdee_promptpay::Target::parse_id(promptpay_id)
        .ok()
        .and_then(|target| termdee_promptpay::payload(&target, Some(amount)).ok())
        .and_then(|payload| {
            termdee_promptpay::render::png(
                &payload,
                &termdee_promptpay::render::RenderOptions::default(),
            )
            .ok()
        });
    made.unwrap_or_default()
}

/// Standard base64 with padding.
pub(crate) fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard base64; `None` if it is not.
pub(crate) fn unb64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()
}

/// The customer's side of a payment simulator, for the `/_sim` routes.
pub(crate) trait Customer: Send + Sync + 'static {
    /// The customer pays (the full amount, or `amount`).
    fn pay(&self, id: &str, amount: Option<Satang>) -> Result<(), String>;
    /// The payment fails (where the provider has a failure; Tmweasy has none).
    fn fail(&self, id: &str) -> Result<(), String>;
    /// The payment expires now.
    fn expire(&self, id: &str) -> Result<(), String>;
    /// The clock moves forward (expiring what is due).
    fn advance(&self, by: Duration);
    /// Sends a forged callback about `id`.
    fn forge(&self, id: &str, forgery: Forgery) -> Result<(), String>;
}

#[derive(Deserialize)]
struct IdBody {
    id: String,
    /// Baht, e.g. "50.00"; absent: the amount asked for.
    #[serde(default)]
    amount: Option<String>,
}

#[derive(Deserialize)]
struct AdvanceBody {
    #[serde(default)]
    secs: u64,
    #[serde(default)]
    ms: u64,
}

#[derive(Deserialize)]
struct ForgeBody {
    id: String,
    kind: Forgery,
}

type Answer = (StatusCode, Json<serde_json::Value>);

fn answer(result: Result<(), String>) -> Answer {
    match result {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({"ok": true}))),
        Err(error) => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"ok": false, "error": error})),
        ),
    }
}

fn pay_with(customer: &dyn Customer, id: &str, amount: Option<String>) -> Answer {
    let amount = match amount.map(|a| Satang::parse_baht(&a)) {
        None => None,
        Some(Ok(amount)) => Some(amount),
        Some(Err(error)) => return answer(Err(error.to_string())),
    };
    answer(customer.pay(id, amount))
}

/// `POST /_sim/pay`, `/_sim/pay/{id}`, `/_sim/fail[/{id}]`, `/_sim/expire[/{id}]`,
/// `/_sim/advance`, `/_sim/forge`.
pub(crate) fn customer_routes(customer: Arc<dyn Customer>) -> Router {
    type S = State<Arc<dyn Customer>>;
    Router::new()
        .route(
            "/_sim/pay",
            post(|State(c): S, Json(b): Json<IdBody>| async move {
                pay_with(c.as_ref(), &b.id, b.amount)
            }),
        )
        .route(
            "/_sim/pay/{id}",
            post(|State(c): S, Path(id): Path<String>| async move {
                pay_with(c.as_ref(), &id, None)
            }),
        )
        .route(
            "/_sim/fail",
            post(|State(c): S, Json(b): Json<IdBody>| async move { answer(c.fail(&b.id)) }),
        )
        .route(
            "/_sim/fail/{id}",
            post(|State(c): S, Path(id): Path<String>| async move { answer(c.fail(&id)) }),
        )
        .route(
            "/_sim/expire",
            post(|State(c): S, Json(b): Json<IdBody>| async move { answer(c.expire(&b.id)) }),
        )
        .route(
            "/_sim/expire/{id}",
            post(|State(c): S, Path(id): Path<String>| async move { answer(c.expire(&id)) }),
        )
        .route(
            "/_sim/advance",
            post(|State(c): S, Json(b): Json<AdvanceBody>| async move {
                c.advance(Duration::from_secs(b.secs) + Duration::from_millis(b.ms));
                answer(Ok(()))
            }),
        )
        .route(
            "/_sim/forge",
            post(|State(c): S, Json(b): Json<ForgeBody>| async move {
                answer(c.forge(&b.id, b.kind))
            }),
        )
        .with_state(customer)
}

/// A page with one button that POSTs to `action` (the hosted bill / cashier pages).
pub(crate) fn pay_page(title: &str, detail: &str, buttons: &[(&str, &str)]) -> String {
    let forms: String = buttons
        .iter()
        .map(|(action, label)| {
            format!("<form method=\"post\" action=\"{action}\"><button>{label}</button></form>")
        })
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1><p>{detail}</p>{forms}</body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bangkok_time_is_utc_plus_seven() {
        // 2025-07-01T06:26:57.906176Z is 13:26:57 in Bangkok (the Deposit-QR sample).
        let micros = 1_751_351_217_906_176;
        assert_eq!(bangkok_iso(micros), "2025-07-01T13:26:57.906176+07:00");
        assert_eq!(bangkok_plain(micros), "2025-07-01 13:26:57");
    }

    #[test]
    fn baht_json_reads_numbers_and_strings_exactly() {
        let raw = |t: &str| serde_json::value::RawValue::from_string(t.to_owned()).unwrap();
        assert_eq!(parse_baht_json(&raw("1000.00")), Some(Satang::new(100_000)));
        assert_eq!(
            parse_baht_json(&raw("\"8032.01\"")),
            Some(Satang::new(803_201))
        );
        assert_eq!(parse_baht_json(&raw("12")), Some(Satang::new(1200)));
        assert_eq!(parse_baht_json(&raw("1.005")), None);
        assert_eq!(baht_number(Satang::new(803_200)), "8032");
        assert_eq!(baht_number(Satang::new(803_201)), "8032.01");
    }
}
