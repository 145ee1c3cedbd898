//! The federation policy: which servers this node federates with. A mode (`open`, `blocklist`,
//! `allowlist`) and domain rules (blocks with a severity, allows). This module says what the
//! rules mean for a host ([`verdict`]); [`actions`] changes them (with the audit log and the
//! side effects of a suspension), [`csv`] reads and writes Mastodon's CSV format.
//!
//! A rule for `example.com` covers `example.com` and every subdomain, on any port; a rule for
//! `localhost:3001` covers that port only. Of several matching blocks the strictest counts.
//!
//! - `suspend`: nothing in, nothing out (in every mode);
//! - `silence`: federation works, but nothing of theirs is shown publicly;
//! - `allowlist` mode: only hosts with an allow rule (and no suspension) federate.
//!
//! `open` and `blocklist` enforce blocks alike; `blocklist` says the node curates a list.

pub mod actions;
pub mod csv;
pub mod schedule;
pub mod subscriptions;

use url::Url;

use crate::db::Conn;
use crate::db::domain_policy::{self, DomainRule, kind};
use crate::db::node_settings;
use crate::error::{Error, Result};
use crate::state::AppState;

/// With whom the node federates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Open,
    Blocklist,
    Allowlist,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Open, Mode::Blocklist, Mode::Allowlist];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Open => "open",
            Mode::Blocklist => "blocklist",
            Mode::Allowlist => "allowlist",
        }
    }
}

impl std::str::FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Mode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| format!("{s:?} is not one of open, blocklist, allowlist"))
    }
}

/// How hard a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Silence,
    Suspend,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Silence => "silence",
            Severity::Suspend => "suspend",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "silence" => Ok(Severity::Silence),
            "suspend" => Ok(Severity::Suspend),
            other => Err(format!("{other:?} is not one of silence, suspend")),
        }
    }
}

/// What the policy says about a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Federate,
    /// Federates, but nothing of theirs is shown publicly.
    Silenced,
    /// Nothing in, nothing out; says why.
    Refused(String),
}

impl Verdict {
    pub fn refused(&self) -> bool {
        matches!(self, Verdict::Refused(_))
    }
}

/// The node's federation mode.
pub async fn mode(conn: &mut Conn) -> Result<Mode> {
    let stored = node_settings::federation_mode(conn).await?;
    // The column's CHECK constraint allows nothing else.
    Ok(stored.parse().unwrap_or(Mode::Open))
}

/// A domain as people type it (`Social.Example.COM.`, `bücher.example`, `localhost:3001`),
/// in the form rules are stored: lower case, ASCII, no trailing dot, an optional port.
pub fn normalize_domain(input: &str) -> Result<String> {
    let bad = || Error::invalid("domain", format!("{input:?} is not a domain name"));
    let trimmed = input.trim();
    let (host, port) = match trimmed.rsplit_once(':') {
        Some((host, port)) => {
            let port: u16 = port.parse().map_err(|_| bad())?;
            (host, Some(port))
        }
        None => (trimmed, None),
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || host.starts_with('.') || host.contains("..") {
        return Err(bad());
    }
    let ascii = match url::Host::parse(host) {
        Ok(url::Host::Domain(ascii)) => ascii,
        _ => return Err(bad()),
    };
    if ascii.is_empty()
        || !ascii
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Err(bad());
    }
    Ok(match port {
        Some(port) => format!("{ascii}:{port}"),
        None => ascii,
    })
}

/// The normalised `host[:port]` of a URL, if it has a host name.
pub fn host_of(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// The rule domains that would cover `host` (`a.b.example:80` → `a.b.example:80`,
/// `a.b.example`, `b.example:80`, `b.example`, `example:80`, `example`).
fn covering(host: &str) -> Vec<String> {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if port.parse::<u16>().is_ok() => (name, Some(port)),
        _ => (host, None),
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let mut out = Vec::new();
    let mut rest = name.as_str();
    loop {
        if let Some(port) = port {
            out.push(format!("{rest}:{port}"));
        }
        out.push(rest.to_owned());
        match rest.split_once('.') {
            Some((_, parent)) if !parent.is_empty() => rest = parent,
            _ => break,
        }
    }
    out
}

/// Whether a rule for `domain` covers `host` (both normalised).
pub fn covers(domain: &str, host: &str) -> bool {
    covering(host).iter().any(|d| d == domain)
}

/// The rules that cover `host`.
pub async fn rules_for(conn: &mut Conn, host: &str) -> Result<Vec<DomainRule>> {
    domain_policy::for_domains(conn, &covering(host)).await
}

/// What the policy says about `host` (`host[:port]`, normalised), which must not be ours.
pub async fn verdict_for_host(conn: &mut Conn, host: &str) -> Result<Verdict> {
    let rules = rules_for(conn, host).await?;
    let block = rules
        .iter()
        .filter(|r| r.kind == kind::BLOCK)
        .filter_map(|r| r.severity.as_deref()?.parse::<Severity>().ok())
        .max();
    if block == Some(Severity::Suspend) {
        return Ok(Verdict::Refused(format!(
            "this server does not federate with {host} (suspended)"
        )));
    }
    if mode(conn).await? == Mode::Allowlist && !rules.iter().any(|r| r.kind == kind::ALLOW) {
        return Ok(Verdict::Refused(format!(
            "this server federates only with allowed servers, and {host} is not one"
        )));
    }
    Ok(match block {
        Some(Severity::Silence) => Verdict::Silenced,
        _ => Verdict::Federate,
    })
}

/// What the policy says about the server of `url`. Our own URLs always federate; a URL
/// without a host name is refused.
pub async fn verdict(state: &AppState, conn: &mut Conn, url: &Url) -> Result<Verdict> {
    if state.urls.is_local(url) {
        return Ok(Verdict::Federate);
    }
    match host_of(url) {
        Some(host) => verdict_for_host(conn, &host).await,
        None => Ok(Verdict::Refused(format!("{url} has no host name"))),
    }
}

/// `Err(Error::Refused)` unless the policy lets this node federate with the server of `url`.
pub async fn check(state: &AppState, url: &Url) -> Result<()> {
    let mut conn = state.db.conn().await?;
    match verdict(state, &mut conn, url).await? {
        Verdict::Refused(why) => Err(Error::Refused(why)),
        Verdict::Federate | Verdict::Silenced => Ok(()),
    }
}

/// The domains blocked with `silence`: nothing of theirs is shown publicly. Pages shown to
/// visitors who are not logged in, and public listings (network search), leave out what these
/// domains' actors wrote; people logged in here still see it, as Mastodon's "limit" does.
#[derive(Debug, Clone, Default)]
pub struct Silenced(Vec<String>);

impl Silenced {
    /// Whether `host` (`host[:port]`) is on a silenced domain.
    pub fn host(&self, host: &str) -> bool {
        self.0.iter().any(|domain| covers(domain, host))
    }

    /// Whether the server of `url` is silenced.
    pub fn url(&self, url: &Url) -> bool {
        !self.0.is_empty() && host_of(url).is_some_and(|host| self.host(&host))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The silenced domains (a suspension is stronger: nothing of theirs gets in at all).
pub async fn silenced(conn: &mut Conn) -> Result<Silenced> {
    Ok(Silenced(
        domain_policy::all(conn)
            .await?
            .into_iter()
            .filter(|r| r.kind == kind::BLOCK && r.severity.as_deref() == Some("silence"))
            .map(|r| r.domain)
            .collect(),
    ))
}

/// Every rule, for listing.
pub async fn list(conn: &mut Conn) -> Result<Vec<DomainRule>> {
    domain_policy::all(conn).await
}

/// Lets the ActivityPub library refuse to fetch from servers the policy refuses (actors,
/// objects, keys, WebFinger): it asks before every fetch.
#[derive(Clone)]
pub struct FetchVerifier(pub AppState);

#[async_trait::async_trait]
impl activitypub_federation::config::UrlVerifier for FetchVerifier {
    async fn verify(
        &self,
        url: &Url,
    ) -> std::result::Result<(), activitypub_federation::error::Error> {
        match check(&self.0, url).await {
            Ok(()) => Ok(()),
            Err(Error::Refused(why)) => Err(activitypub_federation::error::Error::Other(why)),
            Err(other) => Err(activitypub_federation::error::Error::Other(
                other.to_string(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_normalised() {
        assert_eq!(
            normalize_domain(" Social.Example.COM. ").unwrap(),
            "social.example.com"
        );
        assert_eq!(
            normalize_domain("bücher.example").unwrap(),
            "xn--bcher-kva.example"
        );
        assert_eq!(
            normalize_domain("localhost:3001").unwrap(),
            "localhost:3001"
        );
        assert!(normalize_domain("").is_err());
        assert!(normalize_domain("a..b").is_err());
        assert!(normalize_domain("https://example.com/").is_err());
        assert!(normalize_domain("example.com:port").is_err());
        assert!(normalize_domain("exa mple.com").is_err());
    }

    #[test]
    fn rules_cover_subdomains_and_ports() {
        assert!(covers("example.com", "example.com"));
        assert!(covers("example.com", "social.example.com"));
        assert!(covers("example.com", "social.example.com:8443"));
        assert!(!covers("example.com", "badexample.com"));
        assert!(!covers("example.com", "example.com.evil"));
        assert!(covers("localhost:3001", "localhost:3001"));
        assert!(!covers("localhost:3001", "localhost:3002"));
        assert!(!covers("localhost:3001", "localhost"));
        assert!(covers("localhost", "localhost:3002"));
    }

    #[test]
    fn hosts_of_urls() {
        let host = |u: &str| host_of(&Url::parse(u).unwrap());
        assert_eq!(
            host("https://Social.Example.com./u/a").as_deref(),
            Some("social.example.com")
        );
        assert_eq!(
            host("http://localhost:3001/inbox").as_deref(),
            Some("localhost:3001")
        );
        assert_eq!(
            host("https://example.com:443/").as_deref(),
            Some("example.com")
        );
    }
}
