//! `kwartier admin peers …` and `kwartier admin directory …`: the Kwartier nodes this node
//! syncs directories with, and a sync round on demand.

use std::fmt::Write as _;

use clap::Subcommand;

use crate::config::Config;
use crate::db::known_node::{self, KnownNode};
use crate::error::Result;
use crate::service::audit::{self, Action, Who};
use crate::service::directory::peers::{self, AddOutcome};
use crate::service::directory::sync::{self, RoundReport, Scope};
use crate::state::AppState;

#[derive(Subcommand)]
pub enum PeersCommand {
    /// Seed a Kwartier node (host or host:port) to sync directories with
    Add {
        /// The node's host name, with the port if not 443: kwartier.oss.nl
        // Not `domain`: that is the global setting of this node's own name.
        #[arg(value_name = "DOMAIN")]
        peer: String,
    },
    /// List the nodes this node knows: source, last sync, failures, dead, entries
    List,
}

#[derive(Subcommand)]
pub enum DirectoryCommand {
    /// Run one sync round now and report what changed
    Sync,
}

pub async fn peers(config: Config, command: PeersCommand) -> Result<()> {
    let state = AppState::open(config).await?;
    match command {
        PeersCommand::Add { peer } => {
            let message = match peers::add_seed(&state, &peer).await? {
                AddOutcome::Added => "added; it is synced in the next round",
                AddOutcome::MadeSeed { .. } => {
                    "was known already; it is a seed now and synced in the next round"
                }
                AddOutcome::AlreadySeed => "is a seed already; it is synced in the next round",
            };
            let domain = peer.trim().to_ascii_lowercase();
            let mut conn = state.db.conn().await?;
            audit::record(&mut conn, &Who::Cli, Action::new("peer.seed", &domain)).await?;
            println!("{domain} {message}");
            Ok(())
        }
        PeersCommand::List => {
            let mut conn = state.db.conn().await?;
            let nodes = known_node::all(&mut conn).await?;
            let counts = known_node::entry_counts(&mut conn).await?;
            print!("{}", peer_table(&nodes, &counts));
            Ok(())
        }
    }
}

pub async fn directory(config: Config, command: DirectoryCommand) -> Result<()> {
    let state = AppState::open(config).await?;
    match command {
        DirectoryCommand::Sync => {
            let report = sync::round_with(&state, Scope::AllHealthy).await?;
            print!("{}", round_text(&report));
            Ok(())
        }
    }
}

fn time(t: Option<chrono::NaiveDateTime>) -> String {
    t.map_or("-".to_owned(), |t| t.format("%Y-%m-%d %H:%M").to_string())
}

/// One line per node, in aligned columns.
pub fn peer_table(nodes: &[KnownNode], counts: &[(String, i64)]) -> String {
    if nodes.is_empty() {
        return "no known nodes; seed one with `kwartier admin peers add DOMAIN`\n".to_owned();
    }
    let mut rows = vec![[
        "DOMAIN".to_owned(),
        "SOURCE".to_owned(),
        "SOFTWARE".to_owned(),
        "LAST SYNC".to_owned(),
        "FAILURES".to_owned(),
        "DEAD SINCE".to_owned(),
        "ENTRIES".to_owned(),
    ]];
    for node in nodes {
        let entries = counts
            .iter()
            .find(|(d, _)| *d == node.domain)
            .map_or(0, |(_, c)| *c);
        rows.push([
            node.domain.clone(),
            node.source.clone(),
            node.software.clone().unwrap_or_else(|| "?".to_owned()),
            time(node.last_synced_at),
            node.consecutive_failures.to_string(),
            time(node.dead_since),
            entries.to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    for node in nodes.iter().filter(|n| n.consecutive_failures > 0) {
        if let Some(error) = &node.last_error {
            let _ = writeln!(out, "{}: {error}", node.domain);
        }
    }
    out
}

/// What a round did, for people.
pub fn round_text(report: &RoundReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "own directory: {} published ({} added, {} updated, {} withdrawn)",
        report.published.published,
        report.published.added,
        report.published.updated,
        report.published.withdrawn
    );
    let _ = writeln!(
        out,
        "nodes synced: {}, failed: {}",
        report.nodes_synced,
        report.nodes_failed.len()
    );
    for (node, reason) in &report.nodes_failed {
        let _ = writeln!(out, "  failed {node}: {reason}");
    }
    for node in &report.nodes_not_kwartier {
        let _ = writeln!(out, "  skipped {node}: not a Kwartier node");
    }
    let _ = writeln!(
        out,
        "entries: {} added, {} updated, {} removed{}",
        report.entries_added,
        report.entries_updated,
        report.entries_removed,
        if report.entries_refused > 0 {
            format!(", {} refused", report.entries_refused)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        out,
        "nodes learned: {}{}",
        report.nodes_learned.len(),
        if report.nodes_learned.is_empty() {
            String::new()
        } else {
            format!(" ({})", report.nodes_learned.join(", "))
        }
    );
    let _ = writeln!(out, "bytes fetched: {}", report.bytes_fetched);
    out
}
