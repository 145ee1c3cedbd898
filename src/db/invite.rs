//! Invite links: stored codes with their limits, and the conditional update that uses one.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::invite;
use crate::error::Result;
use crate::run;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = invite, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Invite {
    pub id: i64,
    /// The secret part of the link (`/signup?invite=CODE`).
    pub code: String,
    /// The admin who made it; `None` for the command line (or a deleted account).
    pub created_by: Option<i64>,
    pub note: Option<String>,
    /// How many sign-ups it allows; `None` for no limit.
    pub max_uses: Option<i32>,
    pub uses: i32,
    pub expires_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = invite)]
pub struct NewInvite<'a> {
    pub code: &'a str,
    pub created_by: Option<i64>,
    pub note: Option<&'a str>,
    pub max_uses: Option<i32>,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub async fn insert(conn: &mut Conn, new: &NewInvite<'_>) -> Result<Invite> {
    Ok(run!(conn, |c| diesel::insert_into(invite::table)
        .values(new)
        .returning(Invite::as_returning())
        .get_result(c)
        .await)?)
}

/// Every invite, newest first.
pub async fn list(conn: &mut Conn) -> Result<Vec<Invite>> {
    Ok(run!(conn, |c| invite::table
        .order(invite::id.desc())
        .select(Invite::as_select())
        .load(c)
        .await)?)
}

pub async fn find(conn: &mut Conn, code: &str) -> Result<Option<Invite>> {
    Ok(run!(conn, |c| invite::table
        .filter(invite::code.eq(code))
        .select(Invite::as_select())
        .first(c)
        .await
        .optional())?)
}

/// Counts one use of the invite if it is still valid at `at`, in one statement so two
/// sign-ups racing for the last use cannot both get it. The invite's id, or `None`.
pub async fn claim(conn: &mut Conn, code: &str, at: NaiveDateTime) -> Result<Option<i64>> {
    Ok(run!(conn, |c| diesel::update(invite::table)
        .filter(invite::code.eq(code))
        .filter(invite::revoked_at.is_null())
        .filter(invite::expires_at.is_null().or(invite::expires_at.gt(at)))
        .filter(
            invite::max_uses
                .is_null()
                .or(invite::max_uses.assume_not_null().gt(invite::uses))
        )
        .set(invite::uses.eq(invite::uses + 1))
        .returning(invite::id)
        .get_result(c)
        .await
        .optional())?)
}

/// Gives back a use taken by [`claim`] when the sign-up it was for failed.
pub async fn release(conn: &mut Conn, id: i64) -> Result<()> {
    run!(conn, |c| diesel::update(invite::table.find(id))
        .filter(invite::uses.gt(0))
        .set(invite::uses.eq(invite::uses - 1))
        .execute(c)
        .await)?;
    Ok(())
}

/// Marks the invite revoked; false if there is none with that code or it already was.
pub async fn revoke(conn: &mut Conn, code: &str, at: NaiveDateTime) -> Result<bool> {
    let changed = run!(conn, |c| diesel::update(invite::table)
        .filter(invite::code.eq(code))
        .filter(invite::revoked_at.is_null())
        .set(invite::revoked_at.eq(Some(at)))
        .execute(c)
        .await)?;
    Ok(changed == 1)
}
