//! Federation: how other servers see and reach this node. Actors and their collections,
//! WebFinger, NodeInfo, the inbox front door, the outbox, and the library configuration.

pub mod activities;
pub mod actors;
pub mod authorized_fetch;
pub mod client;
pub mod collections;
pub mod directory;
pub mod group_fanout;
pub mod inbox;
pub mod interaction;
pub mod keys;
pub mod negotiate;
pub mod nodeinfo;
pub mod objects;
pub mod outbox;
pub mod signatures;
pub mod stories;
pub mod urls;
pub mod webfinger;

use activitypub_federation::config::FederationConfig;
use axum::Router;
use axum::routing::get;

use crate::error::{Error, Result};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    let served = Router::new()
        .merge(actors::router())
        .merge(stories::router())
        .merge(directory::router())
        .layer(axum::middleware::from_fn(authorized_fetch::layer));
    Router::new()
        .merge(nodeinfo::router())
        .merge(served)
        .merge(inbox::router())
        .route("/.well-known/webfinger", get(webfinger::webfinger))
}

/// The ActivityPub library's configuration for this node: our domain, our HTTP client (with
/// its address checks), fetches signed by the node actor, debug mode only in development.
pub async fn config(state: &AppState) -> Result<FederationConfig<AppState>> {
    FederationConfig::builder()
        .domain(state.config.domain.clone())
        .app_data(state.clone())
        .client(state.http.clone().into())
        .debug(state.config.development)
        .request_timeout(client::REQUEST_TIMEOUT)
        .signed_fetch_actor(&*state.node_actor)
        // Sign `(request-target) host date` as Mastodon does, not `(created)`/`(expires)`,
        // which older servers (Pleroma, some Mastodon versions) do not understand.
        .http_signature_compat(true)
        // The federation policy: no fetches from servers it refuses.
        .url_verifier(Box::new(crate::service::federation_policy::FetchVerifier(
            state.clone(),
        )))
        .build()
        .await
        .map_err(|e| Error::internal("configuring federation", e))
}
