//! The node's own settings: a single row, made at first start.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::node_settings;
use super::{Conn, now};
use crate::error::Result;
use crate::run;

/// The name a node has until its operator gives it one.
pub const DEFAULT_NAME: &str = "Kwartier";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = node_settings, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct NodeSettings {
    pub id: i32,
    pub name: String,
    pub description: String,
    /// `open`, `approval`, `invite` or `closed`; see [`RegistrationMode`].
    pub registration_mode: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Asked on the sign-up form when sign-ups need approval.
    pub signup_question: Option<String>,
    /// `public` or `local`: what new initiatives, groups and stories start as.
    pub default_visibility: String,
    /// The house rules, one per line, shown on the about page.
    pub rules: String,
    /// The node's contact person and address (empty: none given).
    pub contact_name: String,
    pub contact_email: String,
    /// Comma-separated language tags the node works in, the main one first.
    pub languages: String,
    /// `anonymise` or `remove`: what becomes of a deleted account's content; see
    /// [`DeletedContent`].
    pub account_deletion_content: String,
}

/// What the about page says about the node; admins edit it on `/admin/settings`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    pub name: String,
    pub description: String,
    pub rules: String,
    pub contact_name: String,
    pub contact_email: String,
    pub languages: String,
}

/// What becomes of the stories, comments and group posts of an account that is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletedContent {
    /// They stay, shown as by a deleted account (the default).
    Anonymise,
    /// They are deleted here and, with `Delete`, wherever they were delivered.
    Remove,
}

impl DeletedContent {
    pub fn as_str(self) -> &'static str {
        match self {
            DeletedContent::Anonymise => "anonymise",
            DeletedContent::Remove => "remove",
        }
    }
}

impl std::str::FromStr for DeletedContent {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "anonymise" | "anonymize" => Ok(DeletedContent::Anonymise),
            "remove" => Ok(DeletedContent::Remove),
            other => Err(format!("{other:?} is not one of anonymise, remove")),
        }
    }
}

/// Who may sign up on this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationMode {
    Open,
    Approval,
    Invite,
    Closed,
}

impl RegistrationMode {
    pub const ALL: [RegistrationMode; 4] = [
        RegistrationMode::Open,
        RegistrationMode::Approval,
        RegistrationMode::Invite,
        RegistrationMode::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationMode::Open => "open",
            RegistrationMode::Approval => "approval",
            RegistrationMode::Invite => "invite",
            RegistrationMode::Closed => "closed",
        }
    }
}

impl std::str::FromStr for RegistrationMode {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        RegistrationMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| format!("{s:?} is not one of open, approval, invite, closed"))
    }
}

impl NodeSettings {
    pub fn profile(&self) -> Profile {
        Profile {
            name: self.name.clone(),
            description: self.description.clone(),
            rules: self.rules.clone(),
            contact_name: self.contact_name.clone(),
            contact_email: self.contact_email.clone(),
            languages: self.languages.clone(),
        }
    }

    /// The rules, one per non-empty line.
    pub fn rule_list(&self) -> Vec<&str> {
        self.rules
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// The language tags, main one first.
    pub fn language_list(&self) -> Vec<&str> {
        self.languages
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// Whether new content starts local-only on this node.
    pub fn local_by_default(&self) -> bool {
        self.default_visibility == "local"
    }

    pub fn deleted_content(&self) -> DeletedContent {
        match self.account_deletion_content.as_str() {
            "remove" => DeletedContent::Remove,
            // The column's CHECK constraint allows nothing else.
            _ => DeletedContent::Anonymise,
        }
    }

    pub fn registration_mode(&self) -> RegistrationMode {
        match self.registration_mode.as_str() {
            "open" => RegistrationMode::Open,
            "approval" => RegistrationMode::Approval,
            "invite" => RegistrationMode::Invite,
            // The column's CHECK constraint allows nothing else.
            _ => RegistrationMode::Closed,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = node_settings)]
struct NewNodeSettings<'a> {
    id: i32,
    name: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Makes sure the settings row exists and returns it. A configured name (`KWARTIER_NODE_NAME`)
/// replaces the stored one; without it a new node is called [`DEFAULT_NAME`].
pub async fn ensure(conn: &mut Conn, configured_name: Option<&str>) -> Result<NodeSettings> {
    let at = now();
    let row = NewNodeSettings {
        id: 1,
        name: configured_name.unwrap_or(DEFAULT_NAME),
        created_at: at,
        updated_at: at,
    };
    run!(conn, |c| diesel::insert_into(node_settings::table)
        .values(&row)
        .on_conflict_do_nothing()
        .execute(c)
        .await)?;
    if let Some(name) = configured_name {
        run!(conn, |c| diesel::update(node_settings::table.find(1))
            .filter(node_settings::name.ne(name))
            .set((
                node_settings::name.eq(name),
                node_settings::updated_at.eq(at)
            ))
            .execute(c)
            .await)?;
    }
    get(conn).await
}

pub async fn get(conn: &mut Conn) -> Result<NodeSettings> {
    Ok(run!(conn, |c| node_settings::table
        .find(1)
        .select(NodeSettings::as_select())
        .first(c)
        .await)?)
}

/// Sets who may sign up, and the question asked when sign-ups need approval.
pub async fn set_registration(
    conn: &mut Conn,
    mode: RegistrationMode,
    question: Option<&str>,
) -> Result<NodeSettings> {
    let at = now();
    run!(conn, |c| diesel::update(node_settings::table.find(1))
        .set((
            node_settings::registration_mode.eq(mode.as_str()),
            node_settings::signup_question.eq(question),
            node_settings::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    get(conn).await
}

/// The federation mode (`open`, `blocklist` or `allowlist`); `open` before the settings row
/// exists.
pub async fn federation_mode(conn: &mut Conn) -> Result<String> {
    let mode: Option<String> = run!(conn, |c| node_settings::table
        .find(1)
        .select(node_settings::federation_mode)
        .first(c)
        .await
        .optional())?;
    Ok(mode.unwrap_or_else(|| "open".to_owned()))
}

/// Sets the federation mode; the row must exist (see [`ensure`]).
pub async fn set_federation_mode(conn: &mut Conn, mode: &str) -> Result<()> {
    let at = now();
    run!(conn, |c| diesel::update(node_settings::table.find(1))
        .set((
            node_settings::federation_mode.eq(mode),
            node_settings::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    Ok(())
}

/// Sets what new initiatives, groups and stories start as: local-only or public.
pub async fn set_default_visibility(conn: &mut Conn, local: bool) -> Result<NodeSettings> {
    let at = now();
    let value = if local { "local" } else { "public" };
    run!(conn, |c| diesel::update(node_settings::table.find(1))
        .set((
            node_settings::default_visibility.eq(value),
            node_settings::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    get(conn).await
}

/// Replaces what the about page says; the row must exist (see [`ensure`]).
pub async fn set_profile(conn: &mut Conn, profile: &Profile) -> Result<NodeSettings> {
    let at = now();
    run!(conn, |c| diesel::update(node_settings::table.find(1))
        .set((
            node_settings::name.eq(&profile.name),
            node_settings::description.eq(&profile.description),
            node_settings::rules.eq(&profile.rules),
            node_settings::contact_name.eq(&profile.contact_name),
            node_settings::contact_email.eq(&profile.contact_email),
            node_settings::languages.eq(&profile.languages),
            node_settings::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    get(conn).await
}

/// Sets what becomes of a deleted account's content.
pub async fn set_account_deletion_content(
    conn: &mut Conn,
    content: DeletedContent,
) -> Result<NodeSettings> {
    let at = now();
    run!(conn, |c| diesel::update(node_settings::table.find(1))
        .set((
            node_settings::account_deletion_content.eq(content.as_str()),
            node_settings::updated_at.eq(at),
        ))
        .execute(c)
        .await)?;
    get(conn).await
}
