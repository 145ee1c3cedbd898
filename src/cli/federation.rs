//! `kwartier admin federation …` and `kwartier admin domains …`: the federation policy from
//! the command line (mode, blocks, allows, Mastodon CSV import and export). Every change is
//! recorded in the audit log as the command line's.

use std::path::PathBuf;

use clap::Subcommand;

use crate::config::Config;
use crate::db::domain_policy::kind;
use crate::error::{Error, Result};
use crate::service::audit::Who;
use crate::service::federation_policy::{self, Mode, Severity, actions, csv};
use crate::state::AppState;

#[derive(Subcommand)]
pub enum FederationCommand {
    /// Set with whom this node federates: open (everyone but suspended domains), blocklist
    /// (the same; the node curates a list) or allowlist (only allowed domains)
    Mode {
        /// open, blocklist or allowlist
        mode: Mode,
    },
}

#[derive(Subcommand)]
pub enum DomainsCommand {
    /// Block a domain and its subdomains
    Block {
        /// The domain, e.g. spam.example (a port is allowed: localhost:3001)
        domain: String,
        /// silence (nothing of theirs shown publicly) or suspend (nothing in, nothing out)
        #[arg(long)]
        severity: Severity,
        /// Why, shown publicly and exported
        #[arg(long)]
        reason: Option<String>,
        /// Why, for the admins only
        #[arg(long)]
        private_reason: Option<String>,
    },
    /// Lift a domain's block
    Unblock { domain: String },
    /// Allow a domain and its subdomains (for allowlist mode)
    Allow {
        domain: String,
        /// Why
        #[arg(long)]
        reason: Option<String>,
    },
    /// Take a domain off the allowlist
    Disallow { domain: String },
    /// Show the mode and every rule
    List,
    /// Write the blocks to standard output in Mastodon's CSV format
    Export,
    /// Read blocks from a Mastodon CSV file; reports what was added, updated and skipped
    Import { file: PathBuf },
}

pub async fn federation(config: Config, command: FederationCommand) -> Result<()> {
    let state = AppState::open(config).await?;
    let mut conn = state.db.conn().await?;
    match command {
        FederationCommand::Mode { mode } => {
            actions::set_mode(&mut conn, &Who::Cli, mode).await?;
            println!("federation mode is {}", mode.as_str());
        }
    }
    Ok(())
}

pub async fn domains(config: Config, command: DomainsCommand) -> Result<()> {
    // Read the file before touching the database: an unreadable file changes nothing.
    let import_text = match &command {
        DomainsCommand::Import { file } => Some(
            std::fs::read_to_string(file)
                .map_err(|e| Error::BadRequest(format!("cannot read {}: {e}", file.display())))?,
        ),
        _ => None,
    };
    let state = AppState::open(config).await?;
    let mut conn = state.db.conn().await?;
    let who = Who::Cli;
    match command {
        DomainsCommand::Block {
            domain,
            severity,
            reason,
            private_reason,
        } => {
            let (rule, outcome) = actions::block(
                &mut conn,
                &who,
                actions::Block {
                    domain: &domain,
                    severity,
                    reason: reason.as_deref(),
                    private_reason: private_reason.as_deref(),
                },
            )
            .await?;
            let verb = if outcome.updated {
                "changed"
            } else {
                "blocked"
            };
            println!("{verb} {} ({})", rule.domain, severity.as_str());
            if severity == Severity::Suspend {
                println!(
                    "severed {} follows, dropped {} queued deliveries",
                    outcome.follows_severed, outcome.deliveries_dropped
                );
            }
        }
        DomainsCommand::Unblock { domain } => {
            actions::unblock(&mut conn, &who, &domain).await?;
            println!(
                "unblocked {}",
                federation_policy::normalize_domain(&domain)?
            );
        }
        DomainsCommand::Allow { domain, reason } => {
            let existed = actions::allow(&mut conn, &who, &domain, reason.as_deref()).await?;
            let domain = federation_policy::normalize_domain(&domain)?;
            if existed {
                println!("{domain} was allowed already");
            } else {
                println!("allowed {domain}");
            }
        }
        DomainsCommand::Disallow { domain } => {
            actions::disallow(&mut conn, &who, &domain).await?;
            println!(
                "no longer allowed: {}",
                federation_policy::normalize_domain(&domain)?
            );
        }
        DomainsCommand::List => {
            let mode = federation_policy::mode(&mut conn).await?;
            println!("federation mode: {}", mode.as_str());
            for rule in federation_policy::list(&mut conn).await? {
                let what = match rule.kind.as_str() {
                    kind::BLOCK => format!("block {}", rule.severity.as_deref().unwrap_or("")),
                    _ => "allow".to_owned(),
                };
                let reason = rule
                    .public_comment
                    .as_deref()
                    .map(|r| format!("  reason: {r}"))
                    .unwrap_or_default();
                let private = rule
                    .private_comment
                    .as_deref()
                    .map(|r| format!("  private: {r}"))
                    .unwrap_or_default();
                println!(
                    "{:<32} {:<16} {}  by {}{reason}{private}",
                    rule.domain,
                    what,
                    rule.updated_at.format("%Y-%m-%d %H:%M:%S"),
                    rule.created_by
                );
            }
        }
        DomainsCommand::Export => {
            print!(
                "{}",
                csv::export(&federation_policy::list(&mut conn).await?)
            );
        }
        DomainsCommand::Import { .. } => {
            let text = import_text.unwrap_or_default();
            let report = csv::import(&mut conn, &who, &text).await?;
            println!("{report}");
        }
    }
    Ok(())
}
