//! `kwartier admin federation …` and `kwartier admin domains …`: the federation policy from
//! the command line (mode, blocks, allows, Mastodon CSV import and export, shared-list
//! subscriptions and their drafts). Every change is recorded in the audit log as the command
//! line's.

use std::path::PathBuf;

use clap::Subcommand;

use crate::config::Config;
use crate::db::domain_policy::kind;
use crate::error::{Error, Result};
use crate::service::audit::Who;
use crate::service::federation_policy::{self, Mode, Severity, actions, csv, subscriptions};
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
    /// Shared blocklists this node subscribes to (another node's
    /// /api/v1/instance/domain_blocks, or a Mastodon CSV at a URL)
    #[command(subcommand)]
    Subscriptions(SubscriptionsCommand),
    /// Drafts from shared blocklists, waiting for an admin
    #[command(subcommand)]
    Drafts(DraftsCommand),
}

#[derive(Subcommand)]
pub enum SubscriptionsCommand {
    /// Subscribe to a list; its entries become drafts on the next fetch
    Add { url: String },
    /// Show the subscriptions and how their last fetch went
    List,
    /// End a subscription and forget its drafts (approved blocks stay)
    Remove { url: String },
    /// Fetch every subscribed list now
    Fetch,
}

#[derive(Subcommand)]
pub enum DraftsCommand {
    /// Show the drafts: blocks a list asks for, and blocks a list dropped
    List,
    /// Apply a domain's drafts: block it (or lift the block the list dropped)
    Approve { domain: String },
    /// Turn a domain's drafts down; the policy stays as it is
    Reject { domain: String },
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
        DomainsCommand::Subscriptions(command) => {
            drop(conn);
            shared_lists(&state, command).await?;
        }
        DomainsCommand::Drafts(command) => drafts(&mut conn, command).await?,
    }
    Ok(())
}

async fn shared_lists(state: &AppState, command: SubscriptionsCommand) -> Result<()> {
    match command {
        SubscriptionsCommand::Add { url } => {
            let sub = subscriptions::subscribe(state, &Who::Cli, &url).await?;
            println!("subscribed to {}", sub.url);
        }
        SubscriptionsCommand::List => {
            let mut conn = state.db.conn().await?;
            for sub in subscriptions::list(&mut conn).await? {
                let fetched = match (sub.fetched_at, &sub.fetch_error) {
                    (None, _) => "never fetched".to_owned(),
                    (Some(at), None) => format!(
                        "fetched {}: {} entries",
                        at.format("%Y-%m-%d %H:%M:%S"),
                        sub.entry_count.unwrap_or(0)
                    ),
                    (Some(at), Some(error)) => {
                        format!("fetch failed {}: {error}", at.format("%Y-%m-%d %H:%M:%S"))
                    }
                };
                println!("{}  by {}  {fetched}", sub.url, sub.created_by);
            }
        }
        SubscriptionsCommand::Remove { url } => {
            let mut conn = state.db.conn().await?;
            subscriptions::unsubscribe(&mut conn, &Who::Cli, &url).await?;
            println!("unsubscribed from {url}");
        }
        SubscriptionsCommand::Fetch => {
            let mut failed = 0;
            for (url, outcome) in subscriptions::fetch_all(state).await? {
                match outcome {
                    Ok(report) => println!(
                        "{url}: {} listed, {} unusable, {} new drafts, {} removal drafts",
                        report.listed,
                        report.unusable,
                        report.new_drafts.len(),
                        report.removal_drafts.len()
                    ),
                    Err(err) => {
                        failed += 1;
                        println!("{url}: failed: {err}");
                    }
                }
            }
            if failed > 0 {
                return Err(Error::Remote(format!(
                    "{failed} list(s) could not be fetched"
                )));
            }
        }
    }
    Ok(())
}

async fn drafts(conn: &mut crate::db::Conn, command: DraftsCommand) -> Result<()> {
    match command {
        DraftsCommand::List => {
            for draft in subscriptions::drafts(conn).await? {
                let what = if draft.removal {
                    "lift block".to_owned()
                } else {
                    format!("block {}", draft.severity.as_str())
                };
                let comment = draft
                    .comment
                    .as_deref()
                    .map(|c| format!("  reason: {c}"))
                    .unwrap_or_default();
                println!(
                    "{:<32} {:<16} from {}{comment}",
                    draft.domain,
                    what,
                    draft.sources.join(", ")
                );
            }
        }
        DraftsCommand::Approve { domain } => {
            let domain = federation_policy::normalize_domain(&domain)?;
            match subscriptions::approve(conn, &Who::Cli, &domain).await? {
                subscriptions::Decided::Blocked(severity) => {
                    println!("blocked {domain} ({})", severity.as_str())
                }
                _ => println!("lifted the block of {domain}"),
            }
        }
        DraftsCommand::Reject { domain } => {
            let domain = federation_policy::normalize_domain(&domain)?;
            subscriptions::reject(conn, &Who::Cli, &domain).await?;
            println!("rejected the drafts for {domain}");
        }
    }
    Ok(())
}
