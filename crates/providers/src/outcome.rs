//! Explicit outcomes of provider calls, shared by every provider.
//!
//! The central rule (DESIGN.md, money rule 3): a timeout, a 5xx, an HTML page or an unknown code
//! is an [`UnknownOutcome`], never a failure. Only an explicit provider answer is terminal.

use termdee_domain::Satang;

use crate::transport::TransportError;

/// What the caller should do to settle an unknown outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Send the identical request again with the same idempotency key (wePAY `dest_ref`): safe,
    /// because a duplicate is refused with `30016` instead of executed twice.
    ResendSameReference,
    /// Ask the provider for the status of the order (the provider's id is known).
    QueryStatus,
    /// Wait for the provider's callback, which carries the ids needed for a query.
    WaitForCallback,
    /// A person must reconcile (balance delta, back-office report). Never resend: the provider
    /// has no idempotency key (Easysoft refill, easysoft.md §7).
    ManualReconciliation,
}

/// Why the outcome of a call is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnknownReason {
    /// No complete reply within the total timeout.
    Timeout,
    /// No connection could be made. The request very probably never arrived, but nothing proves
    /// it, so this is still unknown.
    ConnectFailed,
    /// The connection broke after the request may have been sent.
    ConnectionDropped,
    /// The provider answered with an HTTP 5xx.
    ServerError {
        /// The HTTP status.
        status: u16,
    },
    /// An HTTP status that is neither success nor an understood error (3xx, a 4xx without a
    /// readable provider reply, e.g. a Cloudflare 403 page).
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
    },
    /// The body was not the expected JSON / XML / text (an HTML page, garbage, truncated).
    UnexpectedBody,
    /// A well-formed reply with a code this client does not know.
    UnknownCode {
        /// The code as received.
        code: String,
    },
    /// The provider reported an internal error that may have happened after the order was
    /// created (wePAY `10001`, `10002`, `10004`).
    ProviderInternalError {
        /// The provider's code.
        code: String,
    },
    /// The provider asked us to slow down (wePAY `10003`); resend later with the same key.
    RateLimited {
        /// The provider's code.
        code: String,
    },
}

/// An outcome that is not known: the order may or may not exist at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOutcome {
    /// Why it is unknown.
    pub reason: UnknownReason,
    /// Human-readable detail for logs and the operator (never contains secrets).
    pub detail: String,
    /// How to settle it.
    pub next_step: NextStep,
}

impl UnknownOutcome {
    /// An unknown outcome from a transport error.
    pub fn from_transport(error: &TransportError, next_step: NextStep) -> Self {
        let reason = match error {
            TransportError::Timeout(_) => UnknownReason::Timeout,
            TransportError::Connect(_) => UnknownReason::ConnectFailed,
            TransportError::Interrupted(_) | TransportError::TooLarge(_) => {
                UnknownReason::ConnectionDropped
            }
            // Built but refused by the HTTP stack: treated as unknown to stay on the safe side.
            TransportError::InvalidRequest(_) => UnknownReason::ConnectionDropped,
        };
        UnknownOutcome {
            reason,
            detail: error.to_string(),
            next_step,
        }
    }
}

/// Broad classes of provider refusals that the app and UI branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectKind {
    /// Username or password wrong or malformed.
    Credentials,
    /// The account may not use the API or this product.
    NotPermitted,
    /// The caller's IP address is not whitelisted.
    IpNotAllowed,
    /// Our configuration is wrong (e.g. the callback URL).
    Configuration,
    /// The product / company is unknown or not allowed (catalogue out of date).
    InvalidProduct,
    /// The amount is not allowed.
    InvalidAmount,
    /// The phone number or another customer reference is invalid: show it to the cashier.
    InvalidRecipient,
    /// Our reference (dest_ref / transaction id) is malformed.
    InvalidReference,
    /// The transaction does not exist.
    NotFound,
    /// The provider wallet has too little money.
    InsufficientBalance,
    /// The provider cannot say why (Easysoft's free-text `DETAIL`, wePAY's `ERROR|…` refund text).
    Unclassified,
}

/// A definite refusal: the provider answered and did nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The provider's code as received (`30019`, `STATUS=0`, `ERROR`).
    pub code: String,
    /// The class of the refusal.
    pub kind: RejectKind,
    /// The provider's message, verbatim (Thai text is kept as is), or our description of the code.
    pub message: String,
}

/// The provider took a top-up order: it exists and its result is pending. Not a success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopupAccepted {
    /// The provider's id of the order (wePAY `transaction_id`, Easysoft `ORDERID`): persist it.
    pub provider_ref: String,
    /// The amount debited from the provider wallet, when the provider says (wePAY `total_amount`).
    pub debited: Option<Satang>,
    /// The wallet balance after the debit, when the provider says (wePAY `balance`).
    pub balance_after: Option<Satang>,
    /// A discount as the provider sent it, uninterpreted (Easysoft `DISCOUNT`: unit unknown).
    pub discount_raw: Option<String>,
}

/// The synchronous outcome of submitting a top-up order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopupOutcome {
    /// The order exists; wait for the callback or query its status (wePAY `00000`, Easysoft
    /// `STATUS=1`). Accepted is not succeeded.
    Accepted(TopupAccepted),
    /// Our reference was already used (wePAY `30016`): an earlier attempt registered. Never a
    /// failure; wait for the callback, which carries the provider's id.
    AlreadyExists {
        /// Our reference that already exists.
        reference: String,
    },
    /// The provider refused the order; nothing was created and nothing debited.
    Rejected(Rejection),
    /// The order may or may not exist. Never report this as a failure.
    Unknown(UnknownOutcome),
}

impl TopupOutcome {
    /// True for [`TopupOutcome::Unknown`].
    pub fn is_unknown(&self) -> bool {
        matches!(self, TopupOutcome::Unknown(_))
    }
}

/// The details of a finished (or finishing) top-up, from a status query or a callback.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopupResult {
    /// The provider's id of the order.
    pub provider_ref: Option<String>,
    /// Our reference, when the provider echoes it (wePAY `dest_ref`).
    pub reference: Option<String>,
    /// The operator's transaction id, proof of top-up (wePAY `operator_trxnsid`).
    pub operator_ref: Option<String>,
    /// The provider's or operator's message, verbatim.
    pub message: Option<String>,
    /// An amount the provider reports, uninterpreted as to meaning (see each provider).
    pub amount_raw: Option<String>,
}

/// The state of a top-up at the provider, from a status query or a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopupStatus {
    /// Still processing.
    Pending,
    /// The credit reached the phone.
    Succeeded(TopupResult),
    /// The top-up failed or was cancelled and the provider re-credited its wallet.
    Failed(TopupResult),
    /// A status value this client does not know: not terminal; keep querying, alert after a while.
    Unknown {
        /// The raw status values, for the operator.
        raw: String,
    },
}

impl TopupStatus {
    /// True for [`TopupStatus::Succeeded`] and [`TopupStatus::Failed`].
    pub fn is_terminal(&self) -> bool {
        matches!(self, TopupStatus::Succeeded(_) | TopupStatus::Failed(_))
    }
}

/// The synchronous outcome of a refund / cancellation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    /// The request was accepted (not completed): the result comes later by callback or query.
    Accepted {
        /// The provider's refund id (wePAY `RID`), if it gives one.
        refund_id: Option<String>,
    },
    /// The provider refused the refund.
    Rejected(Rejection),
    /// Not known whether the request was registered.
    Unknown(UnknownOutcome),
}

/// A wallet balance at a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    /// The money available for new orders.
    pub available: Satang,
    /// The booked balance, where the provider reports one separately (wePAY `ledger_balance`).
    pub ledger: Option<Satang>,
}

/// One product a provider sells, from its catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueEntry {
    /// The product code to order with (wePAY `company_id`, Easysoft network number).
    pub product: String,
    /// The display name, verbatim.
    pub name: String,
    /// The smallest amount, if known.
    pub min: Option<Satang>,
    /// The largest amount, if known.
    pub max: Option<Satang>,
    /// The allowed amounts (empty when the provider does not list them).
    pub denominations: Vec<Satang>,
    /// Whether a successful top-up can be refunded, if known.
    pub refundable: Option<bool>,
}

/// Whether a provider currently sells one network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkAvailability {
    /// The product code (Easysoft network number).
    pub product: String,
    /// The network name.
    pub name: String,
    /// `Some(true)` open, `Some(false)` closed, `None` when the provider sent something else.
    pub available: Option<bool>,
}

/// The HTTP answer to give a provider's callback, exactly as it expects it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackReply {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}
