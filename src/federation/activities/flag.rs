//! `Flag`: a report. Received from another server (Mastodon sends it from its instance actor,
//! `object` naming the reported account and posts, `content` the comment; Lemmy names one
//! object and puts the reason in `summary`), it lands in our report queue. Sent when a local
//! person agreed to forward a report on content from elsewhere: from this node's actor (never
//! naming the reporter), to the origin server's shared inbox when it has one.

use activitypub_federation::config::Data;
use serde_json::Value;
use url::Url;

use super::{Activity, Incoming, id_of};
use crate::db::actor::{self, Actor};
use crate::db::report;
use crate::db::{Conn, ScopedFutureExt, now};
use crate::error::{Error, Result};
use crate::federation::{inbox, outbox};
use crate::service::text::plain_text;
use crate::state::AppState;

/// Most objects one `Flag` may name.
const MAX_OBJECTS: usize = 50;

/// The ids a `Flag` names: one object or several (Mastodon: the account, then posts).
pub fn objects_of(activity: &Incoming) -> Vec<Url> {
    match &activity.object {
        Value::Array(items) => items.iter().filter_map(id_of).collect(),
        other => id_of(other).into_iter().collect(),
    }
}

/// The reason a `Flag` gives, as plain text: `content` (Mastodon) or `summary` (Lemmy).
pub fn reason_of(activity: &Incoming) -> String {
    [&activity.content, &activity.summary]
        .into_iter()
        .flatten()
        .find_map(Value::as_str)
        .map(plain_text)
        .unwrap_or_default()
}

pub async fn receive(data: &Data<AppState>, signer: &Actor, activity: Incoming) -> Result<()> {
    let objects = objects_of(&activity);
    if objects.is_empty() {
        return Err(Error::BadRequest("Flag names no object".into()));
    }
    if objects.len() > MAX_OBJECTS {
        return Err(Error::BadRequest(format!(
            "Flag names more than {MAX_OBJECTS} objects"
        )));
    }
    let reason = reason_of(&activity);
    let sender = signer.clone();
    let flag_id = activity.id.clone();
    let mut conn = data.db.conn().await?;
    inbox::apply(data, &mut conn, &activity.id, move |conn| {
        async move {
            let stored =
                crate::service::report::receive_flag(conn, &flag_id, &sender, &objects, &reason)
                    .await?;
            tracing::info!(flag = %flag_id, reports = stored, "report received");
            Ok(())
        }
        .scope_boxed()
    })
    .await
}

/// Sends a local person's report to the server the reported content came from, and notes it
/// on the report. Called in the transaction that stored the report.
pub async fn forward(state: &AppState, conn: &mut Conn, report_id: i64) -> Result<()> {
    let found = report::get(conn, report_id).await?;
    let Some(author_id) = found.target_author_id else {
        return Ok(());
    };
    let author = actor::get(conn, author_id).await?;
    if author.local {
        return Ok(());
    }
    let object = Url::parse(&found.target_url)
        .map_err(|e| Error::internal("a stored report names no URL", e))?;
    let mut objects = vec![Value::String(author.ap_id.to_string())];
    if object != *author.ap_id {
        objects.push(Value::String(object.to_string()));
    }
    let node = (*state.node_actor).clone();
    let mut flag = Activity::new(state, "Flag", &node.ap_id, Value::Array(objects));
    flag.to = vec![author.ap_id.to_string()];
    flag.content = Some(found.reason.clone());
    let inbox = author.delivery_inbox().to_owned();
    outbox::store(state, conn, &node, &flag, std::slice::from_ref(&inbox)).await?;
    report::set_forwarded(conn, found.id, flag.id.as_str(), now()).await
}
