//! The node's settings as admins change them (web and CLI): the about-page profile, who may sign
//! up and what new content starts as. Each change is checked, saved and put in the audit log.

use serde_json::json;

use crate::db::Conn;
use crate::db::node_settings::{self, DeletedContent, NodeSettings, Profile, RegistrationMode};
use crate::error::{Error, Result};
use crate::service::audit::{self, Action, Who};

const NAME_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 2_000;
const RULES_MAX: usize = 5_000;
const CONTACT_NAME_MAX: usize = 100;
const EMAIL_MAX: usize = 254;
const QUESTION_MAX: usize = 500;

/// Checks and saves the profile. `configured_name` is `KWARTIER_NODE_NAME` when set: it wins at
/// every start, so the name cannot be changed here then.
pub async fn set_profile(
    conn: &mut Conn,
    who: &Who,
    configured_name: Option<&str>,
    profile: Profile,
) -> Result<NodeSettings> {
    let profile = checked(profile)?;
    if let Some(configured) = configured_name
        && configured != profile.name
    {
        return Err(Error::invalid(
            "node_name",
            "the name is set by KWARTIER_NODE_NAME in the configuration; change it there",
        ));
    }
    let before = node_settings::get(conn).await?.profile();
    let changed = changed_fields(&before, &profile);
    let settings = node_settings::set_profile(conn, &profile).await?;
    if !changed.is_empty() {
        audit::record(
            conn,
            who,
            Action::new("node.profile", &settings.name).with(json!({ "changed": changed })),
        )
        .await?;
    }
    Ok(settings)
}

/// Sets who may sign up, and the question asked when sign-ups need approval.
pub async fn set_registration(
    conn: &mut Conn,
    who: &Who,
    mode: RegistrationMode,
    question: Option<&str>,
) -> Result<NodeSettings> {
    let question = question.map(str::trim).filter(|q| !q.is_empty());
    if question.is_some_and(|q| q.chars().count() > QUESTION_MAX) {
        return Err(Error::invalid(
            "signup_question",
            format!("at most {QUESTION_MAX} characters"),
        ));
    }
    let settings = node_settings::set_registration(conn, mode, question).await?;
    audit::record(
        conn,
        who,
        Action::new("node.registration", &settings.registration_mode)
            .with(json!({ "question": question })),
    )
    .await?;
    Ok(settings)
}

/// Sets what new initiatives, groups and stories start as: local-only or public.
pub async fn set_default_visibility(
    conn: &mut Conn,
    who: &Who,
    local: bool,
) -> Result<NodeSettings> {
    let settings = node_settings::set_default_visibility(conn, local).await?;
    audit::record(
        conn,
        who,
        Action::new("node.default_visibility", &settings.default_visibility),
    )
    .await?;
    Ok(settings)
}

/// Sets what becomes of a deleted account's stories, comments, group posts and uploads.
pub async fn set_account_deletion_content(
    conn: &mut Conn,
    who: &Who,
    content: DeletedContent,
) -> Result<NodeSettings> {
    let settings = node_settings::set_account_deletion_content(conn, content).await?;
    audit::record(
        conn,
        who,
        Action::new(
            "node.account_deletion_content",
            &settings.account_deletion_content,
        ),
    )
    .await?;
    Ok(settings)
}

/// The profile trimmed and normalised, or the first field that is wrong.
fn checked(profile: Profile) -> Result<Profile> {
    let name = profile.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(Error::invalid(
            "node_name",
            format!("1 to {NAME_MAX} characters"),
        ));
    }
    let description = profile.description.trim().to_owned();
    limit("node_description", &description, DESCRIPTION_MAX)?;
    let rules = profile
        .rules
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    limit("node_rules", &rules, RULES_MAX)?;
    let contact_name = profile.contact_name.trim().to_owned();
    limit("contact_name", &contact_name, CONTACT_NAME_MAX)?;
    let contact_email = profile.contact_email.trim().to_owned();
    if !contact_email.is_empty() && !looks_like_email(&contact_email) {
        return Err(Error::invalid(
            "contact_email",
            "an e-mail address such as info@gemeente.nl",
        ));
    }
    Ok(Profile {
        name,
        description,
        rules,
        contact_name,
        contact_email,
        languages: languages(&profile.languages)?,
    })
}

fn limit(field: &'static str, value: &str, max: usize) -> Result<()> {
    if value.chars().count() > max {
        return Err(Error::invalid(field, format!("at most {max} characters")));
    }
    Ok(())
}

/// One `@` between a non-empty local part and a domain with a dot, no spaces; the rest is the
/// mail server's business.
fn looks_like_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    value.len() <= EMAIL_MAX
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.contains(char::is_whitespace)
        && !domain.contains('@')
}

/// `nl, en` or `nl en` → `nl,en`: language tags (`nl`, `fy`, `pt-BR`), each once, 1 to 10.
fn languages(value: &str) -> Result<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in value.split([',', ' ']).filter(|t| !t.is_empty()) {
        let Some(tag) = language_tag(tag) else {
            return Err(Error::invalid(
                "node_languages",
                format!("{tag:?} is not a language code such as nl, en or fy"),
            ));
        };
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.is_empty() || tags.len() > 10 {
        return Err(Error::invalid(
            "node_languages",
            "one to ten language codes, the main one first",
        ));
    }
    Ok(tags.join(","))
}

fn language_tag(tag: &str) -> Option<String> {
    let (primary, region) = match tag.split_once('-') {
        Some((p, r)) => (p, Some(r)),
        None => (tag, None),
    };
    let primary_ok =
        (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
    let region_ok = region
        .is_none_or(|r| (2..=8).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphanumeric()));
    (primary_ok && region_ok).then(|| match region {
        Some(r) => format!(
            "{}-{}",
            primary.to_ascii_lowercase(),
            r.to_ascii_uppercase()
        ),
        None => primary.to_ascii_lowercase(),
    })
}

fn changed_fields(before: &Profile, after: &Profile) -> Vec<&'static str> {
    [
        ("name", before.name != after.name),
        ("description", before.description != after.description),
        ("rules", before.rules != after.rules),
        ("contact_name", before.contact_name != after.contact_name),
        ("contact_email", before.contact_email != after.contact_email),
        ("languages", before.languages != after.languages),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_normalised_and_checked() {
        assert_eq!(languages("nl, en").unwrap(), "nl,en");
        assert_eq!(languages("NL fy nl pt-br").unwrap(), "nl,fy,pt-BR");
        assert!(languages("").is_err());
        assert!(languages("nederlands").is_err());
        assert!(languages("nl;en").is_err());
    }

    #[test]
    fn email_addresses_are_checked_loosely() {
        assert!(looks_like_email("info@oss.nl"));
        assert!(looks_like_email("kwartier+beheer@gemeente.oss.nl"));
        for wrong in [
            "info",
            "@oss.nl",
            "info@oss",
            "in fo@oss.nl",
            "a@b@oss.nl",
            "a@oss.nl.",
        ] {
            assert!(!looks_like_email(wrong), "{wrong}");
        }
    }
}
