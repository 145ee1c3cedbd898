//! RSS 2.0 and Atom feeds of stories: the node's (`/feed.rss`, `/feed.atom`), an initiative's
//! (`/i/{handle}/feed.rss`, `…/feed.atom`) and a theme's (`/themes/{slug}/feed.rss`, `…`).
//!
//! Feeds are read by anyone without logging in, so they list only public stories written on
//! this node that are not deleted: never followers-only or local-only ones, and not the stories
//! that arrived from other servers (those belong to their own node's feeds). Newest first, at
//! most [`LIMIT`]. Each item has the title, the story's address, the summary, the publication
//! date, the author, the themes as categories and the cover as an enclosure.

use std::collections::HashMap;
use std::collections::hash_map::Entry as Slot;

use atom_syndication as atom;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use url::Url;

use super::i18n::{Lang, Tr};
use crate::db::actor::{self, Actor};
use crate::db::media::{self, Media};
use crate::db::story::{self, FeedScope, Story};
use crate::db::theme::{self, Theme};
use crate::db::{Conn, node_settings};
use crate::error::{Error, Result};
use crate::service::{initiative, text};
use crate::state::AppState;

/// Most stories in one feed.
pub const LIMIT: i64 = 50;

pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for format in [Format::Rss, Format::Atom] {
        let file = format!("feed.{}", format.extension());
        router = router
            .route(
                &format!("/{file}"),
                get(move |State(state)| feed(state, Of::Node, format)),
            )
            .route(
                &format!("/i/{{handle}}/{file}"),
                get(move |State(state), Path(handle)| feed(state, Of::Initiative(handle), format)),
            )
            .route(
                &format!("/themes/{{slug}}/{file}"),
                get(move |State(state), Path(slug)| feed(state, Of::Theme(slug), format)),
            );
    }
    router
}

/// What a feed is of, as its address names it.
enum Of {
    Node,
    Initiative(String),
    Theme(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Rss,
    Atom,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Rss => "rss",
            Format::Atom => "atom",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
        }
    }
}

/// What a feed is about, before its stories.
struct Channel {
    title: String,
    description: String,
    /// The HTML page the feed belongs to.
    page: Url,
    scope: FeedScope,
}

/// One story as feeds show it.
struct Entry {
    title: String,
    link: String,
    summary: String,
    published: DateTime<Utc>,
    updated: DateTime<Utc>,
    author: String,
    author_url: String,
    themes: Vec<(Theme, Url)>,
    cover: Option<(Media, Url)>,
}

async fn feed(state: AppState, of: Of, format: Format) -> Result<Response> {
    let mut conn = state.db.conn().await?;
    let channel = match of {
        Of::Node => node_channel(&state, &mut conn).await?,
        Of::Initiative(handle) => initiative_channel(&mut conn, &handle).await?,
        Of::Theme(slug) => theme_channel(&state, &mut conn, &slug).await?,
    };
    respond(&state, &mut conn, channel, format).await
}

async fn node_channel(state: &AppState, conn: &mut Conn) -> Result<Channel> {
    let settings = node_settings::get(conn).await?;
    let description = if settings.description.trim().is_empty() {
        // Feed readers send no language; feeds are in the node's first language.
        Tr::new(Lang::Nl).with("feed-node", &[("node", settings.name.clone().into())])
    } else {
        settings.description
    };
    Ok(Channel {
        title: settings.name,
        description,
        page: state.urls.base().clone(),
        scope: FeedScope::Node,
    })
}

async fn initiative_channel(conn: &mut Conn, handle: &str) -> Result<Channel> {
    let (group, _) = initiative::find(conn, handle).await?;
    Ok(Channel {
        title: name_of(&group),
        description: text::plain_text(group.summary.as_deref().unwrap_or_default()),
        page: group.ap_id.0.clone(),
        scope: FeedScope::Initiative(group.id),
    })
}

async fn theme_channel(state: &AppState, conn: &mut Conn, slug: &str) -> Result<Channel> {
    let found = theme::find_by_slug(conn, &slug.to_lowercase())
        .await?
        .ok_or_else(|| Error::NotFound(format!("theme {slug:?}")))?;
    let settings = node_settings::get(conn).await?;
    Ok(Channel {
        title: format!("#{} · {}", found.name, settings.name),
        description: Tr::new(Lang::Nl).with(
            "feed-theme",
            &[
                ("theme", found.name.clone().into()),
                ("node", settings.name.clone().into()),
            ],
        ),
        page: state.urls.theme(&found.slug),
        scope: FeedScope::Theme(found.id),
    })
}

async fn respond(
    state: &AppState,
    conn: &mut Conn,
    channel: Channel,
    format: Format,
) -> Result<Response> {
    let entries = entries(state, conn, channel.scope).await?;
    let self_url = state.urls.feed(&channel.page, format.extension());
    let body = match format {
        Format::Rss => rss(&channel, &self_url, &entries),
        Format::Atom => atom(&channel, &self_url, &entries),
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        )],
        body,
    )
        .into_response())
}

/// The feed's stories with their authors, themes and covers (a few queries, not a few per
/// story).
async fn entries(state: &AppState, conn: &mut Conn, scope: FeedScope) -> Result<Vec<Entry>> {
    let stories = story::public_local(conn, scope, LIMIT).await?;
    let ids: Vec<i64> = stories.iter().map(|s| s.id).collect();
    let mut themes: HashMap<i64, Vec<Theme>> = HashMap::new();
    for (story_id, found) in theme::for_stories(conn, &ids).await? {
        themes.entry(story_id).or_default().push(found);
    }
    let cover_ids: Vec<i64> = stories.iter().filter_map(|s| s.cover_media_id).collect();
    let mut covers: HashMap<i64, Media> = media::find_many(conn, &cover_ids)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut authors: HashMap<i64, Actor> = HashMap::new();
    let mut out = Vec::with_capacity(stories.len());
    for one in stories {
        if let Slot::Vacant(slot) = authors.entry(one.author_id) {
            slot.insert(actor::get(conn, one.author_id).await?);
        }
        let author = authors.get(&one.author_id);
        out.push(Entry {
            link: link_of(&one),
            title: one.title,
            summary: one.summary,
            published: one.published_at.and_utc(),
            updated: one.updated_at.unwrap_or(one.published_at).and_utc(),
            author: author.map(name_of).unwrap_or_default(),
            author_url: author.map(|a| a.ap_id.to_string()).unwrap_or_default(),
            themes: themes
                .remove(&one.id)
                .unwrap_or_default()
                .into_iter()
                .map(|t| {
                    let url = state.urls.theme(&t.slug);
                    (t, url)
                })
                .collect(),
            cover: one
                .cover_media_id
                .and_then(|id| covers.remove(&id))
                .map(|m| {
                    let url = state.urls.media(&m.file_name);
                    (m, url)
                }),
        });
    }
    Ok(out)
}

fn link_of(found: &Story) -> String {
    found.url.clone().unwrap_or_else(|| found.ap_id.to_string())
}

fn name_of(actor: &Actor) -> String {
    actor
        .display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| actor.username.clone())
}

/// When the newest change to any of the stories was.
fn latest(entries: &[Entry]) -> Option<DateTime<Utc>> {
    entries.iter().map(|e| e.updated).max()
}

fn rss(channel: &Channel, self_url: &Url, entries: &[Entry]) -> String {
    let items = entries
        .iter()
        .map(|e| rss::Item {
            title: Some(e.title.clone()),
            link: Some(e.link.clone()),
            description: Some(e.summary.clone()),
            guid: Some(rss::Guid {
                value: e.link.clone(),
                permalink: true,
            }),
            pub_date: Some(e.published.to_rfc2822()),
            // RSS's own `author` must be an e-mail address; Dublin Core takes a name.
            dublin_core_ext: Some(rss::extension::dublincore::DublinCoreExtension {
                creators: vec![e.author.clone()],
                ..Default::default()
            }),
            categories: e
                .themes
                .iter()
                .map(|(t, url)| rss::Category {
                    name: t.name.clone(),
                    domain: Some(url.to_string()),
                })
                .collect(),
            enclosure: e.cover.as_ref().map(|(m, url)| rss::Enclosure {
                url: url.to_string(),
                length: m.byte_size.to_string(),
                mime_type: m.content_type.clone(),
            }),
            ..Default::default()
        })
        .collect();
    rss::Channel {
        title: channel.title.clone(),
        link: channel.page.to_string(),
        description: channel.description.clone(),
        language: Some("nl".into()),
        generator: Some(format!("Kwartier {}", env!("CARGO_PKG_VERSION"))),
        last_build_date: latest(entries).map(|at| at.to_rfc2822()),
        atom_ext: Some(rss::extension::atom::AtomExtension {
            links: vec![atom::Link {
                href: self_url.to_string(),
                rel: "self".into(),
                mime_type: Some("application/rss+xml".into()),
                ..Default::default()
            }],
        }),
        items,
        ..Default::default()
    }
    .to_string()
}

fn atom(channel: &Channel, self_url: &Url, entries: &[Entry]) -> String {
    let link = |href: &str, rel: &str, mime_type: &str| atom::Link {
        href: href.to_owned(),
        rel: rel.to_owned(),
        mime_type: Some(mime_type.to_owned()),
        ..Default::default()
    };
    let items = entries
        .iter()
        .map(|e| {
            let mut links = vec![link(&e.link, "alternate", "text/html")];
            if let Some((m, url)) = &e.cover {
                links.push(atom::Link {
                    length: Some(m.byte_size.to_string()),
                    ..link(url.as_str(), "enclosure", &m.content_type)
                });
            }
            atom::Entry {
                id: e.link.clone(),
                title: atom::Text::plain(e.title.clone()),
                updated: e.updated.fixed_offset(),
                published: Some(e.published.fixed_offset()),
                authors: vec![atom::Person {
                    name: e.author.clone(),
                    uri: Some(e.author_url.clone()),
                    ..Default::default()
                }],
                summary: Some(atom::Text::plain(e.summary.clone())),
                categories: e
                    .themes
                    .iter()
                    .map(|(t, url)| atom::Category {
                        term: t.slug.clone(),
                        scheme: Some(url.to_string()),
                        label: Some(t.name.clone()),
                    })
                    .collect(),
                links,
                ..Default::default()
            }
        })
        .collect::<Vec<_>>();
    atom::Feed {
        id: channel.page.to_string(),
        title: atom::Text::plain(channel.title.clone()),
        subtitle: Some(atom::Text::plain(channel.description.clone())),
        updated: latest(entries).unwrap_or_else(Utc::now).fixed_offset(),
        links: vec![
            link(channel.page.as_str(), "alternate", "text/html"),
            link(self_url.as_str(), "self", "application/atom+xml"),
        ],
        generator: Some(atom::Generator {
            value: "Kwartier".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
            ..Default::default()
        }),
        lang: Some("nl".into()),
        entries: items,
        ..Default::default()
    }
    .to_string()
}
