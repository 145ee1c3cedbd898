//! WebFinger (`/.well-known/webfinger`): finds local actors by `acct:name@domain` or by their
//! URL. People, initiatives and the node share one namespace, so a name means one actor.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use url::Url;

use crate::db::actor::{self, Actor};
use crate::error::{Error, Result};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Resource {
    resource: String,
}

pub async fn webfinger(
    State(state): State<AppState>,
    Query(query): Query<Resource>,
) -> Result<Response> {
    let resource = query.resource.trim();
    let mut conn = state.db.conn().await?;
    let found = if let Some(acct) = resource.strip_prefix("acct:") {
        let acct = acct.trim_start_matches('@');
        let (name, domain) = acct
            .rsplit_once('@')
            .ok_or_else(|| Error::BadRequest("resource must be acct:name@domain".into()))?;
        if !domain.eq_ignore_ascii_case(&state.urls.authority()) {
            return Err(Error::NotFound(format!("{domain} is not this node")));
        }
        actor::find_local(&mut conn, name).await?
    } else {
        let url = Url::parse(resource)
            .map_err(|_| Error::BadRequest("resource must be acct:name@domain or a URL".into()))?;
        actor::find_by_ap_id(&mut conn, &url)
            .await?
            .filter(|a| a.local)
    };
    // A deleted account's name stays taken, and says so.
    if found.as_ref().is_some_and(|a| a.deleted_at.is_some()) {
        return Err(Error::Gone(resource.to_string()));
    }
    let actor = found
        // Local-only spaces do not exist for other servers.
        .filter(|a| !a.local_only)
        .ok_or_else(|| Error::NotFound(resource.to_string()))?;
    Ok(jrd(&state, &actor))
}

fn jrd(state: &AppState, actor: &Actor) -> Response {
    let subject = format!("acct:{}@{}", actor.username, state.urls.authority());
    let profile = actor.url.clone().unwrap_or_else(|| actor.ap_id.to_string());
    let body = json!({
        "subject": subject,
        "aliases": [actor.ap_id.to_string(), profile],
        "links": [
            { "rel": "self", "type": "application/activity+json", "href": actor.ap_id.to_string() },
            { "rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile },
        ],
    });
    let mut response = Json(body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jrd+json"),
    );
    response
}
