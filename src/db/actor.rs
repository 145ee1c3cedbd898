//! Actors: local people, initiatives and the node itself, and every remote actor this node
//! knows (people, groups, services), with their keys. Local handles share one namespace.

use std::fmt;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::actor;
use super::types::DbUrl;
use crate::error::Result;
use crate::run;

/// ActivityPub actor types as stored in `actor_type`.
pub mod kind {
    pub const PERSON: &str = "Person";
    pub const GROUP: &str = "Group";
    pub const APPLICATION: &str = "Application";
}

#[derive(Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = actor, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Actor {
    pub id: i64,
    /// The ActivityPub id (a URL), unique across the network.
    pub ap_id: DbUrl,
    /// `preferredUsername`: the part before the `@` in a handle.
    pub username: String,
    pub display_name: Option<String>,
    pub inbox_url: String,
    pub shared_inbox_url: Option<String>,
    /// PEM (SPKI) RSA public key.
    pub public_key: String,
    /// PEM (PKCS#8) RSA private key; only local actors have one.
    pub private_key: Option<String>,
    pub local: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub last_refreshed_at: NaiveDateTime,
    /// `Person`, `Group`, `Application`, … (see [`kind`]).
    pub actor_type: String,
    /// Sanitized HTML.
    pub summary: Option<String>,
    /// The actor's HTML page.
    pub url: Option<String>,
    pub followers_url: Option<String>,
    pub icon_url: Option<String>,
    pub image_url: Option<String>,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub deleted_at: Option<NaiveDateTime>,
    /// The key id signatures by this actor name.
    pub public_key_id: Option<String>,
    /// A local initiative or theme group that federates nothing (see `service::local_only`).
    pub local_only: bool,
}

/// Never prints the private key.
impl fmt::Debug for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Actor")
            .field("id", &self.id)
            .field("ap_id", &self.ap_id)
            .field("actor_type", &self.actor_type)
            .field("username", &self.username)
            .field("local", &self.local)
            .finish_non_exhaustive()
    }
}

impl Actor {
    /// Where deliveries for this actor go: its server's shared inbox when it has one.
    pub fn delivery_inbox(&self) -> &str {
        self.shared_inbox_url.as_deref().unwrap_or(&self.inbox_url)
    }

    /// `username@host[:port]`
    pub fn handle(&self) -> String {
        format!(
            "{}@{}",
            self.username,
            crate::federation::urls::authority(&self.ap_id)
        )
    }
}

#[derive(Insertable)]
#[diesel(table_name = actor)]
pub struct NewActor<'a> {
    pub ap_id: DbUrl,
    pub username: &'a str,
    pub display_name: Option<&'a str>,
    pub inbox_url: &'a str,
    pub shared_inbox_url: Option<&'a str>,
    pub public_key: &'a str,
    pub private_key: Option<&'a str>,
    pub local: bool,
    pub actor_type: &'a str,
    pub summary: Option<&'a str>,
    pub url: Option<&'a str>,
    pub followers_url: Option<&'a str>,
    pub icon_url: Option<&'a str>,
    pub image_url: Option<&'a str>,
    pub manually_approves_followers: bool,
    pub discoverable: bool,
    pub public_key_id: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub last_refreshed_at: NaiveDateTime,
}

pub async fn insert(conn: &mut Conn, new: &NewActor<'_>) -> Result<Actor> {
    Ok(run!(conn, |c| diesel::insert_into(actor::table)
        .values(new)
        .returning(Actor::as_returning())
        .get_result(c)
        .await)?)
}

/// Stores a remote actor as just fetched: inserted when new, refreshed when known (a deleted
/// actor that comes back is no longer deleted).
pub async fn upsert_remote(conn: &mut Conn, new: &NewActor<'_>) -> Result<Actor> {
    debug_assert!(!new.local);
    Ok(run!(conn, |c| diesel::insert_into(actor::table)
        .values(new)
        .on_conflict(actor::ap_id)
        .do_update()
        .set((
            actor::username.eq(excluded(actor::username)),
            actor::display_name.eq(excluded(actor::display_name)),
            actor::inbox_url.eq(excluded(actor::inbox_url)),
            actor::shared_inbox_url.eq(excluded(actor::shared_inbox_url)),
            actor::public_key.eq(excluded(actor::public_key)),
            actor::public_key_id.eq(excluded(actor::public_key_id)),
            actor::actor_type.eq(excluded(actor::actor_type)),
            actor::summary.eq(excluded(actor::summary)),
            actor::url.eq(excluded(actor::url)),
            actor::followers_url.eq(excluded(actor::followers_url)),
            actor::icon_url.eq(excluded(actor::icon_url)),
            actor::image_url.eq(excluded(actor::image_url)),
            actor::manually_approves_followers.eq(excluded(actor::manually_approves_followers)),
            actor::discoverable.eq(excluded(actor::discoverable)),
            actor::updated_at.eq(excluded(actor::updated_at)),
            actor::last_refreshed_at.eq(excluded(actor::last_refreshed_at)),
            actor::deleted_at.eq(None::<NaiveDateTime>),
        ))
        .returning(Actor::as_returning())
        .get_result(c)
        .await)?)
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Actor> {
    Ok(run!(conn, |c| actor::table
        .find(id)
        .select(Actor::as_select())
        .first(c)
        .await)?)
}

/// The actors with these ids, by id (for lists that name authors and initiatives).
pub async fn get_many(
    conn: &mut Conn,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, Actor>> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let found = run!(conn, |c| actor::table
        .filter(actor::id.eq_any(&ids))
        .select(Actor::as_select())
        .load(c)
        .await)?;
    Ok(found.into_iter().map(|a| (a.id, a)).collect())
}

/// The local actor with this handle (any kind), ignoring case.
pub async fn find_local(conn: &mut Conn, handle: &str) -> Result<Option<Actor>> {
    let handle = handle.to_lowercase();
    Ok(run!(conn, |c| actor::table
        .filter(actor::local.eq(true))
        .filter(lower(actor::username).eq(&handle))
        .select(Actor::as_select())
        .first(c)
        .await
        .optional())?)
}

/// The local actor of `actor_type` with this handle.
pub async fn find_local_of_type(
    conn: &mut Conn,
    handle: &str,
    actor_type: &str,
) -> Result<Option<Actor>> {
    Ok(find_local(conn, handle)
        .await?
        .filter(|a| a.actor_type == actor_type))
}

pub async fn find_by_ap_id(conn: &mut Conn, ap_id: &url::Url) -> Result<Option<Actor>> {
    let ap_id = DbUrl(ap_id.clone());
    Ok(run!(conn, |c| actor::table
        .filter(actor::ap_id.eq(&ap_id))
        .select(Actor::as_select())
        .first(c)
        .await
        .optional())?)
}

/// The actor whose key has this id.
pub async fn find_by_key_id(conn: &mut Conn, key_id: &str) -> Result<Option<Actor>> {
    Ok(run!(conn, |c| actor::table
        .filter(actor::public_key_id.eq(key_id))
        .select(Actor::as_select())
        .first(c)
        .await
        .optional())?)
}

/// This node's own `Application` actor, once made.
pub async fn find_node(conn: &mut Conn) -> Result<Option<Actor>> {
    Ok(run!(conn, |c| actor::table
        .filter(actor::local.eq(true))
        .filter(actor::actor_type.eq(kind::APPLICATION))
        .select(Actor::as_select())
        .first(c)
        .await
        .optional())?)
}

/// A local actor's profile as its owners edit it.
#[derive(AsChangeset)]
#[diesel(table_name = actor, treat_none_as_null = true)]
pub struct ProfileChanges<'a> {
    pub display_name: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub icon_url: Option<&'a str>,
    pub image_url: Option<&'a str>,
    pub manually_approves_followers: bool,
    /// Listed in the network directory.
    pub discoverable: bool,
    pub updated_at: NaiveDateTime,
}

pub async fn update_profile(
    conn: &mut Conn,
    id: i64,
    changes: &ProfileChanges<'_>,
) -> Result<Actor> {
    Ok(run!(conn, |c| diesel::update(actor::table.find(id))
        .set(changes)
        .returning(Actor::as_returning())
        .get_result(c)
        .await)?)
}

/// Marks a remote actor deleted (its server sent `Delete` for it).
pub async fn mark_deleted(conn: &mut Conn, id: i64, at: NaiveDateTime) -> Result<()> {
    run!(conn, |c| diesel::update(actor::table.find(id))
        .set(actor::deleted_at.eq(at))
        .execute(c)
        .await)?;
    Ok(())
}

diesel::define_sql_function!(
    /// SQL `lower()`, the same on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

/// Deletes an actor row and, by cascade, what hangs off it (a local account, memberships).
/// Only for what never left this node: a sign-up rejected before it was approved.
pub async fn delete_never_federated(conn: &mut Conn, id: i64) -> Result<()> {
    run!(conn, |c| diesel::delete(actor::table.find(id))
        .execute(c)
        .await)?;
    Ok(())
}

/// Makes a local initiative or theme group local-only, or public again.
pub async fn set_local_only(conn: &mut Conn, id: i64, local_only: bool) -> Result<()> {
    run!(conn, |c| diesel::update(actor::table.find(id))
        .set((
            actor::local_only.eq(local_only),
            actor::updated_at.eq(super::now()),
        ))
        .execute(c)
        .await)?;
    Ok(())
}
