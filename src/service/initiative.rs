//! Initiatives: creating and editing them, and who may do what. The person who creates one is
//! its owner and first contact person; only members publish for it.

use url::Url;

use super::{handle, text, theme};
use crate::db::actor::{self, Actor, NewActor, ProfileChanges, kind};
use crate::db::initiative::{self, Initiative, InitiativeFields, role};
use crate::db::types::DbUrl;
use crate::db::{Conn, ScopedFutureExt, now, theme as themes};
use crate::error::{Error, Result};
use crate::events::{self, Event};
use crate::federation::keys::Keypair;
use crate::federation::urls::{Urls, main_key_id};
use crate::state::AppState;
use chrono::NaiveDateTime;

pub const NAME_MAX: usize = 100;
pub const SUMMARY_MAX: usize = 5_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub name: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// Everything an initiative's profile holds, as its members give it.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub name: String,
    /// Markdown.
    pub summary: Option<String>,
    pub themes: Vec<String>,
    pub website: Option<String>,
    pub neighbourhood: Option<String>,
    pub location: Option<Location>,
    pub manually_approves_followers: bool,
    /// Logo or picture shown as the initiative's avatar (a web address).
    pub icon_url: Option<String>,
    /// Banner picture (a web address).
    pub image_url: Option<String>,
    /// Listed in the network directory that other nodes search; `None` leaves it as it is
    /// (new initiatives are listed). Only owners change it.
    pub discoverable: Option<bool>,
    /// Federates nothing, for people here only (`service::local_only`); `None` leaves it as it
    /// is (new initiatives take the node's default visibility). Only owners change it.
    pub local_only: Option<bool>,
}

/// The initiative with this handle.
pub async fn find(conn: &mut Conn, handle: &str) -> Result<(Actor, Initiative)> {
    let group = actor::find_local_of_type(conn, handle, kind::GROUP)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or_else(|| Error::NotFound(format!("initiative {handle:?}")))?;
    let details = initiative::get(conn, group.id).await?;
    Ok((group, details))
}

/// The person's role, or [`Error::Forbidden`] when they are not a member.
pub async fn require_member(conn: &mut Conn, group: &Actor, person: &Actor) -> Result<String> {
    initiative::role_of(conn, group.id, person.id)
        .await?
        .ok_or(Error::Forbidden)
}

/// [`Error::Forbidden`] unless the person is one of the initiative's owners.
pub async fn require_owner(conn: &mut Conn, group: &Actor, person: &Actor) -> Result<()> {
    if require_member(conn, group, person).await? == role::OWNER {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// The ids of a new local `Group` actor (an initiative or a theme group).
pub(super) struct GroupIds {
    ap_id: DbUrl,
    inbox: Url,
    shared_inbox: Url,
    followers: Url,
    key_id: String,
}

impl GroupIds {
    pub(super) fn new(urls: &Urls, ap_id: Url, inbox: Url) -> GroupIds {
        GroupIds {
            followers: urls.followers(&ap_id),
            key_id: main_key_id(&ap_id),
            shared_inbox: urls.shared_inbox(),
            ap_id: DbUrl(ap_id),
            inbox,
        }
    }

    /// The actor's row: discoverable, following accepted at once, no pictures (callers change
    /// what differs).
    pub(super) fn new_actor<'a>(
        &'a self,
        handle_name: &'a str,
        name: &'a str,
        summary_html: Option<&'a str>,
        keypair: &'a Keypair,
        at: NaiveDateTime,
    ) -> NewActor<'a> {
        NewActor {
            ap_id: self.ap_id.clone(),
            username: handle_name,
            display_name: Some(name),
            inbox_url: self.inbox.as_str(),
            shared_inbox_url: Some(self.shared_inbox.as_str()),
            public_key: &keypair.public_pem,
            private_key: Some(&keypair.private_pem),
            local: true,
            actor_type: kind::GROUP,
            summary: summary_html,
            url: Some(self.ap_id.as_str()),
            followers_url: Some(self.followers.as_str()),
            icon_url: None,
            image_url: None,
            manually_approves_followers: false,
            discoverable: true,
            public_key_id: Some(&self.key_id),
            created_at: at,
            updated_at: at,
            last_refreshed_at: at,
        }
    }
}

pub async fn create(
    state: &AppState,
    conn: &mut Conn,
    creator: &Actor,
    handle_name: &str,
    profile: Profile,
) -> Result<Actor> {
    handle::validate("handle", handle_name)?;
    let checked = check(&profile)?;
    handle::ensure_free(conn, "handle", handle_name).await?;
    let keypair = state.keys.take().await?;
    let ids = GroupIds::new(
        &state.urls,
        state.urls.initiative(handle_name),
        state.urls.initiative_inbox(handle_name),
    );
    let at = now();
    let summary = checked.summary_html.clone();
    let mut group = ids.new_actor(handle_name, &profile.name, summary.as_deref(), &keypair, at);
    group.icon_url = checked.icon_url.as_deref();
    group.image_url = checked.image_url.as_deref();
    group.manually_approves_followers = profile.manually_approves_followers;
    group.discoverable = profile.discoverable.unwrap_or(true);
    let local_only = match profile.local_only {
        Some(chosen) => chosen,
        None => super::local_only::by_default(conn).await?,
    };
    let creator_id = creator.id;
    let fields = checked.fields(&profile, creator_id, at);
    let theme_names = &checked.themes;
    let created = conn
        .transaction(|conn| {
            async move {
                let mut group = actor::insert(conn, &group).await?;
                if local_only {
                    actor::set_local_only(conn, group.id, true).await?;
                    group.local_only = true;
                }
                initiative::insert(conn, group.id, &fields).await?;
                initiative::add_member(conn, group.id, creator_id, role::OWNER, at).await?;
                let themes = themes::ensure(conn, theme_names).await?;
                themes::set_for_actor(conn, group.id, &themes).await?;
                Ok(group)
            }
            .scope_boxed()
        })
        .await;
    match created {
        Err(Error::Conflict(_)) => Err(handle::taken("handle", handle_name)),
        Ok(group) => {
            republish(state).await;
            Ok(group)
        }
        other => other,
    }
}

/// Replaces an initiative's profile; members only. `contact` names the new contact person (a
/// member) when it changes. Followers get an `Update`.
pub async fn update(
    state: &AppState,
    conn: &mut Conn,
    editor: &Actor,
    handle_name: &str,
    profile: Profile,
    contact: Option<&str>,
) -> Result<Actor> {
    let (group, details) = find(conn, handle_name).await?;
    require_member(conn, &group, editor).await?;
    let checked = check(&profile)?;
    let contact_id = match contact {
        Some(username) => {
            let person = local_person(conn, "contact", username).await?;
            if initiative::role_of(conn, group.id, person.id)
                .await?
                .is_none()
            {
                return Err(Error::invalid(
                    "contact",
                    format!("{username} is not a member of this initiative"),
                ));
            }
            person.id
        }
        None => details.contact_person_id,
    };
    let discoverable = profile.discoverable.unwrap_or(group.discoverable);
    if discoverable != group.discoverable {
        require_owner(conn, &group, editor).await?;
    }
    let local_only = profile.local_only.unwrap_or(group.local_only);
    if local_only != group.local_only {
        require_owner(conn, &group, editor).await?;
        if !local_only {
            // Public again: the actor exists for other servers from now on.
            super::local_only::set_space(state, conn, &group, false).await?;
        }
    }
    let at = now();
    let changes = ProfileChanges {
        display_name: Some(&profile.name),
        summary: checked.summary_html.as_deref(),
        icon_url: checked.icon_url.as_deref(),
        image_url: checked.image_url.as_deref(),
        manually_approves_followers: profile.manually_approves_followers,
        discoverable,
        updated_at: at,
    };
    let fields = checked.fields(&profile, contact_id, at);
    let theme_names = &checked.themes;
    let updated = conn
        .transaction(|conn| {
            async move {
                let group = actor::update_profile(conn, group.id, &changes).await?;
                initiative::update(conn, group.id, &fields).await?;
                let themes = themes::ensure(conn, theme_names).await?;
                themes::set_for_actor(conn, group.id, &themes).await?;
                events::emit(
                    state,
                    conn,
                    Event::InitiativeUpdated {
                        initiative_id: group.id,
                    },
                )
                .await?;
                Ok(group)
            }
            .scope_boxed()
        })
        .await?;
    let updated = if local_only && !updated.local_only {
        // After the profile change, whose Update still went out: take everything back.
        super::local_only::set_space(state, conn, &updated, true).await?;
        actor::get(conn, updated.id).await?
    } else {
        updated
    };
    state.deliveries.wake();
    republish(state).await;
    Ok(updated)
}

/// Brings this node's directory (and its own search entries) up to date after a change; the
/// next sync round would too, so a failure is only logged.
async fn republish(state: &AppState) {
    if let Err(err) = super::directory::publish::refresh(state).await {
        tracing::warn!(error = %err, "cannot refresh the node's directory");
    }
}

/// An owner adds a local person as a member (or owner).
pub async fn add_member(
    conn: &mut Conn,
    owner: &Actor,
    handle_name: &str,
    username: &str,
    member_role: &str,
) -> Result<()> {
    let (group, _) = find(conn, handle_name).await?;
    require_owner(conn, &group, owner).await?;
    if ![role::OWNER, role::MEMBER].contains(&member_role) {
        return Err(Error::invalid("role", "must be owner or member"));
    }
    let person = local_person(conn, "username", username).await?;
    initiative::add_member(conn, group.id, person.id, member_role, now()).await
}

/// An owner takes a member out of the initiative. The contact person stays until another is
/// chosen, and the last owner stays: an initiative always has someone to manage it.
pub async fn remove_member(
    conn: &mut Conn,
    owner: &Actor,
    handle_name: &str,
    username: &str,
) -> Result<()> {
    let (group, details) = find(conn, handle_name).await?;
    require_owner(conn, &group, owner).await?;
    let person = local_person(conn, "username", username).await?;
    let Some(their_role) = initiative::role_of(conn, group.id, person.id).await? else {
        return Err(Error::invalid(
            "username",
            format!("{username} is not a member of this initiative"),
        ));
    };
    if person.id == details.contact_person_id {
        return Err(Error::invalid(
            "remove_contact",
            "choose another contact person first",
        ));
    }
    if their_role == role::OWNER {
        let members = initiative::members(conn, group.id).await?;
        if members.iter().filter(|(_, r)| r == role::OWNER).count() <= 1 {
            return Err(Error::invalid(
                "remove_last_owner",
                "an initiative keeps at least one owner",
            ));
        }
    }
    initiative::remove_member(conn, group.id, person.id).await?;
    Ok(())
}

/// An owner chooses the contact person: a local person who is a member. Followers get an
/// `Update`, as the contact person leads the initiative's moderators.
pub async fn set_contact(
    state: &AppState,
    conn: &mut Conn,
    owner: &Actor,
    handle_name: &str,
    username: &str,
) -> Result<()> {
    let (group, _) = find(conn, handle_name).await?;
    require_owner(conn, &group, owner).await?;
    let person = local_person(conn, "contact", username).await?;
    if initiative::role_of(conn, group.id, person.id)
        .await?
        .is_none()
    {
        return Err(Error::invalid(
            "contact",
            format!("{username} is not a member of this initiative"),
        ));
    }
    let group_id = group.id;
    conn.transaction(|conn| {
        async move {
            initiative::set_contact(conn, group_id, person.id, now()).await?;
            events::emit(
                state,
                conn,
                Event::InitiativeUpdated {
                    initiative_id: group_id,
                },
            )
            .await
        }
        .scope_boxed()
    })
    .await?;
    state.deliveries.wake();
    Ok(())
}

/// The local person with this username, or a broken rule about `field`.
async fn local_person(conn: &mut Conn, field: &'static str, username: &str) -> Result<Actor> {
    actor::find_local_of_type(conn, username, kind::PERSON)
        .await?
        .ok_or_else(|| Error::invalid(field, format!("no person named {username:?} on this node")))
}

/// A profile that passed the checks, in stored form.
struct Checked {
    summary_html: Option<String>,
    themes: Vec<(String, String)>,
    website: Option<String>,
    icon_url: Option<String>,
    image_url: Option<String>,
}

impl Checked {
    fn fields<'a>(
        &'a self,
        profile: &'a Profile,
        contact_person_id: i64,
        at: chrono::NaiveDateTime,
    ) -> InitiativeFields<'a> {
        let location = profile.location.as_ref();
        InitiativeFields {
            contact_person_id,
            website: self.website.as_deref(),
            neighbourhood: profile.neighbourhood.as_deref(),
            location_name: location.map(|l| l.name.as_str()),
            latitude: location.and_then(|l| l.latitude),
            longitude: location.and_then(|l| l.longitude),
            updated_at: at,
        }
    }
}

fn check(profile: &Profile) -> Result<Checked> {
    let name = profile.name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(Error::invalid(
            "name",
            format!("must be 1 to {NAME_MAX} characters"),
        ));
    }
    let summary = profile
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if summary.is_some_and(|s| s.chars().count() > SUMMARY_MAX) {
        return Err(Error::invalid(
            "summary",
            format!("must be at most {SUMMARY_MAX} characters"),
        ));
    }
    let website = web_address("website", profile.website.as_deref())?;
    let icon_url = web_address("icon", profile.icon_url.as_deref())?;
    let image_url = web_address("image", profile.image_url.as_deref())?;
    if profile
        .neighbourhood
        .as_deref()
        .is_some_and(|n| n.chars().count() > NAME_MAX)
    {
        return Err(Error::invalid(
            "neighbourhood",
            format!("must be at most {NAME_MAX} characters"),
        ));
    }
    if let Some(location) = &profile.location {
        if location.name.trim().is_empty() || location.name.chars().count() > NAME_MAX {
            return Err(Error::invalid(
                "location",
                format!("name must be 1 to {NAME_MAX} characters"),
            ));
        }
        match (location.latitude, location.longitude) {
            (None, None) => {}
            (Some(lat), Some(lon))
                if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {}
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "location",
                    "latitude or longitude out of range",
                ));
            }
            _ => {
                return Err(Error::invalid(
                    "location",
                    "give both latitude and longitude, or neither",
                ));
            }
        }
    }
    Ok(Checked {
        summary_html: summary.map(text::markdown_to_html),
        themes: theme::parse("themes", &profile.themes)?,
        website,
        icon_url,
        image_url,
    })
}

/// An optional `http(s)://` address, normalised.
fn web_address(field: &'static str, raw: Option<&str>) -> Result<Option<String>> {
    let Some(raw) = raw.map(str::trim).filter(|w| !w.is_empty()) else {
        return Ok(None);
    };
    let url = Url::parse(raw)
        .map_err(|_| Error::invalid(field, "must be a web address like https://…"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid(field, "must start with https:// or http://"));
    }
    Ok(Some(url.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        Profile {
            name: "Moestuin De Kolk".into(),
            ..Profile::default()
        }
    }

    #[test]
    fn profiles_are_checked() {
        assert!(check(&profile()).is_ok());
        let bad = [
            Profile {
                name: " ".into(),
                ..profile()
            },
            Profile {
                website: Some("ftp://x".into()),
                ..profile()
            },
            Profile {
                website: Some("geen url".into()),
                ..profile()
            },
            Profile {
                themes: vec!["twee woorden".into()],
                ..profile()
            },
            Profile {
                location: Some(Location {
                    name: "Oss".into(),
                    latitude: Some(95.0),
                    longitude: Some(5.5),
                }),
                ..profile()
            },
            Profile {
                location: Some(Location {
                    name: "Oss".into(),
                    latitude: Some(51.7),
                    longitude: None,
                }),
                ..profile()
            },
        ];
        for profile in bad {
            assert!(check(&profile).is_err(), "{profile:?}");
        }
        let checked = check(&Profile {
            summary: Some("Samen **tuinieren**".into()),
            ..profile()
        })
        .unwrap();
        assert_eq!(
            checked.summary_html.as_deref(),
            Some("<p>Samen <strong>tuinieren</strong></p>\n")
        );
    }
}
