//! The node itself as an actor: an `Application` (FEP-2677) that signs our fetches and that
//! other nodes can follow. Made at first start; its handle is the node's host name, which no
//! person or initiative can take.

use crate::db::actor::{self, Actor, NewActor, kind};
use crate::db::types::DbUrl;
use crate::db::{Conn, now};
use crate::error::Result;
use crate::federation::keys::KeyPool;
use crate::federation::urls::Urls;

/// The node actor, made with a new key pair if this is the first start.
pub async fn ensure_actor(conn: &mut Conn, urls: &Urls, keys: &KeyPool) -> Result<Actor> {
    if let Some(existing) = actor::find_node(conn).await? {
        return Ok(existing);
    }
    let pair = keys.take().await?;
    let ap_id = DbUrl(urls.node_actor());
    let inbox = urls.shared_inbox();
    let followers = urls.followers(&ap_id);
    let host = urls.base().host_str().unwrap_or("kwartier").to_owned();
    let key_id = crate::federation::urls::main_key_id(&ap_id);
    let at = now();
    actor::insert(
        conn,
        &NewActor {
            ap_id: ap_id.clone(),
            username: &host,
            display_name: None,
            inbox_url: inbox.as_str(),
            shared_inbox_url: Some(inbox.as_str()),
            public_key: &pair.public_pem,
            private_key: Some(&pair.private_pem),
            local: true,
            actor_type: kind::APPLICATION,
            summary: None,
            url: Some(urls.base().as_str()),
            followers_url: Some(followers.as_str()),
            icon_url: None,
            image_url: None,
            manually_approves_followers: false,
            discoverable: true,
            public_key_id: Some(&key_id),
            created_at: at,
            updated_at: at,
            last_refreshed_at: at,
        },
    )
    .await
}
