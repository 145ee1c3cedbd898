use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn load_err(overrides: &Overrides, vars: &[(&str, &str)]) -> String {
    match Config::load(overrides, env(vars)) {
        Ok(config) => panic!("accepted: {config:?}"),
        Err(Error::Config(message)) => {
            assert!(!message.contains('\n'), "not one line: {message}");
            message
        }
        Err(other) => panic!("wrong error kind: {other:?}"),
    }
}

fn toml_file(contents: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(file.path(), contents).unwrap();
    file
}

#[test]
fn defaults_run_a_local_node_on_sqlite_under_data() {
    let config = Config::load(&Overrides::default(), env(&[])).unwrap();
    assert_eq!(config.domain, "localhost:8080");
    assert_eq!(config.listen, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(
        config.database,
        DatabaseUrl::Sqlite("data/kwartier.db".into())
    );
    assert!(!config.development);
    assert_eq!(config.scheme(), "https");
    assert_eq!(config.log_format, LogFormat::Human);
    assert_eq!(config.node_name, None);
}

#[test]
fn file_then_environment_then_flags() {
    let file = toml_file("domain = \"file.example\"\nnode_name = \"Gemeente Oss\"\n");
    let mut flags = Overrides {
        config_file: Some(file.path().to_owned()),
        ..Overrides::default()
    };
    let vars = [("KWARTIER_DOMAIN", "env.example")];

    let config = Config::load(&flags, env(&[])).unwrap();
    assert_eq!(config.domain, "file.example");
    assert_eq!(config.node_name.as_deref(), Some("Gemeente Oss"));

    let config = Config::load(&flags, env(&vars)).unwrap();
    assert_eq!(config.domain, "env.example");
    assert_eq!(
        config.node_name.as_deref(),
        Some("Gemeente Oss"),
        "other keys keep the file's value"
    );

    flags.domain = Some("flag.example".into());
    let config = Config::load(&flags, env(&vars)).unwrap();
    assert_eq!(config.domain, "flag.example");
}

#[test]
fn config_file_can_be_named_in_the_environment() {
    let file = toml_file("development = true\n");
    let path = file.path().to_str().unwrap();
    let config = Config::load(&Overrides::default(), env(&[("KWARTIER_CONFIG", path)])).unwrap();
    assert!(config.development);
    assert_eq!(config.scheme(), "http");
}

#[test]
fn development_switch_from_environment_and_flag() {
    let config = Config::load(
        &Overrides::default(),
        env(&[("KWARTIER_DEVELOPMENT", "true")]),
    )
    .unwrap();
    assert!(config.development);
    let flags = Overrides {
        development: Some(true),
        ..Overrides::default()
    };
    assert!(Config::load(&flags, env(&[])).unwrap().development);
}

#[test]
fn data_dir_moves_the_default_database() {
    let config = Config::load(
        &Overrides::default(),
        env(&[("KWARTIER_DATA_DIR", "/srv/kw")]),
    )
    .unwrap();
    assert_eq!(
        config.database,
        DatabaseUrl::Sqlite("/srv/kw/kwartier.db".into())
    );
    let config = Config::load(
        &Overrides::default(),
        env(&[
            ("KWARTIER_DATA_DIR", "/srv/kw"),
            ("KWARTIER_DATABASE_URL", "postgres://kw@db/kw"),
        ]),
    )
    .unwrap();
    assert!(matches!(config.database, DatabaseUrl::Postgres(_)));
}

#[test]
fn errors_name_the_key_where_it_was_set() {
    let message = load_err(&Overrides::default(), &[("KWARTIER_LISTEN", "nergens")]);
    assert!(message.starts_with("KWARTIER_LISTEN: "), "{message}");
    assert!(message.contains("nergens"), "{message}");

    let flags = Overrides {
        listen: Some("127.0.0.1".into()),
        ..Overrides::default()
    };
    let message = load_err(&flags, &[]);
    assert!(message.starts_with("--listen: "), "{message}");

    let file = toml_file("listen = \"overal\"\n");
    let flags = Overrides {
        config_file: Some(file.path().to_owned()),
        ..Overrides::default()
    };
    let message = load_err(&flags, &[]);
    assert!(message.starts_with("listen in "), "{message}");
    assert!(message.contains(file.path().to_str().unwrap()), "{message}");
}

#[test]
fn wrong_types_name_the_key() {
    let message = load_err(
        &Overrides::default(),
        &[("KWARTIER_DEVELOPMENT", "misschien")],
    );
    assert!(message.starts_with("KWARTIER_DEVELOPMENT: "), "{message}");
    let message = load_err(&Overrides::default(), &[("KWARTIER_LOG_FORMAT", "xml")]);
    assert!(message.starts_with("KWARTIER_LOG_FORMAT: "), "{message}");
    let message = load_err(
        &Overrides::default(),
        &[("KWARTIER_DATABASE_MAX_CONNECTIONS", "0")],
    );
    assert!(
        message.starts_with("KWARTIER_DATABASE_MAX_CONNECTIONS: "),
        "{message}"
    );
}

#[test]
fn delivery_schedule_is_configurable() {
    assert_eq!(
        Config::load(&Overrides::default(), env(&[]))
            .unwrap()
            .delivery,
        DeliveryConfig::default()
    );
    let config = Config::load(
        &Overrides::default(),
        env(&[
            ("KWARTIER_DELIVERY_RETRY_FIRST", "100ms"),
            ("KWARTIER_DELIVERY_RETRY_MAX", "2s"),
            ("KWARTIER_DELIVERY_GIVE_UP_AFTER", "1m"),
        ]),
    )
    .unwrap();
    assert_eq!(config.delivery.retry_first, Duration::from_millis(100));
    assert_eq!(config.delivery.retry_max, Duration::from_secs(2));
    assert_eq!(config.delivery.give_up_after, Duration::from_secs(60));
    let message = load_err(
        &Overrides::default(),
        &[("KWARTIER_DELIVERY_RETRY_MAX", "soms")],
    );
    assert!(
        message.starts_with("KWARTIER_DELIVERY_RETRY_MAX: "),
        "{message}"
    );
    let message = load_err(
        &Overrides::default(),
        &[
            ("KWARTIER_DELIVERY_RETRY_FIRST", "1h"),
            ("KWARTIER_DELIVERY_RETRY_MAX", "1m"),
        ],
    );
    assert!(
        message.starts_with("KWARTIER_DELIVERY_RETRY_MAX: "),
        "{message}"
    );
}

#[test]
fn domains_are_host_names_with_an_optional_port() {
    let ok = |d: &str| {
        Config::load(&Overrides::default(), env(&[("KWARTIER_DOMAIN", d)])).map(|c| c.domain)
    };
    assert_eq!(ok("Kwartier.Example.NL").unwrap(), "kwartier.example.nl");
    assert_eq!(ok("localhost:3001").unwrap(), "localhost:3001");
    for bad in [
        "",
        "https://kwartier.example.nl",
        "kwartier.example.nl/pad",
        "127.0.0.1:8080",
        "[::1]:80",
        "a b",
    ] {
        let message = load_err(&Overrides::default(), &[("KWARTIER_DOMAIN", bad)]);
        assert!(
            message.starts_with("KWARTIER_DOMAIN: "),
            "{bad:?}: {message}"
        );
    }
}

#[test]
fn unsupported_databases_are_refused() {
    let message = load_err(
        &Overrides::default(),
        &[("KWARTIER_DATABASE_URL", "mysql://root@localhost/kw")],
    );
    assert!(message.starts_with("KWARTIER_DATABASE_URL: "), "{message}");
    assert!(message.contains("mysql"), "{message}");
}

#[test]
fn unknown_keys_in_the_file_are_errors_and_in_the_environment_warnings() {
    let file = toml_file("domian = \"typo.example\"\n");
    let flags = Overrides {
        config_file: Some(file.path().to_owned()),
        ..Overrides::default()
    };
    let message = load_err(&flags, &[]);
    assert!(message.contains("domian"), "{message}");

    let config = Config::load(
        &Overrides::default(),
        env(&[
            ("KWARTIER_DOMIAN", "x"),
            ("KWARTIER_TEST_POSTGRES_URL", "postgres://x@y/z"),
            ("HOME", "/root"),
        ]),
    )
    .unwrap();
    assert_eq!(
        config.warnings,
        vec!["unknown setting KWARTIER_DOMIAN is ignored".to_owned()]
    );
}

#[test]
fn a_named_config_file_must_exist() {
    let flags = Overrides {
        config_file: Some("/nonexistent/kwartier.toml".into()),
        ..Overrides::default()
    };
    let message = load_err(&flags, &[]);
    assert!(message.starts_with("--config: "), "{message}");
    let message = load_err(
        &Overrides::default(),
        &[("KWARTIER_CONFIG", "/nonexistent/k.toml")],
    );
    assert!(message.starts_with("KWARTIER_CONFIG: "), "{message}");
}

#[test]
fn every_key_has_a_default_and_is_documented() {
    let defaults = Serialized::defaults(Raw::default()).data().unwrap();
    let keys: Vec<String> = defaults[&Profile::Default].keys().cloned().collect();
    let readme = include_str!("../../README.md");
    for key in KEYS {
        assert!(
            keys.iter().any(|k| k == key) || ["database_url", "node_name", "logo"].contains(key),
            "{key}"
        );
        let var = format!("`KWARTIER_{}`", key.to_ascii_uppercase());
        assert!(readme.contains(&var), "README does not document {var}");
    }
}

#[test]
fn the_brand_colour_must_be_readable_on_white() {
    let config = Config::load(
        &Overrides::default(),
        env(&[("KWARTIER_BRAND_COLOR", "00529C")]),
    )
    .expect("dark blue is fine");
    assert_eq!(config.brand.color, "#00529c");
    let message = load_err(
        &Overrides::default(),
        &[("KWARTIER_BRAND_COLOR", "#ffdd00")],
    );
    assert!(message.starts_with("KWARTIER_BRAND_COLOR: "), "{message}");
    assert!(message.contains("4.5:1"), "{message}");
    let message = load_err(&Overrides::default(), &[("KWARTIER_BRAND_COLOR", "blue")]);
    assert!(message.contains("not a colour"), "{message}");
    let message = load_err(
        &Overrides::default(),
        &[("KWARTIER_LOGO", "/nonexistent/logo.svg")],
    );
    assert!(message.starts_with("KWARTIER_LOGO: "), "{message}");
}

#[test]
fn region_settings_are_checked() {
    let config = Config::load(
        &Overrides::default(),
        env(&[
            ("KWARTIER_REGION_NAME", "Gemeente Oss"),
            ("KWARTIER_REGION_CODES", "gm0828, GM0828,WK082801"),
            ("KWARTIER_REGION_CENTRE", "51.765, 5.518"),
            ("KWARTIER_DIRECTORY_SYNC_INTERVAL", "30min"),
            ("KWARTIER_DIRECTORY_SYNC", "false"),
        ]),
    )
    .unwrap();
    let directory = &config.directory;
    assert_eq!(directory.region_name.as_deref(), Some("Gemeente Oss"));
    assert_eq!(directory.region_codes, ["GM0828", "WK082801"]);
    assert_eq!(directory.region_centre, Some((51.765, 5.518)));
    assert_eq!(directory.sync_interval, Duration::from_secs(30 * 60));
    assert!(!directory.sync);
    assert_eq!(directory.max_known_nodes, 2000);
    let defaults = Config::load(&Overrides::default(), env(&[])).unwrap();
    assert_eq!(defaults.directory, DirectoryConfig::default());

    for (var, value, says) in [
        ("KWARTIER_REGION_CODES", "Oss", "CBS region code"),
        ("KWARTIER_REGION_CODES", "GM08x8", "CBS region code"),
        ("KWARTIER_REGION_CENTRE", "51.7", "LATITUDE,LONGITUDE"),
        ("KWARTIER_REGION_CENTRE", "95,5", "latitude 95"),
        ("KWARTIER_REGION_CENTRE", "51,200", "longitude 200"),
        ("KWARTIER_DIRECTORY_SYNC_INTERVAL", "soms", "duration"),
        ("KWARTIER_MAX_KNOWN_NODES", "0", "at least 1"),
    ] {
        let message = load_err(&Overrides::default(), &[(var, value)]);
        assert!(message.starts_with(&format!("{var}: ")), "{message}");
        assert!(message.contains(says), "{message}");
    }
}

#[test]
fn network_search_settings_can_be_turned_off_and_are_checked() {
    let defaults = Config::load(&Overrides::default(), env(&[])).expect("defaults");
    assert_eq!(
        defaults.search.geocoder_url.as_ref().map(|u| u.as_str()),
        Some(super::DEFAULT_GEOCODER_URL)
    );
    assert!(
        defaults
            .search
            .map_tile_url
            .as_deref()
            .unwrap()
            .starts_with("https://service.pdok.nl/")
    );
    assert_eq!(defaults.search.map_attribution, "Kaartgegevens © Kadaster");
    let off = Config::load(
        &Overrides::default(),
        env(&[
            ("KWARTIER_GEOCODER_URL", ""),
            ("KWARTIER_MAP_TILE_URL", " "),
        ]),
    )
    .expect("empty settings");
    assert_eq!(
        (off.search.geocoder_url, off.search.map_tile_url),
        (None, None)
    );
    for (key, value, problem) in [
        ("KWARTIER_GEOCODER_URL", "pdok", "not a URL"),
        (
            "KWARTIER_MAP_TILE_URL",
            "https://tiles.example/{z}/{x}.png",
            "lacks",
        ),
        (
            "KWARTIER_MAP_TILE_URL",
            "http://tiles.example/{z}/{x}/{y}.png",
            "https",
        ),
    ] {
        let message = load_err(&Overrides::default(), &[(key, value)]);
        assert!(message.starts_with(&format!("{key}: ")), "{message}");
        assert!(message.contains(problem), "{message}");
    }
}

fn env_file(contents: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".env").tempfile().unwrap();
    std::fs::write(file.path(), contents).unwrap();
    file
}

fn with_env_file(path: &Path) -> Overrides {
    Overrides {
        env_file: Some(path.to_owned()),
        ..Overrides::default()
    }
}

const ENV_EXAMPLE: &str = include_str!("../../deploy/kwartier.env.example");

/// `KWARTIER_X` when the line sets it, commented out or not.
fn setting_in(line: &str) -> Option<&str> {
    let line = line.strip_prefix('#').unwrap_or(line).trim_start();
    let (name, _) = line.split_once('=')?;
    (name.starts_with(ENV_PREFIX) && !name.contains(' ')).then_some(name)
}

#[test]
fn the_env_example_lists_every_setting_under_a_comment() {
    let lines: Vec<&str> = ENV_EXAMPLE.lines().collect();
    for key in KEYS {
        let name = env_name(key);
        let at = lines
            .iter()
            .position(|line| setting_in(line) == Some(name.as_str()))
            .unwrap_or_else(|| panic!("deploy/kwartier.env.example does not list {name}"));
        let above = lines[..at]
            .iter()
            .rev()
            .find(|line| setting_in(line).is_none())
            .unwrap_or_else(|| panic!("{name} is the first line"));
        assert!(
            above.starts_with("# ") && above.len() > 10,
            "{name} has no comment saying what it is (above it: {above:?})"
        );
    }
    for line in &lines {
        if let Some(name) = setting_in(line) {
            let key = name[ENV_PREFIX.len()..].to_ascii_lowercase();
            assert!(KEYS.contains(&key.as_str()), "{name} is not a setting");
        }
    }
}

#[test]
fn the_env_example_loads_as_shipped_and_with_every_example_value() {
    let shipped = env_file(ENV_EXAMPLE);
    let config = Config::load(&with_env_file(shipped.path()), env(&[])).unwrap();
    assert_eq!(config.domain, "kwartier.example.nl");
    assert_eq!(config.data_dir, PathBuf::from("/var/lib/kwartier"));

    // Each commented-out value is one an operator can switch on as it stands.
    let logo = tempfile::Builder::new().suffix(".svg").tempfile().unwrap();
    let uncommented: String = ENV_EXAMPLE
        .lines()
        .map(|line| match setting_in(line) {
            Some("KWARTIER_LOGO") => format!("KWARTIER_LOGO={}\n", logo.path().display()),
            Some(_) => format!("{}\n", line.trim_start_matches(['#', ' '])),
            None => format!("{line}\n"),
        })
        .collect();
    assert!(uncommented.contains("\nKWARTIER_GEOCODER_URL=https://"));
    let everything = env_file(&uncommented);
    let config = Config::load(&with_env_file(everything.path()), env(&[])).unwrap();
    assert_eq!(config.node_name.as_deref(), Some("Kwartier Oss"));
    assert_eq!(config.brand.color, "#01689b");
    assert_eq!(
        config.database,
        DatabaseUrl::Postgres("postgres://kwartier:secret@localhost/kwartier".into())
    );
    assert_eq!(config.search.map_attribution, "Kaartgegevens © Kadaster");
}

#[test]
fn the_env_file_sits_between_the_toml_file_and_the_environment() {
    let toml = toml_file("domain = \"file.example\"\nnode_name = \"Uit het bestand\"\n");
    let vars = env_file(
        "# comment\nexport KWARTIER_DOMAIN=envfile.example\n\nKWARTIER_LISTEN='127.0.0.1:9000'\n",
    );
    let overrides = Overrides {
        config_file: Some(toml.path().to_owned()),
        env_file: Some(vars.path().to_owned()),
        ..Overrides::default()
    };
    let config = Config::load(&overrides, env(&[])).unwrap();
    assert_eq!(
        config.domain, "envfile.example",
        "the env file beats the TOML file"
    );
    assert_eq!(config.node_name.as_deref(), Some("Uit het bestand"));
    assert_eq!(config.listen, "127.0.0.1:9000".parse().unwrap());
    let config = Config::load(&overrides, env(&[("KWARTIER_DOMAIN", "env.example")])).unwrap();
    assert_eq!(
        config.domain, "env.example",
        "the environment beats the env file"
    );
}

#[test]
fn a_bad_env_file_is_refused_with_the_line_named() {
    let typo = env_file("KWARTIER_LISTN=127.0.0.1:9000\n");
    let message = load_err(&with_env_file(typo.path()), &[]);
    assert!(message.starts_with("KWARTIER_LISTN in "), "{message}");
    assert!(
        message.contains(&typo.path().display().to_string()),
        "{message}"
    );
    assert!(message.contains("not a Kwartier setting"), "{message}");

    let bad = env_file("KWARTIER_LISTEN=overal\n");
    let message = load_err(&with_env_file(bad.path()), &[]);
    let expected = format!("KWARTIER_LISTEN in {}: ", bad.path().display());
    assert!(message.starts_with(&expected), "{message}");

    let message = load_err(&with_env_file(Path::new("/nonexistent/kwartier.env")), &[]);
    assert!(
        message.starts_with("--env-file /nonexistent/kwartier.env: "),
        "{message}"
    );

    let broken = env_file("KWARTIER_DOMAIN='not closed\n");
    let message = load_err(&with_env_file(broken.path()), &[]);
    assert!(message.starts_with("--env-file "), "{message}");
}

#[test]
fn the_metrics_address_is_off_by_default_and_checked() {
    let config = Config::load(&Overrides::default(), env(&[])).unwrap();
    assert_eq!(config.metrics_listen, None);
    let config = Config::load(
        &Overrides::default(),
        env(&[("KWARTIER_METRICS_LISTEN", "127.0.0.1:9464")]),
    )
    .unwrap();
    assert_eq!(
        config.metrics_listen,
        Some("127.0.0.1:9464".parse().unwrap())
    );
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    let file = toml_file("metrics_listen = \"0.0.0.0:9464\"\n");
    let flags = Overrides {
        config_file: Some(file.path().to_owned()),
        ..Overrides::default()
    };
    let config = Config::load(&flags, env(&[])).unwrap();
    assert!(
        config.warnings.iter().any(|w| w.contains("not a loopback")),
        "{:?}",
        config.warnings
    );
    let message = load_err(
        &Overrides::default(),
        &[("KWARTIER_METRICS_LISTEN", "overal")],
    );
    assert!(
        message.starts_with("KWARTIER_METRICS_LISTEN: "),
        "{message}"
    );
    let message = load_err(
        &Overrides::default(),
        &[("KWARTIER_METRICS_LISTEN", "127.0.0.1:8080")],
    );
    assert!(message.contains("choose another port"), "{message}");
}
