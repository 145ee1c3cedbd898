//! `kwartier admin settings …`: node settings from the command line (show them, the about-page
//! profile, default visibility), each change recorded in the audit log as done by the CLI.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

use crate::config::Config;
use crate::db::{Db, node_settings};
use crate::error::{Error, Result};
use crate::service::audit::Who;
use crate::service::settings;

#[derive(Subcommand)]
pub enum SettingsCommand {
    /// Print every node setting
    Show,
    /// What the about page (/over) says; options left out keep their value
    Profile {
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// A text file with the house rules, one per line
        #[arg(long)]
        rules_file: Option<PathBuf>,
        #[arg(long)]
        contact_name: Option<String>,
        #[arg(long)]
        contact_email: Option<String>,
        /// Language codes the node works in, main one first, e.g. nl,en
        #[arg(long)]
        languages: Option<String>,
    },
    /// What new initiatives, theme groups and stories start as
    DefaultVisibility {
        #[arg(value_enum)]
        visibility: DefaultVisibility,
    },
    /// What becomes of a deleted account's content: anonymise (default) or remove
    AccountDeletion {
        #[arg(value_enum)]
        content: AccountDeletion,
    },
}

/// What becomes of a deleted account's stories, comments and group posts.
#[derive(Clone, Copy, ValueEnum)]
pub enum AccountDeletion {
    /// They stay, shown as by a deleted account (the default)
    Anonymise,
    /// They are deleted here and everywhere they were delivered
    Remove,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DefaultVisibility {
    /// Federated: delivered to followers and listed in the directory
    Public,
    /// Local-only: seen only by people signed in on this node
    Local,
}

pub async fn run(config: Config, command: SettingsCommand) -> Result<()> {
    let db = Db::connect(&config.database, 1).await?;
    db.migrate().await?;
    let mut conn = db.conn().await?;
    let current = node_settings::ensure(&mut conn, config.node_name.as_deref()).await?;
    match command {
        SettingsCommand::Show => {
            let federation_mode = node_settings::federation_mode(&mut conn).await?;
            let rows = [
                ("name", current.name.as_str()),
                ("description", current.description.as_str()),
                ("contact_name", current.contact_name.as_str()),
                ("contact_email", current.contact_email.as_str()),
                ("languages", current.languages.as_str()),
                ("registration", current.registration_mode.as_str()),
                (
                    "signup_question",
                    current.signup_question.as_deref().unwrap_or_default(),
                ),
                ("default_visibility", current.default_visibility.as_str()),
                ("federation_mode", federation_mode.as_str()),
            ];
            for (key, value) in rows {
                println!("{key:<20} {value}");
            }
            for rule in current.rule_list() {
                println!("{:<20} {rule}", "rule");
            }
        }
        SettingsCommand::Profile {
            name,
            description,
            rules_file,
            contact_name,
            contact_email,
            languages,
        } => {
            let mut profile = current.profile();
            if let Some(path) = rules_file {
                profile.rules = std::fs::read_to_string(&path).map_err(|e| {
                    Error::BadRequest(format!("cannot read {}: {e}", path.display()))
                })?;
            }
            profile.name = name.unwrap_or(profile.name);
            profile.description = description.unwrap_or(profile.description);
            profile.contact_name = contact_name.unwrap_or(profile.contact_name);
            profile.contact_email = contact_email.unwrap_or(profile.contact_email);
            profile.languages = languages.unwrap_or(profile.languages);
            let saved =
                settings::set_profile(&mut conn, &Who::Cli, config.node_name.as_deref(), profile)
                    .await?;
            println!("the about page of {} is updated", saved.name);
        }
        SettingsCommand::DefaultVisibility { visibility } => {
            let local = matches!(visibility, DefaultVisibility::Local);
            let saved = settings::set_default_visibility(&mut conn, &Who::Cli, local).await?;
            println!("new content is {} by default", saved.default_visibility);
        }
        SettingsCommand::AccountDeletion { content } => {
            let content = match content {
                AccountDeletion::Anonymise => node_settings::DeletedContent::Anonymise,
                AccountDeletion::Remove => node_settings::DeletedContent::Remove,
            };
            let saved =
                settings::set_account_deletion_content(&mut conn, &Who::Cli, content).await?;
            println!(
                "a deleted account's content is {}d",
                saved.account_deletion_content
            );
        }
    }
    Ok(())
}
