//! PostgreSQL's own tools for backups: `pg_dump --format=custom` and `pg_restore`, from the
//! `postgresql-client` package. The password never goes on their command line (where `ps`
//! shows it): it is taken out of the URL and handed over in `PGPASSWORD`.

use std::path::Path;
use std::process::Command;

use crate::error::{Error, Result};

/// `pg_dump --format=custom --file FILE URL`: a consistent snapshot of a running database.
pub async fn dump(url: &str, file: &Path) -> Result<()> {
    let mut command = tool("pg_dump", url)?;
    command.arg("--format=custom").arg("--file").arg(file);
    run("pg_dump", command).await
}

/// `pg_restore --no-owner --no-acl --single-transaction --dbname URL FILE`: all or nothing,
/// owned by the configured user whoever owned the dumped database.
pub async fn restore(url: &str, file: &Path) -> Result<()> {
    let mut command = tool("pg_restore", url)?;
    command
        .args([
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
        ])
        .arg(file);
    run("pg_restore", command).await
}

/// Fails, naming the package to install, unless `program` can be run; checked before a
/// backup or restore writes anything.
pub async fn check_installed(program: &'static str) -> Result<()> {
    let mut command = Command::new(program);
    command.arg("--version");
    run(program, command).await
}

/// The tool with the database named by `url` (less its password) as `--dbname`.
fn tool(program: &str, url: &str) -> Result<Command> {
    let mut parsed = url::Url::parse(url)
        .map_err(|e| Error::Config(format!("the database URL cannot be read: {e}")))?;
    let password = parsed.password().map(percent_decode);
    let _ = parsed.set_password(None);
    let mut command = Command::new(program);
    command.arg("--dbname").arg(parsed.as_str());
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    Ok(command)
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

async fn run(program: &'static str, mut command: Command) -> Result<()> {
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(|e| Error::internal(program, e))?;
    let output = match output {
        Ok(output) => output,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Unavailable(format!(
                "{program} is not installed: install the package postgresql-client (its major \
                 version must be at least the PostgreSQL server's)"
            )));
        }
        Err(err) => return Err(Error::Unavailable(format!("cannot run {program}: {err}"))),
    };
    if output.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&output.stderr);
    let said = said.trim().replace('\n', "; ");
    if said.contains("version mismatch") {
        return Err(Error::Unavailable(format!(
            "{program} is older than the PostgreSQL server: install a postgresql-client whose \
             major version is at least the server's ({program} said: {said})"
        )));
    }
    Err(Error::Unavailable(format!(
        "{program} failed ({}): {said}",
        output.status
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_goes_into_the_environment_not_the_arguments() {
        let command = tool(
            "pg_dump",
            "postgres://kw:ge%2Fheim+1@db.example:5433/kw?sslmode=require",
        )
        .unwrap();
        let args: Vec<_> = command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "--dbname",
                "postgres://kw@db.example:5433/kw?sslmode=require"
            ]
        );
        let env: Vec<_> = command.get_envs().collect();
        assert_eq!(
            env,
            [(
                std::ffi::OsStr::new("PGPASSWORD"),
                Some(std::ffi::OsStr::new("ge/heim+1"))
            )]
        );
    }
}
