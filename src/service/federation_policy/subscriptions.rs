//! Subscriptions to shared blocklists: another node's `/api/v1/instance/domain_blocks` (JSON,
//! Mastodon's format) or a Mastodon CSV at a URL, e.g. a province's list. Each fetch turns what
//! the list says into drafts; nothing is applied until an admin approves.
//!
//! An entry's life (see `db::blocklist::state`):
//! - new on the list, not already blocked here at least as hard: a `pending` draft;
//! - approved: an ordinary block (audited as `domain.block`), the entry `approved`;
//! - rejected: `rejected`, not asked again unless the list changes the severity;
//! - an `approved` entry the list drops: `removed`, a draft to lift the block (approve lifts
//!   it, reject keeps it and forgets the entry); drafts and rejections the list drops are
//!   forgotten.
//!
//! Fetches use the node's outgoing client (private addresses refused outside development,
//! a timeout) and read at most [`MAX_LIST_BYTES`]. Our own domain is never drafted.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};
use url::Url;

use super::actions::{self, Block};
use super::{Severity, csv, normalize_domain};
use crate::db::blocklist::{self, Entry, NewEntry, Subscription, state};
use crate::db::domain_policy::{self, kind};
use crate::db::{Conn, ScopedFutureExt, now};
use crate::error::{Error, Result};
use crate::federation::client;
use crate::service::audit::{self, Action, Who};
use crate::state::AppState;

/// Largest list a fetch reads.
pub const MAX_LIST_BYTES: usize = 4 * 1024 * 1024;

/// One block a list names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub domain: String,
    pub severity: Severity,
    pub comment: Option<String>,
}

/// Reads a list: a JSON array of Mastodon `DomainBlock`s, or else Mastodon CSV. Entries that
/// cannot be used (obfuscated `*` domains, `noop`, unknown severities) are counted, not kept.
/// A domain named twice counts at its strictest.
pub fn parse_list(text: &str) -> Result<(Vec<Listed>, usize)> {
    let mut found: BTreeMap<String, Listed> = BTreeMap::new();
    let mut unusable = 0;
    let mut keep = |item: Listed| match found.get(&item.domain) {
        Some(old) if old.severity >= item.severity => {}
        _ => {
            found.insert(item.domain.clone(), item);
        }
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('[') {
        let items: Vec<Value> = serde_json::from_str(trimmed)
            .map_err(|e| Error::Remote(format!("the list is not readable JSON: {e}")))?;
        for item in items {
            let domain = item.get("domain").and_then(Value::as_str).unwrap_or("");
            let severity = item.get("severity").and_then(Value::as_str).unwrap_or("");
            let parsed = (
                normalize_domain(domain),
                match severity {
                    "suspend" => Some(Severity::Suspend),
                    "silence" | "limit" => Some(Severity::Silence),
                    _ => None,
                },
            );
            match parsed {
                (Ok(domain), Some(severity)) => keep(Listed {
                    domain,
                    severity,
                    comment: item
                        .get("comment")
                        .and_then(Value::as_str)
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(|c| c.chars().take(1000).collect()),
                }),
                _ => unusable += 1,
            }
        }
    } else {
        let parsed = csv::parse(trimmed);
        unusable += parsed.bad.len() + parsed.skipped.len();
        for entry in parsed.entries {
            keep(Listed {
                domain: entry.domain,
                severity: entry.severity,
                comment: entry.reason.map(|c| c.chars().take(1000).collect()),
            });
        }
    }
    Ok((found.into_values().collect(), unusable))
}

/// A subscription URL as admins type it, checked like every URL this node fetches.
pub fn check_url(state: &AppState, input: &str) -> Result<Url> {
    let url = Url::parse(input.trim())
        .map_err(|_| Error::invalid("url", format!("{input:?} is not a URL")))?;
    client::check_remote(&url, state.config.development)
        .map_err(|e| Error::invalid("url", e.to_string()))?;
    Ok(url)
}

/// Subscribes to a list (fetched on the next round, or with [`fetch`]).
pub async fn subscribe(state: &AppState, who: &Who, input: &str) -> Result<Subscription> {
    let url = check_url(state, input)?;
    let mut conn = state.db.conn().await?;
    let who = who.clone();
    conn.transaction(|conn| {
        async move {
            let Some(sub) = blocklist::subscribe(conn, url.as_str(), who.name(), now()).await?
            else {
                return Err(Error::Conflict(format!("already subscribed to {url}")));
            };
            audit::record(conn, &who, Action::new("blocklist.subscribe", url.as_str())).await?;
            Ok(sub)
        }
        .scope_boxed()
    })
    .await
}

/// Ends a subscription and forgets its drafts; blocks already approved stay.
pub async fn unsubscribe(conn: &mut Conn, who: &Who, input: &str) -> Result<()> {
    let url = Url::parse(input.trim())
        .map_err(|_| Error::invalid("url", format!("{input:?} is not a URL")))?;
    let who = who.clone();
    conn.transaction(|conn| {
        async move {
            let sub = blocklist::find_url(conn, url.as_str())
                .await?
                .ok_or_else(|| Error::NotFound(format!("a subscription to {url}")))?;
            blocklist::unsubscribe(conn, sub.id).await?;
            audit::record(
                conn,
                &who,
                Action::new("blocklist.unsubscribe", url.as_str()),
            )
            .await
        }
        .scope_boxed()
    })
    .await
}

/// What one fetch found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FetchReport {
    /// Domains the list names.
    pub listed: usize,
    /// Entries that could not be used (obfuscated, `noop`, unreadable).
    pub unusable: usize,
    /// New drafts to block.
    pub new_drafts: Vec<String>,
    /// New drafts to lift a block the list dropped.
    pub removal_drafts: Vec<String>,
}

/// Downloads a list: at most [`MAX_LIST_BYTES`], within the client's timeout.
async fn download(state: &AppState, url: &Url) -> Result<String> {
    client::check_remote(url, state.config.development)?;
    let remote = |e: &dyn std::fmt::Display| Error::Remote(format!("{url}: {e}"));
    let mut response = state
        .http
        .get(url.clone())
        .header(
            reqwest::header::ACCEPT,
            "application/json, text/csv;q=0.9, text/plain;q=0.8",
        )
        .send()
        .await
        .map_err(|e| remote(&crate::error::chain(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(remote(&format!("HTTP {status}")));
    }
    let too_large = || remote(&format!("the list is larger than {MAX_LIST_BYTES} bytes"));
    if response
        .content_length()
        .is_some_and(|l| l > MAX_LIST_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| remote(&crate::error::chain(&e)))?
    {
        if body.len() + chunk.len() > MAX_LIST_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| remote(&"the list is not UTF-8 text"))
}

/// Fetches one subscription and updates its drafts; the outcome (or error) is recorded on it.
pub async fn fetch(state: &AppState, sub: &Subscription) -> Result<FetchReport> {
    let outcome = async {
        let url = Url::parse(&sub.url).map_err(|e| Error::Remote(format!("{}: {e}", sub.url)))?;
        let text = download(state, &url).await?;
        let (listed, unusable) = parse_list(&text)?;
        let own = normalize_domain(&state.config.domain).ok();
        let listed: Vec<Listed> = listed
            .into_iter()
            .filter(|l| Some(&l.domain) != own.as_ref())
            .collect();
        let mut conn = state.db.conn().await?;
        let id = sub.id;
        let mut report = conn
            .transaction(|conn| async move { sync(conn, id, &listed).await }.scope_boxed())
            .await?;
        report.unusable = unusable;
        Ok::<_, Error>(report)
    }
    .await;
    let mut conn = state.db.conn().await?;
    match &outcome {
        Ok(report) => {
            blocklist::record_fetch(&mut conn, sub.id, now(), Some(report.listed as i64), None)
                .await?
        }
        Err(err) => {
            let message = err.to_string();
            blocklist::record_fetch(&mut conn, sub.id, now(), sub.entry_count, Some(&message))
                .await?
        }
    }
    outcome
}

/// Fetches every subscription; each one's outcome by URL.
pub async fn fetch_all(state: &AppState) -> Result<Vec<(String, Result<FetchReport>)>> {
    let subs = {
        let mut conn = state.db.conn().await?;
        blocklist::subscriptions(&mut conn).await?
    };
    let mut out = Vec::new();
    for sub in subs {
        let outcome = fetch(state, &sub).await;
        out.push((sub.url, outcome));
    }
    Ok(out)
}

/// Whether the node blocks the domain itself at least this hard.
async fn blocked_here(conn: &mut Conn, domain: &str, at_least: Severity) -> Result<bool> {
    Ok(domain_policy::find(conn, domain, kind::BLOCK)
        .await?
        .and_then(|rule| rule.severity?.parse::<Severity>().ok())
        .is_some_and(|severity| severity >= at_least))
}

/// Brings one subscription's entries in line with what its list says now.
async fn sync(conn: &mut Conn, subscription_id: i64, listed: &[Listed]) -> Result<FetchReport> {
    let at = now();
    let mut report = FetchReport {
        listed: listed.len(),
        ..FetchReport::default()
    };
    let mut known: HashMap<String, Entry> = blocklist::entries(conn, subscription_id)
        .await?
        .into_iter()
        .map(|e| (e.domain.clone(), e))
        .collect();
    for item in listed {
        let severity = item.severity.as_str();
        let comment = item.comment.as_deref();
        let Some(entry) = known.remove(&item.domain) else {
            if !blocked_here(conn, &item.domain, item.severity).await? {
                blocklist::insert(
                    conn,
                    &NewEntry {
                        subscription_id,
                        domain: &item.domain,
                        severity,
                        comment,
                        state: state::PENDING,
                        created_at: at,
                        updated_at: at,
                    },
                )
                .await?;
                report.new_drafts.push(item.domain.clone());
            }
            continue;
        };
        let changed = entry.severity != severity;
        let next = match entry.state.as_str() {
            state::PENDING if blocked_here(conn, &item.domain, item.severity).await? => {
                blocklist::delete_entry(conn, entry.id).await?;
                continue;
            }
            state::PENDING => state::PENDING,
            state::APPROVED | state::REJECTED if changed => {
                report.new_drafts.push(item.domain.clone());
                state::PENDING
            }
            state::REMOVED if blocked_here(conn, &item.domain, item.severity).await? => {
                state::APPROVED
            }
            state::REMOVED => {
                report.new_drafts.push(item.domain.clone());
                state::PENDING
            }
            other => other,
        };
        if changed || entry.comment.as_deref() != comment || entry.state != next {
            blocklist::update(conn, entry.id, severity, comment, next, at).await?;
        }
    }
    // What the list no longer names.
    for entry in known.into_values() {
        match entry.state.as_str() {
            state::APPROVED
                if domain_policy::find(conn, &entry.domain, kind::BLOCK)
                    .await?
                    .is_some() =>
            {
                blocklist::set_state(conn, entry.id, state::REMOVED, at).await?;
                report.removal_drafts.push(entry.domain);
            }
            state::REMOVED => {}
            _ => blocklist::delete_entry(conn, entry.id).await?,
        }
    }
    Ok(report)
}

/// A draft waiting for an admin, as the page and the CLI list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub domain: String,
    /// `true`: the list dropped a domain blocked because of it; approving lifts the block.
    pub removal: bool,
    pub severity: Severity,
    pub comment: Option<String>,
    /// The lists that say so.
    pub sources: Vec<String>,
    pub since: chrono::NaiveDateTime,
}

/// Every draft, by domain (one per domain and kind, with all lists that say so).
pub async fn drafts(conn: &mut Conn) -> Result<Vec<Draft>> {
    let urls: HashMap<i64, String> = blocklist::subscriptions(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.url))
        .collect();
    let mut out: Vec<Draft> = Vec::new();
    for entry in blocklist::in_states(conn, &[state::PENDING, state::REMOVED]).await? {
        let removal = entry.state == state::REMOVED;
        let severity = entry.severity.parse().unwrap_or(Severity::Suspend);
        let source = urls
            .get(&entry.subscription_id)
            .cloned()
            .unwrap_or_default();
        match out
            .iter_mut()
            .find(|d| d.domain == entry.domain && d.removal == removal)
        {
            Some(draft) => {
                draft.severity = draft.severity.max(severity);
                draft.comment = draft.comment.take().or(entry.comment);
                draft.sources.push(source);
                draft.since = draft.since.min(entry.created_at);
            }
            None => out.push(Draft {
                domain: entry.domain,
                removal,
                severity,
                comment: entry.comment,
                sources: vec![source],
                since: entry.created_at,
            }),
        }
    }
    Ok(out)
}

/// What approving or rejecting a domain's drafts did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// Blocked with this severity.
    Blocked(Severity),
    /// The block the list dropped is lifted.
    Lifted,
    /// Rejected: nothing changed in the policy.
    Rejected,
}

async fn domain_drafts(conn: &mut Conn, domain: &str) -> Result<(String, Vec<Entry>)> {
    let domain = normalize_domain(domain)?;
    let entries: Vec<Entry> = blocklist::for_domain(conn, &domain)
        .await?
        .into_iter()
        .filter(|e| e.state == state::PENDING || e.state == state::REMOVED)
        .collect();
    if entries.is_empty() {
        return Err(Error::NotFound(format!("a draft for {domain}")));
    }
    Ok((domain, entries))
}

async fn sources(conn: &mut Conn, entries: &[Entry]) -> Result<Vec<String>> {
    let urls: HashMap<i64, String> = blocklist::subscriptions(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.url))
        .collect();
    Ok(entries
        .iter()
        .filter_map(|e| urls.get(&e.subscription_id).cloned())
        .collect())
}

/// Approves a domain's drafts: a draft block becomes an ordinary block (the strictest any list
/// asks, the list's comment as public reason); a removal draft lifts the block.
pub async fn approve(conn: &mut Conn, who: &Who, domain: &str) -> Result<Decided> {
    let who = who.clone();
    let domain = domain.to_owned();
    conn.transaction(|conn| {
        async move {
            let (domain, entries) = domain_drafts(conn, &domain).await?;
            let lists = sources(conn, &entries).await?;
            let at = now();
            let pending: Vec<&Entry> = entries
                .iter()
                .filter(|e| e.state == state::PENDING)
                .collect();
            let decided = if pending.is_empty() {
                match actions::unblock(conn, &who, &domain).await {
                    Ok(()) | Err(Error::NotFound(_)) => {}
                    Err(other) => return Err(other),
                }
                for entry in &entries {
                    blocklist::delete_entry(conn, entry.id).await?;
                }
                Decided::Lifted
            } else {
                let severity = pending
                    .iter()
                    .filter_map(|e| e.severity.parse::<Severity>().ok())
                    .max()
                    .unwrap_or(Severity::Suspend);
                let comment = pending.iter().find_map(|e| e.comment.clone());
                let private = format!("from the shared list {}", lists.join(", "));
                actions::block(
                    conn,
                    &who,
                    Block {
                        domain: &domain,
                        severity,
                        reason: comment.as_deref(),
                        private_reason: Some(&private),
                    },
                )
                .await?;
                for entry in &entries {
                    blocklist::set_state(conn, entry.id, state::APPROVED, at).await?;
                }
                Decided::Blocked(severity)
            };
            audit::record(
                conn,
                &who,
                Action::new("blocklist.approve", &domain).with(json!({
                    "lists": lists,
                    "lifted": decided == Decided::Lifted,
                })),
            )
            .await?;
            Ok(decided)
        }
        .scope_boxed()
    })
    .await
}

/// Rejects a domain's drafts: a draft block is not applied (and not asked again while the
/// list keeps the same severity); a removal draft is dropped and the block stays.
pub async fn reject(conn: &mut Conn, who: &Who, domain: &str) -> Result<Decided> {
    let who = who.clone();
    let domain = domain.to_owned();
    conn.transaction(|conn| {
        async move {
            let (domain, entries) = domain_drafts(conn, &domain).await?;
            let lists = sources(conn, &entries).await?;
            let at = now();
            for entry in &entries {
                if entry.state == state::PENDING {
                    blocklist::set_state(conn, entry.id, state::REJECTED, at).await?;
                } else {
                    blocklist::delete_entry(conn, entry.id).await?;
                }
            }
            audit::record(
                conn,
                &who,
                Action::new("blocklist.reject", &domain).with(json!({ "lists": lists })),
            )
            .await?;
            Ok(Decided::Rejected)
        }
        .scope_boxed()
    })
    .await
}

/// Every subscription, for listing.
pub async fn list(conn: &mut Conn) -> Result<Vec<Subscription>> {
    blocklist::subscriptions(conn).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mastodon_json_and_csv() {
        let json = r#"[
            {"domain": "Spam.Example", "digest": "x", "severity": "suspend", "comment": "spam"},
            {"domain": "loud.example", "digest": "x", "severity": "silence"},
            {"domain": "sp*m.example", "digest": "x", "severity": "suspend"},
            {"domain": "loud.example", "digest": "x", "severity": "suspend"},
            {"domain": "quiet.example", "digest": "x", "severity": "noop"}
        ]"#;
        let (listed, unusable) = parse_list(json).unwrap();
        assert_eq!(unusable, 2);
        assert_eq!(
            listed,
            vec![
                Listed {
                    domain: "loud.example".into(),
                    severity: Severity::Suspend,
                    comment: None
                },
                Listed {
                    domain: "spam.example".into(),
                    severity: Severity::Suspend,
                    comment: Some("spam".into())
                },
            ]
        );
        let (listed, unusable) =
            parse_list("#domain,#severity,#public_comment\na.example,silence,hoi\n").unwrap();
        assert_eq!(unusable, 0);
        assert_eq!(listed[0].severity, Severity::Silence);
        assert_eq!(listed[0].comment.as_deref(), Some("hoi"));
        assert!(parse_list("[not json").is_err());
    }
}
