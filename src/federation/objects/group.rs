//! Initiatives as FEP-1b12 `Group` actors, the way Mastodon, Lemmy and Mobilizon read groups:
//! profile fields (Contactpersoon, Buurt, Thema's, Website), themes as `Hashtag` tags, a
//! `location` Place, the moderators collection (contact person first) as `attributedTo`, and
//! `kwartier:kind = "Initiative"`.

use url::Url;

use super::actor::ActorJson;
use super::{Place, PropertyValue, Tag};
use crate::db::actor::Actor;
use crate::db::{Conn, initiative, theme};
use crate::error::Result;
use crate::service::text::escape;
use crate::state::AppState;

pub const KIND_INITIATIVE: &str = "Initiative";

/// What our `Group` actors (initiatives and theme groups) share: `kwartier:kind`, `featured`,
/// the moderators collection as `attributedTo` (where Lemmy reads it) and `moderators`, and
/// their themes as `Hashtag`s; also the themes themselves.
pub async fn local_group(
    state: &AppState,
    conn: &mut Conn,
    group: &Actor,
    kind: &str,
) -> Result<(ActorJson, Vec<theme::Theme>)> {
    let urls = &state.urls;
    let themes = theme::for_actor(conn, group.id).await?;
    let mut json = ActorJson::local(group, state);
    json.kwartier_kind = Some(kind.into());
    json.featured = Some(urls.collection(&group.ap_id, "featured"));
    let moderators = urls.collection(&group.ap_id, "moderators");
    json.attributed_to = Some(moderators.clone());
    json.moderators = Some(moderators);
    json.tag = themes
        .iter()
        .map(|t| Tag::hashtag(&t.name, urls.theme(&t.slug)))
        .collect();
    Ok((json, themes))
}

pub async fn to_json(state: &AppState, conn: &mut Conn, group: &Actor) -> Result<ActorJson> {
    let urls = &state.urls;
    let details = initiative::get(conn, group.id).await?;
    let contact = crate::db::actor::get(conn, details.contact_person_id).await?;
    let (mut json, themes) = local_group(state, conn, group, KIND_INITIATIVE).await?;
    // Members publish; followers read and reply.
    json.posting_restricted_to_mods = Some(true);

    let contact_url = contact
        .url
        .clone()
        .unwrap_or_else(|| contact.ap_id.to_string());
    let mut fields = vec![PropertyValue::new(
        "Contactpersoon",
        format!(
            r#"<span class="h-card"><a href="{}" class="u-url mention">@<span>{}</span></a></span>"#,
            escape(&contact_url),
            escape(&contact.username)
        ),
    )];
    if let Some(neighbourhood) = &details.neighbourhood {
        fields.push(PropertyValue::new("Buurt", escape(neighbourhood)));
    }
    if !themes.is_empty() {
        let links: Vec<String> = themes
            .iter()
            .map(|t| {
                format!(
                    r#"<a href="{}" class="mention hashtag" rel="tag">#<span>{}</span></a>"#,
                    escape(urls.theme(&t.slug).as_str()),
                    escape(&t.name)
                )
            })
            .collect();
        fields.push(PropertyValue::new("Thema's", links.join(" ")));
    }
    if let Some(website) = details.website.as_deref().and_then(|w| Url::parse(w).ok()) {
        fields.push(PropertyValue::new(
            "Website",
            format!(
                r#"<a href="{0}" rel="me nofollow noopener noreferrer">{0}</a>"#,
                escape(website.as_str())
            ),
        ));
    }
    json.attachment = fields;
    json.location = details.location_name.as_ref().map(|name| Place {
        kind: "Place".into(),
        name: name.clone(),
        latitude: details.latitude,
        longitude: details.longitude,
    });
    Ok(json)
}
