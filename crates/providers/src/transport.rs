//! The one shared HTTP transport: sends a [`HttpRequest`] described by a provider module, applies
//! the connect and total timeouts, and logs with `tracing` with every secret masked.
//!
//! Provider modules never touch the network: they hand a request *description* to
//! [`Transport::send`] and get back an [`HttpReply`] (status, headers, body bytes) or a
//! [`TransportError`] saying how far the exchange got. Everything here is provider-agnostic.

#[cfg(feature = "transport")]
use std::collections::HashMap;
use std::fmt;
#[cfg(feature = "transport")]
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;
#[cfg(feature = "transport")]
use std::time::Instant;

use bytes::Bytes;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// The HTTP method of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
}

impl Method {
    /// The method's name as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// The value of one form or query field: plain text, or a secret that is masked in every log
/// line and `Debug` output.
#[derive(Clone)]
pub enum FieldValue {
    /// Ordinary text, safe to log.
    Plain(String),
    /// A password, a password hash or a key: sent on the wire, shown as `***` everywhere else.
    Secret(SecretString),
}

impl FieldValue {
    /// The value as it goes on the wire (exposes secrets: only the transport and tests call it).
    pub fn expose(&self) -> &str {
        match self {
            FieldValue::Plain(text) => text,
            FieldValue::Secret(secret) => secret.expose_secret(),
        }
    }

    /// The value as it may be logged: plain text, or `***` for a secret.
    pub fn redacted(&self) -> &str {
        match self {
            FieldValue::Plain(text) => text,
            FieldValue::Secret(_) => "***",
        }
    }
}

impl fmt::Debug for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

/// One `name=value` field of a form body or a query string.
#[derive(Debug, Clone)]
pub struct FormField {
    /// The field name.
    pub name: String,
    /// The field value, possibly secret.
    pub value: FieldValue,
}

impl FormField {
    /// A plain field.
    pub fn plain(name: &str, value: impl Into<String>) -> Self {
        FormField {
            name: name.to_owned(),
            value: FieldValue::Plain(value.into()),
        }
    }

    /// A secret field (masked in logs).
    pub fn secret(name: &str, value: SecretString) -> Self {
        FormField {
            name: name.to_owned(),
            value: FieldValue::Secret(value),
        }
    }
}

/// The body of a request: a closed set, so the transport knows how to encode and mask each.
#[derive(Debug, Clone)]
pub enum Body {
    /// No body (typically a `GET`).
    None,
    /// Fields appended to the URL's query string (masked in logs like a form).
    Query(Vec<FormField>),
    /// `application/x-www-form-urlencoded` fields.
    Form(Vec<FormField>),
    /// A JSON document. It must not contain secrets (use [`Body::Form`] for credentials): it is
    /// logged as is.
    Json(serde_json::Value),
    /// An XML document, sent as `application/xml; charset=utf-8`. Same rule as JSON: no secrets.
    Xml(String),
}

impl Body {
    /// The form or query fields, if this body has any.
    pub fn fields(&self) -> &[FormField] {
        match self {
            Body::Query(fields) | Body::Form(fields) => fields,
            Body::None | Body::Json(_) | Body::Xml(_) => &[],
        }
    }

    /// The body as it may be logged: fields as `a=1&password=***`, documents as text.
    pub fn redacted(&self) -> String {
        match self {
            Body::None => String::new(),
            Body::Query(fields) | Body::Form(fields) => fields
                .iter()
                .map(|field| format!("{}={}", field.name, field.value.redacted()))
                .collect::<Vec<_>>()
                .join("&"),
            Body::Json(value) => value.to_string(),
            Body::Xml(text) => text.clone(),
        }
    }
}

/// A complete description of one HTTP exchange to make, built by a provider module without I/O.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// A short name of the operation for logs, e.g. `wepay.balance`.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The full URL (without the fields of a [`Body::Query`], which the transport appends).
    pub url: Url,
    /// Extra headers (the content type follows from the body). Values may be secret (Deposit-QR
    /// sends its Bearer token, API key and signature as headers): those print as `***` and are
    /// scrubbed from log lines like secret form fields.
    pub headers: Vec<FormField>,
    /// The body.
    pub body: Body,
}

impl HttpRequest {
    /// The URL the request goes to, with a [`Body::Query`]'s fields appended (exposes secrets).
    pub fn full_url(&self) -> Url {
        let mut url = self.url.clone();
        if let Body::Query(fields) = &self.body {
            let mut pairs = url.query_pairs_mut();
            for field in fields {
                pairs.append_pair(&field.name, field.value.expose());
            }
        }
        url
    }

    /// The URL as it may be logged: query fields of the body masked.
    pub fn redacted_url(&self) -> String {
        match &self.body {
            Body::Query(fields) if !fields.is_empty() => {
                let separator = if self.url.query().is_some() { '&' } else { '?' };
                format!("{}{}{}", self.url, separator, self.body.redacted())
            }
            _ => self.url.to_string(),
        }
    }

    /// The exposed values of every secret field (used to scrub echoes out of logged replies).
    #[cfg(feature = "transport")]
    fn secret_values(&self) -> Vec<&str> {
        self.body
            .fields()
            .iter()
            .chain(&self.headers)
            .filter_map(|field| match &field.value {
                FieldValue::Secret(secret) => Some(secret.expose_secret()),
                FieldValue::Plain(_) => None,
            })
            .filter(|value| !value.is_empty())
            .collect()
    }
}

/// What came back: the status, the headers and the raw body bytes, uninterpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpReply {
    /// The HTTP status code.
    pub status: u16,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Bytes,
}

impl HttpReply {
    /// A reply with status and body and no headers (handy in tests and fuzzing).
    pub fn new(status: u16, body: impl Into<Bytes>) -> Self {
        HttpReply {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The `Content-Type` header, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }
}

/// How far an exchange got when it did not produce a complete reply.
///
/// Only [`TransportError::InvalidRequest`] proves nothing was sent; every other variant may
/// hide a request the provider received and executed, so the caller must treat the outcome of a
/// money-moving call as unknown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The request could not be built (bad URL, bad header): nothing was sent.
    #[error("the request could not be built: {0}")]
    InvalidRequest(String),
    /// No connection could be made (refused, DNS, TLS handshake, connect timeout). The request
    /// very probably never arrived, but the outcome of a money-moving call is still treated as
    /// unknown.
    #[error("could not connect: {0}")]
    Connect(String),
    /// No complete reply arrived within the total timeout.
    #[error("no complete reply within {0:?}")]
    Timeout(Duration),
    /// The connection broke after the request may have been sent (reset, closed, truncated).
    #[error("the connection broke: {0}")]
    Interrupted(String),
    /// The reply body was larger than the configured limit.
    #[error("the reply body exceeded {0} bytes")]
    TooLarge(usize),
}

/// Timeouts and limits of the transport.
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// Time allowed to establish the connection (TCP + TLS).
    pub connect_timeout: Duration,
    /// Time allowed for the whole exchange, from sending to the last byte of the reply.
    pub total_timeout: Duration,
    /// The largest reply body accepted (the wePAY catalogue is about 400 KB).
    pub max_body_bytes: usize,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl Default for TransportConfig {
    /// 10 s to connect, 30 s in total (the Easysoft sample uses 30 s), 8 MiB bodies.
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_body_bytes: 8 * 1024 * 1024,
            user_agent: concat!("termdee/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// A reqwest client builder for any HTTP client of Termdee's (the transport, the fleet hub's
/// sender, tests). reqwest is built without a TLS crypto provider (`rustls-no-provider`: ring
/// instead of aws-lc, whose C build was the largest item of a cold build), and panics when a
/// client is built before one is installed; this installs ring as the process's provider first.
/// A provider installed earlier, by this or by the embedding program, is kept.
#[cfg(feature = "transport")]
pub fn http_client_builder() -> reqwest::ClientBuilder {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        // `Err` only says a provider is already installed, which is all that is needed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
}

/// A reqwest client with reqwest's defaults (see [`http_client_builder`]).
///
/// # Panics
/// If reqwest cannot build a client with its defaults (its TLS setup failed), as
/// `reqwest::Client::new` does.
#[cfg(feature = "transport")]
pub fn http_client() -> reqwest::Client {
    http_client_builder()
        .build()
        .expect("an HTTP client with reqwest's defaults")
}

#[cfg(feature = "transport")]
/// The shared HTTP transport (reqwest with rustls on tokio). Cheap to clone: clones share one
/// connection pool.
#[derive(Debug, Clone)]
pub struct Transport {
    client: reqwest::Client,
    config: TransportConfig,
}

#[cfg(feature = "transport")]
impl Transport {
    /// A transport with these timeouts. Redirects are not followed (a redirect is an unexpected
    /// reply) and only HTTP/1.1 is spoken (the wePAY TLS quirk, wepay.md §2).
    ///
    /// Transports with the same connect timeout and user agent share one client (and so one
    /// connection pool): building a client reads and parses the system's root certificates,
    /// which costs milliseconds of CPU, and an engine restarted after a fault (or every seed of
    /// the soak) would pay it again for each provider. The total timeout is per request.
    pub fn new(config: TransportConfig) -> Result<Self, TransportError> {
        type Clients = HashMap<(Duration, String), reqwest::Client>;
        static CLIENTS: OnceLock<Mutex<Clients>> = OnceLock::new();
        let key = (config.connect_timeout, config.user_agent.clone());
        let mut clients = CLIENTS
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let client = match clients.get(&key) {
            Some(client) => client.clone(),
            None => {
                let client = http_client_builder()
                    .connect_timeout(config.connect_timeout)
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(config.user_agent.clone())
                    .http1_only()
                    .build()
                    .map_err(|error| TransportError::InvalidRequest(error.to_string()))?;
                clients.insert(key, client.clone());
                client
            }
        };
        Ok(Transport { client, config })
    }

    /// The configuration in force.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// Sends the request and reads the whole reply, within the total timeout.
    ///
    /// Any HTTP status is a reply (`Ok`): interpreting 5xx or HTML is the provider parser's job.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpReply, TransportError> {
        let started = Instant::now();
        tracing::debug!(
            operation = request.operation,
            method = request.method.as_str(),
            url = %request.redacted_url(),
            body = %request.body.redacted(),
            "provider request"
        );
        let result =
            match tokio::time::timeout(self.config.total_timeout, self.exchange(request)).await {
                Ok(result) => result,
                Err(_) => Err(TransportError::Timeout(self.config.total_timeout)),
            };
        let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match &result {
            Ok(reply) => {
                let preview = scrub(
                    &String::from_utf8_lossy(&reply.body[..reply.body.len().min(300)]),
                    &request.secret_values(),
                );
                tracing::info!(
                    operation = request.operation,
                    status = reply.status,
                    bytes = reply.body.len(),
                    elapsed_ms,
                    "provider reply"
                );
                tracing::trace!(operation = request.operation, body = %preview, "provider reply body");
            }
            Err(error) => {
                let error = scrub(&error.to_string(), &request.secret_values());
                tracing::warn!(operation = request.operation, elapsed_ms, %error, "provider exchange failed");
            }
        }
        result
    }

    async fn exchange(&self, request: &HttpRequest) -> Result<HttpReply, TransportError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let mut builder = self.client.request(method, request.full_url());
        for header in &request.headers {
            builder = builder.header(header.name.as_str(), header.value.expose());
        }
        builder = match &request.body {
            Body::None | Body::Query(_) => builder,
            Body::Form(fields) => {
                let pairs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|field| (field.name.as_str(), field.value.expose()))
                    .collect();
                builder.form(&pairs)
            }
            Body::Json(value) => builder.json(value),
            Body::Xml(text) => builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/xml; charset=utf-8",
                )
                .body(text.clone()),
        };
        let mut response = builder.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > self.config.max_body_bytes {
                return Err(TransportError::TooLarge(self.config.max_body_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpReply {
            status,
            headers,
            body: mask_echoed_secrets(body, &request.secret_values()),
        })
    }
}

#[cfg(feature = "transport")]
/// Sorts a reqwest error by how far the exchange got.
fn classify(error: reqwest::Error) -> TransportError {
    // reqwest's Display of an error includes the URL; strip it so query secrets cannot leak.
    let error = error.without_url();
    if error.is_builder() {
        TransportError::InvalidRequest(error.to_string())
    } else if error.is_connect() {
        TransportError::Connect(chain(&error))
    } else if error.is_timeout() {
        TransportError::Interrupted(format!("timed out: {}", chain(&error)))
    } else {
        TransportError::Interrupted(chain(&error))
    }
}

#[cfg(feature = "transport")]
/// The error and its sources, one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(feature = "transport")]
/// A reply never legitimately contains our credentials, but an error page may echo the request
/// (PHP pages that print `$_POST`). Such echoes are masked before a parser (whose error details
/// quote the body) or a log line can see them.
fn mask_echoed_secrets(body: Vec<u8>, secrets: &[&str]) -> Bytes {
    let mut body = body;
    for secret in secrets {
        let needle = secret.as_bytes();
        if needle.is_empty() || !body.windows(needle.len()).any(|window| window == needle) {
            continue;
        }
        let mut masked = Vec::with_capacity(body.len());
        let mut rest = body.as_slice();
        while !rest.is_empty() {
            if rest.starts_with(needle) {
                masked.extend_from_slice(b"***");
                rest = &rest[needle.len()..];
            } else {
                masked.push(rest[0]);
                rest = &rest[1..];
            }
        }
        body = masked;
    }
    Bytes::from(body)
}

#[cfg(feature = "transport")]
/// Replaces every occurrence of a secret in `text` with `***`.
fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_owned();
    for secret in secrets {
        text = text.replace(secret, "***");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_in_debug_and_redacted_body() {
        let body = Body::Form(vec![
            FormField::plain("username", "shop"),
            FormField::secret("password", SecretString::from("hunter2")),
        ]);
        assert_eq!(body.redacted(), "username=shop&password=***");
        assert!(
            !format!("{body:?}").contains("hunter2"),
            "Debug must not show the password"
        );
    }

    #[test]
    fn query_fields_are_appended_and_masked() {
        let request = HttpRequest {
            operation: "test",
            method: Method::Get,
            url: Url::parse("http://127.0.0.1/x.php?json").expect("valid url"),
            headers: vec![],
            body: Body::Query(vec![
                FormField::plain("a", "1"),
                FormField::secret("key", SecretString::from("s3cret")),
            ]),
        };
        assert_eq!(
            request.full_url().as_str(),
            "http://127.0.0.1/x.php?json&a=1&key=s3cret"
        );
        assert_eq!(
            request.redacted_url(),
            "http://127.0.0.1/x.php?json&a=1&key=***"
        );
    }

    #[cfg(feature = "transport")]
    #[test]
    fn echoed_secrets_are_masked_in_reply_bodies() {
        let body = mask_echoed_secrets(b"password=abc&x=abcabc".to_vec(), &["abc"]);
        assert_eq!(&body[..], b"password=***&x=******");
    }

    #[cfg(feature = "transport")]
    #[test]
    fn scrub_removes_echoed_secrets() {
        assert_eq!(scrub("pw=abc abc", &["abc"]), "pw=*** ***");
    }
}
