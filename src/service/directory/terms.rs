//! Search terms: words folded (lower case, no diacritics) and reduced by the Dutch Snowball
//! stemmer, so "buurtmoestuinen" finds "Buurtmoestuin" and "zorgcoöperatie" finds "zorgcooperatie".
//! Compounds also yield their known parts ([`super::compounds`]): "moestuinen" finds
//! "Buurtmoestuin" too.

use rust_stemmers::{Algorithm, Stemmer};

use crate::service::theme::fold;

/// Longest word kept; longer "words" are noise (URLs, hashes).
const MAX_WORD: usize = 40;

/// The distinct stemmed terms of a text, in order of first appearance.
pub fn of(text: &str) -> Vec<String> {
    let stemmer = Stemmer::create(Algorithm::Dutch);
    let folded = fold(text);
    let mut out: Vec<String> = Vec::new();
    for word in folded.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() || word.chars().count() > MAX_WORD {
            continue;
        }
        let term = stemmer.stem(word).into_owned();
        for term in std::iter::once(term).chain(super::compounds::parts(&stemmer, word)) {
            if !out.contains(&term) {
                out.push(term);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_stemmed() {
        let terms = of("Buurtmoestuinen in Zoë's wijk: zorgcoöperatie!");
        assert!(terms.contains(&of("buurtmoestuin")[0]), "{terms:?}");
        assert!(terms.contains(&"zorgcooperatie".to_owned()), "{terms:?}");
        assert!(terms.contains(&"zoe".to_owned()), "{terms:?}");
        assert_eq!(of("Tuinen tuinen TUINEN").len(), 1);
        assert!(of(&"x".repeat(41)).is_empty());
    }
}
