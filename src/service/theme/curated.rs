//! The curated theme list every node ships with (`curated.toml`, embedded in the binary): the
//! Dutch social-domain themes with their names in Dutch and English and their synonyms in both,
//! so that `#Care`, `#zorg` and `#ZÓRG` on any node meet as one theme. The list is fixed data,
//! parsed once; a node that used its own list would split keys across the network.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use super::fold;

const SOURCE: &str = include_str!("curated.toml");

/// One curated theme.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Curated {
    /// Its key everywhere: theme pages, the directory, across nodes.
    pub slug: String,
    pub nl: String,
    pub en: String,
    #[serde(default)]
    pub synonyms: Vec<String>,
}

impl Curated {
    /// Its name in a language (`"nl"` or `"en"`; anything else gets Dutch).
    pub fn name(&self, lang: &str) -> &str {
        if lang == "en" { &self.en } else { &self.nl }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    theme: Vec<Curated>,
}

struct List {
    themes: Vec<Curated>,
    /// Every folded slug, name and synonym → index into `themes`.
    by_word: HashMap<String, usize>,
}

static LIST: LazyLock<List> = LazyLock::new(|| build(SOURCE));

fn build(source: &str) -> List {
    // The file is compiled in and checked by a test: a broken one cannot ship.
    let themes = toml::from_str::<File>(source)
        .map(|f| f.theme)
        .unwrap_or_default();
    let mut by_word = HashMap::new();
    for (i, theme) in themes.iter().enumerate() {
        let words = [&theme.slug, &theme.nl, &theme.en]
            .into_iter()
            .chain(&theme.synonyms);
        for word in words {
            by_word.entry(fold(word.trim())).or_insert(i);
        }
    }
    List { themes, by_word }
}

/// Every curated theme, in the file's order.
pub fn all() -> &'static [Curated] {
    &LIST.themes
}

/// The curated theme a folded word names (slug, name or synonym), if any.
pub fn of_folded(folded: &str) -> Option<&'static Curated> {
    LIST.by_word.get(folded).map(|i| &LIST.themes[*i])
}

/// The curated theme with this slug.
pub fn by_slug(slug: &str) -> Option<&'static Curated> {
    LIST.themes.iter().find(|t| t.slug == slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_parses_and_no_word_means_two_themes() {
        let file: File = toml::from_str(SOURCE).expect("curated.toml parses");
        assert!(file.theme.len() >= 20);
        let mut seen: HashMap<String, String> = HashMap::new();
        for theme in &file.theme {
            assert_eq!(theme.slug, fold(&theme.slug), "slugs are folded");
            assert!(
                theme.slug.chars().all(|c| c.is_alphanumeric() || c == '_'),
                "slug {:?} is a hashtag",
                theme.slug
            );
            let mut own: Vec<String> = vec![fold(&theme.slug), fold(&theme.nl), fold(&theme.en)];
            own.extend(theme.synonyms.iter().map(|s| fold(s)));
            own.sort();
            own.dedup();
            for word in own {
                if let Some(other) = seen.insert(word.clone(), theme.slug.clone()) {
                    panic!("{word:?} is in both {other} and {}", theme.slug);
                }
            }
        }
        for slug in [
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
            "veiligheid",
            "duurzaamheid",
            "inclusie",
            "taal",
            "werk",
            "buurt",
            "mobiliteit",
        ] {
            assert!(by_slug(slug).is_some(), "{slug}");
        }
    }

    #[test]
    fn names_come_in_both_languages() {
        let zorg = by_slug("zorg").unwrap();
        assert_eq!((zorg.name("nl"), zorg.name("en")), ("Zorg", "Care"));
        assert_eq!(
            of_folded("isolement").map(|t| t.slug.as_str()),
            Some("eenzaamheid")
        );
        assert_eq!(of_folded("wijk").map(|t| t.slug.as_str()), Some("buurt"));
        assert!(of_folded("cooperatie").is_none());
    }
}
