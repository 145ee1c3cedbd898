//! `/report`: a person signed in here reports a story, comment, group post, initiative or
//! person to this server's moderators, with a reason and, for content from elsewhere, the
//! choice to send the report to that server too (without their name). The rules live in
//! `service::report`.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::form::CsrfForm;
use super::{Chrome, Page, Visitor};
use crate::error::{Error, Result};
use crate::service::report::{self, Content};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/report", get(show).post(submit))
}

#[derive(Deserialize)]
struct ObjectQuery {
    #[serde(default)]
    object: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    c: Chrome,
    object: String,
    content: Content,
    /// Message id of what kind of thing it is.
    kind: String,
    /// Content from elsewhere: the reporter may forward the report there.
    remote: bool,
    origin: String,
    reason: String,
    error: Option<String>,
    done: bool,
}

async fn render(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    object: &str,
    reason: String,
    error: Option<String>,
    done: bool,
) -> Result<Page<ReportPage>> {
    let mut conn = state.db.conn().await?;
    let found = report::find_target(&mut conn, object)
        .await
        .map_err(|_| Error::NotFound(format!("{object:?}")))?;
    let content = report::content_of(&mut conn, found.kind, found.id).await?;
    drop(conn);
    Ok(Page(ReportPage {
        c: Chrome::new(state, visitor, uri).await?,
        object: object.to_owned(),
        content,
        kind: format!("report-kind-{}", found.kind),
        remote: !found.author.local,
        origin: crate::federation::urls::authority(&found.author.ap_id),
        reason,
        error,
        done,
    }))
}

async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    uri: Uri,
    Query(query): Query<ObjectQuery>,
) -> Result<Page<ReportPage>> {
    visitor.require()?;
    render(
        &state,
        &visitor,
        &uri,
        &query.object,
        String::new(),
        None,
        false,
    )
    .await
}

#[derive(Deserialize)]
struct ReportForm {
    #[serde(default)]
    object: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    forward: Option<String>,
}

async fn submit(
    State(state): State<AppState>,
    uri: Uri,
    form: CsrfForm<ReportForm>,
) -> Result<Response> {
    let session = form.visitor.require()?;
    let fields = &form.fields;
    let mut conn = state.db.conn().await?;
    let outcome = report::report(
        &state,
        &mut conn,
        &session.auth.person,
        &fields.object,
        Some(&fields.reason),
        fields.forward.is_some(),
    )
    .await;
    drop(conn);
    let visitor = &form.visitor;
    match outcome {
        Ok(_) => Ok(render(
            &state,
            visitor,
            &uri,
            &fields.object,
            String::new(),
            None,
            true,
        )
        .await?
        .into_response()),
        Err(Error::Invalid { field, message }) => {
            let message = if field == "reason" && fields.reason.trim().is_empty() {
                visitor.tr().t("report-reason-required")
            } else {
                message
            };
            let page = render(
                &state,
                visitor,
                &uri,
                &fields.object,
                fields.reason.clone(),
                Some(message),
                false,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}
