//! Comments by our own people on any story they can see, threaded under the story or another
//! comment; the person answered and the people here it mentions are notified. The author or an
//! owner of the initiative can delete one.

use super::{mention, story as stories, text};
use crate::db::actor::{self, Actor};
use crate::db::comment::{self, Comment, NewComment};
use crate::db::{Conn, ScopedFutureExt, notification, now, story};
use crate::error::{Error, Result};
use crate::events::{self, Event};
use crate::state::AppState;

pub const CONTENT_MAX: usize = 10_000;

/// `markdown` as a reply to the story, or to the comment `parent` under it.
pub async fn post(
    state: &AppState,
    conn: &mut Conn,
    author: &Actor,
    story_id: i64,
    parent: Option<i64>,
    markdown: &str,
) -> Result<Comment> {
    let found = stories::visible(conn, story_id, Some(author)).await?;
    let parent = match parent {
        Some(id) => {
            let parent = comment::get(conn, id)
                .await
                .map_err(|_| Error::invalid("in_reply_to", "no such comment"))?;
            if parent.story_id != found.id || parent.deleted_at.is_some() {
                return Err(Error::invalid(
                    "in_reply_to",
                    "that comment is not under this story",
                ));
            }
            Some(parent)
        }
        None => None,
    };
    let source = markdown.trim();
    if source.is_empty() {
        return Err(Error::invalid("content", "is empty"));
    }
    if source.chars().count() > CONTENT_MAX {
        return Err(Error::invalid(
            "content",
            format!("must be at most {CONTENT_MAX} characters"),
        ));
    }
    let content = text::markdown_to_html(source);
    let answered = parent.as_ref().map_or(found.author_id, |p| p.author_id);
    let urls = state.urls.clone();
    let posted = conn
        .transaction(|conn| {
            async move {
                let at = now();
                let new = NewComment {
                    story_id: found.id,
                    parent_id: parent.as_ref().map(|p| p.id),
                    author_id: author.id,
                    content: &content,
                    source: Some(source),
                    language: Some("nl"),
                    url: None,
                    published_at: at,
                    updated_at: None,
                };
                let posted = comment::insert_local(conn, &new, |id| urls.comment(id)).await?;
                if answered != author.id && actor::get(conn, answered).await?.local {
                    notification::add(conn, answered, notification::kind::REPLY, posted.id, at)
                        .await?;
                }
                for name in mention::local_handles(source, &state.config.domain) {
                    let Some(person) =
                        actor::find_local_of_type(conn, &name, actor::kind::PERSON).await?
                    else {
                        continue;
                    };
                    if person.id != author.id && person.id != answered {
                        notification::add(
                            conn,
                            person.id,
                            notification::kind::MENTION,
                            posted.id,
                            at,
                        )
                        .await?;
                    }
                }
                events::emit(
                    state,
                    conn,
                    Event::CommentPosted {
                        comment_id: posted.id,
                    },
                )
                .await?;
                Ok(posted)
            }
            .scope_boxed()
        })
        .await?;
    state.deliveries.wake();
    Ok(posted)
}

/// Deletes a comment: its author's own; any other under an initiative the editor owns is
/// removed as moderation (`moderation::remove`).
pub async fn delete(
    state: &AppState,
    conn: &mut Conn,
    editor: &Actor,
    comment_id: i64,
) -> Result<()> {
    let found = comment::get(conn, comment_id)
        .await
        .map_err(|_| Error::NotFound(format!("comment {comment_id}")))?;
    if found.deleted_at.is_some() {
        return Err(Error::Gone(format!("comment {comment_id}")));
    }
    if found.author_id != editor.id {
        return super::moderation::remove(state, conn, editor, comment_id)
            .await
            .map(|_| ());
    }
    let parent_story = story::get(conn, found.story_id).await?;
    conn.transaction(|conn| {
        async move {
            comment::mark_deleted(conn, found.id, now()).await?;
            if found.local || parent_story.local {
                events::emit(
                    state,
                    conn,
                    Event::CommentDeleted {
                        comment_id: found.id,
                    },
                )
                .await?;
            }
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    state.deliveries.wake();
    Ok(())
}

/// A story's comments, oldest first, if `viewer` may see the story; the text of hidden ones
/// only for members of the initiative.
pub async fn thread(
    conn: &mut Conn,
    story_id: i64,
    viewer: Option<&Actor>,
) -> Result<Vec<Comment>> {
    let found = stories::visible(conn, story_id, viewer).await?;
    let mut all = comment::thread(conn, found.id).await?;
    if !super::moderation::powers(conn, &found, viewer).await?.hide {
        for hidden in all.iter_mut().filter(|c| c.hidden_at.is_some()) {
            hidden.content.clear();
            hidden.source = None;
        }
    }
    Ok(all)
}
