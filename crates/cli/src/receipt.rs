//! `termdee receipt test-page`: print the printer test page, or write its preview.
//!
//! `termdee receipt test-page --printer tcp://192.168.1.50:9100 [--paper 58|80] [--shop NAME]
//! [--png PATH]` renders the test page (Thai and English text, a millimetre ruler, the paper
//! width, the date) and sends it straight to the printer — not through the reprint queue: a
//! person is standing at the printer waiting for it. On success it prints one JSON line with
//! the printer's status after the job; a printer that cannot print is one line on stderr and
//! exit 1; a bad address or paper width is exit 2. `--png` writes the same image as a PNG,
//! with or without a printer.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use termdee_domain::{Clock, SystemClock};
use termdee_receipt::{PaperWidth, Printer, PrinterAddress, PrinterStatus, TestPage};

/// `termdee receipt …`.
#[derive(Debug, Subcommand)]
pub enum ReceiptCommand {
    /// Print the test page (and/or write it as a PNG).
    TestPage(TestPageArgs),
}

/// Arguments of `termdee receipt test-page`.
#[derive(Debug, Args)]
pub struct TestPageArgs {
    /// The printer: tcp://HOST[:PORT] (port 9100 by default) or a device such as /dev/usb/lp0.
    #[arg(long, value_parser = parse_printer)]
    printer: Option<PrinterAddress>,
    /// The paper roll width in millimetres: 58 (384 dots) or 80 (576 dots).
    #[arg(long, default_value = "58", value_parser = parse_paper)]
    paper: PaperWidth,
    /// The shop name printed at the top.
    #[arg(long, default_value = "เติมดี Termdee")]
    shop: String,
    /// Also write the page as a PNG here.
    #[arg(long, value_name = "PATH")]
    png: Option<PathBuf>,
}

fn parse_printer(text: &str) -> Result<PrinterAddress, String> {
    text.parse()
        .map_err(|e: termdee_receipt::BadAddress| e.to_string())
}

fn parse_paper(text: &str) -> Result<PaperWidth, String> {
    text.parse()
        .ok()
        .and_then(PaperWidth::from_millimetres)
        .ok_or_else(|| format!("{text:?} is not a paper width (58 or 80)"))
}

/// Runs `termdee receipt …`.
pub fn run(command: ReceiptCommand) -> ExitCode {
    match command {
        ReceiptCommand::TestPage(args) => test_page(args),
    }
}

fn test_page(args: TestPageArgs) -> ExitCode {
    if args.printer.is_none() && args.png.is_none() {
        eprintln!("termdee receipt test-page: give --printer, --png or both");
        return ExitCode::from(2);
    }
    let page = TestPage {
        shop_name: args.shop,
        printer: args
            .printer
            .as_ref()
            .map_or_else(|| "preview".to_owned(), ToString::to_string),
        at: SystemClock.now(),
    };
    let rendered = match page.render(args.paper) {
        Ok(rendered) => rendered,
        Err(error) => {
            eprintln!("termdee receipt test-page: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &args.png {
        let written = rendered
            .to_png()
            .map_err(|e| e.to_string())
            .and_then(|png| std::fs::write(path, png).map_err(|e| e.to_string()));
        if let Err(error) = written {
            eprintln!(
                "termdee receipt test-page: cannot write {}: {error}",
                path.display()
            );
            return ExitCode::FAILURE;
        }
    }
    let Some(address) = args.printer else {
        return ExitCode::SUCCESS;
    };
    let job = termdee_receipt::escpos::print_job(&rendered.raster);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("termdee receipt test-page: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let printer = Printer::new(address.clone());
    match runtime.block_on(printer.print(&job)) {
        Ok(status) => {
            let status = match status {
                PrinterStatus::Unknown => serde_json::Value::Null,
                PrinterStatus::Known(flags) => serde_json::json!(flags),
            };
            println!(
                "{}",
                serde_json::json!({
                    "printed": true,
                    "printer": address.to_string(),
                    "paper_mm": args.paper.millimetres(),
                    "dots": args.paper.dots(),
                    "bytes": job.len(),
                    "status": status,
                })
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("termdee receipt test-page: {error}");
            ExitCode::FAILURE
        }
    }
}
