//! Administering local accounts: approving and rejecting sign-ups, suspending and lifting a
//! suspension, resetting a password, and roles (member, moderator, admin). Each change is one
//! transaction with its audit entry; none of it federates.

use serde_json::json;

use super::account::find;
use super::audit::{self, Action, Who};
use super::password;
use crate::db::actor::{self, Actor};
use crate::db::local_account::{self, LocalAccount};
use crate::db::{Conn, ScopedFutureExt, api_token, now, web_session};
use crate::error::{Error, Result};

/// A role on this node, as admins grant it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Member,
    Moderator,
    Admin,
}

impl Role {
    pub fn of(account: &LocalAccount) -> Role {
        if account.admin {
            Role::Admin
        } else if account.moderator {
            Role::Moderator
        } else {
            Role::Member
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Role, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "member" | "lid" => Ok(Role::Member),
            "moderator" => Ok(Role::Moderator),
            "admin" | "beheerder" => Ok(Role::Admin),
            other => Err(format!(
                "{other:?} is not a role: member, moderator or admin"
            )),
        }
    }
}

fn target(person: &Actor) -> String {
    format!("@{}", person.username)
}

/// Every account with its person, pending sign-ups first.
pub async fn list(conn: &mut Conn) -> Result<Vec<(LocalAccount, Actor)>> {
    local_account::all_with_person(conn).await
}

/// Lets a pending sign-up log in.
pub async fn approve(conn: &mut Conn, who: &Who, username: &str) -> Result<()> {
    let (person, account) = find(conn, username).await?;
    if account.approved {
        return Err(Error::Conflict(format!("@{username} is approved already")));
    }
    let who = who.clone();
    conn.transaction(|conn| {
        async move {
            local_account::set_approved(conn, account.id).await?;
            audit::record(conn, &who, Action::new("account.approve", &target(&person))).await
        }
        .scope_boxed()
    })
    .await
}

/// Refuses a pending sign-up: the account and its person are deleted (they never federated).
pub async fn reject(
    conn: &mut Conn,
    who: &Who,
    username: &str,
    reason: Option<&str>,
) -> Result<()> {
    let (person, account) = find(conn, username).await?;
    if account.approved {
        return Err(Error::Conflict(format!(
            "@{username} is not waiting for approval; suspend the account instead"
        )));
    }
    let who = who.clone();
    let reason = reason.map(str::to_owned);
    conn.transaction(|conn| {
        async move {
            actor::delete_never_federated(conn, person.id).await?;
            let target = target(&person);
            let action = Action::new("account.reject", &target)
                .because(reason.as_deref())
                .with(json!({ "signup_answer": account.signup_answer }));
            audit::record(conn, &who, action).await
        }
        .scope_boxed()
    })
    .await
}

/// Suspends an account: it cannot log in, and its sessions and tokens end now. A reason is
/// required.
pub async fn suspend(
    conn: &mut Conn,
    who: &Who,
    username: &str,
    reason: Option<&str>,
) -> Result<()> {
    let reason = audit::require_reason(reason)?.to_owned();
    let (person, account) = find(conn, username).await?;
    if account.suspended_at.is_some() {
        return Err(Error::Conflict(format!("@{username} is suspended already")));
    }
    if let Who::Account { id, .. } = who
        && *id == account.id
    {
        return Err(Error::invalid("username", "you cannot suspend yourself"));
    }
    let who = who.clone();
    conn.transaction(|conn| {
        async move {
            local_account::set_suspended(conn, account.id, Some((now(), &reason))).await?;
            let sessions = web_session::delete_all(conn, account.id).await?;
            let tokens = api_token::delete_all(conn, account.id).await?;
            let target = target(&person);
            let action = Action::new("account.suspend", &target)
                .because(Some(&reason))
                .with(json!({ "sessions_ended": sessions, "tokens_revoked": tokens }));
            audit::record(conn, &who, action).await
        }
        .scope_boxed()
    })
    .await
}

/// Lifts a suspension; the person logs in again with their password.
pub async fn unsuspend(
    conn: &mut Conn,
    who: &Who,
    username: &str,
    reason: Option<&str>,
) -> Result<()> {
    let (person, account) = find(conn, username).await?;
    if account.suspended_at.is_none() {
        return Err(Error::Conflict(format!("@{username} is not suspended")));
    }
    let who = who.clone();
    let reason = reason.map(str::to_owned);
    conn.transaction(|conn| {
        async move {
            local_account::set_suspended(conn, account.id, None).await?;
            let target = target(&person);
            let action = Action::new("account.unsuspend", &target).because(reason.as_deref());
            audit::record(conn, &who, action).await
        }
        .scope_boxed()
    })
    .await
}

/// Gives the account a new generated password (returned, to pass on) and ends its sessions.
pub async fn reset_password(conn: &mut Conn, who: &Who, username: &str) -> Result<String> {
    let (person, account) = find(conn, username).await?;
    let plain = password::generate();
    let hash = password::hash(plain.clone()).await?;
    let who = who.clone();
    conn.transaction(|conn| {
        async move {
            local_account::set_password_hash(conn, account.id, &hash).await?;
            web_session::delete_all(conn, account.id).await?;
            audit::record(
                conn,
                &who,
                Action::new("account.reset_password", &target(&person)),
            )
            .await
        }
        .scope_boxed()
    })
    .await?;
    Ok(plain)
}

/// Makes the account a member, moderator or admin. The last admin cannot step down.
pub async fn set_role(conn: &mut Conn, who: &Who, username: &str, role: Role) -> Result<()> {
    let (person, account) = find(conn, username).await?;
    let before = Role::of(&account);
    if before == role {
        return Ok(());
    }
    if before == Role::Admin && local_account::count_admins(conn).await? <= 1 {
        return Err(Error::invalid(
            "role",
            "this is the only admin: make someone else admin first",
        ));
    }
    let who = who.clone();
    conn.transaction(|conn| {
        async move {
            local_account::set_roles(
                conn,
                account.id,
                role == Role::Admin,
                role == Role::Moderator,
            )
            .await?;
            let target = target(&person);
            let action = Action::new("account.role", &target)
                .with(json!({ "from": before.as_str(), "to": role.as_str() }));
            audit::record(conn, &who, action).await
        }
        .scope_boxed()
    })
    .await
}
