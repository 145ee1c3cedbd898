//! A made-up Netherlands for the directory benchmark: 342 municipalities on a jittered grid over
//! the country, each with about 200 initiatives named, themed and placed the way Dutch initiatives
//! are. Deterministic (a fixed seed), so every run measures the same network.

use chrono::{Duration, NaiveDateTime};
use kwartier::db::directory::{EntryFields, KIND_GROUP, KIND_INITIATIVE};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

pub const MUNICIPALITIES: usize = 342;
pub const INITIATIVES_PER_NODE: usize = 200;

/// Roughly the Netherlands' land area.
const SOUTH: f64 = 50.8;
const NORTH: f64 = 53.4;
const WEST: f64 = 3.6;
const EAST: f64 = 7.1;

const KINDS: &[&str] = &[
    "Buurtmoestuin",
    "Repair Café",
    "Taalcafé",
    "Voedselbank",
    "Energiecoöperatie",
    "Mantelzorgcafé",
    "Buurtkamer",
    "Kledingruil",
    "Wandelgroep",
    "Huiskamer",
    "Jongerenpodium",
    "Klussendienst",
    "Samen Eten",
    "Speeltuinvereniging",
    "Zorgcoöperatie",
    "Buurtbus",
];
const THEMES: &[&str] = &[
    "zorg",
    "welzijn",
    "groen",
    "energie",
    "eenzaamheid",
    "wonen",
    "armoede",
    "mantelzorg",
    "jongeren",
    "ouderen",
    "voedsel",
    "cultuur",
    "sport",
    "duurzaamheid",
    "inclusie",
    "taal",
];
const NEIGHBOURHOODS: &[&str] = &[
    "Centrum", "Noord", "Oost", "Zuid", "West", "De Hoven", "Het Dorp", "De Brink",
];
const SENTENCES: &[&str] = &[
    "Bewoners helpen elkaar met kleine klussen in huis en tuin.",
    "Elke woensdag koken we samen en eten we aan één lange tafel.",
    "Wij zoeken vrijwilligers die een uur per week willen meedoen.",
    "Ervaringen delen over mantelzorg, met koffie en een luisterend oor.",
    "Samen besparen we energie en wekken we stroom op van ons eigen dak.",
    "Nieuwkomers oefenen Nederlands in een ontspannen sfeer.",
    "Kapotte spullen repareren in plaats van weggooien.",
    "Een plek waar iedereen welkom is, zonder afspraak.",
];

pub struct Node {
    pub code: String,
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
    /// Indexes of the nodes it knows: its nearest neighbours.
    pub neighbours: Vec<usize>,
    pub entries: Vec<(EntryFields, Vec<String>)>,
}

/// The network, with every node's entries hosted at `domain(i)`.
pub fn generate(domain: impl Fn(usize) -> String, neighbours: usize) -> Vec<Node> {
    let mut rng = StdRng::seed_from_u64(342);
    let columns = 18;
    let rows = MUNICIPALITIES.div_ceil(columns);
    let start = NaiveDateTime::parse_from_str("2026-01-01 09:00:00", "%Y-%m-%d %H:%M:%S")
        .expect("a fixed date");
    let mut nodes: Vec<Node> = (0..MUNICIPALITIES)
        .map(|i| {
            let (row, column) = (i / columns, i % columns);
            let latitude =
                SOUTH + (row as f64 + rng.random_range(0.2..0.8)) * (NORTH - SOUTH) / rows as f64;
            let longitude = WEST
                + (column as f64 + rng.random_range(0.2..0.8)) * (EAST - WEST) / columns as f64;
            let code = format!("GM{:04}", i + 1);
            let name = format!("Gemeente {:03}", i + 1);
            let host = domain(i);
            let entries = (0..INITIATIVES_PER_NODE)
                .map(|n| {
                    let kind = KINDS.choose(&mut rng).copied().unwrap_or("Buurtkamer");
                    let wijk = NEIGHBOURHOODS
                        .choose(&mut rng)
                        .copied()
                        .unwrap_or("Centrum");
                    let handle = format!("i{n}");
                    let ap_id = format!("http://{host}/initiatives/{handle}");
                    let count = rng.random_range(1..=3);
                    let themes: Vec<String> = THEMES
                        .choose_multiple(&mut rng, count)
                        .map(|t| (*t).to_owned())
                        .collect();
                    let summary = format!(
                        "{} {}",
                        SENTENCES.choose(&mut rng).copied().unwrap_or_default(),
                        SENTENCES.choose(&mut rng).copied().unwrap_or_default()
                    );
                    let fields = EntryFields {
                        ap_id: ap_id.clone(),
                        node: host.clone(),
                        kind: if n % 20 == 0 {
                            KIND_GROUP
                        } else {
                            KIND_INITIATIVE
                        }
                        .to_owned(),
                        name: format!("{kind} {wijk} {}", n / KINDS.len() + 1),
                        handle: format!("{handle}@{host}"),
                        summary,
                        url: Some(ap_id),
                        place_name: Some(format!("{name} {wijk}")),
                        latitude: Some(latitude + rng.random_range(-0.04..0.04)),
                        longitude: Some(longitude + rng.random_range(-0.06..0.06)),
                        follower_count: rng.random_range(0..400),
                        last_activity_at: Some(start + Duration::hours(rng.random_range(0..7000))),
                        updated_at: start + Duration::hours(rng.random_range(0..7000)),
                        synced_at: start,
                    };
                    (fields, themes)
                })
                .collect();
            Node {
                code,
                name,
                latitude,
                longitude,
                neighbours: Vec::new(),
                entries,
            }
        })
        .collect();
    for i in 0..nodes.len() {
        let mut by_distance: Vec<(f64, usize)> = nodes
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(j, other)| {
                let (dy, dx) = (
                    other.latitude - nodes[i].latitude,
                    other.longitude - nodes[i].longitude,
                );
                (dy * dy + dx * dx, j)
            })
            .collect();
        by_distance.sort_by(|a, b| a.0.total_cmp(&b.0));
        nodes[i].neighbours = by_distance
            .iter()
            .take(neighbours)
            .map(|(_, j)| *j)
            .collect();
    }
    nodes
}
