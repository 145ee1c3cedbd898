//! Local accounts: the people who log in on this node, with their argon2id password hashes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::actor::Actor;
use super::schema::{actor, local_account};
use crate::error::Result;
use crate::run;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = local_account, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct LocalAccount {
    pub id: i64,
    pub person_id: i64,
    /// PHC string (`$argon2id$…`).
    pub password_hash: String,
    pub admin: bool,
    pub created_at: NaiveDateTime,
    pub last_active_at: Option<NaiveDateTime>,
    /// False while a sign-up waits for an admin's approval; such accounts cannot log in.
    pub approved: bool,
    /// The answer to the node's sign-up question, for whoever approves.
    pub signup_answer: Option<String>,
    /// May act on reports and hide or remove content on this node (admins may too).
    pub moderator: bool,
    /// Set while an admin has suspended the account: it cannot log in.
    pub suspended_at: Option<NaiveDateTime>,
    pub suspension_reason: Option<String>,
}

impl LocalAccount {
    /// Admins and moderators: the node's staff.
    pub fn is_staff(&self) -> bool {
        self.admin || self.moderator
    }

    /// Approved and not suspended: may log in and use tokens.
    pub fn may_log_in(&self) -> bool {
        self.approved && self.suspended_at.is_none()
    }
}

#[derive(Insertable)]
#[diesel(table_name = local_account)]
pub struct NewLocalAccount<'a> {
    pub person_id: i64,
    pub password_hash: &'a str,
    pub admin: bool,
    pub created_at: NaiveDateTime,
    pub approved: bool,
    pub signup_answer: Option<&'a str>,
    /// The invite used to sign up, if any.
    pub invite_id: Option<i64>,
}

pub async fn insert(conn: &mut Conn, new: &NewLocalAccount<'_>) -> Result<LocalAccount> {
    Ok(run!(conn, |c| diesel::insert_into(local_account::table)
        .values(new)
        .returning(LocalAccount::as_returning())
        .get_result(c)
        .await)?)
}

pub async fn find_by_person(conn: &mut Conn, person_id: i64) -> Result<Option<LocalAccount>> {
    Ok(run!(conn, |c| local_account::table
        .filter(local_account::person_id.eq(person_id))
        .select(LocalAccount::as_select())
        .first(c)
        .await
        .optional())?)
}

/// How many local accounts there are.
pub async fn count(conn: &mut Conn) -> Result<i64> {
    Ok(run!(conn, |c| local_account::table
        .count()
        .get_result(c)
        .await)?)
}

/// How many accounts are admins of this node.
pub async fn count_admins(conn: &mut Conn) -> Result<i64> {
    Ok(run!(conn, |c| local_account::table
        .filter(local_account::admin.eq(true))
        .count()
        .get_result(c)
        .await)?)
}

/// How many local accounts were active at or after `since`.
pub async fn count_active_since(conn: &mut Conn, since: NaiveDateTime) -> Result<i64> {
    Ok(run!(conn, |c| local_account::table
        .filter(local_account::last_active_at.ge(since))
        .count()
        .get_result(c)
        .await)?)
}

/// Records that the account was active at `at`.
pub async fn touch(conn: &mut Conn, id: i64, at: NaiveDateTime) -> Result<()> {
    run!(conn, |c| diesel::update(local_account::table.find(id))
        .set(local_account::last_active_at.eq(at))
        .execute(c)
        .await)?;
    Ok(())
}

/// Replaces the account's password hash.
pub async fn set_password_hash(conn: &mut Conn, id: i64, password_hash: &str) -> Result<()> {
    run!(conn, |c| diesel::update(local_account::table.find(id))
        .set(local_account::password_hash.eq(password_hash))
        .execute(c)
        .await)?;
    Ok(())
}

/// Every local account with its person, pending sign-ups first, then by username.
pub async fn all_with_person(conn: &mut Conn) -> Result<Vec<(LocalAccount, Actor)>> {
    Ok(run!(conn, |c| local_account::table
        .inner_join(actor::table.on(actor::id.eq(local_account::person_id)))
        .order((local_account::approved.asc(), actor::username.asc()))
        .select((LocalAccount::as_select(), Actor::as_select()))
        .load(c)
        .await)?)
}

pub async fn set_approved(conn: &mut Conn, id: i64) -> Result<()> {
    run!(conn, |c| diesel::update(local_account::table.find(id))
        .set(local_account::approved.eq(true))
        .execute(c)
        .await)?;
    Ok(())
}

/// Suspends (with when and why) or, with `None`, lifts a suspension.
pub async fn set_suspended(
    conn: &mut Conn,
    id: i64,
    suspension: Option<(NaiveDateTime, &str)>,
) -> Result<()> {
    let (at, reason) = match suspension {
        Some((at, reason)) => (Some(at), Some(reason.to_owned())),
        None => (None, None),
    };
    run!(conn, |c| diesel::update(local_account::table.find(id))
        .set((
            local_account::suspended_at.eq(at),
            local_account::suspension_reason.eq(reason.clone()),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn set_roles(conn: &mut Conn, id: i64, admin: bool, moderator: bool) -> Result<()> {
    run!(conn, |c| diesel::update(local_account::table.find(id))
        .set((
            local_account::admin.eq(admin),
            local_account::moderator.eq(moderator),
        ))
        .execute(c)
        .await)?;
    Ok(())
}
