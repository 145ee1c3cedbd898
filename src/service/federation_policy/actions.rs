//! Changing the federation policy: the mode, blocks and allows. Each change is one
//! transaction with its audit entry. A suspension also severs follows both ways with the
//! domain and drops deliveries still queued for it; lifting it leaves nothing behind, so new
//! follows and deliveries simply work again.

use serde_json::json;

use super::{Mode, Severity, covers, normalize_domain};
use crate::db::domain_policy::{self, DomainRule, NewDomainRule, kind};
use crate::db::{Conn, ScopedFutureExt, delivery, follow, node_settings, now};
use crate::error::{Error, Result};
use crate::service::audit::{self, Action, Who};

/// A block to add or change.
#[derive(Debug, Clone)]
pub struct Block<'a> {
    pub domain: &'a str,
    pub severity: Severity,
    /// Shown publicly and exported.
    pub reason: Option<&'a str>,
    /// For the admins only.
    pub private_reason: Option<&'a str>,
}

/// What a block did besides storing the rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockOutcome {
    /// `true` if the domain had a block already (now replaced).
    pub updated: bool,
    pub follows_severed: usize,
    pub deliveries_dropped: usize,
}

fn clean(text: Option<&str>) -> Result<Option<&str>> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    if text.is_some_and(|t| t.chars().count() > 1000) {
        return Err(Error::invalid("reason", "at most 1000 characters"));
    }
    Ok(text)
}

/// Sets the federation mode.
pub async fn set_mode(conn: &mut Conn, who: &Who, mode: Mode) -> Result<()> {
    let who = who.clone();
    conn.transaction(|conn| {
        async move {
            node_settings::ensure(conn, None).await?;
            node_settings::set_federation_mode(conn, mode.as_str()).await?;
            audit::record(conn, &who, Action::new("federation.mode", mode.as_str())).await
        }
        .scope_boxed()
    })
    .await
}

/// Blocks a domain (and its subdomains), or changes its block.
pub async fn block(
    conn: &mut Conn,
    who: &Who,
    block: Block<'_>,
) -> Result<(DomainRule, BlockOutcome)> {
    let domain = normalize_domain(block.domain)?;
    let reason = clean(block.reason)?;
    let private_reason = clean(block.private_reason)?;
    let who = who.clone();
    let severity = block.severity;
    conn.transaction(|conn| {
        async move {
            let at = now();
            let updated = domain_policy::find(conn, &domain, kind::BLOCK)
                .await?
                .is_some();
            let rule = domain_policy::upsert(
                conn,
                &NewDomainRule {
                    domain: &domain,
                    kind: kind::BLOCK,
                    severity: Some(severity.as_str()),
                    public_comment: reason,
                    private_comment: private_reason,
                    created_by: who.name(),
                    created_at: at,
                    updated_at: at,
                },
            )
            .await?;
            let mut outcome = BlockOutcome {
                updated,
                ..BlockOutcome::default()
            };
            if severity == Severity::Suspend {
                outcome.follows_severed = sever_follows(conn, &domain).await?;
                outcome.deliveries_dropped = drop_deliveries(conn, &domain).await?;
            }
            audit::record(
                conn,
                &who,
                Action::new("domain.block", &domain)
                    .because(reason)
                    .with(json!({
                        "severity": severity.as_str(),
                        "private_reason": private_reason,
                        "updated": updated,
                        "follows_severed": outcome.follows_severed,
                        "deliveries_dropped": outcome.deliveries_dropped,
                    })),
            )
            .await?;
            Ok((rule, outcome))
        }
        .scope_boxed()
    })
    .await
}

/// Lifts a domain's block. `NotFound` if it has none.
pub async fn unblock(conn: &mut Conn, who: &Who, domain: &str) -> Result<()> {
    remove(conn, who, domain, kind::BLOCK, "domain.unblock").await
}

/// Puts a domain (and its subdomains) on the allowlist; returns whether it was there already.
pub async fn allow(conn: &mut Conn, who: &Who, domain: &str, reason: Option<&str>) -> Result<bool> {
    let domain = normalize_domain(domain)?;
    let reason = clean(reason)?;
    let who = who.clone();
    conn.transaction(|conn| {
        async move {
            let at = now();
            let existed = domain_policy::find(conn, &domain, kind::ALLOW)
                .await?
                .is_some();
            domain_policy::upsert(
                conn,
                &NewDomainRule {
                    domain: &domain,
                    kind: kind::ALLOW,
                    severity: None,
                    public_comment: reason,
                    private_comment: None,
                    created_by: who.name(),
                    created_at: at,
                    updated_at: at,
                },
            )
            .await?;
            audit::record(
                conn,
                &who,
                Action::new("domain.allow", &domain).because(reason),
            )
            .await?;
            Ok(existed)
        }
        .scope_boxed()
    })
    .await
}

/// Takes a domain off the allowlist. `NotFound` if it is not on it.
pub async fn disallow(conn: &mut Conn, who: &Who, domain: &str) -> Result<()> {
    remove(conn, who, domain, kind::ALLOW, "domain.disallow").await
}

async fn remove(
    conn: &mut Conn,
    who: &Who,
    domain: &str,
    rule_kind: &'static str,
    action: &'static str,
) -> Result<()> {
    let domain = normalize_domain(domain)?;
    let who = who.clone();
    conn.transaction(|conn| {
        async move {
            if !domain_policy::delete(conn, &domain, rule_kind).await? {
                return Err(Error::NotFound(format!("a {rule_kind} rule for {domain}")));
            }
            audit::record(conn, &who, Action::new(action, &domain)).await
        }
        .scope_boxed()
    })
    .await
}

/// Removes every follow between a local actor and one on the domain. Returns how many.
async fn sever_follows(conn: &mut Conn, domain: &str) -> Result<usize> {
    let ids: Vec<i64> = follow::with_remote_side(conn)
        .await?
        .into_iter()
        .filter(|(_, remote)| super::host_of(remote).is_some_and(|host| covers(domain, &host)))
        .map(|(id, _)| id)
        .collect();
    if ids.is_empty() {
        return Ok(0);
    }
    follow::delete_many(conn, &ids).await
}

/// Drops deliveries still queued for the domain. Returns how many.
async fn drop_deliveries(conn: &mut Conn, domain: &str) -> Result<usize> {
    let peers: Vec<String> = delivery::pending_peers(conn)
        .await?
        .into_iter()
        .filter(|peer| covers(domain, peer))
        .collect();
    if peers.is_empty() {
        return Ok(0);
    }
    delivery::drop_pending_to(conn, &peers).await
}
