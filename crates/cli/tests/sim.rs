//! `termdee sim`: spawn the binary, read its one JSON line, call each simulator, kill it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

/// POSTs a urlencoded form with a bare HTTP/1.1 request and returns the whole reply.
fn post_form(url: &str, form: &str) -> String {
    request("POST", url, "application/x-www-form-urlencoded", form)
}

/// Sends one bare HTTP/1.1 request and returns the whole reply.
fn request(method: &str, url: &str, content_type: &str, body: &str) -> String {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_once('/').expect("URL with a path");
    let mut stream = TcpStream::connect(host).expect("connect to the simulator");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let request = format!(
        "{method} /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("send");
    let mut reply = String::new();
    stream.read_to_string(&mut reply).expect("read reply");
    reply
}

#[test]
fn sim_prints_one_json_line_and_serves_every_provider() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_termdee"))
        .arg("sim")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn termdee sim");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the JSON line");
    let described: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");

    let wepay = &described["wepay"];
    let api_url = wepay["api_url"].as_str().expect("wepay api_url");
    assert!(api_url.starts_with("http://127.0.0.1:"), "{api_url}");
    let form = format!(
        "username={}&password={}&type=balance_inquiry",
        wepay["username"].as_str().expect("username"),
        wepay["password"].as_str().expect("password")
    );
    let reply = post_form(api_url, &form);
    assert!(reply.contains(r#""code":"00000""#), "{reply}");

    let easysoft = &described["easysoft"];
    let form = format!(
        "username={}&password={}&amount=1",
        easysoft["username"].as_str().expect("username"),
        easysoft["password"].as_str().expect("password")
    );
    let reply = post_form(
        easysoft["api_url"].as_str().expect("easysoft api_url"),
        &form,
    );
    assert!(reply.contains("<STATUS>1</STATUS>"), "{reply}");

    let tmweasy = &described["tmweasy"];
    let check = format!(
        "{}?username={}&password={}&con_id={}",
        tmweasy["api_url"].as_str().expect("tmweasy api_url"),
        tmweasy["username"].as_str().expect("username"),
        tmweasy["password"].as_str().expect("password"),
        tmweasy["con_id"].as_str().expect("con_id"),
    );
    let reply = request("GET", &check, "text/plain", "");
    assert!(reply.contains(r#""status":1"#), "{reply}");
    let unknown = request(
        "POST",
        tmweasy["pay_url"].as_str().expect("tmweasy pay_url"),
        "application/json",
        r#"{"id":"1"}"#,
    );
    assert!(
        unknown.contains("no bill"),
        "the pay control answers: {unknown}"
    );

    let deposit = &described["deposit_qr"];
    for key in [
        "base_url",
        "bearer_token",
        "api_key",
        "secret_key",
        "pay_url",
    ] {
        assert!(deposit[key].is_string(), "deposit_qr {key}: {deposit}");
    }
    let bluepay = &described["bluepay"];
    for key in [
        "base_url",
        "app_id",
        "merchant_private_key_pem",
        "provider_public_key_pem",
        "pay_url",
    ] {
        assert!(bluepay[key].is_string(), "bluepay {key}: {bluepay}");
    }
    assert!(bluepay["merchant_private_key_pem"]
        .as_str()
        .expect("pem")
        .starts_with("-----BEGIN PRIVATE KEY-----"));
    let pubkey = request(
        "GET",
        &format!("{}/_sim/pubkey", bluepay["base_url"].as_str().expect("url")),
        "text/plain",
        "",
    );
    assert!(pubkey.contains("BEGIN PUBLIC KEY"), "{pubkey}");

    child.kill().expect("kill termdee sim");
    let _ = child.wait();
}
