//! Subscriptions to shared blocklists and the entries fetched from them (drafts and what became
//! of them). What the states mean lives in `service::federation_policy::subscriptions`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::{blocklist_entry, blocklist_subscription};
use crate::error::Result;
use crate::run;

pub mod state {
    /// A draft block, waiting for an admin.
    pub const PENDING: &str = "pending";
    /// Approved: blocked here because of the list.
    pub const APPROVED: &str = "approved";
    /// Rejected by an admin; asked again only if the list changes its severity.
    pub const REJECTED: &str = "rejected";
    /// Approved, then dropped from the list: a draft to lift the block.
    pub const REMOVED: &str = "removed";
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = blocklist_subscription, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Subscription {
    pub id: i64,
    pub url: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub fetched_at: Option<NaiveDateTime>,
    pub entry_count: Option<i64>,
    pub fetch_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = blocklist_entry, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Entry {
    pub id: i64,
    pub subscription_id: i64,
    pub domain: String,
    pub severity: String,
    pub comment: Option<String>,
    pub state: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = blocklist_entry)]
pub struct NewEntry<'a> {
    pub subscription_id: i64,
    pub domain: &'a str,
    pub severity: &'a str,
    pub comment: Option<&'a str>,
    pub state: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Adds a subscription; `None` if the URL has one already.
pub async fn subscribe(
    conn: &mut Conn,
    url: &str,
    created_by: &str,
    at: NaiveDateTime,
) -> Result<Option<Subscription>> {
    if find_url(conn, url).await?.is_some() {
        return Ok(None);
    }
    Ok(Some(run!(conn, |c| diesel::insert_into(
        blocklist_subscription::table
    )
    .values((
        blocklist_subscription::url.eq(url),
        blocklist_subscription::created_by.eq(created_by),
        blocklist_subscription::created_at.eq(at),
    ))
    .returning(Subscription::as_returning())
    .get_result(c)
    .await)?))
}

pub async fn find_url(conn: &mut Conn, url: &str) -> Result<Option<Subscription>> {
    Ok(run!(conn, |c| blocklist_subscription::table
        .filter(blocklist_subscription::url.eq(url))
        .select(Subscription::as_select())
        .first(c)
        .await
        .optional())?)
}

/// Every subscription, oldest first.
pub async fn subscriptions(conn: &mut Conn) -> Result<Vec<Subscription>> {
    Ok(run!(conn, |c| blocklist_subscription::table
        .order(blocklist_subscription::id.asc())
        .select(Subscription::as_select())
        .load(c)
        .await)?)
}

/// Removes a subscription and its entries (blocks already approved stay); whether it existed.
pub async fn unsubscribe(conn: &mut Conn, id: i64) -> Result<bool> {
    run!(conn, |c| diesel::delete(
        blocklist_entry::table.filter(blocklist_entry::subscription_id.eq(id))
    )
    .execute(c)
    .await)?;
    let removed = run!(conn, |c| diesel::delete(
        blocklist_subscription::table.find(id)
    )
    .execute(c)
    .await)?;
    Ok(removed > 0)
}

/// Records how a fetch went.
pub async fn record_fetch(
    conn: &mut Conn,
    id: i64,
    at: NaiveDateTime,
    entry_count: Option<i64>,
    error: Option<&str>,
) -> Result<()> {
    run!(conn, |c| diesel::update(
        blocklist_subscription::table.find(id)
    )
    .set((
        blocklist_subscription::fetched_at.eq(Some(at)),
        blocklist_subscription::entry_count.eq(entry_count),
        blocklist_subscription::fetch_error.eq(error),
    ))
    .execute(c)
    .await)?;
    Ok(())
}

/// A subscription's entries, by domain.
pub async fn entries(conn: &mut Conn, subscription_id: i64) -> Result<Vec<Entry>> {
    Ok(run!(conn, |c| blocklist_entry::table
        .filter(blocklist_entry::subscription_id.eq(subscription_id))
        .order(blocklist_entry::domain.asc())
        .select(Entry::as_select())
        .load(c)
        .await)?)
}

/// Entries in any of these states, across subscriptions, by domain.
pub async fn in_states(conn: &mut Conn, states: &[&str]) -> Result<Vec<Entry>> {
    Ok(run!(conn, |c| blocklist_entry::table
        .filter(blocklist_entry::state.eq_any(states))
        .order((blocklist_entry::domain.asc(), blocklist_entry::id.asc()))
        .select(Entry::as_select())
        .load(c)
        .await)?)
}

/// Every subscription's entry for a domain.
pub async fn for_domain(conn: &mut Conn, domain: &str) -> Result<Vec<Entry>> {
    Ok(run!(conn, |c| blocklist_entry::table
        .filter(blocklist_entry::domain.eq(domain))
        .order(blocklist_entry::id.asc())
        .select(Entry::as_select())
        .load(c)
        .await)?)
}

pub async fn insert(conn: &mut Conn, new: &NewEntry<'_>) -> Result<()> {
    run!(conn, |c| diesel::insert_into(blocklist_entry::table)
        .values(new)
        .execute(c)
        .await)?;
    Ok(())
}

/// Changes what an entry says and its state.
pub async fn update(
    conn: &mut Conn,
    id: i64,
    severity: &str,
    comment: Option<&str>,
    state: &str,
    at: NaiveDateTime,
) -> Result<()> {
    run!(conn, |c| diesel::update(blocklist_entry::table.find(id))
        .set((
            blocklist_entry::severity.eq(severity),
            blocklist_entry::comment.eq(comment),
            blocklist_entry::state.eq(state),
            blocklist_entry::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn set_state(conn: &mut Conn, id: i64, state: &str, at: NaiveDateTime) -> Result<()> {
    run!(conn, |c| diesel::update(blocklist_entry::table.find(id))
        .set((
            blocklist_entry::state.eq(state),
            blocklist_entry::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn delete_entry(conn: &mut Conn, id: i64) -> Result<()> {
    run!(conn, |c| diesel::delete(blocklist_entry::table.find(id))
        .execute(c)
        .await)?;
    Ok(())
}
