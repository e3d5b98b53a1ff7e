//! What can go wrong in the hub, and how each failure is answered over HTTP.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::wire::ErrorReply;

/// A hub failure.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// PostgreSQL refused or failed.
    #[error("database: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// No connection could be had from the pool (PostgreSQL down or saturated).
    #[error("database pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    /// The pool could not be built from the configuration.
    #[error("database configuration: {0}")]
    Config(String),
    /// A schema migration failed.
    #[error("migration: {0}")]
    Migration(#[from] refinery::Error),
    /// No token, or one the hub does not know.
    #[error("unknown or missing token")]
    Unauthorized,
    /// A register tried to write or read what is not its own.
    #[error("{0}")]
    Forbidden(String),
    /// The request is not acceptable (nothing was written).
    #[error("{0}")]
    Invalid(String),
    /// No such thing.
    #[error("{0}")]
    NotFound(String),
    /// The request contradicts what the hub holds (nothing was written).
    #[error("{0}")]
    Conflict(String),
}

impl HubError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            HubError::Postgres(_) | HubError::Pool(_) | HubError::Migration(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            HubError::Config(_) => (StatusCode::INTERNAL_SERVER_ERROR, "unavailable"),
            HubError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            HubError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            HubError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            HubError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            HubError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        }
    }
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if status.is_server_error() {
            tracing::warn!(error = %self, "hub request failed");
        }
        // Database details stay in the hub's log; the client learns only that it should retry.
        let message = if status.is_server_error() {
            "the hub cannot reach its database; try again later".to_owned()
        } else {
            self.to_string()
        };
        let mut response = (
            status,
            Json(ErrorReply {
                code: code.to_owned(),
                message,
            }),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            // Lets a browser ask the owner for the token (the page uses HTTP Basic).
            if let Ok(value) = "Basic realm=\"Termdee hub\", charset=\"UTF-8\"".parse() {
                response
                    .headers_mut()
                    .insert(axum::http::header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

/// Short form.
pub type Result<T, E = HubError> = std::result::Result<T, E>;
