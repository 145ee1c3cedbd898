//! Pages anyone can see: languages, security headers, error pages, remote follow.

use axum::Router;
use axum::routing::get;
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::json;

use super::browser::Browser;

test_both_backends!(
    the_language_comes_from_the_switch_then_the_browser,
    every_page_carries_the_security_headers,
    browsers_get_error_pages_in_their_language_and_apis_json,
    remote_follow_sends_people_to_their_own_server,
    municipal_sites_may_frame_the_lists_of_a_theme_or_neighbourhood,
);

async fn the_language_comes_from_the_switch_then_the_browser(db: TestDb) {
    let node = TestNode::start(&db, "Gemeente Oss").await;
    let mut english = Browser::new(&node.url(""), "en-GB,en;q=0.9,nl;q=0.5");
    let home = english.get("/").await;
    assert_eq!(home.attr("html", "lang").as_deref(), Some("en"));
    assert_eq!(home.text("a.skip-link"), "Skip to content");
    assert_eq!(
        home.attr(".lang-switch a", "hreflang").as_deref(),
        Some("nl")
    );
    assert_eq!(home.text("h1"), "Gemeente Oss");

    let mut dutch = Browser::new(&node.url(""), "de-DE");
    assert_eq!(
        dutch.get("/").await.attr("html", "lang").as_deref(),
        Some("nl")
    );

    // The switch sticks, whatever the browser asks for.
    let switch = english.get("/lang/nl?back=%2Fsearch%3Fq%3Dtuin").await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(switch.location(), "/search?q=tuin");
    let search = english.get("/search?q=tuin").await;
    assert_eq!(search.attr("html", "lang").as_deref(), Some("nl"));
    assert_eq!(search.text("h1"), "Zoeken");
    assert_eq!(search.attr("#q", "value").as_deref(), Some("tuin"));

    // Only back to pages here.
    assert_eq!(
        english
            .get("/lang/en?back=//evil.example/")
            .await
            .location(),
        "/"
    );
    assert_eq!(english.get("/lang/xx").await.status, StatusCode::NOT_FOUND);
}

async fn every_page_carries_the_security_headers(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let mut browser = Browser::new(&node.url(""), "nl");
    for path in ["/", "/login", "/search", "/themes", "/static/kwartier.css"] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let header = |name: &str| {
            page.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let csp = header("content-security-policy");
        for rule in [
            "default-src 'none'",
            "script-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(rule), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(
            header("referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
    }
    // No inline styles or scripts anywhere: the policy would block them.
    let home = browser.get("/").await;
    assert!(!home.html.contains("style=") && !home.html.contains("<style"));
    assert!(home.texts("script").iter().all(String::is_empty));
    let brand = browser.get("/static/brand.css").await;
    assert!(brand.html.contains("--kw-brand: #01689b"), "{}", brand.html);
}

async fn browsers_get_error_pages_in_their_language_and_apis_json(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let mut browser = Browser::new(&node.url(""), "nl");
    let missing = browser.get("/stories/424242").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.text("h1"), "Pagina niet gevonden");
    assert_eq!(missing.attr("html", "lang").as_deref(), Some("nl"));
    let theme = browser.get("/themes/bestaat-niet").await;
    assert_eq!(theme.status, StatusCode::NOT_FOUND);
    let mut english = Browser::new(&node.url(""), "en");
    assert_eq!(english.get("/nowhere").await.text("h1"), "Page not found");

    let api = reqwest::Client::new()
        .get(node.url("/stories/424242"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = api.json().await.unwrap();
    assert!(body["error"].is_string(), "{body}");
}

/// A stand-in for someone's own server: its WebFinger names its follow page, as Mastodon's does.
async fn home_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let host = format!("localhost:{port}");
    let template = format!("http://{host}/authorize_interaction?uri={{uri}}");
    let app = Router::new().route(
        "/.well-known/webfinger",
        get(move || {
            let template = template.clone();
            async move {
                axum::Json(json!({
                    "subject": "acct:joke@example",
                    "links": [
                        {"rel": "self", "type": "application/activity+json", "href": "http://example/u/joke"},
                        {"rel": "http://ostatus.org/schema/1.0/subscribe", "template": template}
                    ]
                }))
            }
        }),
    );
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (host, task)
}

async fn remote_follow_sends_people_to_their_own_server(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let api = node.user_with_token("anna").await;
    api.create_initiative("moestuin", "Moestuin De Kolk").await;
    let (host, server) = home_server().await;

    let mut browser = Browser::new(&node.url(""), "nl");
    let page = browser.get("/i/moestuin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text(".copy-handle").contains("@moestuin@localhost:"));
    let account = format!("@joke@{host}");
    let sent = browser
        .post("/i/moestuin/remote-follow", &[("account", &account)])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    let target = node.url("/i/moestuin");
    let encoded: String = url::form_urlencoded::byte_serialize(target.as_bytes()).collect();
    assert_eq!(
        sent.location(),
        format!("http://{host}/authorize_interaction?uri={encoded}")
    );

    let bad = browser
        .post("/i/moestuin/remote-follow", &[("account", "joke")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.field_error("account").contains("@naam@server"));
    assert_eq!(bad.attr("#account", "value").as_deref(), Some("joke"));
    server.abort();
    let gone = browser
        .post("/i/moestuin/remote-follow", &[("account", &account)])
        .await;
    assert_eq!(gone.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn municipal_sites_may_frame_the_lists_of_a_theme_or_neighbourhood(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let api = node.user_with_token("anna").await;
    let (status, body) = api
        .post(
            "/api/v1/initiatives",
            json!({"handle": "dewilg", "name": "De Wilg", "themes": ["groen"],
                   "neighbourhood": "Oss-Oost"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    api.create_initiative("elders", "Elders").await;

    let mut browser = Browser::new(&node.url(""), "nl");
    for path in [
        "/embed/themes/groen",
        "/embed/neighbourhoods/oss-oost?lang=en",
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors *"), "{path}: {csp}");
        assert!(!page.headers.contains_key("x-frame-options"), "{path}");
        assert_eq!(page.texts(".card__title"), ["De Wilg"], "{path}");
        let link = page.attr(".card__title a", "href").unwrap();
        assert_eq!(link, node.url("/i/dewilg"));
        assert_eq!(
            page.attr(".card__title a", "target").as_deref(),
            Some("_top")
        );
    }
    let english = browser.get("/embed/neighbourhoods/oss-oost?lang=en").await;
    assert_eq!(english.attr("html", "lang").as_deref(), Some("en"));
    assert_eq!(english.text("h1"), "Initiatives in Oss-Oost");
    // The home page shows the initiatives near a visitor, by neighbourhood.
    let home = browser.get("/?buurt=OSS-OOST").await;
    assert_eq!(
        home.texts("#initiatives-heading ~ ul .card__title"),
        ["De Wilg"]
    );
    assert_eq!(home.text("#buurt option[selected]"), "Oss-Oost");
    let all = browser.get("/").await;
    assert_eq!(all.texts("#initiatives-heading ~ ul .card__title").len(), 2);
    let empty = browser.get("/embed/neighbourhoods/nergens").await;
    assert!(empty.text("main").contains("nog geen initiatieven"));
    assert_eq!(
        browser.get("/embed/themes/onbekend").await.status,
        StatusCode::NOT_FOUND
    );
    // Every other page still refuses to be framed.
    assert_eq!(browser.get("/").await.headers["x-frame-options"], "DENY");
}
