//! Follows between actors, local and remote: pending until accepted, then the follower gets
//! what the followed actor publishes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::actor::Actor;
use super::schema::{actor, follow};
use super::types::DbUrl;
use crate::error::Result;
use crate::run;

pub mod state {
    pub const PENDING: &str = "pending";
    pub const ACCEPTED: &str = "accepted";
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = follow, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Follow {
    pub id: i64,
    pub follower_id: i64,
    pub followee_id: i64,
    /// The id of the `Follow` activity, ours or the follower's server's.
    pub ap_id: Option<DbUrl>,
    pub state: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Follow {
    pub fn accepted(&self) -> bool {
        self.state == state::ACCEPTED
    }
}

/// Records a follow, or updates the existing one between the same two actors (a repeated
/// `Follow` gets the newest activity id; an accepted follow stays accepted).
pub async fn upsert(
    conn: &mut Conn,
    follower_id: i64,
    followee_id: i64,
    ap_id: Option<&DbUrl>,
    new_state: &str,
    at: NaiveDateTime,
) -> Result<Follow> {
    if let Some(existing) = find(conn, follower_id, followee_id).await? {
        let state = if existing.accepted() {
            state::ACCEPTED
        } else {
            new_state
        };
        let ap_id = ap_id.cloned().or(existing.ap_id);
        return Ok(run!(conn, |c| diesel::update(
            follow::table.find(existing.id)
        )
        .set((
            follow::ap_id.eq(&ap_id),
            follow::state.eq(state),
            follow::updated_at.eq(at)
        ))
        .returning(Follow::as_returning())
        .get_result(c)
        .await)?);
    }
    Ok(run!(conn, |c| diesel::insert_into(follow::table)
        .values((
            follow::follower_id.eq(follower_id),
            follow::followee_id.eq(followee_id),
            follow::ap_id.eq(ap_id),
            follow::state.eq(new_state),
            follow::created_at.eq(at),
            follow::updated_at.eq(at),
        ))
        .returning(Follow::as_returning())
        .get_result(c)
        .await)?)
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Follow> {
    Ok(run!(conn, |c| follow::table
        .find(id)
        .select(Follow::as_select())
        .first(c)
        .await)?)
}

pub async fn find(conn: &mut Conn, follower_id: i64, followee_id: i64) -> Result<Option<Follow>> {
    Ok(run!(conn, |c| follow::table
        .filter(follow::follower_id.eq(follower_id))
        .filter(follow::followee_id.eq(followee_id))
        .select(Follow::as_select())
        .first(c)
        .await
        .optional())?)
}

pub async fn find_by_ap_id(conn: &mut Conn, ap_id: &url::Url) -> Result<Option<Follow>> {
    let ap_id = DbUrl(ap_id.clone());
    Ok(run!(conn, |c| follow::table
        .filter(follow::ap_id.eq(&ap_id))
        .select(Follow::as_select())
        .first(c)
        .await
        .optional())?)
}

pub async fn set_state(conn: &mut Conn, id: i64, new_state: &str, at: NaiveDateTime) -> Result<()> {
    run!(conn, |c| diesel::update(follow::table.find(id))
        .set((follow::state.eq(new_state), follow::updated_at.eq(at)))
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, id: i64) -> Result<()> {
    run!(conn, |c| diesel::delete(follow::table.find(id))
        .execute(c)
        .await)?;
    Ok(())
}

/// Removes every follow from and of an actor (its account was deleted).
pub async fn delete_all_of(conn: &mut Conn, actor_id: i64) -> Result<()> {
    run!(conn, |c| diesel::delete(
        follow::table.filter(
            follow::follower_id
                .eq(actor_id)
                .or(follow::followee_id.eq(actor_id))
        )
    )
    .execute(c)
    .await)?;
    Ok(())
}

/// Where to deliver to an actor's accepted remote followers: one inbox per server where it has
/// a shared inbox, else each follower's own.
pub async fn follower_inboxes(conn: &mut Conn, followee_id: i64) -> Result<Vec<String>> {
    let rows: Vec<(String, Option<String>)> = run!(conn, |c| follow::table
        .inner_join(actor::table.on(actor::id.eq(follow::follower_id)))
        .filter(follow::followee_id.eq(followee_id))
        .filter(follow::state.eq(state::ACCEPTED))
        .filter(actor::local.eq(false))
        .filter(actor::deleted_at.is_null())
        .select((actor::inbox_url, actor::shared_inbox_url))
        .load(c)
        .await)?;
    let mut inboxes: Vec<String> = rows
        .into_iter()
        .map(|(inbox, shared)| shared.unwrap_or(inbox))
        .collect();
    inboxes.sort();
    inboxes.dedup();
    Ok(inboxes)
}

/// Whether any local actor follows this one (so what it sends concerns someone here).
pub async fn has_local_follower(conn: &mut Conn, followee_id: i64) -> Result<bool> {
    let count: i64 = run!(conn, |c| follow::table
        .inner_join(actor::table.on(actor::id.eq(follow::follower_id)))
        .filter(follow::followee_id.eq(followee_id))
        .filter(follow::state.eq(state::ACCEPTED))
        .filter(actor::local.eq(true))
        .count()
        .get_result(c)
        .await)?;
    Ok(count > 0)
}

pub async fn count_followers(conn: &mut Conn, followee_id: i64) -> Result<i64> {
    Ok(run!(conn, |c| follow::table
        .filter(follow::followee_id.eq(followee_id))
        .filter(follow::state.eq(state::ACCEPTED))
        .count()
        .get_result(c)
        .await)?)
}

pub async fn count_following(conn: &mut Conn, follower_id: i64) -> Result<i64> {
    Ok(run!(conn, |c| follow::table
        .filter(follow::follower_id.eq(follower_id))
        .filter(follow::state.eq(state::ACCEPTED))
        .count()
        .get_result(c)
        .await)?)
}

/// Followers of an actor in the given state, oldest first.
pub async fn followers(
    conn: &mut Conn,
    followee_id: i64,
    in_state: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<(Actor, Follow)>> {
    Ok(run!(conn, |c| follow::table
        .inner_join(actor::table.on(actor::id.eq(follow::follower_id)))
        .filter(follow::followee_id.eq(followee_id))
        .filter(follow::state.eq(in_state))
        .order(follow::id)
        .limit(limit)
        .offset(offset)
        .select((Actor::as_select(), Follow::as_select()))
        .load(c)
        .await)?)
}

/// Every follow with a remote side: the follow's id and the remote actor's id (URL).
pub async fn with_remote_side(conn: &mut Conn) -> Result<Vec<(i64, DbUrl)>> {
    let (follower, followee) = diesel::alias!(actor as follower, actor as followee);
    let mut rows: Vec<(i64, DbUrl)> = run!(conn, |c| follow::table
        .inner_join(follower.on(follower.field(actor::id).eq(follow::follower_id)))
        .filter(follower.field(actor::local).eq(false))
        .select((follow::id, follower.field(actor::ap_id)))
        .load(c)
        .await)?;
    let of_remote: Vec<(i64, DbUrl)> = run!(conn, |c| follow::table
        .inner_join(followee.on(followee.field(actor::id).eq(follow::followee_id)))
        .filter(followee.field(actor::local).eq(false))
        .select((follow::id, followee.field(actor::ap_id)))
        .load(c)
        .await)?;
    rows.extend(of_remote);
    Ok(rows)
}

/// Removes these follows.
pub async fn delete_many(conn: &mut Conn, ids: &[i64]) -> Result<usize> {
    Ok(run!(conn, |c| diesel::delete(
        follow::table.filter(follow::id.eq_any(ids))
    )
    .execute(c)
    .await)?)
}
