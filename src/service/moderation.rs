//! Moderation of the comments under an initiative's stories.
//!
//! - **Hide** (any member of the initiative, reversible): the comment stays whole, but visitors
//!   see a placeholder instead of its text, and it is left out of the story's `replies`
//!   collection. Hiding is *not* federated. No fediverse software has a shared notion of a
//!   reversible hide (Lemmy has none; Mastodon has none), and the only activity others
//!   understand, `Delete`, is final for them: Mastodon ignores `Undo(Delete)`, so a hide sent as
//!   `Delete` could never be taken back on their side. Keeping it here means our own pages and
//!   collections stop showing it; servers that already hold a copy keep theirs until an owner
//!   removes it.
//! - **Remove** (owners only, permanent): the comment becomes a tombstone, as when its author
//!   deletes it. It is federated the way Lemmy federates a moderator's removal in a community:
//!   a `Delete` of the comment whose `actor` is the moderator (not the author; that difference
//!   is what makes it a removal), with the initiative as `audience`, delivered to the author's
//!   server when the comment came from elsewhere, and wrapped in the initiative's `Announce`
//!   (FEP-1b12) for its followers. Receivers that check moderators (Lemmy, Kwartier) accept it;
//!   Mastodon accepts deletes from the object's own server only and keeps its copy. There is no
//!   `Undo(Delete)`: a removal cannot be taken back.

use crate::db::actor::Actor;
use crate::db::comment::{self, Comment};
use crate::db::initiative::{self, role};
use crate::db::story::{self, Story};
use crate::db::{Conn, ScopedFutureExt, now};
use crate::error::{Error, Result};
use crate::events::{self, Event};
use crate::state::AppState;

/// What someone may do with the comments under a story.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Powers {
    /// A member of the story's initiative: sees and toggles hidden comments.
    pub hide: bool,
    /// An owner of the story's initiative: removes comments.
    pub remove: bool,
}

/// `viewer`'s powers over the comments under `story`.
pub async fn powers(conn: &mut Conn, story: &Story, viewer: Option<&Actor>) -> Result<Powers> {
    let Some(viewer) = viewer else {
        return Ok(Powers::default());
    };
    if !story.local {
        return Ok(Powers::default());
    }
    let role = initiative::role_of(conn, story.initiative_id, viewer.id).await?;
    Ok(Powers {
        hide: role.is_some(),
        remove: role.as_deref() == Some(role::OWNER),
    })
}

/// The comment and its story, if `by` has the powers `needed` for it.
async fn moderated(
    conn: &mut Conn,
    by: &Actor,
    comment_id: i64,
    needed: fn(Powers) -> bool,
) -> Result<(Comment, Story)> {
    let found = comment::get(conn, comment_id)
        .await
        .map_err(|_| Error::NotFound(format!("comment {comment_id}")))?;
    if found.deleted_at.is_some() {
        return Err(Error::Gone(format!("comment {comment_id}")));
    }
    let parent_story = story::get(conn, found.story_id).await?;
    if !needed(powers(conn, &parent_story, Some(by)).await?) {
        return Err(Error::Forbidden);
    }
    Ok((found, parent_story))
}

/// A member hides a comment (`hidden`) or shows it again. Stays on this node.
pub async fn set_hidden(
    conn: &mut Conn,
    member: &Actor,
    comment_id: i64,
    hidden: bool,
) -> Result<Comment> {
    let (found, _) = moderated(conn, member, comment_id, |p| p.hide).await?;
    let value = hidden.then(|| (member.id, now()));
    comment::set_hidden(conn, found.id, value).await?;
    comment::get(conn, found.id).await
}

/// An owner removes a comment for good; federated as the owner's `Delete`, announced by the
/// initiative.
pub async fn remove(
    state: &AppState,
    conn: &mut Conn,
    owner: &Actor,
    comment_id: i64,
) -> Result<Comment> {
    let (found, _) = moderated(conn, owner, comment_id, |p| p.remove).await?;
    let moderator_id = owner.id;
    conn.transaction(|conn| {
        async move {
            comment::mark_deleted(conn, found.id, now()).await?;
            events::emit(
                state,
                conn,
                Event::CommentRemoved {
                    comment_id: found.id,
                    moderator_id,
                },
            )
            .await
        }
        .scope_boxed()
    })
    .await?;
    state.deliveries.wake();
    comment::get(conn, comment_id).await
}
