//! Security headers on every response: a strict Content-Security-Policy (only this node's own
//! styles, scripts and forms; no inline code; no framing), no MIME sniffing, a careful
//! referrer policy, and HSTS outside development. A handler that needs other rules (embeds a
//! municipal site frames) sets its own header, which is then left alone.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Forms may send people on to their own server's follow page (remote follow), hence `https:`
/// in `form-action`; pictures of people from other servers are shown from there.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' https: data:; font-src 'self'; connect-src 'self'; \
    form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'";

/// As [`CSP`], but development nodes run on http.
const CSP_DEVELOPMENT: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' http: https: data:; font-src 'self'; connect-src 'self'; \
    form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'";

pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let development = state.config.development;
    let headers = response.headers_mut();
    // A handler with its own policy decides about framing there (`frame-ancestors`).
    let own_policy = headers.contains_key(CONTENT_SECURITY_POLICY);
    let mut set = |name, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(
        CONTENT_SECURITY_POLICY,
        if development { CSP_DEVELOPMENT } else { CSP },
    );
    set(X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(REFERRER_POLICY, "strict-origin-when-cross-origin");
    if !own_policy {
        set(X_FRAME_OPTIONS, "DENY");
    }
    set(
        axum::http::HeaderName::from_static("permissions-policy"),
        "geolocation=(), camera=(), microphone=(), interest-cohort=()",
    );
    if !development {
        set(STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    response
}
