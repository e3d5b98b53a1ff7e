//! Operators, shifts and reports at the backend boundary: every function a screen calls, with
//! an owner, a cashier and a kiosk session — what each may do, what each is refused
//! ([`ErrorCode::NotPermitted`]), the PIN rules, the blind shift close, and the reports (a
//! cashier's never holds another operator's sales; the CSV reads back as it was written).

use proptest::prelude::*;
use termdee_app::auth::{
    require, require_resolve, require_sell, Operators, Permission, PinCost, Session,
};
use termdee_app::error::ErrorCode;
use termdee_app::reports::{self, read_csv, render_csv};
use termdee_app::shifts::Shifts;
use termdee_app::shop::views::{
    CloseShift, LoginRequest, OpenShift, OperatorUpdate, OwnerSetup, ReportRequest, ReportView,
    Role,
};
use termdee_domain::report::{OutcomeTotals, ReportDimension, ReportRow};
use termdee_domain::{
    Actor, BusinessDay, Clock, ManualClock, Msisdn, Network, PaymentMethod, Satang,
};
use termdee_ledger::{Ledger, NewPayment, NewSale, NewTopup, Register, RegisterKind, TopupState};

const COUNTER: &str = "counter-1";
const COUNTER_2: &str = "counter-2";
const KIOSK: &str = "kiosk-1";
const OWNER_PIN: &str = "246810";
const DAY: &str = "2026-03-01";
const MINUTE: i64 = 60_000;

struct Shop {
    ledger: Ledger,
    clock: ManualClock,
    _dir: tempfile::TempDir,
}

impl Shop {
    fn operators(&self) -> Operators<'_> {
        Operators::new(&self.ledger, &self.clock, PinCost::TESTS_ONLY)
    }

    fn shifts(&self) -> Shifts<'_> {
        Shifts::new(&self.ledger, &self.clock)
    }

    fn login(&self, id: &str, pin: &str, register: &str) -> Session {
        self.operators()
            .login(
                &LoginRequest {
                    operator_id: id.into(),
                    pin: pin.into(),
                },
                register,
            )
            .unwrap_or_else(|e| panic!("{id} logs in: {e:?}"))
    }

    fn login_error(&self, id: &str, pin: &str) -> ErrorCode {
        self.operators()
            .login(
                &LoginRequest {
                    operator_id: id.into(),
                    pin: pin.into(),
                },
                COUNTER,
            )
            .expect_err("the login is refused")
            .code
    }
}

/// A fresh shop with its registers, the owner (set up through the first start), two cashiers
/// (`cash-a` PIN 1111, `cash-b` PIN 2222) and the kiosk; returns it with the owner's session.
fn shop() -> (Shop, Session) {
    let dir = tempfile::tempdir().expect("the test shop is set up");
    let ledger = Ledger::open(dir.path().join("ledger.sqlite")).expect("the test shop is set up");
    let clock = ManualClock::at(
        BusinessDay::parse(DAY)
            .expect("the test shop is set up")
            .start()
            + 8 * 60 * MINUTE,
    );
    for (id, kind) in [
        (COUNTER, RegisterKind::Counter),
        (COUNTER_2, RegisterKind::Counter),
        (KIOSK, RegisterKind::Kiosk),
    ] {
        ledger
            .upsert_register(
                &Register {
                    id: id.into(),
                    name: id.into(),
                    kind,
                },
                clock.now(),
            )
            .expect("test setup");
    }
    let shop = Shop {
        ledger,
        clock,
        _dir: dir,
    };
    shop.operators()
        .setup_owner(&OwnerSetup {
            name: "Somchai".into(),
            pin: OWNER_PIN.into(),
            shop_name: "Termdee Phuket".into(),
        })
        .expect("test setup");
    let owner = shop.login("owner", OWNER_PIN, COUNTER);
    for (id, pin) in [("cash-a", "1111"), ("cash-b", "2222")] {
        shop.operators()
            .save(
                &owner,
                &OperatorUpdate {
                    id: id.into(),
                    name: format!("Cashier {id}"),
                    role: Role::Cashier,
                    pin: Some(pin.into()),
                    active: true,
                },
            )
            .expect("test setup");
    }
    shop.operators()
        .kiosk_operator(KIOSK, "Kiosk 1")
        .expect("the test shop is set up");
    (shop, owner)
}

fn code<T: std::fmt::Debug>(result: Result<T, termdee_app::AppError>) -> ErrorCode {
    result.expect_err("refused").code
}

// ----- first start and login ---------------------------------------------------------------------

#[test]
fn the_first_start_creates_the_owner_once_with_no_default_pin() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("l.sqlite")).unwrap();
    let clock = ManualClock::at(1_000);
    let operators = Operators::new(&ledger, &clock, PinCost::TESTS_ONLY);
    assert!(operators.setup_needed().unwrap());
    assert!(operators.login_choices().unwrap().is_empty());
    for pin in ["", "123", "123456789", "12a4", "١٢٣٤"] {
        let setup = OwnerSetup {
            name: "Somchai".into(),
            pin: pin.into(),
            shop_name: "Shop".into(),
        };
        assert_eq!(
            code(operators.setup_owner(&setup)),
            ErrorCode::InvalidPin,
            "{pin:?}"
        );
    }
    assert!(
        operators.setup_needed().unwrap(),
        "a refused setup leaves no owner"
    );
    let setup = OwnerSetup {
        name: "  Somchai ".into(),
        pin: "1234".into(),
        shop_name: "Shop".into(),
    };
    let owner = operators.setup_owner(&setup).unwrap();
    assert_eq!(
        (owner.role, owner.name.as_str(), owner.locked),
        (Role::Owner, "Somchai", false)
    );
    assert!(!operators.setup_needed().unwrap());
    assert_eq!(
        code(operators.setup_owner(&setup)),
        ErrorCode::SetupAlreadyDone
    );
    let hash = ledger
        .operator_account("owner")
        .unwrap()
        .unwrap()
        .pin_hash
        .unwrap();
    assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
    assert!(!hash.contains("1234"));
}

#[test]
fn production_pins_use_the_owasp_argon2id_parameters_and_a_fresh_salt() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("l.sqlite")).unwrap();
    let clock = ManualClock::at(1_000);
    let operators = Operators::new(&ledger, &clock, PinCost::OWASP);
    operators
        .setup_owner(&OwnerSetup {
            name: "Owner".into(),
            pin: "1234".into(),
            shop_name: "Shop".into(),
        })
        .unwrap();
    let owner = operators
        .login(
            &LoginRequest {
                operator_id: "owner".into(),
                pin: "1234".into(),
            },
            COUNTER,
        )
        .unwrap();
    operators
        .save(
            &owner,
            &OperatorUpdate {
                id: "twin".into(),
                name: "Same PIN".into(),
                role: Role::Cashier,
                pin: Some("1234".into()),
                active: true,
            },
        )
        .unwrap();
    let hash = |id: &str| {
        ledger
            .operator_account(id)
            .unwrap()
            .unwrap()
            .pin_hash
            .unwrap()
    };
    let (a, b) = (hash("owner"), hash("twin"));
    assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
    assert_ne!(
        a, b,
        "the same PIN hashes differently: each has its own salt"
    );
}

#[test]
fn five_wrong_pins_lock_for_fifteen_minutes_and_a_right_one_resets_the_count() {
    let (shop, _) = shop();
    for _ in 0..4 {
        assert_eq!(shop.login_error("cash-a", "9999"), ErrorCode::WrongPin);
    }
    shop.login("cash-a", "1111", COUNTER);
    // The count started again: four more wrong PINs do not lock.
    for _ in 0..4 {
        assert_eq!(shop.login_error("cash-a", "9999"), ErrorCode::WrongPin);
    }
    assert_eq!(
        shop.login_error("cash-a", "9999"),
        ErrorCode::OperatorLocked
    );
    // Locked: even the right PIN is refused, and a malformed one is still InvalidPin.
    assert_eq!(
        shop.login_error("cash-a", "1111"),
        ErrorCode::OperatorLocked
    );
    assert_eq!(shop.login_error("cash-a", "11"), ErrorCode::InvalidPin);
    let choices = shop.operators().login_choices().unwrap();
    assert!(choices.iter().any(|o| o.id == "cash-a" && o.locked));
    // Another cashier is not affected.
    shop.login("cash-b", "2222", COUNTER);
    shop.clock.advance(15 * MINUTE - 1);
    assert_eq!(
        shop.login_error("cash-a", "1111"),
        ErrorCode::OperatorLocked
    );
    shop.clock.advance(1);
    shop.login("cash-a", "1111", COUNTER);
}

#[test]
fn malformed_pins_are_refused_without_counting() {
    let (shop, _) = shop();
    for pin in ["", "1", "123", "123456789", "12 4", "abcd", "๑๒๓๔"] {
        assert_eq!(
            shop.login_error("cash-a", pin),
            ErrorCode::InvalidPin,
            "{pin:?}"
        );
    }
    let account = shop.ledger.operator_account("cash-a").unwrap().unwrap();
    assert_eq!(account.failed_pins, 0);
}

#[test]
fn the_owner_is_locked_too_and_the_owner_unlocks_a_cashier() {
    let (shop, owner) = shop();
    for _ in 0..4 {
        assert_eq!(shop.login_error("owner", "000000"), ErrorCode::WrongPin);
    }
    assert_eq!(
        shop.login_error("owner", "000000"),
        ErrorCode::OperatorLocked
    );
    assert_eq!(
        shop.login_error("owner", OWNER_PIN),
        ErrorCode::OperatorLocked
    );
    // The owner's earlier session still works; they unlock a cashier but a cashier cannot.
    for _ in 0..5 {
        shop.login_error("cash-b", "0000");
    }
    assert_eq!(
        shop.login_error("cash-b", "2222"),
        ErrorCode::OperatorLocked
    );
    let cashier = shop.login("cash-a", "1111", COUNTER);
    assert_eq!(
        code(shop.operators().unlock(&cashier, "cash-b")),
        ErrorCode::NotPermitted
    );
    let unlocked = shop.operators().unlock(&owner, "cash-b").unwrap();
    assert!(!unlocked.locked);
    shop.login("cash-b", "2222", COUNTER);
    assert_eq!(
        code(shop.operators().unlock(&owner, "nobody")),
        ErrorCode::InvalidRequest
    );
}

#[test]
fn who_may_log_in_and_who_may_not() {
    let (shop, owner) = shop();
    let ids: Vec<String> = shop
        .operators()
        .login_choices()
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(
        ids,
        ["cash-a", "cash-b", "owner"],
        "no kiosk, nothing secret"
    );
    assert_eq!(
        shop.login_error("nobody", "1234"),
        ErrorCode::UnknownOperator
    );
    assert_eq!(shop.login_error(KIOSK, "1234"), ErrorCode::NotPermitted);
    shop.operators()
        .save(
            &owner,
            &OperatorUpdate {
                id: "cash-b".into(),
                name: "Left the shop".into(),
                role: Role::Cashier,
                pin: None,
                active: false,
            },
        )
        .unwrap();
    assert_eq!(
        shop.login_error("cash-b", "2222"),
        ErrorCode::UnknownOperator
    );
    assert!(!shop
        .operators()
        .login_choices()
        .unwrap()
        .iter()
        .any(|o| o.id == "cash-b"));
    let session = Session {
        operator: shop
            .operators()
            .list(&owner)
            .unwrap()
            .into_iter()
            .find(|o| o.id == "cash-b")
            .unwrap(),
        register_id: COUNTER.into(),
    };
    assert_eq!(
        code(shop.operators().refresh(&session)),
        ErrorCode::NotLoggedIn
    );
    let fresh = shop.operators().refresh(&owner).unwrap();
    assert_eq!(fresh, owner);
}

#[test]
fn leaving_kiosk_mode_needs_an_owner_pin_and_guessing_locks_the_owner() {
    let (shop, _) = shop();
    let ops = shop.operators();
    assert_eq!(ops.check_owner_pin(OWNER_PIN).unwrap().id, "owner");
    assert_eq!(
        code(ops.check_owner_pin("1111")),
        ErrorCode::WrongPin,
        "a cashier's PIN"
    );
    assert_eq!(code(ops.check_owner_pin("12")), ErrorCode::InvalidPin);
    for _ in 0..3 {
        assert_eq!(code(ops.check_owner_pin("0000")), ErrorCode::WrongPin);
    }
    assert_eq!(code(ops.check_owner_pin("0000")), ErrorCode::OperatorLocked);
    assert_eq!(
        code(ops.check_owner_pin(OWNER_PIN)),
        ErrorCode::OperatorLocked
    );
    assert_eq!(
        shop.login_error("owner", OWNER_PIN),
        ErrorCode::OperatorLocked
    );
    shop.clock.advance(15 * MINUTE);
    assert_eq!(ops.check_owner_pin(OWNER_PIN).unwrap().id, "owner");
}

// ----- managing operators ----------------------------------------------------------------------

#[test]
fn only_the_owner_manages_operators() {
    let (shop, _) = shop();
    let cashier = shop.login("cash-a", "1111", COUNTER);
    let kiosk = shop.operators().kiosk_operator(KIOSK, "Kiosk 1").unwrap();
    let update = OperatorUpdate {
        id: "cash-a".into(),
        name: "Promoted".into(),
        role: Role::Owner,
        pin: None,
        active: true,
    };
    for session in [&cashier, &kiosk] {
        assert_eq!(
            code(shop.operators().list(session)),
            ErrorCode::NotPermitted
        );
        assert_eq!(
            code(shop.operators().save(session, &update)),
            ErrorCode::NotPermitted
        );
        assert_eq!(
            code(shop.operators().unlock(session, "cash-b")),
            ErrorCode::NotPermitted
        );
    }
    assert_eq!(
        shop.ledger.operator("cash-a").unwrap().unwrap().name,
        "Cashier cash-a",
        "nothing was changed"
    );
}

#[test]
fn saving_operators_checks_pins_roles_and_keeps_an_owner() {
    let (shop, owner) = shop();
    let ops = shop.operators();
    let update = |id: &str, role: Role, pin: Option<&str>, active: bool| OperatorUpdate {
        id: id.into(),
        name: format!("Name {id}"),
        role,
        pin: pin.map(str::to_owned),
        active,
    };
    // A new person who logs in needs a PIN; a kiosk has none.
    assert_eq!(
        code(ops.save(&owner, &update("new", Role::Cashier, None, true))),
        ErrorCode::InvalidPin
    );
    assert_eq!(
        code(ops.save(&owner, &update("new", Role::Cashier, Some("12"), true))),
        ErrorCode::InvalidPin
    );
    assert_eq!(
        code(ops.save(&owner, &update("k2", Role::Kiosk, Some("1234"), true))),
        ErrorCode::InvalidRequest
    );
    for bad in ["", "has space", "ä", &"x".repeat(33)] {
        assert_eq!(
            code(ops.save(&owner, &update(bad, Role::Cashier, Some("1234"), true))),
            ErrorCode::InvalidRequest,
            "{bad:?}"
        );
    }
    let view = ops
        .save(&owner, &update("new", Role::Cashier, Some("4321"), true))
        .unwrap();
    assert_eq!((view.role, view.active), (Role::Cashier, true));
    shop.login("new", "4321", COUNTER);
    // Keep the PIN (None), or change it.
    ops.save(&owner, &update("new", Role::Cashier, None, true))
        .unwrap();
    shop.login("new", "4321", COUNTER);
    ops.save(&owner, &update("new", Role::Cashier, Some("8765"), true))
        .unwrap();
    assert_eq!(shop.login_error("new", "4321"), ErrorCode::WrongPin);
    shop.login("new", "8765", COUNTER);
    // A cashier turned into a kiosk loses the PIN; turned back, they need a new one.
    ops.save(&owner, &update("new", Role::Kiosk, None, true))
        .unwrap();
    assert_eq!(
        shop.ledger
            .operator_account("new")
            .unwrap()
            .unwrap()
            .pin_hash,
        None
    );
    assert_eq!(
        code(ops.save(&owner, &update("new", Role::Cashier, None, true))),
        ErrorCode::InvalidPin
    );
    // The last active owner can be neither demoted nor deactivated, even by themselves.
    assert_eq!(
        code(ops.save(&owner, &update("owner", Role::Cashier, None, true))),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        code(ops.save(&owner, &update("owner", Role::Owner, None, false))),
        ErrorCode::InvalidRequest
    );
    // With a second owner, the first may step down.
    ops.save(&owner, &update("partner", Role::Owner, Some("13579"), true))
        .unwrap();
    ops.save(&owner, &update("owner", Role::Cashier, None, true))
        .unwrap();
    let now_cashier = shop.operators().refresh(&owner).unwrap();
    assert_eq!(now_cashier.role(), Role::Cashier);
    assert_eq!(code(ops.list(&now_cashier)), ErrorCode::NotPermitted);
    let listed = ops.list(&shop.login("partner", "13579", COUNTER)).unwrap();
    assert!(listed
        .iter()
        .any(|o| o.id == KIOSK && o.role == Role::Kiosk));
}

#[test]
fn a_kiosk_operator_is_ensured_once_per_register() {
    let (shop, owner) = shop();
    let ops = shop.operators();
    let first = ops.kiosk_operator("kiosk-2", "Kiosk two").unwrap();
    assert_eq!(
        (first.role(), first.register_id.as_str()),
        (Role::Kiosk, "kiosk-2")
    );
    let again = ops.kiosk_operator("kiosk-2", "Kiosk two").unwrap();
    assert_eq!(again, first);
    let renamed = ops.kiosk_operator("kiosk-2", "Front kiosk").unwrap();
    assert_eq!(renamed.operator.name, "Front kiosk");
    let stored = shop.ledger.operator("kiosk-2").unwrap().unwrap();
    assert_eq!(
        stored.easysoft_users, "Front kiosk",
        "Easysoft users = the register's name"
    );
    assert_eq!(
        shop.ledger
            .operator_account("kiosk-2")
            .unwrap()
            .unwrap()
            .pin_hash,
        None
    );
    // A person's id is not taken over; a deactivated kiosk stays off.
    assert_eq!(
        code(ops.kiosk_operator("cash-a", "Kiosk")),
        ErrorCode::InvalidRequest
    );
    ops.save(
        &owner,
        &OperatorUpdate {
            id: "kiosk-2".into(),
            name: "Front kiosk".into(),
            role: Role::Kiosk,
            pin: None,
            active: false,
        },
    )
    .unwrap();
    assert_eq!(
        code(ops.kiosk_operator("kiosk-2", "Front kiosk")),
        ErrorCode::UnknownOperator
    );
}

// ----- permissions ---------------------------------------------------------------------------

#[test]
fn the_permission_table() {
    use Permission::*;
    let all = [
        SellByQr,
        SellAtCounter,
        OwnShift,
        ResolveOwnShiftSales,
        ResolveAnySale,
        ChangeSettings,
        ManageOperators,
        ViewAllReports,
        Reconcile,
        ViewBalances,
    ];
    for permission in all {
        assert!(permission.allowed(Role::Owner), "{permission:?}");
        assert_eq!(
            permission.allowed(Role::Cashier),
            matches!(
                permission,
                SellByQr | SellAtCounter | OwnShift | ResolveOwnShiftSales
            ),
            "{permission:?}"
        );
        assert_eq!(
            permission.allowed(Role::Kiosk),
            permission == SellByQr,
            "{permission:?}"
        );
    }
    let (shop, owner) = shop();
    let cashier = shop.login("cash-a", "1111", COUNTER);
    let kiosk = shop.operators().kiosk_operator(KIOSK, "Kiosk 1").unwrap();
    for method in PaymentMethod::ALL {
        require_sell(&owner, method).unwrap();
        require_sell(&cashier, method).unwrap();
        assert_eq!(
            require_sell(&kiosk, method).is_ok(),
            method.is_provider(),
            "a kiosk sells by a provider's QR only: {method}"
        );
    }
    assert_eq!(
        require(&cashier, ChangeSettings).unwrap_err().code,
        ErrorCode::NotPermitted
    );
    assert_eq!(
        kiosk.actor(),
        Actor::new(termdee_domain::ActorKind::Kiosk, KIOSK)
    );
}

/// Writes a cash sale of `operator` in `shift` that failed at the provider (refund due).
fn refund_due_sale(shop: &Shop, id: &str, operator: &str, shift: Option<i64>, amount: i64) {
    let at = shop.clock.now();
    let actor = Actor::new(termdee_domain::ActorKind::Cashier, operator);
    let (_, payment) = shop
        .ledger
        .create_sale(
            &NewSale {
                id: id.into(),
                register_id: COUNTER.into(),
                operator_id: operator.into(),
                shift_id: shift,
                network: Network::Ais,
                phone: Msisdn::parse("0812345678").expect("the refund-due sale is written"),
                amount: Satang::new(amount),
                method: PaymentMethod::Cash,
                at,
            },
            &NewPayment {
                method: PaymentMethod::Cash,
                reference: id.into(),
                amount: Satang::new(amount),
            },
            &actor,
        )
        .expect("test setup");
    shop.ledger
        .payment_received(payment.id, Satang::new(amount), at, &actor)
        .expect("the refund-due sale is written");
    let topup = shop
        .ledger
        .begin_topup(
            id,
            &NewTopup {
                provider: "wepay".into(),
                reference: format!("{id}T1"),
                product: "12CALL".into(),
                amount: Satang::new(amount),
                users: None,
            },
            at,
            &Actor::poller(),
        )
        .expect("test setup");
    shop.ledger
        .topup_failed(topup.id, "failed", at, &Actor::poller())
        .expect("the refund-due sale is written");
}

#[test]
fn a_cashier_resolves_only_sales_of_their_own_open_shift() {
    let (shop, owner) = shop();
    let a = shop.login("cash-a", "1111", COUNTER);
    let b = shop.login("cash-b", "2222", COUNTER_2);
    let kiosk = shop.operators().kiosk_operator(KIOSK, "Kiosk 1").unwrap();
    let open = |s: &Session| {
        shop.shifts()
            .open(
                s,
                &OpenShift {
                    opening_float: "0".into(),
                },
            )
            .unwrap()
    };
    let shift_a = open(&a);
    let shift_b = open(&b);
    refund_due_sale(&shop, "SA", "cash-a", Some(shift_a.id), 5_000);
    refund_due_sale(&shop, "SB", "cash-b", Some(shift_b.id), 5_000);
    refund_due_sale(&shop, "SX", "cash-a", None, 5_000);
    require_resolve(&shop.ledger, &a, "SA").unwrap();
    for (session, sale) in [(&a, "SB"), (&a, "SX"), (&b, "SA"), (&kiosk, "SA")] {
        assert_eq!(
            require_resolve(&shop.ledger, session, sale)
                .unwrap_err()
                .code,
            ErrorCode::NotPermitted,
            "{} on {sale}",
            session.operator.id
        );
    }
    for sale in ["SA", "SB", "SX"] {
        require_resolve(&shop.ledger, &owner, sale).unwrap();
    }
    // Once the shift is closed, its sales are the owner's to resolve.
    shop.shifts()
        .close(
            &a,
            &CloseShift {
                counted_cash: "50".into(),
            },
        )
        .unwrap();
    assert_eq!(
        require_resolve(&shop.ledger, &a, "SA").unwrap_err().code,
        ErrorCode::NotPermitted
    );
    assert_eq!(
        require_resolve(&shop.ledger, &owner, "nothing")
            .unwrap_err()
            .code,
        ErrorCode::InvalidRequest
    );
}

// ----- shifts --------------------------------------------------------------------------------

#[test]
fn a_cashier_opens_and_closes_their_shift_blind() {
    let (shop, owner) = shop();
    let a = shop.login("cash-a", "1111", COUNTER);
    let b = shop.login("cash-b", "2222", COUNTER);
    let kiosk = shop.operators().kiosk_operator(KIOSK, "Kiosk 1").unwrap();
    let shifts = shop.shifts();
    assert_eq!(shifts.current(&a).unwrap(), None);
    assert_eq!(
        code(shifts.close(
            &a,
            &CloseShift {
                counted_cash: "1".into()
            }
        )),
        ErrorCode::ShiftNotOpen
    );
    for float in ["", "-5", "1.234", "lots"] {
        assert_eq!(
            code(shifts.open(
                &a,
                &OpenShift {
                    opening_float: float.into()
                }
            )),
            ErrorCode::InvalidAmount,
            "{float:?}"
        );
    }
    shifts.ensure_none_open().unwrap();
    let view = shifts
        .open(
            &a,
            &OpenShift {
                opening_float: "1,000".into(),
            },
        )
        .unwrap();
    assert_eq!(view.opening_float, Satang::new(100_000));
    assert_eq!(view.opening_float_display, "1,000.00");
    assert_eq!((view.operator_id.as_str(), view.sales_count), ("cash-a", 0));
    assert_eq!(shifts.current(&a).unwrap(), Some(view.clone()));
    assert_eq!(shifts.current(&owner).unwrap(), Some(view.clone()));
    assert_eq!(shifts.current(&b).unwrap(), None, "not b's shift to see");
    assert_eq!(code(shifts.ensure_none_open()), ErrorCode::ShiftOpen);
    assert_eq!(
        code(shifts.open(
            &a,
            &OpenShift {
                opening_float: "0".into()
            }
        )),
        ErrorCode::ShiftOpen
    );
    assert_eq!(
        code(shifts.open(
            &b,
            &OpenShift {
                opening_float: "0".into()
            }
        )),
        ErrorCode::ShiftOpen,
        "one open shift per register"
    );
    let a_elsewhere = Session {
        register_id: COUNTER_2.into(),
        ..a.clone()
    };
    assert_eq!(
        code(shifts.open(
            &a_elsewhere,
            &OpenShift {
                opening_float: "0".into()
            }
        )),
        ErrorCode::ShiftOpen,
        "one open shift per person"
    );
    for (session, expected) in [
        (&kiosk, ErrorCode::NotPermitted),
        (&b, ErrorCode::NotPermitted),
    ] {
        assert_eq!(
            code(shifts.close(
                session,
                &CloseShift {
                    counted_cash: "1".into()
                }
            )),
            expected
        );
    }
    assert_eq!(
        code(shifts.open(
            &kiosk,
            &OpenShift {
                opening_float: "0".into()
            }
        )),
        ErrorCode::NotPermitted
    );
    assert_eq!(code(shifts.current(&kiosk)), ErrorCode::NotPermitted);

    // A cash sale of 50 baht in the shift, and 20 baht handed back for a failed one.
    refund_due_sale(&shop, "S1", "cash-a", Some(view.id), 2_000);
    shop.ledger
        .refund_given("S1", "cash back", shop.clock.now(), &a.actor())
        .unwrap();
    let cash = Actor::new(termdee_domain::ActorKind::Cashier, "cash-a");
    let (_, payment) = shop
        .ledger
        .create_sale(
            &NewSale {
                id: "S2".into(),
                register_id: COUNTER.into(),
                operator_id: "cash-a".into(),
                shift_id: Some(view.id),
                network: Network::Dtac,
                phone: Msisdn::parse("0912345678").unwrap(),
                amount: Satang::new(5_000),
                method: PaymentMethod::Cash,
                at: shop.clock.now(),
            },
            &NewPayment {
                method: PaymentMethod::Cash,
                reference: "S2".into(),
                amount: Satang::new(5_000),
            },
            &cash,
        )
        .unwrap();
    shop.ledger
        .payment_received(payment.id, Satang::new(5_000), shop.clock.now(), &cash)
        .unwrap();
    assert_eq!(shifts.current(&a).unwrap().unwrap().sales_count, 2);
    assert_eq!(
        code(shifts.close(
            &a,
            &CloseShift {
                counted_cash: "abc".into()
            }
        )),
        ErrorCode::InvalidAmount
    );
    shop.clock.advance(8 * 60 * MINUTE);
    let closed = shifts
        .close(
            &a,
            &CloseShift {
                counted_cash: "1,029.50".into(),
            },
        )
        .unwrap();
    assert_eq!(closed.opening_float, Satang::new(100_000));
    assert_eq!(
        closed.cash_sales,
        Satang::new(7_000),
        "both cash sales were paid"
    );
    assert_eq!(closed.cash_refunds, Satang::new(2_000));
    assert_eq!(closed.expected, Satang::new(105_000));
    assert_eq!(closed.counted, Satang::new(102_950));
    assert_eq!(closed.variance, Satang::new(-2_050));
    assert_eq!(closed.closed_at, shop.clock.now());
    assert_eq!(shifts.current(&a).unwrap(), None);
    shifts.ensure_none_open().unwrap();

    // The owner may close a cashier's shift.
    let view_b = shifts
        .open(
            &b,
            &OpenShift {
                opening_float: "100".into(),
            },
        )
        .unwrap();
    let closed_b = shifts
        .close(
            &owner,
            &CloseShift {
                counted_cash: "100".into(),
            },
        )
        .unwrap();
    assert_eq!(
        (closed_b.shift_id, closed_b.variance),
        (view_b.id, Satang::ZERO)
    );
    let stored = shop.ledger.shift(view_b.id).unwrap().unwrap();
    assert_eq!(stored.closed_by.as_deref(), Some("owner"));
}

// ----- reports ----------------------------------------------------------------------------------

/// Sales on two days: cash-a 3 (one delivered through wePAY at 97 %), cash-b 2, the kiosk 1.
fn fill_sales(shop: &Shop) {
    let day0 = BusinessDay::parse(DAY)
        .expect("the test sales are written")
        .start();
    // (id, operator, register, network, method, satang, delivered, day)
    type Planned<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Network,
        PaymentMethod,
        i64,
        bool,
        i64,
    );
    let sales: [Planned; 6] = [
        (
            "A1",
            "cash-a",
            COUNTER,
            Network::Ais,
            PaymentMethod::Cash,
            5_000,
            true,
            0,
        ),
        (
            "A2",
            "cash-a",
            COUNTER,
            Network::Dtac,
            PaymentMethod::PromptPayLocal,
            10_000,
            true,
            0,
        ),
        (
            "A3",
            "cash-a",
            COUNTER,
            Network::Ais,
            PaymentMethod::Cash,
            2_000,
            false,
            1,
        ),
        (
            "B1",
            "cash-b",
            COUNTER_2,
            Network::Ais,
            PaymentMethod::Cash,
            20_000,
            true,
            0,
        ),
        (
            "B2",
            "cash-b",
            COUNTER_2,
            Network::TrueMove,
            PaymentMethod::Cash,
            3_000,
            false,
            1,
        ),
        (
            "K1",
            KIOSK,
            KIOSK,
            Network::Dtac,
            PaymentMethod::Tmweasy,
            15_000,
            true,
            1,
        ),
    ];
    for (id, operator, register, network, method, amount, delivered, day) in sales {
        let at = day0 + day * 86_400_000 + 10 * 60 * MINUTE;
        let actor = Actor::new(termdee_domain::ActorKind::Cashier, operator);
        let (_, payment) = shop
            .ledger
            .create_sale(
                &NewSale {
                    id: id.into(),
                    register_id: register.into(),
                    operator_id: operator.into(),
                    shift_id: None,
                    network,
                    phone: Msisdn::parse("0812345678").expect("the test sales are written"),
                    amount: Satang::new(amount),
                    method,
                    at,
                },
                &NewPayment {
                    method,
                    reference: format!("{id}P1"),
                    amount: Satang::new(amount),
                },
                &actor,
            )
            .expect("test setup");
        if !delivered {
            shop.ledger
                .cancel_unpaid(id, at, &actor)
                .expect("the test sales are written");
            continue;
        }
        shop.ledger
            .payment_received(payment.id, Satang::new(amount), at, &actor)
            .expect("the test sales are written");
        let topup = shop
            .ledger
            .begin_topup(
                id,
                &NewTopup {
                    provider: "wepay".into(),
                    reference: format!("{id}T1"),
                    product: "12CALL".into(),
                    amount: Satang::new(amount),
                    users: None,
                },
                at,
                &Actor::poller(),
            )
            .expect("test setup");
        shop.ledger
            .topup_progress(
                topup.id,
                TopupState::Pending,
                Some("X"),
                Some(Satang::new(amount * 97 / 100)),
                "",
                at,
                &Actor::poller(),
            )
            .expect("test setup");
        shop.ledger
            .topup_succeeded(topup.id, None, "ok", at, &Actor::poller())
            .expect("the test sales are written");
    }
}

fn request(from: &str, to: &str, by: ReportDimension) -> ReportRequest {
    ReportRequest {
        from: from.into(),
        to: to.into(),
        by,
    }
}

#[test]
fn the_owner_sees_every_breakdown_with_a_total_and_every_day() {
    let (shop, owner) = shop();
    fill_sales(&shop);
    let (from, to) = (DAY, "2026-03-03");
    for by in ReportDimension::ALL {
        let view = reports::report(&shop.ledger, &owner, &request(from, to, by)).unwrap();
        let expected = shop
            .ledger
            .report(
                BusinessDay::parse(from).unwrap(),
                BusinessDay::parse(to).unwrap(),
                by,
                termdee_ledger::ReportScope::Shop,
            )
            .unwrap();
        assert_eq!(view.rows, expected, "{by}");
        assert_eq!(view.total.sales.count, 6, "{by}");
        assert_eq!(view.total.completed.satang, Satang::new(50_000), "{by}");
        assert_eq!(view.total.cost, Satang::new(48_500), "{by}");
        assert_eq!(view.total.margin, Satang::new(1_500), "{by}");
        let days: Vec<(&str, i64)> = view
            .days
            .iter()
            .map(|d| (d.day.as_str(), d.totals.sales.count))
            .collect();
        assert_eq!(
            days,
            [("2026-03-01", 3), ("2026-03-02", 3), ("2026-03-03", 0)],
            "every day of the range, empty ones too"
        );
        assert_eq!(view.days[2].totals.key, "2026-03-03");
    }
    let by_register = reports::report(
        &shop.ledger,
        &owner,
        &request(DAY, DAY, ReportDimension::Register),
    )
    .unwrap();
    let keys: Vec<&str> = by_register.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, [COUNTER, COUNTER_2]);
}

#[test]
fn a_cashiers_report_holds_only_their_own_sales_and_a_kiosk_has_none() {
    let (shop, _) = shop();
    fill_sales(&shop);
    let a = shop.login("cash-a", "1111", COUNTER);
    let kiosk = shop.operators().kiosk_operator(KIOSK, "Kiosk 1").unwrap();
    let view = reports::report(
        &shop.ledger,
        &a,
        &request(DAY, "2026-03-02", ReportDimension::Operator),
    )
    .unwrap();
    let keys: Vec<&str> = view.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["cash-a"]);
    assert_eq!(view.total.sales.count, 3, "the total is theirs too");
    assert_eq!(view.total.completed.satang, Satang::new(15_000));
    let day_sales: i64 = view.days.iter().map(|d| d.totals.sales.count).sum();
    assert_eq!(day_sales, 3, "and so are the days");
    let csv = reports::report_csv(
        &shop.ledger,
        &a,
        &request(DAY, "2026-03-02", ReportDimension::Operator),
    )
    .unwrap();
    assert!(!csv.contains("cash-b") && !csv.contains(KIOSK), "{csv}");
    for by in [
        ReportDimension::Network,
        ReportDimension::Provider,
        ReportDimension::Method,
        ReportDimension::Register,
    ] {
        let request = request(DAY, DAY, by);
        assert_eq!(
            code(reports::report(&shop.ledger, &a, &request)),
            ErrorCode::NotPermitted
        );
        assert_eq!(
            code(reports::report_csv(&shop.ledger, &a, &request)),
            ErrorCode::NotPermitted
        );
    }
    for by in ReportDimension::ALL {
        assert_eq!(
            code(reports::report(
                &shop.ledger,
                &kiosk,
                &request(DAY, DAY, by)
            )),
            ErrorCode::NotPermitted
        );
    }
}

#[test]
fn bad_days_and_ranges_are_refused() {
    let (shop, owner) = shop();
    for (from, to) in [
        ("2026-02-30", DAY),
        (DAY, "tomorrow"),
        ("2026-03-02", DAY),
        ("2000-01-01", "2026-01-01"),
    ] {
        assert_eq!(
            code(reports::report(
                &shop.ledger,
                &owner,
                &request(from, to, ReportDimension::Operator)
            )),
            ErrorCode::InvalidDay,
            "{from}..{to}"
        );
    }
}

#[test]
fn the_csv_export_of_a_real_report_reads_back_the_same() {
    let (shop, owner) = shop();
    fill_sales(&shop);
    for by in ReportDimension::ALL {
        let request = request(DAY, "2026-03-02", by);
        let view = reports::report(&shop.ledger, &owner, &request).unwrap();
        let text = reports::report_csv(&shop.ledger, &owner, &request).unwrap();
        assert_eq!(text.lines().count(), view.rows.len() + 2, "{text}");
        let back = read_csv(&text).unwrap();
        assert_eq!(
            (back.by, &back.rows, &back.total),
            (by, &view.rows, &view.total)
        );
    }
    let text = reports::report_csv(
        &shop.ledger,
        &owner,
        &request(DAY, DAY, ReportDimension::Operator),
    )
    .unwrap();
    assert!(
        text.starts_with("line,operator,sales_count,sales_baht,"),
        "{text}"
    );
    assert!(
        text.contains("\nrow,cash-a,2,150.00,2,150.00,2,150.00,"),
        "amounts in baht with two decimals: {text}"
    );
}

#[test]
fn read_csv_refuses_what_is_not_a_report() {
    for text in [
        "",
        "a,b\n1,2\n",
        "line,shift,sales_count\n",
        "line,operator\nrow,x\n",
    ] {
        assert!(read_csv(text).is_err(), "{text:?}");
    }
    let view = ReportView {
        request: request(DAY, DAY, ReportDimension::Network),
        rows: vec![],
        total: ReportRow::default(),
        days: vec![],
        labels: Default::default(),
    };
    let text = render_csv(&view).unwrap();
    assert!(read_csv(&text).is_ok());
    let doubled = format!("{text}{}", text.lines().last().unwrap());
    assert!(read_csv(&doubled).is_err(), "two total lines");
    let no_total: String = text.lines().next().unwrap().to_owned() + "\n";
    assert!(read_csv(&no_total).is_err(), "no total line");
    let bad_amount = text.replace("0.00", "zero");
    assert!(read_csv(&bad_amount).is_err());
}

fn totals() -> impl Strategy<Value = OutcomeTotals> {
    (0i64..1_000_000, 0i64..10_000_000_000).prop_map(|(count, satang)| OutcomeTotals {
        count,
        satang: Satang::new(satang),
    })
}

fn report_row() -> impl Strategy<Value = ReportRow> {
    (
        // Keys with commas, quotes, line breaks, Thai text, or empty (no provider).
        prop_oneof![
            "[a-z0-9_-]{0,12}",
            "[ก-๙ ,\"\\n]{1,8}",
            Just(String::new()),
            Just("total".to_owned())
        ],
        prop::array::uniform8(totals()),
        0i64..10_000_000_000,
        -10_000_000i64..10_000_000_000,
    )
        .prop_map(|(key, t, cost, margin)| ReportRow {
            key,
            sales: t[0],
            received: t[1],
            completed: t[2],
            refunded: t[3],
            refund_due: t[4],
            needs_attention: t[5],
            in_progress: t[6],
            unpaid: t[7],
            cost: Satang::new(cost),
            margin: Satang::new(margin),
        })
}

proptest! {
    #[test]
    fn any_report_survives_the_csv_round_trip(
        rows in prop::collection::vec(report_row(), 0..8),
        by in prop::sample::select(ReportDimension::ALL.to_vec()),
    ) {
        let view = ReportView {
            request: request(DAY, DAY, by),
            total: termdee_domain::report::total(&rows),
            rows,
            days: vec![],
            labels: Default::default(),
        };
        let text = render_csv(&view).unwrap();
        let back = read_csv(&text).unwrap();
        prop_assert_eq!(back.by, by);
        prop_assert_eq!(back.rows, view.rows);
        prop_assert_eq!(back.total, view.total);
    }
}
