//! `termdee balance` and `termdee catalogue`: ask a top-up provider, through the configured
//! endpoint (production by default; a JSON config file or `TERMDEE_*` variables override it).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use termdee_providers::config::{self, ProviderName, ProvidersConfig};
use termdee_providers::ProviderError;

/// Which provider, and which configuration.
#[derive(Debug, Args)]
pub struct ProviderArgs {
    /// The provider: `wepay` or `easysoft`.
    #[arg(long, value_parser = parse_provider)]
    provider: ProviderName,
    /// A JSON config file with endpoints and credentials (default: $TERMDEE_PROVIDERS_CONFIG,
    /// else production URLs and `TERMDEE_*` variables).
    #[arg(long)]
    config: Option<PathBuf>,
}

fn parse_provider(text: &str) -> Result<ProviderName, String> {
    text.parse()
}

fn load(args: &ProviderArgs) -> Result<ProvidersConfig, ExitCode> {
    ProvidersConfig::load(args.config.as_deref()).map_err(|error| {
        eprintln!("termdee: {error}");
        ExitCode::from(2)
    })
}

fn fail(error: &ProviderError) -> ExitCode {
    eprintln!("termdee: {error}");
    match error {
        ProviderError::InvalidRequest(_) | ProviderError::Config(_) => ExitCode::from(2),
        ProviderError::Transport(_)
        | ProviderError::Rejected(_)
        | ProviderError::UnexpectedReply(_)
        | ProviderError::Unsupported(_) => ExitCode::from(1),
    }
}

/// `termdee balance --provider …`: prints `available <baht>` (and `ledger <baht>` for wePAY).
pub fn balance(args: &ProviderArgs) -> ExitCode {
    let config = match load(args) {
        Ok(config) => config,
        Err(code) => return code,
    };
    match config::balance_blocking(&config, args.provider) {
        Ok(balance) => {
            println!("{}", config::render_balance(&balance));
            ExitCode::SUCCESS
        }
        Err(error) => fail(&error),
    }
}

/// `termdee catalogue --provider …`: one tab-separated line per product.
pub fn catalogue(args: &ProviderArgs) -> ExitCode {
    let config = match load(args) {
        Ok(config) => config,
        Err(code) => return code,
    };
    match config::catalogue_blocking(&config, args.provider) {
        Ok(entries) => {
            print!("{}", config::render_catalogue(&entries));
            ExitCode::SUCCESS
        }
        Err(error) => fail(&error),
    }
}
