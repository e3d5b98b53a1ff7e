//! Receipts end to end against the fake printer on loopback: what reaches the paper, what a
//! misbehaving printer does to a job, and the reprint queue across failures and restarts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use termdee_domain::{Clock, ManualClock, Msisdn, Network, PaymentMethod, Satang, SystemClock};
use termdee_receipt::escpos::{Command, StatusFlags};
use termdee_receipt::fake_printer::{FakeMode, FakePrinter, ReceivedJob};
use termdee_receipt::{
    render, Align, Block, JobState, Language, NewJob, Outcome, PaperWidth, PrintError, PrintJob,
    PrintQueue, PrintWorker, Printer, PrinterStatus, PrinterTimeouts, QueueError, Raster, Receipt,
    RetryPolicy, Style, TestPage,
};

/// 2026-11-22 14:05:09 in Bangkok.
const SALE_TIME: i64 = 1_795_331_109_000;

fn receipt(language: Language) -> Receipt {
    Receipt {
        language,
        shop_name: "ร้านเติมดี สาขาสุขุมวิท".to_owned(),
        shop_lines: vec![
            "123/4 ถนนสุขุมวิท กรุงเทพฯ 10110".to_owned(),
            "เลขประจำตัวผู้เสียภาษี 0105561234567".to_owned(),
        ],
        register: "เคาน์เตอร์ 1".to_owned(),
        operator: "สมหญิง".to_owned(),
        sale_id: "S-000123".to_owned(),
        at: SALE_TIME,
        network: Network::TrueMove,
        phone: Msisdn::parse("0812345678").expect("valid number"),
        amount: Satang::new(150_050),
        payment: PaymentMethod::Cash,
        outcome: Outcome::ToppedUp,
        reference: Some("WP2611221405001".to_owned()),
        footer: "ขอบคุณที่ใช้บริการ".to_owned(),
    }
}

/// Short timeouts: every failure below shows within a second.
fn quick() -> PrinterTimeouts {
    PrinterTimeouts {
        connect: Duration::from_secs(2),
        status: Duration::from_millis(200),
        write: Duration::from_millis(500),
        confirm: Duration::from_millis(500),
    }
}

fn printer_for(fake: &FakePrinter) -> Printer {
    Printer::with_timeouts(fake.address().parse().expect("fake address"), quick())
}

fn only_job(fake: &FakePrinter) -> ReceivedJob {
    let jobs = fake.jobs();
    assert_eq!(jobs.len(), 1, "expected exactly one job, got {jobs:?}");
    jobs.into_iter().next().expect("one job")
}

/// Every dot the printer got was in the rendered image, and at most a handful were cleared
/// (the encoder clears a dot where image bytes would read as a real-time command).
fn assert_same_picture(printed: &Raster, rendered: &Raster) {
    assert_eq!(printed.width(), rendered.width(), "printed width");
    assert_eq!(printed.height(), rendered.height(), "printed height");
    for y in 0..printed.height() {
        for x in 0..printed.width() {
            assert!(
                !printed.ink(x, y) || rendered.ink(x, y),
                "dot ({x}, {y}) printed but not rendered"
            );
        }
    }
    let lost = rendered.ink_count() - printed.ink_count();
    assert!(lost <= 8, "{lost} dots lost between rendering and paper");
}

/// The rows that have ink, as (first, last) runs.
fn ink_runs(raster: &Raster) -> Vec<(u32, u32)> {
    let mut runs = Vec::new();
    let mut start = None;
    for y in 0..=raster.height() {
        let inked = y < raster.height() && raster.ink_in(0, y, raster.width(), 1) > 0;
        match (inked, start) {
            (true, None) => start = Some(y),
            (false, Some(s)) => {
                runs.push((s, y - 1));
                start = None;
            }
            _ => {}
        }
    }
    runs
}

#[tokio::test]
async fn a_receipt_reaches_the_paper_as_its_rendered_image_and_is_cut() {
    let fake = FakePrinter::start().await.expect("fake printer");
    for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
        for language in [Language::Thai, Language::English] {
            let receipt = receipt(language);
            let rendered = receipt.render(paper).expect("renders");
            assert!(
                rendered.missing_glyphs.is_empty(),
                "{language:?}: the font lacks {:?}",
                rendered.missing_glyphs
            );
            let before = fake.jobs().len();
            let status = printer_for(&fake)
                .print(&receipt.print_job(paper).expect("job"))
                .await
                .expect("the ready printer takes the receipt");
            assert_eq!(status, PrinterStatus::Known(StatusFlags::default()));

            let job = fake.jobs().remove(before);
            assert!(job.is_complete(), "{paper:?} {language:?}: {job:?}");
            assert_eq!(job.commands.first(), Some(&Command::Init));
            assert_eq!(
                job.commands.last(),
                Some(&Command::Cut {
                    partial: true,
                    feed: Some(0)
                }),
                "a partial cut with feed ends the job"
            );
            assert!(
                job.commands.iter().all(|c| !matches!(c, Command::Text(_))),
                "no text is sent in a printer code page"
            );
            let heights = job.band_heights();
            assert!(heights.len() >= 2, "a receipt is longer than one band");
            assert!(heights.iter().all(|&h| h <= 255), "{heights:?}");
            let image = job.image().expect("an image");
            assert_eq!(image.width(), paper.dots());
            assert!(image.height() > 300, "{} rows", image.height());
            assert_same_picture(&image, &rendered.raster);

            // Ink where the text is: the shop name at the top, nothing in the side margins
            // (dividers and text start inside them), a line of text per ink run.
            assert!(image.ink_in(0, 0, paper.dots(), 40) > 100, "no shop name");
            assert_eq!(image.ink_in(0, 0, 3, image.height()), 0, "left margin");
            assert_eq!(
                image.ink_in(paper.dots() - 3, 0, 3, image.height()),
                0,
                "right margin"
            );
            assert!(ink_runs(&image).len() >= 14, "{:?}", ink_runs(&image));
        }
    }
}

#[tokio::test]
async fn thai_marks_stack_on_their_consonants_and_are_real_glyphs_not_boxes() {
    let paper = PaperWidth::Mm80;
    let draw = |text: &str| {
        let rendered = render(
            &[Block::Text {
                text: text.to_owned(),
                align: Align::Left,
                style: Style::Large,
            }],
            paper,
        )
        .expect("renders");
        (rendered.raster, rendered.missing_glyphs)
    };
    let columns = |raster: &Raster| -> (u32, u32) {
        let inked: Vec<u32> = (0..raster.width())
            .filter(|&x| raster.ink_in(x, 0, 1, raster.height()) > 0)
            .collect();
        (inked[0], inked[inked.len() - 1])
    };
    let rows = |raster: &Raster| -> (u32, u32) {
        let inked: Vec<u32> = (0..raster.height())
            .filter(|&y| raster.ink_in(0, y, raster.width(), 1) > 0)
            .collect();
        (inked[0], inked[inked.len() - 1])
    };

    // ที่: SARA II and MAI EK above THO THAHAN, in the consonant's own columns.
    let (base, _) = draw("ท");
    let (stacked, missing) = draw("ที่");
    assert!(missing.is_empty());
    let (left, right) = columns(&base);
    let (stacked_left, stacked_right) = columns(&stacked);
    assert!(
        stacked_left + 2 >= left && stacked_right <= right + 4,
        "marks sit beside the consonant instead of on it: {:?} vs {:?}\n{}",
        (stacked_left, stacked_right),
        (left, right),
        stacked.to_ascii()
    );
    assert!(
        rows(&stacked).0 + 8 < rows(&base).0,
        "nothing is stacked above"
    );

    // The font's positioning, not just zero-width marks: MAI EK alone sits low on its
    // consonant (ท่), and rises above SARA II when there is one (ที่). Drawing the code
    // points one after another would put the tone mark at the same height in both.
    let (tone_only, _) = draw("ท่");
    assert!(
        rows(&stacked).0 + 4 < rows(&tone_only).0,
        "the tone mark did not move up over the vowel: {} vs {}",
        rows(&stacked).0,
        rows(&tone_only).0
    );

    // ผู้: SARA UU below PHO PHUNG, MAI THO above.
    let (base, _) = draw("ผ");
    let (stacked, _) = draw("ผู้");
    assert!(
        rows(&stacked).1 > rows(&base).1 + 4,
        "nothing is stacked below"
    );
    assert!(
        rows(&stacked).0 + 4 < rows(&base).0,
        "nothing is stacked above"
    );
    let (left, right) = columns(&base);
    let (stacked_left, stacked_right) = columns(&stacked);
    assert!(stacked_left + 2 >= left && stacked_right <= right + 4);

    // Every Thai letter is a real glyph, not the font's missing-glyph box.
    let (notdef, missing) = draw("☃");
    assert_eq!(missing, vec!['☃'], "the snowman is outside Sarabun");
    for text in ["เติมเงิน", "ที่", "สำเร็จ", "ผู้ให้บริการ"]
    {
        let (raster, missing) = draw(text);
        assert!(missing.is_empty(), "{text}: {missing:?}");
        let first = draw(&text.chars().next().expect("a letter").to_string()).0;
        assert_ne!(first, notdef, "{text} starts with a box");
        assert!(raster.ink_count() > first.ink_count());
    }
}

#[tokio::test]
async fn a_shop_name_outside_the_font_still_prints_and_is_reported() {
    let mut odd = receipt(Language::Thai);
    odd.shop_name = "ร้านเติมดี ☃".to_owned();
    let rendered = odd.render(PaperWidth::Mm58).expect("renders all the same");
    assert_eq!(rendered.missing_glyphs, vec!['☃']);
}

#[tokio::test]
async fn the_receipt_says_what_the_customer_needs_in_both_languages() {
    let thai = receipt(Language::Thai);
    let texts = |receipt: &Receipt| -> Vec<String> {
        receipt
            .blocks()
            .into_iter()
            .flat_map(|b| match b {
                Block::Text { text, .. } => vec![text],
                Block::Row { label, value, .. } => vec![label, value],
                _ => vec![],
            })
            .collect()
    };
    let lines = texts(&thai);
    for expected in [
        "22 พ.ย. 2569 14:05 น.",
        "081-xxx-5678",
        "1,500.50 บาท",
        "เงินสด",
        "เติมเงินสำเร็จ",
        "WP2611221405001",
        "เติมเงิน TrueMove H",
        "S-000123",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected} missing from {lines:?}"
        );
    }
    assert!(
        !lines.iter().any(|l| l.contains("0812345678")),
        "the full number is printed"
    );

    let mut english = receipt(Language::English);
    english.outcome = Outcome::RefundDue;
    english.reference = None;
    let lines = texts(&english);
    for expected in ["22 Nov 2026 14:05", "1,500.50 THB", "Cash", "Refund due"] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected} missing from {lines:?}"
        );
    }
    assert!(
        lines.iter().any(|l| l.contains("refund")),
        "no refund notice: {lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l == "Reference"),
        "an empty reference is left out"
    );
}

#[tokio::test]
async fn both_paper_widths_and_the_test_page_render_to_their_width() {
    for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
        let page = TestPage {
            shop_name: "ร้านเติมดี".to_owned(),
            printer: "tcp://192.168.1.50:9100".to_owned(),
            at: SALE_TIME,
        };
        let rendered = page.render(paper).expect("renders");
        assert!(
            rendered.missing_glyphs.is_empty(),
            "{:?}",
            rendered.missing_glyphs
        );
        let image = &rendered.raster;
        assert_eq!(image.width(), paper.dots());
        let bottom = image.height() - 16;
        assert_eq!(
            image.ink_in(0, bottom, paper.dots(), 16),
            paper.dots() as usize * 16,
            "the print-head band is solid across the whole width"
        );
        // The ruler's ticks reach the right edge: the width setting matches the paper.
        let ruler_row = (0..bottom)
            .rev()
            .find(|&y| image.ink_in(0, y, paper.dots(), 1) == paper.dots() as usize)
            .expect("the ruler's base line");
        assert!(image.ink_in(paper.dots() - 8, ruler_row + 2, 8, 6) > 0);
    }
}

#[tokio::test]
async fn a_printer_out_of_paper_gets_no_job_and_says_why() {
    let fake = FakePrinter::start().await.expect("fake printer");
    fake.set_mode(FakeMode::out_of_paper()).await.expect("mode");
    let printer = printer_for(&fake);
    let status = printer.status().await.expect("it answers");
    let PrinterStatus::Known(flags) = status else {
        panic!("expected an answer, got {status:?}");
    };
    assert!(flags.paper_end && !flags.ready());

    let error = printer
        .print(
            &receipt(Language::Thai)
                .print_job(PaperWidth::Mm58)
                .expect("job"),
        )
        .await
        .expect_err("no paper, no receipt");
    assert!(
        matches!(error, PrintError::NotReady(f) if f.paper_end),
        "{error}"
    );
    assert_eq!(error.to_string(), "the printer is not ready: out of paper");
    assert!(
        fake.jobs().is_empty(),
        "nothing was sent to a printer without paper"
    );
}

#[tokio::test]
async fn a_printer_that_runs_out_during_the_receipt_fails_the_job() {
    // It answers "ready" before the job and "out of paper" after it: the receipt came out
    // cut short, so the job must stay in the queue to be printed again.
    let fake = FakePrinter::start().await.expect("fake printer");
    fake.set_mode(FakeMode::RunsOut).await.expect("mode");
    let error = printer_for(&fake)
        .print(
            &receipt(Language::Thai)
                .print_job(PaperWidth::Mm58)
                .expect("job"),
        )
        .await
        .expect_err("a receipt cut short is not printed");
    assert!(
        matches!(error, PrintError::NotReady(f) if f.paper_end),
        "{error}"
    );
    assert_eq!(fake.jobs().len(), 1, "the job was sent");
    assert_eq!(fake.status_requests(), 6, "asked before and after the job");
}

#[tokio::test]
async fn a_printer_without_status_confirms_by_closing_the_connection() {
    let fake = FakePrinter::start().await.expect("fake printer");
    fake.set_mode(FakeMode::Silent).await.expect("mode");
    let printer = printer_for(&fake);
    assert_eq!(
        printer.status().await.expect("reachable"),
        PrinterStatus::Unknown,
        "silence is unknown, not an error"
    );
    let status = printer
        .print(
            &receipt(Language::English)
                .print_job(PaperWidth::Mm80)
                .expect("job"),
        )
        .await
        .expect("printed, confirmed by the close");
    assert_eq!(status, PrinterStatus::Unknown);
    assert!(only_job(&fake).is_complete());
}

#[tokio::test]
async fn a_hung_printer_fails_the_job_within_the_timeouts() {
    let fake = FakePrinter::start().await.expect("fake printer");
    fake.set_mode(FakeMode::Hung).await.expect("mode");
    let printer = printer_for(&fake);
    let started = Instant::now();
    let error = printer
        .print(
            &receipt(Language::Thai)
                .print_job(PaperWidth::Mm80)
                .expect("job"),
        )
        .await
        .expect_err("a printer that never reads never printed");
    assert!(
        matches!(
            error,
            PrintError::WriteTimeout(_) | PrintError::Unconfirmed(_)
        ),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(fake.jobs().is_empty());
}

#[tokio::test]
async fn a_printer_that_is_off_is_unreachable() {
    let fake = FakePrinter::start().await.expect("fake printer");
    fake.set_mode(FakeMode::Down).await.expect("mode");
    let printer = printer_for(&fake);
    let error = printer.print(b"\x1b@").await.expect_err("nobody listens");
    assert!(matches!(error, PrintError::Unreachable { .. }), "{error}");
    assert!(error.to_string().contains(&fake.address()), "{error}");
    assert!(printer.status().await.is_err());

    fake.set_mode(FakeMode::Ready).await.expect("back on");
    printer
        .print(b"\x1b@\x1dVB\x00")
        .await
        .expect("prints once it is back");
}

fn job(title: &str) -> NewJob {
    NewJob {
        title: title.to_owned(),
        sale_id: None,
        receipt: None,
        escpos: b"\x1b@\x1b\x64\x03\x1dVB\x00".to_vec(),
    }
}

fn states(queue: &PrintQueue) -> Vec<JobState> {
    queue
        .list()
        .expect("lists")
        .iter()
        .map(|j| j.state)
        .collect()
}

#[tokio::test]
async fn the_queue_keeps_a_receipt_while_the_printer_is_off_and_prints_it_when_it_is_back() {
    let folder = tempfile::tempdir().expect("temp dir");
    let clock = ManualClock::at(SALE_TIME);
    let queue = PrintQueue::open(folder.path().join("queue.sqlite"), Arc::new(clock.clone()))
        .expect("opens");
    let fake = FakePrinter::start().await.expect("fake printer");
    fake.set_mode(FakeMode::Down).await.expect("off");
    let worker = PrintWorker::new(queue.clone(), printer_for(&fake));

    let receipt = receipt(Language::Thai);
    let id = queue
        .enqueue_receipt(&receipt, PaperWidth::Mm58)
        .expect("enqueued without any printer");
    let pass = worker.print_due().await.expect("queue works");
    assert!(pass.printed.is_empty());
    assert!(matches!(pass.failed, Some((failed, PrintError::Unreachable { .. })) if failed == id));

    let waiting = queue.get(id).expect("still there");
    assert_eq!(waiting.state, JobState::Failed);
    assert_eq!(waiting.attempts, 1);
    assert!(waiting
        .last_error
        .as_deref()
        .unwrap_or("")
        .contains("cannot reach"));
    assert_eq!(
        waiting.next_attempt_at,
        Some(SALE_TIME + 2_000),
        "first backoff"
    );
    assert_eq!(waiting.sale_id.as_deref(), Some("S-000123"));
    assert_eq!(
        waiting.receipt.as_ref(),
        Some(&receipt),
        "the preview survives"
    );

    // Before the backoff ends nothing is tried, even with the printer back.
    fake.set_mode(FakeMode::Ready).await.expect("on");
    assert_eq!(worker.print_due().await.expect("pass"), Default::default());
    assert_eq!(fake.connections(), 0);

    clock.advance(2_000);
    let pass = worker.print_due().await.expect("pass");
    assert_eq!(pass.printed, vec![id]);
    let printed = queue.get(id).expect("kept for reprints");
    assert_eq!(printed.state, JobState::Printed);
    assert_eq!(printed.printed_at, Some(SALE_TIME + 2_000));
    assert_eq!(printed.next_attempt_at, None);
    let job = only_job(&fake);
    assert!(job.is_complete());
    let rendered = receipt.render(PaperWidth::Mm58).expect("renders");
    assert_same_picture(&job.image().expect("image"), &rendered.raster);
    assert_eq!(queue.pending().expect("count"), 0);
}

#[tokio::test]
async fn jobs_wait_out_of_paper_then_print_oldest_first_once_the_roll_is_changed() {
    let folder = tempfile::tempdir().expect("temp dir");
    let clock = ManualClock::at(SALE_TIME);
    let queue = PrintQueue::open(folder.path().join("queue.sqlite"), Arc::new(clock.clone()))
        .expect("opens");
    let fake = FakePrinter::start().await.expect("fake printer");
    fake.set_mode(FakeMode::out_of_paper())
        .await
        .expect("no paper");
    let worker = PrintWorker::new(queue.clone(), printer_for(&fake));

    let first = queue.enqueue(job("first")).expect("enqueued");
    let pass = worker.print_due().await.expect("pass");
    assert!(matches!(pass.failed, Some((_, PrintError::NotReady(_)))));
    assert_eq!(
        queue.get(first).expect("job").last_error.as_deref(),
        Some("the printer is not ready: out of paper")
    );
    clock.advance(1_000);
    let second = queue.enqueue(job("second")).expect("enqueued");
    let third = queue.enqueue(job("third")).expect("enqueued");
    // The second is due and fails; the pass stops there, leaving the third untried.
    let pass = worker.print_due().await.expect("pass");
    assert_eq!(pass.failed.map(|(id, _)| id), Some(second));
    assert_eq!(
        states(&queue),
        vec![JobState::Failed, JobState::Failed, JobState::Queued]
    );

    fake.set_mode(FakeMode::Ready).await.expect("paper in");
    // Only the third is due; once it prints, the others' backoffs are cut short.
    let pass = worker.print_due().await.expect("pass");
    assert_eq!(pass.printed, vec![third, first, second]);
    assert_eq!(fake.jobs().len(), 3);
    assert!(fake.jobs().iter().all(ReceivedJob::is_complete));
}

#[tokio::test]
async fn a_job_cut_off_by_a_crash_and_every_queued_job_survive_a_restart() {
    let folder = tempfile::tempdir().expect("temp dir");
    let path = folder.path().join("queue.sqlite");
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::at(SALE_TIME));
    let fake = FakePrinter::start().await.expect("fake printer");
    fake.set_mode(FakeMode::Hung).await.expect("hung");
    {
        let queue = PrintQueue::open(&path, Arc::clone(&clock)).expect("opens");
        for n in 1..=3 {
            queue.enqueue(job(&format!("job {n}"))).expect("enqueued");
        }
        let worker = PrintWorker::new(queue.clone(), printer_for(&fake));
        // The app dies while the first job is on the wire.
        let cut_off = tokio::time::timeout(Duration::from_millis(100), worker.print_due()).await;
        assert!(cut_off.is_err(), "the hung printer holds the job");
        assert_eq!(
            states(&queue),
            vec![JobState::Printing, JobState::Queued, JobState::Queued]
        );
    }
    let queue = PrintQueue::open(&path, Arc::clone(&clock)).expect("reopens");
    let jobs: Vec<PrintJob> = queue.list().expect("lists");
    assert_eq!(
        jobs.iter().map(|j| j.title.as_str()).collect::<Vec<_>>(),
        vec!["job 1", "job 2", "job 3"],
        "nothing lost"
    );
    assert!(jobs.iter().all(|j| j.state == JobState::Queued), "{jobs:?}");

    fake.set_mode(FakeMode::Ready).await.expect("fixed");
    let pass = PrintWorker::new(queue.clone(), printer_for(&fake))
        .print_due()
        .await
        .expect("pass");
    assert_eq!(pass.printed.len(), 3);
    assert_eq!(queue.pending().expect("count"), 0);
}

#[tokio::test]
async fn jobs_can_be_reprinted_discarded_and_given_up_on() {
    let folder = tempfile::tempdir().expect("temp dir");
    let clock = ManualClock::at(SALE_TIME);
    let policy = RetryPolicy {
        first_delay_ms: 1_000,
        max_delay_ms: 1_000,
        max_attempts: 2,
    };
    let queue = PrintQueue::open_with_policy(
        folder.path().join("queue.sqlite"),
        Arc::new(clock.clone()),
        policy,
    )
    .expect("opens");
    let fake = FakePrinter::start().await.expect("fake printer");
    let worker = PrintWorker::new(queue.clone(), printer_for(&fake));
    let changes = queue.changes();

    let id = queue.enqueue(job("receipt")).expect("enqueued");
    assert!(
        changes.has_changed().expect("open"),
        "the UI hears of new jobs"
    );
    worker.print_due().await.expect("pass");
    assert_eq!(queue.get(id).expect("job").state, JobState::Printed);

    // The customer asks for another copy.
    queue.retry(id).expect("reprint");
    assert_eq!(queue.get(id).expect("job").state, JobState::Queued);
    worker.print_due().await.expect("pass");
    assert_eq!(fake.jobs().len(), 2);

    // Two failures exhaust this budget: the job waits for a person.
    fake.set_mode(FakeMode::Down).await.expect("off");
    let lost = queue.enqueue(job("doomed")).expect("enqueued");
    worker.print_due().await.expect("pass");
    clock.advance(1_000);
    worker.print_due().await.expect("pass");
    let given_up = queue.get(lost).expect("kept");
    assert_eq!((given_up.state, given_up.attempts), (JobState::Failed, 2));
    assert_eq!(given_up.next_attempt_at, None);
    clock.advance(3_600_000);
    let pass = worker.print_due().await.expect("pass");
    assert!(
        pass.failed.is_none() && pass.printed.is_empty(),
        "no automatic retry"
    );

    queue.retry(lost).expect("a person retries");
    let retried = queue.get(lost).expect("job");
    assert_eq!((retried.state, retried.attempts), (JobState::Queued, 0));
    queue.discard(lost).expect("a person drops it");
    assert!(matches!(queue.get(lost), Err(QueueError::NotFound(_))));
    assert!(matches!(queue.retry(lost), Err(QueueError::NotFound(_))));
    assert!(matches!(queue.discard(lost), Err(QueueError::NotFound(_))));

    assert_eq!(queue.prune_printed(SALE_TIME).expect("prunes"), 0);
    assert_eq!(queue.prune_printed(SALE_TIME + 1).expect("prunes"), 1);
    assert!(queue.list().expect("lists").is_empty());
}

#[tokio::test]
async fn the_background_worker_prints_as_soon_as_the_printer_comes_back() {
    let folder = tempfile::tempdir().expect("temp dir");
    let policy = RetryPolicy {
        first_delay_ms: 50,
        max_delay_ms: 200,
        max_attempts: 1_000,
    };
    let queue = PrintQueue::open_with_policy(
        folder.path().join("queue.sqlite"),
        Arc::new(SystemClock),
        policy,
    )
    .expect("opens");
    let fake = FakePrinter::start().await.expect("fake printer");
    fake.set_mode(FakeMode::Down).await.expect("off");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(
        PrintWorker::new(queue.clone(), printer_for(&fake)).run_until(async {
            let _ = stopped.await;
        }),
    );

    let id = queue
        .enqueue_receipt(&receipt(Language::Thai), PaperWidth::Mm58)
        .expect("the sale is not held up");
    let mut changes = queue.changes();
    let deadline = Instant::now() + Duration::from_secs(10);
    while queue.get(id).expect("job").attempts < 2 && Instant::now() < deadline {
        let _ = tokio::time::timeout(Duration::from_millis(500), changes.changed()).await;
    }
    assert!(
        queue.get(id).expect("job").attempts >= 2,
        "the worker retries by itself"
    );
    let waiting = queue.get(id).expect("job");
    assert_ne!(
        waiting.state,
        JobState::Printed,
        "nothing printed while off"
    );
    assert!(waiting.last_error.is_some(), "the UI sees why: {waiting:?}");

    fake.set_mode(FakeMode::Ready).await.expect("on");
    let jobs = fake
        .wait_for_complete_jobs(1, Duration::from_secs(10))
        .await;
    assert_eq!(jobs.len(), 1);
    let deadline = Instant::now() + Duration::from_secs(5);
    while queue.get(id).expect("job").state != JobState::Printed && Instant::now() < deadline {
        let _ = tokio::time::timeout(Duration::from_millis(500), changes.changed()).await;
    }
    assert_eq!(queue.get(id).expect("job").state, JobState::Printed);

    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(5), worker)
        .await
        .expect("the worker stops when told")
        .expect("joins");
}

#[tokio::test]
async fn a_device_file_gets_the_job_and_a_missing_one_is_not_created() {
    let folder = tempfile::tempdir().expect("temp dir");
    let device = folder.path().join("lp0");
    std::fs::write(&device, b"").expect("device stand-in");
    let printer = Printer::with_timeouts(
        format!("file://{}", device.display())
            .parse()
            .expect("address"),
        quick(),
    );
    let job = receipt(Language::Thai)
        .print_job(PaperWidth::Mm58)
        .expect("job");
    assert_eq!(
        printer.print(&job).await.expect("written"),
        PrinterStatus::Unknown
    );
    assert_eq!(std::fs::read(&device).expect("read back"), job);
    assert_eq!(
        printer.status().await.expect("status"),
        PrinterStatus::Unknown
    );

    let unplugged = folder.path().join("lp1");
    let printer = Printer::with_timeouts(
        unplugged.display().to_string().parse().expect("address"),
        quick(),
    );
    let error = printer.print(&job).await.expect_err("no device");
    assert!(matches!(error, PrintError::Unreachable { .. }), "{error}");
    assert!(
        !unplugged.exists(),
        "a regular file was created in place of the device"
    );
}

#[tokio::test]
async fn a_device_that_blocks_times_out_and_refuses_more_until_it_frees() {
    // A FIFO with no reader blocks `open` for writing, as a hung USB printer blocks a write.
    let folder = tempfile::tempdir().expect("temp dir");
    let fifo = folder.path().join("lp0");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let printer = Printer::with_timeouts(
        fifo.display().to_string().parse().expect("address"),
        quick(),
    );
    let started = Instant::now();
    let error = printer.print(b"\x1b@").await.expect_err("nobody reads");
    assert!(matches!(error, PrintError::WriteTimeout(_)), "{error}");
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(
        printer.print(b"\x1b@").await.expect_err("still stuck"),
        PrintError::DeviceBusy
    );

    // The printer wakes up: the stuck write completes and the device is free again.
    let reader = std::thread::spawn({
        let fifo = fifo.clone();
        move || std::fs::read(fifo).expect("reads the FIFO")
    });
    assert_eq!(reader.join().expect("reader"), b"\x1b@");
    // And takes the next job (the thread's exit clears the busy mark a moment after the
    // reader sees the end of the first job).
    let reader = std::thread::spawn({
        let fifo = fifo.clone();
        move || std::fs::read(fifo).expect("reads the FIFO")
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match printer.print(b"\x1b@\x1b@").await {
            Ok(_) => break,
            Err(PrintError::DeviceBusy) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(reader.join().expect("reader"), b"\x1b@\x1b@");
}

#[test]
fn a_block_wider_than_the_paper_wraps_instead_of_overflowing() {
    let rendered = render(
        &[Block::row(
            "เลขอ้างอิงผู้ให้บริการ",
            "WP-0123456789-ABCDEFGHIJ-0123456789",
        )],
        PaperWidth::Mm58,
    )
    .expect("renders");
    let image = rendered.raster;
    assert!(
        ink_runs(&image).len() >= 2,
        "the value moved to its own line"
    );
    assert_eq!(image.ink_in(0, 0, 3, image.height()), 0);
    assert_eq!(image.ink_in(381, 0, 3, image.height()), 0);
}
