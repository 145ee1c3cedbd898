//! Stories and comments: publish for an initiative, edit, delete, read a story with its thread,
//! and a timeline of stories from the initiatives the token's person follows.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::auth::{OptionalToken, RequireToken};
use super::json::Body;
use crate::db::appreciation::{self, Target};
use crate::db::comment::{self, Comment};
use crate::db::story::{self, Story, Visibility};
use crate::db::{Conn, actor, theme};
use crate::error::{Error, Result};
use crate::service::story::{self as stories, Cover, Draft};
use crate::service::{
    appreciation as appreciation_service, comment as comments, initiative, media,
};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/initiatives/{handle}/stories",
            post(publish).get(for_initiative),
        )
        .route("/stories/{id}", get(show).patch(edit).delete(remove))
        .route("/stories/{id}/comments", get(thread).post(reply))
        .route("/stories/{id}/appreciation", post(like).delete(unlike))
        .route("/comments/{id}", delete(remove_comment))
        .route("/timeline", get(timeline))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StoryInput {
    title: String,
    summary: Option<String>,
    /// Markdown.
    content: String,
    #[serde(default)]
    themes: Vec<String>,
    /// `public`, `followers` or `local`; by default the node's default visibility.
    visibility: Option<String>,
    /// The same as `visibility: "local"` when true: never leaves this node.
    local_only: Option<bool>,
    language: Option<String>,
    pinned: Option<bool>,
    cover: Option<CoverInput>,
    /// Theme groups to share the story to, here or elsewhere: `group@node` or an actor id.
    /// Only for public stories.
    #[serde(default)]
    groups: Vec<String>,
}

/// A cover image: an upload (`POST /api/v1/media`) and its description.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CoverInput {
    media_id: i64,
    /// What the image shows, for people who cannot see it. Required.
    alt: Option<String>,
}

impl From<CoverInput> for Cover {
    fn from(input: CoverInput) -> Cover {
        Cover {
            media_id: input.media_id,
            // Missing is refused like empty, on the `cover_alt` field.
            alt: input.alt.unwrap_or_default(),
        }
    }
}

/// `null` and absent told apart: `Some(None)` for `null`.
fn present<'de, D, T>(deserializer: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A partial edit: what is left out stays as it is.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StoryPatch {
    title: Option<String>,
    summary: Option<String>,
    content: Option<String>,
    themes: Option<Vec<String>>,
    visibility: Option<String>,
    /// True makes it local-only; false makes a local-only story public.
    local_only: Option<bool>,
    language: Option<String>,
    pinned: Option<bool>,
    /// A new cover; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<CoverInput>)]
    cover: Option<Option<CoverInput>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct PersonRef {
    id: String,
    handle: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct InitiativeRef {
    id: String,
    handle: String,
    name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct StoryView {
    /// The ActivityPub id; also the HTML page for our own stories.
    id: String,
    url: String,
    /// Where to `GET`, `PATCH` and `DELETE` this story through the API.
    api_url: String,
    title: String,
    summary: String,
    /// Sanitized HTML.
    content: String,
    /// The Markdown it was written in (our own stories only).
    source: Option<String>,
    themes: Vec<String>,
    visibility: String,
    /// Stays on this node: local-only itself, or in a local-only initiative.
    local_only: bool,
    language: String,
    pinned: bool,
    local: bool,
    /// `null` once the author deleted their account (their stories stay, without their name).
    author: Option<PersonRef>,
    initiative: InitiativeRef,
    comments: i64,
    appreciation: i64,
    published: DateTime<Utc>,
    updated: Option<DateTime<Utc>>,
    cover: Option<CoverView>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct CoverView {
    media_id: i64,
    url: String,
    /// `image/jpeg` or `image/png`.
    media_type: String,
    alt: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct CommentView {
    id: String,
    /// Number for the API (replying, deleting).
    comment_id: i64,
    /// `comment_id` of the comment this answers; absent for replies to the story.
    in_reply_to: Option<i64>,
    author: Option<PersonRef>,
    /// Sanitized HTML; empty when deleted.
    content: String,
    deleted: bool,
    appreciation: i64,
    published: DateTime<Utc>,
}

/// The visibility asked for with `visibility` and/or `local_only`, else `default`.
fn visibility(
    value: Option<&str>,
    local_only: Option<bool>,
    default: Visibility,
) -> Result<Visibility> {
    let named = value
        .map(|v| {
            Visibility::parse(v)
                .ok_or_else(|| Error::invalid("visibility", "must be public, followers or local"))
        })
        .transpose()?;
    match (named, local_only) {
        (Some(v), Some(local)) if (v == Visibility::Local) != local => {
            Err(Error::invalid("local_only", "contradicts visibility"))
        }
        (Some(v), _) => Ok(v),
        (None, Some(true)) => Ok(Visibility::Local),
        (None, Some(false)) if default == Visibility::Local => Ok(Visibility::Public),
        (None, _) => Ok(default),
    }
}

/// Who wrote something, unless they deleted their account here: then nobody is named.
fn named(author: &actor::Actor) -> Option<PersonRef> {
    if author.local && author.deleted_at.is_some() {
        return None;
    }
    Some(PersonRef {
        id: author.ap_id.to_string(),
        handle: author.handle(),
    })
}

async fn view(state: &AppState, conn: &mut Conn, found: &Story) -> Result<StoryView> {
    let author = actor::get(conn, found.author_id).await?;
    let group = actor::get(conn, found.initiative_id).await?;
    let cover = media::cover_of(conn, found)
        .await?
        .map(|(cover, alt)| CoverView {
            media_id: cover.id,
            url: state.urls.media(&cover.file_name).to_string(),
            media_type: cover.content_type,
            alt,
        });
    Ok(StoryView {
        id: found.ap_id.to_string(),
        url: found.url.clone().unwrap_or_else(|| found.ap_id.to_string()),
        api_url: state.urls.api_story(found.id).to_string(),
        title: found.title.clone(),
        summary: found.summary.clone(),
        content: found.content.clone(),
        source: found.local.then(|| found.source.clone()),
        themes: theme::for_story(conn, found.id)
            .await?
            .into_iter()
            .map(|t| t.name)
            .collect(),
        visibility: found.visibility.clone(),
        local_only: crate::service::local_only::story_stays_here(conn, found).await?,
        language: found.language.clone(),
        pinned: found.pinned,
        local: found.local,
        author: named(&author),
        initiative: InitiativeRef {
            id: group.ap_id.to_string(),
            handle: group.handle(),
            name: group
                .display_name
                .clone()
                .unwrap_or_else(|| group.username.clone()),
        },
        comments: comment::thread(conn, found.id)
            .await?
            .iter()
            .filter(|c| c.deleted_at.is_none())
            .count() as i64,
        appreciation: appreciation::count(conn, Target::Story(found.id)).await?,
        published: found.published_at.and_utc(),
        updated: found.updated_at.map(|u| u.and_utc()),
        cover,
    })
}

pub(super) async fn comment_view(conn: &mut Conn, reply: &Comment) -> Result<CommentView> {
    let author = if reply.deleted_at.is_some() {
        None
    } else {
        named(&actor::get(conn, reply.author_id).await?)
    };
    Ok(CommentView {
        id: reply.ap_id.to_string(),
        comment_id: reply.id,
        in_reply_to: reply.parent_id,
        author,
        content: reply.content.clone(),
        deleted: reply.deleted_at.is_some(),
        appreciation: appreciation::count(conn, Target::Comment(reply.id)).await?,
        published: reply.published_at.and_utc(),
    })
}

/// Publishes a story for an initiative (members only).
#[utoipa::path(post, path = "/api/v1/initiatives/{handle}/stories", tag = "stories", security(("bearer" = [])),
    params(("handle" = String, Path)), request_body = StoryInput,
    responses((status = 201, body = StoryView), (status = 403, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub(super) async fn publish(
    state: activitypub_federation::config::Data<AppState>,
    RequireToken(auth): RequireToken,
    Path(handle): Path<String>,
    Body(input): Body<StoryInput>,
) -> Result<(StatusCode, Json<StoryView>)> {
    let groups = crate::service::theme_group::resolve_all(&state, &input.groups).await?;
    let mut conn = state.db.conn().await?;
    let default = crate::service::local_only::default_story_visibility(&mut conn).await?;
    let draft = Draft {
        title: input.title,
        summary: input.summary,
        content: input.content,
        themes: input.themes,
        visibility: visibility(input.visibility.as_deref(), input.local_only, default)?,
        language: input.language,
        cover: input.cover.map(Cover::from),
    };
    let mut published =
        stories::publish_in(&state, &mut conn, &auth.person, &handle, draft, &groups).await?;
    if input.pinned == Some(true) {
        published = stories::pin(&mut conn, &auth.person, published.id, true).await?;
    }
    Ok((
        StatusCode::CREATED,
        Json(view(&state, &mut conn, &published).await?),
    ))
}

/// A story, if the caller may see it (followers-only stories need a token of a follower or member).
#[utoipa::path(get, path = "/api/v1/stories/{id}", tag = "stories", params(("id" = i64, Path)),
    responses((status = 200, body = StoryView), (status = 404, body = super::openapi::ErrorBody), (status = 410, body = super::openapi::ErrorBody)))]
pub(super) async fn show(
    State(state): State<AppState>,
    OptionalToken(auth): OptionalToken,
    Path(id): Path<i64>,
) -> Result<Json<StoryView>> {
    let mut conn = state.db.conn().await?;
    let found = stories::visible(&mut conn, id, auth.as_ref().map(|a| &a.person)).await?;
    Ok(Json(view(&state, &mut conn, &found).await?))
}

/// Edits a story (its author or an owner); what is left out stays as it is.
#[utoipa::path(patch, path = "/api/v1/stories/{id}", tag = "stories", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = StoryPatch,
    responses((status = 200, body = StoryView), (status = 403, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub(super) async fn edit(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
    Path(id): Path<i64>,
    Body(patch): Body<StoryPatch>,
) -> Result<Json<StoryView>> {
    let mut conn = state.db.conn().await?;
    let current = story::get(&mut conn, id)
        .await
        .map_err(|_| Error::NotFound(format!("story {id}")))?;
    let themes = match patch.themes {
        Some(themes) => themes,
        None => theme::for_story(&mut conn, id)
            .await?
            .into_iter()
            .map(|t| t.name)
            .collect(),
    };
    let draft = Draft {
        title: patch.title.unwrap_or_else(|| current.title.clone()),
        summary: patch.summary.or_else(|| Some(current.summary.clone())),
        content: patch.content.unwrap_or_else(|| current.source.clone()),
        themes,
        visibility: visibility(
            patch.visibility.as_deref(),
            patch.local_only,
            current.visibility(),
        )?,
        language: patch.language.or_else(|| Some(current.language.clone())),
        cover: match patch.cover {
            Some(cover) => cover.map(Cover::from),
            None => current.cover_media_id.map(|media_id| Cover {
                media_id,
                alt: current.cover_alt.clone().unwrap_or_default(),
            }),
        },
    };
    let mut edited = stories::edit(&state, &mut conn, &auth.person, id, draft).await?;
    if let Some(pinned) = patch.pinned {
        edited = stories::pin(&mut conn, &auth.person, id, pinned).await?;
    }
    Ok(Json(view(&state, &mut conn, &edited).await?))
}

/// Deletes a story; a tombstone stays at its address.
#[utoipa::path(delete, path = "/api/v1/stories/{id}", tag = "stories", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 204), (status = 403, body = super::openapi::ErrorBody), (status = 410, body = super::openapi::ErrorBody)))]
pub(super) async fn remove(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    let mut conn = state.db.conn().await?;
    stories::delete(&state, &mut conn, &auth.person, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub(super) struct PageQuery {
    #[serde(default)]
    page: u32,
}

const PAGE: i64 = 20;

fn offset(page: u32) -> i64 {
    i64::from(page.max(1) - 1) * PAGE
}

/// An initiative's stories: public ones for anyone, local-only ones for local tokens,
/// followers-only ones too for its members and followers.
#[utoipa::path(get, path = "/api/v1/initiatives/{handle}/stories", tag = "stories",
    params(("handle" = String, Path), ("page" = Option<u32>, Query)), responses((status = 200, body = Vec<StoryView>)))]
pub(super) async fn for_initiative(
    State(state): State<AppState>,
    OptionalToken(auth): OptionalToken,
    Path(handle): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Json<Vec<StoryView>>> {
    let mut conn = state.db.conn().await?;
    let (group, _) = initiative::find(&mut conn, &handle).await?;
    if group.local_only && auth.is_none() {
        return Err(Error::NotFound(format!("initiative {handle:?}")));
    }
    let mut visibilities = vec![Visibility::Public.as_str()];
    if let Some(auth) = &auth {
        visibilities.push(Visibility::Local.as_str());
        let follows = crate::db::follow::find(&mut conn, auth.person.id, group.id)
            .await?
            .is_some_and(|f| f.accepted());
        let member = crate::db::initiative::role_of(&mut conn, group.id, auth.person.id)
            .await?
            .is_some();
        if follows || member {
            visibilities.push(Visibility::Followers.as_str());
        }
    }
    let found =
        story::for_initiative(&mut conn, group.id, &visibilities, PAGE, offset(query.page)).await?;
    let mut views = Vec::with_capacity(found.len());
    for one in &found {
        views.push(view(&state, &mut conn, one).await?);
    }
    Ok(Json(views))
}

/// Stories from the initiatives the token's person follows, newest first.
#[utoipa::path(get, path = "/api/v1/timeline", tag = "stories", security(("bearer" = [])),
    params(("page" = Option<u32>, Query)), responses((status = 200, body = Vec<StoryView>), (status = 401, body = super::openapi::ErrorBody)))]
pub(super) async fn timeline(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
    Query(query): Query<PageQuery>,
) -> Result<Json<Vec<StoryView>>> {
    let mut conn = state.db.conn().await?;
    let found = story::timeline(&mut conn, auth.person.id, PAGE, offset(query.page)).await?;
    let mut views = Vec::with_capacity(found.len());
    for one in &found {
        views.push(view(&state, &mut conn, one).await?);
    }
    Ok(Json(views))
}

/// A story's comments, oldest first, threaded by `in_reply_to`.
#[utoipa::path(get, path = "/api/v1/stories/{id}/comments", tag = "comments", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CommentView>), (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn thread(
    State(state): State<AppState>,
    OptionalToken(auth): OptionalToken,
    Path(id): Path<i64>,
) -> Result<Json<Vec<CommentView>>> {
    let mut conn = state.db.conn().await?;
    let replies = comments::thread(&mut conn, id, auth.as_ref().map(|a| &a.person)).await?;
    let mut views = Vec::with_capacity(replies.len());
    for reply in &replies {
        views.push(comment_view(&mut conn, reply).await?);
    }
    Ok(Json(views))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CommentInput {
    /// Markdown.
    content: String,
    /// `comment_id` of the comment answered; absent to answer the story.
    in_reply_to: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/stories/{id}/comments", tag = "comments", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CommentInput,
    responses((status = 201, body = CommentView), (status = 404, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub(super) async fn reply(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
    Path(id): Path<i64>,
    Body(input): Body<CommentInput>,
) -> Result<(StatusCode, Json<CommentView>)> {
    let mut conn = state.db.conn().await?;
    let posted = comments::post(
        &state,
        &mut conn,
        &auth.person,
        id,
        input.in_reply_to,
        &input.content,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(comment_view(&mut conn, &posted).await?),
    ))
}

#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "comments", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 204), (status = 403, body = super::openapi::ErrorBody), (status = 410, body = super::openapi::ErrorBody)))]
pub(super) async fn remove_comment(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    let mut conn = state.db.conn().await?;
    comments::delete(&state, &mut conn, &auth.person, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The token's person likes the story (appreciation); repeating it changes nothing.
#[utoipa::path(post, path = "/api/v1/stories/{id}/appreciation", tag = "stories", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 204), (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn like(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    let mut conn = state.db.conn().await?;
    appreciation_service::like(&state, &mut conn, &auth.person, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/stories/{id}/appreciation", tag = "stories", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 204), (status = 404, body = super::openapi::ErrorBody)))]
pub(super) async fn unlike(
    State(state): State<AppState>,
    RequireToken(auth): RequireToken,
    Path(id): Path<i64>,
) -> Result<StatusCode> {
    let mut conn = state.db.conn().await?;
    appreciation_service::unlike(&state, &mut conn, &auth.person, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
