//! The database URL: which backend it selects, and how to show it without its password.

use std::fmt;
use std::path::PathBuf;

/// Where the node keeps its data. Chosen at runtime from `KWARTIER_DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file (`sqlite://PATH`, `sqlite:PATH` or a plain path).
    Sqlite(PathBuf),
    /// A PostgreSQL server (`postgres://…` or `postgresql://…`).
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses a database URL; the error says what is wrong in a way an operator can act on.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("is empty; use sqlite://PATH or postgres://USER@HOST/DATABASE".into());
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let url = url::Url::parse(raw).map_err(|e| format!("is not a valid URL: {e}"))?;
            if url.host_str().is_none_or(str::is_empty) {
                return Err("names no host; use postgres://USER@HOST/DATABASE".into());
            }
            return Ok(DatabaseUrl::Postgres(raw.to_owned()));
        }
        let path = if let Some(rest) = raw.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = raw.strip_prefix("sqlite:") {
            rest
        } else if let Some((scheme, _)) = raw.split_once("://") {
            return Err(format!(
                "uses the unsupported scheme {scheme:?}; use sqlite://PATH or postgres://…"
            ));
        } else {
            raw
        };
        if path.is_empty() {
            return Err("names no SQLite file; use sqlite://PATH".into());
        }
        if path == ":memory:" || path.contains("mode=memory") {
            return Err(
                "in-memory SQLite is not supported (every pooled connection would see its own \
                 empty database); use a file path"
                    .into(),
            );
        }
        if path.contains('?') {
            return Err("SQLite URLs take no options; use sqlite://PATH".into());
        }
        Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Sqlite(_) => "sqlite",
            DatabaseUrl::Postgres(_) => "postgresql",
        }
    }
}

/// Shows the URL with any password replaced, safe for logs and error messages.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::Postgres(raw) => match url::Url::parse(raw) {
                Ok(mut url) if url.password().is_some() => {
                    // Cannot fail: the URL has a host, or it would not have parsed.
                    let _ = url.set_password(Some("***"));
                    write!(f, "{url}")
                }
                _ => f.write_str(raw),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_backend_from_the_url() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/kwartier.db"),
            Ok(DatabaseUrl::Sqlite("data/kwartier.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/kwartier/db.sqlite"),
            Ok(DatabaseUrl::Sqlite("/var/lib/kwartier/db.sqlite".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("./kw.db"),
            Ok(DatabaseUrl::Sqlite("./kw.db".into()))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://kw@db.example/kwartier"),
            Ok(DatabaseUrl::Postgres(_))
        ));
        assert!(matches!(
            DatabaseUrl::parse("postgresql://kw@db.example/kwartier"),
            Ok(DatabaseUrl::Postgres(_))
        ));
    }

    #[test]
    fn rejects_what_it_cannot_serve() {
        for bad in [
            "",
            "mysql://root@localhost/x",
            "sqlite://",
            "sqlite::memory:",
            "sqlite://x.db?mode=ro",
            "postgres://",
        ] {
            assert!(DatabaseUrl::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn never_shows_the_password() {
        let url = DatabaseUrl::parse("postgres://kw:geheim@db.example:5432/kwartier").unwrap();
        let shown = url.to_string();
        assert!(!shown.contains("geheim"), "{shown}");
        assert!(shown.contains("db.example:5432/kwartier"), "{shown}");
    }
}
