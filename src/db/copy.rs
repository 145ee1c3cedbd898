//! Copying a whole node from SQLite into an empty PostgreSQL database (`kwartier admin
//! migrate-to`): every table, keys and all, in one PostgreSQL transaction.
//!
//! How it goes:
//! 1. The SQLite schema must be exactly this binary's (no migration pending, none unknown).
//! 2. The target must hold no rows and no tables Kwartier did not make; then it is migrated.
//! 3. One read transaction on SQLite (a consistent snapshot, also if the node still runs) and
//!    one write transaction on PostgreSQL. Each table's rows are read as JSON in batches
//!    (`json_object(…)` with the columns from `pragma_table_info`) and loaded into a temporary
//!    copy of the table with `json_populate_recordset`, which turns SQLite's `0`/`1` into
//!    booleans and its timestamp text into timestamps. Doubles are read with 17 significant
//!    digits (SQLite's JSON keeps only 15) so coordinates arrive bit for bit.
//! 4. One statement moves every temporary table into its real one (`WITH … INSERT …`).
//!    PostgreSQL checks foreign keys at the end of a statement, so order within and between
//!    tables does not matter: comments replying to later comments, and the cycle between
//!    `local_account.invite_id` and `invite.created_by`, go in as they are.
//! 5. Identity sequences continue after the highest id SQLite ever gave out (`sqlite_sequence`,
//!    which also counts deleted rows), so no id, and no URL made from one, is used twice.
//! 6. The row counts of both sides must agree, or everything is rolled back.
//!
//! Any failure rolls the PostgreSQL transaction back: the target keeps its (migrated) schema
//! and no rows. Uploaded media are files in the data directory, not rows: they stay where they
//! are, and both backends use them there.

use std::collections::BTreeMap;

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::{RunQueryDsl as _, SimpleAsyncConnection as _};
use scoped_futures::ScopedFutureExt as _;

use super::{Conn, Db, PgConn, SqliteConn};
use crate::error::{Error, Result};

/// Rows per batch read from SQLite and sent to PostgreSQL as one JSON array.
const BATCH: i64 = 500;
/// diesel's bookkeeping table: the target's own migrations fill it.
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

/// One table's rows on both sides after the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    pub table: String,
    pub sqlite: i64,
    pub postgres: i64,
}

/// What a copy did: every table, in name order.
#[derive(Debug, Default)]
pub struct CopyReport {
    pub tables: Vec<TableCount>,
}

impl CopyReport {
    pub fn rows(&self) -> i64 {
        self.tables.iter().map(|t| t.postgres).sum()
    }
}

/// A column as PostgreSQL has it.
#[derive(Debug, Clone, QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    identity: bool,
    #[diesel(sql_type = Bool)]
    generated: bool,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = BigInt)]
    key: i64,
    #[diesel(sql_type = Text)]
    row: String,
}

#[derive(QueryableByName)]
struct Sequence {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    seq: i64,
}

/// A table to copy: its name and the columns both sides have.
struct Table {
    name: String,
    columns: Vec<PgColumn>,
}

/// Copies everything in `source` (SQLite) into `target` (PostgreSQL, without rows). Calls
/// `progress(table, rows)` after reading each table.
pub async fn sqlite_to_postgres(
    source: &Db,
    target: &Db,
    progress: &mut (dyn FnMut(&str, i64) + Send),
) -> Result<CopyReport> {
    if !matches!(source, Db::Sqlite(..)) || !matches!(target, Db::Postgres(_)) {
        return Err(Error::Config(
            "migrate-to copies a SQLite database into PostgreSQL".into(),
        ));
    }
    check_source_schema(source).await?;

    let mut src = source.conn().await?;
    let sqlite = sqlite_of(&mut src)?;
    let sqlite_tables = sqlite_tables(sqlite).await?;

    // Nothing is written to the target before it is known to be empty.
    {
        let mut dst = target.conn().await?;
        let pg = postgres_of(&mut dst)?;
        let existing = pg_tables(pg).await?;
        let foreign: Vec<&str> = existing
            .iter()
            .map(String::as_str)
            .filter(|t| *t != MIGRATIONS_TABLE && !sqlite_tables.iter().any(|s| s == t))
            .collect();
        if !foreign.is_empty() {
            return Err(Error::Conflict(format!(
                "the PostgreSQL database is not empty: it has tables Kwartier did not make \
                 ({}); give migrate-to a new, empty database (createdb)",
                foreign.join(", ")
            )));
        }
        refuse_rows(pg, &existing).await?;
    }
    target.migrate().await?;

    let mut dst = target.conn().await?;
    let tables = matching_tables(sqlite, postgres_of(&mut dst)?, &sqlite_tables).await?;

    // One snapshot of the source for the whole copy: in WAL mode a reader sees the database as
    // it was at its first read, whatever a running node writes meanwhile.
    sqlite.batch_execute("BEGIN DEFERRED").await?;
    let reader = &mut *sqlite;
    let copied = dst
        .transaction(|conn| {
            async move { copy_tables(reader, postgres_of(conn)?, &tables, progress).await }
                .scope_boxed()
        })
        .await;
    // Only read: rolling back ends the snapshot.
    let ended = sqlite.batch_execute("ROLLBACK").await;
    let report = copied.map_err(|e| {
        let cause = match e {
            Error::Internal(cause) => format!("{cause:#}"),
            other => other.to_string(),
        };
        Error::Internal(anyhow::anyhow!(
            "copying failed, nothing was copied (the PostgreSQL database has no rows): {cause}"
        ))
    })?;
    ended?;
    Ok(report)
}

fn sqlite_of(conn: &mut Conn) -> Result<&mut SqliteConn> {
    match conn {
        Conn::Sqlite(handle) => Ok(&mut *handle),
        Conn::Postgres(_) => Err(Error::Config("the source must be SQLite".into())),
    }
}

fn postgres_of(conn: &mut Conn) -> Result<&mut PgConn> {
    match conn {
        Conn::Postgres(pg) => Ok(&mut *pg),
        Conn::Sqlite(_) => Err(Error::Config("the target must be PostgreSQL".into())),
    }
}

/// Refuses a source that is not exactly at this binary's schema.
async fn check_source_schema(source: &Db) -> Result<()> {
    let state = source.schema_state().await?;
    if let [newer, ..] = state.unknown.as_slice() {
        return Err(Error::Config(format!(
            "the SQLite database has migration {newer}, which this kwartier does not know: it \
             was written by a newer version; run migrate-to with that version"
        )));
    }
    if let [first, ..] = state.pending.as_slice() {
        return Err(Error::Config(format!(
            "the SQLite database is not up to date ({} migrations pending, first {first}): \
             run `kwartier migrate` on it first",
            state.pending.len()
        )));
    }
    Ok(())
}

/// Refuses a target where any of `tables` has a row.
async fn refuse_rows(pg: &mut PgConn, tables: &[String]) -> Result<()> {
    for table in tables.iter().filter(|t| *t != MIGRATIONS_TABLE) {
        let rows = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM (SELECT 1 FROM {} LIMIT 1) s",
            quote(table)
        ))
        .get_result::<Number>(pg)
        .await?;
        if rows.n > 0 {
            return Err(Error::Conflict(format!(
                "the PostgreSQL database is not empty: table {table} has rows; migrate-to \
                 copies only into an empty database (drop it and create it again)"
            )));
        }
    }
    Ok(())
}

async fn sqlite_tables(sqlite: &mut SqliteConn) -> Result<Vec<String>> {
    let names = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> ?1 ORDER BY name",
    )
    .bind::<Text, _>(MIGRATIONS_TABLE)
    .load::<Name>(sqlite)
    .await?;
    Ok(names.into_iter().map(|n| n.name).collect())
}

async fn pg_tables(pg: &mut PgConn) -> Result<Vec<String>> {
    let names = diesel::sql_query(
        "SELECT c.relname::text AS name FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1",
    )
    .load::<Name>(pg)
    .await?;
    Ok(names.into_iter().map(|n| n.name).collect())
}

/// The tables to copy, with their columns; both sides must have the same tables and columns
/// (the migrations make sure of that, and a test checks it).
async fn matching_tables(
    sqlite: &mut SqliteConn,
    pg: &mut PgConn,
    sqlite_tables: &[String],
) -> Result<Vec<Table>> {
    let mut pg_names: Vec<String> = pg_tables(pg)
        .await?
        .into_iter()
        .filter(|t| t != MIGRATIONS_TABLE)
        .collect();
    pg_names.sort();
    let mut sqlite_tables = sqlite_tables.to_vec();
    sqlite_tables.sort();
    if pg_names != sqlite_tables {
        return Err(Error::internal(
            "comparing the schemas",
            format!("SQLite has tables {sqlite_tables:?}, PostgreSQL {pg_names:?}"),
        ));
    }
    let mut tables = Vec::new();
    for name in pg_names {
        let columns = diesel::sql_query(
            "SELECT column_name::text AS name, data_type::text AS data_type, \
             is_identity = 'YES' AS identity, is_generated = 'ALWAYS' AS generated \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 \
             ORDER BY ordinal_position",
        )
        .bind::<Text, _>(&name)
        .load::<PgColumn>(pg)
        .await?;
        let mut sqlite_columns: Vec<String> =
            diesel::sql_query("SELECT name FROM pragma_table_info(?1)")
                .bind::<Text, _>(&name)
                .load::<Name>(sqlite)
                .await?
                .into_iter()
                .map(|n| n.name)
                .collect();
        let mut pg_columns: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
        sqlite_columns.sort();
        pg_columns.sort();
        if sqlite_columns != pg_columns {
            return Err(Error::internal(
                "comparing the schemas",
                format!(
                    "table {name}: SQLite has columns {sqlite_columns:?}, PostgreSQL {pg_columns:?}"
                ),
            ));
        }
        let columns = columns.into_iter().filter(|c| !c.generated).collect();
        tables.push(Table { name, columns });
    }
    Ok(tables)
}

/// Inside both transactions: stage, move, continue the sequences, count.
async fn copy_tables(
    sqlite: &mut SqliteConn,
    pg: &mut PgConn,
    tables: &[Table],
    progress: &mut (dyn FnMut(&str, i64) + Send),
) -> Result<CopyReport> {
    // Nobody else writes these tables while we fill them (a node started on the target too
    // early waits), and they are still empty now that we hold them.
    let names: Vec<String> = tables.iter().map(|t| quote(&t.name)).collect();
    if !names.is_empty() {
        pg.batch_execute(&format!(
            "LOCK TABLE {} IN ACCESS EXCLUSIVE MODE",
            names.join(", ")
        ))
        .await?;
    }
    let all: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
    refuse_rows(pg, &all).await?;

    let mut read = BTreeMap::new();
    for (index, table) in tables.iter().enumerate() {
        let rows = stage(sqlite, pg, table, &staging(index)).await?;
        progress(&table.name, rows);
        read.insert(table.name.clone(), rows);
    }

    // One statement for all tables: foreign keys are checked when it ends.
    let moves: Vec<String> = tables
        .iter()
        .enumerate()
        .filter(|(_, table)| read.get(&table.name).copied().unwrap_or(0) > 0)
        .map(|(index, table)| {
            let columns = column_list(&table.columns);
            format!(
                "m{index} AS (INSERT INTO {} ({columns}) OVERRIDING SYSTEM VALUE \
                 SELECT {columns} FROM {})",
                quote(&table.name),
                staging(index)
            )
        })
        .collect();
    if !moves.is_empty() {
        pg.batch_execute(&format!("WITH {} SELECT 1", moves.join(", ")))
            .await?;
    }

    continue_sequences(sqlite, pg, tables).await?;

    let mut report = CopyReport::default();
    for table in tables {
        let sqlite_rows = read.get(&table.name).copied().unwrap_or(0);
        let postgres_rows =
            diesel::sql_query(format!("SELECT count(*) AS n FROM {}", quote(&table.name)))
                .get_result::<Number>(pg)
                .await?
                .n;
        if postgres_rows != sqlite_rows {
            return Err(Error::internal(
                "counting the copied rows",
                format!(
                    "table {}: {sqlite_rows} rows in SQLite, {postgres_rows} in PostgreSQL",
                    table.name
                ),
            ));
        }
        report.tables.push(TableCount {
            table: table.name.clone(),
            sqlite: sqlite_rows,
            postgres: postgres_rows,
        });
    }
    Ok(report)
}

/// Reads one table from SQLite in batches into a temporary table; returns the rows read.
async fn stage(
    sqlite: &mut SqliteConn,
    pg: &mut PgConn,
    table: &Table,
    staging: &str,
) -> Result<i64> {
    let name = quote(&table.name);
    pg.batch_execute(&format!(
        "CREATE TEMPORARY TABLE {staging} (LIKE {name}) ON COMMIT DROP"
    ))
    .await?;
    let json = table
        .columns
        .iter()
        .map(|c| format!("{}, {}", literal(&c.name), sqlite_value(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let read = format!(
        "SELECT rowid AS key, json_object({json}) AS row FROM {name} \
         WHERE rowid > ?1 ORDER BY rowid LIMIT ?2"
    );
    let columns = column_list(&table.columns);
    let write = format!(
        "INSERT INTO {staging} ({columns}) SELECT {columns} \
         FROM json_populate_recordset(NULL::{name}, $1::json)"
    );
    let mut after = i64::MIN;
    let mut total = 0;
    loop {
        let batch = diesel::sql_query(&read)
            .bind::<BigInt, _>(after)
            .bind::<BigInt, _>(BATCH)
            .load::<JsonRow>(sqlite)
            .await
            .map_err(|e| Error::internal(&format!("reading table {}", table.name), e))?;
        let Some(last) = batch.last() else { break };
        after = last.key;
        let count = batch.len();
        let mut array = String::from("[");
        for (i, row) in batch.iter().enumerate() {
            if i > 0 {
                array.push(',');
            }
            array.push_str(&row.row);
        }
        array.push(']');
        diesel::sql_query(&write)
            .bind::<Text, _>(array)
            .execute(pg)
            .await
            .map_err(|e| Error::internal(&format!("loading table {}", table.name), e))?;
        total += count as i64;
        if (count as i64) < BATCH {
            break;
        }
    }
    Ok(total)
}

/// How SQLite hands one column's value over in JSON so that PostgreSQL reads it back exactly.
fn sqlite_value(column: &PgColumn) -> String {
    let name = quote(&column.name);
    match column.data_type.as_str() {
        // JSON numbers from SQLite carry 15 significant digits; 17 round-trip a double.
        "double precision" | "real" | "numeric" => {
            format!(
                "CASE WHEN typeof({name}) = 'real' THEN printf('%!.17g', {name}) ELSE {name} END"
            )
        }
        // JSON cannot hold bytes; PostgreSQL reads bytea from its hex form.
        "bytea" => format!("'\\x' || hex({name})"),
        // JSON kept as text in SQLite goes in as JSON, not as a string.
        "json" | "jsonb" => format!("json({name})"),
        _ => name,
    }
}

/// Makes each identity sequence continue after the highest id ever used: SQLite's
/// AUTOINCREMENT counter (deleted rows included), or the highest id present.
async fn continue_sequences(
    sqlite: &mut SqliteConn,
    pg: &mut PgConn,
    tables: &[Table],
) -> Result<()> {
    let has_counter = diesel::sql_query(
        "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'",
    )
    .get_result::<Number>(sqlite)
    .await?
    .n > 0;
    let counters: BTreeMap<String, i64> = if has_counter {
        diesel::sql_query("SELECT name, seq FROM sqlite_sequence")
            .load::<Sequence>(sqlite)
            .await?
            .into_iter()
            .map(|s| (s.name, s.seq))
            .collect()
    } else {
        BTreeMap::new()
    };
    for table in tables {
        for column in table.columns.iter().filter(|c| c.identity) {
            let highest = diesel::sql_query(format!(
                "SELECT COALESCE(MAX({}), 0)::bigint AS n FROM {}",
                quote(&column.name),
                quote(&table.name)
            ))
            .get_result::<Number>(pg)
            .await?
            .n;
            let next_after = highest.max(counters.get(&table.name).copied().unwrap_or(0));
            if next_after > 0 {
                diesel::sql_query("SELECT setval(pg_get_serial_sequence($1, $2), $3) AS n")
                    .bind::<Text, _>(quote(&table.name))
                    .bind::<Text, _>(&column.name)
                    .bind::<BigInt, _>(next_after)
                    .get_result::<Number>(pg)
                    .await?;
            }
        }
    }
    Ok(())
}

fn staging(index: usize) -> String {
    format!("kwartier_copy_{index}")
}

fn column_list(columns: &[PgColumn]) -> String {
    columns
        .iter()
        .map(|c| quote(&c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An identifier, quoted for both SQLite and PostgreSQL.
fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// A string literal for SQLite.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests;
