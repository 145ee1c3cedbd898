//! Theme groups' side of the outbox: what a group tells its members. An accepted post goes out
//! twice, as `Announce(Create(obj))` (FEP-1b12, for Lemmy and Kwartier) and as `Announce(obj)`
//! (a boost, for Mastodon); a removal is the moderator's `Delete` and a lock Lemmy's `Lock`,
//! both announced by the group; a change of moderators is the group's own `Add` or `Remove`
//! with the moderators collection as `target`. Everything is public, `cc` the followers.

use serde_json::Value;

use super::activities::Activity;
use super::objects::{PUBLIC, article};
use super::outbox::{announce, store};
use crate::db::actor::{self, Actor};
use crate::db::group_post::{self, GroupPost};
use crate::db::story::Story;
use crate::db::{Conn, follow};
use crate::error::Result;
use crate::events::Event;
use crate::service::theme_group::Submission;
use crate::state::AppState;

pub async fn publish(state: &AppState, conn: &mut Conn, event: Event) -> Result<()> {
    match event {
        Event::GroupPostAccepted { post_id } => {
            let (post, group) = post_and_group(conn, post_id).await?;
            let mut inner: Value = serde_json::from_str(&post.activity)?;
            if let Some(map) = inner.as_object_mut() {
                map.remove("@context");
            }
            announce(state, conn, &group, inner, true).await?;
            let mut boost = Activity::new(
                state,
                "Announce",
                &group.ap_id,
                post.ap_id.to_string().into(),
            );
            address(state, &mut boost, &group);
            let inboxes = follow::follower_inboxes(conn, group.id).await?;
            store(state, conn, &group, &boost, &inboxes).await?;
        }
        Event::GroupPostRemoved {
            post_id,
            moderator_id,
        } => {
            let (post, group) = post_and_group(conn, post_id).await?;
            let moderator = actor::get(conn, moderator_id).await?;
            let author = actor::get(conn, post.author_id).await?;
            let tombstone = article::tombstone(&post.ap_id, &post.kind, chrono::Utc::now());
            let mut delete = Activity::new(state, "Delete", &moderator.ap_id, tombstone);
            address(state, &mut delete, &group);
            delete.cc.push(author.ap_id.to_string());
            let direct = if author.local {
                Vec::new()
            } else {
                vec![author.inbox_url.clone()]
            };
            store(state, conn, &moderator, &delete, &direct).await?;
            announce(state, conn, &group, delete.embedded(), true).await?;
        }
        Event::GroupPostLocked {
            post_id,
            moderator_id,
            locked,
        } => {
            let (post, group) = post_and_group(conn, post_id).await?;
            let moderator = actor::get(conn, moderator_id).await?;
            let mut lock = Activity::new(
                state,
                "Lock",
                &moderator.ap_id,
                post.ap_id.to_string().into(),
            );
            address(state, &mut lock, &group);
            let activity = if locked {
                lock
            } else {
                let mut undo = Activity::new(state, "Undo", &moderator.ap_id, lock.embedded());
                address(state, &mut undo, &group);
                undo
            };
            store(state, conn, &moderator, &activity, &[]).await?;
            announce(state, conn, &group, activity.embedded(), true).await?;
        }
        Event::GroupModeratorsChanged {
            group_id,
            person_id,
            added,
        } => {
            let group = actor::get(conn, group_id).await?;
            let person = actor::get(conn, person_id).await?;
            let kind = if added { "Add" } else { "Remove" };
            let mut change =
                Activity::new(state, kind, &group.ap_id, person.ap_id.to_string().into());
            address(state, &mut change, &group);
            change.target = Some(state.urls.collection(&group.ap_id, "moderators"));
            let mut inboxes = follow::follower_inboxes(conn, group.id).await?;
            if !person.local {
                inboxes.push(person.inbox_url.clone());
            }
            store(state, conn, &group, &change, &inboxes).await?;
        }
        _ => {}
    }
    Ok(())
}

/// Our own theme groups a local story was shared to take it as if it had come to their inbox
/// (the author's initiative was checked to be a member when it was published).
pub async fn accept_local(
    state: &AppState,
    conn: &mut Conn,
    groups: &[Actor],
    story: &Story,
    author: &Actor,
    initiative: &Actor,
    create: &Activity,
) -> Result<()> {
    for group in groups.iter().filter(|g| g.local) {
        let submission = Submission {
            ap_id: story.ap_id.0.clone(),
            author: author.clone(),
            initiative: Some(initiative.clone()),
            kind: "Article".into(),
            name: Some(story.title.clone()),
            summary: Some(story.summary.clone()).filter(|s| !s.is_empty()),
            content: story.content.clone(),
            url: Some(story.ap_id.0.clone()),
            in_reply_to: None,
            public: create.is_public(),
            published: story.published_at,
            activity: serde_json::to_string(create)?,
        };
        if let Some(post) = crate::service::theme_group::admit(conn, group, &submission).await? {
            publish(state, conn, Event::GroupPostAccepted { post_id: post.id }).await?;
        }
    }
    Ok(())
}

async fn post_and_group(conn: &mut Conn, post_id: i64) -> Result<(GroupPost, Actor)> {
    let post = group_post::get(conn, post_id).await?;
    let group = actor::get(conn, post.group_id).await?;
    Ok((post, group))
}

/// Public, `cc` the group's followers, `audience` the group.
fn address(state: &AppState, activity: &mut Activity, group: &Actor) {
    activity.to = vec![PUBLIC.into()];
    activity.cc = vec![state.urls.followers(&group.ap_id).to_string()];
    activity.audience = Some(group.ap_id.0.clone());
}
