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
    let http = reqwest::Client::new();
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
