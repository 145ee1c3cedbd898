//! Reports between nodes: bert on Heeten reports a story from Oss and agrees to forward it, so
//! Oss's queue gets a `Flag` from Heeten's node actor (not naming bert); anna on Oss reports
//! bert's comment with forward, so Heeten's queue gets one; a report without forward stays
//! on its own node.

use std::time::Duration;

use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode, ThreeNodes, eventually};
use reqwest::StatusCode;
use serde_json::{Value, json};

test_both_backends!(reports_reach_the_origin_server_when_forwarded);

const DEADLINE: Duration = Duration::from_secs(20);

/// The report in `node`'s queue whose reason is `reason`, once it is there.
async fn in_queue(admin: &Api, reason: &str) -> Option<Value> {
    let (_, queue) = admin.get("/api/v1/admin/reports?all=true").await;
    queue
        .as_array()?
        .iter()
        .find(|r| r["reason"] == reason)
        .cloned()
}

async fn reports_reach_the_origin_server_when_forwarded(db: TestDb) {
    let ThreeNodes {
        oss,
        heeten,
        anna,
        bert,
        heeten_db: _heeten_db,
        deventer_db: _deventer_db,
        ..
    } = ThreeNodes::start(&db).await;
    let oss_admin = oss.admin_with_token("beheer").await;
    let heeten_admin = heeten.admin_with_token("beheer").await;
    anna.create_initiative("moestuin", "Moestuin De Kolk").await;
    let (status, body) = bert
        .post("/api/v1/follows", json!({"target": oss.handle("moestuin")}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let initiative = oss.url("/i/moestuin");
    eventually("the follow is accepted", DEADLINE, || async {
        (heeten.follow_state("bert", &initiative).await.as_deref() == Some("accepted"))
            .then_some(())
    })
    .await;
    let story = anna
        .publish(
            "moestuin",
            json!({"title": "Oogstfeest", "content": "Zaterdag oogsten we samen."}),
        )
        .await;
    let story_id = story["id"].as_str().unwrap().to_owned();
    let at_heeten = eventually("the story reaches Heeten", DEADLINE, || async {
        let (_, timeline) = bert.get("/api/v1/timeline").await;
        timeline
            .as_array()?
            .iter()
            .find(|s| s["title"] == "Oogstfeest")
            .cloned()
    })
    .await;
    assert_eq!(at_heeten["id"], story_id.as_str());

    // bert reports the story on Heeten and forwards it: Oss gets a Flag from Heeten.
    let (status, report) = bert
        .post(
            "/api/v1/reports",
            json!({"object": story_id, "reason": "Dit is reclame", "forward": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert_eq!(report["forwarded"], true, "{report}");
    let at_oss = eventually("the Flag reaches Oss", DEADLINE, || {
        in_queue(&oss_admin, "Dit is reclame")
    })
    .await;
    assert_eq!(at_oss["target_kind"], "story", "{at_oss}");
    assert_eq!(at_oss["target_url"], story_id.as_str());
    assert_eq!(at_oss["target_local"], true);
    assert_eq!(at_oss["origin"], heeten.state.config.domain.as_str());
    let reporter = at_oss["reporter"].as_str().unwrap_or_default();
    assert!(
        !reporter.contains("bert"),
        "the reporter stays unnamed: {at_oss}"
    );
    assert_eq!(at_oss["status"], "open");
    // Heeten keeps its own copy of bert's report.
    let own = in_queue(&heeten_admin, "Dit is reclame")
        .await
        .expect("in Heeten's queue");
    assert_eq!(own["reporter"], "@bert");

    // bert comments; anna on Oss reports the comment, once without and once with forward.
    let heeten_story = at_heeten["api_url"].as_str().unwrap();
    let (status, comment) = bert
        .post(
            &format!("{heeten_story}/comments"),
            json!({"content": "Koop mijn **spam**!"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    let comment_id = comment["id"].as_str().unwrap().to_owned();
    let story_api = story["api_url"].as_str().unwrap().to_owned();
    eventually("bert's comment reaches Oss", DEADLINE, || async {
        let (_, thread) = anna.get(&format!("{story_api}/comments")).await;
        (thread.as_array()?.first()?["id"] == comment_id.as_str()).then_some(())
    })
    .await;
    let dirk = oss.user_with_token("dirk").await;
    let (status, quiet) = dirk
        .post(
            "/api/v1/reports",
            json!({"object": comment_id, "reason": "Alleen voor Oss", "forward": false}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{quiet}");
    assert_eq!(quiet["forwarded"], false);
    let (status, loud) = anna
        .post(
            "/api/v1/reports",
            json!({"object": comment_id, "reason": "Spam onder ons verhaal", "forward": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{loud}");
    assert_eq!(loud["forwarded"], true);
    let at_heeten = eventually("the Flag reaches Heeten", DEADLINE, || {
        in_queue(&heeten_admin, "Spam onder ons verhaal")
    })
    .await;
    assert_eq!(at_heeten["target_kind"], "comment", "{at_heeten}");
    assert_eq!(at_heeten["target_url"], comment_id.as_str());
    assert_eq!(at_heeten["target_author"], bert_handle(&heeten));
    assert_eq!(at_heeten["origin"], oss.state.config.domain.as_str());
    // The report without forward never left Oss.
    assert!(
        in_queue(&heeten_admin, "Alleen voor Oss").await.is_none(),
        "a report without forward is not sent"
    );
    let (_, oss_queue) = oss_admin.get("/api/v1/admin/reports").await;
    let quiet_here = oss_queue
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reason"] == "Alleen voor Oss")
        .cloned()
        .expect("in Oss's own queue");
    assert_eq!(quiet_here["forwarded"], false);

    // Heeten's moderator acts on it: the comment is removed there, and Oss hears of it.
    let heeten_report = at_heeten["id"].as_i64().unwrap();
    let (status, body) = heeten_admin
        .post(
            &format!("/api/v1/admin/reports/{heeten_report}/resolve"),
            json!({"action": "remove", "note": "Spam, bevestigd door Oss"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    eventually("the removal reaches Oss", DEADLINE, || async {
        let (_, thread) = anna.get(&format!("{story_api}/comments")).await;
        (thread.as_array()?.first()?["deleted"] == true).then_some(())
    })
    .await;

    // On Oss: suspending bert (a remote account) refuses his activities from now on; others
    // from Heeten still arrive until the moderator suspends the whole domain.
    let quiet_id = quiet_here["id"].as_i64().unwrap();
    let (status, body) = oss_admin
        .post(
            &format!("/api/v1/admin/reports/{quiet_id}/resolve"),
            json!({"action": "suspend-account", "note": "Alleen spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let like = |who: &str| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": heeten.url(&format!("/activities/like-{who}-{}", rand::random::<u32>())),
            "type": "Like",
            "actor": heeten.url(&format!("/u/{who}")),
            "object": story_id,
        })
        .to_string()
    };
    let inbox = oss.url("/inbox");
    let refused = heeten
        .deliver_as("bert", &inbox, like("bert").as_bytes())
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let taken = heeten
        .deliver_as("beheer", &inbox, like("beheer").as_bytes())
        .await;
    assert_eq!(taken.status(), StatusCode::ACCEPTED);
    let loud_here = in_queue(&oss_admin, "Spam onder ons verhaal")
        .await
        .expect("anna's report in Oss's queue");
    let (status, body) = oss_admin
        .post(
            &format!("/api/v1/admin/reports/{}/resolve", loud_here["id"]),
            json!({"action": "suspend-domain", "note": "Heeten laat spam toe"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let refused = heeten
        .deliver_as("beheer", &inbox, like("beheer").as_bytes())
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let (_, policy) = oss_admin.get("/api/v1/admin/federation").await;
    assert_eq!(
        policy["rules"][0]["domain"],
        heeten.state.config.domain.as_str(),
        "{policy}"
    );
    assert_eq!(policy["rules"][0]["severity"], "suspend");
    let (_, audit) = oss_admin.get("/api/v1/admin/audit").await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions[..2], ["report.resolve", "domain.block"], "{audit}");
}

fn bert_handle(heeten: &TestNode) -> String {
    format!("bert@{}", heeten.state.config.domain)
}
