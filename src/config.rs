//! Configuration: built-in defaults, then an optional `kwartier.toml`, then `KWARTIER_*`
//! environment variables, then command-line flags; each layer overrides the one before.
//!
//! An invalid value is reported in one line that names where it came from
//! (`KWARTIER_LISTEN`, `--listen` or `listen in ./kwartier.toml`) and what is wrong with it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider, Source};
use serde::{Deserialize, Serialize};

use crate::db::DatabaseUrl;
use crate::error::{Error, Result};

/// Environment variables start with this; the rest, lowercased, is the key.
pub const ENV_PREFIX: &str = "KWARTIER_";
/// Read when present in the working directory and no other file is named.
pub const DEFAULT_FILE: &str = "kwartier.toml";

/// Every key, in the order the README's configuration table lists them.
pub const KEYS: &[&str] = &[
    "domain",
    "listen",
    "admin_listen",
    "metrics_listen",
    "database_url",
    "data_dir",
    "node_name",
    "brand_color",
    "logo",
    "development",
    "log_format",
    "database_max_connections",
    "delivery_retry_first",
    "delivery_retry_max",
    "delivery_give_up_after",
    "delivery_concurrency",
    // Network-wide search (`/netwerk`).
    "geocoder_url",
    "map_tile_url",
    "map_attribution",
    "region_name",
    "region_codes",
    "region_centre",
    "directory_sync",
    "directory_sync_interval",
    "max_known_nodes",
    // Shared blocklists.
    "blocklist_fetch_interval",
];

/// The node's validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Public host name, with a port if not the default one: `kwartier.example.nl`,
    /// `localhost:8080`. Part of every ActivityPub id this node makes.
    pub domain: String,
    /// Address the HTTP server binds to.
    pub listen: SocketAddr,
    /// When set, the admin pages and `/api/v1/admin` are served only here (a local address
    /// such as `127.0.0.1:8081`), and the public listener has no admin surface at all.
    pub admin_listen: Option<SocketAddr>,
    /// When set, Prometheus metrics are served at `/metrics` here (a local address such as
    /// `127.0.0.1:9464`), and nowhere else.
    pub metrics_listen: Option<SocketAddr>,
    pub database: DatabaseUrl,
    /// Where the node keeps its files (the default SQLite database, later media).
    pub data_dir: PathBuf,
    /// Overrides the node name stored in the database, when set.
    pub node_name: Option<String>,
    /// How the web pages look: the municipality's colour and logo.
    pub brand: Brand,
    /// Allows http and loopback peers, and serves URLs as http. Never on a public node.
    pub development: bool,
    pub log_format: LogFormat,
    pub database_max_connections: usize,
    pub delivery: DeliveryConfig,
    pub search: SearchConfig,
    pub directory: DirectoryConfig,
    /// Time between two fetches of the subscribed shared blocklists; zero turns fetching off.
    pub blocklist_fetch_interval: Duration,
    /// Things worth a warning that are not errors (an unknown `KWARTIER_*` variable).
    pub warnings: Vec<String>,
}

/// A node's branding on its web pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brand {
    /// `#rrggbb`; buttons and links use it with white or on white, so it must contrast with
    /// white at least 4.5:1 (WCAG AA).
    pub color: String,
    /// An image file (SVG, PNG, JPEG or WebP) shown beside the node's name.
    pub logo: Option<PathBuf>,
}

/// The NL Design System's "lintblauw": 6.1:1 on white.
pub const DEFAULT_BRAND_COLOR: &str = "#01689b";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

/// How deliveries to other servers are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryConfig {
    /// Wait before the first retry; each retry waits twice as long as the one before.
    pub retry_first: Duration,
    /// Longest wait between two attempts.
    pub retry_max: Duration,
    /// A delivery still failing this long after it was made is given up and recorded as failed.
    pub give_up_after: Duration,
    /// How many deliveries are in flight at once.
    pub concurrency: usize,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            retry_first: Duration::from_secs(30),
            retry_max: Duration::from_secs(6 * 60 * 60),
            give_up_after: Duration::from_secs(5 * 24 * 60 * 60),
            concurrency: 16,
        }
    }
}

/// Network-wide search: where places are looked up and what the map shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchConfig {
    /// A Locatieserver-style geocoder (`?q=` → `response.docs[].centroide_ll`) for places the
    /// directory does not know and for postcodes; `None` looks up nothing outside the node.
    pub geocoder_url: Option<url::Url>,
    /// Map tiles, `{z}/{x}/{y}`; `None` shows no map. Its origin is allowed in `img-src`.
    pub map_tile_url: Option<String>,
    pub map_attribution: String,
}

/// PDOK's Locatieserver: Dutch places, postcodes and addresses, free and without a key.
pub const DEFAULT_GEOCODER_URL: &str = "https://api.pdok.nl/bzk/locatieserver/search/v3_1/free";
/// PDOK's public background map of the Netherlands (BRT Achtergrondkaart).
pub const DEFAULT_MAP_TILE_URL: &str =
    "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png";
pub const DEFAULT_MAP_ATTRIBUTION: &str = "Kaartgegevens © Kadaster";

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            geocoder_url: url::Url::parse(DEFAULT_GEOCODER_URL).ok(),
            map_tile_url: Some(DEFAULT_MAP_TILE_URL.to_owned()),
            map_attribution: DEFAULT_MAP_ATTRIBUTION.to_owned(),
        }
    }
}

/// The region this node serves, as its directory tells other nodes, and how it syncs theirs.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryConfig {
    /// The region's name (`Gemeente Oss`); the node's name when not set.
    pub region_name: Option<String>,
    /// CBS codes of the municipalities (`GM0828`), districts (`WK…`), neighbourhoods (`BU…`) or
    /// provinces (`PV…`) it covers, upper case.
    pub region_codes: Vec<String>,
    /// The region's centre, `(latitude, longitude)`, for distances between regions.
    pub region_centre: Option<(f64, f64)>,
    /// Whether this node syncs other nodes' directories on a schedule.
    pub sync: bool,
    /// Time between two sync rounds.
    pub sync_interval: Duration,
    /// Most nodes this node keeps track of; learning stops there.
    pub max_known_nodes: usize,
}

impl Default for DirectoryConfig {
    fn default() -> Self {
        DirectoryConfig {
            region_name: None,
            region_codes: Vec::new(),
            region_centre: None,
            sync: true,
            sync_interval: Duration::from_secs(60 * 60),
            max_known_nodes: 2000,
        }
    }
}

/// Values given on the command line; `None` leaves the lower layers in charge.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    /// Configuration file to read instead of `./kwartier.toml`.
    #[serde(skip)]
    pub config_file: Option<PathBuf>,
    /// A file of `KWARTIER_*=value` lines (as systemd's `EnvironmentFile` and compose's
    /// `env_file` read them), layered between the TOML file and the environment.
    #[serde(skip)]
    pub env_file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub development: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<String>,
}

/// The merged, not yet validated values.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    domain: String,
    listen: String,
    admin_listen: Option<String>,
    metrics_listen: Option<String>,
    database_url: Option<String>,
    data_dir: PathBuf,
    node_name: Option<String>,
    brand_color: String,
    logo: Option<PathBuf>,
    development: bool,
    log_format: LogFormat,
    database_max_connections: usize,
    delivery_retry_first: String,
    delivery_retry_max: String,
    delivery_give_up_after: String,
    delivery_concurrency: usize,
    geocoder_url: String,
    map_tile_url: String,
    map_attribution: String,
    region_name: Option<String>,
    region_codes: String,
    region_centre: Option<String>,
    directory_sync: bool,
    directory_sync_interval: String,
    max_known_nodes: usize,
    blocklist_fetch_interval: String,
}

impl Default for Raw {
    fn default() -> Self {
        Raw {
            domain: "localhost:8080".into(),
            listen: "127.0.0.1:8080".into(),
            admin_listen: None,
            metrics_listen: None,
            database_url: None,
            data_dir: PathBuf::from("data"),
            node_name: None,
            brand_color: DEFAULT_BRAND_COLOR.into(),
            logo: None,
            development: false,
            log_format: LogFormat::Human,
            database_max_connections: 10,
            delivery_retry_first: "30s".into(),
            delivery_retry_max: "6h".into(),
            delivery_give_up_after: "5days".into(),
            delivery_concurrency: 16,
            geocoder_url: DEFAULT_GEOCODER_URL.into(),
            map_tile_url: DEFAULT_MAP_TILE_URL.into(),
            map_attribution: DEFAULT_MAP_ATTRIBUTION.into(),
            region_name: None,
            region_codes: String::new(),
            region_centre: None,
            directory_sync: true,
            directory_sync_interval: "1h".into(),
            max_known_nodes: 2000,
            blocklist_fetch_interval: "6h".into(),
        }
    }
}

impl Config {
    /// Loads the configuration from all layers. `env` is the process environment
    /// (`std::env::vars()`); tests pass their own.
    pub fn load(
        overrides: &Overrides,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let env_file = match &overrides.env_file {
            Some(path) => Some(Layer::from_env_file(path)?),
            None => None,
        };
        // The process environment wins over the env file, as with dotenv and compose.
        let mut config_env = env.clone();
        config_env.extend(env_file.iter().flat_map(|(_, named)| named.clone()));
        let file = config_file(overrides, &config_env)?;
        let (env_layer, warnings) = Layer::from_env(&env);
        let mut figment = Figment::from(Serialized::defaults(Raw::default()));
        if let Some(file) = &file {
            figment = figment.merge(Toml::file_exact(file));
        }
        if let Some((layer, _)) = env_file {
            figment = figment.merge(layer);
        }
        let figment = figment
            .merge(env_layer)
            .merge(Layer::from_flags(overrides)?);
        let raw: Raw = figment
            .extract_lossy()
            .map_err(|e| Error::Config(describe_figment_error(&figment, e)))?;
        let invalid = |key: &str, problem: String| {
            Error::Config(format!("{}: {problem}", origin(&figment, key)))
        };

        let domain = validate_domain(&raw.domain).map_err(|p| invalid("domain", p))?;
        let listen = raw.listen.trim().parse::<SocketAddr>().map_err(|_| {
            invalid(
                "listen",
                format!(
                    "{:?} is not an address:port such as 127.0.0.1:8080",
                    raw.listen
                ),
            )
        })?;
        let admin_listen = match raw.admin_listen.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                let addr = text.parse::<SocketAddr>().map_err(|_| {
                    invalid(
                        "admin_listen",
                        format!("{text:?} is not an address:port such as 127.0.0.1:8081"),
                    )
                })?;
                if addr == listen {
                    return Err(invalid(
                        "admin_listen",
                        format!("{addr} is the public listen address too; choose another port"),
                    ));
                }
                Some(addr)
            }
        };
        let metrics_listen = match raw.metrics_listen.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => {
                let addr = text.parse::<SocketAddr>().map_err(|_| {
                    invalid(
                        "metrics_listen",
                        format!("{text:?} is not an address:port such as 127.0.0.1:9464"),
                    )
                })?;
                if addr == listen || Some(addr) == admin_listen {
                    return Err(invalid(
                        "metrics_listen",
                        format!(
                            "{addr} is already the public or admin address; choose another port"
                        ),
                    ));
                }
                Some(addr)
            }
        };
        let mut warnings = warnings;
        if let Some(addr) = metrics_listen.filter(|a| !a.ip().is_loopback()) {
            warnings.push(format!(
                "metrics_listen {addr} is not a loopback address: whoever reaches it can read the metrics (peer names, queue sizes)"
            ));
        }
        let database = match &raw.database_url {
            Some(url) => DatabaseUrl::parse(url).map_err(|p| invalid("database_url", p))?,
            None => DatabaseUrl::Sqlite(raw.data_dir.join("kwartier.db")),
        };
        let node_name = match raw.node_name.as_deref().map(str::trim) {
            Some("") => return Err(invalid("node_name", "is empty".into())),
            Some(name) if name.chars().count() > 100 => {
                return Err(invalid("node_name", "is longer than 100 characters".into()));
            }
            other => other.map(str::to_owned),
        };
        let search = search_config(&raw).map_err(|(key, p)| invalid(key, p))?;
        let brand = Brand {
            color: validate_color(&raw.brand_color).map_err(|p| invalid("brand_color", p))?,
            logo: match raw.logo {
                Some(path) if !path.is_file() => {
                    return Err(invalid("logo", format!("{} is not a file", path.display())));
                }
                other => other,
            },
        };
        if raw.database_max_connections == 0 {
            return Err(invalid(
                "database_max_connections",
                "must be at least 1".into(),
            ));
        }
        let duration = |key: &str, value: &str| {
            humantime::parse_duration(value.trim())
                .map_err(|e| {
                    invalid(
                        key,
                        format!("{value:?} is not a duration like 30s, 6h or 5days ({e})"),
                    )
                })
                .and_then(|d| {
                    if d.is_zero() {
                        Err(invalid(key, "must be longer than zero".into()))
                    } else {
                        Ok(d)
                    }
                })
        };
        let delivery = DeliveryConfig {
            retry_first: duration("delivery_retry_first", &raw.delivery_retry_first)?,
            retry_max: duration("delivery_retry_max", &raw.delivery_retry_max)?,
            give_up_after: duration("delivery_give_up_after", &raw.delivery_give_up_after)?,
            concurrency: raw.delivery_concurrency,
        };
        if delivery.retry_max < delivery.retry_first {
            return Err(invalid(
                "delivery_retry_max",
                "is shorter than delivery_retry_first".into(),
            ));
        }
        if delivery.concurrency == 0 {
            return Err(invalid("delivery_concurrency", "must be at least 1".into()));
        }
        let directory = DirectoryConfig {
            region_name: match raw.region_name.as_deref().map(str::trim) {
                Some("") | None => None,
                Some(name) if name.chars().count() > 100 => {
                    return Err(invalid(
                        "region_name",
                        "is longer than 100 characters".into(),
                    ));
                }
                Some(name) => Some(name.to_owned()),
            },
            region_codes: parse_region_codes(&raw.region_codes)
                .map_err(|p| invalid("region_codes", p))?,
            region_centre: raw
                .region_centre
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(parse_centre)
                .transpose()
                .map_err(|p| invalid("region_centre", p))?,
            sync: raw.directory_sync,
            sync_interval: duration("directory_sync_interval", &raw.directory_sync_interval)?,
            max_known_nodes: raw.max_known_nodes,
        };
        if directory.max_known_nodes == 0 {
            return Err(invalid("max_known_nodes", "must be at least 1".into()));
        }
        Ok(Config {
            domain,
            listen,
            admin_listen,
            metrics_listen,
            database,
            data_dir: raw.data_dir,
            node_name,
            brand,
            development: raw.development,
            log_format: raw.log_format,
            database_max_connections: raw.database_max_connections,
            delivery,
            search,
            directory,
            blocklist_fetch_interval: duration(
                "blocklist_fetch_interval",
                &raw.blocklist_fetch_interval,
            )?,
            warnings,
        })
    }

    /// `https`, or `http` in development.
    pub fn scheme(&self) -> &'static str {
        if self.development { "http" } else { "https" }
    }
}

/// Empty settings turn the geocoder or the map off.
fn search_config(raw: &Raw) -> std::result::Result<SearchConfig, (&'static str, String)> {
    let web_url = |key: &'static str, value: &str| {
        let url = url::Url::parse(&value.replace(['{', '}'], ""))
            .map_err(|e| (key, format!("{value:?} is not a URL ({e})")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err((key, format!("{value:?} is not an http(s) URL")));
        }
        Ok(())
    };
    let geocoder = raw.geocoder_url.trim();
    let tiles = raw.map_tile_url.trim();
    let geocoder_url = if geocoder.is_empty() {
        None
    } else {
        web_url("geocoder_url", geocoder)?;
        url::Url::parse(geocoder).ok()
    };
    let map_tile_url = if tiles.is_empty() {
        None
    } else {
        web_url("map_tile_url", tiles)?;
        // The pages' Content-Security-Policy allows images over https (and http only in
        // development), so tiles elsewhere would never show.
        if !raw.development && !tiles.starts_with("https://") {
            return Err(("map_tile_url", format!("{tiles:?} must be an https URL")));
        }
        if !["{z}", "{x}", "{y}"].iter().all(|p| tiles.contains(p)) {
            return Err((
                "map_tile_url",
                format!("{tiles:?} lacks {{z}}, {{x}} or {{y}}"),
            ));
        }
        Some(tiles.to_owned())
    };
    Ok(SearchConfig {
        geocoder_url,
        map_tile_url,
        map_attribution: raw.map_attribution.trim().to_owned(),
    })
}

/// The file named by `--config` or `KWARTIER_CONFIG` (must exist), else `./kwartier.toml` if
/// it exists.
fn config_file(overrides: &Overrides, env: &[(String, String)]) -> Result<Option<PathBuf>> {
    let named = overrides
        .config_file
        .clone()
        .map(|p| (p, "--config"))
        .or_else(|| {
            env.iter()
                .find(|(k, _)| k == "KWARTIER_CONFIG")
                .map(|(_, v)| (PathBuf::from(v), "KWARTIER_CONFIG"))
        });
    match named {
        Some((path, _)) if path.is_file() => Ok(Some(path)),
        Some((path, origin)) => Err(Error::Config(format!(
            "{origin}: configuration file {} does not exist",
            path.display()
        ))),
        None => Ok(Some(PathBuf::from(DEFAULT_FILE)).filter(|p| Path::new(p).is_file())),
    }
}

/// A host name with an optional port, nothing else.
fn validate_domain(raw: &str) -> std::result::Result<String, String> {
    let domain = raw.trim().to_ascii_lowercase();
    let hint =
        "give only the host name and, if not 443, the port: kwartier.example.nl or localhost:8080";
    if domain.is_empty() {
        return Err(format!("is empty; {hint}"));
    }
    let url = url::Url::parse(&format!("http://{domain}/"))
        .map_err(|e| format!("{raw:?} is not a host name ({e}); {hint}"))?;
    let rebuilt = match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => String::new(),
    };
    if rebuilt != domain || url.path() != "/" {
        return Err(format!("{raw:?} is not a host name; {hint}"));
    }
    if !matches!(url.host(), Some(url::Host::Domain(_))) {
        return Err(format!(
            "{raw:?} is an IP address; ActivityPub needs a host name (use localhost for local trials)"
        ));
    }
    Ok(domain)
}

/// CBS region codes separated by commas: two letters (GM, WK, BU, PV) and 2 to 8 digits.
fn parse_region_codes(raw: &str) -> std::result::Result<Vec<String>, String> {
    let mut codes: Vec<String> = Vec::new();
    for code in raw.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let code = code.to_ascii_uppercase();
        let (prefix, digits) = code.split_at(code.len().min(2));
        if !["GM", "WK", "BU", "PV"].contains(&prefix)
            || !(2..=8).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(format!(
                "{code:?} is not a CBS region code like GM0828 (GM, WK, BU or PV and digits)"
            ));
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    if codes.len() > 500 {
        return Err("lists more than 500 codes".into());
    }
    Ok(codes)
}

/// `LAT,LON` in decimal degrees.
fn parse_centre(raw: &str) -> std::result::Result<(f64, f64), String> {
    let hint = "give LATITUDE,LONGITUDE in degrees, like 51.765,5.518";
    let (lat, lon) = raw
        .split_once(',')
        .ok_or_else(|| format!("{raw:?} is not a point; {hint}"))?;
    let number = |v: &str| {
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| format!("{:?} is not a number; {hint}", v.trim()))
    };
    let (lat, lon) = (number(lat)?, number(lon)?);
    if !(-90.0..=90.0).contains(&lat) {
        return Err(format!("latitude {lat} is not between -90 and 90; {hint}"));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(format!(
            "longitude {lon} is not between -180 and 180; {hint}"
        ));
    }
    Ok((lat, lon))
}

/// `#rrggbb` (or `rrggbb`), dark enough for white text on it and for text in it on white.
fn validate_color(raw: &str) -> std::result::Result<String, String> {
    let hex = raw.trim().trim_start_matches('#').to_ascii_lowercase();
    let channels: Vec<u8> = (0..3)
        .filter_map(|i| hex.get(i * 2..i * 2 + 2))
        .filter_map(|pair| u8::from_str_radix(pair, 16).ok())
        .collect();
    if hex.len() != 6 || channels.len() != 3 {
        return Err(format!("{raw:?} is not a colour like #01689b"));
    }
    // WCAG 2.1 relative luminance; white is 1.0.
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance =
        0.2126 * linear(channels[0]) + 0.7152 * linear(channels[1]) + 0.0722 * linear(channels[2]);
    let contrast = 1.05 / (luminance + 0.05);
    if contrast < 4.5 {
        return Err(format!(
            "#{hex} contrasts {contrast:.1}:1 with white; pages need at least 4.5:1, so choose a darker shade"
        ));
    }
    Ok(format!("#{hex}"))
}

/// Names where a key's value came from: `KWARTIER_LISTEN`, `--listen`, `listen in FILE`.
fn origin(figment: &Figment, key: &str) -> String {
    origin_of(figment.find_metadata(key), key)
}

fn origin_of(metadata: Option<&Metadata>, key: &str) -> String {
    match metadata {
        Some(Metadata {
            source: Some(Source::File(path)),
            ..
        }) => format!("{key} in {}", path.display()),
        Some(metadata)
            if [ENV_LAYER, ENV_FILE_LAYER, FLAG_LAYER].contains(&metadata.name.as_ref()) =>
        {
            metadata.interpolate(&Profile::Default, &[key])
        }
        _ => key.to_owned(),
    }
}

fn describe_figment_error(figment: &Figment, error: figment::Error) -> String {
    let Some(error) = error.into_iter().next() else {
        return "invalid configuration".to_owned();
    };
    match error.path.first() {
        Some(key) => {
            let metadata = error
                .metadata
                .as_ref()
                .or_else(|| figment.find_metadata(key));
            format!("{}: {}", origin_of(metadata, key), error.kind)
        }
        // TOML syntax errors carry no path; figment's text names the file, but over several
        // lines with a source excerpt. Keep the lines that say something.
        None => error
            .to_string()
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('|') && !line.contains(" |"))
            .collect::<Vec<_>>()
            .join(": "),
    }
}

const ENV_LAYER: &str = "environment variable";
const ENV_FILE_LAYER: &str = "environment file";
const FLAG_LAYER: &str = "command-line flag";

fn env_name(key: &str) -> String {
    format!("{ENV_PREFIX}{}", key.to_ascii_uppercase())
}

/// How a layer names a key in messages: `KWARTIER_LISTEN`, `--listen`.
type Namer = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// One layer of string values (environment, env file or flags), with the names its keys go by.
struct Layer {
    name: &'static str,
    interpolate: Namer,
    values: Dict,
}

impl Layer {
    /// `KWARTIER_*` variables for known keys. Unknown ones give a warning; `KWARTIER_CONFIG`
    /// and `KWARTIER_TEST_*` (test settings) are not configuration keys.
    fn from_env(env: &[(String, String)]) -> (Layer, Vec<String>) {
        let mut values = Dict::new();
        let mut warnings = Vec::new();
        for (name, value) in env {
            let Some(key) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let key = key.to_ascii_lowercase();
            if KEYS.contains(&key.as_str()) {
                values.insert(key, Value::from(value.clone()));
            } else if key != "config" && !key.starts_with("test_") {
                warnings.push(format!("unknown setting {name} is ignored"));
            }
        }
        let layer = Layer {
            name: ENV_LAYER,
            interpolate: Arc::new(env_name),
            values,
        };
        (layer, warnings)
    }

    /// The `KWARTIER_*` lines of an env file (comments, blank lines, `export` and quotes as
    /// dotenv reads them), and the same pairs for finding `KWARTIER_CONFIG`. Anything else in
    /// the file is an error that names it: a typo must not silently fall back to a default.
    fn from_env_file(path: &Path) -> Result<(Layer, Vec<(String, String)>)> {
        let shown = path.display().to_string();
        let unreadable = |e: dotenvy::Error| match e {
            dotenvy::Error::LineParse(line, _) => {
                Error::Config(format!("--env-file {shown}: cannot read the line {line:?}"))
            }
            dotenvy::Error::Io(e) => Error::Config(format!("--env-file {shown}: {e}")),
            other => Error::Config(format!("--env-file {shown}: {other}")),
        };
        let mut values = Dict::new();
        let mut pairs = Vec::new();
        for pair in dotenvy::from_path_iter(path).map_err(unreadable)? {
            let (name, value) = pair.map_err(unreadable)?;
            let key = name
                .strip_prefix(ENV_PREFIX)
                .map(str::to_ascii_lowercase)
                .filter(|key| KEYS.contains(&key.as_str()) || key == "config");
            let Some(key) = key else {
                return Err(Error::Config(format!(
                    "{name} in {shown} is not a Kwartier setting; the settings are listed in \
                     the README (set other variables in the service's environment)"
                )));
            };
            if key != "config" {
                values.insert(key, Value::from(value.clone()));
            }
            pairs.push((name, value));
        }
        let layer = Layer {
            name: ENV_FILE_LAYER,
            interpolate: Arc::new(move |key| format!("{} in {shown}", env_name(key))),
            values,
        };
        Ok((layer, pairs))
    }

    fn from_flags(overrides: &Overrides) -> Result<Layer> {
        let values = Serialized::globals(overrides)
            .data()
            .map_err(|e| Error::internal("reading command-line flags", e))?
            .remove(&Profile::Global)
            .unwrap_or_default();
        Ok(Layer {
            name: FLAG_LAYER,
            interpolate: Arc::new(|key| format!("--{}", key.replace('_', "-"))),
            values,
        })
    }
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        let interpolate = Arc::clone(&self.interpolate);
        Metadata::named(self.name)
            .interpolater(move |_: &Profile, keys: &[&str]| interpolate(&keys.join("_")))
    }

    fn data(&self) -> std::result::Result<Map<Profile, Dict>, figment::Error> {
        Ok(Map::from([(Profile::Default, self.values.clone())]))
    }
}

#[cfg(test)]
mod tests;
