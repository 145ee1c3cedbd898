//! Dutch compounds: "Buurtmoestuin" is a moestuin, "zorgcoöperatie" is about zorg. Dutch writes
//! compounds as one word, so a search for "moestuinen" would miss "Buurtmoestuin" on its stem
//! alone. A word that ends in a known word (the curated themes' words and the common nouns of
//! social initiatives below) also yields that word's stem, and its first part when both parts
//! are known — a small dictionary decompounder, as search engines use for Dutch and German.

use std::collections::HashSet;
use std::sync::LazyLock;

use rust_stemmers::Stemmer;

use crate::service::theme::{curated, fold};

/// Common nouns of initiatives and their places, folded; the curated themes' words are added.
const NOUNS: &[&str] = &[
    "tuin",
    "moestuin",
    "groente",
    "huis",
    "kamer",
    "huiskamer",
    "cafe",
    "buurt",
    "wijk",
    "zorg",
    "hulp",
    "punt",
    "groep",
    "netwerk",
    "school",
    "kerk",
    "club",
    "koor",
    "bank",
    "winkel",
    "markt",
    "feest",
    "fiets",
    "energie",
    "cooperatie",
    "vereniging",
    "stichting",
    "centrum",
    "plein",
    "park",
    "veld",
    "tafel",
    "maaltijd",
    "keuken",
    "atelier",
    "werkplaats",
    "bibliotheek",
    "spel",
    "auto",
    "kinderen",
    "vrijwilliger",
    "coach",
    "maatje",
    "project",
    "initiatief",
    "dienst",
    "ontmoeting",
    "eten",
    "kleding",
    "reparatie",
    "repair",
    "natuur",
    "water",
    "warmte",
    "klimaat",
    "afval",
    "wandeling",
    "boerderij",
    "dieren",
    "woning",
    "schuld",
    "geld",
    "baan",
    "studie",
    "student",
    "kunst",
    "muziek",
    "theater",
    "dans",
    "film",
    "gezondheid",
    "preventie",
    "bewoners",
    "gemeente",
    "dorp",
    "stad",
    "huiskamer",
];
/// A compound's last part has at least this many letters, its first part at least `MIN_HEAD`.
const MIN_TAIL: usize = 4;
const MIN_HEAD: usize = 3;

/// The stems of every known word.
static KNOWN: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let stemmer = Stemmer::create(rust_stemmers::Algorithm::Dutch);
    let themes = curated::all().iter().flat_map(|t| {
        [&t.slug, &t.nl, &t.en]
            .into_iter()
            .chain(&t.synonyms)
            .map(String::as_str)
    });
    NOUNS
        .iter()
        .copied()
        .chain(themes)
        .map(fold)
        .filter(|w| w.chars().all(char::is_alphanumeric) && w.chars().count() >= MIN_HEAD)
        .map(|w| stemmer.stem(&w).into_owned())
        .collect()
});

/// The known parts (as stems) of a folded word, besides the word itself.
pub fn parts(stemmer: &Stemmer, word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut out: Vec<String> = Vec::new();
    if chars.len() < MIN_HEAD + MIN_TAIL {
        return out;
    }
    for split in MIN_HEAD..=chars.len() - MIN_TAIL {
        let tail: String = chars[split..].iter().collect();
        let tail = stemmer.stem(&tail).into_owned();
        if !KNOWN.contains(&tail) {
            continue;
        }
        let head: String = chars[..split].iter().collect();
        let head = stemmer.stem(&head).into_owned();
        for part in [Some(tail), KNOWN.contains(&head).then_some(head)]
            .into_iter()
            .flatten()
        {
            if !out.contains(&part) {
                out.push(part);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(word: &str) -> Vec<String> {
        parts(&Stemmer::create(rust_stemmers::Algorithm::Dutch), word)
    }

    #[test]
    fn compounds_yield_their_known_parts() {
        let tuin = of("buurtmoestuin");
        for part in ["moestuin", "tuin", "buurt"] {
            assert!(tuin.contains(&part.to_owned()), "{part} in {tuin:?}");
        }
        assert!(of("buurtmoestuinen").contains(&"moestuin".to_owned()));
        let zorg = of("zorgcooperatie");
        assert!(
            zorg.contains(&"zorg".to_owned()) && zorg.len() == 2,
            "{zorg:?}"
        );
        assert!(of("wijkcentrum").contains(&"wijk".to_owned()));
        assert!(of("tuinen").is_empty());
        assert!(of("oss").is_empty());
        assert!(of("kwartiermaken").is_empty(), "{:?}", of("kwartiermaken"));
    }
}
