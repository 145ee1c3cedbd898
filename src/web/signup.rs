//! `/signup`: making an account as the node's registration mode allows, or with an invite link
//! (`/signup?invite=CODE`), which works in every mode but closed and skips approval.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::form::{CsrfForm, FieldErrors};
use super::visitor::{SESSION_COOKIE, cookie};
use super::{Chrome, Page, Visitor};
use crate::db::node_settings::{self, RegistrationMode};
use crate::error::{Error, Result};
use crate::service::account::{self, NewAccount};
use crate::service::{invite, session};
use crate::state::AppState;

/// Longest answer to the sign-up question.
const ANSWER_MAX: usize = 2_000;

pub fn router() -> Router<AppState> {
    Router::new().route("/signup", get(signup_form).post(signup))
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    c: Chrome,
    mode: RegistrationMode,
    question: Option<String>,
    form: Filled,
    errors: FieldErrors,
    /// Shown instead of the form once a sign-up waits for approval.
    waiting: bool,
    /// The invite came with the link but can no longer be used: why, in the visitor's language.
    invite_problem: Option<String>,
}

/// What the visitor typed (never the passwords), to fill the form again.
#[derive(Default)]
struct Filled {
    username: String,
    answer: String,
    /// A usable invite's code, carried in a hidden field.
    invite: Option<String>,
}

impl SignupPage {
    fn open(&self) -> bool {
        match self.mode {
            RegistrationMode::Open | RegistrationMode::Approval => true,
            RegistrationMode::Invite => self.form.invite.is_some(),
            RegistrationMode::Closed => false,
        }
    }

    fn needs_approval(&self) -> bool {
        self.mode == RegistrationMode::Approval && self.form.invite.is_none()
    }

    fn invite_only(&self) -> bool {
        self.mode == RegistrationMode::Invite
    }
}

#[derive(Deserialize)]
struct SignupQuery {
    invite: Option<String>,
}

async fn signup_form(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
    Query(query): Query<SignupQuery>,
) -> Result<Response> {
    let mut filled = Filled::default();
    let mut problem = None;
    if let Some(code) = query.invite.filter(|c| !c.is_empty()) {
        let mut conn = state.db.conn().await?;
        match invite::usable(&mut conn, &code).await {
            Ok(_) => filled.invite = Some(code),
            Err(Error::NotFound(_)) => problem = Some("signup-invite-unknown"),
            Err(Error::Gone(_)) => problem = Some("signup-invite-gone"),
            Err(other) => return Err(other),
        }
    }
    let problem = problem.map(|id| visitor.tr().t(id));
    render(
        &state,
        &visitor,
        &uri,
        filled,
        FieldErrors::default(),
        false,
        problem,
    )
    .await
}

async fn render(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    form: Filled,
    errors: FieldErrors,
    waiting: bool,
    invite_problem: Option<String>,
) -> Result<Response> {
    let mut conn = state.db.conn().await?;
    let settings = node_settings::get(&mut conn).await?;
    drop(conn);
    let status = errors.status();
    let page = SignupPage {
        mode: settings.registration_mode(),
        question: settings.signup_question.clone(),
        c: Chrome::with_name(state, visitor, uri, settings.name),
        form,
        errors,
        waiting,
        invite_problem,
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
    #[serde(default)]
    invite: String,
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
    let invite = Some(fields.invite.trim().to_owned()).filter(|c| !c.is_empty());
    let allowed = match mode {
        RegistrationMode::Open | RegistrationMode::Approval => true,
        RegistrationMode::Invite => invite.is_some(),
        RegistrationMode::Closed => false,
    };
    if !allowed {
        return Err(Error::Forbidden);
    }
    let filled = Filled {
        username: fields.username.trim().to_lowercase(),
        answer: fields.answer.trim().to_owned(),
        invite,
    };
    let mut errors = FieldErrors::default();
    if let Err(err) = account::validate_username(&filled.username) {
        errors = FieldErrors::from_error(err, &tr, "username")?;
    }
    if crate::service::password::validate(&fields.password).is_err() {
        errors.add("password", tr.t("invalid-password"));
    } else if fields.password != fields.password_again {
        errors.add("password_again", tr.t("invalid-password_again"));
    }
    let approval = mode == RegistrationMode::Approval && filled.invite.is_none();
    if approval && (filled.answer.is_empty() || filled.answer.chars().count() > ANSWER_MAX) {
        errors.add("answer", tr.t("invalid-answer"));
    }
    if !errors.is_empty() {
        drop(conn);
        return render(&state, &visitor, &uri, filled, errors, false, None).await;
    }
    let created = account::create_invited(
        &state,
        &mut conn,
        NewAccount {
            username: filled.username.clone(),
            password: Some(fields.password),
            admin: false,
            approved: !approval,
            signup_answer: approval.then(|| filled.answer.clone()),
        },
        filled.invite.as_deref(),
    )
    .await;
    let created = match created {
        Ok(created) => created,
        Err(Error::Gone(_)) => {
            drop(conn);
            // The invite ran out while the form was open: say so, and keep what was typed.
            let problem = Some(tr.t("signup-invite-gone"));
            let filled = Filled {
                invite: None,
                ..filled
            };
            return render(&state, &visitor, &uri, filled, errors, false, problem).await;
        }
        Err(err) => {
            drop(conn);
            let errors = FieldErrors::from_error(err, &tr, "username")?;
            return render(&state, &visitor, &uri, filled, errors, false, None).await;
        }
    };
    if approval {
        drop(conn);
        return render(
            &state,
            &visitor,
            &uri,
            Filled::default(),
            errors,
            true,
            None,
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
