//! Deleting an account across nodes (AVG/GDPR): anna on Oss is followed by bert on Heeten and
//! comments on a story of Deventer; Hengelo only follows another initiative on Oss. When anna
//! deletes her account, Heeten and Deventer get the `Delete` of her actor (Heeten forgets her
//! and the follow, Deventer removes her comment), Hengelo gets nothing; her actor answers 410
//! and her name stays taken. A `Delete` of anna forged by someone else changes nothing.

use std::time::Duration;

use kwartier::db::{actor, comment, delivery};
use kwartier::service::account::{self, NewAccount};
use kwartier::service::account_admin;
use kwartier::service::audit::Who;
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode, ThreeNodes, eventually};
use reqwest::StatusCode;
use serde_json::{Value, json};
use url::Url;

test_both_backends!(a_deleted_account_is_deleted_where_it_was_known);

const DEADLINE: Duration = Duration::from_secs(20);

async fn remote_actor(node: &TestNode, id: &str) -> Option<actor::Actor> {
    let mut conn = node.state.db.conn().await.unwrap();
    actor::find_by_ap_id(&mut conn, &Url::parse(id).unwrap())
        .await
        .unwrap()
}

async fn remote_comment(node: &TestNode, id: &str) -> Option<comment::Comment> {
    let mut conn = node.state.db.conn().await.unwrap();
    comment::find_by_ap_id(&mut conn, &Url::parse(id).unwrap())
        .await
        .unwrap()
}

async fn get_with_accept(url: &str, accept: &str) -> (StatusCode, String) {
    let response = reqwest::Client::new()
        .get(url)
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

async fn a_deleted_account_is_deleted_where_it_was_known(db: TestDb) {
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
    let hengelo_db = TestDb::sqlite();
    let hengelo = TestNode::start(&hengelo_db, "Hengelo").await;
    let dirk = hengelo.user_with_token("dirk").await;
    let anna_id = oss.ap_id_of("anna").await;

    // Hengelo knows Oss (dirk follows piet's initiative and gets its stories), not anna.
    let piet = oss.user_with_token("piet").await;
    piet.create_initiative("buurthuis", "Buurthuis Oss").await;
    let (status, body) = dirk
        .post(
            "/api/v1/follows",
            json!({"target": oss.handle("buurthuis")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    hengelo
        .until_accepted("dirk", &oss.url("/i/buurthuis"))
        .await;
    piet.publish(
        "buurthuis",
        json!({"title": "Koffieochtend", "content": "Elke dinsdag.", "visibility": "public"}),
    )
    .await;
    eventually("piet's story reaches Hengelo", DEADLINE, || {
        dirk.in_timeline("Koffieochtend")
    })
    .await;

    // Heeten: bert follows anna herself.
    let (status, body) = bert
        .post("/api/v1/follows", json!({"target": oss.handle("anna")}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    heeten.until_accepted("bert", &anna_id).await;

    // Deventer: anna follows carla's initiative and comments on its story.
    carla
        .create_initiative("wijkraad", "Wijkraad Deventer")
        .await;
    let (status, body) = anna
        .post(
            "/api/v1/follows",
            json!({"target": deventer.handle("wijkraad")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    oss.until_accepted("anna", &deventer.url("/i/wijkraad"))
        .await;
    let story = carla
        .publish(
            "wijkraad",
            json!({"title": "Wijkavond", "content": "Donderdag in de aula.", "visibility": "public"}),
        )
        .await;
    let at_oss = eventually("carla's story reaches Oss", DEADLINE, || {
        anna.in_timeline("Wijkavond")
    })
    .await;
    let (status, remark) = anna
        .post(
            &format!("{}/comments", at_oss["api_url"].as_str().unwrap()),
            json!({"content": "Ik kom ook!"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{remark}");
    let remark_id = remark["id"].as_str().unwrap().to_owned();
    let story_api = story["api_url"].as_str().unwrap().to_owned();
    eventually("anna's comment reaches Deventer", DEADLINE, || async {
        let (_, thread) = carla.get(&format!("{story_api}/comments")).await;
        (thread.as_array()?.len() == 1).then_some(())
    })
    .await;

    // A forged Delete: bert signs a Delete of anna, as anna or as himself. Nothing changes.
    let forged_as_anna = serde_json::to_vec(&json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": oss.url("/activities/forged-1"),
        "type": "Delete", "actor": anna_id, "object": anna_id,
    }))
    .unwrap();
    let refused = heeten
        .deliver_as("bert", &deventer.url("/inbox"), &forged_as_anna)
        .await;
    // Refused as not signed by its actor, or taken as a stranger's and ignored.
    assert!(
        [StatusCode::UNAUTHORIZED, StatusCode::ACCEPTED].contains(&refused.status()),
        "{}",
        refused.status()
    );
    let forged_by_bert = serde_json::to_vec(&json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": heeten.url("/activities/forged-2"),
        "type": "Delete", "actor": heeten.url("/u/bert"), "object": anna_id,
    }))
    .unwrap();
    let answered = heeten
        .deliver_as("bert", &deventer.url("/inbox"), &forged_by_bert)
        .await;
    assert!(answered.status().is_client_error() || answered.status() == StatusCode::ACCEPTED);
    let kept = remote_comment(&deventer, &remark_id).await.unwrap();
    assert!(
        kept.deleted_at.is_none(),
        "a forged Delete removed a comment"
    );
    assert!(
        remote_actor(&deventer, &anna_id)
            .await
            .unwrap()
            .deleted_at
            .is_none()
    );

    // Anna deletes her account: the wrong password is refused, the right one works.
    let password = {
        let mut conn = oss.state.db.conn().await.unwrap();
        account_admin::reset_password(&mut conn, &Who::Cli, "anna")
            .await
            .unwrap()
    };
    let (status, body) = anna
        .call(
            reqwest::Method::DELETE,
            "/api/v1/me",
            Some(json!({"password": "not her password"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "password");
    let (status, body) = anna
        .call(
            reqwest::Method::DELETE,
            "/api/v1/me",
            Some(json!({"password": password})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    // Heeten forgets her and bert's follow; Deventer removes her comment.
    eventually("Heeten hears of the deletion", DEADLINE, || async {
        remote_actor(&heeten, &anna_id)
            .await?
            .deleted_at
            .map(|_| ())
    })
    .await;
    assert_eq!(heeten.follow_state("bert", &anna_id).await, None);
    eventually("Deventer removes anna's comment", DEADLINE, || async {
        remote_comment(&deventer, &remark_id)
            .await?
            .deleted_at
            .map(|_| ())
    })
    .await;
    assert!(
        remote_actor(&deventer, &anna_id)
            .await
            .unwrap()
            .deleted_at
            .is_some()
    );
    let (_, thread) = carla.get(&format!("{story_api}/comments")).await;
    assert!(
        !thread.to_string().contains("Ik kom ook"),
        "the comment's text is gone: {thread}"
    );

    // The Delete went to Heeten and Deventer only: Hengelo never knew anna.
    let mut conn = oss.state.db.conn().await.unwrap();
    let person = actor::find_by_ap_id(&mut conn, &Url::parse(&anna_id).unwrap())
        .await
        .unwrap()
        .unwrap();
    let sent = delivery::public_by(&mut conn, person.id, 100, 0)
        .await
        .unwrap();
    let delete = sent
        .iter()
        .find(|a| {
            a.kind == "Delete"
                && serde_json::from_str::<Value>(&a.body).unwrap()["object"] == anna_id.as_str()
        })
        .expect("the Delete of anna's actor");
    let mut peers: Vec<String> = delivery::for_activity(&mut conn, delete.id)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.peer)
        .collect();
    peers.sort();
    let mut expected = vec![
        heeten.state.config.domain.clone(),
        deventer.state.config.domain.clone(),
    ];
    expected.sort();
    assert_eq!(
        peers, expected,
        "one delivery to each server that knew anna"
    );
    assert!(remote_actor(&hengelo, &anna_id).await.is_none());
    drop(conn);

    // Once delivered, her key is gone; her actor answers 410 with a Tombstone.
    eventually("anna's key is dropped", DEADLINE, || async {
        remote_actor(&oss, &anna_id)
            .await?
            .private_key
            .is_some_and(|key| key.is_empty())
            .then_some(())
    })
    .await;
    let (status, body) = get_with_accept(&anna_id, "application/activity+json").await;
    assert_eq!(status, StatusCode::GONE);
    let tombstone: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(tombstone["type"], "Tombstone");
    assert_eq!(tombstone["id"], anna_id.as_str());
    let (status, _) = get_with_accept(
        &oss.url(&format!(
            "/.well-known/webfinger?resource=acct:anna@{}",
            oss.state.config.domain
        )),
        "application/jrd+json",
    )
    .await;
    assert_eq!(status, StatusCode::GONE);
    // Her token no longer works, and her name stays taken.
    assert_eq!(anna.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let mut conn = oss.state.db.conn().await.unwrap();
    let again = account::create(
        &oss.state,
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
    assert!(
        again.is_err(),
        "the name of a deleted account was given out again"
    );
}
