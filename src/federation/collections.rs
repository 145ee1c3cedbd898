//! Collections as ActivityPub `OrderedCollection`s: counts only (followers, following), short
//! lists (moderators), and paged ones (outbox) with `first`/`next` pages of 20.

use serde_json::{Value, json};
use url::Url;

use super::objects::{article, note};
use crate::db::actor::Actor;
use crate::db::{Conn, comment, delivery, initiative, story};
use crate::error::Result;
use crate::state::AppState;

pub const PAGE_SIZE: i64 = 20;

/// A collection that shows how many, not who (followers lists stay private).
pub fn counted(id: &Url, total: i64) -> Value {
    json!({ "id": id.to_string(), "type": "OrderedCollection", "totalItems": total })
}

/// A short collection with all its items inline.
pub fn listed(id: &Url, items: Vec<String>) -> Value {
    json!({
        "id": id.to_string(),
        "type": "OrderedCollection",
        "totalItems": items.len(),
        "orderedItems": items,
    })
}

/// A paged collection: without `page` the collection with its first page linked, else that
/// page (1-based) with a link to the next when there is one.
pub fn paged(id: &Url, total: i64, page: Option<u32>, items: Vec<Value>) -> Value {
    let page_url = |n: u32| {
        let mut url = id.clone();
        url.set_query(Some(&format!("page={n}")));
        url.to_string()
    };
    match page {
        None => json!({
            "id": id.to_string(),
            "type": "OrderedCollection",
            "totalItems": total,
            "first": page_url(1),
        }),
        Some(n) => {
            let mut value = json!({
                "id": page_url(n),
                "type": "OrderedCollectionPage",
                "partOf": id.to_string(),
                "totalItems": total,
                "orderedItems": items,
            });
            if i64::from(n) * PAGE_SIZE < total {
                value["next"] = Value::String(page_url(n + 1));
            }
            value
        }
    }
}

/// Offset of a 1-based page.
pub fn offset(page: u32) -> i64 {
    i64::from(page.max(1) - 1) * PAGE_SIZE
}

/// An initiative's moderators: the contact person first, then the other members.
pub async fn moderators(conn: &mut Conn, group: &Actor) -> Result<Vec<String>> {
    if crate::db::theme_group::find(conn, group.id)
        .await?
        .is_some()
    {
        let moderators = crate::db::theme_group::moderators(conn, group.id).await?;
        return Ok(moderators.iter().map(|m| m.ap_id.to_string()).collect());
    }
    let details = initiative::get(conn, group.id).await?;
    let mut members = initiative::members(conn, group.id).await?;
    members.sort_by_key(|(member, _)| member.id != details.contact_person_id);
    Ok(members
        .into_iter()
        .map(|(member, _)| member.ap_id.to_string())
        .collect())
}

/// What an actor published to everyone, newest first.
pub async fn outbox(state: &AppState, owner: &Actor, id: &Url, page: Option<u32>) -> Result<Value> {
    let mut conn = state.db.conn().await?;
    let total = delivery::count_public_by(&mut conn, owner.id).await?;
    let items = match page {
        None => Vec::new(),
        Some(n) => delivery::public_by(&mut conn, owner.id, PAGE_SIZE, offset(n))
            .await?
            .into_iter()
            .filter_map(|activity| serde_json::from_str::<Value>(&activity.body).ok())
            .map(|mut activity| {
                if let Some(map) = activity.as_object_mut() {
                    map.remove("@context");
                }
                activity
            })
            .collect(),
    };
    Ok(paged(id, total, page, items))
}

/// An initiative's pinned public stories, as full objects (Mastodon shows them on the profile).
pub async fn featured(state: &AppState, owner: &Actor, id: &Url) -> Result<Value> {
    let mut conn = state.db.conn().await?;
    let mut items = Vec::new();
    for pinned in story::pinned_public(&mut conn, owner.id).await? {
        items.push(serde_json::to_value(
            article::to_json(state, &mut conn, &pinned).await?,
        )?);
    }
    Ok(json!({
        "id": id.to_string(),
        "type": "OrderedCollection",
        "totalItems": items.len(),
        "orderedItems": items,
    }))
}

/// Replies to a story (`parent` = `None`) or a comment, oldest first: our own as full `Note`s,
/// those from elsewhere by id.
pub async fn replies(
    state: &AppState,
    story_ap_id: &Url,
    parent: Option<i64>,
    id: &Url,
    page: Option<u32>,
) -> Result<Value> {
    let mut conn = state.db.conn().await?;
    let found = story::find_by_ap_id(&mut conn, story_ap_id)
        .await?
        .ok_or_else(|| crate::error::Error::NotFound("story".into()))?;
    let total = comment::count_replies(&mut conn, found.id, parent).await?;
    let mut items = Vec::new();
    if let Some(n) = page {
        for reply in comment::replies(&mut conn, found.id, parent, PAGE_SIZE, offset(n)).await? {
            // Ours in full; others' by id, as their own servers serve them (we would only
            // restate them in our words).
            let item = if reply.local {
                serde_json::to_value(note::to_json(state, &mut conn, &reply).await?)?
            } else {
                Value::String(reply.ap_id.to_string())
            };
            items.push(item);
        }
    }
    Ok(paged(id, total, page, items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_link_onwards_until_the_end() {
        let id = Url::parse("https://oss.example/i/tuin/outbox").unwrap();
        let root = paged(&id, 45, None, Vec::new());
        assert_eq!(root["first"], "https://oss.example/i/tuin/outbox?page=1");
        assert_eq!(root["totalItems"], 45);
        let second = paged(&id, 45, Some(2), vec![json!("x")]);
        assert_eq!(second["next"], "https://oss.example/i/tuin/outbox?page=3");
        assert_eq!(second["partOf"], id.as_str());
        let last = paged(&id, 45, Some(3), Vec::new());
        assert!(last.get("next").is_none());
        assert_eq!(offset(3), 40);
        assert_eq!(offset(0), 0);
    }
}
