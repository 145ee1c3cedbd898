//! `kwartier admin groups …`: creating theme groups, listing them, naming their moderators,
//! and letting a local initiative join a group (here or elsewhere).

use clap::Subcommand;

use crate::config::Config;
use crate::db::{follow, theme_group};
use crate::error::{Error, Result};
use crate::service::initiative as initiatives;
use crate::service::theme_group::{self as groups, GroupProfile};
use crate::state::AppState;

#[derive(Subcommand)]
pub enum GroupsCommand {
    /// Create a theme group (a network around a theme that people and initiatives join)
    Create {
        /// Handle: a-z, 0-9 and _, at most 30 characters
        handle: String,
        /// The group's name
        #[arg(long)]
        name: String,
        /// What the group is about (Markdown)
        #[arg(long)]
        summary: Option<String>,
        /// A theme; repeat for more
        #[arg(long = "theme", value_name = "THEME")]
        themes: Vec<String>,
        /// The group's rules (Markdown)
        #[arg(long)]
        rules: Option<String>,
    },
    /// List this node's theme groups with their members and moderators
    List,
    /// Add or remove a moderator
    #[command(subcommand)]
    Moderators(ModeratorsCommand),
    /// Let a local initiative join a group, here (HANDLE) or elsewhere (group@node)
    Join {
        /// The initiative's handle
        initiative: String,
        /// The group: a handle here, group@node, or an actor id
        group: String,
    },
}

#[derive(Subcommand)]
pub enum ModeratorsCommand {
    /// Make PERSON (a local username or user@domain) a moderator of the group HANDLE
    Add { handle: String, person: String },
    /// Take moderation of the group HANDLE away from PERSON
    Remove { handle: String, person: String },
}

pub async fn run(config: Config, command: GroupsCommand) -> Result<()> {
    let state = AppState::open(config).await?;
    let data = crate::federation::config(&state).await?.to_request_data();
    let mut conn = state.db.conn().await?;
    match command {
        GroupsCommand::Create {
            handle,
            name,
            summary,
            themes,
            rules,
        } => {
            let profile = GroupProfile {
                name,
                summary,
                rules,
                themes,
                location: None,
                local_only: None,
            };
            let group = groups::create(&state, &mut conn, &handle, profile, None).await?;
            println!("created group @{} ({})", group.handle(), group.ap_id);
        }
        GroupsCommand::List => {
            for (group, _) in theme_group::list_local(&mut conn).await? {
                let members = follow::count_followers(&mut conn, group.id).await?;
                let moderators: Vec<String> = theme_group::moderators(&mut conn, group.id)
                    .await?
                    .iter()
                    .map(|m| m.handle())
                    .collect();
                println!(
                    "@{}\t{members} members\tmoderators: {}",
                    group.handle(),
                    if moderators.is_empty() {
                        "-".to_owned()
                    } else {
                        moderators.join(", ")
                    }
                );
            }
        }
        GroupsCommand::Moderators(change) => {
            let (handle, person, add) = match change {
                ModeratorsCommand::Add { handle, person } => (handle, person, true),
                ModeratorsCommand::Remove { handle, person } => (handle, person, false),
            };
            let (group, _) = groups::find(&mut conn, &handle).await?;
            let query = if person.contains('@') {
                person.clone()
            } else {
                format!("{person}@{}", state.urls.authority())
            };
            let person = crate::service::follow::resolve(&data, &query).await?;
            let changed = groups::set_moderator(&state, &mut conn, &group, &person, add).await?;
            let what = match (add, changed) {
                (true, true) => "is now a moderator of",
                (true, false) => "already moderates",
                (false, true) => "no longer moderates",
                (false, false) => "did not moderate",
            };
            println!("@{} {what} @{}", person.handle(), group.handle());
        }
        GroupsCommand::Join { initiative, group } => {
            let (member, _) = initiatives::find(&mut conn, &initiative).await?;
            let query = if group.contains('@') || group.starts_with("http") {
                group.clone()
            } else {
                format!("{group}@{}", state.urls.authority())
            };
            let target = crate::service::follow::resolve(&data, &query).await?;
            if target.actor_type != crate::db::actor::kind::GROUP {
                return Err(Error::invalid("group", format!("{query} is not a group")));
            }
            let row = crate::service::follow::follow(&state, &mut conn, &member, &target).await?;
            println!(
                "@{} {} @{}",
                member.handle(),
                if row.accepted() {
                    "joined"
                } else {
                    "asked to join"
                },
                target.handle()
            );
        }
    }
    // Activities queued above go out with the next `serve`; a running node picks them up.
    Ok(())
}
