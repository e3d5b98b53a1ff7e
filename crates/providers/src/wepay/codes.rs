//! The wePAY reply codes (wepay.md §3): one enum, one mapping, every documented code.

use crate::outcome::{RejectKind, UnknownReason};

/// A wePAY `code`, as documented in wepay.md §3 (00000 and 10001–30020).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WepayCode {
    /// `00000` success / accepted.
    Success,
    /// `10001` internal error: DB unreachable.
    DbUnreachable,
    /// `10002` internal error: incomplete transaction.
    IncompleteTransaction,
    /// `10003` internal error: too many requests.
    TooManyRequests,
    /// `10004` internal error creating a new transaction.
    CreateTransactionFailed,
    /// `20001` username or password format invalid.
    CredentialsFormat,
    /// `20003` username or password format invalid.
    CredentialsInvalid,
    /// `20004` username not allowed to use the API.
    ApiNotAllowed,
    /// `20005` IP address not allowed.
    IpNotAllowed,
    /// `30001` company not found.
    CompanyNotFound,
    /// `30002` invalid transaction id.
    InvalidTransactionId,
    /// `30003` transaction id not found.
    TransactionNotFound,
    /// `30004` transaction id is being processed.
    TransactionProcessing,
    /// `30005` invalid callback URL (`resp_url`).
    InvalidCallbackUrl,
    /// `30006` invalid callback reference id (`dest_ref`).
    InvalidDestRef,
    /// `30007` invalid amount.
    InvalidAmount,
    /// `30008` invalid company.
    InvalidCompany,
    /// `30009` invalid Ref.1 (phone number).
    InvalidRef1,
    /// `30010` invalid Ref.2.
    InvalidRef2,
    /// `30011` invalid Ref.3.
    InvalidRef3,
    /// `30012` invalid Ref.4.
    InvalidRef4,
    /// `30013` invalid barcode.
    InvalidBarcode,
    /// `30016` duplicate `dest_ref`.
    DuplicateDestRef,
    /// `30017` wrong company detected.
    WrongCompany,
    /// `30018` invalid debt amount.
    InvalidDebtAmount,
    /// `30019` insufficient balance.
    InsufficientBalance,
    /// `30020` payment to this company not allowed.
    CompanyNotAllowed,
    /// Any code not in wepay.md §3 (e.g. `30014`), kept verbatim. Never a failure.
    Unknown(String),
}

/// What a code means for the caller, independent of the operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WepayCodeClass {
    /// `00000`.
    Success,
    /// `30004`: the transaction exists and is still processing.
    InProgress,
    /// `30016`: the `dest_ref` already exists.
    Duplicate,
    /// The provider refused; nothing was done.
    Rejected(RejectKind),
    /// The outcome is not known.
    Unknown(UnknownReason),
}

impl WepayCode {
    /// Reads a code. Codes are 5-digit strings; surrounding spaces are ignored.
    pub fn parse(code: &str) -> WepayCode {
        match code.trim() {
            "00000" => WepayCode::Success,               // wepay.md §3 (seed [D])
            "10001" => WepayCode::DbUnreachable,         // wepay.md §3 [C]
            "10002" => WepayCode::IncompleteTransaction, // wepay.md §3 [C]
            "10003" => WepayCode::TooManyRequests,       // wepay.md §3 [C]
            "10004" => WepayCode::CreateTransactionFailed, // wepay.md §3 [C]
            "20001" => WepayCode::CredentialsFormat,     // wepay.md §3 [C]
            "20003" => WepayCode::CredentialsInvalid,    // wepay.md §3 [C]
            "20004" => WepayCode::ApiNotAllowed,         // wepay.md §3 [C]
            "20005" => WepayCode::IpNotAllowed,          // wepay.md §3 (seed [D])
            "30001" => WepayCode::CompanyNotFound,       // wepay.md §3 [C]
            "30002" => WepayCode::InvalidTransactionId,  // wepay.md §3 [C]
            "30003" => WepayCode::TransactionNotFound,   // wepay.md §3 [C]
            "30004" => WepayCode::TransactionProcessing, // wepay.md §3 [C], §6
            "30005" => WepayCode::InvalidCallbackUrl,    // wepay.md §3 (seed [D])
            "30006" => WepayCode::InvalidDestRef,        // wepay.md §3 [C], §4.4
            "30007" => WepayCode::InvalidAmount,         // wepay.md §3 [C]
            "30008" => WepayCode::InvalidCompany,        // wepay.md §3 [C]
            "30009" => WepayCode::InvalidRef1,           // wepay.md §3 [C]
            "30010" => WepayCode::InvalidRef2,           // wepay.md §3 [C]
            "30011" => WepayCode::InvalidRef3,           // wepay.md §3 [C]
            "30012" => WepayCode::InvalidRef4,           // wepay.md §3 [C]
            "30013" => WepayCode::InvalidBarcode,        // wepay.md §3 [C]
            "30016" => WepayCode::DuplicateDestRef,      // wepay.md §3 (seed [D]), §9
            "30017" => WepayCode::WrongCompany,          // wepay.md §3 [C]
            "30018" => WepayCode::InvalidDebtAmount,     // wepay.md §3 [C]
            "30019" => WepayCode::InsufficientBalance,   // wepay.md §3 (seed [D])
            "30020" => WepayCode::CompanyNotAllowed,     // wepay.md §3 [C]
            // Not in wepay.md §3: kept verbatim and mapped explicitly to Unknown.
            other => WepayCode::Unknown(other.to_owned()),
        }
    }

    /// The code as on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            WepayCode::Success => "00000",
            WepayCode::DbUnreachable => "10001",
            WepayCode::IncompleteTransaction => "10002",
            WepayCode::TooManyRequests => "10003",
            WepayCode::CreateTransactionFailed => "10004",
            WepayCode::CredentialsFormat => "20001",
            WepayCode::CredentialsInvalid => "20003",
            WepayCode::ApiNotAllowed => "20004",
            WepayCode::IpNotAllowed => "20005",
            WepayCode::CompanyNotFound => "30001",
            WepayCode::InvalidTransactionId => "30002",
            WepayCode::TransactionNotFound => "30003",
            WepayCode::TransactionProcessing => "30004",
            WepayCode::InvalidCallbackUrl => "30005",
            WepayCode::InvalidDestRef => "30006",
            WepayCode::InvalidAmount => "30007",
            WepayCode::InvalidCompany => "30008",
            WepayCode::InvalidRef1 => "30009",
            WepayCode::InvalidRef2 => "30010",
            WepayCode::InvalidRef3 => "30011",
            WepayCode::InvalidRef4 => "30012",
            WepayCode::InvalidBarcode => "30013",
            WepayCode::DuplicateDestRef => "30016",
            WepayCode::WrongCompany => "30017",
            WepayCode::InvalidDebtAmount => "30018",
            WepayCode::InsufficientBalance => "30019",
            WepayCode::CompanyNotAllowed => "30020",
            WepayCode::Unknown(code) => code,
        }
    }

    /// An English description (wepay.md §3), for logs and the owner.
    pub fn description(&self) -> &'static str {
        match self {
            WepayCode::Success => "success / accepted",
            WepayCode::DbUnreachable => "internal error: DB unreachable",
            WepayCode::IncompleteTransaction => "internal error: incomplete transaction",
            WepayCode::TooManyRequests => "internal error: too many requests",
            WepayCode::CreateTransactionFailed => "internal error creating new transaction",
            WepayCode::CredentialsFormat | WepayCode::CredentialsInvalid => {
                "username or password format invalid"
            }
            WepayCode::ApiNotAllowed => "username not allowed to use API",
            WepayCode::IpNotAllowed => "IP address not allowed",
            WepayCode::CompanyNotFound => "company not found",
            WepayCode::InvalidTransactionId => "invalid transaction ID",
            WepayCode::TransactionNotFound => "transaction ID not found",
            WepayCode::TransactionProcessing => "transaction ID is being processed",
            WepayCode::InvalidCallbackUrl => "invalid callback URL (resp_url)",
            WepayCode::InvalidDestRef => "invalid callback reference ID (dest_ref)",
            WepayCode::InvalidAmount => "invalid amount",
            WepayCode::InvalidCompany => "invalid company",
            WepayCode::InvalidRef1 => "invalid Ref.1 (phone number)",
            WepayCode::InvalidRef2 => "invalid Ref.2",
            WepayCode::InvalidRef3 => "invalid Ref.3",
            WepayCode::InvalidRef4 => "invalid Ref.4",
            WepayCode::InvalidBarcode => "invalid barcode",
            WepayCode::DuplicateDestRef => "duplicate callback reference ID (dest_ref)",
            WepayCode::WrongCompany => "wrong company detected",
            WepayCode::InvalidDebtAmount => "invalid debt amount",
            WepayCode::InsufficientBalance => "insufficient balance",
            WepayCode::CompanyNotAllowed => "payment to this company not allowed",
            WepayCode::Unknown(_) => "code not documented in wepay.md §3",
        }
    }

    /// The one mapping from code to meaning. Exhaustive: a new variant must be classified here.
    pub fn class(&self) -> WepayCodeClass {
        use WepayCodeClass::{Rejected, Unknown};
        let code = self.as_str().to_owned();
        match self {
            // §3: 00000 = success; on an order it means accepted, not completed (§4.4).
            WepayCode::Success => WepayCodeClass::Success,
            // §3 + §4.4: 10xxx internal errors may come after the order was created → unknown (§9).
            WepayCode::DbUnreachable
            | WepayCode::IncompleteTransaction
            | WepayCode::CreateTransactionFailed => {
                Unknown(UnknownReason::ProviderInternalError { code })
            }
            // §3 / §9.3: back off, retry the same dest_ref.
            WepayCode::TooManyRequests => Unknown(UnknownReason::RateLimited { code }),
            // §3: configuration errors.
            WepayCode::CredentialsFormat | WepayCode::CredentialsInvalid => {
                Rejected(RejectKind::Credentials)
            }
            WepayCode::ApiNotAllowed | WepayCode::CompanyNotAllowed => {
                Rejected(RejectKind::NotPermitted)
            }
            WepayCode::IpNotAllowed => Rejected(RejectKind::IpNotAllowed),
            WepayCode::InvalidCallbackUrl => Rejected(RejectKind::Configuration),
            // §3: catalogue / product problems.
            WepayCode::CompanyNotFound | WepayCode::InvalidCompany | WepayCode::WrongCompany => {
                Rejected(RejectKind::InvalidProduct)
            }
            // §3: ids.
            WepayCode::InvalidTransactionId | WepayCode::InvalidDestRef => {
                Rejected(RejectKind::InvalidReference)
            }
            WepayCode::TransactionNotFound => Rejected(RejectKind::NotFound),
            // §3, §6: get_output while processing.
            WepayCode::TransactionProcessing => WepayCodeClass::InProgress,
            // §3: amounts.
            WepayCode::InvalidAmount | WepayCode::InvalidDebtAmount => {
                Rejected(RejectKind::InvalidAmount)
            }
            // §3: customer references; show to the cashier.
            WepayCode::InvalidRef1
            | WepayCode::InvalidRef2
            | WepayCode::InvalidRef3
            | WepayCode::InvalidRef4
            | WepayCode::InvalidBarcode => Rejected(RejectKind::InvalidRecipient),
            // §3, §9.2: the dest_ref already exists: "already exists", never failure.
            WepayCode::DuplicateDestRef => WepayCodeClass::Duplicate,
            // §3: top up the wePAY wallet.
            WepayCode::InsufficientBalance => Rejected(RejectKind::InsufficientBalance),
            // Not documented: unknown, never failure.
            WepayCode::Unknown(_) => Unknown(UnknownReason::UnknownCode { code }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENTED: [&str; 27] = [
        "00000", "10001", "10002", "10003", "10004", "20001", "20003", "20004", "20005", "30001",
        "30002", "30003", "30004", "30005", "30006", "30007", "30008", "30009", "30010", "30011",
        "30012", "30013", "30016", "30017", "30018", "30019", "30020",
    ];

    #[test]
    fn every_documented_code_is_known_and_round_trips() {
        for code in DOCUMENTED {
            let parsed = WepayCode::parse(code);
            assert!(
                !matches!(parsed, WepayCode::Unknown(_)),
                "{code} is documented in §3"
            );
            assert_eq!(parsed.as_str(), code);
        }
    }

    #[test]
    fn undocumented_codes_are_unknown_never_rejected() {
        for code in ["30014", "30015", "99999", "", "0"] {
            let parsed = WepayCode::parse(code);
            assert_eq!(parsed, WepayCode::Unknown(code.to_owned()));
            assert!(
                matches!(parsed.class(), WepayCodeClass::Unknown(_)),
                "{code} must be unknown"
            );
        }
    }

    #[test]
    fn duplicate_is_its_own_class() {
        assert_eq!(WepayCode::parse("30016").class(), WepayCodeClass::Duplicate);
        assert_eq!(
            WepayCode::parse("30004").class(),
            WepayCodeClass::InProgress
        );
    }
}
