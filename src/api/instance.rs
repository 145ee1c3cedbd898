//! `/api/v1/instance/domain_blocks`: this node's domain blocks, public, in Mastodon's format, so
//! other nodes (and Mastodon tools) can read or subscribe to the list. Like Mastodon, every
//! block is listed; `comment` is the public reason and is left out when there is none (a
//! private reason never leaves the node).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::db::domain_policy::kind;
use crate::error::Result;
use crate::service::federation_policy;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/instance/domain_blocks", get(domain_blocks))
}

/// One blocked domain, as Mastodon's `DomainBlock` entity.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct DomainBlock {
    /// The blocked domain (and its subdomains).
    domain: String,
    /// SHA-256 of `domain`, hex.
    digest: String,
    /// `silence` or `suspend`.
    severity: String,
    /// The public reason, if the node gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

/// The domains this node blocks, by domain. Public: no token needed.
#[utoipa::path(get, path = "/api/v1/instance/domain_blocks", tag = "instance",
    responses((status = 200, body = Vec<DomainBlock>)))]
pub(super) async fn domain_blocks(State(state): State<AppState>) -> Result<Json<Vec<DomainBlock>>> {
    let mut conn = state.db.conn().await?;
    let rules = federation_policy::list(&mut conn).await?;
    Ok(Json(
        rules
            .into_iter()
            .filter(|r| r.kind == kind::BLOCK)
            .map(|r| DomainBlock {
                digest: hex_sha256(&r.domain),
                severity: r.severity.unwrap_or_else(|| "suspend".into()),
                comment: r.public_comment,
                domain: r.domain,
            })
            .collect(),
    ))
}

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn digests_are_hex_sha256() {
        assert_eq!(
            super::hex_sha256("example.com"),
            "a379a6f6eeafb9a55e378c118034e2751e682fab9f2d30ab13d2125586ce1947"
        );
    }
}
