//! Easysoft wire types: the `<TOPUP>` reply, read with quick-xml serde.

use serde::Deserialize;

/// Every Easysoft reply: `<TOPUP>…</TOPUP>` (easysoft.md §2). All elements optional; which are
/// present depends on the operation.
#[allow(non_snake_case)]
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename = "TOPUP")]
pub struct EasysoftReply {
    /// `1` processed, `0` error (§2).
    pub STATUS: Option<String>,
    /// Free Thai text explaining an error, verbatim (§2, §6).
    pub DETAIL: Option<String>,
    /// Order id (refill, §3.1).
    pub ORDERID: Option<String>,
    /// Discount of the order, unit unknown (§3.1).
    pub DISCOUNT: Option<String>,
    /// Agent balance (update §3.2, balance §3.4).
    pub AMOUNT: Option<String>,
    /// Amount deducted for the order (update §3.2).
    pub REALAMOUNT: Option<String>,
    /// Refill result (update §3.2).
    pub STATUS_REFILL: Option<String>,
    /// Cancellation result (update §3.2).
    pub STATUS_CANCEL: Option<String>,
    /// Network status (§3.5).
    pub AIS: Option<String>,
    /// Network status (§3.5).
    pub DTAC: Option<String>,
    /// Network status (§3.5).
    pub TRUE: Option<String>,
    /// Network status (§3.5).
    pub TOT: Option<String>,
    /// Network status (§3.5).
    pub MY: Option<String>,
    /// Network status (§3.5).
    pub FEELS: Option<String>,
    /// Network status (§3.5).
    pub PENGUIN: Option<String>,
}
