//! The Kwartier nodes this node knows (from an admin's seed list, federation traffic and peers'
//! node lists), what they publish about their region, and how syncing their directories goes:
//! the cursor in their change feed, failures, backoff and death.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::{directory_entry, known_node};
use crate::error::Result;
use crate::run;

/// How we learned of a node, as stored in `source`.
pub mod source {
    pub const SEED: &str = "seed";
    pub const TRAFFIC: &str = "traffic";
    pub const PEER: &str = "peer";
}

/// The software name (NodeInfo `software.name`) of nodes we sync.
pub const KWARTIER: &str = "kwartier";

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = known_node, primary_key(domain), check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct KnownNode {
    pub domain: String,
    pub source: String,
    pub learned_from: Option<String>,
    pub actor_url: Option<String>,
    pub directory_url: Option<String>,
    pub nodes_url: Option<String>,
    pub name: Option<String>,
    pub region_codes: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub cursor: Option<String>,
    pub last_synced_at: Option<NaiveDateTime>,
    pub next_sync_at: NaiveDateTime,
    pub consecutive_failures: i32,
    pub last_error: Option<String>,
    pub dead_since: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// NodeInfo `software.name`; `None` until probed.
    pub software: Option<String>,
}

impl KnownNode {
    /// The cursor as the feed position it stands for (0: from the start).
    pub fn position(&self) -> i64 {
        self.cursor
            .as_deref()
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }
}

/// A node just learned of.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = known_node)]
pub struct NewKnownNode<'a> {
    pub domain: &'a str,
    pub source: &'a str,
    pub learned_from: Option<&'a str>,
    /// From a peer's list: what it says of the node's region (checked again when we sync it).
    pub name: Option<&'a str>,
    pub region_codes: &'a str,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub next_sync_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What a node's `Application` actor says, stored after a successful sync.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = known_node, treat_none_as_null = true)]
pub struct NodeProfile {
    pub actor_url: Option<String>,
    pub directory_url: Option<String>,
    pub nodes_url: Option<String>,
    pub name: Option<String>,
    pub region_codes: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// Adds a node unless it is known already. Returns whether it was added.
pub async fn insert_if_absent(conn: &mut Conn, new: &NewKnownNode<'_>) -> Result<bool> {
    let added = run!(conn, |c| diesel::insert_into(known_node::table)
        .values(new)
        .on_conflict(known_node::domain)
        .do_nothing()
        .execute(c)
        .await)?;
    Ok(added > 0)
}

/// Makes a known node a seed (an admin named it), due at once.
pub async fn make_seed(conn: &mut Conn, domain: &str, at: NaiveDateTime) -> Result<()> {
    run!(conn, |c| diesel::update(known_node::table.find(domain))
        .set((
            known_node::source.eq(source::SEED),
            known_node::learned_from.eq(None::<String>),
            known_node::next_sync_at.eq(at),
            known_node::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn get(conn: &mut Conn, domain: &str) -> Result<Option<KnownNode>> {
    Ok(run!(conn, |c| known_node::table
        .find(domain)
        .select(KnownNode::as_select())
        .first(c)
        .await
        .optional())?)
}

/// Every known node, by domain.
pub async fn all(conn: &mut Conn) -> Result<Vec<KnownNode>> {
    Ok(run!(conn, |c| known_node::table
        .order(known_node::domain)
        .select(KnownNode::as_select())
        .load(c)
        .await)?)
}

pub async fn count(conn: &mut Conn) -> Result<i64> {
    Ok(run!(conn, |c| known_node::table
        .count()
        .get_result(c)
        .await)?)
}

/// Nodes whose sync is due at `now`, longest waiting first.
pub async fn due(conn: &mut Conn, now: NaiveDateTime, limit: i64) -> Result<Vec<KnownNode>> {
    Ok(run!(conn, |c| known_node::table
        .filter(known_node::next_sync_at.le(now))
        .order((known_node::next_sync_at, known_node::domain))
        .limit(limit)
        .select(KnownNode::as_select())
        .load(c)
        .await)?)
}

/// Kwartier nodes that are alive (synced at least once, not dead), after `domain` in domain
/// order: the node list we publish.
pub async fn alive(conn: &mut Conn, after: &str, limit: i64) -> Result<Vec<KnownNode>> {
    Ok(run!(conn, |c| known_node::table
        .filter(known_node::software.eq(KWARTIER))
        .filter(known_node::dead_since.is_null())
        .filter(known_node::last_synced_at.is_not_null())
        .filter(known_node::domain.gt(after))
        .order(known_node::domain)
        .limit(limit)
        .select(KnownNode::as_select())
        .load(c)
        .await)?)
}

/// Records what probing a node's NodeInfo found; other software is next tried at `next`.
pub async fn set_software(
    conn: &mut Conn,
    domain: &str,
    software: &str,
    next: NaiveDateTime,
    at: NaiveDateTime,
) -> Result<()> {
    let other = software != KWARTIER;
    run!(conn, |c| diesel::update(known_node::table.find(domain))
        .set((
            known_node::software.eq(software),
            known_node::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    if other {
        run!(conn, |c| diesel::update(known_node::table.find(domain))
            .set((
                known_node::next_sync_at.eq(next),
                known_node::last_error.eq(format!("not a Kwartier node ({software})")),
            ))
            .execute(c)
            .await)?;
    }
    Ok(())
}

/// A sync went through: the node's profile, its new cursor and the next sync.
pub async fn record_success(
    conn: &mut Conn,
    domain: &str,
    profile: &NodeProfile,
    cursor: i64,
    next: NaiveDateTime,
    at: NaiveDateTime,
) -> Result<()> {
    run!(conn, |c| diesel::update(known_node::table.find(domain))
        .set((
            profile,
            known_node::cursor.eq(cursor.to_string()),
            known_node::last_synced_at.eq(at),
            known_node::next_sync_at.eq(next),
            known_node::consecutive_failures.eq(0),
            known_node::last_error.eq(None::<String>),
            known_node::dead_since.eq(None::<NaiveDateTime>),
            known_node::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// A sync failed: counted, with the error and when to try again; `dead_since` is set when
/// given and the node was not dead yet.
pub async fn record_failure(
    conn: &mut Conn,
    node: &KnownNode,
    error: &str,
    next: NaiveDateTime,
    dead_since: Option<NaiveDateTime>,
    at: NaiveDateTime,
) -> Result<()> {
    run!(conn, |c| diesel::update(
        known_node::table.find(&node.domain)
    )
    .set((
        known_node::consecutive_failures.eq(node.consecutive_failures.saturating_add(1)),
        known_node::last_error.eq(error),
        known_node::next_sync_at.eq(next),
        known_node::dead_since.eq(node.dead_since.or(dead_since)),
        known_node::updated_at.eq(at),
    ))
    .execute(c)
    .await)?;
    Ok(())
}

/// Forgets where we were in a node's feed: the next sync starts from the beginning.
pub async fn reset_cursor(conn: &mut Conn, domain: &str) -> Result<()> {
    run!(conn, |c| diesel::update(known_node::table.find(domain))
        .set(known_node::cursor.eq(None::<String>))
        .execute(c)
        .await)?;
    Ok(())
}

/// Nodes dead since before `before` that still have entries in the index.
pub async fn dead_with_entries(conn: &mut Conn, before: NaiveDateTime) -> Result<Vec<String>> {
    Ok(run!(conn, |c| known_node::table
        .filter(known_node::dead_since.lt(before))
        .filter(
            known_node::domain.eq_any(
                directory_entry::table
                    .select(directory_entry::node)
                    .distinct()
            )
        )
        .select(known_node::domain)
        .load(c)
        .await)?)
}

/// How many index entries each node has.
pub async fn entry_counts(conn: &mut Conn) -> Result<Vec<(String, i64)>> {
    Ok(run!(conn, |c| directory_entry::table
        .group_by(directory_entry::node)
        .select((directory_entry::node, diesel::dsl::count_star()))
        .load(c)
        .await)?)
}
