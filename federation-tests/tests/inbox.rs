//! The inbox front door under hostile input: every rejection is a 4xx with a message and stores
//! nothing; repeats change nothing; a `Delete` that comes before its `Create` wins. Heeten
//! plays the other server: its people sign what is sent to Oss.

use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::{Value, json};

test_both_backends!(
    the_inbox_refuses_what_it_must_and_nothing_sticks,
    a_delete_before_its_create_wins
);

async fn expect_refused(
    oss: &TestNode,
    response: reqwest::Response,
    status: StatusCode,
    before: [i64; 6],
    what: &str,
) {
    assert_eq!(response.status(), status, "{what}");
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{what}: no message in {body}"
    );
    assert_eq!(oss.effects().await, before, "{what} stored something");
}

async fn the_inbox_refuses_what_it_must_and_nothing_sticks(db: TestDb) {
    let heeten_db = TestDb::sqlite();
    let oss = TestNode::start(&db, "Oss").await;
    let heeten = TestNode::start(&heeten_db, "Heeten").await;
    let anna = oss.user_with_token("anna").await;
    heeten.create_user("bert", false).await;
    heeten.create_user("carla", false).await;
    let (status, _) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin De Kolk"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let inbox = oss.url("/i/moestuin/inbox");
    let bert = heeten.url("/u/bert");
    let follow = |id: &str, actor: &str, object: &str| {
        serde_json::to_vec(&json!({"@context": "https://www.w3.org/ns/activitystreams", "id": id, "type": "Follow", "actor": actor, "object": object}))
            .unwrap()
    };
    let good = follow(
        &heeten.url("/activities/follow-1"),
        &bert,
        &oss.url("/i/moestuin"),
    );
    let before = oss.effects().await;
    let client = reqwest::Client::new();

    // Unsigned.
    let response = client
        .post(&inbox)
        .header("Content-Type", "application/activity+json")
        .body(good.clone())
        .send()
        .await
        .unwrap();
    expect_refused(
        &oss,
        response,
        StatusCode::UNAUTHORIZED,
        before,
        "an unsigned activity",
    )
    .await;

    // A body that is not the one signed (the Digest no longer matches).
    let mut request = heeten.signed_request("bert", &inbox, &good).await;
    *request.body_mut() = Some(
        follow(
            &heeten.url("/activities/follow-2"),
            &bert,
            &oss.url("/i/moestuin"),
        )
        .into(),
    );
    let response = client.execute(request).await.unwrap();
    expect_refused(
        &oss,
        response,
        StatusCode::BAD_REQUEST,
        before,
        "a body that does not match its Digest",
    )
    .await;

    // Larger than 1 MiB.
    let huge = format!(
        r#"{{"id":"{}","type":"Note","actor":"{bert}","content":"{}"}}"#,
        heeten.url("/x"),
        "a".repeat(1_100_000)
    );
    let response = heeten.deliver_as("bert", &inbox, huge.as_bytes()).await;
    expect_refused(
        &oss,
        response,
        StatusCode::PAYLOAD_TOO_LARGE,
        before,
        "a body over 1 MiB",
    )
    .await;

    // Signed by bert, claiming to be carla.
    let carla_claim = follow(
        &heeten.url("/activities/follow-3"),
        &heeten.url("/u/carla"),
        &oss.url("/i/moestuin"),
    );
    let response = heeten.deliver_as("bert", &inbox, &carla_claim).await;
    expect_refused(
        &oss,
        response,
        StatusCode::UNAUTHORIZED,
        before,
        "an activity by someone else than the signer",
    )
    .await;

    // An activity id on another server than its actor.
    let elsewhere = follow(
        &oss.url("/activities/forged"),
        &bert,
        &oss.url("/i/moestuin"),
    );
    let response = heeten.deliver_as("bert", &inbox, &elsewhere).await;
    expect_refused(
        &oss,
        response,
        StatusCode::BAD_REQUEST,
        before,
        "an id on another origin",
    )
    .await;

    // Not JSON at all.
    let response = heeten.deliver_as("bert", &inbox, b"<xml>hallo</xml>").await;
    expect_refused(
        &oss,
        response,
        StatusCode::BAD_REQUEST,
        before,
        "a body that is not an activity",
    )
    .await;

    // Following someone who is not here.
    let nobody = follow(
        &heeten.url("/activities/follow-4"),
        &bert,
        &oss.url("/i/bestaat_niet"),
    );
    let response = heeten.deliver_as("bert", &inbox, &nobody).await;
    expect_refused(
        &oss,
        response,
        StatusCode::NOT_FOUND,
        before,
        "a follow of an unknown actor",
    )
    .await;

    // A signature by a key that cannot be found.
    let mut request = heeten.signed_request("bert", &inbox, &good).await;
    let forged = request.headers()["signature"]
        .to_str()
        .unwrap()
        .replace("/u/bert#main-key", "/u/niemand#main-key");
    request
        .headers_mut()
        .insert("signature", forged.parse().unwrap());
    let response = client.execute(request).await.unwrap();
    expect_refused(
        &oss,
        response,
        StatusCode::UNAUTHORIZED,
        before,
        "an unknown key",
    )
    .await;

    // The real thing works, and a repeat of it changes nothing.
    for _ in 0..2 {
        let response = heeten.deliver_as("bert", &inbox, &good).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    let (_, initiative) = anna.get("/api/v1/initiatives/moestuin").await;
    assert_eq!(initiative["followers"], 1);
    let after = oss.effects().await;
    assert_eq!(after[0], before[0] + 1, "one activity recorded as received");
    assert_eq!(after[1], before[1] + 1, "one follow");
}

async fn a_delete_before_its_create_wins(db: TestDb) {
    let heeten_db = TestDb::sqlite();
    let oss = TestNode::start(&db, "Oss").await;
    let heeten = TestNode::start(&heeten_db, "Heeten").await;
    let anna = oss.user_with_token("anna").await;
    heeten.create_user("bert", false).await;
    let (status, _) = anna
        .post(
            "/api/v1/initiatives",
            json!({"handle": "moestuin", "name": "Moestuin De Kolk"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, story) = anna
        .post(
            "/api/v1/initiatives/moestuin/stories",
            json!({"title": "Oogstfeest", "content": "Zaterdag is het feest."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let story_id = story["id"].as_str().unwrap();
    let inbox = oss.url("/inbox");
    let bert = heeten.url("/u/bert");
    let note = |n: &str| {
        json!({
            "id": heeten.url(&format!("/notes/{n}")), "type": "Note", "attributedTo": bert,
            "content": format!("<p>Reactie {n}</p>"), "inReplyTo": story_id,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
        })
    };
    let create = |n: &str| {
        serde_json::to_vec(&json!({
            "id": heeten.url(&format!("/activities/create-{n}")), "type": "Create", "actor": bert,
            "object": note(n), "to": ["https://www.w3.org/ns/activitystreams#Public"],
        }))
        .unwrap()
    };
    let delete = |n: &str| {
        serde_json::to_vec(&json!({
            "id": heeten.url(&format!("/activities/delete-{n}")), "type": "Delete", "actor": bert,
            "object": heeten.url(&format!("/notes/{n}")),
        }))
        .unwrap()
    };

    // In order: the comment appears, then goes.
    assert_eq!(
        heeten
            .deliver_as("bert", &inbox, &create("1"))
            .await
            .status(),
        StatusCode::ACCEPTED
    );
    let thread = format!("{}/comments", story["api_url"].as_str().unwrap());
    let (_, comments) = anna.get(&thread).await;
    assert_eq!(comments.as_array().unwrap().len(), 1);
    assert_eq!(
        heeten
            .deliver_as("bert", &inbox, &delete("1"))
            .await
            .status(),
        StatusCode::ACCEPTED
    );
    let (_, comments) = anna.get(&thread).await;
    assert_eq!(comments[0]["deleted"], true);

    // Out of order: the Delete arrives first, and the late Create is ignored.
    assert_eq!(
        heeten
            .deliver_as("bert", &inbox, &delete("2"))
            .await
            .status(),
        StatusCode::ACCEPTED
    );
    assert_eq!(
        heeten
            .deliver_as("bert", &inbox, &create("2"))
            .await
            .status(),
        StatusCode::ACCEPTED
    );
    let (_, comments) = anna.get(&thread).await;
    assert_eq!(
        comments.as_array().unwrap().len(),
        1,
        "the deleted reply appeared: {comments}"
    );

    // A reply that is not public is not shown under the story.
    let mut private = note("3");
    private["to"] = json!([bert]);
    let body = serde_json::to_vec(&json!({
        "id": heeten.url("/activities/create-3"), "type": "Create", "actor": bert, "object": private,
    }))
    .unwrap();
    assert_eq!(
        heeten.deliver_as("bert", &inbox, &body).await.status(),
        StatusCode::ACCEPTED
    );
    let (_, comments) = anna.get(&thread).await;
    assert_eq!(
        comments.as_array().unwrap().len(),
        1,
        "a private reply was shown: {comments}"
    );
}
