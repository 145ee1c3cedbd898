//! Theme groups as FEP-1b12 `Group` actors with `kwartier:kind = "Network"`, shaped so Lemmy
//! reads them as communities: `preferredUsername`, `inbox`, `outbox`, `followers`,
//! `publicKey`, `endpoints.sharedInbox`, `attributedTo` the moderators collection (an
//! `OrderedCollection` of person ids), `postingRestrictedToMods: false` (members post),
//! `sensitive`, `featured`, `published`/`updated`; themes as `Hashtag`s, the rules as a
//! profile field and the place as `location`.

use super::actor::ActorJson;
use super::{Place, PropertyValue, Tag};
use crate::db::actor::Actor;
use crate::db::theme_group::ThemeGroup;
use crate::db::{Conn, theme};
use crate::error::Result;
use crate::service::text;
use crate::state::AppState;

pub const KIND_NETWORK: &str = "Network";

pub async fn to_json(
    state: &AppState,
    conn: &mut Conn,
    group: &Actor,
    details: &ThemeGroup,
) -> Result<ActorJson> {
    let urls = &state.urls;
    let themes = theme::for_actor(conn, group.id).await?;
    let mut json = ActorJson::local(group, state);
    json.kwartier_kind = Some(KIND_NETWORK.into());
    json.featured = Some(urls.collection(&group.ap_id, "featured"));
    let moderators = urls.collection(&group.ap_id, "moderators");
    json.attributed_to = Some(moderators.clone());
    json.moderators = Some(moderators);
    json.posting_restricted_to_mods = Some(false);
    json.sensitive = Some(false);
    json.tag = themes
        .iter()
        .map(|t| Tag::hashtag(&t.name, urls.theme(&t.slug)))
        .collect();
    if !details.rules.is_empty() {
        json.attachment = vec![PropertyValue::new(
            "Regels",
            text::sanitize(&text::markdown_to_html(&details.rules)),
        )];
    }
    json.location = details.location_name.as_ref().map(|name| Place {
        kind: "Place".into(),
        name: name.clone(),
        latitude: details.latitude,
        longitude: details.longitude,
    });
    Ok(json)
}
