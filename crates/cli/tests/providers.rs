//! `termdee balance` / `termdee catalogue` against the simulators started by `termdee sim`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

/// Kills the simulator process when the test ends, even on panic.
struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn termdee(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_termdee"));
    command.args(args).env_remove("TERMDEE_PROVIDERS_CONFIG");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run termdee")
}

#[test]
fn balance_and_catalogue_against_the_simulators() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_termdee"))
        .arg("sim")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn termdee sim");
    let stdout = child.stdout.take().expect("stdout");
    let _sim = Sim(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the JSON line");
    let described: serde_json::Value = serde_json::from_str(&line).expect("one JSON line");
    let text = |provider: &str, key: &str| {
        described[provider][key]
            .as_str()
            .expect("a string field")
            .to_owned()
    };
    let (wepay_url, wepay_user, wepay_password) = (
        text("wepay", "base_url"),
        text("wepay", "username"),
        text("wepay", "password"),
    );
    let (easysoft_url, easysoft_user, easysoft_password) = (
        text("easysoft", "api_url"),
        text("easysoft", "username"),
        text("easysoft", "password"),
    );
    let env = [
        ("TERMDEE_WEPAY_URL", wepay_url.as_str()),
        ("TERMDEE_WEPAY_USERNAME", wepay_user.as_str()),
        ("TERMDEE_WEPAY_PASSWORD", wepay_password.as_str()),
        ("TERMDEE_EASYSOFT_URL", easysoft_url.as_str()),
        ("TERMDEE_EASYSOFT_USERNAME", easysoft_user.as_str()),
        ("TERMDEE_EASYSOFT_PASSWORD", easysoft_password.as_str()),
    ];

    for provider in ["wepay", "easysoft"] {
        let output = termdee(&["balance", "--provider", provider], &env);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{provider}: {output:?}");
        assert!(stdout.starts_with("available "), "{provider}: {stdout}");
    }

    let output = termdee(&["catalogue", "--provider", "wepay"], &env);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout.lines().any(|line| line.starts_with("TRMV\t")),
        "{stdout}"
    );

    let wrong = [
        ("TERMDEE_WEPAY_URL", wepay_url.as_str()),
        ("TERMDEE_WEPAY_PASSWORD", "wrong"),
    ];
    let output = termdee(&["balance", "--provider", "wepay"], &wrong);
    assert_eq!(
        output.status.code(),
        Some(1),
        "a refusal exits 1: {output:?}"
    );
    assert!(output.stdout.is_empty(), "nothing on stdout on failure");
}

#[test]
fn unknown_provider_is_a_usage_error() {
    let output = termdee(&["balance", "--provider", "nope"], &[]);
    assert_eq!(output.status.code(), Some(2));
}
