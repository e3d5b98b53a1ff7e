//! `termdee promptpay`: build, decode and render PromptPay QR payloads.
//!
//! `new` prints the payload and nothing else, so it can be piped; `--png`/`--svg` also write the
//! picture. `decode` prints JSON describing the payload and exits 1 when it is not a valid one.
//! Bad input is one line on stderr and exit 2 (the convention of every termdee subcommand).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use termdee_domain::Satang;
use termdee_promptpay::render::{self, ErrorCorrection, RenderOptions};
use termdee_promptpay::{decode, payload, Target};

/// The `promptpay` subcommands.
#[derive(Debug, Subcommand)]
pub enum PromptpayCommand {
    /// Build a payload for a PromptPay ID or a bill payment and print it.
    New(NewArgs),
    /// Decode a payload and print what it contains as JSON (exit 1 if it is not valid).
    Decode {
        /// The payload text, e.g. 000201010211...
        payload: String,
    },
}

/// Arguments of `termdee promptpay new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// PromptPay ID: mobile number (0812345678, +66812345678), 13-digit national/tax ID or
    /// 15-digit e-wallet ID.
    #[arg(required_unless_present = "biller", conflicts_with = "biller")]
    id: Option<String>,
    /// Biller ID for a bill payment (tag 30) instead of a PromptPay ID.
    #[arg(long, requires = "ref1")]
    biller: Option<String>,
    /// Bill payment reference 1.
    #[arg(long, requires = "biller")]
    ref1: Option<String>,
    /// Bill payment reference 2.
    #[arg(long, requires = "biller")]
    ref2: Option<String>,
    /// Amount in baht, e.g. 150 or 12.50 (leave out for a QR where the payer types the amount).
    #[arg(long, value_name = "BAHT")]
    amount: Option<String>,
    /// Also write the QR code as a PNG file.
    #[arg(long, value_name = "PATH")]
    png: Option<PathBuf>,
    /// Also write the QR code as an SVG file.
    #[arg(long, value_name = "PATH")]
    svg: Option<PathBuf>,
    /// Error correction level of the picture.
    #[arg(long, value_enum, ignore_case = true, default_value = "m")]
    ec: EcLevel,
    /// Size of one QR module in pixels.
    #[arg(long, value_name = "PX", default_value_t = 8)]
    module_px: u32,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum EcLevel {
    /// Medium (about 15% of the code can be damaged).
    M,
    /// High (about 30%).
    H,
}

/// Runs a `promptpay` subcommand and returns the process exit code.
pub fn run(command: PromptpayCommand) -> ExitCode {
    match command {
        PromptpayCommand::New(args) => new(&args),
        PromptpayCommand::Decode { payload } => decode_command(&payload),
    }
}

/// One line on stderr and exit 2: the input cannot be used.
fn bad_input(message: String) -> ExitCode {
    eprintln!("termdee: {message}");
    ExitCode::from(2)
}

fn new(args: &NewArgs) -> ExitCode {
    let target = match (&args.id, &args.biller) {
        (Some(id), _) => {
            Target::parse_id(id).map_err(|e| format!("invalid PromptPay ID {id:?}: {e}"))
        }
        (None, Some(biller)) => {
            let ref1 = args.ref1.as_deref().unwrap_or_default();
            Target::bill(biller, ref1, args.ref2.as_deref())
                .map_err(|e| format!("invalid bill payment: {e}"))
        }
        // clap requires one of the two; kept total rather than panicking.
        (None, None) => Err("give a PromptPay ID or --biller".to_owned()),
    };
    let target = match target {
        Ok(target) => target,
        Err(message) => return bad_input(message),
    };
    let amount = match &args.amount {
        None => None,
        Some(text) => match Satang::parse_baht(text) {
            Ok(amount) => Some(amount),
            Err(e) => return bad_input(format!("invalid amount {text:?}: {e}")),
        },
    };
    let text = match payload(&target, amount) {
        Ok(text) => text,
        Err(e) => {
            // The target is already valid here, so what is left to refuse is the amount.
            let shown = args.amount.as_deref().unwrap_or_default();
            return bad_input(format!("invalid amount {shown:?}: {e}"));
        }
    };

    let options = RenderOptions {
        error_correction: match args.ec {
            EcLevel::M => ErrorCorrection::M,
            EcLevel::H => ErrorCorrection::H,
        },
        module_px: args.module_px,
    };
    if let Some(path) = &args.png {
        let written = render::png(&text, &options)
            .map_err(|e| e.to_string())
            .and_then(|png| write(path, &png));
        if let Err(message) = written {
            return bad_input(format!("cannot write PNG {}: {message}", path.display()));
        }
    }
    if let Some(path) = &args.svg {
        let written = render::svg(&text, &options)
            .map_err(|e| e.to_string())
            .and_then(|svg| write(path, svg.as_bytes()));
        if let Err(message) = written {
            return bad_input(format!("cannot write SVG {}: {message}", path.display()));
        }
    }
    // Printed last, so stdout holds a payload only when everything asked for was done.
    println!("{text}");
    ExitCode::SUCCESS
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| e.to_string())
}

fn decode_command(text: &str) -> ExitCode {
    let decoded = match decode(text) {
        Ok(decoded) => decoded,
        Err(e) => {
            // A well-formed request whose answer is "not a payload": exit 1, not 2.
            eprintln!("termdee: invalid payload: {e}");
            return ExitCode::from(1);
        }
    };
    let report = json!({
        "crc_ok": decoded.crc_ok,
        "crc": decoded.crc,
        "crc_computed": decoded.crc_computed,
        "tags": decoded.tags,
        "target_kind": decoded.target_kind,
        "target": decoded.target,
        "target_display": decoded.as_target().map(|target| target.display()),
        "ref1": decoded.ref1,
        "ref2": decoded.ref2,
        "amount": decoded.amount.map(Satang::to_baht_string),
        "amount_satang": decoded.amount.map(Satang::as_satang),
    });
    println!("{report:#}");
    if decoded.crc_ok {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "termdee: invalid payload: the CRC is {} but the payload's content gives {}",
            decoded.crc, decoded.crc_computed
        );
        ExitCode::from(1)
    }
}
