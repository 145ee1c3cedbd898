//! The directory's wire format, both ways: the JSON of an entry (a `Group` with
//! `kwartier:kind`, themes as `Hashtag`s, a `Place`, follower count and last activity) or of a
//! withdrawn one (a `Tombstone`), each with its `kwartier:seq`; and reading what a peer serves
//! into index entries, checking every value, since peers are strangers.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use crate::db::directory::{EntryFields, KIND_GROUP, KIND_INITIATIVE};
use crate::federation::objects::{Place, deserialize_one_or_many, truncate};
use crate::federation::urls::authority;
use crate::service::text;

/// `kwartier:kind` of initiatives and of theme groups (networks).
pub const WIRE_INITIATIVE: &str = "Initiative";
pub const WIRE_NETWORK: &str = "Network";

/// Longest name, handle part and summary an entry from a peer keeps.
const NAME_MAX: usize = 200;
const USERNAME_MAX: usize = 100;
pub const SUMMARY_MAX: usize = 1_000;
/// Most themes an entry from a peer keeps.
const THEMES_MAX: usize = 20;

/// The published JSON of an entry without its `seq`: what is stored and fingerprinted.
pub fn entry_body(fields: &EntryFields, themes: &[String]) -> Value {
    let kind = if fields.kind == KIND_GROUP {
        WIRE_NETWORK
    } else {
        WIRE_INITIATIVE
    };
    let username = fields
        .handle
        .split_once('@')
        .map_or(fields.handle.as_str(), |(user, _)| user);
    let mut body = json!({
        "type": "Group",
        "id": fields.ap_id,
        "kind": kind,
        "name": fields.name,
        "preferredUsername": username,
        "summary": fields.summary,
        "tag": themes
            .iter()
            .map(|t| json!({"type": "Hashtag", "name": format!("#{}", t.trim_start_matches('#'))}))
            .collect::<Vec<_>>(),
        "followerCount": fields.follower_count,
        "updated": fields.updated_at.and_utc(),
    });
    let Some(map) = body.as_object_mut() else {
        return body;
    };
    if let Some(url) = &fields.url {
        map.insert("url".into(), json!(url));
    }
    if let Some(place) = &fields.place_name {
        let mut location = json!({"type": "Place", "name": place});
        if let (Some(lat), Some(lon), Some(loc)) =
            (fields.latitude, fields.longitude, location.as_object_mut())
        {
            loc.insert("latitude".into(), json!(lat));
            loc.insert("longitude".into(), json!(lon));
        }
        map.insert("location".into(), location);
    }
    if let Some(at) = fields.last_activity_at {
        map.insert("lastActivity".into(), json!(at.and_utc()));
    }
    body
}

/// An entry as served in a page: its body and its position in the feed.
pub fn entry_json(fields: &EntryFields, themes: &[String], seq: i64) -> Value {
    with_seq(entry_body(fields, themes), seq)
}

/// A withdrawn entry as served in a page.
pub fn tombstone_json(ap_id: &str, seq: i64, deleted: NaiveDateTime) -> Value {
    json!({
        "type": "Tombstone",
        "id": ap_id,
        "formerType": "Group",
        "deleted": deleted.and_utc(),
        "seq": seq,
    })
}

/// A stored body with its `seq` added.
pub fn with_seq(mut body: Value, seq: i64) -> Value {
    if let Some(map) = body.as_object_mut() {
        map.insert("seq".into(), json!(seq));
    }
    body
}

/// One item of a peer's page, as read.
#[derive(Debug, Clone, PartialEq)]
#[allow(
    clippy::large_enum_variant,
    reason = "items live briefly in one page's list; most are entries anyway"
)]
pub enum Item {
    Entry {
        fields: EntryFields,
        themes: Vec<String>,
        seq: i64,
    },
    Withdrawn {
        ap_id: String,
        seq: i64,
    },
}

impl Item {
    pub fn seq(&self) -> i64 {
        match self {
            Item::Entry { seq, .. } | Item::Withdrawn { seq, .. } => *seq,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupJson {
    #[serde(alias = "kwartier:kind")]
    kind: String,
    name: String,
    preferred_username: String,
    #[serde(default)]
    summary: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::federation::objects::deserialize_loose_url"
    )]
    url: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    tag: Vec<TagJson>,
    #[serde(
        default,
        deserialize_with = "activitypub_federation::protocol::helpers::deserialize_skip_error"
    )]
    location: Option<Place>,
    #[serde(default, alias = "kwartier:followerCount")]
    follower_count: Option<i64>,
    #[serde(
        default,
        alias = "kwartier:lastActivity",
        deserialize_with = "activitypub_federation::protocol::helpers::deserialize_skip_error"
    )]
    last_activity: Option<DateTime<Utc>>,
    #[serde(
        default,
        deserialize_with = "activitypub_federation::protocol::helpers::deserialize_skip_error"
    )]
    updated: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct TagJson {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: Option<String>,
}

/// Reads one item a peer serves as `node`'s. `None` (the caller skips it) for anything that is
/// not a well-formed entry or tombstone of `node`: an id on another host above all, so no node
/// writes entries for another. `development` allows `http://` ids.
pub fn read_item(value: &Value, node: &str, development: bool, now: NaiveDateTime) -> Option<Item> {
    let seq = value
        .get("seq")
        .or_else(|| value.get("kwartier:seq"))?
        .as_i64()
        .filter(|s| *s > 0)?;
    let id = Url::parse(value.get("id")?.as_str()?).ok()?;
    if authority(&id) != node
        || crate::federation::client::check_remote(&id, development).is_err()
        || id.as_str().len() > 2_000
    {
        return None;
    }
    match value.get("type")?.as_str()? {
        "Tombstone" => Some(Item::Withdrawn {
            ap_id: id.to_string(),
            seq,
        }),
        "Group" => {
            let group: GroupJson = serde_json::from_value(value.clone()).ok()?;
            let kind = match group.kind.as_str() {
                WIRE_INITIATIVE => KIND_INITIATIVE,
                WIRE_NETWORK => KIND_GROUP,
                _ => return None,
            };
            let username = group.preferred_username.trim();
            if username.is_empty()
                || username.chars().count() > USERNAME_MAX
                || username.contains(['@', '/', ' '])
            {
                return None;
            }
            let name = truncate(&text::plain_text(&group.name), NAME_MAX);
            if name.trim().is_empty() {
                return None;
            }
            let summary = group
                .summary
                .as_deref()
                .map(|s| truncate(&text::plain_text(s), SUMMARY_MAX))
                .unwrap_or_default();
            let place = group.location.filter(|p| !p.name.trim().is_empty());
            let (latitude, longitude) = match place.as_ref().map(|p| (p.latitude, p.longitude)) {
                Some((Some(lat), Some(lon)))
                    if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
                {
                    (Some(lat), Some(lon))
                }
                _ => (None, None),
            };
            let themes = group
                .tag
                .iter()
                .filter(|t| t.kind == "Hashtag")
                .filter_map(|t| t.name.as_deref())
                .map(|n| truncate(n.trim().trim_start_matches('#'), 100))
                .filter(|n| !n.is_empty())
                .take(THEMES_MAX)
                .collect();
            // Only web pages on the node's own server.
            let url = group
                .url
                .filter(|u| u.origin() == id.origin())
                .map(|u| u.to_string());
            Some(Item::Entry {
                fields: EntryFields {
                    handle: format!("{username}@{node}"),
                    ap_id: id.to_string(),
                    node: node.to_owned(),
                    kind: kind.to_owned(),
                    name,
                    summary,
                    url,
                    place_name: place.map(|p| truncate(p.name.trim(), NAME_MAX)),
                    latitude,
                    longitude,
                    follower_count: group
                        .follower_count
                        .unwrap_or(0)
                        .clamp(0, i64::from(i32::MAX)),
                    last_activity_at: group.last_activity.map(|t| t.naive_utc()),
                    updated_at: group.updated.map_or(now, |t| t.naive_utc()),
                    synced_at: now,
                },
                themes,
                seq,
            })
        }
        _ => None,
    }
}

/// A peer's directory collection: how far its feed goes.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionJson {
    #[serde(default)]
    pub total_items: Option<i64>,
    #[serde(alias = "kwartier:latestSeq")]
    pub latest_seq: i64,
}

/// A page of a peer's directory or node list.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageJson {
    #[serde(default)]
    pub ordered_items: Vec<Value>,
    #[serde(default)]
    pub next: Option<Value>,
}

/// A node's `Application` actor as far as the directory needs it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeActorJson {
    pub id: Url,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, alias = "kwartier:directory")]
    pub directory: Option<Url>,
    #[serde(default, alias = "kwartier:nodes")]
    pub nodes: Option<Url>,
    #[serde(default, alias = "kwartier:regionCodes")]
    pub region_codes: Vec<String>,
    #[serde(
        default,
        deserialize_with = "activitypub_federation::protocol::helpers::deserialize_skip_error"
    )]
    pub location: Option<Place>,
}

/// A node in a peer's node list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedNode {
    pub domain: String,
    pub name: Option<String>,
    pub region_codes: Vec<String>,
    pub centre: Option<(f64, f64)>,
}

/// One item of a node list: `{id, domain, name, regionCodes, location}`. The domain must be
/// the actor id's host and port.
pub fn read_node(value: &Value, development: bool) -> Option<ListedNode> {
    let id = Url::parse(value.get("id")?.as_str()?).ok()?;
    crate::federation::client::check_remote(&id, development).ok()?;
    let domain = authority(&id);
    let claimed = value
        .get("domain")
        .or_else(|| value.get("kwartier:domain"))
        .and_then(Value::as_str);
    if claimed.is_some_and(|d| d != domain) {
        return None;
    }
    let region = region_of(value);
    Some(ListedNode {
        domain,
        name: region.0,
        region_codes: region.1,
        centre: region.2,
    })
}

/// Region name, codes and centre from an actor or a node-list item, each checked.
pub fn region_of(value: &Value) -> (Option<String>, Vec<String>, Option<(f64, f64)>) {
    // The region's name (the Place's) before the node's own.
    let name = value
        .pointer("/location/name")
        .or_else(|| value.get("name"))
        .and_then(Value::as_str)
        .map(|n| truncate(&text::plain_text(n), NAME_MAX))
        .filter(|n| !n.is_empty());
    let codes = value
        .get("regionCodes")
        .or_else(|| value.get("kwartier:regionCodes"))
        .and_then(Value::as_array)
        .map(|codes| {
            codes
                .iter()
                .filter_map(Value::as_str)
                .filter(|c| c.len() <= 12 && c.chars().all(|ch| ch.is_ascii_alphanumeric()))
                .take(500)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let centre = value
        .get("location")
        .and_then(|l| Some((l.get("latitude")?.as_f64()?, l.get("longitude")?.as_f64()?)))
        .filter(|(lat, lon)| (-90.0..=90.0).contains(lat) && (-180.0..=180.0).contains(lon));
    (name, codes, centre)
}

/// A node as listed in our node list.
pub fn node_json(
    actor: &str,
    domain: &str,
    name: Option<&str>,
    codes: &[String],
    centre: Option<(f64, f64)>,
) -> Value {
    let mut node = json!({
        "type": "Application",
        "id": actor,
        "domain": domain,
        "regionCodes": codes,
    });
    if let Some(map) = node.as_object_mut() {
        if let Some(name) = name {
            map.insert("name".into(), json!(name));
        }
        if let Some((lat, lon)) = centre {
            map.insert(
                "location".into(),
                json!({"type": "Place", "name": name.unwrap_or(domain), "latitude": lat, "longitude": lon}),
            );
        }
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(ap_id: &str, node: &str) -> EntryFields {
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc();
        EntryFields {
            ap_id: ap_id.into(),
            node: node.into(),
            kind: KIND_INITIATIVE.into(),
            name: "Mantelzorg Raalte".into(),
            handle: format!("mantelzorg@{node}"),
            summary: "Wij ondersteunen mantelzorgers.".into(),
            url: Some(ap_id.into()),
            place_name: Some("Raalte".into()),
            latitude: Some(52.386),
            longitude: Some(6.275),
            follower_count: 4,
            last_activity_at: Some(at),
            updated_at: at,
            synced_at: at,
        }
    }

    #[test]
    fn entries_read_back_as_published() {
        let published = fields("https://raalte.example/i/mantelzorg", "raalte.example");
        let json = entry_json(&published, &["zorg".into()], 7);
        assert_eq!(json["seq"], 7);
        assert_eq!(json["tag"][0]["name"], "#zorg");
        let read = read_item(&json, "raalte.example", false, published.synced_at).unwrap();
        assert_eq!(
            read,
            Item::Entry {
                fields: published.clone(),
                themes: vec!["zorg".into()],
                seq: 7
            }
        );
        let gone = tombstone_json(&published.ap_id, 8, published.updated_at);
        assert_eq!(
            read_item(&gone, "raalte.example", false, published.synced_at),
            Some(Item::Withdrawn {
                ap_id: published.ap_id.clone(),
                seq: 8
            })
        );
    }

    #[test]
    fn a_node_cannot_write_entries_for_another_host() {
        let at = crate::db::now();
        let elsewhere = entry_json(&fields("https://oss.example/i/x", "oss.example"), &[], 1);
        assert_eq!(read_item(&elsewhere, "raalte.example", false, at), None);
        // Same host, other port: another node.
        let port = entry_json(
            &fields("https://raalte.example:8443/i/x", "raalte.example:8443"),
            &[],
            1,
        );
        assert_eq!(read_item(&port, "raalte.example", false, at), None);
        let tombstone = tombstone_json("https://oss.example/i/x", 2, at);
        assert_eq!(read_item(&tombstone, "raalte.example", false, at), None);
        // No seq, an unknown kind, http outside development: skipped too.
        let mut no_seq = entry_json(
            &fields("https://raalte.example/i/x", "raalte.example"),
            &[],
            1,
        );
        no_seq.as_object_mut().unwrap().remove("seq");
        assert_eq!(read_item(&no_seq, "raalte.example", false, at), None);
        let mut odd = entry_json(
            &fields("https://raalte.example/i/x", "raalte.example"),
            &[],
            1,
        );
        odd["kind"] = json!("Company");
        assert_eq!(read_item(&odd, "raalte.example", false, at), None);
        let http = entry_json(
            &fields("http://raalte.example/i/x", "raalte.example"),
            &[],
            1,
        );
        assert_eq!(read_item(&http, "raalte.example", false, at), None);
        assert!(read_item(&http, "raalte.example", true, at).is_some());
    }

    #[test]
    fn hostile_values_are_cut_down() {
        let at = crate::db::now();
        let mut json = entry_json(
            &fields("https://raalte.example/i/x", "raalte.example"),
            &[],
            1,
        );
        json["summary"] = json!(format!("<script>x</script>{}", "a".repeat(5_000)));
        json["location"] =
            json!({"type": "Place", "name": "Nergens", "latitude": 123.0, "longitude": 5.0});
        json["followerCount"] = json!(-5);
        let Some(Item::Entry { fields, .. }) = read_item(&json, "raalte.example", false, at) else {
            panic!("not read");
        };
        assert!(!fields.summary.contains('<'));
        assert_eq!(fields.summary.chars().count(), SUMMARY_MAX);
        assert_eq!((fields.latitude, fields.longitude), (None, None));
        assert_eq!(fields.follower_count, 0);
    }

    #[test]
    fn listed_nodes_must_be_their_actors_host() {
        let good = node_json(
            "https://raalte.example/actor",
            "raalte.example",
            Some("Raalte"),
            &["GM0177".into()],
            Some((52.3, 6.2)),
        );
        let read = read_node(&good, false).unwrap();
        assert_eq!(read.domain, "raalte.example");
        assert_eq!(read.centre, Some((52.3, 6.2)));
        let lying = node_json(
            "https://raalte.example/actor",
            "oss.example",
            None,
            &[],
            None,
        );
        assert_eq!(read_node(&lying, false), None);
        let ip = node_json("https://10.0.0.1/actor", "10.0.0.1", None, &[], None);
        assert_eq!(read_node(&ip, false), None);
    }
}
