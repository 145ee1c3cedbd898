//! Accounts in the browser: logging in and out, and changing one's password (signing up is in
//! `signup.rs`).

use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::form::{CsrfForm, FieldErrors, NoFields};
use super::i18n::is_local_path;
use super::visitor::{SESSION_COOKIE, cookie, removal};
use super::{Chrome, Page, Visitor, limits};
use crate::error::{Error, Result};
use crate::service::session;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route(
            "/account/password",
            get(password_form).post(change_password),
        )
}

/// Where to go after logging in: a page of this node, else the dashboard.
fn next_page(next: Option<&str>) -> String {
    next.filter(|n| is_local_path(n))
        .unwrap_or("/dashboard")
        .to_owned()
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    username: String,
    next: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
    Query(query): Query<NextQuery>,
) -> Result<Page<LoginPage>> {
    Ok(Page(LoginPage {
        c: Chrome::new(&state, &visitor, &uri).await?,
        username: String::new(),
        next: next_page(query.next.as_deref()),
        errors: FieldErrors::default(),
    }))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(State(state): State<AppState>, request: Request) -> Result<Response> {
    let (parts, body) = request.into_parts();
    let address = limits::client_address(&parts);
    let uri = parts.uri.clone();
    let form =
        CsrfForm::<LoginForm>::from_request(Request::from_parts(parts, body), &state).await?;
    let CsrfForm { visitor, fields } = form;
    let tr = visitor.tr();
    let mut errors = FieldErrors::default();
    let next = next_page(fields.next.as_deref());
    let username = fields.username.trim().to_lowercase();
    if username.is_empty() {
        errors.add("username", tr.t("invalid-username-empty"));
    }
    if fields.password.is_empty() {
        errors.add("password", tr.t("invalid-password-empty"));
    }
    if errors.is_empty() {
        if !state.login_limits.allow(address, &username) {
            errors.add("password", tr.t("login-too-many"));
            return render_login(
                &state,
                &visitor,
                &uri,
                username,
                next,
                errors,
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await;
        }
        let mut conn = state.db.conn().await?;
        match session::check_password(&mut conn, &username, &fields.password).await {
            Ok(auth) => {
                let secret = session::start(&mut conn, auth.account.id).await?;
                let days = session::LIFETIME.num_days();
                let jar = CookieJar::new().add(cookie(&state, SESSION_COOKIE, secret, days));
                return Ok((jar, Redirect::to(&next)).into_response());
            }
            Err(Error::Unauthorized) => errors.add("password", tr.t("login-wrong")),
            // Only said with the right password, so it tells nothing about who has an account.
            Err(Error::Forbidden) => {
                let suspended = crate::service::account::find(&mut conn, &username)
                    .await
                    .is_ok_and(|(_, account)| account.suspended_at.is_some());
                let message = if suspended {
                    "login-suspended"
                } else {
                    "login-pending"
                };
                errors.add("username", tr.t(message))
            }
            Err(other) => return Err(other),
        }
    }
    let status = errors.status();
    render_login(&state, &visitor, &uri, username, next, errors, status).await
}

async fn render_login(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    username: String,
    next: String,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response> {
    let page = LoginPage {
        c: Chrome::new(state, visitor, uri).await?,
        username,
        next,
        errors,
    };
    Ok((status, Page(page)).into_response())
}

async fn logout(State(state): State<AppState>, form: CsrfForm<NoFields>) -> Result<Response> {
    if let Some(secret) = &form.visitor.session_secret {
        let mut conn = state.db.conn().await?;
        session::end(&mut conn, secret).await?;
    }
    let jar = CookieJar::new().add(removal(&state, SESSION_COOKIE));
    Ok((jar, Redirect::to("/")).into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    c: Chrome,
    errors: FieldErrors,
    changed: bool,
}

async fn password_form(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Page<PasswordPage>> {
    visitor.require()?;
    Ok(Page(PasswordPage {
        c: Chrome::new(&state, &visitor, &uri).await?,
        errors: FieldErrors::default(),
        changed: false,
    }))
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_again: String,
}

async fn change_password(
    State(state): State<AppState>,
    uri: Uri,
    form: CsrfForm<PasswordForm>,
) -> Result<Response> {
    let CsrfForm { visitor, fields } = form;
    let session = visitor.require()?;
    let tr = visitor.tr();
    let mut errors = FieldErrors::default();
    if fields.new_password != fields.new_password_again {
        errors.add("new_password_again", tr.t("invalid-new_password_again"));
    } else {
        let mut conn = state.db.conn().await?;
        if let Err(err) = session::change_password(
            &mut conn,
            session,
            &fields.current_password,
            &fields.new_password,
        )
        .await
        {
            errors = FieldErrors::from_error(err, &tr, "new_password")?;
        }
    }
    let changed = errors.is_empty();
    let status = errors.status();
    let page = PasswordPage {
        c: Chrome::new(&state, &visitor, &uri).await?,
        errors,
        changed,
    };
    Ok((status, Page(page)).into_response())
}
