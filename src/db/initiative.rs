//! Initiatives: the local `Group` actors citizens organise in. The actor row holds what every
//! actor has; this table adds contact person, place and links. Members may publish for it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::actor::Actor;
use super::actor::lower;
use super::schema::{actor, actor_theme, initiative, initiative_member};
use crate::error::Result;
use crate::run;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = initiative, primary_key(actor_id), check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Initiative {
    pub actor_id: i64,
    /// Exactly one contact person: a local person who is a member.
    pub contact_person_id: i64,
    pub website: Option<String>,
    pub neighbourhood: Option<String>,
    pub location_name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = initiative, treat_none_as_null = true)]
pub struct InitiativeFields<'a> {
    pub contact_person_id: i64,
    pub website: Option<&'a str>,
    pub neighbourhood: Option<&'a str>,
    pub location_name: Option<&'a str>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub updated_at: NaiveDateTime,
}

/// Roles in an initiative.
pub mod role {
    pub const OWNER: &str = "owner";
    pub const MEMBER: &str = "member";
}

pub async fn insert(
    conn: &mut Conn,
    actor_id: i64,
    fields: &InitiativeFields<'_>,
) -> Result<Initiative> {
    let created_at = fields.updated_at;
    Ok(run!(conn, |c| diesel::insert_into(initiative::table)
        .values((
            initiative::actor_id.eq(actor_id),
            initiative::created_at.eq(created_at),
            fields
        ))
        .returning(Initiative::as_returning())
        .get_result(c)
        .await)?)
}

pub async fn update(
    conn: &mut Conn,
    actor_id: i64,
    fields: &InitiativeFields<'_>,
) -> Result<Initiative> {
    Ok(run!(conn, |c| diesel::update(
        initiative::table.find(actor_id)
    )
    .set(fields)
    .returning(Initiative::as_returning())
    .get_result(c)
    .await)?)
}

pub async fn get(conn: &mut Conn, actor_id: i64) -> Result<Initiative> {
    Ok(run!(conn, |c| initiative::table
        .find(actor_id)
        .select(Initiative::as_select())
        .first(c)
        .await)?)
}

pub async fn add_member(
    conn: &mut Conn,
    initiative_id: i64,
    person_id: i64,
    role: &str,
    at: NaiveDateTime,
) -> Result<()> {
    run!(conn, |c| diesel::insert_into(initiative_member::table)
        .values((
            initiative_member::initiative_id.eq(initiative_id),
            initiative_member::person_id.eq(person_id),
            initiative_member::role.eq(role),
            initiative_member::created_at.eq(at),
        ))
        .on_conflict((
            initiative_member::initiative_id,
            initiative_member::person_id
        ))
        .do_nothing()
        .execute(c)
        .await)?;
    Ok(())
}

/// Takes a person out of the initiative; whether they were a member.
pub async fn remove_member(conn: &mut Conn, initiative_id: i64, person_id: i64) -> Result<bool> {
    let removed = run!(conn, |c| diesel::delete(
        initiative_member::table.find((initiative_id, person_id))
    )
    .execute(c)
    .await)?;
    Ok(removed > 0)
}

/// Makes a member the initiative's contact person.
pub async fn set_contact(
    conn: &mut Conn,
    initiative_id: i64,
    person_id: i64,
    at: NaiveDateTime,
) -> Result<()> {
    run!(conn, |c| diesel::update(
        initiative::table.find(initiative_id)
    )
    .set((
        initiative::contact_person_id.eq(person_id),
        initiative::updated_at.eq(at),
    ))
    .execute(c)
    .await)?;
    Ok(())
}

/// The person's role in the initiative, if they are a member.
pub async fn role_of(
    conn: &mut Conn,
    initiative_id: i64,
    person_id: i64,
) -> Result<Option<String>> {
    Ok(run!(conn, |c| initiative_member::table
        .find((initiative_id, person_id))
        .select(initiative_member::role)
        .first::<String>(c)
        .await
        .optional())?)
}

/// Members with their roles, owners first, then by when they joined.
pub async fn members(conn: &mut Conn, initiative_id: i64) -> Result<Vec<(Actor, String)>> {
    Ok(run!(conn, |c| initiative_member::table
        .inner_join(actor::table.on(actor::id.eq(initiative_member::person_id)))
        .filter(initiative_member::initiative_id.eq(initiative_id))
        .order((
            initiative_member::role.desc(),
            initiative_member::created_at,
            actor::id
        ))
        .select((Actor::as_select(), initiative_member::role))
        .load(c)
        .await)?)
}

/// Local initiatives that are not deleted, newest first; with `theme_id`, only those with that
/// theme; with `text`, only those whose name, handle, teaser, neighbourhood or place contains it.
pub async fn list_local(
    conn: &mut Conn,
    theme_id: Option<i64>,
    text: Option<&str>,
    limit: i64,
) -> Result<Vec<(Actor, Initiative)>> {
    let pattern = text.map(super::story::like_pattern);
    let tagged = theme_id.map(|theme_id| {
        actor_theme::table
            .filter(actor_theme::theme_id.eq(theme_id))
            .select(actor_theme::actor_id)
    });
    // Boxed queries are per backend, so the query is built inside each branch.
    Ok(run!(conn, |c| {
        let mut query = initiative::table
            .inner_join(actor::table.on(actor::id.eq(initiative::actor_id)))
            .filter(actor::local.eq(true))
            .filter(actor::deleted_at.is_null())
            .into_boxed();
        if let Some(tagged) = tagged {
            query = query.filter(initiative::actor_id.eq_any(tagged));
        }
        if let Some(pattern) = &pattern {
            // Columns differ in type, so a closure cannot take them all.
            macro_rules! contains {
                ($column:expr) => {
                    lower($column).like(pattern.clone()).escape('\\')
                };
            }
            query = query.filter(
                contains!(actor::display_name.assume_not_null())
                    .or(contains!(actor::username))
                    .or(contains!(actor::summary.assume_not_null()))
                    .or(contains!(initiative::neighbourhood.assume_not_null()))
                    .or(contains!(initiative::location_name.assume_not_null())),
            );
        }
        query
            .order((initiative::created_at.desc(), initiative::actor_id.desc()))
            .limit(limit)
            .select((Actor::as_select(), Initiative::as_select()))
            .load(c)
            .await
    })?)
}

/// The local initiatives this person belongs to, with their role.
pub async fn of_member(conn: &mut Conn, person_id: i64) -> Result<Vec<(Actor, String)>> {
    Ok(run!(conn, |c| initiative_member::table
        .inner_join(actor::table.on(actor::id.eq(initiative_member::initiative_id)))
        .filter(initiative_member::person_id.eq(person_id))
        .filter(actor::deleted_at.is_null())
        .order(actor::username)
        .select((Actor::as_select(), initiative_member::role))
        .load(c)
        .await)?)
}

/// Local initiatives in the neighbourhood with this name (ignoring case), by name.
pub async fn in_neighbourhood(conn: &mut Conn, name: &str) -> Result<Vec<(Actor, Initiative)>> {
    let name = name.trim().to_lowercase();
    Ok(run!(conn, |c| initiative::table
        .inner_join(actor::table.on(actor::id.eq(initiative::actor_id)))
        .filter(actor::local.eq(true))
        .filter(actor::deleted_at.is_null())
        .filter(lower(initiative::neighbourhood.assume_not_null()).eq(&name))
        .order(actor::username)
        .select((Actor::as_select(), Initiative::as_select()))
        .load(c)
        .await)?)
}

/// The neighbourhoods local initiatives name, each once, by name.
pub async fn neighbourhoods(conn: &mut Conn) -> Result<Vec<String>> {
    let names: Vec<Option<String>> = run!(conn, |c| initiative::table
        .inner_join(actor::table.on(actor::id.eq(initiative::actor_id)))
        .filter(actor::local.eq(true))
        .filter(actor::deleted_at.is_null())
        .filter(initiative::neighbourhood.is_not_null())
        .select(initiative::neighbourhood)
        .distinct()
        .load(c)
        .await)?;
    let mut names: Vec<String> = names.into_iter().flatten().collect();
    names.sort_by_key(|n| n.to_lowercase());
    names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    Ok(names)
}
