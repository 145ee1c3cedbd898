//! Remote follow: sending a visitor to their own server to follow an actor of ours. Their
//! server's WebFinger names its "subscribe" page (OStatus' `…/subscribe` link with a `{uri}`
//! template, as Mastodon, Pleroma, Friendica and GoToSocial publish); without one we use
//! Mastodon's `/authorize_interaction?uri=`.

use serde::Deserialize;
use url::Url;

use super::client::check_remote;
use crate::error::{Error, Result};
use crate::state::AppState;

const SUBSCRIBE_REL: &str = "http://ostatus.org/schema/1.0/subscribe";
/// A WebFinger document is small; anything bigger is not one.
const MAX_BODY: usize = 64 * 1024;

#[derive(Deserialize)]
struct Jrd {
    #[serde(default)]
    links: Vec<JrdLink>,
}

#[derive(Deserialize)]
struct JrdLink {
    rel: Option<String>,
    template: Option<String>,
}

/// Where to send someone with the account `account` (`@name@server` or `name@server`) to follow
/// `target`, an actor id of ours.
pub async fn authorize_url(state: &AppState, account: &str, target: &Url) -> Result<Url> {
    let account = account.trim().trim_start_matches('@');
    let invalid = || Error::invalid("account", "give your account as @name@server");
    let (name, host) = account.split_once('@').ok_or_else(invalid)?;
    if name.is_empty() || host.is_empty() || host.contains(['/', '?', '#', '@']) {
        return Err(invalid());
    }
    let base =
        Url::parse(&format!("{}://{host}/", state.config.scheme())).map_err(|_| invalid())?;
    check_remote(&base, state.config.development).map_err(|_| invalid())?;
    let template = match subscribe_template(state, &base, account).await {
        Ok(Some(template)) => template,
        Ok(None) => format!("{base}authorize_interaction?uri={{uri}}"),
        Err(err) => {
            tracing::debug!(error = %err, host, "remote follow: no WebFinger answer");
            return Err(Error::invalid("account", "that server cannot be reached"));
        }
    };
    let encoded: String =
        url::form_urlencoded::byte_serialize(target.as_str().as_bytes()).collect();
    let url = Url::parse(&template.replace("{uri}", &encoded))
        .map_err(|_| Error::invalid("account", "that server gives no usable follow page"))?;
    check_remote(&url, state.config.development)
        .map_err(|_| Error::invalid("account", "that server gives no usable follow page"))?;
    Ok(url)
}

async fn subscribe_template(state: &AppState, base: &Url, account: &str) -> Result<Option<String>> {
    let mut url = base
        .join(".well-known/webfinger")
        .map_err(|e| Error::internal("url", e))?;
    url.query_pairs_mut()
        .append_pair("resource", &format!("acct:{account}"));
    let response = state
        .http
        .get(url)
        .header("accept", "application/jrd+json, application/json")
        .send()
        .await
        .map_err(|e| Error::Remote(e.to_string()))?;
    if !response.status().is_success() {
        return Ok(None);
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| Error::Remote(e.to_string()))?;
    if body.len() > MAX_BODY {
        return Ok(None);
    }
    let Ok(jrd) = serde_json::from_slice::<Jrd>(&body) else {
        return Ok(None);
    };
    Ok(jrd
        .links
        .into_iter()
        .find(|l| l.rel.as_deref() == Some(SUBSCRIBE_REL))
        .and_then(|l| l.template)
        .filter(|t| t.contains("{uri}")))
}
