//! AVG/GDPR over HTTP: the data export (a ZIP with the JSON and the uploads, by API and web),
//! deleting one's own account (only with the right password; the name stays taken), an
//! admin deleting an account (a reason required, audited; never the last admin), and the
//! node's choice between anonymising and removing a deleted account's content.

use std::io::{Cursor, Read};

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use kwartier::db::node_settings::{self, DeletedContent};
use kwartier::service::account::{self, NewAccount};
use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::web::{Browser, user};

test_both_backends!(
    the_export_holds_the_json_and_the_media,
    deleting_ones_own_account_needs_the_password_and_keeps_the_name,
    admins_delete_accounts_with_a_reason,
    content_is_anonymised_or_removed_as_the_node_says,
    accounts_are_deleted_from_the_command_line,
);

fn png() -> Vec<u8> {
    let picture = RgbImage::from_fn(60, 40, |x, y| Rgb([x as u8, y as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(picture)
        .write_to(&mut out, ImageFormat::Png)
        .expect("a PNG");
    out.into_inner()
}

async fn token_for(node: &TestNode, name: &str) -> Api {
    let mut conn = node.state.db.conn().await.expect("connection");
    let token = kwartier::service::token::create(&mut conn, name, "test")
        .await
        .expect("token");
    Api::for_token(node, &token)
}

/// Anna with an initiative, a story with a cover and a comment on it; returns her API, her
/// password and the story as the API gave it.
async fn anna_with_content(node: &TestNode) -> (Api, String, Value) {
    let password = user(node, "anna").await;
    let anna = token_for(node, "anna").await;
    anna.create_initiative("moestuin", "Moestuin De Kolk").await;
    let (status, cover) = anna.upload(png(), "image/png").await;
    assert_eq!(status, StatusCode::CREATED, "{cover}");
    let story = anna
        .publish(
            "moestuin",
            json!({
                "title": "Zaaidag", "content": "We zaaien bonen.", "visibility": "public",
                "cover": {"media_id": cover["id"], "alt": "Een rij bonen"},
            }),
        )
        .await;
    let (status, remark) = anna
        .post(
            &format!("{}/comments", story["api_url"].as_str().unwrap()),
            json!({"content": "Neem een schep mee."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{remark}");
    (anna, password, story)
}

async fn the_export_holds_the_json_and_the_media(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let (anna, password, story) = anna_with_content(&node).await;
    let image = reqwest::get(story["cover"]["url"].as_str().unwrap())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();

    // Without a token: 401. With one: a ZIP.
    let client = reqwest::Client::new();
    let refused = client
        .get(node.url("/api/v1/me/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let response = client
        .get(node.url("/api/v1/me/export"))
        .bearer_auth(&anna.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("kwartier-anna-"),
    );
    let bytes = response.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("a ZIP");
    let mut json_text = String::new();
    zip.by_name("kwartier-export.json")
        .expect("the JSON")
        .read_to_string(&mut json_text)
        .unwrap();
    let data: Value = serde_json::from_str(&json_text).expect("JSON");
    assert_eq!(data["format"], "kwartier-export/1");
    assert_eq!(data["account"]["username"], "anna");
    assert_eq!(data["stories"][0]["title"], "Zaaidag");
    assert_eq!(data["stories"][0]["id"], story["id"]);
    assert_eq!(
        data["comments"][0]["source_markdown"],
        "Neem een schep mee."
    );
    assert_eq!(data["comments"][0]["story"], story["id"]);
    assert_eq!(data["initiatives"][0]["role"], "owner");
    assert_eq!(data["api_tokens"][0]["label"], "test");
    let files: Vec<String> = data["media"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["file"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let mut found_image = false;
    for file in &files {
        let mut contents = Vec::new();
        zip.by_name(file)
            .unwrap_or_else(|_| panic!("{file} is in the ZIP"))
            .read_to_end(&mut contents)
            .unwrap();
        found_image |= contents == image.as_ref();
    }
    assert!(found_image, "the upload's bytes are in the ZIP");
    assert!(!json_text.contains("password_hash") && !json_text.contains("$argon2"));

    // In the browser: the dashboard links to the page, whose button downloads the ZIP.
    let mut browser = Browser::new(&node.url(""), "nl");
    browser.log_in("anna", &password).await;
    let dashboard = browser.get("/dashboard").await;
    assert!(dashboard.html.contains("href=\"/account/export\""));
    assert!(dashboard.html.contains("href=\"/account/delete\""));
    let page = browser.get("/account/export").await;
    assert_eq!(page.status, StatusCode::OK);
    let download = browser.post("/account/export", &[]).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.headers["content-type"], "application/zip");
    // Signed out, the page sends people to log in.
    let mut stranger = Browser::new(&node.url(""), "nl");
    assert!(
        stranger
            .get("/account/export")
            .await
            .status
            .is_redirection()
    );
}

async fn deleting_ones_own_account_needs_the_password_and_keeps_the_name(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    node.create_user("beheer", true).await;
    let (anna, password, story) = anna_with_content(&node).await;
    let mut browser = Browser::new(&node.url(""), "en");
    browser.log_in("anna", &password).await;
    let page = browser.get("/account/delete").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("cannot be undone"), "{}", page.html);

    // The wrong password changes nothing.
    let refused = browser
        .post(
            "/account/delete",
            &[("current_password", "not my password")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .field_error("current_password")
            .contains("not your password")
    );
    assert_eq!(anna.get("/api/v1/me").await.0, StatusCode::OK);
    let (status, _) = anna
        .call(
            reqwest::Method::DELETE,
            "/api/v1/me",
            Some(json!({"password": "still wrong"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The right one deletes the account and signs out.
    let done = browser
        .post("/account/delete", &[("current_password", &password)])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    assert!(
        done.text("[role=status]").contains("deleted"),
        "{}",
        done.html
    );
    assert!(browser.get("/dashboard").await.status.is_redirection());
    assert_eq!(anna.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let mut login = Browser::new(&node.url(""), "en");
    login.get("/login").await;
    let page = login
        .post("/login", &[("username", "anna"), ("password", &password)])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Her actor is a tombstone; her name cannot be taken again.
    let gone = reqwest::Client::new()
        .get(node.url("/u/anna"))
        .header("accept", "application/activity+json")
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::GONE);
    let body: Value = gone.json().await.unwrap();
    assert_eq!(body["type"], "Tombstone");
    {
        let mut conn = node.state.db.conn().await.unwrap();
        node_settings::set_registration(&mut conn, node_settings::RegistrationMode::Open, None)
            .await
            .unwrap();
    }
    let mut signup = Browser::new(&node.url(""), "en");
    signup.get("/signup").await;
    let page = signup
        .post(
            "/signup",
            &[
                ("username", "anna"),
                ("password", "een lang wachtwoord"),
                ("password_again", "een lang wachtwoord"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.html
    );
    let mut conn = node.state.db.conn().await.unwrap();
    let again = account::create(
        &node.state,
        &mut conn,
        NewAccount {
            username: "anna".into(),
            password: None,
            admin: false,
            approved: true,
            signup_answer: None,
        },
    )
    .await;
    assert!(again.is_err());
    // By default her story stays, without her name.
    let page = reqwest::get(story["id"].as_str().unwrap()).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("verwijderd account"), "{html}");
}

async fn admins_delete_accounts_with_a_reason(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let admin_password = node
        .create_user("beheer", true)
        .await
        .generated_password
        .unwrap();
    user(&node, "bert").await;
    let bert = token_for(&node, "bert").await;
    let mut admin = Browser::new(&node.url(""), "nl");
    admin.log_in("beheer", &admin_password).await;
    let page = admin.get("/admin/accounts").await;
    assert!(page.html.contains("/admin/accounts/bert/delete"));

    // A reason is required.
    let refused = admin
        .post("/admin/accounts/bert/delete", &[("reason", " ")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bert.get("/api/v1/me").await.0, StatusCode::OK);
    // The only admin cannot be deleted, by themselves either.
    let refused = admin
        .post("/admin/accounts/beheer/delete", &[("reason", "opruimen")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = token_for(&node, "beheer")
        .await
        .call(
            reqwest::Method::DELETE,
            "/api/v1/me",
            Some(json!({"password": admin_password})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let page = admin
        .post(
            "/admin/accounts/bert/delete",
            &[("reason", "Op eigen verzoek per e-mail")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text(".notice").contains("@bert"), "{}", page.html);
    assert_eq!(bert.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert!(!admin.get("/admin/accounts").await.html.contains("@bert"));

    let log = admin.get("/admin/audit").await;
    assert!(log.texts("td code").contains(&"account.delete".to_owned()));
    assert!(
        log.html.contains("Op eigen verzoek per e-mail"),
        "{}",
        log.html
    );
}

async fn set_content(node: &TestNode, content: DeletedContent) {
    let mut conn = node.state.db.conn().await.unwrap();
    node_settings::set_account_deletion_content(&mut conn, content)
        .await
        .unwrap();
}

async fn status_of(url: &str, accept: &str) -> StatusCode {
    reqwest::Client::new()
        .get(url)
        .header("accept", accept)
        .send()
        .await
        .unwrap()
        .status()
}

async fn content_is_anonymised_or_removed_as_the_node_says(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    node.create_user("beheer", true).await;
    let (anna, password, story) = anna_with_content(&node).await;
    let story_id = story["id"].as_str().unwrap().to_owned();
    let (_, thread) = anna
        .get(&format!("{}/comments", story["api_url"].as_str().unwrap()))
        .await;
    let comment_id = thread[0]["id"].as_str().unwrap().to_owned();
    let cover_url = story["cover"]["url"]
        .as_str()
        .map(str::to_owned)
        .expect("the story has a cover");

    // Remove: the story and the comment answer 410, the upload is gone.
    set_content(&node, DeletedContent::Remove).await;
    let (status, body) = anna
        .call(
            reqwest::Method::DELETE,
            "/api/v1/me",
            Some(json!({"password": password})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let json = "application/activity+json";
    assert_eq!(status_of(&story_id, json).await, StatusCode::GONE);
    assert_eq!(status_of(&comment_id, json).await, StatusCode::GONE);
    assert_eq!(
        status_of(&cover_url, "image/*").await,
        StatusCode::NOT_FOUND
    );

    // Anonymise: carla's story and comment stay, without her name.
    set_content(&node, DeletedContent::Anonymise).await;
    let carla_password = user(&node, "carla").await;
    let carla = token_for(&node, "carla").await;
    carla.create_initiative("buurthuis", "Buurthuis").await;
    let kept = carla
        .publish(
            "buurthuis",
            json!({"title": "Koffieochtend", "content": "Elke dinsdag.", "visibility": "public"}),
        )
        .await;
    user(&node, "dirk").await;
    let (status, body) = carla
        .post(
            "/api/v1/initiatives/buurthuis/members",
            json!({"username": "dirk", "role": "owner"}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let kept_api = kept["api_url"].as_str().unwrap().to_owned();
    let (status, body) = carla
        .post(
            &format!("{kept_api}/comments"),
            json!({"content": "Koffie staat klaar."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = carla
        .call(
            reqwest::Method::DELETE,
            "/api/v1/me",
            Some(json!({"password": carla_password})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let kept_id = kept["id"].as_str().unwrap();
    assert_eq!(status_of(kept_id, json).await, StatusCode::OK);
    let html = reqwest::get(kept_id).await.unwrap().text().await.unwrap();
    assert!(html.contains("Koffieochtend") && html.contains("verwijderd account"));
    assert!(!html.contains("carla"), "{html}");
    // The API names nobody either, and the initiative has dirk as its contact now.
    let reader = token_for(&node, "dirk").await;
    let (_, story) = reader.get(&kept_api).await;
    assert!(story["author"].is_null(), "{story}");
    let (_, thread) = reader.get(&format!("{kept_api}/comments")).await;
    assert!(
        thread[0]["content"]
            .as_str()
            .is_some_and(|c| c.contains("Koffie staat klaar.")),
        "{thread}"
    );
    assert!(thread[0]["author"].is_null(), "{thread}");
    let (_, initiative) = reader.get("/api/v1/initiatives/buurthuis").await;
    assert_eq!(initiative["contact"]["username"], "dirk", "{initiative}");

    // Both are in the audit log with the setting used.
    let mut conn = node.state.db.conn().await.unwrap();
    let rows = kwartier::db::audit::page(&mut conn, None, 50)
        .await
        .unwrap();
    let deletions: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "account.delete")
        .collect();
    assert_eq!(deletions.len(), 2);
    assert!(deletions.iter().any(|r| r.detail.contains("\"remove\"")));
    assert!(deletions.iter().any(|r| r.detail.contains("\"anonymise\"")));
}

async fn accounts_are_deleted_from_the_command_line(db: TestDb) {
    let kwartier = crate::cli::Kwartier::on(&db);
    kwartier.ok(&["admin", "create-user", "beheer", "--admin"]);
    kwartier.ok(&["admin", "create-user", "anna"]);
    let refused = kwartier.run(&["admin", "settings", "account-deletion", "forget"]);
    assert!(!refused.status.success());
    let done = kwartier.ok(&["admin", "settings", "account-deletion", "remove"]);
    assert!(done.contains("removed"), "{done}");
    let line = kwartier.fails(&["admin", "accounts", "delete", "anna", "--reason", " "]);
    assert!(line.contains("reason"), "{line}");
    let line = kwartier.fails(&["admin", "accounts", "delete", "beheer", "--reason", "weg"]);
    assert!(line.contains("only admin"), "{line}");
    let done = kwartier.ok(&["admin", "accounts", "delete", "anna", "--reason", "Verzoek"]);
    assert!(done.contains("@anna is deleted"), "{done}");
    assert!(
        !kwartier
            .ok(&["admin", "accounts", "list"])
            .lines()
            .any(|l| l.starts_with("anna"))
    );
    let line = kwartier.fails(&["admin", "create-user", "anna"]);
    assert!(line.contains("already exists"), "{line}");
    let audit = kwartier.ok(&["admin", "audit", "list"]);
    for action in ["node.account_deletion_content", "account.delete"] {
        assert!(audit.contains(action), "{action}: {audit}");
    }
}
