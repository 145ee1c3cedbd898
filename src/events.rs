//! Domain events: what happened, in the domain's own words. Services emit them inside the
//! transaction that made the change; federation turns each into activities and deliveries in
//! that same transaction, so a change and its announcement are stored together or not at all.

use crate::db::Conn;
use crate::db::story::Visibility;
use crate::error::Result;
use crate::state::AppState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A local actor accepted a follower (automatically or by hand).
    FollowAccepted { follow_id: i64 },
    /// A local actor turned a follow request down; the follow row is already gone.
    FollowRejected {
        follower_id: i64,
        followee_id: i64,
        follow_ap_id: Option<url::Url>,
    },
    /// A local person asked to follow a remote actor.
    FollowRequested { follow_id: i64 },
    /// A local person stopped following a remote actor; the follow row is already gone.
    Unfollowed {
        follower_id: i64,
        followee_id: i64,
        follow_ap_id: Option<url::Url>,
    },
    /// An initiative's profile changed.
    InitiativeUpdated { initiative_id: i64 },
    /// A member published a story.
    StoryPublished { story_id: i64 },
    /// A story was edited; `was` is its visibility before.
    StoryEdited { story_id: i64, was: Visibility },
    /// A story was deleted; `was` is its visibility before.
    StoryDeleted { story_id: i64, was: Visibility },
    /// One of our people commented.
    CommentPosted { comment_id: i64 },
    /// A comment was deleted by its author.
    CommentDeleted { comment_id: i64 },
    /// An owner of the story's initiative removed a comment (moderation).
    CommentRemoved { comment_id: i64, moderator_id: i64 },
    /// A theme group accepted a member's post (`service::theme_group::accept`).
    GroupPostAccepted { post_id: i64 },
    /// A moderator removed a post from a theme group.
    GroupPostRemoved { post_id: i64, moderator_id: i64 },
    /// A moderator locked (or unlocked) a thread in a theme group.
    GroupPostLocked {
        post_id: i64,
        moderator_id: i64,
        locked: bool,
    },
    /// A theme group gained (`added`) or lost a moderator.
    GroupModeratorsChanged {
        group_id: i64,
        person_id: i64,
        added: bool,
    },
    /// A local person's account was deleted (by them or an admin); their actor is still there,
    /// with its key, until the `Delete` is delivered.
    AccountDeleted { person_id: i64 },
    /// One of our people likes a story; `like_id` names the like.
    Appreciated {
        person_id: i64,
        story_id: i64,
        like_id: url::Url,
    },
    /// A local person's report on content from elsewhere is to go to its origin server.
    ReportForwarded { report_id: i64 },
    /// One of our people took a like back.
    AppreciationWithdrawn {
        person_id: i64,
        story_id: i64,
        like_id: url::Url,
    },
}

/// Hands an event to everything that acts on it (today: federation).
pub async fn emit(state: &AppState, conn: &mut Conn, event: Event) -> Result<()> {
    tracing::debug!(?event, "event");
    crate::federation::outbox::publish(state, conn, event).await
}
