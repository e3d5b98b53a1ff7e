//! # termdee — the command line
//!
//! A thin shell over the library crates, for owners, support staff and scripts: every
//! subcommand parses its arguments, calls one library function and prints the result.
//! Conventions shared by every subcommand:
//!
//! - the result goes to stdout and nothing else does, so the output can be piped;
//! - bad input is one line on stderr naming the problem, and exit code 2;
//! - a well-formed request whose answer is "no" (an invalid payload to `decode`) exits 1.

mod crash_worker;
mod hub;
mod promptpay;
mod providers;
mod receipt;
mod report;
mod sales;
mod sim;
mod soak;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Termdee (เติมดี): mobile top-up point of sale — command line tools.
#[derive(Debug, Parser)]
#[command(name = "termdee", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build, decode and render Thai PromptPay (EMVCo) QR payloads.
    #[command(subcommand)]
    Promptpay(promptpay::PromptpayCommand),
    /// Ask a top-up provider (wepay, easysoft) for the wallet balance.
    Balance(providers::ProviderArgs),
    /// List a top-up provider's products (wePAY comp_export; Easysoft's seven networks).
    Catalogue(providers::ProviderArgs),
    /// Run the provider simulators on 127.0.0.1; prints one JSON line, serves until stopped.
    Sim(sim::SimArgs),
    /// The owner's daily totals per operator from a ledger file (JSON or CSV).
    Report(report::ReportArgs),
    /// The sales of a ledger file, one JSON line each (masked phones; `--events` for the log).
    Sales(sales::SalesArgs),
    /// Seeded whole-sale runs against the simulators with faults (and kills with --crash);
    /// prints one JSON line and exits 1 if any money invariant broke.
    Soak(soak::SoakArgs),
    /// The fleet hub on PostgreSQL: serve, enroll a register, issue an owner token, migrate.
    #[command(subcommand)]
    Hub(hub::HubCommand),
    /// Receipt printers: the test page.
    #[command(subcommand)]
    Receipt(receipt::ReceiptCommand),
    /// The engine as a child process for the SIGKILL crash tests.
    #[command(hide = true)]
    CrashWorker(crash_worker::CrashWorkerArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help/version on stdout with exit 0, and usage errors with exit 2.
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Promptpay(command) => promptpay::run(command),
        Command::Balance(args) => providers::balance(&args),
        Command::Catalogue(args) => providers::catalogue(&args),
        Command::Sim(args) => sim::run(args),
        Command::Report(args) => report::run(&args),
        Command::Sales(args) => sales::run(&args),
        Command::Soak(args) => soak::run(args),
        Command::Hub(command) => hub::run(command),
        Command::Receipt(command) => receipt::run(command),
        Command::CrashWorker(args) => crash_worker::run(args),
    }
}
