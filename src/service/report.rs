//! Reports: a local person reports a story, comment, group post, initiative or person; a remote
//! server sends a `Flag` (Mastodon sends it from its instance actor, naming the account and
//! the posts, with the comment as `content`). Both land in one queue for this node's staff
//! (`report_actions` resolves them). A local person may agree to send their report on remote
//! content to its origin server: then the node actor forwards it as a `Flag` there, naming the
//! object and its author and giving the reason, never the reporter (as Mastodon does).

use url::Url;

use crate::db::actor::{self, Actor, kind};
use crate::db::report::{self, NewReport, Report, status, target};
use crate::db::{Conn, ScopedFutureExt, comment, group_post, now, story, theme_group};
use crate::error::{Error, Result};
use crate::events::{self, Event};
use crate::service::federation_policy::host_of;
use crate::state::AppState;

/// Most reports a list shows.
pub const LIMIT: i64 = 200;

/// Longest reason kept, in characters.
pub const MAX_REASON: usize = 1000;

/// What a report is about: one stored object of ours or a cached one from elsewhere.
#[derive(Debug, Clone)]
pub struct Target {
    /// See `db::report::target`.
    pub kind: &'static str,
    pub id: i64,
    pub url: Url,
    /// Whoever wrote it (or the actor itself).
    pub author: Actor,
    /// Whether the content was made on this node.
    pub local: bool,
}

/// Finds what `object` names: a URL (the ActivityPub id of a story, comment, group post or
/// actor this node has), or `story:ID`, `comment:ID`, `post:ID`, `@name` for ours.
pub async fn find_target(conn: &mut Conn, object: &str) -> Result<Target> {
    let object = object.trim();
    let not_found = || Error::invalid("object", format!("{object:?} is nothing this server has"));
    if let Some((prefix, id)) = object.split_once(':')
        && let Ok(id) = id.parse::<i64>()
    {
        return match prefix {
            "story" => story_target(conn, id).await,
            "comment" => comment_target(conn, id).await,
            "post" | "group_post" => post_target(conn, id).await,
            _ => Err(not_found()),
        }
        .map_err(|_| not_found());
    }
    if let Some(handle) = object.strip_prefix('@') {
        // `@name`, or `@name@host` as our pages show it (the host must be ours).
        let name = handle.split('@').next().unwrap_or_default();
        let found = actor::find_local(conn, name).await?.ok_or_else(not_found)?;
        if handle.contains('@') && found.handle() != handle {
            return Err(not_found());
        }
        return actor_target(conn, found).await;
    }
    let url = Url::parse(object).map_err(|_| not_found())?;
    if let Some(found) = story::find_by_ap_id(conn, &url).await? {
        return story_target(conn, found.id).await;
    }
    if let Some(found) = comment::find_by_ap_id(conn, &url).await? {
        return comment_target(conn, found.id).await;
    }
    if let Some(found) = group_post::find_any(conn, &url).await? {
        return post_target(conn, found.id).await;
    }
    if let Some(found) = actor::find_by_ap_id(conn, &url).await? {
        return actor_target(conn, found).await;
    }
    Err(not_found())
}

async fn story_target(conn: &mut Conn, id: i64) -> Result<Target> {
    let found = story::get(conn, id).await?;
    Ok(Target {
        kind: target::STORY,
        id,
        url: found.ap_id.0.clone(),
        author: actor::get(conn, found.author_id).await?,
        local: found.local,
    })
}

async fn comment_target(conn: &mut Conn, id: i64) -> Result<Target> {
    let found = comment::get(conn, id).await?;
    Ok(Target {
        kind: target::COMMENT,
        id,
        url: found.ap_id.0.clone(),
        author: actor::get(conn, found.author_id).await?,
        local: found.local,
    })
}

async fn post_target(conn: &mut Conn, id: i64) -> Result<Target> {
    let found = group_post::get(conn, id).await?;
    let author = actor::get(conn, found.author_id).await?;
    Ok(Target {
        kind: target::GROUP_POST,
        id,
        url: found.ap_id.0.clone(),
        local: author.local,
        author,
    })
}

async fn actor_target(conn: &mut Conn, found: Actor) -> Result<Target> {
    let kind = match found.actor_type.as_str() {
        kind::PERSON => target::PERSON,
        kind::GROUP if theme_group::find(conn, found.id).await?.is_some() => target::GROUP,
        kind::GROUP if found.local => target::INITIATIVE,
        kind::GROUP => target::GROUP,
        _ => return Err(Error::invalid("object", "this actor cannot be reported")),
    };
    Ok(Target {
        kind,
        id: found.id,
        url: found.ap_id.0.clone(),
        local: found.local,
        author: found,
    })
}

fn clean_reason(reason: &str) -> String {
    let reason = reason.trim();
    reason.chars().take(MAX_REASON).collect()
}

/// A local person reports `object`. With `forward`, a report on content from elsewhere also
/// goes to its origin server (as a `Flag` from this node, without the reporter's name).
pub async fn report(
    state: &AppState,
    conn: &mut Conn,
    reporter: &Actor,
    object: &str,
    reason: Option<&str>,
    forward: bool,
) -> Result<Report> {
    let reason = reason.map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        return Err(Error::invalid(
            "reason",
            "say what is wrong: the moderators read it",
        ));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(Error::invalid(
            "reason",
            format!("at most {MAX_REASON} characters"),
        ));
    }
    let found = find_target(conn, object).await?;
    if found.author.id == reporter.id {
        return Err(Error::invalid("object", "you cannot report yourself"));
    }
    let forward = forward && !found.author.local;
    let reporter_id = reporter.id;
    let reason = reason.to_owned();
    let stored = conn
        .transaction(|conn| {
            async move {
                let stored = report::insert(
                    conn,
                    &NewReport {
                        ap_id: None,
                        reporter_id: Some(reporter_id),
                        origin: None,
                        target_kind: found.kind,
                        target_id: found.id,
                        target_url: found.url.as_str(),
                        target_author_id: Some(found.author.id),
                        reason: &reason,
                        forward,
                        created_at: now(),
                    },
                )
                .await?;
                if forward {
                    events::emit(
                        state,
                        conn,
                        Event::ReportForwarded {
                            report_id: stored.id,
                        },
                    )
                    .await?;
                }
                Ok(stored)
            }
            .scope_boxed()
        })
        .await?;
    if forward {
        state.deliveries.wake();
    }
    report::get(conn, stored.id).await
}

/// A `Flag` from `sender` (a remote actor) naming `objects` (their ids): one report per named
/// object this node has, in the transaction the inbox runs it in. When it names posts, the
/// accounts it also names (their authors, as Mastodon sends) are not reported on their own.
/// Returns how many reports were stored.
pub async fn receive_flag(
    conn: &mut Conn,
    flag_id: &Url,
    sender: &Actor,
    objects: &[Url],
    reason: &str,
) -> Result<usize> {
    let mut targets: Vec<Target> = Vec::new();
    for object in objects {
        match find_target(conn, object.as_str()).await {
            Ok(found) if !targets.iter().any(|t| t.url == found.url) => targets.push(found),
            Ok(_) | Err(Error::Invalid { .. }) => {}
            Err(other) => return Err(other),
        }
    }
    let has_content = targets
        .iter()
        .any(|t| !matches!(t.kind, target::PERSON | target::INITIATIVE | target::GROUP));
    if has_content {
        targets.retain(|t| t.kind != target::PERSON);
    }
    let origin = host_of(&sender.ap_id);
    let reason = clean_reason(reason);
    for found in &targets {
        report::insert(
            conn,
            &NewReport {
                ap_id: Some(flag_id.as_str()),
                reporter_id: Some(sender.id),
                origin: origin.as_deref(),
                target_kind: found.kind,
                target_id: found.id,
                target_url: found.url.as_str(),
                target_author_id: Some(found.author.id),
                reason: &reason,
                forward: false,
                created_at: now(),
            },
        )
        .await?;
    }
    Ok(targets.len())
}

/// The open queue (newest first), or every report with `all`.
pub async fn list(conn: &mut Conn, all: bool) -> Result<Vec<Report>> {
    if all {
        report::all(conn, LIMIT).await
    } else {
        report::with_status(conn, status::OPEN, LIMIT).await
    }
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Report> {
    report::get(conn, id)
        .await
        .map_err(|_| Error::NotFound(format!("report {id}")))
}

/// The warnings moderators gave `person` (reports resolved with `warn`), newest first.
pub async fn warnings(conn: &mut Conn, person: &Actor) -> Result<Vec<Report>> {
    report::resolved_against(conn, person.id, "warn", 50).await
}

/// A report with the names a person reads: for the queue page, the API and the CLI.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportView {
    pub id: i64,
    /// `@name` of a local reporter, or the remote actor's handle.
    pub reporter: Option<String>,
    /// The reporting server of a remote report.
    pub origin: Option<String>,
    pub target_kind: String,
    pub target_url: String,
    /// The author's handle (`name@host`).
    pub target_author: Option<String>,
    /// Whether the reported object or actor was made on this node.
    pub target_local: bool,
    pub reason: String,
    pub forward: bool,
    pub forwarded: bool,
    pub status: String,
    pub action: Option<String>,
    pub resolution_note: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    pub created_at: String,
}

fn time(at: chrono::NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub async fn view(conn: &mut Conn, found: &Report) -> Result<ReportView> {
    let mut reporter = None;
    if let Some(id) = found.reporter_id {
        let who = actor::get(conn, id).await?;
        reporter = Some(if who.local {
            format!("@{}", who.username)
        } else {
            who.handle()
        });
    }
    let mut target_author = None;
    let mut target_local = false;
    if let Some(id) = found.target_author_id {
        let author = actor::get(conn, id).await?;
        target_local = author.local;
        target_author = Some(author.handle());
    }
    Ok(ReportView {
        id: found.id,
        reporter,
        origin: found.origin.clone(),
        target_kind: found.target_kind.clone(),
        target_url: found.target_url.clone(),
        target_author,
        target_local,
        reason: found.reason.clone(),
        forward: found.forward,
        forwarded: found.forwarded_at.is_some(),
        status: found.status.clone(),
        action: found.action.clone(),
        resolution_note: found.resolution_note.clone(),
        resolved_by: found.resolved_by.clone(),
        resolved_at: found.resolved_at.map(time),
        created_at: time(found.created_at),
    })
}

/// Views of several reports.
pub async fn views(conn: &mut Conn, found: &[Report]) -> Result<Vec<ReportView>> {
    let mut out = Vec::with_capacity(found.len());
    for one in found {
        out.push(view(conn, one).await?);
    }
    Ok(out)
}

/// The reported content as staff (and the reporter) see it: a title, its text, where it is.
#[derive(Debug, Clone, Default)]
pub struct Content {
    pub title: Option<String>,
    /// Plain text (at most [`MAX_REASON`] characters shown).
    pub text: String,
    /// A link to it: a page here, or its page elsewhere.
    pub href: String,
    /// Deleted (or removed) already.
    pub gone: bool,
    /// Hidden by a moderator.
    pub hidden: bool,
}

/// What a report (kind and row id) is about, as it is now.
pub async fn content_of(conn: &mut Conn, kind: &str, id: i64) -> Result<Content> {
    let short = |html: &str| -> String {
        crate::service::text::teaser(&crate::service::text::plain_text(html), MAX_REASON)
    };
    Ok(match kind {
        target::STORY => {
            let found = story::get(conn, id).await?;
            Content {
                title: Some(found.title.clone()),
                text: short(&found.content),
                href: format!("/stories/{id}"),
                gone: found.is_deleted(),
                hidden: found.hidden_at.is_some(),
            }
        }
        target::COMMENT => {
            let found = comment::get(conn, id).await?;
            Content {
                title: None,
                text: short(&found.content),
                href: format!("/stories/{}#comment-{id}", found.story_id),
                gone: found.deleted_at.is_some(),
                hidden: found.hidden_at.is_some(),
            }
        }
        target::GROUP_POST => {
            let found = group_post::get(conn, id).await?;
            Content {
                title: found.name.clone(),
                text: short(&found.content),
                href: found.url.clone().unwrap_or_else(|| found.ap_id.to_string()),
                gone: found.removed_at.is_some(),
                hidden: false,
            }
        }
        _ => {
            let found = actor::get(conn, id).await?;
            let href = if found.local {
                let prefix = match kind {
                    target::PERSON => "u",
                    target::INITIATIVE => "i",
                    _ => "g",
                };
                format!("/{prefix}/{}", found.username)
            } else {
                found.url.clone().unwrap_or_else(|| found.ap_id.to_string())
            };
            Content {
                title: Some(found.display_name.clone().unwrap_or(found.handle())),
                text: short(found.summary.as_deref().unwrap_or_default()),
                href,
                gone: found.deleted_at.is_some(),
                hidden: false,
            }
        }
    })
}
