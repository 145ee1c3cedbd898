//! Browser sessions: one row per logged-in browser. Only a SHA-256 hash of the cookie's value is
//! stored, like API tokens.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::actor::Actor;
use super::local_account::LocalAccount;
use super::schema::{actor, local_account, web_session};
use crate::error::Result;
use crate::run;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = web_session, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct WebSession {
    pub id: i64,
    pub account_id: i64,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = web_session)]
pub struct NewWebSession<'a> {
    pub account_id: i64,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub async fn insert(conn: &mut Conn, new: &NewWebSession<'_>) -> Result<WebSession> {
    Ok(run!(conn, |c| diesel::insert_into(web_session::table)
        .values(new)
        .returning(WebSession::as_returning())
        .get_result(c)
        .await)?)
}

/// The unexpired session with this hash, with its account and person.
pub async fn find_live(
    conn: &mut Conn,
    token_hash: &str,
    at: NaiveDateTime,
) -> Result<Option<(WebSession, LocalAccount, Actor)>> {
    Ok(run!(conn, |c| web_session::table
        .inner_join(local_account::table.inner_join(actor::table))
        .filter(web_session::token_hash.eq(token_hash))
        .filter(web_session::expires_at.gt(at))
        .select((
            WebSession::as_select(),
            LocalAccount::as_select(),
            Actor::as_select()
        ))
        .first(c)
        .await
        .optional())?)
}

/// Records activity and moves the expiry out.
pub async fn extend(
    conn: &mut Conn,
    id: i64,
    at: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<()> {
    run!(conn, |c| diesel::update(web_session::table.find(id))
        .set((
            web_session::last_seen_at.eq(at),
            web_session::expires_at.eq(expires_at)
        ))
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn delete_by_hash(conn: &mut Conn, token_hash: &str) -> Result<()> {
    run!(conn, |c| diesel::delete(
        web_session::table.filter(web_session::token_hash.eq(token_hash))
    )
    .execute(c)
    .await)?;
    Ok(())
}

/// Ends every session of an account but `keep` (after a password change).
pub async fn delete_others(conn: &mut Conn, account_id: i64, keep: i64) -> Result<usize> {
    Ok(run!(conn, |c| diesel::delete(
        web_session::table
            .filter(web_session::account_id.eq(account_id))
            .filter(web_session::id.ne(keep))
    )
    .execute(c)
    .await)?)
}

/// Removes sessions that expired before `at`.
pub async fn delete_expired(conn: &mut Conn, at: NaiveDateTime) -> Result<usize> {
    Ok(run!(conn, |c| diesel::delete(
        web_session::table.filter(web_session::expires_at.le(at))
    )
    .execute(c)
    .await)?)
}

/// Ends every session of an account (suspension, password reset by an admin).
pub async fn delete_all(conn: &mut Conn, account_id: i64) -> Result<usize> {
    Ok(run!(conn, |c| diesel::delete(
        web_session::table.filter(web_session::account_id.eq(account_id))
    )
    .execute(c)
    .await)?)
}
