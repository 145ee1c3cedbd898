//! The network directory index: every known node's discoverable initiatives and groups (this
//! node's own included), their themes by canonical key and their search terms. Network-wide
//! search reads only this; syncing and this node's own publication write it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::{directory_entry, directory_entry_theme, directory_term};
use crate::error::Result;
use crate::run;

pub const KIND_INITIATIVE: &str = "initiative";
pub const KIND_GROUP: &str = "group";

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = directory_entry, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Entry {
    pub id: i64,
    pub ap_id: String,
    pub node: String,
    pub kind: String,
    pub name: String,
    pub handle: String,
    pub summary: String,
    pub url: Option<String>,
    pub place_name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub follower_count: i64,
    pub last_activity_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub synced_at: NaiveDateTime,
}

/// An entry as a source publishes it, before it is indexed.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = directory_entry, treat_none_as_null = true)]
pub struct EntryFields {
    pub ap_id: String,
    pub node: String,
    pub kind: String,
    pub name: String,
    pub handle: String,
    pub summary: String,
    pub url: Option<String>,
    pub place_name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub follower_count: i64,
    pub last_activity_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub synced_at: NaiveDateTime,
}

/// Writes an entry with its themes (`(key, name)` pairs) and search terms, replacing what was
/// indexed for its id before. Returns the entry's row id. Call inside a transaction.
pub async fn upsert(
    conn: &mut Conn,
    fields: &EntryFields,
    themes: &[(String, String)],
    terms: &[String],
) -> Result<i64> {
    let id: i64 = run!(conn, |c| diesel::insert_into(directory_entry::table)
        .values(fields)
        .on_conflict(directory_entry::ap_id)
        .do_update()
        .set(fields)
        .returning(directory_entry::id)
        .get_result(c)
        .await)?;
    run!(conn, |c| diesel::delete(
        directory_entry_theme::table.filter(directory_entry_theme::entry_id.eq(id))
    )
    .execute(c)
    .await)?;
    run!(conn, |c| diesel::delete(
        directory_term::table.filter(directory_term::entry_id.eq(id))
    )
    .execute(c)
    .await)?;
    // One row at a time: diesel-async cannot batch-insert on SQLite; an entry has few of each.
    for (key, name) in themes {
        run!(conn, |c| diesel::insert_into(directory_entry_theme::table)
            .values((
                directory_entry_theme::entry_id.eq(id),
                directory_entry_theme::theme_key.eq(key),
                directory_entry_theme::name.eq(name),
            ))
            .on_conflict_do_nothing()
            .execute(c)
            .await)?;
    }
    for term in terms {
        run!(conn, |c| diesel::insert_into(directory_term::table)
            .values((
                directory_term::term.eq(term),
                directory_term::entry_id.eq(id)
            ))
            .on_conflict_do_nothing()
            .execute(c)
            .await)?;
    }
    Ok(id)
}

/// Removes an entry (and its themes and terms). Returns whether there was one.
pub async fn remove(conn: &mut Conn, ap_id: &str) -> Result<bool> {
    let removed = run!(conn, |c| diesel::delete(
        directory_entry::table.filter(directory_entry::ap_id.eq(ap_id))
    )
    .execute(c)
    .await)?;
    Ok(removed > 0)
}

pub async fn get(conn: &mut Conn, ap_id: &str) -> Result<Option<Entry>> {
    Ok(run!(conn, |c| directory_entry::table
        .filter(directory_entry::ap_id.eq(ap_id))
        .select(Entry::as_select())
        .first(c)
        .await
        .optional())?)
}

/// The ids of every entry a node hosts.
pub async fn ap_ids_of_node(conn: &mut Conn, node: &str) -> Result<Vec<String>> {
    Ok(run!(conn, |c| directory_entry::table
        .filter(directory_entry::node.eq(node))
        .select(directory_entry::ap_id)
        .load(c)
        .await)?)
}

pub async fn count(conn: &mut Conn) -> Result<i64> {
    Ok(run!(conn, |c| directory_entry::table
        .count()
        .get_result(c)
        .await)?)
}

/// The themes (`(entry id, name)`, by key) of several entries.
pub async fn themes_of(conn: &mut Conn, entry_ids: &[i64]) -> Result<Vec<(i64, String)>> {
    Ok(run!(conn, |c| directory_entry_theme::table
        .filter(directory_entry_theme::entry_id.eq_any(entry_ids))
        .order((
            directory_entry_theme::entry_id,
            directory_entry_theme::theme_key
        ))
        .select((directory_entry_theme::entry_id, directory_entry_theme::name))
        .load(c)
        .await)?)
}
