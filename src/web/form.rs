//! Forms: the extractor that checks a form's CSRF token and origin before its fields are read,
//! and the per-field error messages a form shows beside its fields.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartError};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::ORIGIN;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::i18n::Tr;
use super::visitor::{CSRF_FIELD, Visitor};
use crate::error::{Error, Result};
use crate::state::AppState;

/// A form with no fields besides the token (a button).
#[derive(Deserialize)]
pub struct NoFields {}

/// A submitted `application/x-www-form-urlencoded` form whose token is the visitor's, from a
/// page of this node.
pub struct CsrfForm<T> {
    pub visitor: Visitor,
    pub fields: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &AppState) -> Result<Self> {
        let (mut parts, body) = request.into_parts();
        let visitor = Visitor::from_request_parts(&mut parts, state).await?;
        check_origin(&parts.headers, state)?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| Error::BadRequest(format!("reading the form: {e}")))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| Error::BadRequest(format!("the form cannot be read: {e}")))?;
        let token = pairs
            .iter()
            .find(|(name, _)| name == CSRF_FIELD)
            .map(|(_, value)| value.as_str());
        visitor.check_csrf(token)?;
        let fields = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| Error::BadRequest(format!("the form cannot be read: {e}")))?;
        Ok(CsrfForm { visitor, fields })
    }
}

/// A submitted `multipart/form-data` form (one with a file field), checked like [`CsrfForm`]:
/// its text fields in `fields`, its non-empty files by field name in `files`.
pub struct CsrfMultipart<T> {
    pub visitor: Visitor,
    pub fields: T,
    pub files: Vec<(String, Vec<u8>)>,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfMultipart<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &AppState) -> Result<Self> {
        let (mut parts, body) = request.into_parts();
        let visitor = Visitor::from_request_parts(&mut parts, state).await?;
        check_origin(&parts.headers, state)?;
        let mut multipart = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| Error::BadRequest(format!("reading the form: {e}")))?;
        let mut texts: Vec<(String, String)> = Vec::new();
        let mut files = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
            let name = field.name().unwrap_or_default().to_owned();
            if field.file_name().is_some() {
                let bytes = field.bytes().await.map_err(multipart_error)?;
                if !bytes.is_empty() {
                    files.push((name, bytes.to_vec()));
                }
            } else {
                texts.push((name, field.text().await.map_err(multipart_error)?));
            }
        }
        let token = texts
            .iter()
            .find(|(name, _)| name == CSRF_FIELD)
            .map(|(_, value)| value.as_str());
        visitor.check_csrf(token)?;
        // The text fields read as the same struct a urlencoded form would fill.
        let encoded = serde_urlencoded::to_string(&texts)
            .map_err(|e| Error::BadRequest(format!("the form cannot be read: {e}")))?;
        let fields = serde_urlencoded::from_str(&encoded)
            .map_err(|e| Error::BadRequest(format!("the form cannot be read: {e}")))?;
        Ok(CsrfMultipart {
            visitor,
            fields,
            files,
        })
    }
}

fn multipart_error(err: MultipartError) -> Error {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::PayloadTooLarge(crate::service::media::MAX_BYTES)
    } else {
        Error::BadRequest(format!("reading the form: {}", err.body_text()))
    }
}

/// Browsers name the page a form came from; another site's is refused.
pub fn check_origin(headers: &axum::http::HeaderMap, state: &AppState) -> Result<()> {
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let ours = state.urls.base().origin().ascii_serialization();
    if origin == ours {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// Messages shown beside form fields, by field name.
#[derive(Debug, Default)]
pub struct FieldErrors(BTreeMap<&'static str, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: String) {
        self.0.entry(field).or_insert(message);
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// 200 for a form shown for the first time or filled in well, 422 with errors.
    pub fn status(&self) -> StatusCode {
        if self.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    /// The first message, for passing one error on to another field.
    pub fn first(&self) -> String {
        self.0.values().next().cloned().unwrap_or_default()
    }

    /// Field and message, in field order, for the summary above a form.
    pub fn all(&self) -> Vec<(&'static str, &String)> {
        self.0.iter().map(|(k, v)| (*k, v)).collect()
    }

    /// Turns a rule broken in the service layer into a message beside its field, in the
    /// visitor's language (`invalid-FIELD` in the translations); a taken name goes beside
    /// `conflict_field`. Other errors are returned as they are.
    pub fn from_error(err: Error, tr: &Tr, conflict_field: &'static str) -> Result<FieldErrors> {
        let mut errors = FieldErrors::default();
        match err {
            Error::Invalid { field, .. } => errors.add(field, tr.t(&format!("invalid-{field}"))),
            Error::Conflict(_) => {
                errors.add(conflict_field, tr.t(&format!("taken-{conflict_field}")))
            }
            other => return Err(other),
        }
        Ok(errors)
    }
}
