//! `/admin/invites`: invite links with an expiry and a use limit; make one, see who used how
//! many, withdraw one. For admins; each change is in the audit log.

use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::require_admin;
use crate::db::now;
use crate::error::{Error, Result};
use crate::service::audit::Who;
use crate::service::invite::{self, InviteState, NewInviteRequest};
use crate::state::AppState;
use crate::web::form::{CsrfForm, NoFields};
use crate::web::{Chrome, Page, Visitor};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/invites", get(list).post(create))
        .route("/admin/invites/{code}/revoke", post(revoke))
}

/// The lifetimes the form offers, in hours (0: until withdrawn), as Mastodon offers them.
const LIFETIMES: [u64; 8] = [0, 1, 6, 12, 24, 24 * 7, 24 * 30, 24 * 365];
/// The use limits the form offers (0: no limit).
const LIMITS: [i32; 7] = [0, 1, 5, 10, 25, 50, 100];

pub struct Row {
    pub code: String,
    pub link: String,
    pub note: Option<String>,
    /// "3 of 10 used", in the visitor's language.
    pub usage: String,
    pub expires: Option<String>,
    /// `usable`, `expired`, `used-up` or `revoked`.
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "admin_invites.html")]
struct InvitesPage {
    c: Chrome,
    rows: Vec<Row>,
    /// (hours, label) for the lifetime choices.
    lifetimes: Vec<(u64, String)>,
    limits: [i32; 7],
    /// What the last action did.
    done: Option<String>,
    /// What was wrong with the last request.
    mistake: Option<String>,
}

async fn render(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    done: Option<String>,
    mistake: Option<String>,
) -> Result<Page<InvitesPage>> {
    let mut conn = state.db.conn().await?;
    let invites = invite::list(&mut conn).await?;
    drop(conn);
    let at = now();
    let tr = visitor.tr();
    let usage = |uses: i32, max: Option<i32>| match max {
        Some(max) => tr.with(
            "admin-invites-used-of",
            &[("uses", uses.into()), ("max", max.into())],
        ),
        None => tr.with("admin-invites-used", &[("uses", uses.into())]),
    };
    let lifetimes = LIFETIMES
        .iter()
        .map(|&hours| {
            let label = match hours {
                0 => tr.t("admin-invites-never"),
                h if h % 24 == 0 => tr.with("admin-invites-days", &[("days", (h / 24).into())]),
                h => tr.with("admin-invites-hours", &[("hours", h.into())]),
            };
            (hours, label)
        })
        .collect();
    let rows = invites
        .into_iter()
        .map(|i| Row {
            usage: usage(i.uses, i.max_uses),
            link: invite::link(&state.urls, &i.code).to_string(),
            state: InviteState::of(&i, at).as_str(),
            expires: i.expires_at.map(|t| t.format("%Y-%m-%d %H:%M").to_string()),
            code: i.code,
            note: i.note,
        })
        .collect();
    Ok(Page(InvitesPage {
        c: Chrome::new(state, visitor, uri).await?,
        rows,
        lifetimes,
        limits: LIMITS,
        done,
        mistake,
    }))
}

async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
) -> Result<Page<InvitesPage>> {
    require_admin(&visitor)?;
    render(&state, &visitor, &uri, None, None).await
}

#[derive(Deserialize, Default)]
struct CreateForm {
    #[serde(default)]
    hours: u64,
    #[serde(default)]
    max_uses: i32,
    #[serde(default)]
    note: String,
}

async fn create(
    State(state): State<AppState>,
    uri: Uri,
    form: CsrfForm<CreateForm>,
) -> Result<Response> {
    let session = require_admin(&form.visitor)?;
    let who = Who::of(&session.auth);
    let fields = &form.fields;
    let request = NewInviteRequest {
        expires_in: (fields.hours > 0).then(|| Duration::from_secs(fields.hours * 3600)),
        max_uses: (fields.max_uses != 0).then_some(fields.max_uses),
        note: Some(fields.note.clone()),
    };
    let mut conn = state.db.conn().await?;
    let outcome = invite::create(&mut conn, &who, request).await;
    drop(conn);
    let tr = form.visitor.tr();
    match outcome {
        Ok(made) => {
            let link = invite::link(&state.urls, &made.code).to_string();
            let done = tr.with("admin-invites-made", &[("link", link.into())]);
            Ok(render(&state, &form.visitor, &uri, Some(done), None)
                .await?
                .into_response())
        }
        Err(Error::Invalid { field, .. }) => {
            let message = tr.t(&format!("admin-invites-invalid-{field}"));
            let page = render(&state, &form.visitor, &uri, None, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

async fn revoke(
    State(state): State<AppState>,
    Path(code): Path<String>,
    uri: Uri,
    form: CsrfForm<NoFields>,
) -> Result<Response> {
    let session = require_admin(&form.visitor)?;
    let who = Who::of(&session.auth);
    let mut conn = state.db.conn().await?;
    let outcome = invite::revoke(&mut conn, &who, &code).await;
    drop(conn);
    let tr = form.visitor.tr();
    match outcome {
        Ok(_) => Ok(render(
            &state,
            &form.visitor,
            &uri,
            Some(tr.t("admin-invites-revoked")),
            None,
        )
        .await?
        .into_response()),
        Err(Error::Conflict(message)) => {
            let page = render(&state, &form.visitor, &uri, None, Some(message)).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(other) => Err(other),
    }
}
