//! `kwartier admin backup` and `kwartier admin restore` as an operator runs them: a backup taken
//! while `kwartier serve` runs and takes writes, restored into a fresh database and data
//! directory, and a node started on it that serves the same actors, story and image; and the
//! refusals, each of which writes nothing.

use std::path::{Path, PathBuf};

use kwartier::db::{DatabaseUrl, Db};
use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, fetch_activity_json};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::cli::{Kwartier, Server};
use crate::media::png;

test_both_backends!(
    a_backup_made_while_serving_restores_the_same_node,
    a_backup_goes_only_into_an_empty_directory,
    a_restore_goes_only_into_an_empty_database_and_data_directory,
    a_damaged_or_foreign_backup_is_refused_and_nothing_is_written,
);

const DOMAIN: &str = "kwartier.oss.example";

/// `kwartier` for the node `kwartier.oss.example` on `db`, its data directory `./data`.
fn node_on(db: &TestDb) -> Kwartier {
    Kwartier::on(db).with("KWARTIER_DOMAIN", DOMAIN)
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// An id of the node (`https://kwartier.oss.example/…`) as a URL of the running process.
fn local(server: &Server, id: &Value) -> String {
    let id = id.as_str().expect("an id");
    let path = id
        .strip_prefix(&format!("https://{DOMAIN}"))
        .unwrap_or_else(|| panic!("{id} is not of {DOMAIN}"));
    server.url(path)
}

async fn bytes(url: &str) -> Vec<u8> {
    let response = reqwest::get(url).await.expect("GET");
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    response.bytes().await.expect("body").to_vec()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn manifest(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("JSON")
}

fn database_file(db: &TestDb) -> &'static str {
    match db.url {
        DatabaseUrl::Sqlite(_) => "kwartier.db",
        DatabaseUrl::Postgres(_) => "kwartier.pgdump",
    }
}

/// The target of a refused restore is as it was: no database (or one without tables), no
/// media.
async fn assert_untouched(db: &TestDb, node: &Kwartier) {
    match &db.url {
        DatabaseUrl::Sqlite(path) => assert!(!path.exists(), "{} was made", path.display()),
        DatabaseUrl::Postgres(_) => {
            let pool = Db::connect(&db.url, 1).await.expect("connect");
            assert_eq!(pool.table_count().await.expect("tables"), 0);
        }
    }
    let media = node.dir.path().join("data/media");
    assert!(!media.exists(), "{} was made", media.display());
}

async fn a_backup_made_while_serving_restores_the_same_node(db: TestDb) {
    let source = node_on(&db);
    source.ok(&["admin", "create-user", "anna", "--admin"]);
    let token = source
        .ok(&["admin", "create-token", "anna"])
        .trim()
        .to_owned();
    let server = source.serve();
    let anna = Api::new(&server.base, &token);
    let initiative = anna.create_initiative("moestuin", "Buurtmoestuin").await;
    let (status, upload) = anna.upload(png(64, 48), "image/png").await;
    assert_eq!(status, StatusCode::CREATED, "{upload}");
    let story = anna
        .publish(
            "moestuin",
            json!({
                "title": "De eerste oogst",
                "content": "Veertig kilo aardappels.",
                "cover": {"media_id": upload["id"], "alt": "Een kruiwagen vol aardappels"},
            }),
        )
        .await;
    let image_url = local(&server, &upload["url"]);
    let image = bytes(&image_url).await;
    let person = fetch_activity_json(&server.url("/u/anna")).await;
    let group = fetch_activity_json(&local(&server, &initiative["id"])).await;
    let article = fetch_activity_json(&local(&server, &story["id"])).await;
    assert!(
        person["publicKey"]["publicKeyPem"]
            .as_str()
            .is_some_and(|pem| pem.starts_with("-----BEGIN PUBLIC KEY-----")),
        "{person}"
    );

    // The node goes on taking writes while the backup runs.
    let writer = {
        let api = Api::new(&server.base, &token);
        tokio::spawn(async move {
            for i in 0..10 {
                api.create_initiative(&format!("buurt{i}"), &format!("Buurt {i}"))
                    .await;
            }
        })
    };
    let backups = tempfile::tempdir().unwrap();
    let dir = backups.path().join("kwartier-2026-12-07");
    let output = source.run(&["admin", "backup", arg(&dir)]);
    writer.await.expect("the writes went on");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with(&format!("backup of {DOMAIN} written to {}", dir.display())),
        "{stdout}"
    );
    assert!(stderr.contains("media: 1/1 files"), "{stderr}");
    let (status, me) = anna.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "the node serves on: {me}");

    let manifest = manifest(&dir);
    assert_eq!(manifest["format"], 1);
    assert_eq!(manifest["kwartier_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["domain"], DOMAIN);
    assert_eq!(manifest["backend"], db.url.backend_name());
    let newest = kwartier::testing::migration_names().pop().unwrap();
    assert_eq!(manifest["schema_version"], newest.as_str());
    let files = manifest["files"].as_array().expect("files");
    let image_name = image_url.rsplit('/').next().unwrap();
    let listed = |path: &str| files.iter().find(|f| f["path"] == path).cloned();
    let entry = listed(&format!("media/{image_name}")).expect("the image is listed");
    assert_eq!(entry["sha256"], sha256(&image).as_str());
    assert_eq!(entry["size"], image.len());
    assert_eq!(
        std::fs::read(dir.join("media").join(image_name)).unwrap(),
        image
    );
    let entry = listed(database_file(&db)).expect("the database is listed");
    let dumped = std::fs::read(dir.join(database_file(&db))).unwrap();
    assert_eq!(entry["sha256"], sha256(&dumped).as_str());
    server.stop();

    // A fresh database and data directory, the same domain.
    let fresh = db.empty_like().await;
    let restored = node_on(&fresh);
    let out = restored.ok(&["admin", "restore", arg(&dir)]);
    assert!(
        out.starts_with(&format!("restored the backup of {DOMAIN} made ")),
        "{out}"
    );
    assert!(out.contains("the schema is up to date"), "{out}");
    let server = restored.serve();
    assert_eq!(fetch_activity_json(&server.url("/u/anna")).await, person);
    assert_eq!(
        fetch_activity_json(&local(&server, &initiative["id"])).await,
        group
    );
    assert_eq!(
        fetch_activity_json(&local(&server, &story["id"])).await,
        article
    );
    assert_eq!(bytes(&local(&server, &upload["url"])).await, image);
    let (status, me) = Api::new(&server.base, &token).get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "the token works: {me}");
    assert_eq!(me["username"], "anna");
    server.stop();
}

async fn a_backup_goes_only_into_an_empty_directory(db: TestDb) {
    let source = node_on(&db);
    source.ok(&["admin", "create-user", "anna"]);
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notities.txt");
    std::fs::write(&notes, "mijn notities").unwrap();
    for target in [dir.path(), notes.as_path()] {
        let line = source.fails(&["admin", "backup", arg(target)]);
        assert!(
            line.contains("is not empty") && line.contains("nothing was written"),
            "{line}"
        );
    }
    let left: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(left, vec![notes.clone()]);
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "mijn notities");

    // An empty directory that exists is fine.
    let empty = tempfile::tempdir().unwrap();
    source.ok(&["admin", "backup", arg(empty.path())]);
    assert_eq!(manifest(empty.path())["domain"], DOMAIN);

    if let DatabaseUrl::Postgres(_) = db.url {
        // Without pg_dump the error names the package, and the new directory is gone again.
        let no_tools = tempfile::tempdir().unwrap();
        let without = node_on(&db).with("PATH", arg(no_tools.path()));
        let target = dir.path().join("nieuw");
        let line = without.fails(&["admin", "backup", arg(&target)]);
        assert!(line.contains("postgresql-client"), "{line}");
        assert!(!target.exists(), "a failed backup leaves nothing");
    }
}

async fn a_restore_goes_only_into_an_empty_database_and_data_directory(db: TestDb) {
    let source = node_on(&db);
    source.ok(&["admin", "create-user", "anna"]);
    let backups = tempfile::tempdir().unwrap();
    let dir = backups.path().join("backup");
    source.ok(&["admin", "backup", arg(&dir)]);
    source.ok(&["admin", "create-user", "bert"]);

    // Over the node's own data: refused, and the data is as it was.
    let line = source.fails(&["admin", "restore", arg(&dir)]);
    assert!(
        line.contains("is not empty") && line.contains("nothing was written"),
        "{line}"
    );
    let accounts = source.ok(&["admin", "accounts", "list"]);
    assert!(
        accounts.contains("anna") && accounts.contains("bert"),
        "{accounts}"
    );

    // An empty database, but media in the data directory already.
    let fresh = db.empty_like().await;
    let target = node_on(&fresh);
    let media = target.dir.path().join("data/media");
    std::fs::create_dir_all(&media).unwrap();
    std::fs::write(media.join("ander.png"), b"iets").unwrap();
    let line = target.fails(&["admin", "restore", arg(&dir)]);
    assert!(line.contains("data/media is not empty"), "{line}");
    std::fs::remove_dir_all(&media).unwrap();
    assert_untouched(&fresh, &target).await;

    // Once it is empty, the restore goes through.
    target.ok(&["admin", "restore", arg(&dir)]);
    let accounts = target.ok(&["admin", "accounts", "list"]);
    assert!(
        accounts.contains("anna") && !accounts.contains("bert"),
        "{accounts}"
    );
}

async fn a_damaged_or_foreign_backup_is_refused_and_nothing_is_written(db: TestDb) {
    let source = node_on(&db);
    source.ok(&["admin", "create-user", "anna"]);
    let backups = tempfile::tempdir().unwrap();
    let dir = backups.path().join("backup");
    source.ok(&["admin", "backup", arg(&dir)]);
    let manifest_path = dir.join("manifest.json");
    let original = std::fs::read_to_string(&manifest_path).unwrap();

    let fresh = db.empty_like().await;
    let target = node_on(&fresh);
    let refused = |line: String, says: &str| {
        assert!(line.contains(says), "{says:?} in {line}");
        assert!(line.contains("nothing was written"), "{line}");
    };

    // One byte changed in the database file.
    let file = dir.join(database_file(&db));
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap();
    refused(
        target.fails(&["admin", "restore", arg(&dir)]),
        "does not match the manifest",
    );
    bytes[last] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap();

    // Another node's backup.
    let other = Kwartier::on(&fresh).with("KWARTIER_DOMAIN", "kwartier.raalte.example");
    refused(
        other.fails(&["admin", "restore", arg(&dir)]),
        "configured as kwartier.raalte.example",
    );

    // A backup of the other backend, and one of a newer kwartier.
    let mut manifest: Value = serde_json::from_str(&original).unwrap();
    let other_backend = match db.url {
        DatabaseUrl::Sqlite(_) => "postgresql",
        DatabaseUrl::Postgres(_) => "sqlite",
    };
    manifest["backend"] = json!(other_backend);
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    refused(
        target.fails(&["admin", "restore", arg(&dir)]),
        "kwartier admin migrate-to",
    );
    let mut manifest: Value = serde_json::from_str(&original).unwrap();
    manifest["schema_version"] = json!("2099-12-31-000001_from_the_future");
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    refused(
        target.fails(&["admin", "restore", arg(&dir)]),
        "made by a newer version",
    );

    // A manifest that points outside the backup.
    let mut manifest: Value = serde_json::from_str(&original).unwrap();
    manifest["files"][0]["path"] = json!("../../etc/passwd");
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    let line = target.fails(&["admin", "restore", arg(&dir)]);
    assert!(line.contains("not inside the backup"), "{line}");

    // No manifest at all: an unfinished backup.
    std::fs::remove_file(&manifest_path).unwrap();
    let line = target.fails(&["admin", "restore", arg(&dir)]);
    assert!(line.contains("not a kwartier backup"), "{line}");
    assert_untouched(&fresh, &target).await;

    // Put right, the same backup restores.
    std::fs::write(&manifest_path, &original).unwrap();
    target.ok(&["admin", "restore", arg(&dir)]);
    assert!(target.ok(&["admin", "accounts", "list"]).contains("anna"));
}
