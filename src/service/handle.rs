//! Local handles: the part before `@node` for people and initiatives. They share one namespace
//! with each other and with the node actor, so `@name@node` always means one actor.

use crate::db::Conn;
use crate::db::actor;
use crate::error::{Error, Result};

pub const MAX: usize = 30;

/// Names that read like the node itself or its endpoints.
const RESERVED: &[&str] = &[
    "actor", "api", "inbox", "kwartier", "nodeinfo", "outbox", "root", "system",
];

/// Handles are lowercase letters, digits and `_`, 1 to 30 characters, so they read the same in
/// every fediverse client and in URLs.
pub fn validate(field: &'static str, handle: &str) -> Result<()> {
    if handle.is_empty() || handle.chars().count() > MAX {
        return Err(Error::invalid(
            field,
            format!("must be 1 to {MAX} characters long"),
        ));
    }
    if !handle
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(Error::invalid(
            field,
            format!("{handle:?} may only contain a-z, 0-9 and _"),
        ));
    }
    if RESERVED.contains(&handle) {
        return Err(Error::invalid(field, format!("{handle:?} is reserved")));
    }
    Ok(())
}

/// Fails with [`taken`] when a local actor already has this handle (the unique index decides
/// under races; this check makes the common case fail before expensive work).
pub async fn ensure_free(conn: &mut Conn, field: &'static str, handle: &str) -> Result<()> {
    if actor::find_local(conn, handle).await?.is_some() {
        return Err(taken(field, handle));
    }
    Ok(())
}

pub fn taken(field: &'static str, handle: &str) -> Error {
    match field {
        "username" => Error::Conflict(format!("a user named {handle:?} already exists")),
        _ => Error::Conflict(format!(
            "the handle {handle:?} is already taken on this node"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_plain() {
        for good in ["anna", "buurtkracht_oss", "a", "x2026"] {
            assert!(validate("handle", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Anna",
            "anna de vries",
            "anna@oss",
            "zoë",
            "a-b",
            "inbox",
            &"a".repeat(31),
        ] {
            assert!(validate("handle", bad).is_err(), "{bad}");
        }
    }
}
