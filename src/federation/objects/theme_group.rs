//! Theme groups as FEP-1b12 `Group` actors with `kwartier:kind = "Network"`, shaped so Lemmy
//! reads them as communities: `preferredUsername`, `inbox`, `outbox`, `followers`,
//! `publicKey`, `endpoints.sharedInbox`, `attributedTo` the moderators collection (an
//! `OrderedCollection` of person ids), `postingRestrictedToMods: false` (members post),
//! `sensitive`, `featured`, `published`/`updated`; themes as `Hashtag`s, the rules as a
//! profile field and the place as `location`.

use super::actor::ActorJson;
use super::{Place, PropertyValue};
use crate::db::Conn;
use crate::db::actor::Actor;
use crate::db::theme_group::ThemeGroup;
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
    let (mut json, _) = super::group::local_group(state, conn, group, KIND_NETWORK).await?;
    // Members post; the group announces.
    json.posting_restricted_to_mods = Some(false);
    json.sensitive = Some(false);
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
