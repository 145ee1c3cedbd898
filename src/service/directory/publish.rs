//! This node's own directory: brings the published change feed (`directory_publication`) and
//! this node's own entries in the local index up to date with what is discoverable here.
//!
//! An unchanged entry keeps its position (`seq`): the fingerprint (SHA-256 of its published
//! JSON) decides. A changed or new entry moves to the end (`max(seq) + 1`); an entry that is no
//! longer discoverable (hidden, deleted) keeps its row without a body at a new position, so
//! peers that synced it learn that it is gone. Entries come from [`sources`]: initiatives and
//! theme groups.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use chrono::NaiveDateTime;

use crate::db::actor::Actor;
use crate::db::directory::{self, EntryFields, KIND_GROUP, KIND_INITIATIVE};
use crate::db::publication::{self, Publication};
use crate::db::{Conn, ScopedFutureExt, discoverable, now, theme_group};
use crate::error::{Error, Result};
use crate::service::text;
use crate::state::AppState;

use crate::federation::directory::wire::{SUMMARY_MAX, entry_body};
pub use crate::federation::directory::wire::{entry_json, tombstone_json};
use crate::federation::objects::truncate;

/// What a refresh changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishReport {
    /// Entries published for the first time (or again after a withdrawal).
    pub added: usize,
    pub updated: usize,
    pub withdrawn: usize,
    /// Entries published now.
    pub published: usize,
    /// The position of the latest change.
    pub latest_seq: i64,
}

/// One entry this node publishes, with its theme names.
pub type Source = (EntryFields, Vec<String>);

/// Everything this node publishes now, from every kind of source.
pub async fn sources(state: &AppState, conn: &mut Conn) -> Result<Vec<Source>> {
    let mut entries = initiatives(state, conn).await?;
    entries.extend(groups(state, conn).await?);
    entries.sort_by(|a, b| a.0.ap_id.cmp(&b.0.ap_id));
    Ok(entries)
}

/// Discoverable local initiatives as directory entries.
async fn initiatives(state: &AppState, conn: &mut Conn) -> Result<Vec<Source>> {
    let node = state.urls.authority();
    Ok(discoverable::initiatives(conn)
        .await?
        .into_iter()
        .map(|listed| {
            let details = &listed.details;
            let updated_at = listed.group.updated_at.max(details.updated_at);
            let place = Place {
                name: details.location_name.clone(),
                latitude: details.latitude,
                longitude: details.longitude,
            };
            let last = listed
                .last_story_at
                .map_or(updated_at, |s| s.max(updated_at));
            let fields = entry(
                &node,
                KIND_INITIATIVE,
                &listed.group,
                place,
                listed.followers,
                last,
                updated_at,
            );
            (fields, listed.themes)
        })
        .collect())
}

/// Discoverable local theme groups as directory entries.
async fn groups(state: &AppState, conn: &mut Conn) -> Result<Vec<Source>> {
    let node = state.urls.authority();
    Ok(theme_group::discoverable_local(conn)
        .await?
        .into_iter()
        .map(|listed| {
            let details = &listed.group;
            let updated_at = listed.actor.updated_at.max(details.updated_at);
            let place = Place {
                name: details.location_name.clone(),
                latitude: details.latitude,
                longitude: details.longitude,
            };
            let last = listed
                .last_post_at
                .map_or(updated_at, |p| p.max(updated_at));
            let fields = entry(
                &node,
                KIND_GROUP,
                &listed.actor,
                place,
                listed.follower_count,
                last,
                updated_at,
            );
            (fields, listed.themes)
        })
        .collect())
}

/// Where an entry is, as its source row has it.
struct Place {
    name: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

/// One directory entry for a local initiative or group actor.
fn entry(
    node: &str,
    kind: &str,
    group: &Actor,
    place: Place,
    followers: i64,
    last_activity: NaiveDateTime,
    updated_at: NaiveDateTime,
) -> EntryFields {
    let summary = group.summary.as_deref().map(text::plain_text);
    EntryFields {
        ap_id: group.ap_id.to_string(),
        node: node.to_owned(),
        kind: kind.to_owned(),
        name: group
            .display_name
            .clone()
            .unwrap_or_else(|| group.username.clone()),
        handle: group.handle(),
        summary: truncate(summary.as_deref().unwrap_or_default(), SUMMARY_MAX),
        url: group.url.clone(),
        place_name: place.name,
        latitude: place.latitude.filter(|_| place.longitude.is_some()),
        longitude: place.longitude.filter(|_| place.latitude.is_some()),
        follower_count: followers,
        last_activity_at: Some(last_activity),
        updated_at,
        synced_at: now(),
    }
}

pub fn fingerprint(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Brings the publication and this node's own index entries up to date. Cheap when nothing
/// changed (a few reads); safe to call from several places at once.
pub async fn refresh(state: &AppState) -> Result<PublishReport> {
    let mut conn = state.db.conn().await?;
    // Two refreshes at once may both take the next position; the loser tries again.
    let mut attempts = 0;
    loop {
        attempts += 1;
        match refresh_once(state, &mut conn).await {
            Err(Error::Conflict(_)) if attempts < 3 => continue,
            other => return other,
        }
    }
}

async fn refresh_once(state: &AppState, conn: &mut Conn) -> Result<PublishReport> {
    let current = sources(state, conn).await?;
    let published = publication::all(conn).await?;
    let indexed: HashSet<String> = directory::ap_ids_of_node(conn, &state.urls.authority())
        .await?
        .into_iter()
        .collect();
    let plan = plan(&current, &published, &indexed);
    let mut report = PublishReport {
        published: current.len(),
        latest_seq: published.iter().map(|p| p.seq).max().unwrap_or(0),
        ..PublishReport::default()
    };
    if plan.is_empty() {
        return Ok(report);
    }
    let at = now();
    let counts = conn
        .transaction(|conn| {
            async move {
                let mut seq = publication::latest_seq(conn).await?;
                let mut counts = (0, 0, 0);
                for change in &plan.changes {
                    seq += 1;
                    match change {
                        Change::Publish {
                            source,
                            body,
                            fingerprint,
                            existed,
                        } => {
                            publication::put(
                                conn,
                                &Publication {
                                    ap_id: source.0.ap_id.clone(),
                                    seq,
                                    fingerprint: fingerprint.clone(),
                                    body: Some(body.clone()),
                                    changed_at: at,
                                },
                            )
                            .await?;
                            super::index(conn, &source.0, &source.1).await?;
                            if *existed {
                                counts.1 += 1;
                            } else {
                                counts.0 += 1;
                            }
                        }
                        Change::Withdraw(ap_id) => {
                            publication::put(
                                conn,
                                &Publication {
                                    ap_id: ap_id.clone(),
                                    seq,
                                    fingerprint: fingerprint(ap_id),
                                    body: None,
                                    changed_at: at,
                                },
                            )
                            .await?;
                            directory::remove(conn, ap_id).await?;
                            counts.2 += 1;
                        }
                    }
                }
                for source in &plan.reindex {
                    super::index(conn, &source.0, &source.1).await?;
                }
                for ap_id in &plan.unindex {
                    directory::remove(conn, ap_id).await?;
                }
                Ok(counts)
            }
            .scope_boxed()
        })
        .await?;
    report.added = counts.0;
    report.updated = counts.1;
    report.withdrawn = counts.2;
    report.latest_seq = publication::latest_seq(conn).await?;
    Ok(report)
}

enum Change<'a> {
    Publish {
        source: &'a Source,
        body: String,
        fingerprint: String,
        /// Whether it was published before (an update) rather than new or back.
        existed: bool,
    },
    Withdraw(String),
}

/// What a refresh must write: feed changes in order, and index repairs for entries whose
/// publication is current but whose index entry is missing or left over.
struct Plan<'a> {
    changes: Vec<Change<'a>>,
    reindex: Vec<&'a Source>,
    unindex: Vec<String>,
}

impl Plan<'_> {
    fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.reindex.is_empty() && self.unindex.is_empty()
    }
}

fn plan<'a>(
    current: &'a [Source],
    published: &[Publication],
    indexed: &HashSet<String>,
) -> Plan<'a> {
    let before: HashMap<&str, &Publication> =
        published.iter().map(|p| (p.ap_id.as_str(), p)).collect();
    let mut plan = Plan {
        changes: Vec::new(),
        reindex: Vec::new(),
        unindex: Vec::new(),
    };
    let mut now_published: HashSet<&str> = HashSet::new();
    for source in current {
        now_published.insert(&source.0.ap_id);
        let body = Value::to_string(&entry_body(&source.0, &source.1));
        let fingerprint = fingerprint(&body);
        match before.get(source.0.ap_id.as_str()) {
            Some(row) if row.body.is_some() && row.fingerprint == fingerprint => {
                if !indexed.contains(&source.0.ap_id) {
                    plan.reindex.push(source);
                }
            }
            row => plan.changes.push(Change::Publish {
                source,
                body,
                fingerprint,
                existed: row.is_some_and(|r| r.body.is_some()),
            }),
        }
    }
    for row in published {
        if row.body.is_some() && !now_published.contains(row.ap_id.as_str()) {
            plan.changes.push(Change::Withdraw(row.ap_id.clone()));
        }
    }
    for ap_id in indexed {
        let withdrawn_now = plan
            .changes
            .iter()
            .any(|c| matches!(c, Change::Withdraw(id) if id == ap_id));
        if !now_published.contains(ap_id.as_str()) && !withdrawn_now {
            plan.unindex.push(ap_id.clone());
        }
    }
    plan
}
