//! A person's own data in the browser (AVG/GDPR): `/account/export` downloads everything this
//! node stores about them as a ZIP; `/account/delete` deletes their account after they confirm
//! with their password (see `service::account_deletion`).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::form::{CsrfForm, FieldErrors, NoFields};
use super::visitor::{SESSION_COOKIE, removal};
use super::{Chrome, Page, Visitor};
use crate::db::node_settings::{self, DeletedContent};
use crate::error::{Error, Result};
use crate::service::{account_deletion, data_export};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/export", get(export_page).post(export))
        .route("/account/delete", get(delete_page).post(delete))
}

#[derive(Template)]
#[template(path = "account_export.html")]
struct ExportPage {
    c: Chrome,
}

async fn export_page(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Page<ExportPage>> {
    visitor.require()?;
    Ok(Page(ExportPage {
        c: Chrome::new(&state, &visitor, &uri).await?,
    }))
}

async fn export(
    State(state): State<AppState>,
    form: CsrfForm<NoFields>,
) -> Result<data_export::Export> {
    let session = form.visitor.require()?;
    let mut conn = state.db.conn().await?;
    data_export::export(&state, &mut conn, &session.auth).await
}

#[derive(Template)]
#[template(path = "account_delete.html")]
struct DeletePage {
    c: Chrome,
    errors: FieldErrors,
    /// The node removes a deleted account's content (rather than anonymising it).
    removes_content: bool,
    /// The account is gone: say so instead of showing the form.
    deleted: bool,
}

async fn render_delete(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    errors: FieldErrors,
    deleted: bool,
) -> Result<Page<DeletePage>> {
    let mut conn = state.db.conn().await?;
    let removes_content =
        node_settings::get(&mut conn).await?.deleted_content() == DeletedContent::Remove;
    drop(conn);
    Ok(Page(DeletePage {
        c: Chrome::new(state, visitor, uri).await?,
        errors,
        removes_content,
        deleted,
    }))
}

async fn delete_page(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Page<DeletePage>> {
    visitor.require()?;
    render_delete(&state, &visitor, &uri, FieldErrors::default(), false).await
}

#[derive(Deserialize)]
struct DeleteForm {
    /// Named as on the password form: it asks for the password in use, without a hint about
    /// choosing one.
    #[serde(default)]
    current_password: String,
}

async fn delete(
    State(state): State<AppState>,
    uri: Uri,
    form: CsrfForm<DeleteForm>,
) -> Result<Response> {
    let CsrfForm { visitor, fields } = form;
    let session = visitor.require()?;
    let tr = visitor.tr();
    let mut conn = state.db.conn().await?;
    let outcome =
        account_deletion::delete_own(&state, &mut conn, &session.auth, &fields.current_password)
            .await;
    drop(conn);
    let mut errors = FieldErrors::default();
    match outcome {
        Ok(()) => {
            // Signed out: the session went with the account.
            let signed_out = Visitor {
                lang: visitor.lang,
                session: None,
                csrf: visitor.csrf.clone(),
                session_secret: None,
            };
            let page = render_delete(&state, &signed_out, &uri, errors, true).await?;
            let jar = CookieJar::new().add(removal(&state, SESSION_COOKIE));
            return Ok((jar, page).into_response());
        }
        Err(Error::Invalid {
            field: "password", ..
        }) => errors.add("current_password", tr.t("account-delete-wrong-password")),
        Err(Error::Invalid { .. }) => {
            errors.add("current_password", tr.t("account-delete-last-admin"))
        }
        Err(other) => return Err(other),
    }
    let page = render_delete(&state, &visitor, &uri, errors, false).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
