//! The BluePay WebPay simulator: `POST /open-api/webpay/generate` and `/open-api/webpay/detail`
//! with the envelope `{appId, sign, param:"<JSON string>"}`, as
//! `../shared/providers/bluepay_webpay.md` documents them.
//!
//! Every request's `sign` is verified as SHA256withRSA (RSASSA-PKCS1-v1_5) over the exact bytes
//! of `param` with the merchant's public key (`21001` otherwise); an unknown `appId` gives
//! `21003`, an unparseable `param` or a rule violation `21002`, a timestamp outside the window
//! `21009`. `generate` refuses a known `mchOrderId` with `21007`; `detail` finds an order by
//! `mchOrderId` (`21006` otherwise). Replies are not signed.
//!
//! When the customer pays or the payment fails (control [`BluepaySim::pay`] / [`BluepaySim::fail`],
//! `POST /_sim/pay` / `/_sim/fail`, or the cashier page `payUrl`), or when it expires
//! ([`BluepayExpiry`]), the notification `{sign, param}` signed with the **provider's** private
//! key is POSTed to `notifyUrl` and re-sent until the reply is exactly
//! `{"code":10000,"message":"Success"}`.
//!
//! Faults: [`Op::Order`] is `generate`, [`Op::Query`] is `detail`. Refusals answer `21016`
//! (IP), `21014` (balance) or `21000`; `ExecuteThenError` creates the order, then answers
//! `21000`.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Serialize;
use sha2::Sha256;
use termdee_domain::Satang;

use crate::callback::{Ack, Courier, Delivery};
use crate::controls::{CallbackPlan, Controls, ExecutionKind, Fault, Op, Outcome, RandomFaults};
use crate::payments::{self, object, Customer, Forgery, SimClock, J};
use crate::server::{self, Before, Reply, Running, Wallets};

/// The demo merchant's RSA-2048 private key (PKCS#8 PEM). A published test key: never use it for real money.
pub const DEMO_MERCHANT_PRIVATE_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQDaJdUjdEkw+apM\n\
sMqGuenLbP2SySibMjrK/SM5R7vGJW0LsUvrMsJiwEJ6l+MMicBqWojRlzqKktDz\n\
/7GnAJmc7j1C1pbn/8tcNjSdxUrEue6cjClf88s2DpU339zTfF0rtAsX9iYRU+5k\n\
YANJHRd+zDyaQApL+YYeJtOu8Bw0mTSWNte86AW9AiXg52nuIl68ZsvlyBowB5z2\n\
BEuuMydC38HuJyjjp248B742zlSsax/LvFsmWEGBq9li0t0gUROCJS7LGoh+qFVG\n\
HFJVQiBi0pkd76cvsavqxtPjfoNIQprpfdrPo/ByOldA25R3rbsZxh5U2WlhAUwX\n\
rBJzlqVzAgMBAAECggEAXo+kvvwi1/R5kknWWKVRR4mEt7K0A+Y3nxMwyB0ks8U4\n\
aieeEaOMqJLPnmWlmaNCwbdh9Hx592Sh6ArP/uTfMawB6S2s938lr2Cd2UAS44j3\n\
emu1aa77yQB0RWaoShJwLsgaQPZF1SANR/xooDJYo3Gz2WdmLz3IGdzZyMyzZUax\n\
KMn72KNMmoEx/ae/pV3N/onRVWuspyAwLJQ4MtenDxnaNBbvatvP5Ao0Nt3iPQRE\n\
W94gkYt0s/AVhSq62G9rQFRZ9q8a6+PFiIwBaDGUn2H2NEwIdOnP0KKa65Jf2l0D\n\
2QgQlZbgEbi62Kza5uQEJtAh7sksEFHoXq3PHRYhNQKBgQDslFN5vorvw66Iq5dB\n\
bZG8XM40ljyS95p23pVR+G0ra/dgW1ISUNRbdqt1P+8gq/4XEJODp816/LAayeil\n\
1dspsoDPXy/lwmeQblITjM86wl4RISbQyvPNuaKcYCNwDcqUbpbl1dGzHQ6rv2G4\n\
EDK2G8fZTlVO6jzjZYFcC7JBjQKBgQDsDitcx82IQhPN88Ma0T+2mK0GiT/XRTcH\n\
OHqtwKR3fvdmf7IIqEUAhjLl3rdKbpFK5DhVOohuJncArhkyXVnARVfoke4y4IbP\n\
hL/un/qRz+wDLN8kk6lbIFYBF3ye5Mx8tYWkVOG18LMuvU0BjlMqj+qlJpGPCQpS\n\
daddSeVC/wKBgBTY0S5GMxoDpUqXzEFQtWnix6zsnDPbK7pTzNanTH9qCSdthKLm\n\
in/wyhUP6DN51G8V39nXHI083QvPRPfwC1r2RtF/MspNQjEA96yPWOd1nzJlOHVn\n\
nOpA9GpRMm46WOKRiCyClfLxmYxa1fKRQta3RfoJJA1LKMhk9mw0/6U1AoGARk7y\n\
G3Bnh24m9/Di69nnYDuZTZkTqsqy2TO5VodKdU0b4yulm26DHuTZxB3R+hl0rRnM\n\
rZYBjM1oJIu2dYnYcaw1ws+0YvL9NFIV2L1NpKCJa2iyDfLtPncjJrAYLjt3rK1k\n\
YM3nbImE1ScNCKmbm9HB0e7q6++FY4onj2GzJ4ECgYAecua1Q6dx02reQTZ0vfoM\n\
Lhf8WwZMrmqMkddyvIFNQCyfJymR1nDqlXgX77t9Zxxi28Igc/YwTJE76cXb2kxD\n\
aOjAtim2wENNJbccq99F2yWui0XVC7Mj6wAMjZmqMVjMUOt40bKmoPbjwA1sWolP\n\
UVz2i02Feu0OcMksD/jE7g==\n\
-----END PRIVATE KEY-----\n\
";

/// The demo merchant's RSA-2048 public key (X.509 SubjectPublicKeyInfo PEM). A published test key: never use it for real money.
pub const DEMO_MERCHANT_PUBLIC_KEY_PEM: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2iXVI3RJMPmqTLDKhrnp\n\
y2z9kskomzI6yv0jOUe7xiVtC7FL6zLCYsBCepfjDInAalqI0Zc6ipLQ8/+xpwCZ\n\
nO49QtaW5//LXDY0ncVKxLnunIwpX/PLNg6VN9/c03xdK7QLF/YmEVPuZGADSR0X\n\
fsw8mkAKS/mGHibTrvAcNJk0ljbXvOgFvQIl4Odp7iJevGbL5cgaMAec9gRLrjMn\n\
Qt/B7ico46duPAe+Ns5UrGsfy7xbJlhBgavZYtLdIFETgiUuyxqIfqhVRhxSVUIg\n\
YtKZHe+nL7Gr6sbT436DSEKa6X3az6PwcjpXQNuUd627GcYeVNlpYQFMF6wSc5al\n\
cwIDAQAB\n\
-----END PUBLIC KEY-----\n\
";

/// The demo provider's RSA-2048 private key (PKCS#8 PEM). A published test key: never use it for real money.
pub const DEMO_PROVIDER_PRIVATE_KEY_PEM: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCIQ5Mg+wt8d4JW\n\
xN5jHAkoI5nSvsfnSYnS8LnwZXgMd2ekA90A2IjWsgCfg6GHF+ldOL2E9+Je2c3/\n\
37DnMjzxR615YK87hdTGg3RoePI1QobXkOXWL7BxOG3Hlk08d+vvLzPo2AlP4/wO\n\
q5myviLadYFsSSANPRI23SIGomnBQC3FeM5GDMDCKYrEnm0c2z2Ee5fSeW0sTeij\n\
GH9bDVE6mBfHdNnXzdojmzy6Mo8eVhptt3pCX1wQmUbeb80Ln2BbHepiGAjcMVtG\n\
suaUHKhjIN+/3QyXzzbmY6dfnkgEx8yibGYyoA4KE/SESs86nRgpTsA9wXI6bukR\n\
TQbFC8/zAgMBAAECggEAI1bHHvwMiAykeGVZOYHpXAgTmiTRSkn3nQXCazadkjob\n\
Xl2EIPaHUoraf4QPTa5lXsBa4lO5WRkKhEwaoHMWfAq3Ui3BdGHqg0tPUtLfGfH1\n\
b42MFebLTymvyt3PjRmazi7DOyVgEOCTG6jkVQdbmaV02cUDM3u9sA3ch7TyUWQ3\n\
OiO8CADPrvBsrHrd82/rfVBTIRgFunpVh5wEEulslOmD8sGQgpCB3ylkaHGSC2JZ\n\
zSFUpvJv49bXoIVAWfnuuNjSmzaIiANEznK/VvJ6nrqZ/P2Bur7aF8QkjeO82lLK\n\
JMJfYGGlq3T/mFtWEJT6I5GRwF+WAZfa8MoTVnaStQKBgQC7I6mPDPxYZs6msDPJ\n\
0u+pRZ3VdNCQA6LX6cOUvaxCdaCP0LMIpGmldwjbWjj7sufcVkFqrg71U1Yil6fp\n\
+6SrGIbqKawN9t9Gt7A+7SmHUWd9GSU89/B52+rW2x/sVPutfZL1/KQ+ztO3ggjz\n\
+lN3eeDSY1Di9Hj8aiJii66DrQKBgQC6Z4FjqWIbteIT2Z8o6d9OAh/SWvYU33dh\n\
VhKr3izxi1Dha4wMtV44N/k1AzGbPMr/pStXiJRZHoGPD2CaC9sJkKXI64VixvVz\n\
wwS03bXH7A74sl5VFZuf/BOjhQJCYbqwHyu4NehwaFQoLD5PgBMAlXeQXWIKsg38\n\
P1gv1R0WHwKBgCxapnx2OnUFYONXDd8+9HitPFx0RF5tzjHYgPeHAQX7dSPA9j4N\n\
IdEK5nl+59SYMaYid3y+ZmM07kxin3SwpPW8aXWkjNf+dCsBrG8trNMasymORSov\n\
JbrsKbvk0ask9UXIZoWQ7KjKQpnS4yZYZWIC7AtRaMFx6h8BVMcAjks9AoGAO9Zq\n\
NMH1GowijNi5PPsGkhYgfPhyMnUh738f80gZCVj9l79cb9/w5P8i4p+p1vmG+NXe\n\
ufTAGnOuh2waSJkxsTpb3cmtQe44cPbTlfPuHMVscO1hVtLe6FaVP1K9TO3ubgcz\n\
k6jKevsiuNqrDf5BG1jfztoLVP+febAj8QbqlWUCgYEAqiUssXWgufDNjMNBQ+JA\n\
kpwQl/jBS20zdfVYxETDCwLzGa6lemfKV2kHbsGDY2SeqNMT5dQn/0hwNLilh2xI\n\
KWMvK4Q/RGEWRnYMjJ5o1BFoeWaoPM8vjWq6mHr735gdczeo5YY4+tu6Y20/pwWd\n\
vZdbBJwFX70EDUKtjidgBT4=\n\
-----END PRIVATE KEY-----\n\
";

/// The demo provider's RSA-2048 public key (X.509 SubjectPublicKeyInfo PEM). A published test key: never use it for real money.
pub const DEMO_PROVIDER_PUBLIC_KEY_PEM: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAiEOTIPsLfHeCVsTeYxwJ\n\
KCOZ0r7H50mJ0vC58GV4DHdnpAPdANiI1rIAn4OhhxfpXTi9hPfiXtnN/9+w5zI8\n\
8UeteWCvO4XUxoN0aHjyNUKG15Dl1i+wcThtx5ZNPHfr7y8z6NgJT+P8DquZsr4i\n\
2nWBbEkgDT0SNt0iBqJpwUAtxXjORgzAwimKxJ5tHNs9hHuX0nltLE3ooxh/Ww1R\n\
OpgXx3TZ183aI5s8ujKPHlYabbd6Ql9cEJlG3m/NC59gWx3qYhgI3DFbRrLmlByo\n\
YyDfv90Ml8825mOnX55IBMfMomxmMqAOChP0hErPOp0YKU7APcFyOm7pEU0GxQvP\n\
8wIDAQAB\n\
-----END PUBLIC KEY-----\n\
";

/// A merchant registered with BluePay.
#[derive(Debug, Clone)]
pub struct BluepayMerchant {
    /// `appId` (32 hex in the examples).
    pub app_id: String,
    /// The merchant's public key: PEM, or bare Base64 X.509 DER as uploaded to BluePay.
    pub public_key: String,
    /// The matching private key, known only for the demo merchant so that `termdee sim` can
    /// print it for the client; `None` for a real-shaped merchant.
    pub private_key_pem: Option<String>,
}

impl BluepayMerchant {
    /// The demo merchant `termdee sim` prints, with its (published, test-only) key pair.
    pub fn demo() -> Self {
        BluepayMerchant {
            app_id: "6e2d4b6f926c44f8ab4e0f5c76cdec69".to_owned(),
            public_key: DEMO_MERCHANT_PUBLIC_KEY_PEM.to_owned(),
            private_key_pem: Some(DEMO_MERCHANT_PRIVATE_KEY_PEM.to_owned()),
        }
    }
}

/// `[U]` What happens when `expireSeconds` pass without payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BluepayExpiry {
    /// The order becomes `FAILED` and an `order.payment.failed` notification is sent (default).
    FailAndNotify,
    /// The order stays `PENDING` (and can no longer be paid).
    StayPending,
}

/// Everything a BluePay simulator is started with; `[U]` fields are switches for unknowns.
#[derive(Debug, Clone)]
pub struct BluepayConfig {
    /// Where to listen (port 0 picks a free one).
    pub addr: SocketAddr,
    /// The merchants.
    pub merchants: Vec<BluepayMerchant>,
    /// BluePay's private key (PKCS#8 PEM), which signs notifications.
    pub provider_private_key_pem: String,
    /// BluePay's public key (PEM), given to merchants to verify notifications.
    pub provider_public_key_pem: String,
    /// `[U]` The accepted distance between `timestamp` (seconds or milliseconds, number or
    /// string) and the real clock (default ±300 s); `None` does not check.
    pub timestamp_window: Option<Duration>,
    /// `[U]` Enabled `channelCode`s (default `TRUEMONEY_URL`, `WECHAT_URL`, `WECHAT_JS_URL`);
    /// another gives `21005`.
    pub channels: Vec<String>,
    /// Largest amount (`21010` above it).
    pub amount_limit: Satang,
    /// `[U]` Expiry behaviour.
    pub expiry: BluepayExpiry,
    /// `payUrl` is a fake TrueMoney / WeChat link of the real shape instead of the simulator's
    /// cashier page (default false, so that a person can pay by hand).
    pub provider_shaped_pay_url: bool,
    /// `[U]` Waits before each notification re-send (default 15 s, 1 min, 5 min, 30 min, 2 h,
    /// invented).
    pub callback_schedule: Vec<Duration>,
    /// Timeout of one notification POST.
    pub callback_timeout: Duration,
    /// Longest an out-of-order notification waits for the next one.
    pub callback_park_limit: Duration,
    /// Delay before an order whose fate has an outcome is paid or failed by itself.
    pub auto_pay_delay: Duration,
    /// How often expiry is checked in real time.
    pub sweep_every: Duration,
    /// Seeded random faults, if any.
    pub random: Option<RandomFaults>,
}

impl Default for BluepayConfig {
    fn default() -> Self {
        BluepayConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            merchants: vec![BluepayMerchant::demo()],
            provider_private_key_pem: DEMO_PROVIDER_PRIVATE_KEY_PEM.to_owned(),
            provider_public_key_pem: DEMO_PROVIDER_PUBLIC_KEY_PEM.to_owned(),
            timestamp_window: Some(Duration::from_secs(300)),
            channels: ["TRUEMONEY_URL", "WECHAT_URL", "WECHAT_JS_URL"]
                .map(str::to_owned)
                .to_vec(),
            amount_limit: Satang::new(5_000_000),
            expiry: BluepayExpiry::FailAndNotify,
            provider_shaped_pay_url: false,
            callback_schedule: [15, 60, 300, 1800, 7200].map(Duration::from_secs).to_vec(),
            callback_timeout: Duration::from_secs(10),
            callback_park_limit: Duration::from_secs(30),
            auto_pay_delay: Duration::from_secs(5),
            sweep_every: Duration::from_secs(1),
            random: None,
        }
    }
}

impl BluepayConfig {
    /// A configuration for tests: notifications re-sent after 10, 20, 40 ms; auto results after
    /// 20 ms.
    pub fn fast() -> Self {
        BluepayConfig {
            callback_schedule: [10, 20, 40].map(Duration::from_millis).to_vec(),
            callback_timeout: Duration::from_secs(2),
            callback_park_limit: Duration::from_secs(2),
            auto_pay_delay: Duration::from_millis(20),
            sweep_every: Duration::from_millis(50),
            ..BluepayConfig::default()
        }
    }
}

/// `transactionStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BluepayStatus {
    /// Waiting for the customer.
    Pending,
    /// Paid.
    Completed,
    /// Failed or expired.
    Failed,
}

impl BluepayStatus {
    fn wire(self) -> &'static str {
        match self {
            BluepayStatus::Pending => "PENDING",
            BluepayStatus::Completed => "COMPLETED",
            BluepayStatus::Failed => "FAILED",
        }
    }
}

/// A simulated WebPay order.
#[derive(Debug, Clone, Serialize)]
pub struct BluepayOrder {
    /// The merchant's `appId`.
    pub app_id: String,
    /// `mchOrderId`.
    pub mch_order_id: String,
    /// `transactionId` (`C` + 19 digits).
    pub transaction_id: String,
    /// `amount` in satang.
    pub amount: Satang,
    /// `channelCode`.
    pub channel_code: String,
    /// `notifyUrl`.
    pub notify_url: String,
    /// `redirectUrl`.
    pub redirect_url: String,
    /// `customerName`, `email`, `mobile`, `remark`.
    pub customer: (String, String, String, String),
    /// `payUrl`.
    pub pay_url: String,
    /// `transactionStatus`.
    pub status: BluepayStatus,
    /// `createTime` (`yyyy-MM-dd HH:mm:ss`, Bangkok).
    pub create_time: String,
    /// `returnTime`, once decided.
    pub return_time: Option<String>,
    /// `expiresTime`.
    pub expires_time: String,
    /// Simulated-clock expiry.
    #[serde(skip)]
    pub expires_at: Duration,
    /// Whether the order expired.
    pub expired: bool,
    /// The notification plan drawn at creation.
    #[serde(skip)]
    pub plan: CallbackPlan,
}

struct Keys {
    provider: SigningKey<Sha256>,
    /// A key that is not the provider's: signs [`Forgery::BadSignature`] notifications.
    forger: SigningKey<Sha256>,
    merchants: BTreeMap<String, VerifyingKey<Sha256>>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("merchants", &self.merchants.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Book {
    orders: BTreeMap<(String, String), BluepayOrder>,
    next_id: u64,
}

#[derive(Debug)]
struct Shared {
    config: BluepayConfig,
    keys: Keys,
    book: Mutex<Book>,
    controls: Arc<Controls>,
    courier: Arc<Courier>,
    clock: SimClock,
    base_url: Mutex<String>,
}

fn invalid(what: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, what.to_string())
}

/// Reads a public key given as PEM or as bare Base64 X.509 DER.
fn public_key(text: &str) -> Result<RsaPublicKey, String> {
    if text.contains("BEGIN") {
        RsaPublicKey::from_public_key_pem(text.trim()).map_err(|e| e.to_string())
    } else {
        let der = payments::unb64(text).ok_or("the public key is not Base64")?;
        RsaPublicKey::from_public_key_der(&der).map_err(|e| e.to_string())
    }
}

/// Signs `message` with SHA256withRSA; Base64 with padding.
fn sign(key: &SigningKey<Sha256>, message: &str) -> String {
    payments::b64(&key.sign(message.as_bytes()).to_bytes())
}

/// Verifies a Base64 SHA256withRSA signature over `message`.
fn verify(key: &VerifyingKey<Sha256>, message: &str, signature: &str) -> bool {
    payments::unb64(signature)
        .and_then(|bytes| Signature::try_from(bytes.as_slice()).ok())
        .is_some_and(|signature| key.verify(message.as_bytes(), &signature).is_ok())
}

/// A running BluePay simulator. Stops when dropped.
#[derive(Debug)]
pub struct BluepaySim {
    shared: Arc<Shared>,
    running: Running,
}

impl BluepaySim {
    /// Binds and starts serving; fails if a key does not parse.
    pub async fn start(config: BluepayConfig) -> std::io::Result<BluepaySim> {
        let provider = RsaPrivateKey::from_pkcs8_pem(config.provider_private_key_pem.trim())
            .map_err(invalid)?;
        let forger =
            RsaPrivateKey::from_pkcs8_pem(DEMO_MERCHANT_PRIVATE_KEY_PEM).map_err(invalid)?;
        let mut merchants = BTreeMap::new();
        for merchant in &config.merchants {
            let key = public_key(&merchant.public_key).map_err(invalid)?;
            merchants.insert(merchant.app_id.clone(), VerifyingKey::<Sha256>::new(key));
        }
        let keys = Keys {
            provider: SigningKey::<Sha256>::new(provider),
            forger: SigningKey::<Sha256>::new(forger),
            merchants,
        };
        let controls = Arc::new(Controls::new(config.random.clone()));
        let courier = Arc::new(Courier::new(
            Arc::clone(&controls),
            config.callback_timeout,
            config.callback_park_limit,
        ));
        let shared = Arc::new(Shared {
            book: Mutex::new(Book {
                orders: BTreeMap::new(),
                next_id: 1_218_702_956_934_697_612,
            }),
            config,
            keys,
            controls: Arc::clone(&controls),
            courier,
            clock: SimClock::new(),
            base_url: Mutex::new(String::new()),
        });
        let api = Router::new()
            .route("/open-api/webpay/generate", post(generate))
            .route("/open-api/webpay/detail", post(detail))
            .route("/cashier/{id}", get(cashier_page))
            .route("/cashier/{id}/pay", post(cashier_pay))
            .route("/cashier/{id}/fail", post(cashier_fail))
            .route(
                "/_sim/pubkey",
                get(|State(s): State<Arc<Shared>>| async move {
                    (
                        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                        s.config.provider_public_key_pem.clone(),
                    )
                }),
            )
            .with_state(Arc::clone(&shared));
        let wallets: Arc<dyn Wallets> = Arc::new(BluepayHandle(Arc::clone(&shared)));
        let customer: Arc<dyn Customer> = Arc::new(BluepayHandle(Arc::clone(&shared)));
        let router = api
            .merge(server::control_routes(Arc::clone(&controls), wallets))
            .merge(payments::customer_routes(customer))
            .layer(axum::middleware::from_fn_with_state(
                controls,
                server::network_gate,
            ));
        let running = server::serve(shared.config.addr, router).await?;
        *shared
            .base_url
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = format!("http://{}", running.addr);
        tokio::spawn(sweeper(Arc::downgrade(&shared), shared.config.sweep_every));
        Ok(BluepaySim { shared, running })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.running.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.running.addr
    }

    /// Scripting and records.
    pub fn controls(&self) -> &Controls {
        &self.shared.controls
    }

    /// The customer pays order `id` (`mchOrderId` or `transactionId`): `COMPLETED` and an
    /// `order.payment.success` notification. `amount` overrides the amount reported.
    pub fn pay(&self, id: &str, amount: Option<Satang>) -> Result<(), String> {
        self.shared.settle(id, BluepayStatus::Completed, amount)
    }

    /// Order `id` fails: `FAILED` and an `order.payment.failed` notification.
    pub fn fail(&self, id: &str) -> Result<(), String> {
        self.shared.settle(id, BluepayStatus::Failed, None)
    }

    /// Order `id` expires now (see [`BluepayExpiry`]).
    pub fn expire(&self, id: &str) -> Result<(), String> {
        self.shared.expire_now(id)
    }

    /// Moves the simulated clock forward and expires what is due.
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
        self.shared.sweep();
    }

    /// Sends a forged notification about order `id` to its `notifyUrl` (one attempt).
    pub fn forge(&self, id: &str, forgery: Forgery) -> Result<(), String> {
        self.shared.forge(id, forgery)
    }

    /// Every order so far.
    pub fn orders(&self) -> Vec<BluepayOrder> {
        self.shared.lock().orders.values().cloned().collect()
    }

    /// The order with this `mchOrderId` or `transactionId`.
    pub fn order(&self, id: &str) -> Option<BluepayOrder> {
        self.shared.find(&self.shared.lock(), id)
    }

    /// Signs `param` as a merchant would with `private_key_pem` (PKCS#8): for tests that speak
    /// the raw wire.
    pub fn sign_as_merchant(private_key_pem: &str, param: &str) -> Result<String, String> {
        let key =
            RsaPrivateKey::from_pkcs8_pem(private_key_pem.trim()).map_err(|e| e.to_string())?;
        Ok(sign(&SigningKey::<Sha256>::new(key), param))
    }

    /// Verifies a notification's `sign` over its `param` with the public key `public_key`
    /// (PEM or Base64 DER): for tests that check what the simulator signed.
    pub fn verify_signature(public_key_text: &str, param: &str, signature: &str) -> bool {
        public_key(public_key_text)
            .is_ok_and(|key| verify(&VerifyingKey::<Sha256>::new(key), param, signature))
    }

    /// Base URL, the demo `appId` and keys, and the "customer paid" control, as JSON.
    pub fn describe(&self) -> serde_json::Value {
        let merchant = self.shared.config.merchants.first();
        serde_json::json!({
            "base_url": self.base_url(),
            "api_url": format!("{}/open-api/webpay/", self.base_url()),
            "app_id": merchant.map(|m| m.app_id.clone()),
            "merchant_private_key_pem": merchant.and_then(|m| m.private_key_pem.clone()),
            "provider_public_key_pem": self.shared.config.provider_public_key_pem,
            "pay_url": format!("{}/_sim/pay", self.base_url()),
            "pay_body": r#"{"id":"<mchOrderId>"}"#,
        })
    }
}

async fn sweeper(shared: Weak<Shared>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        match shared.upgrade() {
            Some(shared) => shared.sweep(),
            None => return,
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn find(&self, book: &Book, id: &str) -> Option<BluepayOrder> {
        book.orders
            .values()
            .find(|o| o.mch_order_id == id || o.transaction_id == id)
            .cloned()
    }

    fn now_text(&self) -> String {
        payments::bangkok_plain(self.clock.wall_micros())
    }

    fn notification(
        &self,
        order: &BluepayOrder,
        amount: Satang,
        key: &SigningKey<Sha256>,
    ) -> String {
        let completed = order.status == BluepayStatus::Completed;
        let mut entries = vec![
            (
                "eventName",
                J::S(
                    if completed {
                        "order.payment.success"
                    } else {
                        "order.payment.failed"
                    }
                    .to_owned(),
                ),
            ),
            ("mchOrderId", J::S(order.mch_order_id.clone())),
            ("channelCode", J::S(order.channel_code.clone())),
            ("transactionId", J::S(order.transaction_id.clone())),
            ("amount", J::Raw(amount.as_satang().to_string())),
            ("transactionStatus", J::S(order.status.wire().to_owned())),
            ("createTime", J::S(order.create_time.clone())),
            (
                "returnTime",
                J::S(order.return_time.clone().unwrap_or_else(|| self.now_text())),
            ),
            ("remark", J::S(order.customer.3.clone())),
        ];
        if !completed {
            let (code, message) = if order.expired {
                ("-10003", "Transaction Expired")
            } else {
                ("-10000", "Transaction Service Error")
            };
            entries.push(("failedCode", J::S(code.to_owned())));
            entries.push(("failedMessage", J::S(message.to_owned())));
        }
        let param = object(&entries);
        let signature = sign(key, &param);
        object(&[("sign", J::S(signature)), ("param", J::S(param))])
    }

    fn delivery(&self, url: String, body: String, retry: bool) -> Delivery {
        Delivery {
            url,
            form: Vec::new(),
            ack: Ack::Json(serde_json::json!({"code": 10000, "message": "Success"})),
            schedule: if retry {
                self.config.callback_schedule.clone()
            } else {
                Vec::new()
            },
            stop_on: None,
            json: true,
            raw_json: Some(body),
        }
    }

    fn settle(
        self: &Arc<Self>,
        id: &str,
        to: BluepayStatus,
        amount: Option<Satang>,
    ) -> Result<(), String> {
        let order = {
            let mut book = self.lock();
            let found = self
                .find(&book, id)
                .ok_or_else(|| format!("no order {id}"))?;
            if found.status != BluepayStatus::Pending
                || (found.expired && to == BluepayStatus::Completed)
            {
                return Err(format!("order {id} is {}", found.status.wire()));
            }
            let now = self.now_text();
            let stored = book
                .orders
                .get_mut(&(found.app_id.clone(), found.mch_order_id.clone()))
                .ok_or_else(|| format!("no order {id}"))?;
            stored.status = to;
            stored.return_time = Some(now);
            stored.clone()
        };
        if to == BluepayStatus::Completed {
            self.controls.record_execution(
                ExecutionKind::Payment,
                &order.mch_order_id,
                &order.transaction_id,
                &order.app_id,
                order.amount,
                order.amount,
            );
        }
        let body = self.notification(&order, amount.unwrap_or(order.amount), &self.keys.provider);
        let delivery = self.delivery(order.notify_url.clone(), body, true);
        tokio::spawn(Arc::clone(&self.courier).run(delivery, order.plan));
        Ok(())
    }

    fn expire_now(self: &Arc<Self>, id: &str) -> Result<(), String> {
        {
            let mut book = self.lock();
            let found = self
                .find(&book, id)
                .ok_or_else(|| format!("no order {id}"))?;
            if let Some(stored) = book.orders.get_mut(&(found.app_id, found.mch_order_id)) {
                stored.expires_at = Duration::ZERO;
            }
        }
        self.sweep();
        Ok(())
    }

    fn sweep(self: &Arc<Self>) {
        let now = self.clock.elapsed();
        let due: Vec<String> = {
            let mut book = self.lock();
            book.orders
                .values_mut()
                .filter(|o| o.status == BluepayStatus::Pending && !o.expired && o.expires_at <= now)
                .map(|o| {
                    o.expired = true;
                    o.mch_order_id.clone()
                })
                .collect()
        };
        if self.config.expiry == BluepayExpiry::FailAndNotify {
            for id in due {
                let _ = self.settle(&id, BluepayStatus::Failed, None);
            }
        }
    }

    fn forge(self: &Arc<Self>, id: &str, forgery: Forgery) -> Result<(), String> {
        let mut order = self
            .find(&self.lock(), id)
            .ok_or_else(|| format!("no order {id}"))?;
        order.status = BluepayStatus::Completed;
        let mut amount = order.amount;
        let mut key = &self.keys.provider;
        match forgery {
            Forgery::BadSignature => key = &self.keys.forger,
            Forgery::WrongAmount => amount = Satang::new(amount.as_satang() + 100),
            Forgery::UnknownOrder => {
                order.mch_order_id = format!("FORGED{}", order.mch_order_id);
                order.transaction_id = "C9999999999999999999".to_owned();
            }
        }
        let body = self.notification(&order, amount, key);
        let delivery = self.delivery(order.notify_url.clone(), body, false);
        tokio::spawn(Arc::clone(&self.courier).run(delivery, CallbackPlan::Normal));
        Ok(())
    }
}

#[derive(Debug)]
struct BluepayHandle(Arc<Shared>);

impl Wallets for BluepayHandle {
    fn set_balance(&self, _username: Option<&str>, _balance: Satang) -> bool {
        false
    }
    fn set_callback_url(&self, _username: Option<&str>, _url: Option<String>) -> bool {
        false
    }
    fn snapshot(&self) -> serde_json::Value {
        let book = self.0.lock();
        let orders: Vec<&BluepayOrder> = book.orders.values().collect();
        serde_json::json!({"orders": orders})
    }
}

impl Customer for BluepayHandle {
    fn pay(&self, id: &str, amount: Option<Satang>) -> Result<(), String> {
        self.0.settle(id, BluepayStatus::Completed, amount)
    }
    fn fail(&self, id: &str) -> Result<(), String> {
        self.0.settle(id, BluepayStatus::Failed, None)
    }
    fn expire(&self, id: &str) -> Result<(), String> {
        self.0.expire_now(id)
    }
    fn advance(&self, by: Duration) {
        self.0.clock.advance(by);
        self.0.sweep();
    }
    fn forge(&self, id: &str, forgery: Forgery) -> Result<(), String> {
        self.0.forge(id, forgery)
    }
}

// ---------------------------------------------------------------------------------------------
// Wire

fn message(code: u32) -> &'static str {
    match code {
        10000 => "Success",
        21000 => "Server error, Please try again later.",
        21001 => "Request sign error",
        21002 => "Request param error",
        21003 => "Request appId error",
        21005 => "Merchant channel is unavailable",
        21006 => "Merchant transaction not found",
        21007 => "Duplicate merchant order id",
        21008 => "Request timestamp error",
        21009 => "Request timestamp (expired) error",
        21010 => "The amount exceeds the limit",
        21014 => "Merchant balance insufficient",
        21016 => "Merchant ip forbidden",
        _ => "Error",
    }
}

fn error(code: u32) -> Reply {
    Reply::json(object(&[
        ("code", J::Raw(code.to_string())),
        ("message", J::S(message(code).to_owned())),
    ]))
}

fn success(data: String) -> Reply {
    Reply::json(object(&[
        ("code", J::Raw("10000".to_owned())),
        ("message", J::S("Success".to_owned())),
        ("data", J::Raw(data)),
    ]))
}

type Param = serde_json::Map<String, serde_json::Value>;

/// Opens the envelope: `(appId, param)` once `sign` verifies, the error code otherwise.
fn open(shared: &Shared, body: &[u8]) -> Result<(String, Param), u32> {
    let envelope: serde_json::Value = serde_json::from_slice(body).map_err(|_| 21002u32)?;
    let app_id = envelope["appId"].as_str().ok_or(21003u32)?;
    let key = shared.keys.merchants.get(app_id).ok_or(21003u32)?;
    let param = envelope["param"].as_str().ok_or(21002u32)?;
    let signature = envelope["sign"].as_str().ok_or(21001u32)?;
    if !verify(key, param, signature) {
        return Err(21001);
    }
    let param: Param = serde_json::from_str(param).map_err(|_| 21002u32)?;
    if let Some(window) = shared.config.timestamp_window {
        let stamp = match param.get("timestamp") {
            Some(serde_json::Value::Number(n)) => n.as_i64(),
            Some(serde_json::Value::String(s)) => s.trim().parse::<i64>().ok(),
            _ => None,
        }
        .ok_or(21008u32)?;
        let stamp_ms = if stamp > 100_000_000_000 {
            stamp
        } else {
            stamp.saturating_mul(1000)
        };
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        if (now_ms - stamp_ms).abs() > window_ms {
            return Err(21009);
        }
    }
    Ok((app_id.to_owned(), param))
}

fn text(param: &Param, name: &str) -> Option<String> {
    match param.get(name)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn valid_url(url: &str) -> bool {
    (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() <= 256
        && !url.contains(' ')
}

fn valid_mobile(mobile: &str) -> bool {
    mobile.len() == 10
        && mobile.starts_with('0')
        && matches!(mobile.as_bytes().get(1), Some(b'6' | b'8' | b'9'))
        && mobile.chars().all(|c| c.is_ascii_digit())
}

async fn with_faults(
    shared: &Arc<Shared>,
    op: Op,
    handle: impl FnOnce(&Arc<Shared>) -> Reply,
) -> Response {
    let fault = match server::before(&shared.controls, op).await {
        Before::Answer(response) => return response,
        Before::Refuse(Fault::IpNotAllowed) => return error(21016).into_response(),
        Before::Refuse(Fault::InsufficientBalance) => return error(21014).into_response(),
        Before::Refuse(_) => return error(21000).into_response(),
        Before::Execute(fault) => fault,
    };
    let reply = handle(shared);
    server::after(fault, reply, error(21000)).await
}

async fn generate(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    with_faults(&shared, Op::Order, |shared| match create(shared, &body) {
        Ok(reply) => reply,
        Err(code) => error(code),
    })
    .await
}

fn create(shared: &Arc<Shared>, body: &[u8]) -> Result<Reply, u32> {
    let (app_id, param) = open(shared, body)?;
    let required = |name: &str| text(&param, name).filter(|v| !v.is_empty()).ok_or(21002u32);
    let channel = required("channelCode")?;
    let mch_order_id = required("mchOrderId")?;
    if mch_order_id.len() > 32 || !mch_order_id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(21002);
    }
    let amount = match param.get("amount") {
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        _ => None,
    }
    .filter(|a| *a > 0)
    .ok_or(21002u32)?;
    let notify_url = required("notifyUrl")?;
    let redirect_url = required("redirectUrl")?;
    let customer_name = required("customerName")?;
    let email = required("email")?;
    let mobile = required("mobile")?;
    if !valid_url(&notify_url) || redirect_url.len() > 512 || customer_name.chars().count() > 100 {
        return Err(21002);
    }
    if !valid_mobile(&mobile) {
        return Err(21002);
    }
    let expire_seconds = match param.get("expireSeconds") {
        None | Some(serde_json::Value::Null) => 3600,
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .filter(|s| (30..=3600).contains(s))
            .ok_or(21002u32)?,
        Some(_) => return Err(21002),
    };
    if channel == "WECHAT_URL" && text(&param, "payerClientIp").is_none() {
        return Err(21002);
    }
    if channel == "WECHAT_JS_URL"
        && (text(&param, "wpOpenid").is_none() || text(&param, "wpAppid").is_none())
    {
        return Err(21002);
    }
    if !shared.config.channels.contains(&channel) {
        return Err(21005);
    }
    let amount = Satang::new(amount);
    if amount > shared.config.amount_limit {
        return Err(21010);
    }
    let fate;
    let order = {
        let mut book = shared.lock();
        if book
            .orders
            .contains_key(&(app_id.clone(), mch_order_id.clone()))
        {
            return Err(21007);
        }
        fate = shared.controls.next_fate();
        let transaction_id = format!("C{:019}", book.next_id);
        book.next_id += 1;
        let base = shared
            .base_url
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let pay_url = match (shared.config.provider_shaped_pay_url, channel.as_str()) {
            (true, "TRUEMONEY_URL") => format!(
                "https://tmn-dev.app.link/commoncashier?deeplink=ascendmoney://wallet.truemoney.co.th/app/660000000005?type=commoncashier&id={transaction_id}"
            ),
            (true, "WECHAT_URL") => format!(
                "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx{transaction_id}"
            ),
            (true, _) => format!("wx{transaction_id}"),
            (false, _) => format!("{base}/cashier/{transaction_id}"),
        };
        let micros = shared.clock.wall_micros();
        let order = BluepayOrder {
            app_id: app_id.clone(),
            mch_order_id: mch_order_id.clone(),
            transaction_id,
            amount,
            channel_code: channel,
            notify_url,
            redirect_url,
            customer: (
                customer_name,
                email,
                mobile,
                text(&param, "remark").unwrap_or_default(),
            ),
            pay_url,
            status: BluepayStatus::Pending,
            create_time: payments::bangkok_plain(micros),
            return_time: None,
            expires_time: payments::bangkok_plain(
                micros + i64::try_from(expire_seconds).unwrap_or(3600) * 1_000_000,
            ),
            expires_at: shared.clock.elapsed() + Duration::from_secs(expire_seconds),
            expired: false,
            plan: fate.callback,
        };
        book.orders.insert((app_id, mch_order_id), order.clone());
        order
    };
    if let Some(outcome) = fate.outcome {
        let delay = fate
            .result_delay_ms
            .map(Duration::from_millis)
            .unwrap_or(shared.config.auto_pay_delay);
        let shared = Arc::clone(shared);
        let id = order.mch_order_id.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let to = match outcome {
                Outcome::Success => BluepayStatus::Completed,
                Outcome::Failure => BluepayStatus::Failed,
            };
            let _ = shared.settle(&id, to, None);
        });
    }
    let mut entries = vec![
        ("mchOrderId", J::S(order.mch_order_id.clone())),
        ("transactionId", J::S(order.transaction_id.clone())),
        ("payUrl", J::S(order.pay_url.clone())),
        ("expiresTime", J::S(order.expires_time.clone())),
    ];
    if order.channel_code == "WECHAT_JS_URL" {
        let base = shared
            .base_url
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        entries.push((
            "shortUrl",
            J::S(format!("{base}/cashier/{}", order.transaction_id)),
        ));
    }
    Ok(success(object(&entries)))
}

async fn detail(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    with_faults(&shared, Op::Query, |shared| {
        let found = open(shared, &body).and_then(|(app_id, param)| {
            let id = text(&param, "mchOrderId").ok_or(21002u32)?;
            shared
                .lock()
                .orders
                .get(&(app_id, id))
                .cloned()
                .ok_or(21006u32)
        });
        match found {
            Err(code) => error(code),
            Ok(o) => success(object(&[
                ("mchOrderId", J::S(o.mch_order_id.clone())),
                ("transactionId", J::S(o.transaction_id.clone())),
                ("amount", J::Raw(o.amount.as_satang().to_string())),
                ("transactionStatus", J::S(o.status.wire().to_owned())),
                ("createTime", J::S(o.create_time.clone())),
                (
                    "returnTime",
                    o.return_time
                        .clone()
                        .map_or(J::Raw("null".to_owned()), J::S),
                ),
                ("customerName", J::S(o.customer.0.clone())),
                ("channelCode", J::S(o.channel_code.clone())),
                ("email", J::S(o.customer.1.clone())),
                ("mobile", J::S(o.customer.2.clone())),
                ("remark", J::S(o.customer.3.clone())),
                ("notifyUrl", J::S(o.notify_url.clone())),
                ("redirectUrl", J::S(o.redirect_url.clone())),
                ("payUrl", J::S(o.pay_url.clone())),
                ("expiresTime", J::S(o.expires_time.clone())),
            ])),
        }
    })
    .await
}

async fn cashier_page(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let order = shared.find(&shared.lock(), &id);
    match order {
        Some(o) => Html(payments::pay_page(
            "BluePay cashier",
            &format!(
                "{} · {} · {} บาท · {}",
                o.transaction_id,
                o.mch_order_id,
                o.amount.to_baht_string(),
                o.status.wire()
            ),
            &[
                (&format!("/cashier/{id}/pay"), "Pay"),
                (&format!("/cashier/{id}/fail"), "Fail"),
            ],
        ))
        .into_response(),
        None => (StatusCode::NOT_FOUND, "no such order").into_response(),
    }
}

async fn cashier_pay(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let _ = shared.settle(&id, BluepayStatus::Completed, None);
    Redirect::to(&format!("/cashier/{id}")).into_response()
}

async fn cashier_fail(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let _ = shared.settle(&id, BluepayStatus::Failed, None);
    Redirect::to(&format!("/cashier/{id}")).into_response()
}
