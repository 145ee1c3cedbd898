//! One sync round: this node's own publication is refreshed, then every known node that is due
//! is synced (eight at a time): probed once (only Kwartier nodes are synced), its actor read,
//! its directory read from where we left off, its node list read and learned from. Nodes
//! learned in a round are synced in the same round (in up to [`WAVES`] waves), so news crosses
//! a chain of nodes quickly.
//!
//! A node's entries must have ids on the node's own host (and port): nothing it serves can
//! write entries for another node. When a node's feed ends before our cursor (it was reset or
//! restored from a backup), it is read again from the start and its entries that were not seen
//! again are dropped.
//!
//! Failures back off exponentially (one minute doubling, with jitter, at most a day). A node
//! failing for [`DEAD_AFTER`] since it last synced counts as dead: it leaves our node list and
//! is tried once a day; it comes back on its first success. A dead node's entries stay
//! searchable for [`DEAD_ENTRIES_KEPT`] (a node down for a few days is not gone), then they are
//! dropped and its cursor forgotten, so a node that returns is read from the start.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use futures_util::StreamExt as _;

use super::{peers, publish};
use crate::db::known_node::{self, KWARTIER, KnownNode, NodeProfile};
use crate::db::{ScopedFutureExt, directory, directory_search, now};
use crate::error::{Error, Result};
use crate::federation::directory::fetch::{Fetcher, NodeActor};
use crate::federation::directory::wire::{Item, ListedNode};
use crate::state::AppState;

/// Nodes synced at once.
pub const CONCURRENCY: usize = 8;
/// A round that changed this many index entries tidies the index for search
/// ([`directory_search::refresh_statistics`]).
pub const REPLAN_AFTER: usize = 1000;
/// Most nodes synced in one round (the rest are due in the next).
pub const NODES_PER_ROUND: i64 = 1000;
/// Most nodes learned from peers' lists in one round.
pub const LEARN_PER_ROUND: usize = 200;
/// Rounds of syncing newly learned nodes within one round.
pub const WAVES: usize = 3;
/// Items asked for per page, and most pages read from one node in one round.
pub const PAGE_SIZE: i64 = 500;
pub const PAGES_PER_NODE: usize = 100;
/// Most nodes read from one peer's list.
pub const LISTED_MAX: usize = 1000;
/// First wait after a failure, and the longest.
pub const BACKOFF_FIRST: Duration = Duration::from_secs(60);
pub const BACKOFF_MAX: Duration = Duration::from_secs(24 * 60 * 60);
/// Failing this long since the last success makes a node dead.
pub const DEAD_AFTER: TimeDelta = TimeDelta::days(3);
/// How long a dead node's entries stay in the index.
pub const DEAD_ENTRIES_KEPT: TimeDelta = TimeDelta::days(30);
/// Other software is probed again after this long.
pub const REPROBE_AFTER: TimeDelta = TimeDelta::days(7);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundReport {
    pub nodes_synced: usize,
    /// Node and why.
    pub nodes_failed: Vec<(String, String)>,
    pub entries_added: usize,
    pub entries_updated: usize,
    pub entries_removed: usize,
    pub nodes_learned: Vec<String>,
    pub bytes_fetched: u64,
    /// Probed nodes that run other software (not synced).
    pub nodes_not_kwartier: Vec<String>,
    /// Items peers served that were refused (ids on another host, malformed).
    pub entries_refused: usize,
    /// What changed in this node's own directory.
    pub published: publish::PublishReport,
}

/// Which nodes a round syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Nodes whose `next_sync_at` has come (the schedule).
    Due,
    /// Also healthy nodes not yet due (an admin asked for a round now); failing nodes keep
    /// their backoff.
    AllHealthy,
}

/// A round on the schedule: the nodes that are due.
pub async fn round(state: &AppState) -> Result<RoundReport> {
    round_with(state, Scope::Due).await
}

pub async fn round_with(state: &AppState, scope: Scope) -> Result<RoundReport> {
    let started = now();
    let mut report = RoundReport {
        published: publish::refresh(state).await?,
        ..RoundReport::default()
    };
    let mut conn = state.db.conn().await?;
    let mut nodes = match scope {
        Scope::Due => known_node::due(&mut conn, started, NODES_PER_ROUND).await?,
        Scope::AllHealthy => {
            let mut all = known_node::all(&mut conn).await?;
            all.retain(|n| n.next_sync_at <= started || n.consecutive_failures == 0);
            all.truncate(NODES_PER_ROUND as usize);
            all
        }
    };
    drop(conn);
    let mut budget = LEARN_PER_ROUND;
    let mut done: HashSet<String> = HashSet::new();
    for _ in 0..WAVES {
        nodes.retain(|n| done.insert(n.domain.clone()));
        nodes = federated_only(state, nodes).await?;
        if nodes.is_empty() {
            break;
        }
        let outcomes: Vec<Outcome> = futures_util::stream::iter(nodes)
            .map(|node| sync_node(state, node, started))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let mut learned_now = Vec::new();
        for outcome in outcomes {
            report.bytes_fetched += outcome.bytes;
            match outcome.result {
                Ok(Synced::NotKwartier) => report.nodes_not_kwartier.push(outcome.domain),
                Ok(Synced::Read(counts)) => {
                    report.nodes_synced += 1;
                    report.entries_added += counts.added;
                    report.entries_updated += counts.updated;
                    report.entries_removed += counts.removed;
                    report.entries_refused += counts.refused;
                    let mut conn = state.db.conn().await?;
                    let learned = peers::learn(
                        state,
                        &mut conn,
                        &outcome.domain,
                        &outcome.listed,
                        &mut budget,
                    )
                    .await?;
                    learned_now.extend(learned);
                }
                Err(reason) => report.nodes_failed.push((outcome.domain, reason)),
            }
        }
        report.nodes_learned.extend(learned_now.iter().cloned());
        let mut conn = state.db.conn().await?;
        nodes = Vec::new();
        for domain in learned_now {
            if let Some(node) = known_node::get(&mut conn, &domain).await? {
                nodes.push(node);
            }
        }
    }
    report.entries_removed += drop_long_dead(state, started).await?;
    report.nodes_failed.sort();
    if report.entries_added + report.entries_updated + report.entries_removed >= REPLAN_AFTER {
        let mut conn = state.db.conn().await?;
        directory_search::refresh_statistics(&mut conn).await?;
    }
    Ok(report)
}

/// Drops the entries of nodes dead for longer than [`DEAD_ENTRIES_KEPT`]. Returns how many.
async fn drop_long_dead(state: &AppState, at: NaiveDateTime) -> Result<usize> {
    let mut conn = state.db.conn().await?;
    let mut removed = 0;
    for domain in known_node::dead_with_entries(&mut conn, at - DEAD_ENTRIES_KEPT).await? {
        for ap_id in directory::ap_ids_of_node(&mut conn, &domain).await? {
            removed += usize::from(directory::remove(&mut conn, &ap_id).await?);
        }
        known_node::reset_cursor(&mut conn, &domain).await?;
        tracing::info!(node = %domain, "dropped the entries of a node dead for a month");
    }
    Ok(removed)
}

struct Outcome {
    domain: String,
    bytes: u64,
    result: std::result::Result<Synced, String>,
    listed: Vec<ListedNode>,
}

enum Synced {
    NotKwartier,
    Read(Counts),
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    added: usize,
    updated: usize,
    removed: usize,
    refused: usize,
}

/// The nodes the federation policy lets us read (not suspended; allowed in allowlist mode).
/// The others are left as they are, so lifting a block lets them sync again at once.
async fn federated_only(state: &AppState, nodes: Vec<KnownNode>) -> Result<Vec<KnownNode>> {
    let mut conn = state.db.conn().await?;
    let mut kept = Vec::with_capacity(nodes.len());
    for node in nodes {
        let host = node.domain.to_ascii_lowercase();
        if crate::service::federation_policy::verdict_for_host(&mut conn, &host)
            .await?
            .refused()
        {
            tracing::debug!(node = %node.domain, "not synced: the federation policy refuses it");
        } else {
            kept.push(node);
        }
    }
    Ok(kept)
}

/// Syncs one node and records the outcome on it (success, or failure with backoff).
async fn sync_node(state: &AppState, node: KnownNode, started: NaiveDateTime) -> Outcome {
    let mut fetcher = Fetcher::new(state);
    let mut listed = Vec::new();
    let result = read_node(state, &mut fetcher, &node, started, &mut listed).await;
    let result = match result {
        Ok(synced) => Ok(synced),
        Err(err) => {
            let reason = err.to_string();
            tracing::info!(node = %node.domain, error = %reason, "directory sync failed");
            if let Err(record) = record_failure(state, &node, &reason).await {
                tracing::warn!(node = %node.domain, error = %record, "cannot record a sync failure");
            }
            Err(reason)
        }
    };
    Outcome {
        domain: node.domain,
        bytes: fetcher.bytes,
        result,
        listed,
    }
}

async fn record_failure(state: &AppState, node: &KnownNode, reason: &str) -> Result<()> {
    let at = now();
    let failures = node.consecutive_failures.saturating_add(1);
    let next = at + backoff(failures, crate::delivery::backoff::jitter());
    let dead = is_dead(node.last_synced_at.unwrap_or(node.created_at), at).then_some(at);
    let mut conn = state.db.conn().await?;
    let reason = crate::federation::objects::truncate(reason, 500);
    known_node::record_failure(&mut conn, node, &reason, next, dead, at).await
}

/// The wait after the `failures`-th failure in a row: one minute doubling, at most a day,
/// times `jitter` (0.8 to 1.2).
pub fn backoff(failures: i32, jitter: f64) -> Duration {
    let exponent = failures.clamp(1, 20) as u32 - 1;
    BACKOFF_FIRST
        .saturating_mul(2u32.saturating_pow(exponent))
        .min(BACKOFF_MAX)
        .mul_f64(jitter.clamp(0.8, 1.2))
}

/// Whether a node that last synced (or was learned) at `since` and fails now is dead.
pub fn is_dead(since: NaiveDateTime, now: NaiveDateTime) -> bool {
    now - since >= DEAD_AFTER
}

/// When a synced node is next due: a little before the next scheduled round, so it is due then.
fn next_due(state: &AppState, started: NaiveDateTime) -> NaiveDateTime {
    let interval = state.config.directory.sync_interval.mul_f64(0.9);
    started + TimeDelta::from_std(interval).unwrap_or(TimeDelta::hours(1))
}

async fn read_node(
    state: &AppState,
    fetcher: &mut Fetcher<'_>,
    node: &KnownNode,
    started: NaiveDateTime,
    listed: &mut Vec<ListedNode>,
) -> Result<Synced> {
    let domain = node.domain.as_str();
    if node.software.as_deref() != Some(KWARTIER) {
        let software = fetcher.software(domain).await?;
        let mut conn = state.db.conn().await?;
        let at = now();
        known_node::set_software(&mut conn, domain, &software, at + REPROBE_AFTER, at).await?;
        if software != KWARTIER {
            return Ok(Synced::NotKwartier);
        }
    }
    let actor = fetcher.node_actor(domain).await?;
    let collection = fetcher.collection(&actor.directory_url).await?;
    let mut cursor = node.position();
    // The feed ends before where we were: the node was reset or restored. Read it all again.
    let resync = collection.latest_seq < cursor;
    let mut seen: Option<HashSet<String>> = None;
    if resync {
        tracing::info!(node = %domain, cursor, latest = collection.latest_seq, "directory feed went back; reading it again");
        cursor = 0;
        seen = Some(HashSet::new());
    }
    let mut counts = Counts::default();
    let mut complete = true;
    for page_number in 0.. {
        if cursor >= collection.latest_seq {
            break;
        }
        if page_number >= PAGES_PER_NODE {
            complete = false;
            break;
        }
        let page = fetcher
            .page(domain, &actor.directory_url, cursor, PAGE_SIZE)
            .await?;
        counts.refused += page.skipped;
        let Some(last) = page.last_seq else {
            break;
        };
        let applied = apply(state, &page.items).await?;
        counts.added += applied.added;
        counts.updated += applied.updated;
        counts.removed += applied.removed;
        if let Some(seen) = seen.as_mut() {
            seen.extend(page.items.iter().filter_map(|i| match i {
                Item::Entry { fields, .. } => Some(fields.ap_id.clone()),
                Item::Withdrawn { .. } => None,
            }));
        }
        cursor = last;
        // Store progress, so a failure later in this node's feed does not repeat these pages
        // (a resync stores its cursor only once complete, as it must drop what it did not see).
        if seen.is_none() {
            let mut conn = state.db.conn().await?;
            known_node::record_success(
                &mut conn,
                domain,
                &profile(&actor),
                cursor,
                next_due(state, started),
                now(),
            )
            .await?;
        }
        if !page.has_next {
            break;
        }
    }
    if let (Some(seen), true) = (&seen, complete) {
        let mut conn = state.db.conn().await?;
        for ap_id in directory::ap_ids_of_node(&mut conn, domain).await? {
            if !seen.contains(&ap_id) {
                counts.removed += usize::from(directory::remove(&mut conn, &ap_id).await?);
            }
        }
    }
    if let Some(nodes_url) = &actor.nodes_url {
        match fetcher.node_list(nodes_url, LISTED_MAX).await {
            Ok(nodes) => *listed = nodes,
            Err(err) => tracing::info!(node = %domain, error = %err, "cannot read the node list"),
        }
    }
    let mut conn = state.db.conn().await?;
    known_node::record_success(
        &mut conn,
        domain,
        &profile(&actor),
        // An unfinished resync keeps the old cursor, so the next round reads it all again.
        if resync && !complete {
            node.position()
        } else {
            cursor
        },
        next_due(state, started),
        now(),
    )
    .await?;
    Ok(Synced::Read(counts))
}

fn profile(actor: &NodeActor) -> NodeProfile {
    NodeProfile {
        actor_url: Some(actor.actor_url.to_string()),
        directory_url: Some(actor.directory_url.to_string()),
        nodes_url: actor.nodes_url.as_ref().map(ToString::to_string),
        name: actor.name.clone(),
        region_codes: actor.region_codes.join(","),
        latitude: actor.centre.map(|c| c.0),
        longitude: actor.centre.map(|c| c.1),
    }
}

/// Indexes a page's entries and removes its withdrawn ones, in one transaction.
async fn apply(state: &AppState, items: &[Item]) -> Result<Counts> {
    let mut conn = state.db.conn().await?;
    conn.transaction(|conn| {
        async move {
            let mut counts = Counts::default();
            for item in items {
                match item {
                    Item::Entry { fields, themes, .. } => {
                        if directory::get(conn, &fields.ap_id).await?.is_some() {
                            counts.updated += 1;
                        } else {
                            counts.added += 1;
                        }
                        super::index(conn, fields, themes).await?;
                    }
                    Item::Withdrawn { ap_id, .. } => {
                        counts.removed += usize::from(directory::remove(conn, ap_id).await?);
                    }
                }
            }
            Ok::<_, Error>(counts)
        }
        .scope_boxed()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_minute_up_to_a_day() {
        assert_eq!(backoff(1, 1.0), Duration::from_secs(60));
        assert_eq!(backoff(2, 1.0), Duration::from_secs(120));
        assert_eq!(backoff(5, 1.0), Duration::from_secs(960));
        assert_eq!(backoff(30, 1.0), BACKOFF_MAX);
        assert_eq!(backoff(1, 1.2), Duration::from_secs(72));
        assert_eq!(
            backoff(1, 5.0),
            Duration::from_secs(72),
            "jitter is bounded"
        );
    }

    #[test]
    fn nodes_die_after_three_days_of_failing() {
        let t = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc();
        assert!(!is_dead(t, t + TimeDelta::days(2)));
        assert!(is_dead(t, t + TimeDelta::days(3)));
    }
}
