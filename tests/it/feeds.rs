//! RSS and Atom feeds over HTTP, read back with the crates that wrote them: public stories from
//! here are in them, newest first, with author, themes and cover; nothing else is.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage};
use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode, fetch_activity_json};
use reqwest::StatusCode;
use serde_json::json;

test_both_backends!(
    feeds_list_public_stories_from_here_and_nothing_else,
    feeds_of_what_does_not_exist_are_not_found,
);

async fn fetch(node: &TestNode, path: &str, content_type: &str) -> String {
    let response = reqwest::get(node.url(path)).await.expect("fetch the feed");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let got = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(got.starts_with(content_type), "{path}: {got}");
    response.text().await.expect("the feed")
}

async fn rss_titles(node: &TestNode, path: &str) -> (rss::Channel, Vec<String>) {
    let body = fetch(node, path, "application/rss+xml").await;
    let channel = rss::Channel::read_from(body.as_bytes())
        .unwrap_or_else(|e| panic!("{path} is no RSS: {e}\n{body}"));
    let titles = channel
        .items
        .iter()
        .map(|i| i.title.clone().unwrap_or_default())
        .collect();
    (channel, titles)
}

async fn atom_titles(node: &TestNode, path: &str) -> (atom_syndication::Feed, Vec<String>) {
    let body = fetch(node, path, "application/atom+xml").await;
    let feed = atom_syndication::Feed::read_from(body.as_bytes())
        .unwrap_or_else(|e| panic!("{path} is no Atom: {e}\n{body}"));
    let titles = feed.entries.iter().map(|e| e.title.value.clone()).collect();
    (feed, titles)
}

async fn story(
    api: &Api,
    initiative: &str,
    title: &str,
    themes: &[&str],
    visibility: &str,
) -> serde_json::Value {
    api.publish(
        initiative,
        json!({"title": title, "summary": format!("Over {title}"), "content": "Tekst.",
               "themes": themes, "visibility": visibility}),
    )
    .await
}

async fn feeds_list_public_stories_from_here_and_nothing_else(db: TestDb) {
    let node = TestNode::start(&db, "Netwerkgemeente Oss").await;
    let anna = node.user_with_token("anna").await;
    anna.create_initiative("moestuin", "Buurtmoestuin").await;
    anna.create_initiative("zonnedak", "Zonnedak Oss").await;

    let mut png = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(RgbImage::new(40, 30))
        .write_to(&mut png, ImageFormat::Png)
        .unwrap();
    let (_, cover) = anna.upload(png.into_inner(), "image/png").await;
    let harvest = anna
        .publish(
            "moestuin",
            json!({"title": "De eerste oogst", "summary": "Veertig kilo aardappels.",
                   "content": "Tekst.", "themes": ["Groen", "Eenzaamheid"],
                   "cover": {"media_id": cover["id"], "alt": "Een kruiwagen vol aardappels"}}),
        )
        .await;
    story(
        &anna,
        "moestuin",
        "Alleen voor volgers",
        &["Groen"],
        "followers",
    )
    .await;
    story(&anna, "moestuin", "Alleen hier", &["Groen"], "local").await;
    let deleted = story(&anna, "moestuin", "Weggehaald", &["Groen"], "public").await;
    let (status, _) = anna.delete(deleted["api_url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    story(
        &anna,
        "zonnedak",
        "Panelen op de school",
        &["Energie"],
        "public",
    )
    .await;

    // The node: both public stories, newest first; never the others.
    let (channel, titles) = rss_titles(&node, "/feed.rss").await;
    assert_eq!(titles, ["Panelen op de school", "De eerste oogst"]);
    assert_eq!(channel.title, "Netwerkgemeente Oss");
    let item = &channel.items[1];
    assert_eq!(item.link.as_deref(), harvest["id"].as_str());
    assert_eq!(
        item.description.as_deref(),
        Some("Veertig kilo aardappels.")
    );
    let categories: Vec<&str> = item.categories.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(categories, ["Eenzaamheid", "Groen"]);
    let creators = &item.dublin_core_ext.as_ref().expect("an author").creators;
    assert_eq!(creators, &["anna".to_owned()]);
    let published =
        chrono::DateTime::parse_from_rfc2822(item.pub_date.as_deref().unwrap()).unwrap();
    let expected: chrono::DateTime<chrono::Utc> =
        harvest["published"].as_str().unwrap().parse().unwrap();
    assert_eq!(published.timestamp(), expected.timestamp());
    let enclosure = item.enclosure.as_ref().expect("the cover");
    assert_eq!(enclosure.url, cover["url"].as_str().unwrap());
    assert_eq!(enclosure.mime_type, "image/png");
    assert!(enclosure.length.parse::<u64>().unwrap() > 0);
    assert!(channel.items[0].enclosure.is_none());

    let (feed, titles) = atom_titles(&node, "/feed.atom").await;
    assert_eq!(titles, ["Panelen op de school", "De eerste oogst"]);
    let entry = &feed.entries[1];
    assert_eq!(entry.id, harvest["id"].as_str().unwrap());
    assert_eq!(entry.authors[0].name, "anna");
    assert_eq!(
        entry.summary.as_ref().map(|s| s.value.as_str()),
        Some("Veertig kilo aardappels.")
    );
    let terms: Vec<&str> = entry.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(terms, ["eenzaamheid", "groen"]);
    let enclosure = entry
        .links
        .iter()
        .find(|l| l.rel == "enclosure")
        .expect("the cover");
    assert_eq!(enclosure.href, cover["url"].as_str().unwrap());
    assert_eq!(enclosure.mime_type.as_deref(), Some("image/png"));
    assert!(
        feed.links
            .iter()
            .any(|l| l.rel == "self" && l.href == node.url("/feed.atom"))
    );

    // An initiative: its own public stories only.
    let (channel, titles) = rss_titles(&node, "/i/moestuin/feed.rss").await;
    assert_eq!(titles, ["De eerste oogst"]);
    assert_eq!(channel.title, "Buurtmoestuin");
    let (_, titles) = atom_titles(&node, "/i/zonnedak/feed.atom").await;
    assert_eq!(titles, ["Panelen op de school"]);

    // A theme, whatever case it is asked in.
    let (_, titles) = rss_titles(&node, "/themes/groen/feed.rss").await;
    assert_eq!(titles, ["De eerste oogst"]);
    let (_, titles) = atom_titles(&node, "/themes/Energie/feed.atom").await;
    assert_eq!(titles, ["Panelen op de school"]);

    // The initiative's collections next to its feeds still answer.
    let followers = fetch_activity_json(&node.url("/i/moestuin/followers")).await;
    assert_eq!(followers["type"], "OrderedCollection");
}

async fn feeds_of_what_does_not_exist_are_not_found(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    // An empty node still has a valid, empty feed.
    let (_, titles) = rss_titles(&node, "/feed.rss").await;
    assert!(titles.is_empty());
    let (_, titles) = atom_titles(&node, "/feed.atom").await;
    assert!(titles.is_empty());
    for path in [
        "/i/niemand/feed.rss",
        "/i/niemand/feed.atom",
        "/themes/niets/feed.rss",
        "/themes/niets/feed.atom",
    ] {
        let response = reqwest::get(node.url(path)).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
