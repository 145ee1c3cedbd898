//! Resolving a report: staff (admins and moderators) pick an action and give a note, which is
//! required. Each action resolves the report and goes into the audit log in one transaction:
//!
//! - `dismiss`: nothing wrong;
//! - `hide`: a story, comment or group post stays stored but is shown to nobody here (not
//!   federated: no server has a reversible hide);
//! - `remove`: deleted here; our own content is deleted everywhere it went (`Delete`);
//! - `warn`: the author (a person of this node) sees the note among their warnings;
//! - `suspend-account`: a local account is suspended as on the accounts page; a remote actor's
//!   activities are refused from now on;
//! - `suspend-domain` (admins only): the author's server gets a `suspend` block (federation
//!   policy).

use serde_json::json;

use super::audit::{self, Action, Who};
use super::federation_policy::{self, Severity, actions::Block};
use super::report::{Target, find_target};
use crate::db::actor::Actor;
use crate::db::report::{self, Report, target};
use crate::db::{Conn, ScopedFutureExt, comment, group_post, local_account, now, story};
use crate::error::{Error, Result};
use crate::events::{self, Event};
use crate::state::AppState;

/// What staff do about a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAction {
    Dismiss,
    Hide,
    Remove,
    Warn,
    SuspendAccount,
    SuspendDomain,
}

impl ReportAction {
    pub const ALL: [ReportAction; 6] = [
        ReportAction::Dismiss,
        ReportAction::Hide,
        ReportAction::Remove,
        ReportAction::Warn,
        ReportAction::SuspendAccount,
        ReportAction::SuspendDomain,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportAction::Dismiss => "dismiss",
            ReportAction::Hide => "hide",
            ReportAction::Remove => "remove",
            ReportAction::Warn => "warn",
            ReportAction::SuspendAccount => "suspend-account",
            ReportAction::SuspendDomain => "suspend-domain",
        }
    }
}

impl std::str::FromStr for ReportAction {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        ReportAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "{s:?} is not an action: dismiss, hide, remove, warn, suspend-account or \
                     suspend-domain"
                )
            })
    }
}

/// Who resolves: for the audit log, and the person hiding or removing (`None` from the CLI,
/// where the node actor stands in).
pub struct Staff<'a> {
    pub who: &'a Who,
    pub person: Option<&'a Actor>,
    /// Admins (and the CLI) may suspend a domain; it changes the federation policy, which
    /// moderators do not govern.
    pub admin: bool,
}

fn not_for(action: ReportAction, what: &str) -> Error {
    Error::invalid(
        "action",
        format!("{} does not apply: {what}", action.as_str()),
    )
}

/// Resolves an open report with `action`; `note` is required.
pub async fn resolve(
    state: &AppState,
    conn: &mut Conn,
    staff: &Staff<'_>,
    id: i64,
    action: ReportAction,
    note: Option<&str>,
) -> Result<Report> {
    let note = audit::require_reason(note)?.to_owned();
    if action == ReportAction::SuspendDomain && !staff.admin {
        return Err(not_for(
            action,
            "only admins change the federation policy; ask an admin",
        ));
    }
    let found = super::report::get(conn, id).await?;
    if !found.is_open() {
        return Err(Error::Conflict(format!("report {id} is resolved already")));
    }
    let subject = target_of(conn, &found).await?;
    check(action, &subject)?;
    let who = staff.who.clone();
    let moderator_id = staff.person.map_or(state.node_actor.id, |p| p.id);
    conn.transaction(|conn| {
        async move {
            let detail = act(state, conn, &who, moderator_id, action, &subject, &note).await?;
            if !report::resolve(conn, id, action.as_str(), &note, who.name(), now()).await? {
                return Err(Error::Conflict(format!("report {id} is resolved already")));
            }
            let target = format!("report {id}");
            let entry = Action::new("report.resolve", &target)
                .because(Some(&note))
                .with(json!({
                    "action": action.as_str(),
                    "object": subject.url.as_str(),
                    "kind": subject.kind,
                    "author": subject.author.handle(),
                    "effect": detail,
                }));
            audit::record(conn, &who, entry).await
        }
        .scope_boxed()
    })
    .await?;
    state.deliveries.wake();
    report::get(conn, id).await
}

/// The report's target as it is now.
async fn target_of(conn: &mut Conn, found: &Report) -> Result<Target> {
    let object = match found.target_kind.as_str() {
        target::STORY => format!("story:{}", found.target_id),
        target::COMMENT => format!("comment:{}", found.target_id),
        target::GROUP_POST => format!("post:{}", found.target_id),
        _ => found.target_url.clone(),
    };
    find_target(conn, &object).await.map_err(|_| {
        Error::Conflict(format!(
            "the reported object of report {} is gone; dismiss the report",
            found.id
        ))
    })
}

/// Refuses actions that do not fit the target, with a message saying why.
fn check(action: ReportAction, subject: &Target) -> Result<()> {
    let is_content = matches!(
        subject.kind,
        target::STORY | target::COMMENT | target::GROUP_POST
    );
    match action {
        ReportAction::Hide | ReportAction::Remove if !is_content => Err(not_for(
            action,
            "only stories, comments and group posts can be hidden or removed; suspend the \
             account instead",
        )),
        ReportAction::Warn if !subject.author.local => Err(not_for(
            action,
            "warnings go to people of this server, and the author is elsewhere",
        )),
        ReportAction::Warn | ReportAction::SuspendAccount
            if subject.author.local && subject.author.actor_type != "Person" =>
        {
            Err(not_for(
                action,
                "this is an initiative or group of this server, not a person's account",
            ))
        }
        ReportAction::SuspendDomain if subject.author.local => Err(not_for(
            action,
            "the author is on this server; suspend the account instead",
        )),
        _ => Ok(()),
    }
}

/// Does what the action does; returns facts for the audit entry.
async fn act(
    state: &AppState,
    conn: &mut Conn,
    who: &Who,
    moderator_id: i64,
    action: ReportAction,
    subject: &Target,
    note: &str,
) -> Result<serde_json::Value> {
    let at = now();
    Ok(match action {
        ReportAction::Dismiss | ReportAction::Warn => json!({}),
        ReportAction::Hide => {
            match subject.kind {
                target::STORY => story::set_hidden(conn, subject.id, Some(at)).await?,
                target::COMMENT => {
                    comment::set_hidden(conn, subject.id, Some((moderator_id, at))).await?
                }
                _ => {
                    // A group post has no hidden state: it leaves the group's page, here only.
                    group_post::mark_removed(conn, subject.id, at).await?;
                }
            }
            json!({})
        }
        ReportAction::Remove => remove(state, conn, moderator_id, subject).await?,
        ReportAction::SuspendAccount => {
            if subject.author.local {
                let account = local_account::find_by_person(conn, subject.author.id)
                    .await?
                    .ok_or_else(|| not_for(action, "the author has no account here"))?;
                if account.suspended_at.is_none() {
                    super::account_admin::suspend(conn, who, &subject.author.username, Some(note))
                        .await?;
                }
                json!({ "account": subject.author.username })
            } else {
                let fresh =
                    report::suspend_actor(conn, subject.author.id, note, who.name(), at).await?;
                json!({ "remote_actor": subject.author.ap_id.as_str(), "new": fresh })
            }
        }
        ReportAction::SuspendDomain => {
            let domain = federation_policy::host_of(&subject.author.ap_id)
                .ok_or_else(|| not_for(action, "the author's address has no host"))?;
            let (_, outcome) = federation_policy::actions::block(
                conn,
                who,
                Block {
                    domain: &domain,
                    severity: Severity::Suspend,
                    reason: None,
                    private_reason: Some(note),
                },
            )
            .await?;
            json!({
                "domain": domain,
                "follows_severed": outcome.follows_severed,
                "deliveries_dropped": outcome.deliveries_dropped,
            })
        }
    })
}

/// Deletes the reported content here; our own goes everywhere it went as a `Delete`.
async fn remove(
    state: &AppState,
    conn: &mut Conn,
    moderator_id: i64,
    subject: &Target,
) -> Result<serde_json::Value> {
    let at = now();
    let federated = match subject.kind {
        target::STORY => {
            let found = story::get(conn, subject.id).await?;
            if found.is_deleted() {
                return Ok(json!({ "already_deleted": true }));
            }
            story::mark_deleted(conn, found.id, at).await?;
            if found.local {
                let was = found.visibility();
                events::emit(
                    state,
                    conn,
                    Event::StoryDeleted {
                        story_id: found.id,
                        was,
                    },
                )
                .await?;
            }
            found.local
        }
        target::COMMENT => {
            let found = comment::get(conn, subject.id).await?;
            if found.deleted_at.is_some() {
                return Ok(json!({ "already_deleted": true }));
            }
            comment::mark_deleted(conn, found.id, at).await?;
            if found.local {
                events::emit(
                    state,
                    conn,
                    Event::CommentDeleted {
                        comment_id: found.id,
                    },
                )
                .await?;
            }
            found.local
        }
        _ => {
            let post = group_post::get(conn, subject.id).await?;
            let removed = group_post::mark_removed(conn, post.id, at).await?;
            if removed {
                events::emit(
                    state,
                    conn,
                    Event::GroupPostRemoved {
                        post_id: post.id,
                        moderator_id,
                    },
                )
                .await?;
            }
            removed
        }
    };
    Ok(json!({ "federated": federated }))
}
