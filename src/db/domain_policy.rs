//! Domain rules of the federation policy: blocks (with severity) and allows, one row per
//! domain and kind. The rules' meaning lives in `service::federation_policy`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::domain_policy;
use crate::error::Result;
use crate::run;

pub mod kind {
    pub const BLOCK: &str = "block";
    pub const ALLOW: &str = "allow";
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = domain_policy, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct DomainRule {
    pub id: i64,
    pub domain: String,
    /// `block` or `allow`.
    pub kind: String,
    /// Blocks: `silence` or `suspend`.
    pub severity: Option<String>,
    pub public_comment: Option<String>,
    pub private_comment: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = domain_policy, treat_none_as_null = true)]
pub struct NewDomainRule<'a> {
    pub domain: &'a str,
    pub kind: &'a str,
    pub severity: Option<&'a str>,
    pub public_comment: Option<&'a str>,
    pub private_comment: Option<&'a str>,
    pub created_by: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The rule of this kind for exactly this domain.
pub async fn find(conn: &mut Conn, domain: &str, rule_kind: &str) -> Result<Option<DomainRule>> {
    Ok(run!(conn, |c| domain_policy::table
        .filter(domain_policy::domain.eq(domain))
        .filter(domain_policy::kind.eq(rule_kind))
        .select(DomainRule::as_select())
        .first(c)
        .await
        .optional())?)
}

/// Inserts the rule, or replaces the one of the same domain and kind (keeping its
/// `created_at`). Returns the row.
pub async fn upsert(conn: &mut Conn, new: &NewDomainRule<'_>) -> Result<DomainRule> {
    if let Some(existing) = find(conn, new.domain, new.kind).await? {
        return Ok(run!(conn, |c| diesel::update(
            domain_policy::table.find(existing.id)
        )
        .set((
            domain_policy::severity.eq(new.severity),
            domain_policy::public_comment.eq(new.public_comment),
            domain_policy::private_comment.eq(new.private_comment),
            domain_policy::created_by.eq(new.created_by),
            domain_policy::updated_at.eq(new.updated_at),
        ))
        .returning(DomainRule::as_returning())
        .get_result(c)
        .await)?);
    }
    Ok(run!(conn, |c| diesel::insert_into(domain_policy::table)
        .values(new)
        .returning(DomainRule::as_returning())
        .get_result(c)
        .await)?)
}

/// Removes the rule of this kind for exactly this domain; whether there was one.
pub async fn delete(conn: &mut Conn, domain: &str, rule_kind: &str) -> Result<bool> {
    let removed = run!(conn, |c| diesel::delete(
        domain_policy::table
            .filter(domain_policy::domain.eq(domain))
            .filter(domain_policy::kind.eq(rule_kind))
    )
    .execute(c)
    .await)?;
    Ok(removed > 0)
}

/// The rules for any of these domains (a host and its parent domains).
pub async fn for_domains(conn: &mut Conn, domains: &[String]) -> Result<Vec<DomainRule>> {
    Ok(run!(conn, |c| domain_policy::table
        .filter(domain_policy::domain.eq_any(domains))
        .select(DomainRule::as_select())
        .load(c)
        .await)?)
}

/// Every rule, by domain then kind.
pub async fn all(conn: &mut Conn) -> Result<Vec<DomainRule>> {
    Ok(run!(conn, |c| domain_policy::table
        .order((domain_policy::domain.asc(), domain_policy::kind.asc()))
        .select(DomainRule::as_select())
        .load(c)
        .await)?)
}
