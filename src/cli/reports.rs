//! `kwartier admin reports …`: the report queue from the command line: list reports, resolve
//! one with an action and a required note (recorded in the audit log as by `cli`).

use clap::Subcommand;

use crate::config::Config;
use crate::error::Result;
use crate::service::audit::Who;
use crate::service::report;
use crate::service::report_actions::{self, ReportAction, Staff};
use crate::state::AppState;

#[derive(Subcommand)]
pub enum ReportsCommand {
    /// List open reports: id, kind, author, reporter, reason (with --all also resolved ones)
    List {
        /// Also resolved reports, with their action and note
        #[arg(long)]
        all: bool,
    },
    /// Resolve a report: dismiss, hide, remove, warn, suspend-account or suspend-domain
    Resolve {
        id: i64,
        /// dismiss, hide, remove, warn, suspend-account or suspend-domain
        #[arg(long)]
        action: ReportAction,
        /// Why (required; it goes into the audit log)
        #[arg(long)]
        note: String,
    },
}

pub async fn run(config: Config, command: ReportsCommand) -> Result<()> {
    let state = AppState::open(config).await?;
    let mut conn = state.db.conn().await?;
    match command {
        ReportsCommand::List { all } => {
            let found = report::list(&mut conn, all).await?;
            for view in report::views(&mut conn, &found).await? {
                let reporter = match (&view.origin, &view.reporter) {
                    (Some(origin), _) => format!("server {origin}"),
                    (None, Some(who)) => who.clone(),
                    (None, None) => "-".into(),
                };
                let resolution = match (&view.action, &view.resolution_note) {
                    (Some(action), Some(note)) => format!("  [{action}: {note}]"),
                    _ => String::new(),
                };
                println!(
                    "{:<6} {:<9} {:<10} {:<40} {:<30} {}{resolution}",
                    view.id,
                    view.status,
                    view.target_kind,
                    view.target_author.as_deref().unwrap_or("-"),
                    reporter,
                    view.reason.replace('\n', " "),
                );
            }
            if found.is_empty() {
                eprintln!("no reports");
            }
            Ok(())
        }
        ReportsCommand::Resolve { id, action, note } => {
            let staff = Staff {
                who: &Who::Cli,
                person: None,
                admin: true,
            };
            let resolved =
                report_actions::resolve(&state, &mut conn, &staff, id, action, Some(&note)).await?;
            println!(
                "report {} resolved: {}",
                resolved.id,
                resolved.action.as_deref().unwrap_or_default()
            );
            Ok(())
        }
    }
}
