//! A story's page: the article, its author, initiative and themes, its comments as a thread,
//! the reply form and appreciation.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;

use super::cards::{self, ThemeLink, actor_href, display_name};
use super::form::{CsrfForm, FieldErrors};
use super::{Chrome, Page, Visitor};
use crate::db::appreciation::{self, Target};
use crate::db::comment::Comment;
use crate::db::{actor, comment, theme};
use crate::error::{Error, Result};
use crate::service::moderation::{self, Powers};
use crate::service::{
    appreciation as appreciations, comment as comments, federation_policy, media, story as stories,
};
use crate::state::AppState;

/// Replies deeper than this are shown at this depth.
const MAX_DEPTH: usize = 4;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stories/{id}/comments", post(reply))
        .route("/stories/{id}/appreciate", post(appreciate))
}

struct CommentView {
    id: i64,
    depth: usize,
    author_name: String,
    author_href: String,
    /// Whose comment this answers, for readers of a flattened thread.
    answers: Option<String>,
    /// Sanitized HTML.
    content: String,
    date: String,
    iso_date: String,
    deleted: bool,
    /// Hidden by a member; visitors see a placeholder, `content` is then empty for them.
    hidden: bool,
}

#[derive(Template)]
#[template(path = "story.html")]
struct StoryPage {
    c: Chrome,
    id: i64,
    title: String,
    summary: String,
    /// Sanitized HTML.
    content: String,
    author_name: String,
    author_href: String,
    initiative_name: String,
    initiative_href: String,
    date: String,
    iso_date: String,
    /// The cover's address and description.
    cover: Option<(String, String)>,
    /// The story's own page when it comes from another server.
    original: Option<String>,
    themes: Vec<ThemeLink>,
    comments: Vec<CommentView>,
    /// What the viewer may do with the comments (members hide, owners remove).
    powers: Powers,
    comments_heading: String,
    appreciations: String,
    appreciated: bool,
    logged_in: bool,
    /// Whether the visitor may edit and delete the story (its author, or an owner).
    may_edit: bool,
    reply: String,
    reply_to: Option<i64>,
    errors: FieldErrors,
}

/// The page of a story (the federation route serves its JSON).
pub async fn page(state: &AppState, visitor: &Visitor, uri: &Uri, id: i64) -> Result<Response> {
    render(
        state,
        visitor,
        uri,
        id,
        String::new(),
        None,
        FieldErrors::default(),
    )
    .await
}

async fn render(
    state: &AppState,
    visitor: &Visitor,
    uri: &Uri,
    id: i64,
    reply: String,
    reply_to: Option<i64>,
    errors: FieldErrors,
) -> Result<Response> {
    let tr = visitor.tr();
    let viewer = visitor.session.as_ref().map(|s| &s.auth.person);
    let mut conn = state.db.conn().await?;
    let found = stories::visible(&mut conn, id, viewer).await?;
    let mut thread = comment::thread(&mut conn, found.id).await?;
    // Nothing of a silenced server's is shown to visitors who are not logged in.
    if viewer.is_none() {
        let silenced = federation_policy::silenced(&mut conn).await?;
        if !found.local && silenced.url(&found.ap_id) {
            return Err(Error::NotFound("story".into()));
        }
        thread.retain(|c| c.local || !silenced.url(&c.ap_id));
    }
    let people = actor::get_many(
        &mut conn,
        thread
            .iter()
            .map(|c| c.author_id)
            .chain([found.author_id, found.initiative_id]),
    )
    .await?;
    let powers = moderation::powers(&mut conn, &found, viewer).await?;
    // A deleted account's stories and comments stay, without their name.
    let name_of = |id: i64| {
        people
            .get(&id)
            .map(|a| {
                if a.local && a.deleted_at.is_some() {
                    tr.t("account-deleted-author")
                } else {
                    display_name(a)
                }
            })
            .unwrap_or_default()
    };
    // Nor a link to their (gone) profile.
    let href_of = |id: i64| {
        people
            .get(&id)
            .filter(|a| !(a.local && a.deleted_at.is_some()))
            .map(actor_href)
            .unwrap_or_default()
    };
    let comments: Vec<CommentView> = threaded(&thread)
        .into_iter()
        .map(|(c, depth)| CommentView {
            id: c.id,
            depth: depth.min(MAX_DEPTH),
            author_name: name_of(c.author_id),
            author_href: href_of(c.author_id),
            answers: c
                .parent_id
                .and_then(|p| thread.iter().find(|o| o.id == p))
                .map(|p| name_of(p.author_id)),
            content: if c.hidden_at.is_some() && !powers.hide {
                String::new()
            } else {
                c.content.clone()
            },
            date: tr.date(&c.published_at),
            iso_date: tr.iso(&c.published_at),
            deleted: c.deleted_at.is_some(),
            hidden: c.hidden_at.is_some(),
        })
        .collect();
    let appreciated = match viewer {
        Some(person) => appreciation::find(&mut conn, person.id, Target::Story(found.id))
            .await?
            .is_some(),
        None => false,
    };
    let count = appreciation::count(&mut conn, Target::Story(found.id)).await?;
    let themes = cards::theme_links(theme::for_story(&mut conn, found.id).await?);
    let cover = media::cover_of(&mut conn, &found)
        .await?
        .map(|(m, alt)| (state.urls.media(&m.file_name).to_string(), alt));
    let may_edit = match viewer {
        Some(person) if found.local => stories::editable(&mut conn, person, found.id).await.is_ok(),
        _ => false,
    };
    let status = errors.status();
    let page = StoryPage {
        c: Chrome::new(state, visitor, uri).await?,
        id: found.id,
        author_name: name_of(found.author_id),
        author_href: href_of(found.author_id),
        initiative_name: name_of(found.initiative_id),
        initiative_href: href_of(found.initiative_id),
        date: tr.date(&found.published_at),
        iso_date: tr.iso(&found.published_at),
        cover,
        original: (!found.local)
            .then(|| found.url.clone().unwrap_or_else(|| found.ap_id.to_string())),
        title: found.title,
        summary: found.summary,
        content: found.content,
        themes,
        comments_heading: tr.count("comments-count", comments.len() as i64),
        comments,
        powers,
        appreciations: tr.count("appreciations-count", count),
        appreciated,
        logged_in: viewer.is_some(),
        may_edit,
        reply,
        reply_to,
        errors,
    };
    Ok((status, Page(page)).into_response())
}

/// Comments in reading order: each followed by its replies, with their depth.
fn threaded(all: &[Comment]) -> Vec<(&Comment, usize)> {
    let mut children: HashMap<Option<i64>, Vec<&Comment>> = HashMap::new();
    for c in all {
        // A reply whose parent is not in the thread is shown at the top level.
        let parent = c.parent_id.filter(|p| all.iter().any(|o| o.id == *p));
        children.entry(parent).or_default().push(c);
    }
    let mut out = Vec::with_capacity(all.len());
    let mut stack: Vec<(&Comment, usize)> = children
        .get(&None)
        .map(|top| top.iter().rev().map(|c| (*c, 0)).collect())
        .unwrap_or_default();
    while let Some((c, depth)) = stack.pop() {
        out.push((c, depth));
        if let Some(replies) = children.get(&Some(c.id)) {
            stack.extend(replies.iter().rev().map(|r| (*r, depth + 1)));
        }
    }
    out
}

#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    content: String,
    #[serde(default)]
    parent: Option<String>,
}

async fn reply(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<ReplyForm>,
) -> Result<Response> {
    let session = form.visitor.require()?;
    let parent = form
        .fields
        .parent
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok());
    let mut conn = state.db.conn().await?;
    let posted = comments::post(
        &state,
        &mut conn,
        &session.auth.person,
        id,
        parent,
        &form.fields.content,
    )
    .await;
    drop(conn);
    match posted {
        Ok(comment) => {
            Ok(Redirect::to(&format!("/stories/{id}#comment-{}", comment.id)).into_response())
        }
        Err(err) => {
            let errors = FieldErrors::from_error(err, &form.visitor.tr(), "content")?;
            let uri: Uri = format!("/stories/{id}")
                .parse()
                .map_err(|e| crate::error::Error::internal("uri", e))?;
            render(
                &state,
                &form.visitor,
                &uri,
                id,
                form.fields.content,
                parent,
                errors,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct AppreciateForm {
    #[serde(default)]
    undo: Option<String>,
}

async fn appreciate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<AppreciateForm>,
) -> Result<Redirect> {
    let session = form.visitor.require()?;
    let mut conn = state.db.conn().await?;
    let person = &session.auth.person;
    if form.fields.undo.is_some() {
        appreciations::unlike(&state, &mut conn, person, id).await?;
    } else {
        appreciations::like(&state, &mut conn, person, id).await?;
    }
    Ok(Redirect::to(&format!("/stories/{id}#appreciation")))
}
