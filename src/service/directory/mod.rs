//! Discovery across regions: the index every network-wide search answers from. Entries come
//! from this node's own publication and from peers' directories; both go through [`index`] so
//! themes and search terms are folded the same way everywhere.

mod compounds;
pub mod peers;
pub mod place;
pub mod publish;
pub mod schedule;
pub mod search;
pub mod sync;
pub mod terms;

use crate::db::Conn;
use crate::db::directory::{self, EntryFields};
use crate::error::Result;
use crate::service::theme;

/// Indexes one entry with its themes as the source wrote them: themes by canonical key, search
/// terms from its name, summary, place and themes. Returns the entry's row id.
pub async fn index(conn: &mut Conn, fields: &EntryFields, theme_names: &[String]) -> Result<i64> {
    let mut themes: Vec<(String, String)> = Vec::new();
    for name in theme_names {
        let name = name.trim().trim_start_matches('#');
        let key = theme::key(name);
        if !key.is_empty() && !themes.iter().any(|(k, _)| *k == key) {
            themes.push((key, name.to_owned()));
        }
    }
    let mut text = format!("{} {}", fields.name, fields.summary);
    if let Some(place) = &fields.place_name {
        text.push(' ');
        text.push_str(place);
    }
    for (_, name) in &themes {
        text.push(' ');
        text.push_str(name);
    }
    let terms = terms::of(&text);
    directory::upsert(conn, fields, &themes, &terms).await
}

#[cfg(test)]
mod tests;
