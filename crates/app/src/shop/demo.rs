//! Demo mode: the five provider simulators of `termdee-sim`, started inside the app.
//!
//! With no top-up provider configured, the app sells against these simulators so an owner can
//! try every screen before signing a contract, and the screen says DEMO throughout. The demo is
//! not a shortcut through the code: the simulators speak each provider's real wire format over
//! HTTP on 127.0.0.1, the clients are built from [`ProviderValues`] exactly as a configured
//! provider's are, and demo sales go to a ledger file of their own (`demo.sqlite`), so they never
//! appear in the shop's real reports. [`DemoProviders::pay`] plays the customer who scans the QR
//! and pays, through the simulator's own "customer paid" control.

use std::time::Duration;

use termdee_domain::{PaymentMethod, Satang};
use termdee_ledger::Payment;
use termdee_sim::bluepay::{
    BluepayMerchant, DEMO_MERCHANT_PRIVATE_KEY_PEM, DEMO_PROVIDER_PUBLIC_KEY_PEM,
};
use termdee_sim::{
    BluepayConfig, BluepaySim, DepositQrConfig, DepositQrSim, EasysoftConfig, EasysoftSim,
    TmweasyConfig, TmweasySim, WepayConfig, WepaySim,
};

use super::providers::ProviderValues;
use super::views::ProviderId;
use crate::error::{AppError, ErrorCode};

/// The demo credentials every simulator accepts (printed by `termdee sim` too).
const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "demo1234";

/// The running simulators.
#[derive(Debug)]
pub struct DemoProviders {
    wepay: WepaySim,
    easysoft: EasysoftSim,
    tmweasy: TmweasySim,
    deposit: DepositQrSim,
    bluepay: BluepaySim,
}

impl DemoProviders {
    /// Starts every simulator on 127.0.0.1 with a free port each, paced like the real
    /// providers but quicker (a top-up settles in about a second and a half, so a person can
    /// watch "topping up" turn into "done").
    pub async fn start() -> std::io::Result<Self> {
        let result_delay = Duration::from_millis(1_500);
        let resend = [1, 5, 30].map(Duration::from_secs).to_vec();
        let wepay = WepaySim::start(WepayConfig {
            result_delay,
            callback_schedule: resend.clone(),
            ..WepayConfig::default()
        })
        .await?;
        let easysoft = EasysoftSim::start(EasysoftConfig {
            result_delay,
            ..EasysoftConfig::default()
        })
        .await?;
        let tmweasy = TmweasySim::start(TmweasyConfig::default()).await?;
        let deposit = DepositQrSim::start(DepositQrConfig {
            callback_schedule: resend.clone(),
            ..DepositQrConfig::default()
        })
        .await?;
        let bluepay = BluepaySim::start(BluepayConfig {
            callback_schedule: resend,
            ..BluepayConfig::default()
        })
        .await?;
        Ok(DemoProviders {
            wepay,
            easysoft,
            tmweasy,
            deposit,
            bluepay,
        })
    }

    /// Every provider's settings, pointed at its simulator with the demo credentials.
    pub fn values(&self) -> Vec<ProviderValues> {
        let wepay_url = format!("{}/", self.wepay.base_url());
        let tmweasy_url = format!("{}/api_mn.php", self.tmweasy.base_url());
        let deposit_url = format!("{}/", self.deposit.base_url());
        let bluepay_url = format!("{}/", self.bluepay.base_url());
        let deposit = termdee_sim::deposit_qr::DepositMerchant::demo();
        vec![
            ProviderValues::given(
                ProviderId::Wepay,
                &[("base_url", &wepay_url), ("username", DEMO_USER)],
                &[("password", DEMO_PASSWORD)],
            ),
            ProviderValues::given(
                ProviderId::Easysoft,
                &[("endpoint", &self.easysoft.url()), ("username", DEMO_USER)],
                &[("password", DEMO_PASSWORD)],
            ),
            ProviderValues::given(
                ProviderId::Tmweasy,
                &[("endpoint", &tmweasy_url), ("username", DEMO_USER)],
                &[("password", DEMO_PASSWORD), ("con_id", "100001")],
            ),
            ProviderValues::given(
                ProviderId::DepositQr,
                &[
                    ("base_url", &deposit_url),
                    ("ref_account", "1448702118"),
                    ("ref_bank_code", "004"),
                    ("ref_name_th", "ลูกค้า หน้าร้าน"),
                ],
                &[
                    ("token", &deposit.token),
                    ("api_key", &deposit.api_key),
                    ("secret_key", &deposit.secret_key),
                ],
            ),
            ProviderValues::given(
                ProviderId::Bluepay,
                &[
                    ("base_url", &bluepay_url),
                    ("app_id", &BluepayMerchant::demo().app_id),
                    ("bluepay_public_key", DEMO_PROVIDER_PUBLIC_KEY_PEM),
                    ("email", "demo@termdee.invalid"),
                    ("mobile", "0812345678"),
                ],
                &[("merchant_private_key", DEMO_MERCHANT_PRIVATE_KEY_PEM)],
            ),
        ]
    }

    /// Plays the customer: pays an open payment attempt in full at its simulator.
    pub fn pay(&self, payment: &Payment) -> Result<(), AppError> {
        let demo_error = |message: String| AppError::new(ErrorCode::InvalidRequest, message);
        let amount = Some(Satang::new(payment.amount.as_satang()));
        match payment.method {
            PaymentMethod::Tmweasy => {
                let id_pay = payment.provider_ref.as_deref().ok_or_else(|| {
                    demo_error("the Mae Manee bill has no id yet: wait for the QR".into())
                })?;
                self.tmweasy.pay(id_pay, amount).map_err(demo_error)
            }
            PaymentMethod::DepositQr => self
                .deposit
                .pay(&payment.reference, amount)
                .map_err(demo_error),
            PaymentMethod::BluePay => self
                .bluepay
                .pay(&payment.reference, amount)
                .map_err(demo_error),
            PaymentMethod::Cash | PaymentMethod::PromptPayLocal => Err(AppError::new(
                ErrorCode::InvalidRequest,
                "cash and the shop's own QR are confirmed by the cashier, not by a provider",
            )),
        }
    }
}
