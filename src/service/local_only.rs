//! Local-only content and spaces: what stays on this node. A local-only story, or anything in a
//! local-only initiative or theme group, is never delivered (`federation::outbox`), never served
//! as ActivityPub JSON (answers 404 as if it did not exist), absent from the directory, and shown
//! on the web and in the API only to people signed in here, as Hometown does. The node setting
//! `default_visibility` decides what new initiatives, groups and stories start as.

use crate::db::actor::{self, Actor};
use crate::db::follow::{self, state as follow_state};
use crate::db::story::{self, Story, Visibility};
use crate::db::{Conn, ScopedFutureExt, node_settings};
use crate::error::Result;
use crate::events::{self, Event};
use crate::state::AppState;

/// Whether new content on this node starts local-only.
pub async fn by_default(conn: &mut Conn) -> Result<bool> {
    Ok(node_settings::get(conn).await?.local_by_default())
}

/// The visibility a new story starts with when its author names none.
pub async fn default_story_visibility(conn: &mut Conn) -> Result<Visibility> {
    Ok(if by_default(conn).await? {
        Visibility::Local
    } else {
        Visibility::Public
    })
}

/// Whether the story stays on this node: it is local-only, or its initiative is.
pub async fn story_stays_here(conn: &mut Conn, found: &Story) -> Result<bool> {
    if found.visibility() == Visibility::Local {
        return Ok(true);
    }
    Ok(actor::get(conn, found.initiative_id).await?.local_only)
}

/// Whether `viewer` may see something that stays here: only people signed in on this node.
pub fn may_see_local(viewer: Option<&Actor>) -> bool {
    viewer.is_some_and(|v| v.local)
}

/// Makes a local initiative or theme group local-only, or public again. Becoming local-only
/// takes back every story it delivered (`Delete` with a `Tombstone` to its followers) and turns
/// its followers elsewhere away (`Reject`, and they are forgotten); becoming public it federates
/// from then on, and people elsewhere may follow it again.
pub async fn set_space(
    state: &AppState,
    conn: &mut Conn,
    space: &Actor,
    local_only: bool,
) -> Result<()> {
    if space.local_only == local_only || !space.local {
        return Ok(());
    }
    let space_id = space.id;
    conn.transaction(|conn| {
        async move {
            if local_only {
                withdraw(state, conn, space_id).await?;
            }
            actor::set_local_only(conn, space_id, local_only).await
        }
        .scope_boxed()
    })
    .await?;
    state.deliveries.wake();
    if let Err(err) = super::directory::publish::refresh(state).await {
        tracing::warn!(error = %err, "cannot refresh the node's directory");
    }
    Ok(())
}

/// Takes back what a space about to become local-only delivered, while it may still sign.
async fn withdraw(state: &AppState, conn: &mut Conn, space_id: i64) -> Result<()> {
    let delivered = [Visibility::Public.as_str(), Visibility::Followers.as_str()];
    for found in story::for_initiative(conn, space_id, &delivered, i64::MAX, 0).await? {
        if found.local {
            crate::federation::outbox::withdraw_story(state, conn, found.id).await?;
        }
    }
    for in_state in [follow_state::ACCEPTED, follow_state::PENDING] {
        for (follower, row) in follow::followers(conn, space_id, in_state, i64::MAX, 0).await? {
            if follower.local {
                continue;
            }
            follow::delete(conn, row.id).await?;
            let event = Event::FollowRejected {
                follower_id: follower.id,
                followee_id: space_id,
                follow_ap_id: row.ap_id.map(|u| u.0),
            };
            events::emit(state, conn, event).await?;
        }
    }
    Ok(())
}
