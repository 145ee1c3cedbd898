//! `kwartier admin audit …`: reading the audit log from the command line, and exporting it.

use clap::Subcommand;

use crate::config::Config;
use crate::error::Result;
use crate::service::audit;
use crate::state::AppState;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Show the newest actions: when, who, what, on what, why
    List {
        /// How many, newest first
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Write the whole log to standard output as JSON lines, oldest first
    Export,
}

pub async fn run(config: Config, command: AuditCommand) -> Result<()> {
    let state = AppState::open(config).await?;
    let mut conn = state.db.conn().await?;
    match command {
        AuditCommand::List { limit } => {
            let rows = audit::page(&mut conn, None, limit).await?;
            if rows.is_empty() {
                println!("the audit log is empty");
            }
            for row in rows {
                let reason = row.reason.map(|r| format!(" ({r})")).unwrap_or_default();
                println!(
                    "{}  {:<14} {:<24} {}{reason}",
                    row.at.format("%Y-%m-%d %H:%M:%S"),
                    row.actor,
                    row.action,
                    row.target
                );
            }
        }
        AuditCommand::Export => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            audit::export(&mut conn, &mut out).await?;
            std::io::Write::flush(&mut out)
                .map_err(|e| crate::error::Error::internal("writing to standard output", e))?;
        }
    }
    Ok(())
}
