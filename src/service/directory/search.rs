//! Network-wide search, answered from the local index: by text (every word must match, Dutch
//! stemming, the last word also as the start of a word for type-ahead), by theme (its key, so
//! synonyms and other spellings meet), by kind, and within a radius of a point.
//!
//! Ranking: every hit matches all words and the theme, so what orders them is distance (when a
//! point is given), then most recent activity, then most followers.

use std::collections::HashMap;

use crate::db::Conn;
use crate::db::directory::{Entry, KIND_GROUP, KIND_INITIATIVE};
use crate::db::directory_search::{self, Circle, Filter, Word};
use crate::error::{Error, Result};
use crate::service::{federation_policy, theme};

use super::terms;

pub const DEFAULT_RADIUS_KM: f64 = 25.0;
pub const MAX_RADIUS_KM: f64 = 500.0;
pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;
pub const MAX_OFFSET: usize = 10_000;
/// Longer texts are cut; more words than this are ignored.
const MAX_TEXT: usize = 200;
const MAX_WORDS: usize = 8;
/// The word being typed matches as a prefix from this many characters on.
const MIN_PREFIX: usize = 3;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub text: Option<String>,
    /// A theme as typed (`Care`, `#zorg`); matched by [`theme::key`].
    pub theme: Option<String>,
    /// `(latitude, longitude)`.
    pub near: Option<(f64, f64)>,
    pub radius_km: Option<f64>,
    /// `initiative` or `group`.
    pub kind: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

/// One entry found, with its themes (by key) and, when searching near a point, how far it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub entry: Entry,
    /// Theme keys (curated slugs or folded hashtags).
    pub themes: Vec<String>,
    pub distance_km: Option<f64>,
}

/// `LAT,LON` in decimal degrees.
pub fn parse_near(raw: &str) -> Result<(f64, f64)> {
    let invalid = || {
        Error::invalid(
            "near",
            format!("{raw:?} is not LAT,LON in decimal degrees, like 51.765,5.518"),
        )
    };
    let (lat, lon) = raw.split_once(',').ok_or_else(invalid)?;
    let lat: f64 = lat.trim().parse().map_err(|_| invalid())?;
    let lon: f64 = lon.trim().parse().map_err(|_| invalid())?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(Error::invalid(
            "near",
            "latitude must be within -90..90 and longitude within -180..180",
        ));
    }
    Ok((lat, lon))
}

impl Query {
    /// Checks the numbers and the kind; a clear message names what to change.
    pub fn check(&self) -> Result<()> {
        if let Some(r) = self.radius_km
            && !(r > 0.0 && r <= MAX_RADIUS_KM)
        {
            return Err(Error::invalid(
                "radius_km",
                format!("must be more than 0 and at most {MAX_RADIUS_KM} km"),
            ));
        }
        if self.limit == 0 || self.limit > MAX_LIMIT {
            return Err(Error::invalid(
                "limit",
                format!("must be from 1 to {MAX_LIMIT}"),
            ));
        }
        if self.offset > MAX_OFFSET {
            return Err(Error::invalid(
                "offset",
                format!("must be at most {MAX_OFFSET}"),
            ));
        }
        if let Some(kind) = &self.kind
            && kind != KIND_INITIATIVE
            && kind != KIND_GROUP
        {
            return Err(Error::invalid(
                "kind",
                format!("must be {KIND_INITIATIVE} or {KIND_GROUP}"),
            ));
        }
        Ok(())
    }

    /// What the database is asked for: words stemmed, the theme as its key, the circle.
    pub fn filter(&self) -> Filter {
        // Control characters (NUL) mean nothing in a theme and PostgreSQL refuses them.
        let theme_key = self
            .theme
            .as_deref()
            .map(|t| {
                theme::key(t)
                    .chars()
                    .filter(|c| !c.is_control())
                    .collect::<String>()
            })
            .filter(|k| !k.is_empty());
        Filter {
            words: self.text.as_deref().map(words).unwrap_or_default(),
            theme_key,
            kind: self.kind.clone(),
            circle: self.near.map(|(lat, lon)| {
                Circle::new(lat, lon, self.radius_km.unwrap_or(DEFAULT_RADIUS_KM))
            }),
            limit: self.limit as i64,
            offset: self.offset as i64,
        }
    }
}

/// The words of a query text: each stemmed as the index is; the last one (still being typed,
/// unless the text ends in a space) also as the start of a word.
fn words(text: &str) -> Vec<Word> {
    let text: String = text.chars().take(MAX_TEXT).collect();
    let folded = theme::fold(&text);
    let raw: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .collect();
    let typing = text.ends_with(|c: char| c.is_alphanumeric());
    let mut out: Vec<Word> = Vec::new();
    for (i, word) in raw.iter().enumerate() {
        let Some(term) = terms::of(word).into_iter().next() else {
            continue;
        };
        let last = i + 1 == raw.len();
        let prefix =
            (last && typing && word.chars().count() >= MIN_PREFIX).then(|| (*word).to_owned());
        if !out.iter().any(|w| w.term == term && w.prefix == prefix) {
            out.push(Word { term, prefix });
        }
    }
    out
}

/// Great-circle distance in kilometres between two `(latitude, longitude)` points.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    const EARTH_RADIUS_KM: f64 = 6371.0088;
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.1 - a.1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// One page of hits, best first.
pub async fn search(conn: &mut Conn, query: &Query) -> Result<Vec<Hit>> {
    Ok(search_page(conn, query).await?.0)
}

/// One page of hits, best first, and whether there are more after it.
pub async fn search_page(conn: &mut Conn, query: &Query) -> Result<(Vec<Hit>, bool)> {
    query.check()?;
    let mut filter = query.filter();
    filter.limit += 1;
    let mut entries = directory_search::find(conn, &filter).await?;
    let more = entries.len() > query.limit;
    entries.truncate(query.limit);
    // A public listing: nothing from silenced domains.
    let silenced = federation_policy::silenced(conn).await?;
    if !silenced.is_empty() {
        entries.retain(|e| !silenced.host(&e.node));
    }
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    let mut themes: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, key, _) in directory_search::themes_of(conn, &ids).await? {
        themes.entry(id).or_default().push(key);
    }
    let hits = entries
        .into_iter()
        .map(|entry| {
            let distance_km = query
                .near
                .and_then(|near| Some(haversine_km(near, (entry.latitude?, entry.longitude?))));
            Hit {
                themes: themes.remove(&entry.id).unwrap_or_default(),
                distance_km,
                entry,
            }
        })
        .collect();
    Ok((hits, more))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_matches_known_distances() {
        let oss = (51.765, 5.518);
        let den_bosch = (51.6978, 5.3037);
        let d = haversine_km(oss, den_bosch);
        assert!((d - 16.4).abs() < 0.3, "{d}");
        let amsterdam = (52.3676, 4.9041);
        let groningen = (53.2194, 6.5665);
        let d = haversine_km(amsterdam, groningen);
        assert!((d - 145.0).abs() < 2.0, "{d}");
        assert_eq!(haversine_km(oss, oss), 0.0);
    }

    #[test]
    fn the_circle_filter_agrees_with_haversine_within_a_percent() {
        let centre = (52.0, 5.0);
        let circle = Circle::new(centre.0, centre.1, 100.0);
        for (dlat, dlon) in [(0.5, 0.0), (0.0, 0.9), (0.4, 0.6)] {
            let point = (centre.0 + dlat, centre.1 + dlon);
            let approx = ((dlat * dlat + dlon * dlon * circle.lon_scale).sqrt())
                * crate::db::directory_search::KM_PER_DEGREE;
            let exact = haversine_km(centre, point);
            assert!((approx - exact).abs() / exact < 0.01, "{approx} {exact}");
        }
    }

    #[test]
    fn query_words_are_stemmed_and_the_last_is_a_prefix() {
        let w = words("Moestuinen in Oss");
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].term, terms::of("moestuin")[0]);
        assert_eq!(w[0].prefix, None);
        assert_eq!(w[2].prefix.as_deref(), Some("oss"));
        assert_eq!(words("buurtm")[0].prefix.as_deref(), Some("buurtm"));
        assert_eq!(words("buurtm ")[0].prefix, None);
        assert_eq!(words("ab")[0].prefix, None);
        assert!(words("  ,, ").is_empty());
    }

    #[test]
    fn bad_numbers_are_refused_with_the_field_named() {
        let ok = Query {
            limit: 20,
            ..Query::default()
        };
        assert!(ok.check().is_ok());
        let field = |q: Query| match q.check() {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(Query {
                radius_km: Some(-1.0),
                ..ok.clone()
            }),
            "radius_km"
        );
        assert_eq!(
            field(Query {
                radius_km: Some(501.0),
                ..ok.clone()
            }),
            "radius_km"
        );
        assert_eq!(
            field(Query {
                radius_km: Some(f64::NAN),
                ..ok.clone()
            }),
            "radius_km"
        );
        assert_eq!(
            field(Query {
                limit: 101,
                ..ok.clone()
            }),
            "limit"
        );
        assert_eq!(
            field(Query {
                kind: Some("person".into()),
                ..ok.clone()
            }),
            "kind"
        );
        assert!(parse_near("51.7,5.5").is_ok());
        for bad in ["", "51.7", "a,b", "91,5", "51,181", "NaN,5", "51.7,5.5,3"] {
            assert!(parse_near(bad).is_err(), "{bad}");
        }
    }
}
