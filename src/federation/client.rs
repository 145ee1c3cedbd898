//! The HTTP client for everything this node sends to other servers, and the rules remote URLs
//! must meet before we fetch from or deliver to them.
//!
//! Addresses are resolved by the ActivityPub library's validating resolver and the connection
//! goes to the address that was checked, so a name cannot be re-pointed at a private address
//! between check and connect. Outside development, private, loopback and link-local addresses
//! are refused, as are IP literals and plain `http://`.

use std::time::Duration;

use activitypub_federation::resolver::ValidatingDnsResolver;
use reqwest::redirect::Policy;
use url::Url;

use crate::config::Config;
use crate::error::{Error, Result};

/// Longest time one outgoing request may take; HTTP signatures are valid for about an hour, and
/// peers should answer well within this.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

pub fn build(config: &Config) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        // Redirects are followed by hand (one at most) where they are allowed at all.
        .redirect(Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(REQUEST_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(30))
        .user_agent(format!(
            "kwartier/{} (+{}://{}/)",
            env!("CARGO_PKG_VERSION"),
            config.scheme(),
            config.domain
        ))
        .dns_resolver(ValidatingDnsResolver::new(Vec::new(), !config.development))
        .build()
        .map_err(|e| Error::internal("building the HTTP client", e))
}

/// Checks a URL some other server gave us (an inbox, an actor id) before we use it.
pub fn check_remote(url: &Url, development: bool) -> Result<()> {
    match url.scheme() {
        "https" => {}
        "http" if development => {}
        scheme => {
            return Err(Error::BadRequest(format!(
                "{url}: scheme {scheme} is not allowed"
            )));
        }
    }
    match url.host() {
        Some(url::Host::Domain(_)) => {}
        Some(_) => {
            return Err(Error::BadRequest(format!(
                "{url}: IP addresses are not allowed"
            )));
        }
        None => return Err(Error::BadRequest(format!("{url}: no host"))),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::BadRequest(format!(
            "{url}: credentials in URLs are not allowed"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_urls_are_https_names() {
        let ok = |u: &str, dev: bool| check_remote(&Url::parse(u).unwrap(), dev).is_ok();
        assert!(ok("https://mastodon.example/users/anna", false));
        assert!(!ok("http://mastodon.example/users/anna", false));
        assert!(ok("http://localhost:3001/u/anna", true));
        assert!(!ok("https://127.0.0.1/inbox", true));
        assert!(!ok("https://[::1]/inbox", true));
        assert!(!ok("https://user:pw@example.org/inbox", false));
        assert!(!ok("ftp://example.org/inbox", true));
    }
}
