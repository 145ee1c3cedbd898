//! The federation policy between real nodes: Oss in allowlist mode keeps a stranger out of its
//! inbox and its ActivityPub JSON while an allowed node federates; a suspended node's activities
//! are refused, follows with it are severed and nothing more is queued for it; lifting the
//! suspension lets a new follow and a new story through.

use std::time::Duration;

use kwartier::service::audit::Who;
use kwartier::service::federation_policy::{Mode, Severity, actions};
use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode, ThreeNodes, eventually};
use reqwest::StatusCode;
use serde_json::{Value, json};

test_both_backends!(
    allowlist_keeps_strangers_out,
    suspension_cuts_both_ways_and_unblocking_resumes
);

const DEADLINE: Duration = Duration::from_secs(20);

/// A GET of ActivityPub JSON, signed as `username` on `from` when given.
async fn get_json(from: Option<(&TestNode, &str)>, url: &str) -> StatusCode {
    let client = reqwest::Client::new();
    let accept = "application/activity+json";
    let mut request = client.get(url).header("Accept", accept);
    if let Some((node, username)) = from {
        let mut conn = node.state.db.conn().await.unwrap();
        let actor = kwartier::db::actor::find_local(&mut conn, username)
            .await
            .unwrap()
            .unwrap();
        let headers = node
            .state
            .crypto
            .sign(
                "GET",
                &url::Url::parse(url).unwrap(),
                None,
                (&reqwest::header::ACCEPT, accept),
                actor.public_key_id.as_deref().unwrap(),
                actor.private_key.as_deref().unwrap(),
            )
            .unwrap();
        request = client.get(url).headers(headers);
    }
    request.send().await.unwrap().status()
}

async fn publish(api: &Api, title: &str) -> Value {
    api.publish(
        "moestuin",
        json!({"title": title, "content": format!("Over {title}."), "visibility": "public"}),
    )
    .await
}

fn follow_of(from: &TestNode, who: &str, target: &str) -> Vec<u8> {
    let id = from.url(&format!("/test-activities/{who}-follows"));
    serde_json::to_vec(&json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "Follow",
        "actor": from.url(&format!("/u/{who}")),
        "object": target,
    }))
    .unwrap()
}

async fn set_mode(node: &TestNode, mode: Mode) {
    let mut conn = node.state.db.conn().await.unwrap();
    actions::set_mode(&mut conn, &Who::Cli, mode).await.unwrap();
}

async fn allowlist_keeps_strangers_out(db: TestDb) {
    let ThreeNodes {
        oss,
        heeten,
        deventer,
        anna,
        bert,
        carla,
        heeten_db: _h,
        deventer_db: _d,
    } = ThreeNodes::start(&db).await;
    anna.create_initiative("moestuin", "Moestuin De Kolk").await;
    let story = publish(&anna, "Zaaidag").await;
    let story_id = story["id"].as_str().unwrap().to_owned();
    let moestuin = oss.url("/i/moestuin");

    set_mode(&oss, Mode::Allowlist).await;
    {
        let mut conn = oss.state.db.conn().await.unwrap();
        actions::allow(&mut conn, &Who::Cli, &heeten.state.config.domain, None)
            .await
            .unwrap();
    }

    // Fetching: unsigned is 401, a stranger 403, the allowed node 200; the page stays public.
    for url in [&moestuin, &story_id, &oss.url("/u/anna")] {
        assert_eq!(get_json(None, url).await, StatusCode::UNAUTHORIZED, "{url}");
        assert_eq!(
            get_json(Some((&deventer, "carla")), url).await,
            StatusCode::FORBIDDEN,
            "{url}"
        );
        assert_eq!(
            get_json(Some((&heeten, "bert")), url).await,
            StatusCode::OK,
            "{url}"
        );
    }
    let page = reqwest::get(&moestuin).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Moestuin De Kolk"));

    // Delivering: the stranger is refused and nothing is stored.
    let before = oss.effects().await;
    let refused = deventer
        .deliver_as(
            "carla",
            &oss.url("/inbox"),
            &follow_of(&deventer, "carla", &moestuin),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        oss.effects().await,
        before,
        "nothing stored from a stranger"
    );
    // Nor can the stranger follow through its own node.
    let (status, _) = Api::for_token(&deventer, &carla.token)
        .post("/api/v1/follows", json!({"target": oss.handle("moestuin")}))
        .await;
    assert_ne!(status, StatusCode::CREATED);

    // The allowed node follows and gets new stories.
    let (status, body) = bert
        .post("/api/v1/follows", json!({"target": oss.handle("moestuin")}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    heeten.until_accepted("bert", &moestuin).await;
    publish(&anna, "Oogstfeest").await;
    eventually("the story reaches Heeten", DEADLINE, || async {
        bert.in_timeline("Oogstfeest").await
    })
    .await;
    // Nothing was queued for the stranger, which never followed.
    let deventer_inbox = deventer.url("/inbox");
    assert!(oss.delivery_statuses(&deventer_inbox).await.is_empty());
}

async fn suspension_cuts_both_ways_and_unblocking_resumes(db: TestDb) {
    let ThreeNodes {
        oss,
        heeten,
        deventer,
        anna,
        bert,
        carla,
        heeten_db: _h,
        deventer_db: _d,
    } = ThreeNodes::start(&db).await;
    anna.create_initiative("moestuin", "Moestuin De Kolk").await;
    let moestuin = oss.url("/i/moestuin");
    for (node, person, name) in [(&heeten, &bert, "bert"), (&deventer, &carla, "carla")] {
        let (status, body) = person
            .post("/api/v1/follows", json!({"target": oss.handle("moestuin")}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        node.until_accepted(name, &moestuin).await;
    }
    let (_, initiative) = anna.get("/api/v1/initiatives/moestuin").await;
    assert_eq!(initiative["followers"], 2);

    // Oss suspends Heeten: its follow is severed at once.
    let heeten_domain = heeten.state.config.domain.clone();
    {
        let mut conn = oss.state.db.conn().await.unwrap();
        let (_, outcome) = actions::block(
            &mut conn,
            &Who::Cli,
            actions::Block {
                domain: &heeten_domain,
                severity: Severity::Suspend,
                reason: Some("spam"),
                private_reason: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(outcome.follows_severed, 1);
    }
    let (_, initiative) = anna.get("/api/v1/initiatives/moestuin").await;
    assert_eq!(initiative["followers"], 1);

    // Heeten's activities are refused, and nothing is stored.
    let before = oss.effects().await;
    let refused = heeten
        .deliver_as(
            "bert",
            &oss.url("/inbox"),
            &follow_of(&heeten, "bert", &moestuin),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(oss.effects().await, before);
    // Nor may it fetch.
    assert_eq!(
        get_json(Some((&heeten, "bert")), &moestuin).await,
        StatusCode::FORBIDDEN
    );

    // A new story reaches Deventer; nothing is queued for Heeten.
    let heeten_inbox = heeten.url("/inbox");
    let queued_before = oss.delivery_statuses(&heeten_inbox).await.len();
    publish(&anna, "Snoeidag").await;
    eventually("the story reaches Deventer", DEADLINE, || async {
        carla.in_timeline("Snoeidag").await
    })
    .await;
    assert_eq!(
        oss.delivery_statuses(&heeten_inbox).await.len(),
        queued_before
    );
    assert!(bert.in_timeline("Snoeidag").await.is_none());

    // Bert leaves (Oss refuses to hear it), then Oss lifts the suspension.
    let (status, _) = bert
        .delete(&format!("/api/v1/follows?target={moestuin}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    {
        let mut conn = oss.state.db.conn().await.unwrap();
        actions::unblock(&mut conn, &Who::Cli, &heeten_domain)
            .await
            .unwrap();
    }

    // A new follow and a new story work again.
    let (status, body) = bert
        .post("/api/v1/follows", json!({"target": oss.handle("moestuin")}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    heeten.until_accepted("bert", &moestuin).await;
    publish(&anna, "Plantdag").await;
    eventually("the story reaches Heeten again", DEADLINE, || async {
        bert.in_timeline("Plantdag").await
    })
    .await;

    // Each change is in Oss's audit log.
    let mut conn = oss.state.db.conn().await.unwrap();
    let actions: Vec<String> = kwartier::service::audit::page(&mut conn, None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|row| format!("{} {}", row.action, row.target))
        .collect();
    assert!(
        actions.contains(&format!("domain.block {heeten_domain}")),
        "{actions:?}"
    );
    assert!(
        actions.contains(&format!("domain.unblock {heeten_domain}")),
        "{actions:?}"
    );
}
