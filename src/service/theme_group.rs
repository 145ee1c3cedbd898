//! Theme groups (networks): creating them, their moderators, who is a member, and what a group
//! accepts. A member is an accepted follower of the group: a person or an initiative, from any
//! node. A member's post addressed to the group is accepted when it is public, its author is
//! not deleted, and it does not answer a locked thread; a story counts as its author's and as
//! its initiative's (when the initiative is on the author's own server, which vouches for its
//! members). Accepted posts are announced to every member (see `federation::group_fanout`).

use url::Url;

use super::initiative::GroupIds;
use super::{handle, text, theme};
use crate::db::actor::{self, Actor, kind};
use crate::db::group_post::{self, GroupPost, NewGroupPost};
use crate::db::theme_group::{self, ThemeGroup, ThemeGroupFields};
use crate::db::types::DbUrl;
use crate::db::{Conn, ScopedFutureExt, follow, now, theme as themes};
use crate::error::{Error, Result};
use crate::events::{self, Event};
use crate::state::AppState;

pub const NAME_MAX: usize = 100;
pub const TEXT_MAX: usize = 5_000;

/// A group's profile as an administrator gives it.
#[derive(Debug, Clone, Default)]
pub struct GroupProfile {
    pub name: String,
    /// Markdown.
    pub summary: Option<String>,
    /// Markdown.
    pub rules: Option<String>,
    pub themes: Vec<String>,
    pub location: Option<super::initiative::Location>,
    /// Federates nothing, for people here only; `None` takes the node's default visibility.
    pub local_only: Option<bool>,
}

/// The theme group with this handle.
pub async fn find(conn: &mut Conn, handle_name: &str) -> Result<(Actor, ThemeGroup)> {
    if let Some(group) = actor::find_local_of_type(conn, handle_name, kind::GROUP)
        .await?
        .filter(|a| a.deleted_at.is_none())
        && let Some(details) = theme_group::find(conn, group.id).await?
    {
        return Ok((group, details));
    }
    Err(Error::NotFound(format!("group {handle_name:?}")))
}

/// Creates a theme group; `moderator`, when given, is its first moderator.
pub async fn create(
    state: &AppState,
    conn: &mut Conn,
    handle_name: &str,
    profile: GroupProfile,
    moderator: Option<&Actor>,
) -> Result<Actor> {
    handle::validate("handle", handle_name)?;
    let name = profile.name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(Error::invalid(
            "name",
            format!("must be 1 to {NAME_MAX} characters"),
        ));
    }
    let summary = checked_text("summary", profile.summary.as_deref())?;
    let rules = checked_text("rules", profile.rules.as_deref())?.unwrap_or_default();
    let theme_names = theme::parse("themes", &profile.themes)?;
    handle::ensure_free(conn, "handle", handle_name).await?;
    let summary_html = summary.map(text::markdown_to_html);
    let keypair = state.keys.take().await?;
    let ids = GroupIds::new(
        &state.urls,
        state.urls.group(handle_name),
        state.urls.group_inbox(handle_name),
    );
    let at = now();
    let new = ids.new_actor(handle_name, name, summary_html.as_deref(), &keypair, at);
    let location = profile.location.as_ref();
    let fields = ThemeGroupFields {
        rules,
        location_name: location.map(|l| l.name.as_str()),
        latitude: location.and_then(|l| l.latitude),
        longitude: location.and_then(|l| l.longitude),
        updated_at: at,
    };
    let moderator_id = moderator.map(|m| m.id);
    let local_only = match profile.local_only {
        Some(chosen) => chosen,
        None => super::local_only::by_default(conn).await?,
    };
    let theme_names = &theme_names;
    let created = conn
        .transaction(|conn| {
            async move {
                let mut group = actor::insert(conn, &new).await?;
                if local_only {
                    actor::set_local_only(conn, group.id, true).await?;
                    group.local_only = true;
                }
                theme_group::insert(conn, group.id, &fields).await?;
                if let Some(moderator_id) = moderator_id {
                    theme_group::add_moderator(conn, group.id, moderator_id, at).await?;
                }
                let found = themes::ensure(conn, theme_names).await?;
                themes::set_for_actor(conn, group.id, &found).await?;
                Ok(group)
            }
            .scope_boxed()
        })
        .await;
    match created {
        Err(Error::Conflict(_)) => Err(handle::taken("handle", handle_name)),
        other => other,
    }
}

fn checked_text<'a>(field: &'static str, value: Option<&'a str>) -> Result<Option<&'a str>> {
    let value = value.map(str::trim).filter(|s| !s.is_empty());
    if value.is_some_and(|s| s.chars().count() > TEXT_MAX) {
        return Err(Error::invalid(
            field,
            format!("must be at most {TEXT_MAX} characters"),
        ));
    }
    Ok(value)
}

/// Adds (`add`) or removes a moderator; members hear of it through an `Add` or `Remove`.
/// Whether anything changed.
pub async fn set_moderator(
    state: &AppState,
    conn: &mut Conn,
    group: &Actor,
    person: &Actor,
    add: bool,
) -> Result<bool> {
    if person.actor_type != kind::PERSON {
        return Err(Error::invalid("person", "only people moderate groups"));
    }
    let (group_id, person_id) = (group.id, person.id);
    let changed = conn
        .transaction(|conn| {
            async move {
                let changed = if add {
                    theme_group::add_moderator(conn, group_id, person_id, now()).await?
                } else {
                    theme_group::remove_moderator(conn, group_id, person_id).await?
                };
                if changed {
                    let event = Event::GroupModeratorsChanged {
                        group_id,
                        person_id,
                        added: add,
                    };
                    events::emit(state, conn, event).await?;
                }
                Ok(changed)
            }
            .scope_boxed()
        })
        .await?;
    state.deliveries.wake();
    Ok(changed)
}

/// Whether `member` is an accepted follower of the group.
pub async fn is_member(conn: &mut Conn, group: &Actor, member: &Actor) -> Result<bool> {
    Ok(follow::find(conn, member.id, group.id)
        .await?
        .is_some_and(|f| f.accepted()))
}

/// Something a member posted to a group, in the domain's words.
#[derive(Debug, Clone)]
pub struct Submission {
    pub ap_id: Url,
    pub author: Actor,
    /// The initiative the post belongs to (a story's `audience`), when that is an actor here.
    pub initiative: Option<Actor>,
    /// `Article`, `Note` or `Page`.
    pub kind: String,
    pub name: Option<String>,
    pub summary: Option<String>,
    /// Sanitized HTML.
    pub content: String,
    pub url: Option<Url>,
    pub in_reply_to: Option<Url>,
    pub public: bool,
    pub published: chrono::NaiveDateTime,
    /// The activity that brought it, as JSON, announced on to the members.
    pub activity: String,
}

/// Why a group turns a post down.
fn refuse(reason: &str) -> Error {
    Error::Invalid {
        field: "object",
        message: reason.to_owned(),
    }
}

/// Checks a post against the group's rules; stores and announces it when accepted. `None` when
/// the group had it already. Refusals are [`Error::Forbidden`] (not a member) or
/// [`Error::Invalid`] (not public, a locked thread, a deleted author).
pub async fn accept(
    state: &AppState,
    conn: &mut Conn,
    group: &Actor,
    post: Submission,
) -> Result<Option<GroupPost>> {
    let stored = conn
        .transaction(|conn| {
            async move {
                let stored = admit(conn, group, &post).await?;
                if let Some(stored) = &stored {
                    let event = Event::GroupPostAccepted { post_id: stored.id };
                    events::emit(state, conn, event).await?;
                }
                Ok(stored)
            }
            .scope_boxed()
        })
        .await?;
    state.deliveries.wake();
    Ok(stored)
}

/// The rules of [`accept`] and the storing, without the announcement (for our own stories,
/// which the outbox announces as it publishes them).
pub async fn admit(conn: &mut Conn, group: &Actor, post: &Submission) -> Result<Option<GroupPost>> {
    if !group_post::KINDS.contains(&post.kind.as_str()) {
        return Err(refuse("groups take articles, pages and notes"));
    }
    if !post.public {
        return Err(refuse("posts to a group must be public"));
    }
    if post.author.deleted_at.is_some() {
        return Err(refuse("the author was deleted"));
    }
    let vouched = post
        .initiative
        .as_ref()
        .filter(|i| i.ap_id.origin() == post.author.ap_id.origin());
    let member = is_member(conn, group, &post.author).await?
        || match vouched {
            Some(initiative) => is_member(conn, group, initiative).await?,
            None => false,
        };
    if !member {
        return Err(Error::Forbidden);
    }
    if let Some(parent) = &post.in_reply_to {
        let Some(thread) = group_post::find(conn, group.id, parent).await? else {
            return Err(refuse("replies in a group answer one of its posts"));
        };
        if thread.locked || thread.removed_at.is_some() {
            return Err(refuse("this thread is locked"));
        }
    }
    let new = NewGroupPost {
        group_id: group.id,
        ap_id: DbUrl(post.ap_id.clone()),
        author_id: post.author.id,
        kind: &post.kind,
        name: post.name.as_deref(),
        summary: post.summary.as_deref(),
        content: &post.content,
        url: post.url.as_ref().map(Url::as_str),
        in_reply_to: post.in_reply_to.as_ref().map(Url::as_str),
        activity: &post.activity,
        published_at: post.published,
        accepted_at: now(),
    };
    group_post::insert(conn, &new).await
}

/// [`Error::Forbidden`] unless `person` moderates the group.
pub async fn require_moderator(conn: &mut Conn, group: &Actor, person: &Actor) -> Result<()> {
    if theme_group::is_moderator(conn, group.id, person.id).await? {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// The group's post `post_id`, if it is the group's.
async fn post_of(conn: &mut Conn, group: &Actor, post_id: i64) -> Result<GroupPost> {
    let post = group_post::get(conn, post_id).await?;
    if post.group_id != group.id {
        return Err(Error::NotFound("post".into()));
    }
    Ok(post)
}

/// What a moderator does to a post: remove it (members get the moderator's `Delete`,
/// announced by the group), or lock (`true`) or unlock its thread (members get Lemmy's `Lock`
/// or `Undo(Lock)`, announced; a locked thread takes no replies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostAction {
    Remove,
    Lock(bool),
}

/// A moderator acts on one of the group's posts; members hear of it when it changes anything.
pub async fn moderate(
    state: &AppState,
    conn: &mut Conn,
    moderator: &Actor,
    group: &Actor,
    post_id: i64,
    action: PostAction,
) -> Result<()> {
    require_moderator(conn, group, moderator).await?;
    let post = post_of(conn, group, post_id).await?;
    let moderator_id = moderator.id;
    conn.transaction(|conn| {
        async move {
            let event = match action {
                PostAction::Remove => group_post::mark_removed(conn, post.id, now())
                    .await?
                    .then_some(Event::GroupPostRemoved {
                        post_id: post.id,
                        moderator_id,
                    }),
                PostAction::Lock(locked) => group_post::set_locked(conn, post.id, locked)
                    .await?
                    .then_some(Event::GroupPostLocked {
                        post_id: post.id,
                        moderator_id,
                        locked,
                    }),
            };
            if let Some(event) = event {
                events::emit(state, conn, event).await?;
            }
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    state.deliveries.wake();
    Ok(())
}

/// Most groups a story is shared to at once.
pub const MAX_SHARED: usize = 10;

/// The groups named by `group@node` handles or actor ids (ours or elsewhere), for sharing a
/// story; each must be a `Group`.
pub async fn resolve_all(
    data: &activitypub_federation::config::Data<AppState>,
    names: &[String],
) -> Result<Vec<Actor>> {
    if names.len() > MAX_SHARED {
        return Err(Error::invalid(
            "groups",
            format!("share to at most {MAX_SHARED} groups"),
        ));
    }
    let mut found: Vec<Actor> = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let group = super::follow::resolve(data, name)
            .await
            .map_err(|e| Error::invalid("groups", format!("{name}: {e}")))?;
        if group.actor_type != kind::GROUP {
            return Err(Error::invalid("groups", format!("{name} is not a group")));
        }
        if !found.iter().any(|g| g.id == group.id) {
            found.push(group);
        }
    }
    Ok(found)
}
