//! API tokens: bearer tokens for scripts and apps. Only a SHA-256 hash of each token is stored;
//! the token itself is shown once, when it is made.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::actor::Actor;
use super::local_account::LocalAccount;
use super::schema::{actor, api_token, local_account};
use crate::error::Result;
use crate::run;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = api_token, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct ApiToken {
    pub id: i64,
    pub account_id: i64,
    /// What the token is for, as its owner named it.
    pub label: String,
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = api_token)]
pub struct NewApiToken<'a> {
    pub account_id: i64,
    pub label: &'a str,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
}

pub async fn insert(conn: &mut Conn, new: &NewApiToken<'_>) -> Result<ApiToken> {
    Ok(run!(conn, |c| diesel::insert_into(api_token::table)
        .values(new)
        .returning(ApiToken::as_returning())
        .get_result(c)
        .await)?)
}

/// The token with this hash, with the account and person it belongs to.
pub async fn find_by_hash(
    conn: &mut Conn,
    token_hash: &str,
) -> Result<Option<(ApiToken, LocalAccount, Actor)>> {
    Ok(run!(conn, |c| api_token::table
        .inner_join(local_account::table.inner_join(actor::table))
        .filter(api_token::token_hash.eq(token_hash))
        .select((
            ApiToken::as_select(),
            LocalAccount::as_select(),
            Actor::as_select()
        ))
        .first(c)
        .await
        .optional())?)
}

/// Records that the token was used at `at`.
pub async fn touch(conn: &mut Conn, id: i64, at: NaiveDateTime) -> Result<()> {
    run!(conn, |c| diesel::update(api_token::table.find(id))
        .set(api_token::last_used_at.eq(at))
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn list_for_account(conn: &mut Conn, account_id: i64) -> Result<Vec<ApiToken>> {
    Ok(run!(conn, |c| api_token::table
        .filter(api_token::account_id.eq(account_id))
        .order(api_token::id)
        .select(ApiToken::as_select())
        .load(c)
        .await)?)
}

/// Revokes every token of an account (suspension).
pub async fn delete_all(conn: &mut Conn, account_id: i64) -> Result<usize> {
    Ok(run!(conn, |c| diesel::delete(
        api_token::table.filter(api_token::account_id.eq(account_id))
    )
    .execute(c)
    .await)?)
}
