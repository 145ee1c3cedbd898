//! Reports over real HTTP: people report through the web form and the API, staff (and only
//! staff) see the queue, every action needs a note, and each resolution is in the audit log
//! and the moderation log.

use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::json;

use crate::web::{Browser, user};

test_both_backends!(people_report_and_staff_resolve);

async fn people_report_and_staff_resolve(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let admin_password = node
        .create_user("beheer", true)
        .await
        .generated_password
        .expect("password");
    let admin_api = {
        let mut conn = node.state.db.conn().await.expect("connection");
        let token = kwartier::service::token::create(&mut conn, "beheer", "test")
            .await
            .expect("token");
        Api::for_token(&node, &token)
    };
    let bert = node.user_with_token("bert").await;
    bert.create_initiative("moestuin", "Moestuin De Kolk").await;
    let story = bert
        .publish(
            "moestuin",
            json!({"title": "Oogstfeest", "summary": "Kom allemaal", "content": "Iedereen is welkom."}),
        )
        .await;
    let story_url = story["id"].as_str().expect("story id").to_owned();
    let story_path = story_url
        .split_once("/stories/")
        .map(|(_, id)| format!("/stories/{id}"))
        .expect("a story path");

    // anna reports the story through the web form; a report needs a reason.
    let anna_password = user(&node, "anna").await;
    let mut anna = Browser::new(&node.url(""), "nl");
    anna.log_in("anna", &anna_password).await;
    let page = anna.get(&story_path).await;
    assert!(page.html.contains("/report?object=story:"), "{}", page.html);
    let form = anna.get(&format!("/report?object={story_url}")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    assert!(form.html.contains("Oogstfeest"), "{}", form.html);
    let refused = anna
        .post("/report", &[("object", &story_url), ("reason", "  ")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text("[role=alert]").contains("mis is"),
        "{}",
        refused.html
    );
    let sent = anna
        .post(
            "/report",
            &[("object", &story_url), ("reason", "Dit is reclame")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.html);
    assert!(
        sent.text(".notice").contains("Dank je wel"),
        "{}",
        sent.html
    );

    // carla reports bert himself through the API.
    let carla = node.user_with_token("carla").await;
    let (status, body) = carla
        .post("/api/v1/reports", json!({"object": "@bert", "reason": ""}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = carla
        .post(
            "/api/v1/reports",
            json!({"object": "@bert", "reason": "Scheldt mensen uit", "forward": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["kind"], "person");
    assert_eq!(body["forward"], false, "bert is local: nothing to forward");
    let person_report = body["id"].as_i64().expect("report id");
    let (status, body) = carla
        .post(
            "/api/v1/reports",
            json!({"object": "https://nergens.example/x", "reason": "?"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // The queue is for staff only.
    assert_eq!(
        anna.get("/admin/reports").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        anna.get("/admin/moderation-log").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        carla.get("/api/v1/admin/reports").await.0,
        StatusCode::FORBIDDEN
    );
    let (status, queue) = admin_api.get("/api/v1/admin/reports").await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let queue = queue.as_array().expect("a list").clone();
    assert_eq!(queue.len(), 2, "{queue:?}");
    let story_report = queue
        .iter()
        .find(|r| r["target_kind"] == "story")
        .and_then(|r| r["id"].as_i64())
        .expect("the story's report");
    assert_eq!(queue[1]["reporter"], "@anna");

    let mut admin = Browser::new(&node.url(""), "nl");
    admin.log_in("beheer", &admin_password).await;
    let page = admin.get("/admin/reports").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("Dit is reclame"), "{}", page.html);
    assert!(page.html.contains("Scheldt mensen uit"), "{}", page.html);
    let index = admin.get("/admin").await;
    assert!(index.html.contains("/admin/reports"), "{}", index.html);

    // An action without a note is refused and changes nothing.
    let report_page = admin.get(&format!("/admin/reports/{story_report}")).await;
    assert!(
        report_page.html.contains("Iedereen is welkom"),
        "{}",
        report_page.html
    );
    let refused = admin
        .post(
            &format!("/admin/reports/{story_report}/resolve"),
            &[("action", "hide"), ("note", " ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text("[role=alert]").contains("notitie"),
        "{}",
        refused.html
    );
    assert_eq!(
        reqwest::get(node.url(&story_path)).await.unwrap().status(),
        StatusCode::OK
    );
    let (status, body) = admin_api
        .post(
            &format!("/api/v1/admin/reports/{person_report}/resolve"),
            json!({"action": "warn"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("audit log"), "{body}");

    // Hiding the story: it is gone for visitors, still on the report for staff.
    let done = admin
        .post(
            &format!("/admin/reports/{story_report}/resolve"),
            &[("action", "hide"), ("note", "Reclame, geen verhaal")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    assert!(done.text(".notice").contains("Verbergen"), "{}", done.html);
    assert_eq!(
        reqwest::get(node.url(&story_path)).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let again = admin
        .post(
            &format!("/admin/reports/{story_report}/resolve"),
            &[("action", "dismiss"), ("note", "nog eens")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Warning bert over the API: he sees it among his warnings; hide does not fit a person.
    let (status, body) = admin_api
        .post(
            &format!("/api/v1/admin/reports/{person_report}/resolve"),
            json!({"action": "hide", "note": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = admin_api
        .post(
            &format!("/api/v1/admin/reports/{person_report}/resolve"),
            json!({"action": "warn", "note": "Blijf vriendelijk, ook bij onenigheid"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "resolved");
    assert_eq!(body["resolved_by"], "beheer");
    let (_, warnings) = bert.get("/api/v1/warnings").await;
    assert_eq!(
        warnings[0]["note"], "Blijf vriendelijk, ook bij onenigheid",
        "{warnings}"
    );
    let mut bert_browser = Browser::new(&node.url(""), "nl");
    let bert_password = {
        let mut conn = node.state.db.conn().await.expect("connection");
        kwartier::service::account_admin::reset_password(
            &mut conn,
            &kwartier::service::audit::Who::Cli,
            "bert",
        )
        .await
        .expect("a password")
    };
    bert_browser.log_in("bert", &bert_password).await;
    let dashboard = bert_browser.get("/dashboard").await;
    assert!(
        dashboard
            .text("#warnings-heading")
            .contains("Waarschuwingen"),
        "{}",
        dashboard.html
    );
    assert!(
        dashboard.html.contains("Blijf vriendelijk"),
        "{}",
        dashboard.html
    );
    let (_, open) = admin_api.get("/api/v1/admin/reports").await;
    assert_eq!(open.as_array().map(Vec::len), Some(0), "{open}");

    // Both are in the audit log and the moderation log, with who and why.
    let (_, audit) = admin_api.get("/api/v1/admin/audit").await;
    let entries: Vec<&serde_json::Value> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "report.resolve")
        .collect();
    assert_eq!(entries.len(), 2, "{audit}");
    assert_eq!(entries[0]["detail"]["action"], "warn");
    assert_eq!(entries[1]["detail"]["action"], "hide");
    assert_eq!(entries[1]["reason"], "Reclame, geen verhaal");
    assert_eq!(entries[1]["actor"], "beheer");
    let log = admin.get("/admin/moderation-log").await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.html.contains("Reclame, geen verhaal"), "{}", log.html);
    assert!(log.html.contains("Blijf vriendelijk"), "{}", log.html);
}
