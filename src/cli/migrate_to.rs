//! `kwartier admin migrate-to URL`: moves a node from its SQLite database into an empty
//! PostgreSQL database (the copying itself is in `db::copy`), and tells the operator what to do
//! next.

use std::fmt::Write as _;

use crate::config::Config;
use crate::db::{DatabaseUrl, Db, copy};
use crate::error::{Error, Result};

pub async fn run(config: Config, target: &str) -> Result<()> {
    let target = match DatabaseUrl::parse(target) {
        Ok(url @ DatabaseUrl::Postgres(_)) => url,
        Ok(DatabaseUrl::Sqlite(_)) => {
            return Err(Error::BadRequest(
                "migrate-to copies into PostgreSQL: give a postgres://USER@HOST/DATABASE URL"
                    .into(),
            ));
        }
        Err(why) => return Err(Error::BadRequest(format!("the target URL {why}"))),
    };
    let source = &config.database;
    let DatabaseUrl::Sqlite(path) = source else {
        return Err(Error::Config(format!(
            "the configured database is {source}, already PostgreSQL; migrate-to copies from \
             the node's SQLite database (set KWARTIER_DATABASE_URL to it)"
        )));
    };
    // Db::connect would make an empty SQLite file; a wrong path must say so instead.
    if !path.is_file() {
        return Err(Error::Config(format!(
            "there is no SQLite database at {}: set KWARTIER_DATABASE_URL (or --database-url, \
             --data-dir) to the node's database",
            path.display()
        )));
    }
    let source_db = Db::connect(source, 1).await?;
    let target_db = Db::connect(&target, 1).await?;
    let report = copy::sqlite_to_postgres(&source_db, &target_db, &mut |table, rows| {
        eprintln!("{table}: {rows} rows");
    })
    .await?;
    print!("{}", summary(&config, &report, &target));
    Ok(())
}

/// What was copied, table by table, and the next steps.
fn summary(config: &Config, report: &copy::CopyReport, target: &DatabaseUrl) -> String {
    let mut out = String::new();
    let width = report
        .tables
        .iter()
        .map(|t| t.table.len())
        .max()
        .unwrap_or(0);
    let _ = writeln!(
        out,
        "{:width$}  {:>10}  {:>10}",
        "table", "sqlite", "postgresql"
    );
    for table in &report.tables {
        let _ = writeln!(
            out,
            "{:width$}  {:>10}  {:>10}",
            table.table, table.sqlite, table.postgres
        );
    }
    let _ = writeln!(
        out,
        "copied {} rows in {} tables from {} to {target}; the counts match",
        report.rows(),
        report.tables.len(),
        config.database
    );
    let _ = writeln!(
        out,
        "uploaded media stay in {} (the data directory): both backends use them there",
        config.data_dir.join("media").display()
    );
    let _ = writeln!(
        out,
        "next: start the node on PostgreSQL with the same domain and data directory:\n  \
         KWARTIER_DATABASE_URL={target} kwartier serve\n\
         (keep the SQLite file as a backup; do not start the node on it again)"
    );
    out
}
