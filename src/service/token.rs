//! API tokens: making them, and finding the account a bearer token belongs to.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::account;
use crate::db::actor::Actor;
use crate::db::api_token::{self, NewApiToken};
use crate::db::local_account::{self, LocalAccount};
use crate::db::{Conn, now};
use crate::error::{Error, Result};

/// Every token starts with this, so secret scanners and people can recognise one.
pub const PREFIX: &str = "kwt_";
/// Activity is recorded at most this often per token and account.
const ACTIVITY_GRANULARITY: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// Who a valid token belongs to.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub person: Actor,
    pub account: LocalAccount,
}

/// Makes a new token for a local user and returns it; only its hash is stored.
pub async fn create(conn: &mut Conn, username: &str, label: &str) -> Result<String> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(Error::invalid("label", "must be 1 to 100 characters"));
    }
    let (_, account) = account::find(conn, username).await?;
    let token = format!("{PREFIX}{}", new_secret());
    api_token::insert(
        conn,
        &NewApiToken {
            account_id: account.id,
            label,
            token_hash: &hash(&token),
            created_at: now(),
        },
    )
    .await?;
    Ok(token)
}

/// The account a bearer token belongs to, or [`Error::Unauthorized`].
pub async fn authenticate(conn: &mut Conn, token: &str) -> Result<Authenticated> {
    if !token.starts_with(PREFIX) || token.len() > 200 {
        return Err(Error::Unauthorized);
    }
    let (token, account, person) = api_token::find_by_hash(conn, &hash(token))
        .await?
        .ok_or(Error::Unauthorized)?;
    if !account.may_log_in() {
        return Err(Error::Forbidden);
    }
    // Writing on every request would make every API call contend for SQLite's write lock.
    let at = now();
    let stale =
        |last: Option<chrono::NaiveDateTime>| last.is_none_or(|t| at - t >= ACTIVITY_GRANULARITY);
    if stale(token.last_used_at) {
        api_token::touch(conn, token.id, at).await?;
    }
    if stale(account.last_active_at) {
        local_account::touch(conn, account.id, at).await?;
    }
    Ok(Authenticated { person, account })
}

/// 256 random bits, URL-safe base64.
pub(crate) fn new_secret() -> String {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    URL_SAFE_NO_PAD.encode(secret)
}

/// Tokens carry 256 random bits, so a fast hash is enough: nobody can guess one from its hash.
pub(crate) fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_hex_sha256() {
        // printf 'kwt_abc' | sha256sum
        assert_eq!(
            hash("kwt_abc"),
            "8114f4b2af73b27e408c8fbb43e1e3edd3396ba720e91ae2e2713930cd7c3704"
        );
        assert_ne!(hash("kwt_abc"), hash("kwt_abd"));
    }
}
