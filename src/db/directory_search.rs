//! Reading the directory index for network-wide search: one query for a page of entries that
//! match every condition (terms, theme, kind, a circle around a point), and one for the page's
//! themes. Conditions are `id IN (…)` subqueries on the indexed term and theme tables and a
//! bounding box on the position index.
//!
//! The plan matters at national scale (70 000 entries; see the directory benchmark). When a word
//! or theme matches few entries, their ids are read first and only those are looked at. Else a
//! search with a place walks the position index and sorts what lies in the box, and a search
//! without one walks `directory_entry_recent` in result order and stops after a page, testing
//! each entry against the term and theme sets. SQLite would rather drive from a large term set
//! and then sort every hit, so there the id in those tests is written `+id`, which keeps it from
//! driving (PostgreSQL plans this well once it has statistics: [`refresh_statistics`]).

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Timestamp};
use diesel_async::RunQueryDsl;

use super::Conn;
use super::directory::Entry;
use super::schema::{directory_entry, directory_entry_theme, directory_term, known_node};
use crate::error::Result;
use crate::run;

/// One query word: its stemmed term, or (for the word being typed) any term it begins.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub term: String,
    /// Also match terms in `[prefix, prefix + U+10FFFF)`: a range on the term index.
    pub prefix: Option<String>,
}

/// A circle on the map, with its bounding box in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Circle {
    pub latitude: f64,
    pub longitude: f64,
    /// The radius in degrees of latitude.
    pub radius_deg: f64,
    /// `cos(latitude)²`: how much a degree of longitude counts, squared.
    pub lon_scale: f64,
}

impl Circle {
    pub fn new(latitude: f64, longitude: f64, radius_km: f64) -> Circle {
        let radius_deg = radius_km / KM_PER_DEGREE;
        let cos = latitude.to_radians().cos().max(0.01);
        Circle {
            latitude,
            longitude,
            radius_deg,
            lon_scale: cos * cos,
        }
    }

    fn lon_span(&self) -> f64 {
        self.radius_deg / self.lon_scale.sqrt()
    }
}

/// Kilometres per degree of latitude (mean earth radius 6371.0088 km).
pub const KM_PER_DEGREE: f64 = 6371.0088 * std::f64::consts::PI / 180.0;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Every word must match.
    pub words: Vec<Word>,
    pub theme_key: Option<String>,
    pub kind: Option<String>,
    pub circle: Option<Circle>,
    pub limit: i64,
    pub offset: i64,
}

/// A condition on an entry's terms or themes, as a subquery of entry ids.
enum Condition<'a> {
    Word(&'a Word),
    Theme(&'a str),
}

/// A condition that matches at most this many entries is where a search starts: its ids are
/// read first and the query looks only at those. Above it, matches are dense enough that walking
/// the result order and stopping after a page is quicker.
pub const FEW: i64 = 2000;

/// The ids a condition matches when there are at most `few`; `None` when there are more.
async fn few_ids(conn: &mut Conn, condition: &Condition<'_>, few: i64) -> Result<Option<Vec<i64>>> {
    let limit = few + 1;
    let mut ids: Vec<i64> = match condition {
        Condition::Word(word) => {
            // The term and the prefix range apart, each a short walk on the term index.
            let term = word.term.clone();
            let mut ids: Vec<i64> = run!(conn, |c| directory_term::table
                .select(directory_term::entry_id)
                .filter(directory_term::term.eq(&term))
                .limit(limit)
                .load(c)
                .await)?;
            if let Some(prefix) = &word.prefix {
                let end = format!("{prefix}\u{10FFFF}");
                ids.extend(run!(conn, |c| directory_term::table
                    .select(directory_term::entry_id)
                    .filter(directory_term::term.ge(prefix))
                    .filter(directory_term::term.lt(&end))
                    .limit(limit)
                    .load::<i64>(c)
                    .await)?);
            }
            ids
        }
        Condition::Theme(key) => run!(conn, |c| directory_entry_theme::table
            .filter(directory_entry_theme::theme_key.eq(*key))
            .select(directory_entry_theme::entry_id)
            .limit(limit)
            .load(c)
            .await)?,
    };
    ids.sort_unstable();
    ids.dedup();
    Ok((ids.len() as i64 <= few).then_some(ids))
}

/// The entries matching `filter`, nearest first when it has a circle, then most recently
/// active, then most followed.
pub async fn find(conn: &mut Conn, filter: &Filter) -> Result<Vec<Entry>> {
    find_starting_below(conn, filter, FEW).await
}

/// [`find`], starting from a condition's ids when it matches at most `few` entries. Every
/// `few` gives the same answer (tests compare them); only the speed differs.
pub async fn find_starting_below(conn: &mut Conn, filter: &Filter, few: i64) -> Result<Vec<Entry>> {
    // Start from the condition with the fewest matches, if one has few.
    let mut conditions: Vec<Condition> = filter.words.iter().map(Condition::Word).collect();
    conditions.extend(filter.theme_key.as_deref().map(Condition::Theme));
    let mut start: Option<(usize, Vec<i64>)> = None;
    for (i, condition) in conditions.iter().enumerate() {
        if let Some(ids) = few_ids(conn, condition, few).await? {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            if start
                .as_ref()
                .is_none_or(|(_, fewest)| ids.len() < fewest.len())
            {
                start = Some((i, ids));
            }
        }
    }
    let (start_at, start_ids) = match start {
        Some((i, ids)) => (Some(i), Some(ids)),
        None => (None, None),
    };
    // Squared equirectangular distance in degrees: exact enough within 500 km to filter and
    // sort by; the distance shown is computed exactly afterwards.
    let squared = |c: &Circle| {
        sql::<Double>("((latitude - ")
            .bind::<Double, _>(c.latitude)
            .sql(") * (latitude - ")
            .bind::<Double, _>(c.latitude)
            .sql(") + (longitude - ")
            .bind::<Double, _>(c.longitude)
            .sql(") * (longitude - ")
            .bind::<Double, _>(c.longitude)
            .sql(") * ")
            .bind::<Double, _>(c.lon_scale)
            .sql(")")
    };
    // `+id` on SQLite: see the module comment.
    let id_sql = match conn {
        Conn::Sqlite(_) => "+directory_entry.id",
        Conn::Postgres(_) => "directory_entry.id",
    };
    let id = || sql::<BigInt>(id_sql);
    Ok(run!(conn, |c| {
        let mut query = directory_entry::table
            .select(Entry::as_select())
            .into_boxed();
        if let Some(ids) = &start_ids {
            query = query.filter(directory_entry::id.eq_any(ids.clone()));
        }
        for (i, condition) in conditions.iter().enumerate() {
            if Some(i) == start_at {
                continue;
            }
            match condition {
                Condition::Word(word) => {
                    let mut terms = directory_term::table
                        .select(directory_term::entry_id)
                        .filter(directory_term::term.eq(word.term.clone()))
                        .into_boxed();
                    if let Some(prefix) = &word.prefix {
                        terms = terms.or_filter(
                            directory_term::term
                                .ge(prefix.clone())
                                .and(directory_term::term.lt(format!("{prefix}\u{10FFFF}"))),
                        );
                    }
                    query = query.filter(id().eq_any(terms));
                }
                Condition::Theme(key) => {
                    query = query.filter(
                        id().eq_any(
                            directory_entry_theme::table
                                .filter(directory_entry_theme::theme_key.eq(*key))
                                .select(directory_entry_theme::entry_id),
                        ),
                    );
                }
            }
        }
        if let Some(kind) = &filter.kind {
            query = query.filter(directory_entry::kind.eq(kind.clone()));
        }
        if let Some(circle) = &filter.circle {
            let (lat, lon) = (circle.latitude, circle.longitude);
            let (dlat, dlon) = (circle.radius_deg, circle.lon_span());
            query = query
                .filter(directory_entry::latitude.between(lat - dlat, lat + dlat))
                .filter(directory_entry::longitude.between(lon - dlon, lon + dlon))
                .filter(squared(circle).le(dlat * dlat))
                .order(squared(circle).asc());
        }
        // The order of `directory_entry_recent`; both backends know `NULLS LAST`.
        query
            .then_order_by(sql::<Nullable<Timestamp>>(
                "directory_entry.last_activity_at DESC NULLS LAST",
            ))
            .then_order_by(directory_entry::follower_count.desc())
            .then_order_by(directory_entry::id)
            .limit(filter.limit)
            .offset(filter.offset)
            .load(c)
            .await
    })?)
}

/// Tidies the index after a sync changed much of it. PostgreSQL plans the search joins from its
/// statistics, and answers from the term index alone only where its visibility map is set; both
/// come from `VACUUM (ANALYZE)`, which autovacuum may do late or (when it is off) never. SQLite's
/// plans are fixed by the query shapes above, so it needs nothing.
pub async fn refresh_statistics(conn: &mut Conn) -> Result<()> {
    if let Conn::Postgres(c) = conn {
        diesel::sql_query(
            "VACUUM (ANALYZE) directory_entry, directory_term, directory_entry_theme",
        )
        .execute(&mut **c)
        .await?;
    }
    Ok(())
}

/// The themes (`(entry id, key, name as written)`) of several entries, in one query.
pub async fn themes_of(conn: &mut Conn, entry_ids: &[i64]) -> Result<Vec<(i64, String, String)>> {
    Ok(run!(conn, |c| directory_entry_theme::table
        .filter(directory_entry_theme::entry_id.eq_any(entry_ids))
        .order((
            directory_entry_theme::entry_id,
            directory_entry_theme::theme_key
        ))
        .select((
            directory_entry_theme::entry_id,
            directory_entry_theme::theme_key,
            directory_entry_theme::name
        ))
        .load(c)
        .await)?)
}

/// Every theme key in the index, with how many entries have it, most used first.
pub async fn theme_keys(conn: &mut Conn, limit: i64) -> Result<Vec<(String, i64)>> {
    Ok(run!(conn, |c| directory_entry_theme::table
        .group_by(directory_entry_theme::theme_key)
        .select((directory_entry_theme::theme_key, diesel::dsl::count_star()))
        .order((
            diesel::dsl::count_star().desc(),
            directory_entry_theme::theme_key
        ))
        .limit(limit)
        .load(c)
        .await)?)
}

diesel::define_sql_function! {
    /// SQL `lower()`, on both backends.
    fn lower(text: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// Where a place is, from the index alone: the centre of a known node of that name, else the
/// average position of the entries whose place has that name (both ignoring case).
pub async fn place_position(conn: &mut Conn, name: &str) -> Result<Option<(f64, f64)>> {
    let lowered = name.trim().to_lowercase();
    let node: Vec<(Option<f64>, Option<f64>)> = run!(conn, |c| known_node::table
        .filter(lower(known_node::name).eq(&lowered))
        .filter(known_node::latitude.is_not_null())
        .select((known_node::latitude, known_node::longitude))
        .limit(1)
        .load(c)
        .await)?;
    if let Some(point) = centre(node) {
        return Ok(Some(point));
    }
    let entries: Vec<(Option<f64>, Option<f64>)> = run!(conn, |c| directory_entry::table
        .filter(lower(directory_entry::place_name).eq(&lowered))
        .filter(directory_entry::latitude.is_not_null())
        .select((directory_entry::latitude, directory_entry::longitude))
        .limit(200)
        .load(c)
        .await)?;
    Ok(centre(entries))
}

fn centre(found: Vec<(Option<f64>, Option<f64>)>) -> Option<(f64, f64)> {
    let points: Vec<(f64, f64)> = found
        .into_iter()
        .filter_map(|(lat, lon)| Some((lat?, lon?)))
        .collect();
    if points.is_empty() {
        return None;
    }
    let n = points.len() as f64;
    let lat = points.iter().map(|p| p.0).sum::<f64>() / n;
    let lon = points.iter().map(|p| p.1).sum::<f64>() / n;
    Some((lat, lon))
}

/// Of these actor ids, the ones `follower_id` follows, with the follow's state.
pub async fn followed_among(
    conn: &mut Conn,
    follower_id: i64,
    ap_ids: &[String],
) -> Result<Vec<(String, String)>> {
    use super::schema::{actor, follow};
    Ok(run!(conn, |c| follow::table
        .inner_join(actor::table.on(actor::id.eq(follow::followee_id)))
        .filter(follow::follower_id.eq(follower_id))
        .filter(actor::ap_id.eq_any(ap_ids))
        .select((actor::ap_id, follow::state))
        .load(c)
        .await)?)
}
