//! One delivery attempt: sign the stored activity as its actor and POST it to the inbox.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use url::Url;

use super::backoff;
use crate::db::actor::Actor;
use crate::db::delivery::{Delivery, OutgoingActivity};
use crate::federation::client::check_remote;
use crate::federation::urls::main_key_id;
use crate::state::AppState;

pub const ACTIVITY_JSON: &str = "application/activity+json";

/// What came of an attempt.
pub struct Attempt {
    pub status: Option<StatusCode>,
    pub retry_after: Option<Duration>,
    /// Why it did not work, for the delivery row and the log.
    pub error: Option<String>,
    /// The inbox can never be delivered to (bad URL, unusable key).
    pub hopeless: bool,
}

impl Attempt {
    fn hopeless(error: String) -> Attempt {
        Attempt {
            status: None,
            retry_after: None,
            error: Some(error),
            hopeless: true,
        }
    }
}

pub async fn attempt(
    state: &AppState,
    delivery: &Delivery,
    activity: &OutgoingActivity,
    signer: &Actor,
) -> Attempt {
    let inbox = match Url::parse(&delivery.inbox_url) {
        Ok(url) => url,
        Err(e) => return Attempt::hopeless(format!("invalid inbox URL: {e}")),
    };
    if let Err(e) = check_remote(&inbox, state.config.development) {
        return Attempt::hopeless(e.to_string());
    }
    // The policy may have changed since this was queued (allowlist mode, a new block).
    match crate::service::federation_policy::check(state, &inbox).await {
        Ok(()) => {}
        Err(e @ crate::error::Error::Refused(_)) => return Attempt::hopeless(e.to_string()),
        Err(e) => {
            return Attempt {
                status: None,
                retry_after: None,
                error: Some(e.to_string()),
                hopeless: false,
            };
        }
    }
    // A deleted account's key is emptied once its `Delete` is delivered.
    let Some(private_key) = signer.private_key.as_deref().filter(|k| !k.is_empty()) else {
        return Attempt::hopeless(format!("{} has no private key", signer.ap_id));
    };
    let key_id = signer
        .public_key_id
        .clone()
        .unwrap_or_else(|| main_key_id(&signer.ap_id));
    // An RSA signature takes a fraction of a millisecond: on the blocking pool, so that the
    // runtime's threads keep moving requests meanwhile.
    let (crypto, url, body, private_key) = (
        state.crypto.clone(),
        inbox.clone(),
        activity.body.clone(),
        private_key.to_owned(),
    );
    let signed = tokio::task::spawn_blocking(move || {
        crypto.sign(
            "POST",
            &url,
            Some(body.as_bytes()),
            (&CONTENT_TYPE, ACTIVITY_JSON),
            &key_id,
            &private_key,
        )
    })
    .await;
    let headers = match signed {
        Ok(Ok(headers)) => headers,
        Ok(Err(e)) => return Attempt::hopeless(e.to_string()),
        Err(e) => return Attempt::hopeless(format!("signing failed: {e}")),
    };
    let sent = state
        .http
        .post(inbox)
        .headers(headers)
        .body(activity.body.clone())
        .send()
        .await;
    match sent {
        Ok(response) => {
            let status = response.status();
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| backoff::parse_retry_after(v, SystemTime::now()));
            let error = (!status.is_success()).then(|| status.to_string());
            Attempt {
                status: Some(status),
                retry_after,
                error,
                hopeless: false,
            }
        }
        Err(e) => Attempt {
            status: None,
            retry_after: None,
            error: Some(crate::error::chain(&e)),
            hopeless: false,
        },
    }
}
