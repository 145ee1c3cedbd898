//! What a local theme group accepted from its members and announced: stories (`Article`,
//! `Page`) and replies (`Note`), with the activity that brought them, for the group's page and
//! for moderation (removing a post, locking a thread).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::actor::Actor;
use super::schema::{actor, group_post};
use super::types::DbUrl;
use crate::error::Result;
use crate::run;

/// Object types a group accepts.
pub const KINDS: &[&str] = &["Article", "Note", "Page"];

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = group_post, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct GroupPost {
    pub id: i64,
    pub group_id: i64,
    pub ap_id: DbUrl,
    pub author_id: i64,
    /// `Article`, `Note` or `Page`.
    pub kind: String,
    pub name: Option<String>,
    /// Plain text.
    pub summary: Option<String>,
    /// Sanitized HTML.
    pub content: String,
    pub url: Option<String>,
    pub in_reply_to: Option<String>,
    /// The activity (JSON) that brought it.
    pub activity: String,
    pub published_at: NaiveDateTime,
    pub accepted_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
    pub locked: bool,
}

#[derive(Insertable)]
#[diesel(table_name = group_post)]
pub struct NewGroupPost<'a> {
    pub group_id: i64,
    pub ap_id: DbUrl,
    pub author_id: i64,
    pub kind: &'a str,
    pub name: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub content: &'a str,
    pub url: Option<&'a str>,
    pub in_reply_to: Option<&'a str>,
    pub activity: &'a str,
    pub published_at: NaiveDateTime,
    pub accepted_at: NaiveDateTime,
}

/// Stores an accepted post; `None` when the group already has it (a repeated delivery).
pub async fn insert(conn: &mut Conn, new: &NewGroupPost<'_>) -> Result<Option<GroupPost>> {
    Ok(run!(conn, |c| diesel::insert_into(group_post::table)
        .values(new)
        .on_conflict((group_post::group_id, group_post::ap_id))
        .do_nothing()
        .returning(GroupPost::as_returning())
        .get_result(c)
        .await
        .optional())?)
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<GroupPost> {
    Ok(run!(conn, |c| group_post::table
        .find(id)
        .select(GroupPost::as_select())
        .first(c)
        .await)?)
}

/// The group's post with this object id.
pub async fn find(conn: &mut Conn, group_id: i64, ap_id: &url::Url) -> Result<Option<GroupPost>> {
    let ap_id = DbUrl(ap_id.clone());
    Ok(run!(conn, |c| group_post::table
        .filter(group_post::group_id.eq(group_id))
        .filter(group_post::ap_id.eq(&ap_id))
        .select(GroupPost::as_select())
        .first(c)
        .await
        .optional())?)
}

/// The group's posts that are not removed, newest first, with their authors. With
/// `threads_only`, replies are left out.
pub async fn list(
    conn: &mut Conn,
    group_id: i64,
    threads_only: bool,
    limit: i64,
) -> Result<Vec<(GroupPost, Actor)>> {
    Ok(run!(conn, |c| {
        let mut query = group_post::table
            .inner_join(actor::table.on(actor::id.eq(group_post::author_id)))
            .filter(group_post::group_id.eq(group_id))
            .filter(group_post::removed_at.is_null())
            .into_boxed();
        if threads_only {
            query = query.filter(group_post::in_reply_to.is_null());
        }
        query
            .order((group_post::accepted_at.desc(), group_post::id.desc()))
            .limit(limit)
            .select((GroupPost::as_select(), Actor::as_select()))
            .load(c)
            .await
    })?)
}

/// Marks a post removed by a moderator; whether it was still there.
pub async fn mark_removed(conn: &mut Conn, id: i64, at: NaiveDateTime) -> Result<bool> {
    let changed = run!(conn, |c| diesel::update(
        group_post::table
            .find(id)
            .filter(group_post::removed_at.is_null())
    )
    .set(group_post::removed_at.eq(at))
    .execute(c)
    .await)?;
    Ok(changed > 0)
}

/// Locks or unlocks a thread; whether that changed anything.
pub async fn set_locked(conn: &mut Conn, id: i64, locked: bool) -> Result<bool> {
    let changed = run!(conn, |c| diesel::update(
        group_post::table
            .find(id)
            .filter(group_post::locked.ne(locked))
    )
    .set(group_post::locked.eq(locked))
    .execute(c)
    .await)?;
    Ok(changed > 0)
}

/// A post with this object id in any of our groups (the first accepted), for reports.
pub async fn find_any(conn: &mut Conn, ap_id: &url::Url) -> Result<Option<GroupPost>> {
    let ap_id = DbUrl(ap_id.clone());
    Ok(run!(conn, |c| group_post::table
        .filter(group_post::ap_id.eq(&ap_id))
        .order(group_post::id.asc())
        .select(GroupPost::as_select())
        .first(c)
        .await
        .optional())?)
}
