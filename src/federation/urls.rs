//! Every URL this node hands out is built here, from the scheme and the configured domain.
//! Local actors live at `/u/{name}` (people), `/i/{handle}` (initiatives) and `/actor` (the
//! node); their collections hang below their id.

use url::Url;

use crate::config::Config;

/// Builds this node's public URLs. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Urls {
    base: Url,
}

impl Urls {
    pub fn new(config: &Config) -> Urls {
        Urls::for_domain(config.scheme(), &config.domain)
    }

    /// `domain` must be valid (the configuration checks it).
    pub fn for_domain(scheme: &str, domain: &str) -> Urls {
        let base = Url::parse(&format!("{scheme}://{domain}/")).unwrap_or_else(|e| {
            panic!("configuration let through an invalid domain {domain:?}: {e}")
        });
        Urls { base }
    }

    /// `https://domain/`
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// `domain` or `domain:port`, as in handles.
    pub fn authority(&self) -> String {
        authority(&self.base)
    }

    /// Whether `url` points at this node: same scheme-independent host **and** port.
    pub fn is_local(&self, url: &Url) -> bool {
        url.host_str() == self.base.host_str()
            && url.port_or_known_default() == self.base.port_or_known_default()
    }

    fn at(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        url.set_path(path);
        url
    }

    pub fn node_actor(&self) -> Url {
        self.at("/actor")
    }

    pub fn person(&self, username: &str) -> Url {
        self.at(&format!("/u/{username}"))
    }

    pub fn person_inbox(&self, username: &str) -> Url {
        self.at(&format!("/u/{username}/inbox"))
    }

    pub fn initiative(&self, handle: &str) -> Url {
        self.at(&format!("/i/{handle}"))
    }

    pub fn initiative_inbox(&self, handle: &str) -> Url {
        self.at(&format!("/i/{handle}/inbox"))
    }

    /// A theme group: `/g/{handle}` (its page for people, its actor for servers).
    pub fn group(&self, handle: &str) -> Url {
        self.at(&format!("/g/{handle}"))
    }

    pub fn group_inbox(&self, handle: &str) -> Url {
        self.at(&format!("/g/{handle}/inbox"))
    }

    /// The list of theme groups: `/groepen`.
    pub fn groups(&self) -> Url {
        self.at("/groepen")
    }

    pub fn shared_inbox(&self) -> Url {
        self.at("/inbox")
    }

    /// A collection below an actor's id: `followers`, `following`, `outbox`, `featured`,
    /// `moderators`.
    pub fn collection(&self, actor: &Url, name: &str) -> Url {
        let mut url = actor.clone();
        url.set_path(&format!("{}/{name}", actor.path().trim_end_matches('/')));
        url
    }

    pub fn followers(&self, actor: &Url) -> Url {
        self.collection(actor, "followers")
    }

    pub fn story(&self, id: i64) -> Url {
        self.at(&format!("/stories/{id}"))
    }

    pub fn comment(&self, id: i64) -> Url {
        self.at(&format!("/comments/{id}"))
    }

    /// The `replies` collection of a story or comment.
    pub fn replies(&self, object: &Url) -> Url {
        self.collection(object, "replies")
    }

    pub fn activity(&self, id: &uuid::Uuid) -> Url {
        self.at(&format!("/activities/{id}"))
    }

    /// The id of an activity from the `{id}` in `/activities/{id}`.
    pub fn activity_path(&self, id: &str) -> crate::error::Result<Url> {
        let id = uuid::Uuid::parse_str(id)
            .map_err(|_| crate::error::Error::NotFound("activity".into()))?;
        Ok(self.activity(&id))
    }

    pub fn theme(&self, slug: &str) -> Url {
        let mut url = self.at("/themes/");
        url.path_segments_mut()
            .map(|mut segments| {
                segments.pop_if_empty().push(slug);
            })
            .ok();
        url
    }

    /// An upload: `/media/{file_name}`.
    pub fn media(&self, file_name: &str) -> Url {
        self.at(&format!("/media/{file_name}"))
    }

    /// A feed of the stories shown at `page` (the node's home, an initiative, a theme):
    /// `{page}/feed.{extension}`.
    pub fn feed(&self, page: &Url, extension: &str) -> Url {
        self.collection(page, &format!("feed.{extension}"))
    }

    pub fn api_story(&self, id: i64) -> Url {
        self.at(&format!("/api/v1/stories/{id}"))
    }

    pub fn api_initiative(&self, handle: &str) -> Url {
        self.at(&format!("/api/v1/initiatives/{handle}"))
    }

    pub fn nodeinfo(&self) -> Url {
        self.at("/nodeinfo/2.1")
    }

    /// The node's directory: its discoverable initiatives and groups as a change feed.
    pub fn directory(&self) -> Url {
        self.at("/directory")
    }

    /// A page of the directory: the changes after position `after`.
    pub fn directory_page(&self, after: i64, limit: Option<i64>) -> Url {
        let mut url = self.directory();
        url.query_pairs_mut()
            .append_pair("after", &after.to_string());
        if let Some(limit) = limit {
            url.query_pairs_mut()
                .append_pair("limit", &limit.to_string());
        }
        url
    }

    /// The Kwartier nodes this node knows.
    pub fn directory_nodes(&self) -> Url {
        self.at("/directory/nodes")
    }

    /// A page of the node list: the nodes after `after` (a domain; empty: from the start).
    pub fn directory_nodes_page(&self, after: &str) -> Url {
        let mut url = self.directory_nodes();
        url.query_pairs_mut().append_pair("after", after);
        url
    }
}

/// The id of a local actor's key: `{actor}#main-key`, as Mastodon names it.
pub fn main_key_id(actor: &Url) -> String {
    format!("{actor}#main-key")
}

/// `host` or `host:port` of a URL, as in handles and peer names.
pub fn authority(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_the_port_and_scheme() {
        let urls = Urls::for_domain("http", "localhost:3001");
        assert_eq!(urls.person("anna").as_str(), "http://localhost:3001/u/anna");
        assert_eq!(
            urls.nodeinfo().as_str(),
            "http://localhost:3001/nodeinfo/2.1"
        );
        assert_eq!(urls.authority(), "localhost:3001");
        let urls = Urls::for_domain("https", "kwartier.oss.nl");
        assert_eq!(
            urls.shared_inbox().as_str(),
            "https://kwartier.oss.nl/inbox"
        );
        assert_eq!(
            urls.person_inbox("anna").as_str(),
            "https://kwartier.oss.nl/u/anna/inbox"
        );
        let initiative = urls.initiative("moestuin");
        assert_eq!(
            urls.followers(&initiative).as_str(),
            "https://kwartier.oss.nl/i/moestuin/followers"
        );
        assert_eq!(
            urls.replies(&urls.story(7)).as_str(),
            "https://kwartier.oss.nl/stories/7/replies"
        );
        assert_eq!(
            urls.theme("eenzaamheid").as_str(),
            "https://kwartier.oss.nl/themes/eenzaamheid"
        );
        assert_eq!(urls.authority(), "kwartier.oss.nl");
        assert_eq!(
            urls.feed(urls.base(), "rss").as_str(),
            "https://kwartier.oss.nl/feed.rss"
        );
        assert_eq!(
            urls.feed(&urls.theme("groen"), "atom").as_str(),
            "https://kwartier.oss.nl/themes/groen/feed.atom"
        );
        assert_eq!(
            urls.feed(&initiative, "rss").as_str(),
            "https://kwartier.oss.nl/i/moestuin/feed.rss"
        );
    }

    #[test]
    fn local_means_same_host_and_port() {
        let urls = Urls::for_domain("http", "localhost:3001");
        assert!(urls.is_local(&Url::parse("http://localhost:3001/u/anna").unwrap()));
        assert!(!urls.is_local(&Url::parse("http://localhost:3002/u/anna").unwrap()));
        assert!(!urls.is_local(&Url::parse("http://elders.localhost:3001/u/anna").unwrap()));
        let urls = Urls::for_domain("https", "kwartier.oss.nl");
        assert!(urls.is_local(&Url::parse("https://kwartier.oss.nl/x").unwrap()));
        assert!(!urls.is_local(&Url::parse("https://kwartier.oss.nl:8443/x").unwrap()));
    }
}
