//! `kwartier admin accounts …`: the web's account administration from the command line, for
//! scripts and for when the web is down. Every change is recorded in the audit log.

use clap::Subcommand;

use crate::config::Config;
use crate::error::Result;
use crate::service::account_admin::{self, Role};
use crate::service::account_deletion;
use crate::service::audit::Who;
use crate::state::AppState;

#[derive(Subcommand)]
pub enum AccountsCommand {
    /// List accounts: username, role, state (pending, active, suspended), sign-up answer
    List {
        /// Only sign-ups waiting for approval
        #[arg(long)]
        pending: bool,
    },
    /// Approve a sign-up that waits for approval
    Approve { name: String },
    /// Refuse a sign-up that waits for approval; the account is deleted
    Reject {
        name: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Suspend an account: it cannot log in, its sessions and tokens end
    Suspend {
        name: String,
        /// Why (required; it goes into the audit log)
        #[arg(long)]
        reason: String,
    },
    /// Lift a suspension
    Unsuspend {
        name: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Give an account a new generated password (printed once) and end its sessions
    ResetPassword { name: String },
    /// Delete an account for good (AVG): its actor is deleted everywhere it was known, its
    /// content anonymised or removed as `admin settings account-deletion` says
    Delete {
        name: String,
        /// Why (required; it goes into the audit log)
        #[arg(long)]
        reason: String,
    },
    /// Make an account a member, moderator or admin
    Role {
        name: String,
        /// member, moderator or admin
        role: Role,
    },
}

pub async fn run(config: Config, command: AccountsCommand) -> Result<()> {
    let state = AppState::open(config).await?;
    let mut conn = state.db.conn().await?;
    let who = Who::Cli;
    match command {
        AccountsCommand::List { pending } => {
            let accounts = account_admin::list(&mut conn).await?;
            let mut shown = 0;
            for (account, person) in accounts {
                let state = if !account.approved {
                    "pending"
                } else if account.suspended_at.is_some() {
                    "suspended"
                } else {
                    "active"
                };
                if pending && state != "pending" {
                    continue;
                }
                shown += 1;
                let extra = match (&account.signup_answer, &account.suspension_reason) {
                    (_, Some(reason)) if account.suspended_at.is_some() => format!("  ({reason})"),
                    (Some(answer), _) if !account.approved => format!("  answer: {answer}"),
                    _ => String::new(),
                };
                println!(
                    "{:<30} {:<10} {:<10}{extra}",
                    person.username,
                    Role::of(&account).as_str(),
                    state
                );
            }
            if shown == 0 {
                println!(
                    "{}",
                    if pending {
                        "no sign-ups waiting"
                    } else {
                        "no accounts"
                    }
                );
            }
        }
        AccountsCommand::Approve { name } => {
            account_admin::approve(&mut conn, &who, &name).await?;
            println!("@{name} is approved and can log in");
        }
        AccountsCommand::Reject { name, reason } => {
            account_admin::reject(&mut conn, &who, &name, reason.as_deref()).await?;
            println!("@{name}'s sign-up is refused and the account deleted");
        }
        AccountsCommand::Suspend { name, reason } => {
            account_admin::suspend(&mut conn, &who, &name, Some(&reason)).await?;
            println!("@{name} is suspended; their sessions and tokens have ended");
        }
        AccountsCommand::Unsuspend { name, reason } => {
            account_admin::unsuspend(&mut conn, &who, &name, reason.as_deref()).await?;
            println!("@{name} can log in again");
        }
        AccountsCommand::ResetPassword { name } => {
            let password = account_admin::reset_password(&mut conn, &who, &name).await?;
            println!("new password for @{name}: {password}");
            println!("(shown only now; their sessions have ended)");
        }
        AccountsCommand::Delete { name, reason } => {
            account_deletion::delete_by_admin(&state, &mut conn, &who, &name, Some(&reason))
                .await?;
            // The running node's delivery worker sends the queued `Delete`.
            println!("@{name} is deleted; servers that knew them will be told");
        }
        AccountsCommand::Role { name, role } => {
            account_admin::set_role(&mut conn, &who, &name, role).await?;
            println!("@{name} is {}", role.as_str());
        }
    }
    Ok(())
}
