//! Turning what someone typed as a place into a point: `LAT,LON` as is; a place name from the
//! index first (known nodes' names and centres, places of entries), so most searches need no
//! outside call; then, for names the index does not know and for Dutch postcodes, the
//! configured geocoder (by default PDOK's Locatieserver), with a timeout, a size limit and a
//! cache of its answers.

use std::time::Duration;

use moka::sync::Cache;
use serde::Deserialize;

use super::search::parse_near;
use crate::db::directory_search;
use crate::error::{Error, Result};
use crate::state::AppState;

const GEOCODER_TIMEOUT: Duration = Duration::from_secs(3);
/// A Locatieserver answer for one row is about 1 KiB; anything this big is not one.
const MAX_ANSWER: usize = 64 * 1024;
const MAX_PLACE: usize = 100;

/// Geocoder answers by normalised query (`None`: it knows no such place), kept for a day.
#[derive(Clone)]
pub struct Places(Cache<String, Option<(f64, f64)>>);

impl Default for Places {
    fn default() -> Self {
        Places(
            Cache::builder()
                .max_capacity(5_000)
                .time_to_live(Duration::from_secs(24 * 60 * 60))
                .build(),
        )
    }
}

/// A Dutch postcode: four digits (the first not 0), optionally a space and two letters.
pub fn is_postcode(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (digits, letters) = compact.split_at(compact.len().min(4));
    digits.len() == 4
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
        && (letters.is_empty()
            || letters.len() == 2 && letters.chars().all(|c| c.is_ascii_alphabetic()))
}

/// Where `text` is, or `None` when neither the index nor the geocoder knows it. Errors only
/// for things the visitor must change (a place name too long); a geocoder that fails is
/// logged and counts as not knowing.
pub async fn resolve(state: &AppState, text: &str) -> Result<Option<(f64, f64)>> {
    let text = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_PLACE {
        return Err(Error::invalid(
            "place",
            format!("at most {MAX_PLACE} characters"),
        ));
    }
    if text.contains(',')
        && let Ok(point) = parse_near(&text)
    {
        return Ok(Some(point));
    }
    if !is_postcode(&text) {
        let mut conn = state.db.conn().await?;
        if let Some(point) = directory_search::place_position(&mut conn, &text).await? {
            return Ok(Some(point));
        }
    }
    let Some(geocoder) = &state.config.search.geocoder_url else {
        return Ok(None);
    };
    let key = text.to_lowercase();
    if let Some(known) = state.places.0.get(&key) {
        return Ok(known);
    }
    match ask(state, geocoder, &text).await {
        Ok(answer) => {
            state.places.0.insert(key, answer);
            Ok(answer)
        }
        Err(err) => {
            tracing::warn!(error = %err, "geocoder did not answer");
            Ok(None)
        }
    }
}

#[derive(Deserialize)]
struct Answer {
    response: Docs,
}

#[derive(Deserialize)]
struct Docs {
    #[serde(default)]
    docs: Vec<Doc>,
}

#[derive(Deserialize)]
struct Doc {
    centroide_ll: Option<String>,
}

/// Asks a Locatieserver-style geocoder for one place.
async fn ask(state: &AppState, geocoder: &url::Url, text: &str) -> Result<Option<(f64, f64)>> {
    let mut url = geocoder.clone();
    url.query_pairs_mut()
        .append_pair("q", text)
        .append_pair("rows", "1")
        .append_pair("fl", "weergavenaam,centroide_ll")
        .append_pair(
            "fq",
            "type:(gemeente OR woonplaats OR postcode OR wijk OR buurt)",
        );
    let remote = |e: &dyn std::fmt::Display| Error::Remote(format!("geocoder: {e}"));
    let response = state
        .http
        .get(url)
        .header("accept", "application/json")
        .timeout(GEOCODER_TIMEOUT)
        .send()
        .await
        .map_err(|e| remote(&e))?;
    if !response.status().is_success() {
        return Err(remote(&response.status()));
    }
    let mut body: Vec<u8> = Vec::new();
    let mut response = response;
    while let Some(chunk) = response.chunk().await.map_err(|e| remote(&e))? {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(remote(&"answer too large"));
        }
        body.extend_from_slice(&chunk);
    }
    let answer: Answer = serde_json::from_slice(&body).map_err(|e| remote(&e))?;
    Ok(answer
        .response
        .docs
        .into_iter()
        .find_map(|d| d.centroide_ll.as_deref().and_then(parse_point)))
}

/// WKT `POINT(lon lat)` → `(lat, lon)`.
fn parse_point(wkt: &str) -> Option<(f64, f64)> {
    let inner = wkt
        .trim()
        .strip_prefix("POINT")?
        .trim()
        .strip_prefix('(')?
        .strip_suffix(')')?;
    let mut parts = inner.split_whitespace();
    let lon: f64 = parts.next()?.parse().ok()?;
    let lat: f64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon)
    {
        return None;
    }
    Some((lat, lon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_are_four_digits_and_two_letters() {
        for yes in ["5341 AB", "5341AB", "5341ab", "1011", " 9712 cp "] {
            assert!(is_postcode(yes.trim()), "{yes}");
        }
        for no in ["0341 AB", "534 AB", "5341 A", "Oss", "5341 ABC", ""] {
            assert!(!is_postcode(no), "{no}");
        }
    }

    #[test]
    fn points_are_read_lon_first() {
        assert_eq!(
            parse_point("POINT(5.51806 51.76524)"),
            Some((51.76524, 5.51806))
        );
        assert_eq!(parse_point("POINT (5.5 51.7)"), Some((51.7, 5.5)));
        for bad in [
            "",
            "POINT()",
            "POINT(5.5)",
            "POINT(5.5 91)",
            "LINESTRING(1 2)",
            "POINT(1 2 3)",
        ] {
            assert_eq!(parse_point(bad), None, "{bad}");
        }
    }
}
