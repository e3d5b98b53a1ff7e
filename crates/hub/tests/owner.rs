//! The owner's view over HTTP: the JSON the desktop owner screen reads (through the app's
//! `FleetView`), the server-rendered page, and who may see them.
// Test code throughout (helpers included): a failed unwrap is a failed test. clippy's
// allow-unwrap-in-tests covers only the #[test] functions themselves.
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine as _;
use common::{fast, first_day, sum_of_ledgers, Database, RunningHub, Shop};
use secrecy::SecretString;
use termdee_app::fleet::owner::FleetView;
use termdee_app::fleet::{FleetError, PushOutcome};
use termdee_domain::report::ReportDimension;
use termdee_domain::BusinessDay;

async fn synced_fleet(database: &Database, hub: &RunningHub) -> (Shop, Shop) {
    let mut one = Shop::open(database, "kiosk-1", 21).await;
    let mut two = Shop::open(database, "counter-2", 22).await;
    one.sell(80, 600);
    two.sell(60, 600);
    for shop in [&one, &two] {
        let sender = shop.sender(&hub.url(), fast());
        while let PushOutcome::Pushed { more: true, .. } = sender.push_once().await.unwrap() {}
    }
    (one, two)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_screen_reads_the_same_report_lines_over_the_fleet() {
    let database = Database::start().await;
    let hub = RunningHub::plain(&database.url);
    let (one, two) = synced_fleet(&database, &hub).await;
    let token = database.store.issue_owner_token("phone", 0).await.unwrap();
    let view = FleetView::new(&hub.url(), SecretString::from(token)).unwrap();
    let day = BusinessDay::of(first_day());

    let report = view
        .report(day, day, ReportDimension::Operator, None)
        .await
        .unwrap();
    assert_eq!(report.rows, sum_of_ledgers(&[&one, &two], day, day));
    assert_eq!(
        report.total.sales.count,
        (one.ledger.all_sales().unwrap().len() + two.ledger.all_sales().unwrap().len()) as i64
    );
    // The chart's days add up to the same total, each keyed by its day.
    assert_eq!(
        report
            .days
            .iter()
            .map(|d| d.key.as_str())
            .collect::<Vec<_>>(),
        [day.to_string()]
    );
    assert_eq!(termdee_domain::report::total(&report.days), report.total);
    // One register alone.
    let kiosk = view
        .report(day, day, ReportDimension::Operator, Some("kiosk-1"))
        .await
        .unwrap();
    assert_eq!(kiosk.rows, sum_of_ledgers(&[&one], day, day));
    // Other breakdowns add up to the same total.
    for by in ReportDimension::ALL {
        let lines = view.report(day, day, by, None).await.unwrap();
        assert_eq!(lines.total, report.total, "by {by}");
    }
    let health = view.health().await.unwrap();
    let ids: Vec<&str> = health
        .registers
        .iter()
        .map(|r| r.register_id.as_str())
        .collect();
    assert_eq!(ids, ["counter-2", "kiosk-1"]);
    assert!(health
        .registers
        .iter()
        .all(|r| r.backlog == 0 && r.last_seen_at.is_some()));
    assert!(view.callbacks(true).await.unwrap().callbacks.is_empty());

    // A bad request says why.
    let backwards = view
        .report(
            day,
            BusinessDay::of(first_day() - 86_400_000),
            ReportDimension::Operator,
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(backwards, FleetError::Refused { status: 422, .. }),
        "{backwards}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_page_needs_an_owner_token_and_shows_thai_and_english() {
    let database = Database::start().await;
    let hub = RunningHub::plain(&database.url);
    let (one, _two) = synced_fleet(&database, &hub).await;
    let owner = database.store.issue_owner_token("laptop", 0).await.unwrap();
    let http = termdee_providers::http_client();
    let day = BusinessDay::of(first_day()).to_string();
    let page = hub
        .url()
        .join(&format!("owner?from={day}&to={day}&by=operator"))
        .unwrap();

    // No token, a register's token, a wrong one: 401 with a Basic challenge for the browser.
    let register_token = secrecy::ExposeSecret::expose_secret(&one.token).to_owned();
    for password in [
        None,
        Some(register_token.clone()),
        Some("tdo_nope".to_owned()),
    ] {
        let mut request = http.get(page.clone());
        if let Some(password) = password {
            request = request.basic_auth("owner", Some(password));
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert!(response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Basic")));
    }
    // A register token cannot read the owner's JSON either.
    let json = hub.url().join("api/owner/report").unwrap();
    assert_eq!(
        http.get(json.clone())
            .bearer_auth(&register_token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );

    let response = http
        .get(page)
        .basic_auth("owner", Some(&owner))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html")));
    let html = response.text().await.unwrap();
    for label in [
        "ยอดขาย / Sales",
        "เครื่องขาย / Registers",
        "พนักงาน / Operator",
        "รวม / Total",
        "CASHIER-A (cashier-a)",
        "Register kiosk-1 (kiosk-1)",
    ] {
        assert!(html.contains(label), "the page shows {label:?}");
    }
    // The total line shows the fleet's count of sales, as the JSON does.
    let report = database
        .store
        .report(
            BusinessDay::of(first_day()),
            BusinessDay::of(first_day()),
            ReportDimension::Operator,
            None,
        )
        .await
        .unwrap();
    let total_row = html
        .split("<tr class=\"total\">")
        .nth(1)
        .expect("a total line");
    assert!(total_row.contains(&format!(">{}<", report.total.sales.count)));
    // No script anywhere: a server-rendered page.
    assert!(!html.contains("<script"));
    // The root sends a browser to the page; bad query values are refused, not guessed.
    let root = http
        .get(hub.url())
        .basic_auth("owner", Some(&owner))
        .send()
        .await
        .unwrap();
    assert_eq!(root.status(), 200, "redirected to the page");
    let bad = http
        .get(hub.url().join("owner?by=shift").unwrap())
        .header(
            "authorization",
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("o:{owner}"))
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    // The proxy's health check needs no token.
    let healthz = http
        .get(hub.url().join("healthz").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(healthz.text().await.unwrap(), "ok");
}

/// The settings screen's save of `view` as it is, with the hub's URL and a new owner token.
fn with_fleet(
    view: &termdee_app::shop::views::SettingsView,
    hub_url: &str,
    owner_token: Option<&str>,
) -> termdee_app::shop::views::SettingsUpdate {
    termdee_app::shop::views::SettingsUpdate {
        shop_name: view.shop_name.clone(),
        promptpay_id: view.promptpay_id.clone(),
        register_name: view.register_name.clone(),
        language: view.language,
        qr_countdown_seconds: view.qr_countdown_seconds,
        kiosk_idle_seconds: view.kiosk_idle_seconds,
        callback_listen: view.callback_listen.clone(),
        public_url: view.public_url.clone(),
        low_balance_alert: view.low_balance_alert,
        routing: view.routing.clone(),
        providers: Vec::new(),
        printer: view.printer.clone(),
        printer_width_dots: view.printer_width_dots,
        hub_url: hub_url.to_owned(),
        hub_token: None,
        hub_owner_token: owner_token.map(str::to_owned),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktop_owner_screen_shows_the_fleet_from_the_hub_and_only_to_the_owner() {
    use termdee_app::auth::PinCost;
    use termdee_app::reports::read_csv;
    use termdee_app::shop::views::{LoginRequest, OperatorUpdate, OwnerSetup, ReportRequest, Role};
    use termdee_app::shop::{Shop as Desk, ShopOptions, ShopPaths};
    use termdee_app::ErrorCode;

    std::env::set_var(termdee_app::shop::secrets::SECRET_STORE_ENV, "file");
    let database = Database::start().await;
    let hub = RunningHub::plain(&database.url);
    let (one, two) = synced_fleet(&database, &hub).await;
    let owner_token = database.store.issue_owner_token("desk", 0).await.unwrap();

    let folder = tempfile::tempdir().unwrap();
    let desk = Desk::open(
        ShopPaths {
            config_dir: folder.path().to_path_buf(),
            data_dir: folder.path().to_path_buf(),
        },
        std::sync::Arc::new(termdee_domain::SystemClock),
        ShopOptions {
            tick: std::time::Duration::from_millis(100),
            pin_cost: PinCost::TESTS_ONLY,
            demo_allowed: true,
        },
    )
    .await
    .unwrap();
    desk.setup_owner(&OwnerSetup {
        name: "เจ้าของ".into(),
        pin: "2580".into(),
        shop_name: "ร้านเติมดี".into(),
    })
    .await
    .unwrap();
    let day = BusinessDay::of(first_day());
    let next_day = BusinessDay::of(day.end());
    let request = ReportRequest {
        from: day.to_string(),
        to: next_day.to_string(),
        by: ReportDimension::Operator,
    };

    // No hub set up: the owner is told what to set, nothing is guessed.
    assert_eq!(
        desk.fleet_report(&request).await.unwrap_err().code,
        ErrorCode::FleetNotSetUp
    );
    assert_eq!(
        desk.fleet_health().await.unwrap_err().code,
        ErrorCode::FleetNotSetUp
    );
    // The URL alone is not enough.
    let view = desk.settings_view().unwrap();
    desk.save_settings(&with_fleet(&view, hub.url().as_str(), None))
        .await
        .unwrap();
    assert_eq!(
        desk.fleet_health().await.unwrap_err().code,
        ErrorCode::FleetNotSetUp
    );

    // With the owner token: the fleet's lines, exactly the sum of both registers' ledgers.
    let view = desk.settings_view().unwrap();
    let saved = desk
        .save_settings(&with_fleet(&view, hub.url().as_str(), Some(&owner_token)))
        .await
        .unwrap();
    assert!(saved.hub_owner_token_set);
    assert!(!serde_json::to_string(&saved)
        .unwrap()
        .contains(&owner_token));
    let fleet = desk.fleet_report(&request).await.unwrap();
    assert_eq!(fleet.rows, sum_of_ledgers(&[&one, &two], day, next_day));
    assert_eq!(fleet.total, termdee_domain::report::total(&fleet.rows));
    assert!(fleet.total.sales.count > 0);
    // Names for operators this desk's ledger has never seen.
    for row in &fleet.rows {
        assert!(
            fleet.labels.contains_key(&row.key),
            "a name for {}",
            row.key
        );
    }
    // Both days of the range for the chart, the empty one too, adding up to the total.
    assert_eq!(
        fleet
            .days
            .iter()
            .map(|d| d.day.as_str())
            .collect::<Vec<_>>(),
        [day.to_string(), next_day.to_string()]
    );
    assert_eq!(fleet.days[1].totals.sales.count, 0);
    let days: Vec<_> = fleet.days.iter().map(|d| d.totals.clone()).collect();
    assert_eq!(
        termdee_domain::report::total(&days).completed,
        fleet.total.completed
    );

    // Health: both registers, just heard from.
    let health = desk.fleet_health().await.unwrap();
    let seen: Vec<(&str, bool)> = health
        .registers
        .iter()
        .map(|r| (r.register_id.as_str(), r.silent))
        .collect();
    assert_eq!(seen, [("counter-2", false), ("kiosk-1", false)]);
    assert!(health.registers.iter().all(|r| r.backlog == 0));

    // The CSV is the fleet's report, written as a new file.
    let exports = tempfile::tempdir().unwrap();
    let path = desk
        .save_fleet_report_csv(&request, exports.path())
        .await
        .unwrap();
    assert_eq!(
        path.file_name().unwrap().to_str().unwrap(),
        format!("termdee-fleet-operator-{day}-{next_day}.csv")
    );
    let csv = read_csv(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(csv.total, fleet.total);

    // Only the owner: a cashier logged in at this desk is refused, whatever the UI shows.
    desk.save_operator(&OperatorUpdate {
        id: "cashier-9".into(),
        name: "แดง".into(),
        role: Role::Cashier,
        pin: Some("1357".into()),
        active: true,
    })
    .unwrap();
    desk.logout().unwrap();
    desk.login(&LoginRequest {
        operator_id: "cashier-9".into(),
        pin: "1357".into(),
    })
    .unwrap();
    assert_eq!(
        desk.fleet_report(&request).await.unwrap_err().code,
        ErrorCode::NotPermitted
    );
    assert_eq!(
        desk.fleet_health().await.unwrap_err().code,
        ErrorCode::NotPermitted
    );
    desk.logout().unwrap();
    let owner_id = desk
        .login_choices()
        .unwrap()
        .into_iter()
        .find(|o| o.role == Role::Owner)
        .unwrap()
        .id;
    desk.login(&LoginRequest {
        operator_id: owner_id,
        pin: "2580".into(),
    })
    .unwrap();

    // A token the hub does not know: refused, with what to do.
    let view = desk.settings_view().unwrap();
    desk.save_settings(&with_fleet(&view, hub.url().as_str(), Some("tdo_revoked")))
        .await
        .unwrap();
    let refused = desk.fleet_health().await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::NotPermitted, "{refused:?}");
    assert!(
        refused.message.contains("owner-token"),
        "{}",
        refused.message
    );

    // The hub gone: unavailable, not an empty fleet.
    let view = desk.settings_view().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let gone = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    desk.save_settings(&with_fleet(&view, &gone, Some(&owner_token)))
        .await
        .unwrap();
    assert_eq!(
        desk.fleet_report(&request).await.unwrap_err().code,
        ErrorCode::HubUnavailable
    );
    desk.shut_down();
}
