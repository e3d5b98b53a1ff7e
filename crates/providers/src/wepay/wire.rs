//! wePAY wire types: exactly what goes over the wire, prefixed `Wepay`.

use serde::Deserialize;

use crate::wire::WireScalar;

/// The envelope every JSON reply of `client_api.json.php` shares (wepay.md §3).
#[derive(Debug, Clone, Deserialize)]
pub struct WepayEnvelope {
    /// The 5-digit code (a string; a number is tolerated).
    pub code: Option<WireScalar>,
    /// The error text.
    pub desc: Option<String>,
    /// The error text as some replies name it.
    pub message: Option<String>,
}

/// Reply to `type=balance_inquiry` (wepay.md §4.1).
#[derive(Debug, Clone, Deserialize)]
pub struct WepayBalanceReply {
    /// Booked balance: a decimal string.
    pub ledger_balance: Option<WireScalar>,
    /// Available balance: a number in the seed, a string elsewhere: both accepted.
    pub available_balance: Option<WireScalar>,
}

/// Reply to `type=mtopup` (the order, wepay.md §4.4).
#[derive(Debug, Clone, Deserialize)]
pub struct WepayOrderReply {
    /// wePAY transaction id (string or number): persist it.
    pub transaction_id: Option<WireScalar>,
    /// Internal bill id.
    pub bill_id: Option<WireScalar>,
    /// Internal queue id.
    pub queue_id: Option<WireScalar>,
    /// Amount debited from the wallet.
    pub total_amount: Option<WireScalar>,
    /// Wallet balance after the debit.
    pub balance: Option<WireScalar>,
}

/// Reply to `type=get_output` (wepay.md §6).
#[derive(Debug, Clone, Deserialize)]
pub struct WepayGetOutputReply {
    /// The callback fields as one urlencoded string.
    pub output: Option<String>,
}

/// One `refN` input requirement of a service (wepay.md §4.2).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WepayRefSpec {
    /// The field's title.
    pub title: Option<String>,
    /// Minimum length.
    pub min_length: Option<WireScalar>,
    /// Maximum length.
    pub max_length: Option<WireScalar>,
}

/// Reply to `payee_info=true` (wepay.md §4.2).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WepayServiceInfo {
    /// Display name.
    pub service_name: Option<String>,
    /// Agent discount in percent, as sent.
    pub discount: Option<WireScalar>,
    /// Fee per transaction, as sent.
    pub fee: Option<WireScalar>,
    /// Minimum amount.
    pub sof_min: Option<WireScalar>,
    /// Maximum amount.
    pub sof_max: Option<WireScalar>,
    /// Allowed denominations.
    pub sof_defined_amounts: Option<Vec<WireScalar>>,
    /// Requirement for `pay_to_ref1`.
    pub ref1: Option<WepayRefSpec>,
    /// Requirement for `pay_to_ref2`.
    pub ref2: Option<WepayRefSpec>,
    /// Requirement for `pay_to_ref3`.
    pub ref3: Option<WepayRefSpec>,
}

/// `comp_export.php?json` (wepay.md §4.3). Only `mtopup` is read; other sections are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct WepayCatalogue {
    /// The sections.
    pub data: WepayCatalogueData,
}

/// The sections of the catalogue.
#[derive(Debug, Clone, Deserialize)]
pub struct WepayCatalogueData {
    /// Mobile top-up companies.
    #[serde(default)]
    pub mtopup: Vec<WepayCatalogueCompany>,
}

/// One company of the catalogue.
#[derive(Debug, Clone, Deserialize)]
pub struct WepayCatalogueCompany {
    /// `pay_to_company` code, e.g. `TRMV`.
    pub company_id: WireScalar,
    /// Thai display name.
    pub company_name: Option<String>,
    /// Fee.
    pub fee: Option<WireScalar>,
    /// Minimum amount.
    pub minimum_amount: Option<WireScalar>,
    /// Maximum amount.
    pub maximum_amount: Option<WireScalar>,
    /// Whether a top-up can be refunded.
    pub refundable: Option<bool>,
    /// Allowed prices.
    #[serde(default)]
    pub denomination: Vec<WepayDenomination>,
}

/// One allowed price.
#[derive(Debug, Clone, Deserialize)]
pub struct WepayDenomination {
    /// The exact price (packages are told apart by satang: `280.01`).
    pub price: WireScalar,
    /// HTML description, nullable.
    pub description: Option<String>,
}
