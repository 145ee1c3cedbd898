//! `/admin/accounts`: sign-ups waiting for approval (approve, reject), and every account with its
//! role and state (change role, suspend with a reason, lift a suspension, reset the password,
//! delete the account with a reason: `service::account_deletion`).
//! For admins. Each action re-renders the page with what happened, or the mistake beside the
//! form it came from.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::require_admin;
use crate::db::local_account::LocalAccount;
use crate::error::{Error, Result};
use crate::service::account_admin::{self, Role};
use crate::service::account_deletion;
use crate::service::audit::Who;
use crate::state::AppState;
use crate::web::form::CsrfForm;
use crate::web::{Chrome, Page, Visitor};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/accounts", get(list))
        .route("/admin/accounts/{name}/{action}", post(act))
}

pub struct Row {
    pub username: String,
    pub role: &'static str,
    /// `pending`, `active` or `suspended`.
    pub state: &'static str,
    pub created: String,
    pub signup_answer: Option<String>,
    pub suspension_reason: Option<String>,
}

impl Row {
    fn of(account: &LocalAccount, username: String) -> Row {
        Row {
            username,
            role: Role::of(account).as_str(),
            state: if !account.approved {
                "pending"
            } else if account.suspended_at.is_some() {
                "suspended"
            } else {
                "active"
            },
            created: account.created_at.format("%Y-%m-%d").to_string(),
            signup_answer: account.signup_answer.clone(),
            suspension_reason: account.suspension_reason.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin_accounts.html")]
struct AccountsPage {
    c: Chrome,
    pending: Vec<Row>,
    accounts: Vec<Row>,
    /// What the last action did, to say at the top.
    done: Option<String>,
    /// A mistake in the last action: (username, message), shown beside that account's forms.
    mistake: Option<(String, String)>,
}

impl AccountsPage {
    fn mistake_for(&self, username: &str) -> Option<&str> {
        self.mistake
            .as_ref()
            .filter(|(name, _)| name == username)
            .map(|(_, message)| message.as_str())
    }
}

async fn render(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    done: Option<String>,
    mistake: Option<(String, String)>,
) -> Result<Page<AccountsPage>> {
    let mut conn = state.db.conn().await?;
    let (mut pending, mut accounts) = (Vec::new(), Vec::new());
    for (account, person) in account_admin::list(&mut conn).await? {
        let row = Row::of(&account, person.username);
        if row.state == "pending" {
            pending.push(row);
        } else {
            accounts.push(row);
        }
    }
    drop(conn);
    Ok(Page(AccountsPage {
        c: Chrome::new(state, visitor, uri).await?,
        pending,
        accounts,
        done,
        mistake,
    }))
}

async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Page<AccountsPage>> {
    require_admin(&visitor)?;
    render(&state, &visitor, &uri, None, None).await
}

#[derive(Deserialize, Default)]
struct ActionForm {
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    role: Option<String>,
}

async fn act(
    State(state): State<AppState>,
    Path((name, action)): Path<(String, String)>,
    uri: Uri,
    form: CsrfForm<ActionForm>,
) -> Result<Response> {
    let session = require_admin(&form.visitor)?;
    let who = Who::of(&session.auth);
    let tr = form.visitor.tr();
    let reason = form.fields.reason.as_deref();
    let mut conn = state.db.conn().await?;
    let outcome: Result<String> = match action.as_str() {
        "approve" => account_admin::approve(&mut conn, &who, &name)
            .await
            .map(|()| tr.with("admin-accounts-approved", &[("name", name.clone().into())])),
        "reject" => account_admin::reject(&mut conn, &who, &name, reason)
            .await
            .map(|()| tr.with("admin-accounts-rejected", &[("name", name.clone().into())])),
        "suspend" => account_admin::suspend(&mut conn, &who, &name, reason)
            .await
            .map(|()| tr.with("admin-accounts-suspended", &[("name", name.clone().into())])),
        "unsuspend" => account_admin::unsuspend(&mut conn, &who, &name, reason)
            .await
            .map(|()| {
                tr.with(
                    "admin-accounts-unsuspended",
                    &[("name", name.clone().into())],
                )
            }),
        "reset-password" => account_admin::reset_password(&mut conn, &who, &name)
            .await
            .map(|password| {
                tr.with(
                    "admin-accounts-password",
                    &[("name", name.clone().into()), ("password", password.into())],
                )
            }),
        "delete" => account_deletion::delete_by_admin(&state, &mut conn, &who, &name, reason)
            .await
            .map(|()| tr.with("admin-accounts-deleted", &[("name", name.clone().into())])),
        "role" => match form
            .fields
            .role
            .as_deref()
            .unwrap_or_default()
            .parse::<Role>()
        {
            Ok(role) => account_admin::set_role(&mut conn, &who, &name, role)
                .await
                .map(|()| {
                    tr.with(
                        "admin-accounts-role-set",
                        &[
                            ("name", name.clone().into()),
                            (
                                "role",
                                tr.t(&format!("admin-role-{}", role.as_str())).into(),
                            ),
                        ],
                    )
                }),
            Err(message) => Err(Error::invalid("role", message)),
        },
        _ => return Err(Error::NotFound("page".into())),
    };
    drop(conn);
    let visitor = &form.visitor;
    match outcome {
        Ok(done) => Ok(render(&state, visitor, &uri, Some(done), None)
            .await?
            .into_response()),
        Err(err @ (Error::Invalid { .. } | Error::Conflict(_))) => {
            let message = match &err {
                Error::Invalid {
                    field: "reason", ..
                } => tr.t("admin-reason-required"),
                Error::Invalid { message, .. } | Error::Conflict(message) => message.clone(),
                _ => err.to_string(),
            };
            let page = render(&state, visitor, &uri, None, Some((name, message))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}
