//! `termdee hub` run as a real process against a real (throwaway) PostgreSQL: enrolment and owner
//! tokens printed once, the server answering, and its exit codes.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use termdee_hub::cluster::Cluster;

fn termdee(args: &[&str], database: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_termdee"));
    command.args(args).env_remove("TERMDEE_HUB_DATABASE_URL");
    if let Some(url) = database {
        command.env("TERMDEE_HUB_DATABASE_URL", url);
    }
    command.output().expect("the termdee binary runs")
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON document on stdout")
}

/// The server as a child process, stopped with SIGTERM (also when dropped by a failing test).
struct Server(Option<Child>);

impl Server {
    fn stop(&mut self) -> Option<std::process::ExitStatus> {
        let mut child = self.0.take()?;
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        child.wait().ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

async fn database() -> (Cluster, String) {
    let cluster = Cluster::start().expect("a throwaway PostgreSQL server");
    let url = cluster.database("hub").await.expect("a database");
    (cluster, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrol_issue_an_owner_token_serve_and_stop() {
    let (_cluster, url) = database().await;

    let enrolled = json(&termdee(
        &[
            "hub",
            "enroll",
            "--register",
            "kiosk-1",
            "--name",
            "ตู้หน้าร้าน",
            "--public-url",
            "https://hub.example.com/",
        ],
        Some(&url),
    ));
    let token = enrolled["token"].as_str().expect("a token").to_owned();
    assert!(token.starts_with("tdr_") && token.len() == 68, "{token}");
    let secret = termdee_hub::token::callback_token(&token);
    assert_eq!(
        enrolled["callback_urls"]["wepay"],
        format!("https://hub.example.com/relay/kiosk-1/callback/wepay/{secret}")
    );
    for provider in ["easysoft", "bluepay", "deposit_qr"] {
        assert!(enrolled["callback_urls"][provider]
            .as_str()
            .is_some_and(|u| u.ends_with(&format!("/callback/{provider}/{secret}"))));
    }
    // Enrolling again rotates the token: a new one, printed once more.
    let again = json(&termdee(
        &["hub", "enroll", "--register", "kiosk-1"],
        Some(&url),
    ));
    assert_ne!(again["token"], enrolled["token"]);
    assert!(
        again.get("callback_urls").is_none(),
        "no public URL, no callback URLs"
    );
    let token = again["token"].as_str().unwrap().to_owned();

    let owner = json(&termdee(
        &["hub", "owner-token", "--label", "phone"],
        Some(&url),
    ));
    let owner = owner["owner_token"]
        .as_str()
        .expect("an owner token")
        .to_owned();
    assert!(owner.starts_with("tdo_"));

    // Bad input is exit 2; a database that cannot be reached is exit 1.
    let bad = termdee(&["hub", "enroll", "--register", "kiosk/1"], Some(&url));
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot name a register"));
    assert_eq!(termdee(&["hub", "migrate"], None).status.code(), Some(2));
    let nowhere = termdee(
        &["hub", "migrate"],
        Some("host=/nonexistent-termdee port=1 user=x dbname=x connect_timeout=2"),
    );
    assert_eq!(nowhere.status.code(), Some(1));

    let mut child = Command::new(env!("CARGO_BIN_EXE_termdee"))
        .args(["hub", "serve", "--listen", "127.0.0.1:0"])
        .env("TERMDEE_HUB_DATABASE_URL", &url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the hub starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let mut server = Server(Some(child));
    let listen: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");
    let base = format!("http://{}", listen["listen"].as_str().unwrap());
    let http = termdee_providers::http_client();
    assert_eq!(
        http.get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    // The register's token pushes (a heartbeat); the owner's token opens the page.
    let push = http
        .post(format!("{base}/api/sync/push"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "head_seq": 0, "entries": [], "rows": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(push.status(), 200);
    assert_eq!(
        push.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({ "applied_through": 0, "missing_from": null })
    );
    let page = http
        .get(format!("{base}/owner"))
        .basic_auth("owner", Some(&owner))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("ตู้หน้าร้าน"));

    // SIGTERM: a clean exit.
    let status = server.stop().expect("the hub was running");
    assert!(status.success(), "{status:?}");
}
