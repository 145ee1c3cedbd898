//! Invite links: admins make them with an expiry and a use limit, people sign up with them. An
//! invite lets someone in while sign-ups are by invitation and skips approval when sign-ups need
//! it; on a closed node nobody signs up, invite or not.

use std::time::Duration;

use chrono::NaiveDateTime;
use serde_json::json;
use url::Url;

use crate::db::invite::{self, Invite, NewInvite};
use crate::db::{Conn, now};
use crate::error::{Error, Result};
use crate::federation::urls::Urls;
use crate::service::audit::{self, Action, Who};

/// The longest an invite may stay valid.
pub const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);
/// The most sign-ups one invite may allow.
pub const MAX_USES: i32 = 1000;
const NOTE_MAX: usize = 200;

/// What an admin asks for.
#[derive(Debug, Clone, Default)]
pub struct NewInviteRequest {
    /// `None`: valid until revoked.
    pub expires_in: Option<Duration>,
    /// `None`: no limit.
    pub max_uses: Option<i32>,
    /// Who it is for, for the admins' own overview.
    pub note: Option<String>,
}

/// Where an invite stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteState {
    Usable,
    Expired,
    UsedUp,
    Revoked,
}

impl InviteState {
    pub fn of(invite: &Invite, at: NaiveDateTime) -> InviteState {
        if invite.revoked_at.is_some() {
            InviteState::Revoked
        } else if invite.expires_at.is_some_and(|expires| expires <= at) {
            InviteState::Expired
        } else if invite.max_uses.is_some_and(|max| invite.uses >= max) {
            InviteState::UsedUp
        } else {
            InviteState::Usable
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InviteState::Usable => "usable",
            InviteState::Expired => "expired",
            InviteState::UsedUp => "used-up",
            InviteState::Revoked => "revoked",
        }
    }
}

/// The link to hand out.
pub fn link(urls: &Urls, code: &str) -> Url {
    let mut url = urls
        .base()
        .join("signup")
        .unwrap_or_else(|_| urls.base().clone());
    url.query_pairs_mut().append_pair("invite", code);
    url
}

/// The answer for a sign-up with an invite that expired, was used up or revoked.
pub fn no_longer_valid() -> Error {
    Error::Gone("this invite link has expired, been used up or been withdrawn".into())
}

/// Makes an invite and records it in the audit log.
pub async fn create(conn: &mut Conn, who: &Who, request: NewInviteRequest) -> Result<Invite> {
    if let Some(lifetime) = request.expires_in
        && (lifetime < Duration::from_secs(60) || lifetime > MAX_LIFETIME)
    {
        return Err(Error::invalid(
            "expires_in",
            "an invite is valid for at least a minute and at most a year",
        ));
    }
    if let Some(max) = request.max_uses
        && !(1..=MAX_USES).contains(&max)
    {
        return Err(Error::invalid(
            "max_uses",
            format!("between 1 and {MAX_USES} sign-ups, or no limit"),
        ));
    }
    let note = request
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > NOTE_MAX) {
        return Err(Error::invalid(
            "note",
            format!("at most {NOTE_MAX} characters"),
        ));
    }
    let at = now();
    let expires_at = match request.expires_in {
        Some(lifetime) => Some(
            at + chrono::Duration::from_std(lifetime)
                .map_err(|e| Error::internal("invite lifetime", e))?,
        ),
        None => None,
    };
    let code = crate::service::token::new_secret();
    let created_by = match who {
        Who::Account { id, .. } => Some(*id),
        Who::Cli => None,
    };
    let made = invite::insert(
        conn,
        &NewInvite {
            code: &code,
            created_by,
            note,
            max_uses: request.max_uses,
            expires_at,
            created_at: at,
        },
    )
    .await?;
    let target = format!("invite {}", made.id);
    audit::record(
        conn,
        who,
        Action::new("invite.create", &target).with(json!({
            "max_uses": made.max_uses,
            "expires_at": made.expires_at.map(|t| t.and_utc().to_rfc3339()),
            "note": made.note,
        })),
    )
    .await?;
    Ok(made)
}

/// Withdraws an invite so its link stops working; recorded in the audit log.
pub async fn revoke(conn: &mut Conn, who: &Who, code: &str) -> Result<Invite> {
    let found = invite::find(conn, code)
        .await?
        .ok_or_else(|| Error::NotFound("invite".into()))?;
    if !invite::revoke(conn, code, now()).await? {
        return Err(Error::Conflict("this invite was already withdrawn".into()));
    }
    let target = format!("invite {}", found.id);
    audit::record(conn, who, Action::new("invite.revoke", &target)).await?;
    invite::find(conn, code)
        .await?
        .ok_or_else(|| Error::NotFound("invite".into()))
}

/// The invite with this code if it can still be used; [`Error::Gone`] if it no longer can,
/// [`Error::NotFound`] if there is none.
pub async fn usable(conn: &mut Conn, code: &str) -> Result<Invite> {
    let found = invite::find(conn, code)
        .await?
        .ok_or_else(|| Error::NotFound("invite".into()))?;
    match InviteState::of(&found, now()) {
        InviteState::Usable => Ok(found),
        _ => Err(no_longer_valid()),
    }
}

pub async fn list(conn: &mut Conn) -> Result<Vec<Invite>> {
    invite::list(conn).await
}
