//! Moderating comments from the story page: members hide a comment and show it again, owners
//! remove one for good (the page asks for confirmation in a `<details>` first, so it works
//! without JavaScript). The rules and what federates live in `service::moderation`.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Redirect;
use axum::routing::post;

use super::form::{CsrfForm, NoFields};
use crate::db::comment::Comment;
use crate::error::Result;
use crate::service::moderation;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/comments/{id}/hide", post(hide))
        .route("/comments/{id}/unhide", post(unhide))
        .route("/comments/{id}/remove", post(remove))
}

fn back_to(comment: &Comment) -> Redirect {
    Redirect::to(&format!(
        "/stories/{}#comment-{}",
        comment.story_id, comment.id
    ))
}

async fn set_hidden(
    state: &AppState,
    form: &CsrfForm<NoFields>,
    id: i64,
    hidden: bool,
) -> Result<Redirect> {
    let session = form.visitor.require()?;
    let mut conn = state.db.conn().await?;
    let comment = moderation::set_hidden(&mut conn, &session.auth.person, id, hidden).await?;
    Ok(back_to(&comment))
}

async fn hide(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<NoFields>,
) -> Result<Redirect> {
    set_hidden(&state, &form, id, true).await
}

async fn unhide(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<NoFields>,
) -> Result<Redirect> {
    set_hidden(&state, &form, id, false).await
}

async fn remove(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<NoFields>,
) -> Result<Redirect> {
    let session = form.visitor.require()?;
    let mut conn = state.db.conn().await?;
    let comment = moderation::remove(&state, &mut conn, &session.auth.person, id).await?;
    Ok(back_to(&comment))
}
