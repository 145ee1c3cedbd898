//! Theme names as people type them (`#Groen`, `eenzaamheid`) turned into the slugs themes are
//! stored and matched by.

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

/// The key themes are matched by across nodes: folded, so `#Zorg`, `zorg` and `ZÓRG` meet.
pub fn key(name: &str) -> String {
    fold(name.trim().trim_start_matches('#'))
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
