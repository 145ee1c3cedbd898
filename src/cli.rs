//! The `kwartier` command line: serve the node, migrate its database, administer it. Lives in
//! the library so that the federation tests can run real node processes (and kill them).

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::{Config, Overrides};
use crate::db::Db;
use crate::db::node_settings::{self, RegistrationMode};
use crate::error::{Error, Result};
use crate::service::audit::{Action, Who};
use crate::service::{self, account, token};
use crate::state::AppState;
use crate::{server, telemetry};
use clap::{Args, Parser, Subcommand};

mod accounts;
mod audit;
mod directory;
mod federation;
mod groups;
mod invites;
mod migrate_to;
mod reports;
mod settings;

#[derive(Parser)]
#[command(
    name = "kwartier",
    version,
    about = "Kwartier: a federated ActivityPub server for citizen initiatives",
    long_about = "Kwartier: a federated ActivityPub server for citizen initiatives.\n\n\
        Settings come from built-in defaults, then ./kwartier.toml (or --config), then the \
        --env-file, then KWARTIER_* environment variables, then these flags."
)]
struct Cli {
    #[command(flatten)]
    settings: SettingsArgs,
    #[command(subcommand)]
    command: Command,
}

/// Flags that override configuration; each has a `KWARTIER_*` variable and a file key too.
#[derive(Args)]
struct SettingsArgs {
    /// Configuration file to read instead of ./kwartier.toml [env: KWARTIER_CONFIG]
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// File of KWARTIER_*=value lines (as systemd's EnvironmentFile); the environment wins over it
    #[arg(long, global = true, value_name = "FILE")]
    env_file: Option<PathBuf>,
    /// Public host name, with port if not 443 [env: KWARTIER_DOMAIN]
    #[arg(long, global = true, value_name = "HOST[:PORT]")]
    domain: Option<String>,
    /// Address to listen on [env: KWARTIER_LISTEN]
    #[arg(long, global = true, value_name = "ADDR:PORT")]
    listen: Option<String>,
    /// sqlite://PATH or postgres://USER@HOST/DB [env: KWARTIER_DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// Directory for the node's files [env: KWARTIER_DATA_DIR]
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The node's name, shown to visitors and other servers [env: KWARTIER_NODE_NAME]
    #[arg(long, global = true, value_name = "NAME")]
    node_name: Option<String>,
    /// Allow http and loopback peers; for tests and local trials only [env: KWARTIER_DEVELOPMENT]
    #[arg(long, global = true)]
    development: bool,
    /// human or json [env: KWARTIER_LOG_FORMAT]
    #[arg(long, global = true, value_name = "FORMAT")]
    log_format: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the node: migrate the database, then serve HTTP until SIGINT or SIGTERM
    Serve,
    /// Bring the database schema up to date, then exit
    Migrate,
    /// Administer this node
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a local user; prints a generated password unless --password-stdin is given
    CreateUser {
        /// Username: a-z, 0-9 and _, at most 30 characters
        name: String,
        /// Make the user an administrator of this node
        #[arg(long)]
        admin: bool,
        /// Read the password from standard input instead of generating one
        #[arg(long)]
        password_stdin: bool,
    },
    /// Create an API token for a user; prints only the token
    CreateToken {
        /// The user the token acts for
        name: String,
        /// What the token is for
        #[arg(long, default_value = "cli")]
        label: String,
    },
    /// Show delivery health per peer: pending and failed deliveries, failures in a row, pauses
    Deliveries,
    /// Set who may sign up on the web: open, approval, invite or closed (the default)
    Registration {
        /// open, approval, invite or closed
        mode: RegistrationMode,
        /// With approval: the question people answer when they sign up
        #[arg(long)]
        question: Option<String>,
    },
    /// Kwartier nodes this node syncs directories with: add (seed) or list
    #[command(subcommand)]
    Peers(directory::PeersCommand),
    /// The network directory: run a sync round now
    #[command(subcommand)]
    Directory(directory::DirectoryCommand),
    /// Theme groups: create, list, moderators, initiatives joining
    #[command(subcommand)]
    Groups(groups::GroupsCommand),
    /// The audit log of admin and moderator actions: list or export
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Accounts: list, approve or reject sign-ups, suspend, reset passwords, roles
    #[command(subcommand)]
    Accounts(accounts::AccountsCommand),
    /// The federation mode: open, blocklist or allowlist
    #[command(subcommand)]
    Federation(federation::FederationCommand),
    /// Domain blocks and allows: block, unblock, allow, disallow, list, export, import
    #[command(subcommand)]
    Domains(federation::DomainsCommand),
    /// Node settings: default visibility of new content
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    /// Invite links: create (with expiry and use limit), list, revoke
    #[command(subcommand)]
    Invites(invites::InvitesCommand),
    /// Reports (moderation): list the queue, resolve a report with an action and a note
    #[command(subcommand)]
    Reports(reports::ReportsCommand),
    /// Write a consistent backup (database, media, manifest with checksums) into a new or
    /// empty directory; safe while the node runs
    Backup {
        /// Where the backup goes: a new or empty directory
        dir: PathBuf,
    },
    /// Restore a backup into the configured database and data directory, which must be
    /// empty; checks every file first, then brings the schema up to date
    Restore {
        /// A directory written by `kwartier admin backup`
        dir: PathBuf,
    },
    /// Copy this node's SQLite database, keys and all, into an empty PostgreSQL database;
    /// stop the node first, then start it with KWARTIER_DATABASE_URL set to URL
    MigrateTo {
        /// The empty PostgreSQL database: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE
        url: String,
    },
}

/// Parses the command line, runs the command, and turns the outcome into an exit code (errors
/// as one line on stderr).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("kwartier: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("kwartier: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    let overrides = cli.settings.into_overrides();
    let config = Config::load(&overrides, std::env::vars())?;
    let default_level = match cli.command {
        Command::Serve | Command::Migrate => "info",
        Command::Admin(_) => "warn",
    };
    telemetry::init(config.log_format, default_level);
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
    match cli.command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = Db::connect(&config.database, 1).await?;
            let report = db.migrate().await?;
            for name in &report.applied {
                println!("applied {name}");
            }
            println!("database schema is up to date ({})", db.backend_name());
            Ok(())
        }
        Command::Admin(command) => admin(config, command).await,
    }
}

async fn serve(config: Config) -> Result<()> {
    // Bind first: a taken port fails before anything is written.
    let listener = server::bind(config.listen).await?;
    let admin = match config.admin_listen {
        Some(addr) => Some(server::bind_admin(addr).await?),
        None => None,
    };
    let metrics = match config.metrics_listen {
        Some(addr) => Some(server::bind_metrics(addr).await?),
        None => None,
    };
    let state = AppState::open(config).await?;
    let listeners = server::Listeners {
        public: listener,
        admin,
        metrics,
    };
    server::serve_on(state, listeners, server::shutdown_signal()).await
}

async fn admin(config: Config, command: AdminCommand) -> Result<()> {
    match command {
        AdminCommand::CreateUser {
            name,
            admin,
            password_stdin,
        } => {
            // Read and check the input before touching the database.
            let password = password_stdin.then(read_password).transpose()?;
            account::validate_username(&name)?;
            let state = AppState::open(config).await?;
            let mut conn = state.db.conn().await?;
            let created = account::create(
                &state,
                &mut conn,
                account::NewAccount {
                    username: name,
                    password,
                    admin,
                    approved: true,
                    signup_answer: None,
                },
            )
            .await?;
            service::audit::record(
                &mut conn,
                &Who::Cli,
                Action::new("account.create", &format!("@{}", created.person.username))
                    .with(serde_json::json!({ "admin": created.account.admin })),
            )
            .await?;
            let role = if created.account.admin {
                " (admin)"
            } else {
                ""
            };
            println!("created user {}{role}", created.person.username);
            if let Some(password) = created.generated_password {
                println!("password: {password}");
                println!("(shown only now; keep it somewhere safe)");
            }
            Ok(())
        }
        AdminCommand::CreateToken { name, label } => {
            let state = AppState::open(config).await?;
            let mut conn = state.db.conn().await?;
            println!("{}", token::create(&mut conn, &name, &label).await?);
            Ok(())
        }
        AdminCommand::Registration { mode, question } => {
            let db = Db::connect(&config.database, 1).await?;
            db.migrate().await?;
            let mut conn = db.conn().await?;
            node_settings::ensure(&mut conn, config.node_name.as_deref()).await?;
            let settings = service::settings::set_registration(
                &mut conn,
                &Who::Cli,
                mode,
                question.as_deref(),
            )
            .await?;
            println!("registration is {}", settings.registration_mode);
            Ok(())
        }
        AdminCommand::Peers(command) => directory::peers(config, command).await,
        AdminCommand::Directory(command) => directory::directory(config, command).await,
        AdminCommand::Groups(command) => groups::run(config, command).await,
        AdminCommand::Audit(command) => audit::run(config, command).await,
        AdminCommand::Accounts(command) => accounts::run(config, command).await,
        AdminCommand::Federation(command) => federation::federation(config, command).await,
        AdminCommand::Domains(command) => federation::domains(config, command).await,
        AdminCommand::Settings(command) => settings::run(config, command).await,
        AdminCommand::Invites(command) => invites::run(config, command).await,
        AdminCommand::Reports(command) => reports::run(config, command).await,
        AdminCommand::Backup { dir } => {
            println!("{}", crate::backup::create(&config, &dir).await?);
            Ok(())
        }
        AdminCommand::Restore { dir } => {
            println!("{}", crate::backup::restore(&config, &dir).await?);
            Ok(())
        }
        AdminCommand::MigrateTo { url } => migrate_to::run(config, &url).await,
        AdminCommand::Deliveries => {
            let db = Db::connect(&config.database, 1).await?;
            db.migrate().await?;
            let mut conn = db.conn().await?;
            print!("{}", delivery_report(&mut conn).await?);
            Ok(())
        }
    }
}

/// One line per peer with anything pending or failed, or with failures: what an operator
/// needs to see whether federation is healthy.
async fn delivery_report(conn: &mut crate::db::Conn) -> Result<String> {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;

    #[derive(Default)]
    struct Line {
        pending: i64,
        failed: i64,
        peer: Option<crate::db::peer::Peer>,
    }
    let mut lines: BTreeMap<String, Line> = BTreeMap::new();
    for (peer, state, count) in crate::db::delivery::counts_by_peer(conn).await? {
        let line = lines.entry(peer).or_default();
        match state.as_str() {
            crate::db::delivery::state::PENDING => line.pending = count,
            _ => line.failed = count,
        }
    }
    for peer in crate::db::peer::all(conn).await? {
        if peer.consecutive_failures > 0 || lines.contains_key(&peer.host) {
            let host = peer.host.clone();
            lines.entry(host).or_default().peer = Some(peer);
        }
    }
    if lines.is_empty() {
        return Ok("all deliveries done; no peer is failing\n".to_owned());
    }
    let mut out = String::new();
    let fmt_time = |t: Option<chrono::NaiveDateTime>| {
        t.map_or("-".to_owned(), |t| {
            t.format("%Y-%m-%d %H:%M:%S").to_string()
        })
    };
    for (host, line) in lines {
        let (failures, paused, last_success, error) = match &line.peer {
            Some(p) => (
                p.consecutive_failures,
                fmt_time(p.circuit_open_until),
                fmt_time(p.last_success_at),
                p.last_error.clone().unwrap_or_default(),
            ),
            None => (0, "-".to_owned(), "-".to_owned(), String::new()),
        };
        let _ = writeln!(
            out,
            "{host}  pending={}  failed={}  failures_in_a_row={failures}  paused_until={paused}  last_success={last_success}  last_error={error:?}",
            line.pending, line.failed
        );
    }
    Ok(out)
}

/// The password on standard input, without its line ending.
fn read_password() -> Result<String> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).map_err(|e| {
        Error::BadRequest(format!("cannot read the password from standard input: {e}"))
    })?;
    let password = input.strip_suffix('\n').unwrap_or(&input);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.is_empty() {
        return Err(Error::BadRequest("no password on standard input".into()));
    }
    Ok(password.to_owned())
}

impl SettingsArgs {
    fn into_overrides(self) -> Overrides {
        Overrides {
            config_file: self.config,
            env_file: self.env_file,
            domain: self.domain,
            listen: self.listen,
            database_url: self.database_url,
            data_dir: self.data_dir,
            node_name: self.node_name,
            development: self.development.then_some(true),
            log_format: self.log_format,
        }
    }
}
