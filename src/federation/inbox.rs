//! The inbox front door, for the shared inbox and every actor's own. In order:
//!
//! 1. the body is at most 1 MiB;
//! 2. the request carries an HTTP signature over `(request-target)`, `host`, `date` and `digest`,
//!    with a fresh `Date`, and the `Digest` matches the body;
//! 3. the signer's key is found (our copy of the actor, else one fetch of the key's owner) and
//!    the signature verifies, before anything else the activity names is fetched;
//! 4. the activity's actor is the signer, and its id is on the signer's server (host and port);
//! 5. the activity is applied in one transaction with its id recorded, so a repeat changes
//!    nothing and a failed effect does not count as seen.
//!
//! Every rejection is a 4xx with a message and stores nothing; accepted activities get 202.

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::routing::post;
use url::Url;

use super::activities::{self, Incoming};
use super::objects::ensure_same_origin;
use super::signatures;
use crate::db::actor::{self, Actor};
use crate::db::{Conn, ScopedBoxFuture, ScopedFutureExt, inbox as seen, now};
use crate::error::{Error, Result};
use crate::service::federation_policy;
use crate::state::AppState;

/// Largest activity we accept.
pub const MAX_BODY: usize = 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inbox", post(receive))
        .route("/actor/inbox", post(receive))
        .route("/u/{name}/inbox", post(receive))
        .route("/i/{handle}/inbox", post(receive))
        .route("/g/{handle}/inbox", post(receive))
}

/// What the metrics learn of one POST: the activity's type once read, and the sender's server
/// once its signature verified.
#[derive(Default)]
struct Seen {
    kind: Option<String>,
    peer: Option<String>,
}

async fn receive(data: Data<AppState>, request: Request<Body>) -> Result<StatusCode> {
    let mut seen = Seen::default();
    let result = receive_counted(&data, request, &mut seen).await;
    data.metrics.inbox_received(
        seen.kind.as_deref(),
        seen.peer.as_deref(),
        result.as_ref().map(|_| ()),
        now(),
    );
    result
}

async fn receive_counted(
    data: &Data<AppState>,
    request: Request<Body>,
    seen: &mut Seen,
) -> Result<StatusCode> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| Error::PayloadTooLarge(MAX_BODY))?;
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or(parts.uri.path(), |p| p.as_str());
    let signature = signatures::parse("POST", path_and_query, &parts.headers, true)?;
    signatures::check_digest(&parts.headers, &body)?;
    let activity: Incoming = serde_json::from_slice(&body)
        .map_err(|e| Error::BadRequest(format!("not an activity: {e}")))?;
    seen.kind = Some(activity.kind.clone());
    // The federation policy, before anything is fetched or stored: the signer's server and
    // the activity's actor's server must both be ones we federate with.
    refuse_by_policy(data, signature.key_id()).await?;
    federation_policy::check(data, &activity.actor).await?;

    if activity.kind == "Delete" && activity.object.as_str() == Some(activity.actor.as_str()) {
        let mut conn = data.db.conn().await?;
        if actor::find_by_key_id(&mut conn, signature.key_id())
            .await?
            .is_none()
        {
            // A stranger's account was deleted: its key is gone, and nothing of theirs is here.
            return Ok(StatusCode::ACCEPTED);
        }
    }
    let signer = verified_signer(data, &signature).await?;
    if signer.deleted_at.is_some() {
        return Err(Error::BadSignature(format!("{} was deleted", signer.ap_id)));
    }
    refuse_suspended(data, &signer).await?;
    if activity.actor != *signer.ap_id {
        return Err(Error::BadSignature(format!(
            "signed by {} but the activity's actor is {}",
            signer.ap_id, activity.actor
        )));
    }
    seen.peer = Some(super::urls::authority(&signer.ap_id));
    ensure_same_origin("activity id", &activity.id, &activity.actor)?;
    if data.urls.is_local(&activity.id) {
        return Err(Error::BadRequest(
            "activities from this node are not received here".into(),
        ));
    }

    tracing::debug!(id = %activity.id, kind = %activity.kind, actor = %activity.actor, "received");
    match activity.kind.as_str() {
        "Follow" => activities::follow::receive(data, &signer, activity).await?,
        "Accept" => activities::accept::receive(data, &signer, activity).await?,
        "Reject" => activities::reject::receive(data, &signer, activity).await?,
        "Undo" => activities::undo::receive(data, &signer, activity).await?,
        "Create" => activities::create::receive(data, &signer, activity).await?,
        "Update" => activities::update::receive(data, &signer, activity).await?,
        "Delete" => activities::delete::receive(data, &signer, activity).await?,
        "Like" => activities::like::receive(data, &signer, activity).await?,
        "Announce" => activities::announce::receive(data, &signer, activity).await?,
        "Add" | "Remove" => activities::add::receive(data, &signer, activity).await?,
        "Flag" => activities::flag::receive(data, &signer, activity).await?,
        other => tracing::debug!(kind = other, "activity type not handled; ignored"),
    }
    // Discovery: the signer's server may be a Kwartier node; the next sync round probes it.
    if let Err(err) = crate::service::directory::peers::note_traffic(data, &signer.ap_id).await {
        tracing::warn!(error = %err, "cannot note a peer from traffic");
    }
    Ok(StatusCode::ACCEPTED)
}

/// The actor who signed a request (a GET to a followers-only object, say), once the signature
/// verifies; `None` for an unsigned request.
pub async fn signed_by(
    data: &Data<AppState>,
    method: &str,
    uri: &axum::http::Uri,
    headers: &axum::http::HeaderMap,
) -> Result<Option<Actor>> {
    if !headers.contains_key("signature") {
        return Ok(None);
    }
    let path_and_query = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let signature = signatures::parse(method, path_and_query, headers, false)?;
    refuse_by_policy(data, signature.key_id()).await?;
    let signer = verified_signer(data, &signature).await?;
    refuse_suspended(data, &signer).await?;
    Ok(Some(signer))
}

/// `Error::Refused` if a moderator suspended this remote actor (a report's action).
async fn refuse_suspended(data: &AppState, signer: &Actor) -> Result<()> {
    let mut conn = data.db.conn().await?;
    if crate::db::report::actor_suspended(&mut conn, signer.id).await? {
        return Err(Error::Refused(format!(
            "{} is suspended on this server",
            signer.ap_id
        )));
    }
    Ok(())
}

/// `Error::Refused` if the federation policy refuses the server of a signature's key.
pub(crate) async fn refuse_by_policy(data: &AppState, key_id: &str) -> Result<()> {
    let key = Url::parse(key_id)
        .map_err(|_| Error::BadSignature(format!("keyId {key_id:?} is not a URL")))?;
    federation_policy::check(data, &key).await
}

/// The actor whose key made the signature, once it verifies. A key we know is tried first; if
/// it does not verify, the actor is fetched again (it may have a new key) and tried once more.
async fn verified_signer(
    data: &Data<AppState>,
    signature: &http_signature_normalization::verify::Unverified,
) -> Result<Actor> {
    let key_id = signature.key_id();
    if let Some(recent) = data.crypto.signer(key_id)
        && data.crypto.verify(signature, &recent.public_key).is_ok()
    {
        return Ok((*recent).clone());
    }
    let known = {
        let mut conn = data.db.conn().await?;
        actor::find_by_key_id(&mut conn, key_id).await?
    };
    if let Some(known) = known {
        if data.crypto.verify(signature, &known.public_key).is_ok() {
            data.crypto.remember_signer(key_id, &known);
            return Ok(known);
        }
        let refreshed = ObjectId::<Actor>::from(known.ap_id.0.clone())
            .dereference_forced(data)
            .await
            .map_err(|e| {
                Error::BadSignature(format!("cannot refresh the signer {}: {e}", known.ap_id))
            })?;
        return verify_with(data, signature, refreshed);
    }
    let mut owner = Url::parse(key_id)
        .map_err(|_| Error::BadSignature(format!("keyId {key_id:?} is not a URL")))?;
    owner.set_fragment(None);
    let fetched = ObjectId::<Actor>::from(owner)
        .dereference(data)
        .await
        .map_err(|e| Error::BadSignature(format!("cannot fetch the key {key_id}: {e}")))?;
    if fetched.public_key_id.as_deref() != Some(key_id) {
        return Err(Error::BadSignature(format!(
            "{key_id} is not the key of {}",
            fetched.ap_id
        )));
    }
    verify_with(data, signature, fetched)
}

fn verify_with(
    data: &AppState,
    signature: &http_signature_normalization::verify::Unverified,
    signer: Actor,
) -> Result<Actor> {
    data.crypto.verify(signature, &signer.public_key)?;
    data.crypto.remember_signer(signature.key_id(), &signer);
    Ok(signer)
}

/// Applies an activity's effects once: in one transaction with its id recorded as seen. A
/// repeated id is acknowledged and changes nothing.
pub async fn apply<'a, F>(
    state: &'a AppState,
    conn: &mut Conn,
    activity_id: &'a Url,
    effects: F,
) -> Result<()>
where
    F: for<'r> FnOnce(&'r mut Conn) -> ScopedBoxFuture<'a, 'r, Result<()>> + Send + 'a,
{
    let at = now();
    let applied = conn
        .transaction(|conn| {
            async move {
                if !seen::claim(conn, activity_id, at).await? {
                    return Ok(false);
                }
                effects(conn).await?;
                Ok(true)
            }
            .scope_boxed()
        })
        .await?;
    if applied {
        // Effects may have queued deliveries (an Accept, say).
        state.deliveries.wake();
    } else {
        tracing::debug!(id = %activity_id, "already received; ignored");
    }
    Ok(())
}
