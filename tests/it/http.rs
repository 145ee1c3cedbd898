//! The HTTP server over a real socket on port 0: probes, NodeInfo, bearer tokens, the home page.

use kwartier::service::token;
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::Value;

test_both_backends!(
    nodeinfo_describes_the_node_and_counts_its_users,
    tokens_authenticate_and_everything_else_gets_401,
    readiness_follows_the_database,
    every_response_carries_a_request_id,
    home_page_names_the_node_safely,
    the_openapi_document_describes_the_routes_that_exist,
);

async fn get_json(url: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let response = reqwest::get(url).await.expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json::<Value>().await.expect("JSON body");
    (status, headers, body)
}

async fn me(node: &TestNode, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(node.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

async fn nodeinfo_describes_the_node_and_counts_its_users(db: TestDb) {
    let node = TestNode::start(&db, "Netwerkgemeente Oss").await;
    node.create_user("anna", true).await;
    node.create_user("bert", false).await;

    let (status, _, discovery) = get_json(&node.url("/.well-known/nodeinfo")).await;
    assert_eq!(status, StatusCode::OK);
    let link = &discovery["links"][0];
    assert_eq!(
        link["rel"],
        "http://nodeinfo.diaspora.software/ns/schema/2.1"
    );
    let href = link["href"].as_str().expect("href");
    assert_eq!(href, node.url("/nodeinfo/2.1"));

    let (status, headers, info) = get_json(href).await;
    assert_eq!(status, StatusCode::OK);
    let content_type = headers["content-type"].to_str().unwrap();
    assert!(
        content_type.contains("nodeinfo.diaspora.software/ns/schema/2.1"),
        "{content_type}"
    );
    assert_eq!(info["version"], "2.1");
    assert_eq!(info["software"]["name"], "kwartier");
    assert_eq!(info["software"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["protocols"], serde_json::json!(["activitypub"]));
    assert_eq!(info["openRegistrations"], false);
    assert_eq!(info["usage"]["users"]["total"], 2);
    assert_eq!(info["usage"]["users"]["activeMonth"], 0);
    assert_eq!(info["metadata"]["nodeName"], "Netwerkgemeente Oss");

    // Activity through a token counts towards the monthly actives.
    let mut conn = node.state.db.conn().await.unwrap();
    let secret = token::create(&mut conn, "bert", "test").await.unwrap();
    assert_eq!(me(&node, &secret).await.status(), StatusCode::OK);
    let (_, _, info) = get_json(href).await;
    assert_eq!(info["usage"]["users"]["activeMonth"], 1);
    assert_eq!(info["usage"]["users"]["activeHalfyear"], 1);
}

async fn tokens_authenticate_and_everything_else_gets_401(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    node.create_user("wijkcoach", true).await;
    let mut conn = node.state.db.conn().await.unwrap();
    let secret = token::create(&mut conn, "wijkcoach", "test").await.unwrap();
    let client = reqwest::Client::new();

    let me = me(&node, &secret).await;
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["username"], "wijkcoach");
    assert_eq!(me["admin"], true);
    assert_eq!(me["id"], node.url("/u/wijkcoach"));

    let wrong = format!("{}x", &secret[..secret.len() - 1]);
    let attempts = [
        client.get(node.url("/api/v1/me")),
        client.get(node.url("/api/v1/me")).bearer_auth(&wrong),
        client.get(node.url("/api/v1/me")).bearer_auth(""),
        client
            .get(node.url("/api/v1/me"))
            .header("Authorization", format!("Basic {secret}")),
        client
            .get(node.url("/api/v1/me"))
            .header("Authorization", "Bearer"),
    ];
    for attempt in attempts {
        let response = attempt.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("bearer token"),
            "{body}"
        );
    }
}

async fn readiness_follows_the_database(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let (status, _, body) = get_json(&node.url("/readyz")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["database"], node.state.db.backend_name());

    node.state.db.close();
    let (status, _, body) = get_json(&node.url("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"], "service temporarily unavailable");
    // The process itself is still alive.
    let (status, _, _) = get_json(&node.url("/healthz")).await;
    assert_eq!(status, StatusCode::OK);
}

async fn every_response_carries_a_request_id(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let client = reqwest::Client::new();
    let fresh = client.get(node.url("/healthz")).send().await.unwrap();
    let id = fresh.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "{id}");
    let given = client
        .get(node.url("/does-not-exist"))
        .header("x-request-id", "proxy-123")
        .send()
        .await
        .unwrap();
    assert_eq!(given.status(), StatusCode::NOT_FOUND);
    assert_eq!(given.headers()["x-request-id"], "proxy-123");
    let body: Value = given.json().await.unwrap();
    assert_eq!(body["error"], "page not found");
}

async fn home_page_names_the_node_safely(db: TestDb) {
    let node = TestNode::start(&db, "Buurt <script>alert(1)</script> & Co").await;
    let response = reqwest::get(node.url("/")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"nl\">"));
    assert!(
        html.contains("Buurt &#60;script&#62;alert(1)&#60;/script&#62; &#38; Co"),
        "{html}"
    );
    assert!(!html.contains("<script>"));
}

async fn the_openapi_document_describes_the_routes_that_exist(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let (status, _, doc) = get_json(&node.url("/api/v1/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let paths = doc["paths"].as_object().expect("paths");
    // The calls scripts rely on.
    for (path, method) in [
        ("/api/v1/initiatives", "post"),
        ("/api/v1/initiatives/{handle}/stories", "post"),
        ("/api/v1/stories/{id}", "patch"),
        ("/api/v1/stories/{id}", "delete"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not documented"
        );
    }
    // Every documented operation is routed (it may refuse the dummy call, but it exists).
    let client = reqwest::Client::new();
    for (path, operations) in paths {
        let concrete = path
            .replace("{handle}", "niemand")
            .replace("{id}", "1")
            .replace("{follower_id}", "1");
        for method in operations.as_object().unwrap().keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = client
                .request(method.clone(), node.url(&concrete))
                .header("Content-Type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_ne!(
                status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {concrete} is documented but not routed"
            );
            assert_ne!(
                body["error"], "page not found",
                "{method} {concrete} is documented but not routed"
            );
        }
    }
}
