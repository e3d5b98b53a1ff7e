//! `termdee receipt test-page` run as a real process against the fake printer.

use std::process::{Command, Output};

use termdee_receipt::fake_printer::{FakeMode, FakePrinter};

async fn termdee(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_termdee"))
            .args(&args)
            .output()
            .expect("the termdee binary runs")
    })
    .await
    .expect("joins")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_page_prints_on_the_printer_at_its_paper_width() {
    let fake = FakePrinter::start().await.expect("fake printer");
    let address = fake.address();
    let output = termdee(&[
        "receipt",
        "test-page",
        "--printer",
        &address,
        "--paper",
        "80",
    ])
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON line on stdout");
    assert_eq!(line["printed"], true);
    assert_eq!(line["dots"], 576);
    assert_eq!(line["status"]["paper_end"], false);
    let jobs = fake.jobs();
    assert_eq!(jobs.len(), 1);
    assert!(jobs[0].is_complete(), "{:?}", jobs[0]);
    let image = jobs[0].image().expect("an image");
    assert_eq!(image.width(), 576);
    assert!(
        image.ink_count() > 10_000,
        "the page has text, a ruler and a band"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_page_preview_is_a_png_as_wide_as_the_paper() {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("test-page.png");
    let output = termdee(&[
        "receipt",
        "test-page",
        "--png",
        path.to_str().expect("UTF-8 path"),
    ])
    .await;
    assert!(output.status.success(), "{output:?}");
    assert!(output.stdout.is_empty(), "nothing printed, nothing said");
    let image = image::open(&path).expect("a PNG").to_luma8();
    assert_eq!(image.width(), 384);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_exit_2_and_a_printer_that_cannot_print_is_exit_1() {
    for args in [
        vec!["receipt", "test-page", "--printer", "lp0"],
        vec![
            "receipt",
            "test-page",
            "--printer",
            "tcp://127.0.0.1:9100",
            "--paper",
            "57",
        ],
        vec!["receipt", "test-page"],
    ] {
        let output = termdee(&args).await;
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
    }

    let fake = FakePrinter::start().await.expect("fake printer");
    fake.set_mode(FakeMode::out_of_paper())
        .await
        .expect("no paper");
    let output = termdee(&["receipt", "test-page", "--printer", &fake.address()]).await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("out of paper"), "{stderr}");
    assert!(output.stdout.is_empty());

    fake.set_mode(FakeMode::Down).await.expect("off");
    let output = termdee(&["receipt", "test-page", "--printer", &fake.address()]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot reach"));
}
