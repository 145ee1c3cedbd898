//! Languages of the web front: Dutch first, English second. Every string lives in the Fluent
//! files under `src/web/locales/`; a visitor's language comes from the `lang` cookie (the switch
//! on every page), else from `Accept-Language`, else Dutch.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Redirect;
use axum::routing::get;
use axum_extra::extract::CookieJar;
use chrono::NaiveDateTime;
use fluent_langneg::{NegotiationStrategy, negotiate_languages};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

use super::visitor::cookie;
use crate::error::{Error, Result};
use crate::state::AppState;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./src/web/locales",
        fallback_language: "nl",
        // Unicode isolation marks only help when mixing scripts; they confuse screen readers
        // and copy-paste in Dutch and English text.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The cookie that remembers the language a visitor chose.
pub const COOKIE: &str = "lang";

pub fn router() -> Router<AppState> {
    Router::new().route("/lang/{code}", get(switch))
}

#[derive(serde::Deserialize)]
struct Back {
    back: Option<String>,
}

/// The language switch: remembers the choice for a year and goes back to the page.
async fn switch(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<Back>,
) -> Result<(CookieJar, Redirect)> {
    let lang = Lang::from_code(&code).ok_or_else(|| Error::NotFound(format!("language {code}")))?;
    let back = query
        .back
        .filter(|b| is_local_path(b))
        .unwrap_or_else(|| "/".into());
    let jar = CookieJar::new().add(cookie(&state, COOKIE, lang.code().to_owned(), 365));
    Ok((jar, Redirect::to(&back)))
}

/// A path on this node (`/…`), never another site (`//host`, `/\host`, `https://…`).
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Nl, Lang::En];

    /// The BCP 47 code, as in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language to show: a chosen one (cookie) wins, then the browser's preferences.
    pub fn negotiate(chosen: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = chosen.and_then(Lang::from_code) {
            return lang;
        }
        let requested = fluent_langneg::accepted_languages::parse(accept_language.unwrap_or(""));
        let available = [langid!("nl"), langid!("en")];
        let default = langid!("nl");
        negotiate_languages(
            &requested,
            &available,
            Some(&default),
            NegotiationStrategy::Lookup,
        )
        .first()
        .and_then(|id| Lang::from_code(id.language.as_str()))
        .unwrap_or(Lang::Nl)
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Lang::Nl => langid!("nl"),
            Lang::En => langid!("en"),
        }
    }

    /// The language's own name, for the switch.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::Nl => "Nederlands",
            Lang::En => "English",
        }
    }
}

/// Translations for one page in one language; templates call `tr.t` with a message id.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The message `id`. A missing id shows as itself, so it is noticed (a test checks every
    /// id used exists in both languages).
    pub fn t(&self, id: &str) -> String {
        LOCALES
            .try_lookup(&self.lang.id(), id)
            .unwrap_or_else(|| id.to_owned())
    }

    /// The message `id` with arguments: `tr.with("story-new-for", &[("name", name.into())])`.
    pub fn with(&self, id: &str, args: &[(&'static str, FluentValue<'static>)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), v.clone()))
            .collect();
        LOCALES
            .try_lookup_with_args(&self.lang.id(), id, &args)
            .unwrap_or_else(|| id.to_owned())
    }

    /// `n` with the plural form of `id` (a Fluent message with a `$count` selector).
    pub fn count(&self, id: &str, n: i64) -> String {
        self.with(
            id,
            &[
                ("count", FluentValue::from(n)),
                ("shown", self.number(n).into()),
            ],
        )
    }

    /// A whole number with the locale's digit grouping: 12.345 in Dutch, 12,345 in English.
    pub fn number(&self, n: i64) -> String {
        let separator = match self.lang {
            Lang::Nl => '.',
            Lang::En => ',',
        };
        let digits = n.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if n < 0 {
            grouped.push('-');
        }
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(separator);
            }
            grouped.push(digit);
        }
        grouped
    }

    /// A date as people write it: "23 november 2026" or "23 November 2026".
    pub fn date(&self, at: &NaiveDateTime) -> String {
        let locale = match self.lang {
            Lang::Nl => chrono::Locale::nl_NL,
            Lang::En => chrono::Locale::en_GB,
        };
        at.and_utc()
            .format_localized("%-d %B %Y", locale)
            .to_string()
    }

    /// Machine-readable date for `<time datetime>`.
    pub fn iso(&self, at: &NaiveDateTime) -> String {
        at.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_language_wins_over_the_browser() {
        assert_eq!(
            Lang::negotiate(Some("en"), Some("nl-NL,nl;q=0.9")),
            Lang::En
        );
        assert_eq!(
            Lang::negotiate(Some("xx"), Some("en-GB,en;q=0.9")),
            Lang::En
        );
    }

    #[test]
    fn browsers_get_their_language_and_everyone_else_dutch() {
        assert_eq!(Lang::negotiate(None, Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(
            Lang::negotiate(None, Some("de-DE,nl;q=0.8,en;q=0.5")),
            Lang::Nl
        );
        assert_eq!(Lang::negotiate(None, Some("fr")), Lang::Nl);
        assert_eq!(Lang::negotiate(None, None), Lang::Nl);
    }

    #[test]
    fn numbers_and_dates_follow_the_locale() {
        let nl = Tr::new(Lang::Nl);
        let en = Tr::new(Lang::En);
        assert_eq!(nl.number(1234567), "1.234.567");
        assert_eq!(en.number(-1234), "-1,234");
        assert_eq!(nl.number(999), "999");
        let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 5)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .expect("valid date");
        assert_eq!(nl.date(&at), "5 maart 2026");
        assert_eq!(en.date(&at), "5 March 2026");
    }

    /// Message ids of a Fluent file.
    fn ids(lang: &str) -> std::collections::BTreeSet<String> {
        let path = format!(
            "{}/src/web/locales/{lang}/kwartier.ftl",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).expect("translation file");
        text.lines()
            .filter_map(|line| line.split_once(" ="))
            .map(|(id, _)| id.trim_end().to_owned())
            .filter(|id| !id.is_empty() && !id.starts_with([' ', '#', '*', '[']))
            .collect()
    }

    /// Every `"…"` after `marker` in the web front's sources.
    fn quoted_after(marker: &str) -> Vec<String> {
        let dir = format!("{}/src/web", env!("CARGO_MANIFEST_DIR"));
        let mut found = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(dir)];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("source dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                for piece in text.split(marker).skip(1) {
                    if let Some(id) = piece.split('"').next() {
                        found.push(id.to_owned());
                    }
                }
            }
        }
        found
    }

    #[test]
    fn both_languages_have_every_message_the_pages_use() {
        let nl = ids("nl");
        let en = ids("en");
        assert_eq!(
            nl.symmetric_difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "messages in one language only"
        );
        let mut used: Vec<String> = [".t(\"", ".count(\"", ".with(\""]
            .iter()
            .flat_map(|m| quoted_after(m))
            .filter(|id| !id.is_empty() && !id.ends_with('-'))
            .collect();
        // Fields of every form: their label, and the message for a broken rule.
        for field in quoted_after("forms::field(c, errors, \"") {
            used.push(format!("field-{field}"));
            used.push(format!("invalid-{field}"));
        }
        for family in [
            "error-400",
            "error-403",
            "error-404",
            "error-413",
            "error-429",
            "error-500",
        ] {
            used.push(format!("{family}-title"));
            used.push(format!("{family}-text"));
        }
        for v in ["public", "followers", "local"] {
            used.push(format!("visibility-{v}"));
            used.push(format!("visibility-{v}-hint"));
        }
        used.extend(
            [
                "role-owner",
                "role-member",
                "taken-username",
                "taken-handle",
            ]
            .map(String::from),
        );
        assert!(used.len() > 100, "the scan found too little: {used:?}");
        let missing: Vec<&String> = used.iter().filter(|id| !nl.contains(*id)).collect();
        assert!(missing.is_empty(), "used but not translated: {missing:?}");
    }

    #[test]
    fn plurals_follow_the_language() {
        let nl = Tr::new(Lang::Nl);
        assert_eq!(nl.count("followers-count", 1), "1 volger");
        assert_eq!(nl.count("followers-count", 1200), "1.200 volgers");
        assert_eq!(Tr::new(Lang::En).count("followers-count", 1), "1 follower");
    }
}
