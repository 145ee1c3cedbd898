//! Error pages for people: when a browser asked for a page and the handler failed with the
//! JSON error every part of Kwartier returns, the visitor gets a page in their language with
//! the same status instead. Asking to log in sends browsers to the login page.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};

use super::Page;
use super::chrome::Chrome;
use super::i18n::{self, Lang, Tr};
use crate::db::node_settings;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    status: u16,
    title: String,
    explanation: String,
}

/// Middleware around the whole app.
pub async fn html_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let wants_html = request
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if !wants_html {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let uri = request.uri().clone();
    let jar = CookieJar::from_headers(request.headers());
    let lang = Lang::negotiate(
        jar.get(i18n::COOKIE).map(Cookie::value),
        request
            .headers()
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if status.as_u16() < 400 || !is_json {
        return response;
    }
    if status == StatusCode::UNAUTHORIZED && method == Method::GET {
        let next = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    let node_name = match state.db.conn().await {
        Ok(mut conn) => node_settings::get(&mut conn)
            .await
            .map(|s| s.name)
            .unwrap_or_else(|_| node_settings::DEFAULT_NAME.to_owned()),
        Err(_) => node_settings::DEFAULT_NAME.to_owned(),
    };
    let visitor = super::Visitor {
        lang,
        session: None,
        csrf: String::new(),
        session_secret: None,
    };
    let tr = Tr::new(lang);
    let key = match status.as_u16() {
        400 => "error-400",
        401 | 403 => "error-403",
        404 | 410 => "error-404",
        413 => "error-413",
        429 => "error-429",
        code if code < 500 => "error-400",
        _ => "error-500",
    };
    let page = ErrorPage {
        c: Chrome::with_name(&state, &visitor, &uri, node_name),
        status: status.as_u16(),
        title: tr.t(&format!("{key}-title")),
        explanation: tr.t(&format!("{key}-text")),
    };
    (status, Page(page)).into_response()
}
