//! Logging in from a browser: checking a password, and the sessions that follow. A session's
//! cookie value is a 256-bit secret; only its hash is stored. Sessions last 30 days from the
//! last visit.

use chrono::TimeDelta;

use super::token::{self, Authenticated};
use super::{account, password};
use crate::db::web_session::{self, NewWebSession};
use crate::db::{Conn, local_account, now};
use crate::error::{Error, Result};

/// A session ends this long after the last visit.
pub const LIFETIME: TimeDelta = TimeDelta::days(30);
/// Visits move the expiry at most this often, so browsing does not write on every page.
const EXTEND_GRANULARITY: TimeDelta = TimeDelta::minutes(10);

/// A logged-in browser: who, and which session (to keep it when ending the others).
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub auth: Authenticated,
}

/// Checks a username and password. Wrong either way gives [`Error::Unauthorized`] after the
/// same amount of work, so answers do not tell which usernames exist; an account waiting for
/// approval or suspended gives [`Error::Forbidden`], but only with the right password.
pub async fn check_password(conn: &mut Conn, username: &str, given: &str) -> Result<Authenticated> {
    let given = given.to_owned();
    let found = match account::find(conn, username.trim()).await {
        Ok(found) => found,
        Err(Error::NotFound(_)) => {
            password::hash(given).await?;
            return Err(Error::Unauthorized);
        }
        Err(other) => return Err(other),
    };
    let (person, account) = found;
    if !password::verify(given, account.password_hash.clone()).await? {
        return Err(Error::Unauthorized);
    }
    if !account.may_log_in() {
        return Err(Error::Forbidden);
    }
    Ok(Authenticated { person, account })
}

/// Starts a session for the account and returns the cookie's value.
pub async fn start(conn: &mut Conn, account_id: i64) -> Result<String> {
    let secret = token::new_secret();
    let at = now();
    web_session::insert(
        conn,
        &NewWebSession {
            account_id,
            token_hash: &token::hash(&secret),
            created_at: at,
            last_seen_at: at,
            expires_at: at + LIFETIME,
        },
    )
    .await?;
    Ok(secret)
}

/// The live session behind a cookie's value, if any.
pub async fn resolve(conn: &mut Conn, secret: &str) -> Result<Option<Session>> {
    if secret.is_empty() || secret.len() > 100 {
        return Ok(None);
    }
    let at = now();
    let Some((session, account, person)) =
        web_session::find_live(conn, &token::hash(secret), at).await?
    else {
        return Ok(None);
    };
    if !account.may_log_in() {
        return Ok(None);
    }
    if at - session.last_seen_at >= EXTEND_GRANULARITY {
        web_session::extend(conn, session.id, at, at + LIFETIME).await?;
        local_account::touch(conn, account.id, at).await?;
    }
    Ok(Some(Session {
        id: session.id,
        auth: Authenticated { person, account },
    }))
}

/// Ends the session behind a cookie's value.
pub async fn end(conn: &mut Conn, secret: &str) -> Result<()> {
    web_session::delete_by_hash(conn, &token::hash(secret)).await
}

/// Changes a password after checking the current one, and logs out every other browser.
pub async fn change_password(
    conn: &mut Conn,
    session: &Session,
    current: &str,
    new: &str,
) -> Result<()> {
    let account = &session.auth.account;
    if !password::verify(current.to_owned(), account.password_hash.clone()).await? {
        return Err(Error::invalid(
            "current_password",
            "is not your current password",
        ));
    }
    password::validate(new).map_err(|_| {
        Error::invalid(
            "new_password",
            format!(
                "must be {} to {} characters",
                password::MIN_LENGTH,
                password::MAX_LENGTH
            ),
        )
    })?;
    let hash = password::hash(new.to_owned()).await?;
    local_account::set_password_hash(conn, account.id, &hash).await?;
    web_session::delete_others(conn, account.id, session.id).await?;
    Ok(())
}
