//! The federation policy for GETs of our ActivityPub JSON (actors, their collections, stories,
//! the directory feed). A request signed with a key on a refused server gets 403 in every mode.
//! In `allowlist` mode the JSON is served only to signed requests from allowed servers
//! (unsigned: 401), as Mastodon's authorized fetch does. The node actor (`/actor`) stays
//! public so that servers can always fetch the key our own signed requests are made with, and
//! HTML for people is never affected.

use activitypub_federation::config::Data;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use super::inbox::{refuse_by_policy, signed_by};
use super::negotiate::wants_json;
use crate::error::{Error, Result};
use crate::service::federation_policy::{self, Mode};
use crate::state::AppState;

pub async fn layer(data: Data<AppState>, request: Request, next: Next) -> Result<Response> {
    if request.method() != Method::GET
        || !wants_json(request.headers())
        || request.uri().path() == "/actor"
    {
        return Ok(next.run(request).await);
    }
    let mode = {
        let mut conn = data.db.conn().await?;
        federation_policy::mode(&mut conn).await?
    };
    if mode == Mode::Allowlist {
        let signer = signed_by(&data, "GET", request.uri(), request.headers())
            .await?
            .ok_or_else(|| {
                Error::BadSignature(
                    "this server serves ActivityPub only to signed requests from servers it \
                     federates with"
                        .into(),
                )
            })?;
        federation_policy::check(&data, &signer.ap_id).await?;
    } else if let Some(key_id) = request
        .headers()
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .and_then(key_id_of)
    {
        // Not verified: a forged key id can only get its own request refused.
        refuse_by_policy(&data, &key_id).await?;
    }
    Ok(next.run(request).await)
}

/// The `keyId` parameter of a `Signature` header.
fn key_id_of(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (name, value) = part.trim().split_once('=')?;
        (name.trim() == "keyId").then(|| value.trim().trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn key_ids_are_read_from_signature_headers() {
        let header = r#"keyId="https://a.example/actor#main-key",algorithm="rsa-sha256",headers="(request-target) host date",signature="abc=""#;
        assert_eq!(
            super::key_id_of(header).as_deref(),
            Some("https://a.example/actor#main-key")
        );
        assert_eq!(super::key_id_of("algorithm=\"x\""), None);
    }
}
