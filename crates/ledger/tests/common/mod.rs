//! A shop on a fresh ledger file, and short ways to write sales through the public API.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::error::Error;
use std::path::PathBuf;

use tempfile::TempDir;
use termdee_domain::{
    Actor, ActorKind, BusinessDay, Msisdn, Network, PaymentMethod, Satang, UnixMillis,
};
use termdee_ledger::{
    Ledger, NewPayment, NewSale, NewTopup, Operator, OperatorRole, Payment, Register, RegisterKind,
    Sale,
};

/// What a helper returns: the test that calls it unwraps.
pub type TestResult<T = ()> = Result<T, Box<dyn Error>>;

/// The cashier logins and the kiosk of the test shop.
pub const OPERATORS: [&str; 3] = ["op-alpha", "op-bravo", "kiosk-1"];
pub const COUNTER: &str = "counter-1";
pub const KIOSK: &str = "kiosk-1";

/// A ledger in its own temporary folder (removed when the shop is dropped).
#[derive(Debug)]
pub struct Shop {
    pub ledger: Ledger,
    pub path: PathBuf,
    pub dir: TempDir,
}

/// 00:00 Bangkok on the first day the tests sell.
pub fn day_zero() -> TestResult<UnixMillis> {
    Ok(BusinessDay::parse("2026-03-01")?.start())
}

/// A fresh ledger with two registers and the operators of [`OPERATORS`].
pub fn shop() -> TestResult<Shop> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("ledger.sqlite");
    let ledger = Ledger::open(&path)?;
    let at = day_zero()?;
    ledger.upsert_register(
        &Register {
            id: COUNTER.into(),
            name: "Counter".into(),
            kind: RegisterKind::Counter,
        },
        at,
    )?;
    ledger.upsert_register(
        &Register {
            id: KIOSK.into(),
            name: "Kiosk".into(),
            kind: RegisterKind::Kiosk,
        },
        at,
    )?;
    for id in OPERATORS {
        let role = if id.starts_with("kiosk") {
            OperatorRole::Kiosk
        } else {
            OperatorRole::Cashier
        };
        ledger.upsert_operator(
            &Operator {
                id: id.into(),
                name: id.to_uppercase(),
                role,
                easysoft_users: format!("users-{id}"),
                active: true,
            },
            at,
        )?;
    }
    Ok(Shop { ledger, path, dir })
}

/// The actor an operator acts as.
pub fn actor_of(operator: &str) -> Actor {
    if operator.starts_with("kiosk") {
        Actor::new(ActorKind::Kiosk, operator)
    } else {
        Actor::new(ActorKind::Cashier, operator)
    }
}

pub fn owner() -> Actor {
    Actor::new(ActorKind::Owner, "owner")
}

pub fn callback(provider: &str) -> Actor {
    Actor::new(ActorKind::Callback, provider)
}

/// Our key for a sale's payment: the sale id for cash and local PromptPay, else a prefixed one.
pub fn payment_reference(sale_id: &str, method: PaymentMethod, attempt: u32) -> String {
    if method.needs_cashier() && attempt == 1 {
        sale_id.to_owned()
    } else {
        format!("{}-{sale_id}-{attempt}", method.code())
    }
}

/// A sale of `amount` satang of AIS credit by `operator` at `at`.
pub fn new_sale(
    id: &str,
    operator: &str,
    amount: i64,
    method: PaymentMethod,
    at: UnixMillis,
) -> TestResult<(NewSale, NewPayment)> {
    new_sale_on(id, operator, amount, method, Network::Ais, at)
}

/// A sale of `amount` satang of `network` credit by `operator` at `at`.
pub fn new_sale_on(
    id: &str,
    operator: &str,
    amount: i64,
    method: PaymentMethod,
    network: Network,
    at: UnixMillis,
) -> TestResult<(NewSale, NewPayment)> {
    let register = if operator.starts_with("kiosk") {
        KIOSK
    } else {
        COUNTER
    };
    let sale = NewSale {
        id: id.to_owned(),
        register_id: register.to_owned(),
        operator_id: operator.to_owned(),
        shift_id: None,
        network,
        phone: Msisdn::parse("0812345678")?,
        amount: Satang::new(amount),
        method,
        at,
    };
    let payment = NewPayment {
        method,
        reference: payment_reference(id, method, 1),
        amount: Satang::new(amount),
    };
    Ok((sale, payment))
}

/// Writes a sale awaiting payment.
pub fn create(
    ledger: &Ledger,
    id: &str,
    operator: &str,
    amount: i64,
    method: PaymentMethod,
    at: UnixMillis,
) -> TestResult<(Sale, Payment)> {
    let (sale, payment) = new_sale(id, operator, amount, method, at)?;
    Ok(ledger.create_sale(&sale, &payment, &actor_of(operator))?)
}

/// Writes a sale of `network` credit awaiting payment.
pub fn create_on(
    ledger: &Ledger,
    id: &str,
    operator: &str,
    amount: i64,
    method: PaymentMethod,
    network: Network,
    at: UnixMillis,
) -> TestResult<(Sale, Payment)> {
    let (sale, payment) = new_sale_on(id, operator, amount, method, network, at)?;
    Ok(ledger.create_sale(&sale, &payment, &actor_of(operator))?)
}

/// A wePAY top-up request for a sale of `amount`, with our key `reference`.
pub fn wepay_topup(reference: &str, amount: i64) -> NewTopup {
    NewTopup {
        provider: "wepay".into(),
        reference: reference.into(),
        product: "12CALL".into(),
        amount: Satang::new(amount),
        users: None,
    }
}

/// The kinds of a sale's events, in order.
pub fn event_kinds(ledger: &Ledger, sale_id: &str) -> TestResult<Vec<String>> {
    Ok(ledger
        .events_of(sale_id)?
        .into_iter()
        .map(|e| e.kind)
        .collect())
}

/// How many events the whole ledger holds, counted over a second connection to the file.
pub fn event_count(shop: &Shop) -> TestResult<i64> {
    Ok(raw(shop)?.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?)
}

/// A plain SQLite connection to the shop's file, beside the ledger's own.
pub fn raw(shop: &Shop) -> TestResult<rusqlite::Connection> {
    Ok(rusqlite::Connection::open(&shop.path)?)
}
