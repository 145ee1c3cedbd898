//! The outbox: domain events become activities, stored once and queued for delivery to every
//! inbox that should get them, in the transaction that made the change.

use crate::service::federation_policy;
use url::Url;

use super::activities::{Activity, accept, follow as follows, reject, undo};
use super::objects::{PUBLIC, article, context, group, note};
use crate::db::actor::{self, Actor};
use crate::db::delivery::{self, NewOutgoingActivity};
use crate::db::follow::{self, Follow};
use crate::db::story::{self, Visibility};
use crate::db::{Conn, comment, now, theme_group};
use crate::error::Result;
use crate::events::Event;
use crate::federation::urls::authority;
use crate::state::AppState;

pub async fn publish(state: &AppState, conn: &mut Conn, event: Event) -> Result<()> {
    if stays_here(conn, &event).await? {
        return Ok(());
    }
    match event {
        Event::FollowAccepted { follow_id } => {
            let row = follow::get(conn, follow_id).await?;
            let (follower, followee) = pair(conn, &row).await?;
            if !follower.local {
                let activity = accept::accept(state, &followee, &follower, &row);
                store_for(state, conn, &followee, &activity, &follower).await?;
            }
        }
        Event::FollowRejected {
            follower_id,
            followee_id,
            follow_ap_id,
        } => {
            let follower = actor::get(conn, follower_id).await?;
            let followee = actor::get(conn, followee_id).await?;
            if !follower.local {
                let row = Follow {
                    id: 0,
                    follower_id,
                    followee_id,
                    ap_id: follow_ap_id.map(Into::into),
                    state: follow::state::PENDING.into(),
                    created_at: now(),
                    updated_at: now(),
                };
                let activity = reject::reject(state, &followee, &follower, &row);
                store_for(state, conn, &followee, &activity, &follower).await?;
            }
        }
        Event::FollowRequested { follow_id } => {
            let row = follow::get(conn, follow_id).await?;
            let (follower, followee) = pair(conn, &row).await?;
            if let Some(id) = &row.ap_id {
                let activity = follows::follow(id, &follower, &followee);
                store_for(state, conn, &follower, &activity, &followee).await?;
            }
        }
        Event::Unfollowed {
            follower_id,
            followee_id,
            follow_ap_id,
        } => {
            let follower = actor::get(conn, follower_id).await?;
            let followee = actor::get(conn, followee_id).await?;
            let follow_id =
                follow_ap_id.unwrap_or_else(|| state.urls.activity(&uuid::Uuid::new_v4()));
            let undone = follows::follow(&follow_id, &follower, &followee).embedded();
            let activity = undo::undo(state, &follower, undone, &followee);
            store_for(state, conn, &follower, &activity, &followee).await?;
        }
        Event::InitiativeUpdated { initiative_id } => {
            let initiative = actor::get(conn, initiative_id).await?;
            let mut json = serde_json::to_value(group::to_json(state, conn, &initiative).await?)?;
            json["@context"] = context();
            let mut activity = Activity::new(state, "Update", &initiative.ap_id, json);
            activity.to = vec![PUBLIC.into()];
            activity.cc = vec![state.urls.followers(&initiative.ap_id).to_string()];
            let inboxes = follow::follower_inboxes(conn, initiative.id).await?;
            store(state, conn, &initiative, &activity, &inboxes).await?;
        }
        Event::StoryPublished { story_id } => {
            // Local-only stories never leave the node.
            if story::get(conn, story_id).await?.visibility() != Visibility::Local {
                fan_out_story(state, conn, story_id, Change::Create).await?;
            }
        }
        Event::StoryEdited { story_id, was } => {
            let now_local = story::get(conn, story_id).await?.visibility() == Visibility::Local;
            let change = match (was == Visibility::Local, now_local) {
                (true, true) => return Ok(()),
                // It leaves the node for the first time, or disappears from the network.
                (true, false) => Change::Create,
                (false, true) => Change::Delete,
                (false, false) => Change::Update,
            };
            fan_out_story(state, conn, story_id, change).await?;
        }
        Event::StoryDeleted { story_id, was } => {
            if was != Visibility::Local {
                fan_out_story(state, conn, story_id, Change::Delete).await?;
            }
        }
        Event::CommentPosted { comment_id } => {
            fan_out_comment(state, conn, comment_id, Change::Create).await?
        }
        Event::CommentDeleted { comment_id } => {
            fan_out_comment(state, conn, comment_id, Change::Delete).await?
        }
        Event::CommentRemoved {
            comment_id,
            moderator_id,
        } => remove_comment(state, conn, comment_id, moderator_id).await?,
        Event::GroupPostAccepted { .. }
        | Event::GroupPostRemoved { .. }
        | Event::GroupPostLocked { .. }
        | Event::GroupModeratorsChanged { .. } => {
            super::group_fanout::publish(state, conn, event).await?
        }
        Event::AccountDeleted { person_id } => {
            let person = actor::get(conn, person_id).await?;
            let inboxes =
                crate::db::personal_data::inboxes_that_knew(conn, person.id, &person.ap_id).await?;
            let activity = super::activities::delete::delete_person(state, &person);
            store(state, conn, &person, &activity, &inboxes).await?;
        }
        Event::Appreciated {
            person_id,
            story_id,
            like_id,
        } => {
            like_story(state, conn, person_id, story_id, like_id, false).await?;
        }
        Event::AppreciationWithdrawn {
            person_id,
            story_id,
            like_id,
        } => {
            like_story(state, conn, person_id, story_id, like_id, true).await?;
        }
        Event::ReportForwarded { report_id } => {
            super::activities::flag::forward(state, conn, report_id).await?;
        }
    }
    Ok(())
}

/// Whether the event is about a story, comment or post in a local-only initiative or theme
/// group: nothing of those leaves the node. (Activities such spaces would sign themselves are
/// also held back in [`store`].)
async fn stays_here(conn: &mut Conn, event: &Event) -> Result<bool> {
    let space = match event {
        Event::StoryPublished { story_id }
        | Event::StoryEdited { story_id, .. }
        | Event::StoryDeleted { story_id, .. } => story::get(conn, *story_id).await?.initiative_id,
        Event::CommentPosted { comment_id }
        | Event::CommentDeleted { comment_id }
        | Event::CommentRemoved { comment_id, .. } => {
            let story_id = comment::get(conn, *comment_id).await?.story_id;
            story::get(conn, story_id).await?.initiative_id
        }
        Event::GroupPostAccepted { post_id }
        | Event::GroupPostRemoved { post_id, .. }
        | Event::GroupPostLocked { post_id, .. } => {
            crate::db::group_post::get(conn, *post_id).await?.group_id
        }
        Event::InitiativeUpdated { initiative_id } => *initiative_id,
        Event::GroupModeratorsChanged { group_id, .. } => *group_id,
        _ => return Ok(false),
    };
    Ok(actor::get(conn, space).await?.local_only)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Change {
    Create,
    Update,
    Delete,
}

/// Takes a delivered story back from everywhere it went (`Delete` with a `Tombstone`), as when
/// its initiative becomes local-only; call before the initiative is marked so.
pub async fn withdraw_story(state: &AppState, conn: &mut Conn, story_id: i64) -> Result<()> {
    fan_out_story(state, conn, story_id, Change::Delete).await
}

/// A story goes to its initiative's followers the way both kinds of reader understand: the
/// initiative announces the author's activity (`Announce(Create(Article))`, FEP-1b12, for
/// Lemmy and Kwartier); for Mastodon it also announces the article itself, and edits and
/// deletions come from the author (`Update`, `Delete`), the only actor Mastodon lets change it.
async fn fan_out_story(
    state: &AppState,
    conn: &mut Conn,
    story_id: i64,
    change: Change,
) -> Result<()> {
    let found = story::get(conn, story_id).await?;
    let initiative = actor::get(conn, found.initiative_id).await?;
    let author = actor::get(conn, found.author_id).await?;
    let (to, cc) = article::addressing(state, &found, &initiative);
    let object = match change {
        Change::Delete => article::tombstone(&found.ap_id, "Article", chrono::Utc::now()),
        Change::Create | Change::Update => {
            serde_json::to_value(article::to_json(state, conn, &found).await?)?
        }
    };
    let kind = match change {
        Change::Create => "Create",
        Change::Update => "Update",
        Change::Delete => "Delete",
    };
    let mut inner = Activity::new(state, kind, &author.ap_id, object);
    inner.to.clone_from(&to);
    inner.cc.clone_from(&cc);
    inner.audience = Some(initiative.ap_id.0.clone());
    let inboxes = follow::follower_inboxes(conn, initiative.id).await?;
    // The author's own activity: delivered for edits and deletions, kept at its id for Create.
    let mut direct = if change == Change::Create {
        Vec::new()
    } else {
        inboxes.clone()
    };
    // Theme groups it was shared to get the author's activity itself, naming them; our own
    // groups take it here (`group_fanout::accept_local`).
    let shared = theme_group::groups_of_story(conn, story_id).await?;
    for group in &shared {
        inner.cc.push(group.ap_id.to_string());
        direct.push(group.inbox_url.clone());
    }
    if change == Change::Create {
        super::group_fanout::accept_local(
            state,
            conn,
            &shared,
            &found,
            &author,
            &initiative,
            &inner,
        )
        .await?;
    }
    store(state, conn, &author, &inner, &direct).await?;

    let mut announce = Activity::new(state, "Announce", &initiative.ap_id, inner.embedded());
    announce.to.clone_from(&to);
    announce.cc.clone_from(&cc);
    announce.audience = Some(initiative.ap_id.0.clone());
    store(state, conn, &initiative, &announce, &inboxes).await?;

    if change == Change::Create {
        let mut boost = Activity::new(
            state,
            "Announce",
            &initiative.ap_id,
            found.ap_id.to_string().into(),
        );
        boost.to = to;
        boost.cc = cc;
        store(state, conn, &initiative, &boost, &inboxes).await?;
    }
    Ok(())
}

/// A comment goes to whoever should hear of it: the person answered and the story's initiative
/// (when they are elsewhere), and, when the initiative is ours, all its followers through its
/// `Announce`. Comments under local-only stories stay here.
async fn fan_out_comment(
    state: &AppState,
    conn: &mut Conn,
    comment_id: i64,
    change: Change,
) -> Result<()> {
    let Some((reply, parent_story, initiative, author)) = comment_parts(conn, comment_id).await?
    else {
        return Ok(());
    };
    let note_json = note::to_json(state, conn, &reply).await?;
    let (to, cc) = (note_json.to.clone(), note_json.cc.clone());
    let (kind, object) = match change {
        Change::Delete => (
            "Delete",
            article::tombstone(&reply.ap_id, "Note", chrono::Utc::now()),
        ),
        Change::Create | Change::Update => ("Create", serde_json::to_value(&note_json)?),
    };
    let mut activity = Activity::new(state, kind, &author.ap_id, object);
    activity.to = to;
    activity.cc = cc;
    activity.audience = Some(initiative.ap_id.0.clone());
    let mut direct = Vec::new();
    let answered = match reply.parent_id {
        Some(parent) => comment::get(conn, parent).await?.author_id,
        None => parent_story.author_id,
    };
    for recipient in [answered, initiative.id] {
        let recipient = actor::get(conn, recipient).await?;
        if !recipient.local {
            direct.push(recipient.inbox_url.clone());
        }
    }
    if author.local {
        store(state, conn, &author, &activity, &direct).await?;
    }
    if initiative.local {
        let public = parent_story.visibility() == Visibility::Public;
        announce(state, conn, &initiative, activity.embedded(), public).await?;
    }
    Ok(())
}

/// A comment with its story, the story's initiative and the comment's author; `None` under a
/// local-only story, whose comments stay here.
async fn comment_parts(
    conn: &mut Conn,
    comment_id: i64,
) -> Result<Option<(comment::Comment, story::Story, Actor, Actor)>> {
    let reply = comment::get(conn, comment_id).await?;
    let parent_story = story::get(conn, reply.story_id).await?;
    if parent_story.visibility() == Visibility::Local {
        return Ok(None);
    }
    let initiative = actor::get(conn, parent_story.initiative_id).await?;
    let author = actor::get(conn, reply.author_id).await?;
    Ok(Some((reply, parent_story, initiative, author)))
}

/// An owner removed a comment (see `service::moderation`): as Lemmy does for a moderator, a
/// `Delete` whose actor is the moderator, sent to the comment's author when they are elsewhere
/// (so their server removes it too, if it accepts removals by the group's moderators) and
/// announced by the initiative to its followers.
async fn remove_comment(
    state: &AppState,
    conn: &mut Conn,
    comment_id: i64,
    moderator_id: i64,
) -> Result<()> {
    let Some((reply, parent_story, initiative, author)) = comment_parts(conn, comment_id).await?
    else {
        return Ok(());
    };
    let moderator = actor::get(conn, moderator_id).await?;
    let public = parent_story.visibility() == Visibility::Public;
    let followers = state.urls.followers(&initiative.ap_id).to_string();
    let tombstone = article::tombstone(&reply.ap_id, "Note", chrono::Utc::now());
    let mut delete = Activity::new(state, "Delete", &moderator.ap_id, tombstone);
    if public {
        delete.to = vec![PUBLIC.into()];
        delete.cc = vec![followers, author.ap_id.to_string()];
    } else {
        delete.to = vec![followers, author.ap_id.to_string()];
    }
    delete.audience = Some(initiative.ap_id.0.clone());
    let direct = if author.local {
        Vec::new()
    } else {
        vec![author.inbox_url.clone()]
    };
    store(state, conn, &moderator, &delete, &direct).await?;
    if initiative.local {
        announce(state, conn, &initiative, delete.embedded(), public).await?;
    }
    Ok(())
}

/// A `Like` (or its `Undo`) of a story published elsewhere goes to its author and initiative;
/// likes of our own stories stay here.
async fn like_story(
    state: &AppState,
    conn: &mut Conn,
    person_id: i64,
    story_id: i64,
    like_id: Url,
    undo: bool,
) -> Result<()> {
    let liked = story::get(conn, story_id).await?;
    if liked.local {
        return Ok(());
    }
    let person = actor::get(conn, person_id).await?;
    let mut inboxes = Vec::new();
    for recipient in [liked.author_id, liked.initiative_id] {
        inboxes.push(actor::get(conn, recipient).await?.inbox_url);
    }
    let mut like = Activity::new_with_id(
        like_id,
        "Like",
        &person.ap_id,
        liked.ap_id.to_string().into(),
    );
    like.to = vec![actor::get(conn, liked.author_id).await?.ap_id.to_string()];
    let activity = if undo {
        let mut undo = Activity::new(state, "Undo", &person.ap_id, like.embedded());
        undo.to.clone_from(&like.to);
        undo
    } else {
        like
    };
    store(state, conn, &person, &activity, &inboxes).await
}

/// `initiative` passes an activity (a reply, perhaps from elsewhere) on to its followers,
/// wrapped in `Announce` as FEP-1b12 groups do.
pub async fn announce(
    state: &AppState,
    conn: &mut Conn,
    initiative: &Actor,
    inner: serde_json::Value,
    public: bool,
) -> Result<()> {
    let mut inner = inner;
    if let Some(map) = inner.as_object_mut() {
        map.remove("@context");
    }
    let followers = state.urls.followers(&initiative.ap_id).to_string();
    let mut activity = Activity::new(state, "Announce", &initiative.ap_id, inner);
    if public {
        activity.to = vec![PUBLIC.into()];
        activity.cc = vec![followers];
    } else {
        activity.to = vec![followers];
    }
    activity.audience = Some(initiative.ap_id.0.clone());
    let inboxes = follow::follower_inboxes(conn, initiative.id).await?;
    store(state, conn, initiative, &activity, &inboxes).await
}

async fn pair(conn: &mut Conn, row: &Follow) -> Result<(Actor, Actor)> {
    Ok((
        actor::get(conn, row.follower_id).await?,
        actor::get(conn, row.followee_id).await?,
    ))
}

/// Stores `activity` and queues it for one recipient's own inbox (as Mastodon expects for
/// follows and their answers).
async fn store_for(
    state: &AppState,
    conn: &mut Conn,
    signer: &Actor,
    activity: &Activity,
    recipient: &Actor,
) -> Result<()> {
    store(
        state,
        conn,
        signer,
        activity,
        std::slice::from_ref(&recipient.inbox_url),
    )
    .await
}

/// Stores `activity`, signed later as `signer`, and queues it once per distinct remote inbox.
pub async fn store(
    state: &AppState,
    conn: &mut Conn,
    signer: &Actor,
    activity: &Activity,
    inboxes: &[String],
) -> Result<()> {
    // A local-only space signs nothing that leaves the node, but turning a follow down.
    if signer.local_only && activity.kind != "Reject" {
        return Ok(());
    }
    let body = serde_json::to_string(activity)?;
    let at = now();
    let stored = delivery::insert_activity(
        conn,
        &NewOutgoingActivity {
            ap_id: activity.id.clone().into(),
            actor_id: signer.id,
            kind: activity.kind,
            body: &body,
            public: activity.is_public(),
            created_at: at,
        },
    )
    .await?;
    let mut targets: Vec<(String, String)> = inboxes
        .iter()
        .filter_map(|inbox| {
            let url = Url::parse(inbox).ok()?;
            (!state.urls.is_local(&url)).then(|| (inbox.clone(), authority(&url)))
        })
        .collect();
    targets.sort();
    targets.dedup();
    // The federation policy: nothing is queued for a server it refuses.
    let mut refused: std::collections::HashMap<String, bool> = std::collections::HashMap::new();
    let mut permitted = Vec::with_capacity(targets.len());
    for (inbox, peer) in targets {
        let is_refused = match refused.get(&peer) {
            Some(known) => *known,
            None => {
                let verdict = federation_policy::verdict_for_host(conn, &peer).await?;
                refused.insert(peer.clone(), verdict.refused());
                verdict.refused()
            }
        };
        if is_refused {
            tracing::debug!(%inbox, "not queued: the federation policy refuses its server");
        } else {
            permitted.push((inbox, peer));
        }
    }
    delivery::enqueue(conn, stored.id, &permitted, at).await
}
