//! Stories as `Article`: `name` the title, a plain-text `summary` teaser (Mastodon shows only
//! title, summary and link for articles), sanitized HTML `content` with its Markdown `source`,
//! `attributedTo` the author, `audience` the initiative (FEP-1b12), themes as `Hashtag`s,
//! language in `contentMap`, a `replies` collection, and the cover as an `Image` in `image`.
//! Read back from other Kwartier nodes (and Lemmy pages) for the people here who follow their
//! initiatives.

use std::collections::BTreeMap;

use activitypub_federation::protocol::helpers::deserialize_skip_error;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use url::Url;

use activitypub_federation::config::Data;
use activitypub_federation::fetch::object_id::ObjectId;

use super::{
    Image, PUBLIC, Tag, deserialize_image, deserialize_loose_url, deserialize_one_or_many,
    ensure_same_origin, truncate,
};
use crate::db::actor::Actor;
use crate::db::story::{self, Story, StoryFields, Visibility};
use crate::db::types::DbUrl;
use crate::db::{Conn, ScopedFutureExt, actor, inbox as seen, theme};
use crate::error::Result;
use crate::federation::client::check_remote;
use crate::federation::inbox;
use crate::service::{media, text, theme as theme_names};
use crate::state::AppState;

/// Object types read as stories.
pub const STORY_TYPES: &[&str] = &["Article", "Page"];

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticleJson {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Url,
    #[serde(
        default,
        deserialize_with = "deserialize_loose_url",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<Url>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub source: Option<Source>,
    #[serde(deserialize_with = "super::deserialize_attribution")]
    pub attributed_to: Url,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub audience: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub to: Vec<String>,
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    pub cc: Vec<String>,
    #[serde(
        default,
        deserialize_with = "deserialize_one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tag: Vec<Tag>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<DateTime<Utc>>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated: Option<DateTime<Utc>>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub content_map: Option<BTreeMap<String, String>>,
    #[serde(
        default,
        deserialize_with = "deserialize_skip_error",
        skip_serializing_if = "Option::is_none"
    )]
    pub replies: Option<Url>,
    #[serde(default, deserialize_with = "deserialize_skip_error")]
    pub sensitive: bool,
    /// The cover, `name` its description (Lemmy's thumbnail, WordPress's featured image).
    #[serde(
        default,
        deserialize_with = "deserialize_image",
        skip_serializing_if = "Option::is_none"
    )]
    pub image: Option<Image>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub content: String,
    pub media_type: String,
}

impl ArticleJson {
    /// Who may see it, from its addressing.
    pub fn visibility(&self) -> Visibility {
        if self.to.iter().chain(&self.cc).any(|a| super::is_public(a)) {
            Visibility::Public
        } else {
            Visibility::Followers
        }
    }

    /// The title: `name`, else the start of the text.
    pub fn title(&self) -> String {
        let title = match self
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            Some(name) => text::plain_text(name),
            None => text::teaser(
                &text::plain_text(self.content.as_deref().unwrap_or_default()),
                80,
            ),
        };
        truncate(&title, 300)
    }

    /// Hashtag names without `#`.
    pub fn themes(&self) -> Vec<String> {
        self.tag
            .iter()
            .filter(|t| t.kind == "Hashtag")
            .filter_map(|t| t.name.as_deref())
            .map(|n| n.trim_start_matches('#').to_owned())
            .collect()
    }
}

/// Who a story is addressed to: `to` and `cc`.
pub fn addressing(
    state: &AppState,
    story: &Story,
    initiative: &Actor,
) -> (Vec<String>, Vec<String>) {
    let followers = state.urls.followers(&initiative.ap_id).to_string();
    match story.visibility() {
        Visibility::Public => (
            vec![PUBLIC.into()],
            vec![followers, initiative.ap_id.to_string()],
        ),
        Visibility::Followers | Visibility::Local => {
            (vec![followers], vec![initiative.ap_id.to_string()])
        }
    }
}

/// Our story as an `Article`.
pub async fn to_json(state: &AppState, conn: &mut Conn, story: &Story) -> Result<ArticleJson> {
    let author = actor::get(conn, story.author_id).await?;
    let initiative = actor::get(conn, story.initiative_id).await?;
    let themes = theme::for_story(conn, story.id).await?;
    let (to, mut cc) = addressing(state, story, &initiative);
    let mut tag: Vec<Tag> = themes
        .iter()
        .map(|t| Tag::hashtag(&t.name, state.urls.theme(&t.slug)))
        .collect();
    // Theme groups it was shared to: in `cc` and mentioned, as Mastodon addresses groups.
    for group in crate::db::theme_group::groups_of_story(conn, story.id).await? {
        cc.push(group.ap_id.to_string());
        tag.push(Tag {
            kind: "Mention".into(),
            href: Some(group.ap_id.0.clone()),
            name: Some(format!("@{}", group.handle())),
        });
    }
    let summary = text::escape(&story.summary);
    let image = media::cover_of(conn, story)
        .await?
        .map(|(cover, alt)| Image {
            kind: "Image".into(),
            url: state.urls.media(&cover.file_name),
            media_type: Some(cover.content_type),
            name: Some(alt),
        });
    Ok(ArticleJson {
        kind: "Article".into(),
        id: story.ap_id.0.clone(),
        url: Some(story.ap_id.0.clone()),
        name: Some(story.title.clone()),
        summary: Some(summary),
        content: Some(story.content.clone()),
        media_type: Some("text/html".into()),
        source: Some(Source {
            content: story.source.clone(),
            media_type: "text/markdown".into(),
        }),
        attributed_to: author.ap_id.0.clone(),
        audience: Some(initiative.ap_id.0.clone()),
        to,
        cc,
        tag,
        published: Some(story.published_at.and_utc()),
        updated: story.updated_at.map(|u| u.and_utc()),
        content_map: Some(BTreeMap::from([(
            story.language.clone(),
            story.content.clone(),
        )])),
        replies: Some(state.urls.replies(&story.ap_id)),
        sensitive: false,
        image,
    })
}

/// What stands at a deleted object's id.
pub fn tombstone(id: &Url, former_type: &str, deleted: DateTime<Utc>) -> Value {
    json!({ "id": id.to_string(), "type": "Tombstone", "formerType": former_type, "deleted": deleted })
}

/// A story from an initiative our people follow, as it announced it: stored when new, updated
/// when its author changed it. A story deleted before it arrived stays deleted.
pub async fn store_remote(
    data: &Data<AppState>,
    json: ArticleJson,
    group: &Actor,
    activity_id: &Url,
) -> Result<()> {
    check_remote(&json.id, data.config.development)?;
    ensure_same_origin("the author", &json.attributed_to, &json.id)?;
    let author = ObjectId::<Actor>::from(json.attributed_to.clone())
        .dereference(data)
        .await?;
    let mut conn = data.db.conn().await?;
    if seen::is_buried(&mut conn, &json.id).await? {
        return Ok(());
    }
    let content = truncate(
        &text::sanitize(json.content.as_deref().unwrap_or_default()),
        100_000,
    );
    let summary = match json
        .summary
        .as_deref()
        .map(text::plain_text)
        .filter(|s| !s.is_empty())
    {
        Some(summary) => truncate(&summary, 500),
        None => text::teaser(&text::plain_text(&content), 280),
    };
    let title = json.title();
    let language = json
        .content_map
        .as_ref()
        .and_then(|m| m.keys().next().cloned())
        .map_or_else(|| "und".to_owned(), |l| truncate(&l, 35));
    let visibility = json.visibility();
    // Hashtags that are not one word are not themes here; they are left out.
    let themes: Vec<(String, String)> = json
        .themes()
        .iter()
        .filter_map(|t| theme_names::parse("themes", std::slice::from_ref(t)).ok())
        .flatten()
        .take(theme_names::MAX_THEMES)
        .collect();
    let published = json
        .published
        .map_or_else(crate::db::now, |p| p.naive_utc());
    let updated = json.updated.map(|u| u.naive_utc());
    let url = json.url.as_ref().map(Url::as_str);
    let ap_id = DbUrl(json.id.clone());
    let group_id = group.id;
    inbox::apply(data, &mut conn, activity_id, move |conn| {
        async move {
            let fields = StoryFields {
                title: &title,
                summary: &summary,
                source: "",
                content: &content,
                language: &language,
                visibility: visibility.as_str(),
                // Covers are uploads here; other servers' images are not copied.
                cover_media_id: None,
                cover_alt: None,
            };
            let stored = match story::find_by_ap_id(conn, &ap_id).await? {
                Some(existing)
                    if !existing.local
                        && existing.author_id == author.id
                        && !existing.is_deleted() =>
                {
                    Some(
                        story::update(
                            conn,
                            existing.id,
                            &fields,
                            updated.unwrap_or_else(crate::db::now),
                        )
                        .await?,
                    )
                }
                // Someone else's, ours, or deleted: not theirs to change.
                Some(_) => None,
                None => {
                    story::insert_remote(
                        conn, &ap_id, group_id, author.id, &fields, url, published, updated,
                    )
                    .await?
                }
            };
            if let Some(stored) = stored {
                let found = theme::ensure(conn, &themes).await?;
                theme::set_for_story(conn, stored.id, &found).await?;
            }
            Ok(())
        }
        .scope_boxed()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution_comes_in_three_shapes() {
        let read = |attributed: Value| {
            let json = json!({"type": "Article", "id": "https://a.example/s/1", "attributedTo": attributed});
            serde_json::from_value::<ArticleJson>(json).map(|a| a.attributed_to.to_string())
        };
        assert_eq!(
            read(json!("https://a.example/u/x")).unwrap(),
            "https://a.example/u/x"
        );
        assert_eq!(
            read(json!([{"type": "Group", "id": "https://a.example/g"}, {"type": "Person", "id": "https://a.example/u/y"}])).unwrap(),
            "https://a.example/u/y"
        );
        assert_eq!(
            read(json!(["https://a.example/u/z"])).unwrap(),
            "https://a.example/u/z"
        );
        assert!(read(json!(42)).is_err());
    }

    #[test]
    fn titles_and_visibility_from_the_json() {
        let article: ArticleJson = serde_json::from_value(json!({
            "type": "Page", "id": "https://a.example/post/1", "attributedTo": "https://a.example/u/x",
            "content": "<p>Een <b>lange</b> tekst over de buurtmoestuin en wat we daar samen allemaal doen, elke week weer opnieuw</p>",
            "to": ["https://a.example/c/tuin/followers"], "cc": [],
            "tag": [{"type": "Hashtag", "name": "#Groen", "href": "https://a.example/t/groen"}, {"type": "Mention", "href": "https://b.example/u/y"}]
        }))
        .unwrap();
        assert_eq!(article.visibility(), Visibility::Followers);
        assert!(
            article
                .title()
                .starts_with("Een lange tekst over de buurtmoestuin"),
            "{}",
            article.title()
        );
        assert!(article.title().ends_with('…'));
        assert_eq!(article.themes(), vec!["Groen".to_owned()]);
    }
}
