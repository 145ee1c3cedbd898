//! Stories at their ids, and activities we sent at theirs. Public stories are served to anyone;
//! followers-only ones only to a signed request from a follower of the initiative; local-only
//! ones never leave the node as JSON (their HTML page is for visitors here). A deleted story
//! answers 410 with a `Tombstone`.

use activitypub_federation::config::Data;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::actors::PageQuery;
use super::collections;
use super::inbox::signed_by;
use super::negotiate::{activity_json, wants_json};
use super::objects::{article, note};
use crate::db::story::{self, Story, Visibility};
use crate::db::{comment, delivery};
use crate::error::{Error, Result};
use crate::service::story as stories;
use crate::state::AppState;
use crate::web::{self, Visitor};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stories/{id}", get(show))
        .route("/stories/{id}/replies", get(replies))
        .route("/comments/{id}", get(show_comment))
        .route("/comments/{id}/replies", get(comment_replies))
        .route("/activities/{id}", get(activity))
}

/// The story if the requester may have it as JSON.
async fn federated(
    data: &Data<AppState>,
    id: i64,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Story> {
    let found = {
        let mut conn = data.db.conn().await?;
        story::get(&mut conn, id)
            .await
            .map_err(|_| Error::NotFound(format!("story {id}")))?
    };
    if !found.local {
        // Stories from elsewhere are served by their own node.
        return Err(Error::NotFound(format!("story {id}")));
    }
    may_have(data, found, uri, headers).await
}

/// Whether the requester may have this story, or what hangs under it, as JSON. Our comments
/// may hang under a story from elsewhere: then its own node may have them too.
async fn may_have(
    data: &Data<AppState>,
    found: Story,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Story> {
    let id = found.id;
    if found.local {
        // Stories of a local-only initiative stay here, like local-only stories.
        let mut conn = data.db.conn().await?;
        if crate::service::local_only::story_stays_here(&mut conn, &found).await? {
            return Err(Error::NotFound(format!("story {id}")));
        }
    }
    match found.visibility() {
        Visibility::Public => {}
        Visibility::Local => return Err(Error::NotFound(format!("story {id}"))),
        Visibility::Followers => {
            // Verifying may fetch the signer, so no connection is held meanwhile.
            let signer = signed_by(data, "GET", uri, headers).await?;
            let from_its_node = !found.local
                && signer
                    .as_ref()
                    .is_some_and(|s| s.ap_id.origin() == found.ap_id.origin());
            let mut conn = data.db.conn().await?;
            if !from_its_node
                && !stories::may_see_followers_only(&mut conn, &found, signer.as_ref()).await?
            {
                return Err(Error::NotFound(format!("story {id}")));
            }
        }
    }
    Ok(found)
}

async fn show(
    data: Data<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    headers: HeaderMap,
    visitor: Visitor,
) -> Result<Response> {
    if wants_json(&headers) {
        let found = federated(&data, id, &uri, &headers).await?;
        if let Some(deleted) = found.deleted_at {
            let body = article::tombstone(&found.ap_id, "Article", deleted.and_utc());
            return Ok((StatusCode::GONE, activity_json(&body)).into_response());
        }
        let mut conn = data.db.conn().await?;
        return Ok(activity_json(
            &article::to_json(&data, &mut conn, &found).await?,
        ));
    }
    web::story_page(&data, &visitor, &uri, id).await
}

async fn replies(
    data: Data<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Result<Response> {
    let found = federated(&data, id, &uri, &headers).await?;
    let collection_id = data.urls.replies(&found.ap_id);
    Ok(activity_json(
        &collections::replies(&data, &found.ap_id, None, &collection_id, query.page).await?,
    ))
}

/// Our comments at their ids, as public as their story; deleted ones answer 410.
async fn show_comment(
    data: Data<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response> {
    let mut conn = data.db.conn().await?;
    let found = comment::get(&mut conn, id)
        .await
        .ok()
        .filter(|c| c.local)
        .ok_or_else(|| Error::NotFound(format!("comment {id}")))?;
    let parent_story = story::get(&mut conn, found.story_id).await?;
    drop(conn);
    may_have(&data, parent_story, &uri, &headers).await?;
    let mut conn = data.db.conn().await?;
    if let Some(deleted) = found.deleted_at {
        let body = article::tombstone(&found.ap_id, "Note", deleted.and_utc());
        return Ok((StatusCode::GONE, activity_json(&body)).into_response());
    }
    Ok(activity_json(
        &note::to_json(&data, &mut conn, &found).await?,
    ))
}

async fn comment_replies(
    data: Data<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Result<Response> {
    let mut conn = data.db.conn().await?;
    let found = comment::get(&mut conn, id)
        .await
        .ok()
        .filter(|c| c.local)
        .ok_or_else(|| Error::NotFound(format!("comment {id}")))?;
    let parent_story = story::get(&mut conn, found.story_id).await?;
    drop(conn);
    let parent_story = may_have(&data, parent_story, &uri, &headers).await?;
    let collection_id = data.urls.replies(&found.ap_id);
    Ok(activity_json(
        &collections::replies(
            &data,
            &parent_story.ap_id,
            Some(found.id),
            &collection_id,
            query.page,
        )
        .await?,
    ))
}

/// Activities we sent, at their ids: public ones only.
async fn activity(data: Data<AppState>, Path(id): Path<String>) -> Result<Response> {
    let ap_id = data.urls.activity_path(&id)?;
    let mut conn = data.db.conn().await?;
    let found = delivery::find_activity(&mut conn, &ap_id)
        .await?
        .filter(|a| a.public)
        .ok_or_else(|| Error::NotFound("activity".into()))?;
    let body: serde_json::Value = serde_json::from_str(&found.body)?;
    Ok(activity_json(&body))
}
