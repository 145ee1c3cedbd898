//! The one error type of Kwartier: what went wrong, the HTTP status it maps to, and the safe
//! message a client sees. Internal causes are logged, never shown to clients.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid configuration; the message names the key and what is wrong.
    #[error("{0}")]
    Config(String),
    /// Input that breaks a rule; `field` names what the client has to change.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The request itself cannot be understood.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0} not found")]
    NotFound(String),
    /// A name or key that must be unique is taken.
    #[error("{0}")]
    Conflict(String),
    #[error("authentication required: send a valid bearer token")]
    Unauthorized,
    /// An HTTP signature that is missing, malformed, expired or does not verify.
    #[error("signature: {0}")]
    BadSignature(String),
    /// The object existed and was deleted.
    #[error("{0} was deleted")]
    Gone(String),
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// Another server could not be reached or sent something unusable.
    #[error("remote server: {0}")]
    Remote(String),
    #[error("not allowed")]
    Forbidden,
    /// The federation policy refuses this server; the message names it.
    #[error("{0}")]
    Refused(String),
    /// The database (or another part the node needs) cannot be reached.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else: a bug or an unexpected failure. Shown to clients only as "internal error".
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl Error {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn internal(context: &str, cause: impl std::fmt::Display) -> Self {
        Error::Internal(anyhow::anyhow!("{context}: {cause}"))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Unauthorized | Error::BadSignature(_) => StatusCode::UNAUTHORIZED,
            Error::Gone(_) => StatusCode::GONE,
            Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Remote(_) => StatusCode::BAD_GATEWAY,
            Error::Forbidden | Error::Refused(_) => StatusCode::FORBIDDEN,
            Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Config(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a client may see. Internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            Error::Config(_) | Error::Internal(_) => "internal error".to_owned(),
            Error::Unavailable(_) => "service temporarily unavailable".to_owned(),
            // Messages can quote other servers' documents at length.
            other => shortened(other.to_string()),
        }
    }
}

/// An error and its causes on one line: "error connecting to server: Connection refused".
pub fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            Error::Config(_) | Error::Internal(_) => {
                tracing::error!(error = %self, "request failed")
            }
            Error::Unavailable(_) => tracing::warn!(error = %self, "request failed"),
            _ => tracing::debug!(error = %self, "request rejected"),
        }
        let mut body = serde_json::json!({ "error": self.public_message() });
        if let Error::Invalid { field, .. } = &self {
            body["field"] = serde_json::Value::from(*field);
        }
        let mut response = (status, Json(body)).into_response();
        if matches!(self, Error::Unauthorized) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<DieselError> for Error {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => Error::NotFound("record".to_owned()),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                // The constraint's name is for the log; services say which name is taken.
                tracing::debug!(constraint = info.message(), "unique violation");
                Error::Conflict("already exists".to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Error::Unavailable(format!("database connection lost: {}", info.message()))
            }
            other => Error::internal("database", other),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for Error {
    fn from(err: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Error::Unavailable(format!("database unavailable: {err}"))
    }
}

/// Longest message about another server's failure shown to a client; parse errors from the
/// library quote whole documents.
const REMOTE_MESSAGE_MAX: usize = 300;

fn shortened(message: String) -> String {
    match message.char_indices().nth(REMOTE_MESSAGE_MAX) {
        Some((end, _)) => format!("{}…", &message[..end]),
        None => message,
    }
}

impl From<activitypub_federation::error::Error> for Error {
    fn from(err: activitypub_federation::error::Error) -> Self {
        use activitypub_federation::error::Error as Federation;
        match err {
            Federation::NotFound => Error::NotFound("object".to_owned()),
            Federation::ObjectDeleted(url) => Error::Gone(url.to_string()),
            Federation::UrlVerificationError(why) => {
                Error::BadRequest(format!("URL not allowed: {why}"))
            }
            Federation::DomainResolveError(_) | Federation::ResolveInternalIpError(..) => {
                Error::BadRequest(format!("URL not allowed: {err}"))
            }
            Federation::ActivitySignatureInvalid => {
                Error::BadSignature("does not verify".to_owned())
            }
            Federation::ActivityBodyDigestInvalid => {
                Error::BadRequest("Digest does not match the body".to_owned())
            }
            Federation::ParseReceivedActivity { .. } => Error::BadRequest(err.to_string()),
            Federation::UrlParse(e) => Error::BadRequest(format!("invalid URL: {e}")),
            Federation::WebfingerResolveFailed(e) => Error::NotFound(format!("WebFinger: {e}")),
            Federation::RequestLimit
            | Federation::ResponseBodyLimit
            | Federation::ParseFetchedObject(..)
            | Federation::FetchInvalidContentType(_)
            | Federation::FetchWrongId(_)
            | Federation::Reqwest(_)
            | Federation::ReqwestMiddleware(_) => Error::Remote(shortened(err.to_string())),
            other => Error::internal("federation", other),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::internal("JSON", err)
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(err: tokio::task::JoinError) -> Self {
        Error::internal("background task", err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_never_reach_the_client() {
        let err = Error::internal("database", "password authentication failed for user x");
        assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(err.public_message(), "internal error");
        assert!(err.to_string().contains("password authentication failed"));
    }

    #[test]
    fn unique_violation_is_a_conflict() {
        let err: Error = DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new("duplicate key".to_owned()),
        )
        .into();
        assert_eq!(err.status(), StatusCode::CONFLICT);
        let err: Error = DieselError::NotFound.into();
        assert_eq!(err.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn unauthorized_asks_for_a_bearer_token() {
        let response = Error::Unauthorized.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }
}
