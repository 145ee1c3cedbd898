//! The short forms of stories and initiatives that lists show (home, theme, search,
//! initiative and person pages), built from rows with their names looked up in one query.

use crate::db::actor::{self, Actor};
use crate::db::initiative::Initiative;
use crate::db::story::Story;
use crate::db::{Conn, theme};
use crate::error::Result;

use super::i18n::Tr;

pub struct StoryCard {
    pub href: String,
    pub title: String,
    pub summary: String,
    pub initiative_name: String,
    pub initiative_href: String,
    pub date: String,
    pub iso_date: String,
}

pub struct InitiativeCard {
    pub href: String,
    pub name: String,
    pub handle: String,
    pub summary: String,
    pub place: Option<String>,
}

/// A story's page here; stories from elsewhere are shown here too, with a link to their own.
pub fn story_href(story: &Story) -> String {
    format!("/stories/{}", story.id)
}

/// The path of an actor's page here, or its own page elsewhere.
pub fn actor_href(actor: &Actor) -> String {
    if actor.local {
        match actor.actor_type.as_str() {
            actor::kind::GROUP if actor.ap_id.path().starts_with("/g/") => {
                format!("/g/{}", actor.username)
            }
            actor::kind::GROUP => format!("/i/{}", actor.username),
            _ => format!("/u/{}", actor.username),
        }
    } else {
        actor.url.clone().unwrap_or_else(|| actor.ap_id.to_string())
    }
}

pub fn display_name(actor: &Actor) -> String {
    actor
        .display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| actor.username.clone())
}

pub async fn stories(conn: &mut Conn, tr: &Tr, stories: Vec<Story>) -> Result<Vec<StoryCard>> {
    let actors = actor::get_many(conn, stories.iter().map(|s| s.initiative_id)).await?;
    Ok(stories
        .into_iter()
        .map(|story| {
            let group = actors.get(&story.initiative_id);
            StoryCard {
                href: story_href(&story),
                initiative_name: group.map(display_name).unwrap_or_default(),
                initiative_href: group.map(actor_href).unwrap_or_default(),
                date: tr.date(&story.published_at),
                iso_date: tr.iso(&story.published_at),
                title: story.title,
                summary: story.summary,
            }
        })
        .collect())
}

pub fn initiatives(rows: Vec<(Actor, Initiative)>) -> Vec<InitiativeCard> {
    rows.into_iter()
        .map(|(group, details)| InitiativeCard {
            href: actor_href(&group),
            name: display_name(&group),
            handle: group.handle(),
            summary: crate::service::text::teaser(
                &crate::service::text::plain_text(group.summary.as_deref().unwrap_or("")),
                200,
            ),
            place: details.neighbourhood.or(details.location_name),
        })
        .collect()
}

/// Theme names with their page paths.
pub struct ThemeLink {
    pub href: String,
    pub name: String,
}

pub fn theme_links(themes: Vec<theme::Theme>) -> Vec<ThemeLink> {
    themes
        .into_iter()
        .map(|t| ThemeLink {
            href: format!("/themes/{}", t.slug),
            name: t.name,
        })
        .collect()
}
