//! `kwartier admin settings …`: node settings from the command line, each change recorded in
//! the audit log as done by the CLI.

use clap::{Subcommand, ValueEnum};

use crate::config::Config;
use crate::db::{Db, node_settings};
use crate::error::Result;
use crate::service::audit::{self, Action, Who};

#[derive(Subcommand)]
pub enum SettingsCommand {
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
    node_settings::ensure(&mut conn, config.node_name.as_deref()).await?;
    match command {
        SettingsCommand::DefaultVisibility { visibility } => {
            let local = matches!(visibility, DefaultVisibility::Local);
            let settings = node_settings::set_default_visibility(&mut conn, local).await?;
            audit::record(
                &mut conn,
                &Who::Cli,
                Action::new("node.default_visibility", &settings.default_visibility),
            )
            .await?;
            println!("new content is {} by default", settings.default_visibility);
        }
        SettingsCommand::AccountDeletion { content } => {
            let content = match content {
                AccountDeletion::Anonymise => node_settings::DeletedContent::Anonymise,
                AccountDeletion::Remove => node_settings::DeletedContent::Remove,
            };
            let settings = node_settings::set_account_deletion_content(&mut conn, content).await?;
            audit::record(
                &mut conn,
                &Who::Cli,
                Action::new(
                    "node.account_deletion_content",
                    &settings.account_deletion_content,
                ),
            )
            .await?;
            println!(
                "a deleted account's content is {}d",
                settings.account_deletion_content
            );
        }
    }
    Ok(())
}
