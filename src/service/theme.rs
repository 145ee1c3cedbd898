//! Theme names as people type them (`#Groen`, `eenzaamheid`) turned into the slugs themes are
//! stored and matched by. Curated themes (`theme/curated.toml`) have names in Dutch and English
//! and synonyms: their key is their slug, whichever word was used.

pub mod curated;

use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};

pub const MAX_THEMES: usize = 10;
pub const MAX_LENGTH: usize = 50;

/// Checks and normalises themes: one word each (letters, digits, `_`), a leading `#` dropped,
/// duplicates (ignoring case) removed. Returns `(slug, name)` pairs in the order given.
pub fn parse(field: &'static str, themes: &[String]) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for raw in themes {
        let name = raw.trim().trim_start_matches('#');
        if name.is_empty() {
            return Err(Error::invalid(field, "a theme is empty"));
        }
        if name.chars().count() > MAX_LENGTH {
            return Err(Error::invalid(
                field,
                format!("{name:?} is longer than {MAX_LENGTH} characters"),
            ));
        }
        if !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(Error::invalid(
                field,
                format!("{name:?} must be one word of letters, digits and _, like a hashtag"),
            ));
        }
        let slug = name.to_lowercase();
        if !out.iter().any(|(s, _)| *s == slug) {
            out.push((slug, name.to_owned()));
        }
    }
    if out.len() > MAX_THEMES {
        return Err(Error::invalid(
            field,
            format!("at most {MAX_THEMES} themes"),
        ));
    }
    Ok(out)
}

/// Lower case without diacritics: "Zoë" and "zoe", "coöperatie" and "cooperatie" fold alike.
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The key themes are matched by across nodes: folded, so `#Zorg`, `zorg` and `ZÓRG` meet, and
/// a curated theme's synonym is its slug, so `#Care` and `#gezondheidszorg` meet them too. Other
/// hashtags keep their folded form.
pub fn key(name: &str) -> String {
    let folded = fold(name.trim().trim_start_matches('#'));
    match curated::of_folded(&folded) {
        Some(theme) => theme.slug.clone(),
        None => folded,
    }
}

/// How to show a theme (a slug or key, with the name it was written as) in a language: a
/// curated theme named by its slug or one of its names by its name there (a synonym such as
/// `moestuin` stays as written), any other by the name as written.
pub fn display_name(key_or_slug: &str, written: &str, lang: &str) -> String {
    let folded = fold(key_or_slug.trim().trim_start_matches('#'));
    match curated::of_folded(&folded) {
        Some(t) if [&t.slug, &t.nl, &t.en].iter().any(|n| fold(n) == folded) => {
            t.name(lang).to_owned()
        }
        _ => written.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_and_diacritics() {
        assert_eq!(key("#Zorg"), key("ZÓRG"));
        assert_eq!(key("Coöperatie"), "cooperatie");
    }

    #[test]
    fn synonyms_meet_at_the_curated_slug() {
        assert_eq!(key("Care"), "zorg");
        assert_eq!(key("Care"), key("zorg"));
        assert_eq!(key("zorg"), key("ZÓRG"));
        assert_eq!(key("#Gezondheidszorg"), "zorg");
        assert_eq!(key("Natuur"), "groen");
        assert_eq!(key("LONELINESS"), "eenzaamheid");
        assert_eq!(key("isolement"), "eenzaamheid");
        assert_eq!(key("#Buurtkamer"), "buurt");
        assert_eq!(key("#Repaircafé"), "repaircafe");
        assert_eq!(display_name("care", "Care", "nl"), "Zorg");
        assert_eq!(display_name("moestuin", "Moestuin", "en"), "Moestuin");
        assert_eq!(display_name("groen", "groen", "en"), "Green spaces");
        assert_eq!(display_name("repaircafe", "RepairCafé", "en"), "RepairCafé");
    }

    #[test]
    fn themes_are_hashtags() {
        let parsed = parse(
            "themes",
            &[
                "#Groen".into(),
                "eenzaamheid".into(),
                "groen".into(),
                "Zoë_zorg".into(),
            ],
        )
        .unwrap();
        assert_eq!(
            parsed,
            vec![
                ("groen".into(), "Groen".into()),
                ("eenzaamheid".into(), "eenzaamheid".into()),
                ("zoë_zorg".into(), "Zoë_zorg".into())
            ]
        );
        for bad in ["", "#", "buurt zorg", "a-b", &"x".repeat(51)] {
            assert!(parse("themes", &[bad.to_owned()]).is_err(), "{bad:?}");
        }
    }
}
