//! `kwartier admin invites …`: invite links from the command line (make, list, withdraw), each
//! change in the audit log as done by the CLI.

use std::time::Duration;

use clap::Subcommand;

use crate::config::Config;
use crate::db::now;
use crate::error::Result;
use crate::service::audit::Who;
use crate::service::invite::{self, InviteState, NewInviteRequest};
use crate::state::AppState;

#[derive(Subcommand)]
pub enum InvitesCommand {
    /// Make an invite link and print it
    Create {
        /// How long the link works, e.g. 30m, 12h, 7d (default: until withdrawn)
        #[arg(long, value_parser = humantime::parse_duration)]
        expires: Option<Duration>,
        /// How many people may sign up with it (default: no limit)
        #[arg(long)]
        max_uses: Option<i32>,
        /// Who it is for, for your own overview
        #[arg(long)]
        note: Option<String>,
    },
    /// List invites: code, state, uses, expiry, note
    List,
    /// Withdraw an invite so its link stops working
    Revoke { code: String },
}

pub async fn run(config: Config, command: InvitesCommand) -> Result<()> {
    let state = AppState::open(config).await?;
    let mut conn = state.db.conn().await?;
    let who = Who::Cli;
    match command {
        InvitesCommand::Create {
            expires,
            max_uses,
            note,
        } => {
            let request = NewInviteRequest {
                expires_in: expires,
                max_uses,
                note,
            };
            let made = invite::create(&mut conn, &who, request).await?;
            println!("{}", invite::link(&state.urls, &made.code));
        }
        InvitesCommand::List => {
            let invites = invite::list(&mut conn).await?;
            if invites.is_empty() {
                println!("no invites");
            }
            let at = now();
            for i in invites {
                let uses = match i.max_uses {
                    Some(max) => format!("{}/{max}", i.uses),
                    None => format!("{}/-", i.uses),
                };
                let expires = i
                    .expires_at
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_else(|| "never".into());
                println!(
                    "{:<44} {:<8} {:<8} {:<17} {}",
                    i.code,
                    InviteState::of(&i, at).as_str(),
                    uses,
                    expires,
                    i.note.as_deref().unwrap_or_default()
                );
            }
        }
        InvitesCommand::Revoke { code } => {
            invite::revoke(&mut conn, &who, &code).await?;
            println!("the invite is withdrawn; its link no longer works");
        }
    }
    Ok(())
}
