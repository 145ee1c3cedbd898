//! The simulated peers: one HTTP listener per municipality on loopback, serving NodeInfo, its
//! `Application` actor, its directory feed and its node list in the wire format real nodes use
//! (the same functions build it), from memory.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::{Query as UrlQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use kwartier::federation::directory::wire;
use kwartier::service::directory::search::Query;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::network::{self, Node};

const ACTIVITY_JSON: &str = "application/activity+json";

/// One peer's feed: items by position, and where each entry is.
struct Feed {
    items: BTreeMap<i64, Value>,
    position: BTreeMap<String, i64>,
    latest: i64,
}

struct Peer {
    domain: String,
    actor: Value,
    nodes: Vec<Value>,
    feed: RwLock<Feed>,
}

pub struct Network {
    domains: Vec<String>,
    peers: Vec<Arc<Peer>>,
    nodes: Vec<Node>,
    rng: RwLock<StdRng>,
}

impl Network {
    pub async fn start() -> Network {
        let mut listeners = Vec::with_capacity(network::MUNICIPALITIES);
        for _ in 0..network::MUNICIPALITIES {
            listeners.push(
                TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind a simulated peer"),
            );
        }
        let domains: Vec<String> = listeners
            .iter()
            .map(|l| format!("localhost:{}", l.local_addr().expect("address").port()))
            .collect();
        let nodes = network::generate(|i| domains[i].clone(), 4);
        let mut peers = Vec::with_capacity(nodes.len());
        for (i, (node, listener)) in nodes.iter().zip(listeners).enumerate() {
            let domain = &domains[i];
            let base = format!("http://{domain}");
            let codes = vec![node.code.clone()];
            let actor = json!({
                "@context": ["https://www.w3.org/ns/activitystreams"],
                "type": "Application",
                "id": format!("{base}/actor"),
                "preferredUsername": domain,
                "name": node.name,
                "inbox": format!("{base}/inbox"),
                "directory": format!("{base}/directory"),
                "nodes": format!("{base}/directory/nodes"),
                "regionCodes": codes,
                "location": {"type": "Place", "name": node.name, "latitude": node.latitude, "longitude": node.longitude},
            });
            let listed = node
                .neighbours
                .iter()
                .map(|&j| {
                    let other = &nodes[j];
                    wire::node_json(
                        &format!("http://{}/actor", domains[j]),
                        &domains[j],
                        Some(&other.name),
                        std::slice::from_ref(&other.code),
                        Some((other.latitude, other.longitude)),
                    )
                })
                .collect();
            let mut feed = Feed {
                items: BTreeMap::new(),
                position: BTreeMap::new(),
                latest: 0,
            };
            for (fields, themes) in &node.entries {
                feed.latest += 1;
                feed.items
                    .insert(feed.latest, wire::entry_json(fields, themes, feed.latest));
                feed.position.insert(fields.ap_id.clone(), feed.latest);
            }
            let peer = Arc::new(Peer {
                domain: domain.clone(),
                actor,
                nodes: listed,
                feed: RwLock::new(feed),
            });
            let app = Router::new()
                .route("/.well-known/nodeinfo", get(nodeinfo_links))
                .route("/nodeinfo/2.1", get(nodeinfo))
                .route("/actor", get(actor_json))
                .route("/directory", get(directory))
                .route("/directory/nodes", get(node_list))
                .with_state(Arc::clone(&peer));
            tokio::spawn(async move { axum::serve(listener, app).await });
            peers.push(peer);
        }
        Network {
            domains,
            peers,
            nodes,
            rng: RwLock::new(StdRng::seed_from_u64(7)),
        }
    }

    pub fn domain(&self, i: usize) -> String {
        self.domains[i].clone()
    }

    /// Entries currently published across the network.
    pub fn entry_count(&self) -> usize {
        self.peers
            .iter()
            .map(|p| {
                p.feed
                    .read()
                    .map(|f| {
                        f.items
                            .values()
                            .filter(|v| v["type"] != "Tombstone")
                            .count()
                    })
                    .unwrap_or(0)
            })
            .sum()
    }

    /// Changes `share` of all entries: two in three get a new summary, one in three is
    /// withdrawn. Returns how many changed.
    pub fn churn(&self, share: f64) -> usize {
        let mut rng = self.rng.write().expect("rng");
        let total = (self.nodes.len() * network::INITIATIVES_PER_NODE) as f64 * share;
        let mut changed = 0;
        for n in 0..total as usize {
            let i = rng.random_range(0..self.nodes.len());
            let (fields, themes) =
                &self.nodes[i].entries[rng.random_range(0..network::INITIATIVES_PER_NODE)];
            let mut feed = self.peers[i].feed.write().expect("feed");
            let Some(old) = feed.position.get(&fields.ap_id).copied() else {
                continue;
            };
            if feed
                .items
                .get(&old)
                .is_some_and(|v| v["type"] == "Tombstone")
            {
                continue;
            }
            feed.items.remove(&old);
            feed.latest += 1;
            let seq = feed.latest;
            let item = if n % 3 == 2 {
                wire::tombstone_json(&fields.ap_id, seq, Utc::now().naive_utc())
            } else {
                let mut updated = fields.clone();
                updated.summary = format!("{} Nieuw: we zoeken nog mensen.", fields.summary);
                wire::entry_json(&updated, themes, seq)
            };
            feed.items.insert(seq, item);
            feed.position.insert(fields.ap_id.clone(), seq);
            changed += 1;
        }
        changed
    }

    /// A mix of searches people make: a word, a theme, nearby, and combinations.
    pub fn queries(&self, count: usize) -> Vec<Query> {
        const WORDS: &[&str] = &[
            "moestuin",
            "repair",
            "taalcafé",
            "voedselbank",
            "energie",
            "mantelzorg",
            "buurtkamer",
            "koken",
            "vrijwilligers",
            "repareren",
            "wandelen",
            "jongeren",
        ];
        const THEMES: &[&str] = &[
            "zorg",
            "groen",
            "energie",
            "eenzaamheid",
            "wonen",
            "ouderen",
        ];
        let mut rng = self.rng.write().expect("rng");
        (0..count)
            .map(|i| {
                let node = &self.nodes[rng.random_range(0..self.nodes.len())];
                let near = Some((node.latitude, node.longitude));
                let word = WORDS.choose(&mut *rng).map(|w| (*w).to_owned());
                let theme = THEMES.choose(&mut *rng).map(|t| (*t).to_owned());
                let (text, theme, near) = match i % 5 {
                    0 => (word, None, None),
                    1 => (None, theme, None),
                    2 => (None, None, near),
                    3 => (word, None, near),
                    _ => (None, theme, near),
                };
                Query {
                    text,
                    theme,
                    near,
                    radius_km: near.map(|_| 25.0),
                    kind: None,
                    limit: 20,
                    offset: 0,
                }
            })
            .collect()
    }
}

async fn nodeinfo_links(State(peer): State<Arc<Peer>>) -> Response {
    axum::Json(json!({"links": [{
        "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
        "href": format!("http://{}/nodeinfo/2.1", peer.domain),
    }]}))
    .into_response()
}

async fn nodeinfo() -> Response {
    axum::Json(json!({"version": "2.1", "software": {"name": "kwartier", "version": "0.1.0"}}))
        .into_response()
}

fn activity(value: Value) -> Response {
    ([(header::CONTENT_TYPE, ACTIVITY_JSON)], value.to_string()).into_response()
}

async fn actor_json(State(peer): State<Arc<Peer>>) -> Response {
    activity(peer.actor.clone())
}

#[derive(Deserialize)]
struct Paging {
    after: Option<String>,
    limit: Option<usize>,
}

async fn directory(State(peer): State<Arc<Peer>>, UrlQuery(paging): UrlQuery<Paging>) -> Response {
    let base = format!("http://{}/directory", peer.domain);
    let feed = match peer.feed.read() {
        Ok(feed) => feed,
        Err(_) => return activity(json!({})),
    };
    let Some(after) = paging.after.and_then(|a| a.parse::<i64>().ok()) else {
        return activity(json!({
            "type": "OrderedCollection",
            "id": base,
            "totalItems": feed.items.len(),
            "latestSeq": feed.latest,
            "first": format!("{base}?after=0"),
        }));
    };
    let limit = paging.limit.unwrap_or(100).clamp(1, 500);
    let items: Vec<(i64, Value)> = feed
        .items
        .range(after + 1..)
        .take(limit)
        .map(|(seq, v)| (*seq, v.clone()))
        .collect();
    let mut page = json!({
        "type": "OrderedCollectionPage",
        "id": format!("{base}?after={after}"),
        "partOf": base,
    });
    if let (Some((last, _)), Some(map)) = (items.last(), page.as_object_mut())
        && items.len() == limit
    {
        map.insert(
            "next".into(),
            json!(format!("{base}?after={last}&limit={limit}")),
        );
    }
    page["orderedItems"] = Value::Array(items.into_iter().map(|(_, v)| v).collect());
    activity(page)
}

async fn node_list(State(peer): State<Arc<Peer>>, UrlQuery(paging): UrlQuery<Paging>) -> Response {
    let base = format!("http://{}/directory/nodes", peer.domain);
    if paging.after.is_none() {
        return activity(json!({
            "type": "OrderedCollection",
            "id": base,
            "totalItems": peer.nodes.len(),
            "first": format!("{base}?after="),
        }));
    }
    activity(json!({
        "type": "OrderedCollectionPage",
        "id": format!("{base}?after="),
        "partOf": base,
        "orderedItems": peer.nodes,
    }))
}
