//! Accounts in the browser: signing up (as the node's registration mode allows), logging in
//! and out, and changing one's password.

use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::form::{CsrfForm, FieldErrors};
use super::i18n::is_local_path;
use super::visitor::{SESSION_COOKIE, cookie, removal};
use super::{Chrome, Page, Visitor, limits};
use crate::db::node_settings::{self, RegistrationMode};
use crate::error::{Error, Result};
use crate::service::account::{self, NewAccount};
use crate::service::session;
use crate::state::AppState;

/// Longest answer to the sign-up question.
const ANSWER_MAX: usize = 2_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/signup", get(signup_form).post(signup))
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

#[derive(Deserialize)]
struct Empty {}

async fn logout(State(state): State<AppState>, form: CsrfForm<Empty>) -> Result<Response> {
    if let Some(secret) = &form.visitor.session_secret {
        let mut conn = state.db.conn().await?;
        session::end(&mut conn, secret).await?;
    }
    let jar = CookieJar::new().add(removal(&state, SESSION_COOKIE));
    Ok((jar, Redirect::to("/")).into_response())
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    c: Chrome,
    mode: RegistrationMode,
    question: Option<String>,
    username: String,
    answer: String,
    errors: FieldErrors,
    /// Shown instead of the form once a sign-up waits for approval.
    waiting: bool,
}

impl SignupPage {
    fn open(&self) -> bool {
        matches!(
            self.mode,
            RegistrationMode::Open | RegistrationMode::Approval
        )
    }

    fn needs_approval(&self) -> bool {
        self.mode == RegistrationMode::Approval
    }

    fn invite_only(&self) -> bool {
        self.mode == RegistrationMode::Invite
    }
}

async fn signup_form(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Response> {
    render_signup(
        &state,
        &visitor,
        &uri,
        String::new(),
        String::new(),
        FieldErrors::default(),
        false,
    )
    .await
}

async fn render_signup(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    username: String,
    answer: String,
    errors: FieldErrors,
    waiting: bool,
) -> Result<Response> {
    let mut conn = state.db.conn().await?;
    let settings = node_settings::get(&mut conn).await?;
    drop(conn);
    let status = errors.status();
    let page = SignupPage {
        mode: settings.registration_mode(),
        question: settings.signup_question.clone(),
        c: Chrome::with_name(state, visitor, uri, settings.name),
        username,
        answer,
        errors,
        waiting,
    };
    Ok((status, Page(page)).into_response())
}

#[derive(Deserialize)]
struct SignupForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
    #[serde(default)]
    answer: String,
}

async fn signup(
    State(state): State<AppState>,
    uri: Uri,
    form: CsrfForm<SignupForm>,
) -> Result<Response> {
    let CsrfForm { visitor, fields } = form;
    let tr = visitor.tr();
    let mut conn = state.db.conn().await?;
    let mode = node_settings::get(&mut conn).await?.registration_mode();
    if !matches!(mode, RegistrationMode::Open | RegistrationMode::Approval) {
        return Err(Error::Forbidden);
    }
    let username = fields.username.trim().to_lowercase();
    let answer = fields.answer.trim().to_owned();
    let mut errors = FieldErrors::default();
    if let Err(err) = account::validate_username(&username) {
        errors = FieldErrors::from_error(err, &tr, "username")?;
    }
    if crate::service::password::validate(&fields.password).is_err() {
        errors.add("password", tr.t("invalid-password"));
    } else if fields.password != fields.password_again {
        errors.add("password_again", tr.t("invalid-password_again"));
    }
    let approval = mode == RegistrationMode::Approval;
    if approval && (answer.is_empty() || answer.chars().count() > ANSWER_MAX) {
        errors.add("answer", tr.t("invalid-answer"));
    }
    if !errors.is_empty() {
        drop(conn);
        return render_signup(&state, &visitor, &uri, username, answer, errors, false).await;
    }
    let created = account::create(
        &state,
        &mut conn,
        NewAccount {
            username: username.clone(),
            password: Some(fields.password),
            admin: false,
            approved: !approval,
            signup_answer: approval.then(|| answer.clone()),
        },
    )
    .await;
    let created = match created {
        Ok(created) => created,
        Err(err) => {
            drop(conn);
            let errors = FieldErrors::from_error(err, &tr, "username")?;
            return render_signup(&state, &visitor, &uri, username, answer, errors, false).await;
        }
    };
    if approval {
        drop(conn);
        return render_signup(
            &state,
            &visitor,
            &uri,
            String::new(),
            String::new(),
            FieldErrors::default(),
            true,
        )
        .await;
    }
    let secret = session::start(&mut conn, created.account.id).await?;
    let jar = CookieJar::new().add(cookie(
        &state,
        SESSION_COOKIE,
        secret,
        session::LIFETIME.num_days(),
    ));
    Ok((jar, Redirect::to("/dashboard")).into_response())
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
