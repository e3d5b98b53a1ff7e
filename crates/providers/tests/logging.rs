//! Secrets never reach the logs: real requests against a local server that echoes them back,
//! with every tracing event (TRACE level) captured into a buffer.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{spawn_with, Behaviour};
use secrecy::SecretString;
use termdee_domain::Satang;
use termdee_providers::easysoft::{EasysoftNetwork, EasysoftRefillRequest};
use termdee_providers::wepay::{WepayOrderRequest, WepayRefundRequest};
use termdee_providers::{
    EasysoftClient, EasysoftConfig, Transport, TransportConfig, WepayClient, WepayConfig,
};

const PASSWORD: &str = "hunter2-Pa55";

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn md5_hex(text: &str) -> String {
    termdee_providers::wepay::api::md5_hex(text)
}

#[tokio::test]
async fn no_password_or_md5_hash_in_logs() {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(buffer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // Echo every request body back, as a 200 or (for the balance call) a 500: the secrets come
    // back in reply bodies and error paths too.
    let server = spawn_with(|received| {
        if received.body.contains("balance_inquiry") {
            Behaviour::Reply {
                status: 500,
                content_type: "text/plain",
                body: received.body.clone().into_bytes(),
            }
        } else if received.body.contains("amount=1") {
            Behaviour::DropAfterRequest
        } else {
            Behaviour::Echo
        }
    })
    .await;
    let transport = Transport::new(TransportConfig {
        total_timeout: Duration::from_secs(5),
        ..TransportConfig::default()
    })
    .expect("transport");
    let wepay = WepayClient::new(
        WepayConfig {
            base_url: server.url(""),
            username: "shop".to_owned(),
            password: SecretString::from(PASSWORD),
            password_is_md5: false,
            callback_url: Some(url::Url::parse("https://shop.example/cb").expect("url")),
        },
        transport.clone(),
    );
    let easysoft = EasysoftClient::new(
        EasysoftConfig {
            endpoint: server.url("topup/v2.php"),
            username: "shop".to_owned(),
            password: SecretString::from(PASSWORD),
            users: None,
        },
        transport,
    );

    let result = wepay.balance().await;
    tracing::info!(?result, "the app logs whatever came back");
    let result = wepay
        .order(&WepayOrderRequest {
            dest_ref: "SALE1".to_owned(),
            company: "TRMV".to_owned(),
            amount: Satang::new(1000),
            phone: "0812345678".to_owned(),
        })
        .await;
    tracing::info!(?result, "the app logs whatever came back");
    let result = wepay.get_output("123").await;
    tracing::info!(?result, "the app logs whatever came back");
    let result = wepay
        .refund(&WepayRefundRequest {
            transaction_id: "123".to_owned(),
            dest_ref: "REF1".to_owned(),
            company: "TRMV".to_owned(),
        })
        .await;
    tracing::info!(?result, "the app logs whatever came back");
    let result = easysoft
        .refill(&EasysoftRefillRequest {
            network: EasysoftNetwork::Ais,
            number: "0812345678".to_owned(),
            cash: Satang::new(1000),
            users: None,
        })
        .await;
    tracing::info!(?result, "the app logs whatever came back");
    let result = easysoft.balance().await;
    tracing::info!(?result, "the app logs whatever came back");
    let result = easysoft.network_status().await;
    tracing::info!(?result, "the app logs whatever came back");
    tracing::debug!(config = ?wepay, "client debug output");

    let received = server.received();
    assert_eq!(received.len(), 7, "every call reached the server");
    assert!(
        received[0]
            .body
            .contains(&format!("password_hash={}", md5_hex(PASSWORD))),
        "the hash was really sent"
    );
    assert!(
        received[4].body.contains(&format!("password={PASSWORD}")),
        "Easysoft sends it plain"
    );

    let logs = String::from_utf8(buffer.0.lock().expect("lock").clone()).expect("utf-8 logs");
    assert!(
        logs.contains("wepay.order") && logs.contains("easysoft.refill"),
        "logs: {logs}"
    );
    assert!(
        logs.contains("password_hash=***"),
        "the masked field is logged: {logs}"
    );
    assert!(
        logs.contains("password=***"),
        "the masked field is logged: {logs}"
    );
    assert!(
        !logs.contains(PASSWORD),
        "the password leaked into the logs:\n{logs}"
    );
    assert!(
        !logs.contains(&md5_hex(PASSWORD)),
        "the MD5 hash leaked into the logs:\n{logs}"
    );
}
