//! Who is looking at a page: their language, their session if they are logged in, and the
//! token their forms must carry (CSRF). The token is a random value in a cookie that every form
//! repeats in a hidden field (double submit); a cross-site page can neither read the cookie
//! nor set it.

use std::sync::{Arc, Mutex};

use axum::extract::{FromRequestParts, Request};
use axum::http::header::{ACCEPT_LANGUAGE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::i18n::{self, Lang, Tr};
use crate::error::{Error, Result};
use crate::service::session::{self, Session};
use crate::service::token;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "session";
pub const CSRF_COOKIE: &str = "csrf";
/// The hidden field every form carries.
pub const CSRF_FIELD: &str = "csrf";

/// The visitor behind a page request.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub lang: Lang,
    pub session: Option<Session>,
    /// The value forms carry in their [`CSRF_FIELD`].
    pub csrf: String,
    /// The session cookie's value, to end the session on logout.
    pub(super) session_secret: Option<String>,
}

impl Visitor {
    pub fn tr(&self) -> Tr {
        Tr::new(self.lang)
    }

    /// The logged-in visitor, or [`Error::Unauthorized`] (which sends browsers to log in).
    pub fn require(&self) -> Result<&Session> {
        self.session.as_ref().ok_or(Error::Unauthorized)
    }

    /// Whether a submitted form's token is this visitor's.
    pub fn check_csrf(&self, submitted: Option<&str>) -> Result<()> {
        match submitted {
            Some(value) if !value.is_empty() && constant_time_eq(value, &self.csrf) => Ok(()),
            _ => Err(Error::BadRequest(
                "the form has expired; load the page again and resend it".into(),
            )),
        }
    }
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Cookies a handler or extractor wants set on the response, for the middleware to add.
#[derive(Clone, Default)]
pub struct PendingCookies(Arc<Mutex<Vec<Cookie<'static>>>>);

impl PendingCookies {
    pub fn add(&self, cookie: Cookie<'static>) {
        if let Ok(mut cookies) = self.0.lock() {
            cookies.push(cookie);
        }
    }
}

/// Middleware: gives every request a place for cookies and writes them on the response.
pub async fn cookies_layer(mut request: Request, next: Next) -> Response {
    let pending = PendingCookies::default();
    request.extensions_mut().insert(pending.clone());
    let mut response = next.run(request).await;
    let cookies = pending.0.lock().map(|c| c.clone()).unwrap_or_default();
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

/// A cookie as every cookie of ours is made: not readable by scripts, not sent along with
/// cross-site requests other than top-level navigation, and only over HTTPS outside
/// development.
pub fn cookie(
    state: &AppState,
    name: &'static str,
    value: String,
    max_age_days: i64,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(!state.config.development)
        .max_age(time_days(max_age_days))
        .build()
}

/// A cookie that removes the one of that name.
pub fn removal(state: &AppState, name: &'static str) -> Cookie<'static> {
    cookie(state, name, String::new(), 0)
}

fn time_days(days: i64) -> cookie::time::Duration {
    cookie::time::Duration::days(days)
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        if let Some(visitor) = parts.extensions.get::<Visitor>() {
            return Ok(visitor.clone());
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let lang = Lang::negotiate(
            jar.get(i18n::COOKIE).map(Cookie::value),
            header(&parts.headers, ACCEPT_LANGUAGE),
        );
        let session_secret = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned());
        let pending = parts.extensions.get::<PendingCookies>().cloned();
        let session = match &session_secret {
            Some(secret) => {
                let mut conn = state.db.conn().await?;
                let found = session::resolve(&mut conn, secret).await?;
                if found.is_none()
                    && let Some(pending) = &pending
                {
                    pending.add(removal(state, SESSION_COOKIE));
                }
                found
            }
            None => None,
        };
        let csrf = match jar.get(CSRF_COOKIE).map(Cookie::value) {
            Some(value) if !value.is_empty() && value.len() <= 100 => value.to_owned(),
            _ => {
                let value = token::new_secret();
                if let Some(pending) = &pending {
                    pending.add(cookie(state, CSRF_COOKIE, value.clone(), 365));
                }
                value
            }
        };
        let visitor = Visitor {
            lang,
            session,
            csrf,
            session_secret,
        };
        parts.extensions.insert(visitor.clone());
        Ok(visitor)
    }
}

fn header(headers: &HeaderMap, name: axum::http::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
