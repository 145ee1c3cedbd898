//! Uploads over HTTP: an image stored through the API comes back from `/media/…` with the
//! right type and headers, and becomes a story's cover with its description.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode, fetch_activity_json};
use reqwest::StatusCode;
use serde_json::{Value, json};

test_both_backends!(
    an_uploaded_image_is_served_back_with_its_real_type,
    what_is_not_an_image_or_too_big_is_refused_and_nothing_else_is_served,
    a_story_gets_a_cover_only_with_a_description,
);

pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = RgbImage::from_fn(width, height, |x, y| Rgb([x as u8, y as u8, 120]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(picture)
        .write_to(&mut out, ImageFormat::Png)
        .expect("a PNG");
    out.into_inner()
}

async fn an_uploaded_image_is_served_back_with_its_real_type(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let anna = node.user_with_token("anna").await;

    // A PNG sent as if it were a JPEG (`foto.jpg`): the bytes decide.
    let (status, uploaded) = anna.upload(png(120, 80), "image/jpeg").await;
    assert_eq!(status, StatusCode::CREATED, "{uploaded}");
    assert_eq!(uploaded["media_type"], "image/png");
    assert_eq!(
        (uploaded["width"].as_i64(), uploaded["height"].as_i64()),
        (Some(120), Some(80))
    );
    let url = uploaded["url"].as_str().expect("a URL");
    assert!(
        url.starts_with(&node.url("/media/")) && url.ends_with(".png"),
        "{url}"
    );

    let response = reqwest::get(url).await.expect("fetch the image");
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let cache = headers["cache-control"].to_str().unwrap();
    assert!(
        cache.contains("immutable") && cache.contains("max-age=31536000"),
        "{cache}"
    );
    let bytes = response.bytes().await.expect("the image");
    let back = image::load_from_memory_with_format(&bytes, ImageFormat::Png).expect("a PNG");
    assert_eq!((back.width(), back.height()), (120, 80));

    // The same picture again is the same upload.
    let (status, again) = anna.upload(png(120, 80), "image/png").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["id"], uploaded["id"]);
    assert_eq!(again["url"], uploaded["url"]);
}

async fn what_is_not_an_image_or_too_big_is_refused_and_nothing_else_is_served(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let anna = node.user_with_token("anna").await;

    let (status, refused) = anna
        .upload(b"Geen plaatje, maar tekst.".to_vec(), "image/png")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["field"], "cover");
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.to_vec();
    let (status, refused) = anna.upload(svg, "image/svg+xml").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");

    let mut too_big = png(10, 10);
    too_big.resize(8 * 1024 * 1024 + 1, 0);
    let (status, refused) = anna.upload(too_big, "image/png").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .is_some_and(|e| e.contains("larger")),
        "{refused}"
    );

    // Without a token nothing is stored.
    let response = reqwest::Client::new()
        .post(node.url("/api/v1/media"))
        .body(png(10, 10))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Nothing was stored, so nothing is served; and no name reaches another file.
    let unknown = format!("/media/{}.png", "ab".repeat(32));
    for path in [
        unknown.as_str(),
        "/media/kwartier.db",
        "/media/..%2Fkwartier.db",
        "/media/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/media/.",
    ] {
        let response = reqwest::get(node.url(path)).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let media_dir = db.data_dir().join("media");
    let stored = std::fs::read_dir(&media_dir).map_or(0, |d| d.count());
    assert_eq!(stored, 0, "files were written to {}", media_dir.display());
}

async fn a_story_gets_a_cover_only_with_a_description(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let anna = node.user_with_token("anna").await;
    anna.create_initiative("moestuin", "Buurtmoestuin").await;
    let (_, upload) = anna.upload(png(60, 40), "image/png").await;
    let media_id = upload["id"].as_i64().expect("an id");
    let story = |cover: Value| json!({"title": "De eerste oogst", "content": "Veertig kilo aardappels.", "cover": cover});
    let path = "/api/v1/initiatives/moestuin/stories";

    for cover in [
        json!({"media_id": media_id}),
        json!({"media_id": media_id, "alt": "  "}),
    ] {
        let (status, refused) = anna.post(path, story(cover)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert_eq!(refused["field"], "cover_alt", "{refused}");
    }
    let (status, refused) = anna
        .post(path, story(json!({"media_id": 999_999, "alt": "Iets"})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["field"], "cover");
    // Someone outside the initiative uploaded this one: not Anna's to use.
    let bert = node.user_with_token("bert").await;
    let (_, bert_upload) = bert.upload(png(30, 30), "image/png").await;
    let (status, refused) = anna
        .post(
            path,
            story(json!({"media_id": bert_upload["id"], "alt": "Bert"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["field"], "cover");

    let alt = "Twaalf buren rond een kruiwagen vol aardappels";
    let published = anna
        .publish("moestuin", story(json!({"media_id": media_id, "alt": alt})))
        .await;
    assert_eq!(published["cover"]["media_id"], media_id);
    assert_eq!(published["cover"]["alt"], alt);
    assert_eq!(published["cover"]["url"], upload["url"]);
    assert_eq!(published["cover"]["media_type"], "image/png");

    // Other servers see it as the Article's `image`.
    let article = fetch_activity_json(published["id"].as_str().unwrap()).await;
    assert_eq!(article["image"]["type"], "Image");
    assert_eq!(article["image"]["url"], upload["url"]);
    assert_eq!(article["image"]["mediaType"], "image/png");
    assert_eq!(article["image"]["name"], alt);

    // An edit that leaves the cover out keeps it; `null` takes it away.
    let api_url = published["api_url"].as_str().unwrap();
    let (status, edited) = anna.patch(api_url, json!({"title": "De oogst"})).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["cover"]["alt"], alt);
    let (status, edited) = anna.patch(api_url, json!({"cover": null})).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["cover"], Value::Null);
    let (_, shown) = anna.get(api_url).await;
    assert_eq!(shown["cover"], Value::Null);
    assert_eq!(shown["title"], "De oogst");
}
