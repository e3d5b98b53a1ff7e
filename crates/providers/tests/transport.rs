//! The shared transport and both clients over real HTTP on 127.0.0.1: every way an exchange can
//! go wrong is an unknown outcome, never a failure.

mod common;

use std::time::Duration;

use common::{json, spawn, xml, Behaviour};
use secrecy::SecretString;
use termdee_domain::Satang;
use termdee_providers::easysoft::{EasysoftNetwork, EasysoftRefillRequest};
use termdee_providers::wepay::WepayOrderRequest;
use termdee_providers::{
    EasysoftClient, EasysoftConfig, NextStep, ProviderError, TopupOutcome, Transport,
    TransportConfig, TransportError, UnknownReason, WepayClient, WepayConfig,
};

fn transport(total: Duration) -> Transport {
    Transport::new(TransportConfig {
        connect_timeout: Duration::from_secs(5),
        total_timeout: total,
        ..TransportConfig::default()
    })
    .expect("transport")
}

fn wepay(server: &common::Server, total: Duration) -> WepayClient {
    WepayClient::new(
        WepayConfig {
            base_url: server.url(""),
            username: "shop".to_owned(),
            password: SecretString::from("secret"),
            password_is_md5: false,
            callback_url: Some(url::Url::parse("https://shop.example/cb").expect("url")),
        },
        transport(total),
    )
}

fn easysoft(server: &common::Server, total: Duration) -> EasysoftClient {
    EasysoftClient::new(
        EasysoftConfig {
            endpoint: server.url("topup/v2.php"),
            username: "shop".to_owned(),
            password: SecretString::from("secret"),
            users: Some("kiosk-1".to_owned()),
        },
        transport(total),
    )
}

fn order() -> WepayOrderRequest {
    WepayOrderRequest {
        dest_ref: "SALE0001".to_owned(),
        company: "TRMV".to_owned(),
        amount: Satang::new(1000),
        phone: "0812345678".to_owned(),
    }
}

fn refill() -> EasysoftRefillRequest {
    EasysoftRefillRequest {
        network: EasysoftNetwork::Dtac,
        number: "0824491794".to_owned(),
        cash: Satang::new(1000),
        users: None,
    }
}

fn reason(outcome: TopupOutcome) -> (UnknownReason, NextStep) {
    match outcome {
        TopupOutcome::Unknown(unknown) => (unknown.reason, unknown.next_step),
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn timeout_is_unknown() {
    let server = spawn(Behaviour::Hang).await;
    let outcome = wepay(&server, Duration::from_secs(30))
        .order(&order())
        .await
        .expect("sent");
    assert_eq!(
        reason(outcome),
        (UnknownReason::Timeout, NextStep::ResendSameReference)
    );
    assert_eq!(
        server.received().len(),
        1,
        "the order reached the server before the timeout"
    );

    let server = spawn(Behaviour::Hang).await;
    let outcome = easysoft(&server, Duration::from_secs(30))
        .refill(&refill())
        .await
        .expect("sent");
    assert_eq!(
        reason(outcome),
        (UnknownReason::Timeout, NextStep::ManualReconciliation)
    );
}

#[tokio::test]
async fn server_error_is_unknown() {
    let server = spawn(Behaviour::Reply {
        status: 503,
        content_type: "text/html",
        body: b"<html>down</html>".to_vec(),
    })
    .await;
    let outcome = wepay(&server, Duration::from_secs(5))
        .order(&order())
        .await
        .expect("sent");
    assert_eq!(
        reason(outcome).0,
        UnknownReason::ServerError { status: 503 }
    );
    let outcome = easysoft(&server, Duration::from_secs(5))
        .refill(&refill())
        .await
        .expect("sent");
    assert_eq!(
        reason(outcome),
        (
            UnknownReason::ServerError { status: 503 },
            NextStep::ManualReconciliation
        )
    );
}

#[tokio::test]
async fn html_is_unknown() {
    let page = b"<!DOCTYPE html><html><body>blocked</body></html>".to_vec();
    let server = spawn(Behaviour::Reply {
        status: 200,
        content_type: "text/html",
        body: page.clone(),
    })
    .await;
    let outcome = wepay(&server, Duration::from_secs(5))
        .order(&order())
        .await
        .expect("sent");
    assert_eq!(reason(outcome).0, UnknownReason::UnexpectedBody);
    let outcome = easysoft(&server, Duration::from_secs(5))
        .refill(&refill())
        .await
        .expect("sent");
    assert_eq!(reason(outcome).0, UnknownReason::UnexpectedBody);

    let forbidden = spawn(Behaviour::Reply {
        status: 403,
        content_type: "text/html",
        body: page,
    })
    .await;
    let outcome = wepay(&forbidden, Duration::from_secs(5))
        .order(&order())
        .await
        .expect("sent");
    assert_eq!(
        reason(outcome).0,
        UnknownReason::UnexpectedStatus { status: 403 }
    );
}

#[tokio::test]
async fn dropped_connection_is_unknown() {
    for behaviour in [Behaviour::DropAfterRequest, Behaviour::TruncatedBody] {
        let server = spawn(behaviour.clone()).await;
        let outcome = wepay(&server, Duration::from_secs(5))
            .order(&order())
            .await
            .expect("sent");
        assert_eq!(
            reason(outcome).0,
            UnknownReason::ConnectionDropped,
            "{behaviour:?}"
        );
        let outcome = easysoft(&server, Duration::from_secs(5))
            .refill(&refill())
            .await
            .expect("sent");
        assert_eq!(
            reason(outcome),
            (
                UnknownReason::ConnectionDropped,
                NextStep::ManualReconciliation
            ),
            "{behaviour:?}"
        );
    }
}

#[tokio::test]
async fn refused_connection_is_still_unknown_for_money_and_an_error_for_reads() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let server = common::Server {
        addr,
        received: Default::default(),
    };
    let client = wepay(&server, Duration::from_secs(5));
    let outcome = client.order(&order()).await.expect("attempted");
    assert_eq!(reason(outcome).0, UnknownReason::ConnectFailed);
    assert!(matches!(
        client.balance().await,
        Err(ProviderError::Transport(TransportError::Connect(_)))
    ));
}

#[tokio::test]
async fn wepay_round_trip_sends_the_documented_form() {
    let server = spawn(json(
        r#"{"bill_id":1,"code":"00000","transaction_id":"394209456","queue_id":2,"total_amount":9.68,"balance":"90.32"}"#,
    ))
    .await;
    let outcome = wepay(&server, Duration::from_secs(5))
        .order(&order())
        .await
        .expect("sent");
    assert!(
        matches!(outcome, TopupOutcome::Accepted(ref a) if a.debited == Some(Satang::new(968)))
    );
    let received = server.received();
    assert_eq!(
        received[0].request_line,
        "POST /client_api.json.php HTTP/1.1"
    );
    assert!(received[0]
        .headers
        .to_ascii_lowercase()
        .contains("application/x-www-form-urlencoded"));
    assert_eq!(
        received[0].body,
        "username=shop&password_hash=5ebe2294ecd0e0f08eab7690d2a6ee69&type=mtopup&dest_ref=SALE0001\
         &resp_url=https%3A%2F%2Fshop.example%2Fcb&pay_to_company=TRMV&pay_to_amount=10.00&pay_to_ref1=0812345678"
    );
}

#[tokio::test]
async fn wepay_catalogue_is_a_get_without_credentials() {
    let server = spawn(json(r#"{"data":{"mtopup":[]}}"#)).await;
    let entries = wepay(&server, Duration::from_secs(5))
        .catalogue()
        .await
        .expect("catalogue");
    assert!(entries.is_empty());
    let received = server.received();
    assert_eq!(
        received[0].request_line,
        "GET /comp_export.php?json HTTP/1.1"
    );
    assert_eq!(received[0].body, "");
}

#[tokio::test]
async fn easysoft_round_trip_sends_the_documented_form() {
    let server = spawn(xml(
        "<TOPUP><STATUS>1</STATUS><ORDERID>123456</ORDERID><DISCOUNT>0.30</DISCOUNT></TOPUP>",
    ))
    .await;
    let client = easysoft(&server, Duration::from_secs(5));
    let outcome = client.refill(&refill()).await.expect("sent");
    assert!(matches!(outcome, TopupOutcome::Accepted(ref a) if a.provider_ref == "123456"));
    let received = server.received();
    assert_eq!(received[0].request_line, "POST /topup/v2.php HTTP/1.1");
    assert_eq!(
        received[0].body,
        "username=shop&password=secret&mobile=refill&network=2&number=0824491794&cash=10&users=kiosk-1"
    );
}

#[tokio::test]
async fn oversized_reply_is_a_transport_error() {
    let server = spawn(Behaviour::Reply {
        status: 200,
        content_type: "application/json",
        body: vec![b' '; 4096],
    })
    .await;
    let client = WepayClient::new(
        WepayConfig {
            base_url: server.url(""),
            ..WepayConfig::default()
        },
        Transport::new(TransportConfig {
            max_body_bytes: 1024,
            ..TransportConfig::default()
        })
        .expect("transport"),
    );
    assert!(matches!(
        client.balance().await,
        Err(ProviderError::Transport(TransportError::TooLarge(1024)))
    ));
}
