//! Reading a peer's directory: its NodeInfo (is it Kwartier?), its `Application` actor (where
//! are its directory and node list, what region is it), its feed's collection and pages, and
//! its node list. Every GET is signed by our node actor (peers in authorized-fetch mode ask for
//! it), goes through our HTTP client with its address checks, and reads at most
//! [`MAX_RESPONSE`] bytes. Every byte read is counted, for the sync report.

use reqwest::header::ACCEPT;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::wire::{self, CollectionJson, Item, ListedNode, NodeActorJson, PageJson};
use crate::error::{Error, Result};
use crate::federation::client::check_remote;
use crate::federation::negotiate::ACTIVITY_JSON;
use crate::federation::nodeinfo::SCHEMA_2_1;
use crate::federation::objects::{ensure_same_origin, truncate};
use crate::federation::urls::authority;
use crate::state::AppState;

/// Largest response read from a peer (one page, one actor, one NodeInfo document).
pub const MAX_RESPONSE: usize = 2 * 1024 * 1024;

/// Fetches from peers for one sync round, counting bytes.
pub struct Fetcher<'a> {
    state: &'a AppState,
    pub bytes: u64,
}

/// What a node's actor says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeActor {
    pub actor_url: Url,
    pub directory_url: Url,
    pub nodes_url: Option<Url>,
    pub name: Option<String>,
    pub region_codes: Vec<String>,
    pub centre: Option<(f64, f64)>,
}

/// One page of a peer's directory, read and checked.
#[derive(Debug, Default)]
pub struct Page {
    pub items: Vec<Item>,
    /// Items that were not usable (wrong host, malformed) and skipped.
    pub skipped: usize,
    /// The highest position on the page, usable or not.
    pub last_seq: Option<i64>,
    pub has_next: bool,
}

impl<'a> Fetcher<'a> {
    pub fn new(state: &'a AppState) -> Self {
        Fetcher { state, bytes: 0 }
    }

    fn development(&self) -> bool {
        self.state.config.development
    }

    /// The base URL of a node: `https://domain/` (`http` in development).
    pub fn base(&self, domain: &str) -> Result<Url> {
        let url = Url::parse(&format!("{}://{domain}/", self.state.config.scheme()))
            .map_err(|e| Error::BadRequest(format!("{domain:?} is not a host name: {e}")))?;
        check_remote(&url, self.development())?;
        Ok(url)
    }

    /// A signed GET of JSON, read up to [`MAX_RESPONSE`] bytes.
    async fn get<T: DeserializeOwned>(&mut self, url: &Url, accept: &str) -> Result<T> {
        check_remote(url, self.development())?;
        let node = &self.state.node_actor;
        let key_id = node
            .public_key_id
            .as_deref()
            .ok_or_else(|| Error::internal("signing a fetch", "the node actor has no key id"))?;
        let private = node
            .private_key
            .as_deref()
            .ok_or_else(|| Error::internal("signing a fetch", "the node actor has no key"))?;
        let headers =
            self.state
                .crypto
                .sign("GET", url, None, (&ACCEPT, accept), key_id, private)?;
        let response = self
            .state
            .http
            .get(url.clone())
            .headers(headers)
            .send()
            .await
            .map_err(|e| Error::Remote(format!("{url}: {}", crate::error::chain(&e))))?;
        let status = response.status();
        if !status.is_success() {
            return Err(Error::Remote(format!("{url}: HTTP {status}")));
        }
        if response
            .content_length()
            .is_some_and(|l| l > MAX_RESPONSE as u64)
        {
            return Err(Error::Remote(format!(
                "{url}: response larger than {MAX_RESPONSE} bytes"
            )));
        }
        let mut body = Vec::new();
        let mut response = response;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| Error::Remote(format!("{url}: {}", crate::error::chain(&e))))?
        {
            self.bytes += chunk.len() as u64;
            if body.len() + chunk.len() > MAX_RESPONSE {
                return Err(Error::Remote(format!(
                    "{url}: response larger than {MAX_RESPONSE} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|e| {
            Error::Remote(format!(
                "{url}: unreadable JSON ({})",
                truncate(&e.to_string(), 200)
            ))
        })
    }

    /// The software a node runs, as its NodeInfo 2.x says (`kwartier`, `mastodon`…).
    pub async fn software(&mut self, domain: &str) -> Result<String> {
        let well_known = self
            .base(domain)?
            .join("/.well-known/nodeinfo")
            .map_err(|e| Error::internal("building a NodeInfo URL", e))?;
        let links: Value = self.get(&well_known, "application/json").await?;
        let href = links
            .get("links")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|l| {
                l.get("rel").and_then(Value::as_str).is_some_and(|r| {
                    r.starts_with("http://nodeinfo.diaspora.software/ns/schema/2.")
                })
            })
            // 2.1 first, else any 2.x.
            .max_by_key(|l| l.get("rel").and_then(Value::as_str) == Some(SCHEMA_2_1))
            .and_then(|l| l.get("href")?.as_str())
            .and_then(|h| Url::parse(h).ok())
            .ok_or_else(|| Error::Remote(format!("{domain}: no NodeInfo 2.x link")))?;
        ensure_same_origin("NodeInfo", &href, &well_known)?;
        let info: Value = self.get(&href, "application/json").await?;
        info.pointer("/software/name")
            .and_then(Value::as_str)
            .map(|n| truncate(&n.to_ascii_lowercase(), 50))
            .ok_or_else(|| Error::Remote(format!("{domain}: NodeInfo names no software")))
    }

    /// A node's `Application` actor at `/actor`: its directory, node list and region.
    pub async fn node_actor(&mut self, domain: &str) -> Result<NodeActor> {
        let url = self
            .base(domain)?
            .join("/actor")
            .map_err(|e| Error::internal("building an actor URL", e))?;
        let value: Value = self.get(&url, ACTIVITY_JSON).await?;
        let actor: NodeActorJson = serde_json::from_value(value.clone())
            .map_err(|e| Error::Remote(format!("{url}: not a node actor ({e})")))?;
        if authority(&actor.id) != domain {
            return Err(Error::Remote(format!(
                "{url}: the actor's id {} is on another server",
                actor.id
            )));
        }
        let directory_url = actor
            .directory
            .ok_or_else(|| Error::Remote(format!("{url}: the actor publishes no directory")))?;
        ensure_same_origin("directory", &directory_url, &actor.id)?;
        let nodes_url = actor
            .nodes
            .filter(|n| ensure_same_origin("node list", n, &actor.id).is_ok());
        let (name, region_codes, centre) = wire::region_of(&value);
        Ok(NodeActor {
            actor_url: actor.id,
            directory_url,
            nodes_url,
            name: name.or(actor.name),
            region_codes,
            centre,
        })
    }

    /// The directory collection: how far the feed goes.
    pub async fn collection(&mut self, directory: &Url) -> Result<CollectionJson> {
        let collection: CollectionJson = self.get(directory, ACTIVITY_JSON).await?;
        if collection.latest_seq < 0 {
            return Err(Error::Remote(format!("{directory}: negative latestSeq")));
        }
        Ok(collection)
    }

    /// The page of `node`'s feed after position `after`.
    pub async fn page(
        &mut self,
        node: &str,
        directory: &Url,
        after: i64,
        limit: i64,
    ) -> Result<Page> {
        let mut url = directory.clone();
        url.query_pairs_mut()
            .clear()
            .append_pair("after", &after.to_string())
            .append_pair("limit", &limit.to_string());
        let page: PageJson = self.get(&url, ACTIVITY_JSON).await?;
        let now = crate::db::now();
        let mut read = Page {
            has_next: page.next.is_some(),
            ..Page::default()
        };
        for value in &page.ordered_items {
            let seq = value.get("seq").and_then(Value::as_i64);
            read.last_seq = read.last_seq.max(seq.filter(|s| *s > after));
            match wire::read_item(value, node, self.development(), now) {
                Some(item) if item.seq() > after => read.items.push(item),
                _ => read.skipped += 1,
            }
        }
        Ok(read)
    }

    /// A node's list of the nodes it knows, at most `max` of them, following `next` links on
    /// the same server.
    pub async fn node_list(&mut self, nodes: &Url, max: usize) -> Result<Vec<ListedNode>> {
        let mut listed = Vec::new();
        let mut next = Some(nodes.clone());
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            let value: Value = self.get(&url, ACTIVITY_JSON).await?;
            let page: PageJson = match value.get("first") {
                // The collection: go to its first page.
                Some(first) if value.get("orderedItems").is_none() => {
                    next = first.as_str().and_then(|f| Url::parse(f).ok());
                    if let Some(first) = &next {
                        ensure_same_origin("node list page", first, nodes)?;
                    }
                    continue;
                }
                _ => serde_json::from_value(value)
                    .map_err(|e| Error::Remote(format!("{url}: not a node list page ({e})")))?,
            };
            listed.extend(
                page.ordered_items
                    .iter()
                    .filter_map(|v| wire::read_node(v, self.development())),
            );
            next = page
                .next
                .as_ref()
                .and_then(Value::as_str)
                .and_then(|n| Url::parse(n).ok())
                .filter(|n| n.origin() == nodes.origin());
            if listed.len() >= max || pages >= 20 {
                break;
            }
        }
        listed.truncate(max);
        Ok(listed)
    }
}
