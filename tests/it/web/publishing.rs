//! Publishing from the dashboard and taking part on story pages: what people do once logged in.

use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;

use super::browser::Browser;
use super::user;

test_both_backends!(
    an_initiative_and_its_story_made_in_the_browser_show_everywhere,
    comments_and_appreciation_on_the_story_page,
);

async fn an_initiative_and_its_story_made_in_the_browser_show_everywhere(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let password = user(&node, "anna").await;
    let mut browser = Browser::new(&node.url(""), "nl");
    browser.log_in("anna", &password).await;
    assert!(
        browser
            .get("/dashboard")
            .await
            .text("main")
            .contains("nog niet mee")
    );

    browser.get("/dashboard/initiatives/new").await;
    let initiative = [
        ("name", "Buurtmoestuin De Wilg"),
        ("handle", "De Wilg!"),
        ("summary", "Samen groente kweken."),
        ("themes", "groen, voedsel"),
        ("neighbourhood", "Oss-Oost"),
        ("location", "Oss"),
        ("website", ""),
    ];
    let refused = browser
        .post("/dashboard/initiatives/new", &initiative)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_error("handle").contains("kleine letters"));
    assert_eq!(
        refused.attr("#name", "value").as_deref(),
        Some("Buurtmoestuin De Wilg")
    );
    assert_eq!(refused.text("#summary"), "Samen groente kweken.");
    assert_eq!(
        refused.attr("#themes", "value").as_deref(),
        Some("groen, voedsel")
    );

    let mut fixed = initiative;
    fixed[1] = ("handle", "dewilg");
    let made = browser.post("/dashboard/initiatives/new", &fixed).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    assert_eq!(made.location(), "/i/dewilg");
    let page = browser.get("/i/dewilg").await;
    assert_eq!(page.text("h1"), "Buurtmoestuin De Wilg");
    assert!(page.text(".facts").contains("Oss-Oost"));
    assert!(page.text(".facts").contains("#groen"));

    browser.get("/dashboard/i/dewilg/stories/new").await;
    let story = [
        ("title", "Eerste oogst"),
        ("summary", ""),
        ("content", "We hebben **tomaten** geoogst."),
        ("themes", "groen"),
        ("visibility", "public"),
    ];
    let mut preview = story.to_vec();
    preview.push(("preview", "1"));
    let new_story = "/dashboard/i/dewilg/stories/new";
    let shown = browser.post_multipart(new_story, &preview, None).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.html);
    assert_eq!(shown.text(".preview strong"), "tomaten");
    let title = shown.attr("#title", "value");
    assert_eq!(title.as_deref(), Some("Eerste oogst"));
    let public = shown.attr("#visibility-public", "checked");
    assert_eq!(public.as_deref(), Some(""));
    let home = browser.get("/").await;
    assert!(
        home.text("main").contains("nog geen verhalen"),
        "a preview publishes nothing"
    );

    browser.get(new_story).await;
    let untitled = [
        ("title", ""),
        ("content", "Tekst"),
        ("visibility", "public"),
    ];
    let untitled = browser.post_multipart(new_story, &untitled, None).await;
    assert_eq!(untitled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(untitled.field_error("title").contains("titel"));
    assert_eq!(untitled.text("#content"), "Tekst");

    // A cover needs a description; the picture is kept while the rest is put right.
    let text_file = Some(("cover", "oogst.png", b"not a picture at all".to_vec()));
    let not_a_picture = browser.post_multipart(new_story, &story, text_file).await;
    assert_eq!(not_a_picture.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = not_a_picture.field_error("cover");
    assert!(message.contains("JPEG"), "{message}");
    let picture = Some(("cover", "oogst.jpg", png(40, 30)));
    let undescribed = browser.post_multipart(new_story, &story, picture).await;
    assert_eq!(undescribed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(undescribed.field_error("cover_alt").contains("Beschrijf"));
    let kept = undescribed
        .attr("input[name=cover_media_id]", "value")
        .expect("the picture is kept");
    assert!(undescribed.attr(".cover-preview", "src").is_some());
    let title = undescribed.attr("#title", "value");
    assert_eq!(title.as_deref(), Some("Eerste oogst"));

    let mut described = story.to_vec();
    described.push(("cover_media_id", &kept));
    described.push(("cover_alt", "Een mand vol tomaten"));
    let published = browser.post_multipart(new_story, &described, None).await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.html
    );
    let story_path = published.location();
    let shown = browser.get(&story_path).await;
    assert_eq!(shown.text("h1"), "Eerste oogst");
    assert_eq!(shown.text(".prose strong"), "tomaten");
    assert_eq!(
        shown.attr(".story__cover img", "alt").as_deref(),
        Some("Een mand vol tomaten")
    );
    let cover = shown.attr(".story__cover img", "src").expect("cover");
    let image = reqwest::get(&cover).await.expect("cover");
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()["content-type"], "image/png");

    let mut visitor = Browser::new(&node.url(""), "nl");
    let home = visitor.get("/").await;
    assert_eq!(
        home.attr(".card__title a", "href"),
        Some(story_path.clone())
    );
    assert!(home.text(".tag-list").contains("#groen"));
    let theme = visitor.get("/themes/groen").await;
    assert!(theme.text("main").contains("Eerste oogst"));
    assert!(theme.text("main").contains("Buurtmoestuin De Wilg"));
    let found = visitor.get("/search?q=OOGST").await;
    assert_eq!(
        found.texts("#found-stories + ul .card__title"),
        ["Eerste oogst"]
    );
    let by_place = visitor.get("/search?q=oss-oost").await;
    assert!(by_place.text("main").contains("Buurtmoestuin De Wilg"));
    let none = visitor.get("/search?q=100%25").await;
    assert!(
        none.text("main").contains("nog geen verhalen"),
        "LIKE wildcards are taken literally"
    );

    // Someone else may not write for this initiative.
    let other = user(&node, "bert").await;
    let mut bert = Browser::new(&node.url(""), "nl");
    bert.log_in("bert", &other).await;
    assert_eq!(
        bert.get("/dashboard/i/dewilg/stories/new").await.status,
        StatusCode::FORBIDDEN
    );
}

async fn comments_and_appreciation_on_the_story_page(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    let api = node.user_with_token("anna").await;
    api.create_initiative("dewilg", "De Wilg").await;
    let story = api
        .publish(
            "dewilg",
            serde_json::json!({"title": "Oogst", "content": "Tomaten."}),
        )
        .await;
    let path = url::Url::parse(story["url"].as_str().unwrap())
        .unwrap()
        .path()
        .to_owned();
    let password = user(&node, "bert").await;

    let mut visitor = Browser::new(&node.url(""), "nl");
    let anonymous = visitor.get(&path).await;
    assert!(anonymous.attr("form.reply-form", "action").is_none());
    assert!(anonymous.text("main").contains("Log in om te reageren"));

    let mut bert = Browser::new(&node.url(""), "nl");
    bert.log_in("bert", &password).await;
    bert.get(&path).await;
    let empty = bert
        .post(&format!("{path}/comments"), &[("content", "   ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.field_error("content").contains("tekst"));

    let posted = bert
        .post(
            &format!("{path}/comments"),
            &[("content", "Mooi *gedaan*!")],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.html);
    assert!(posted.location().starts_with(&format!("{path}#comment-")));
    let page = bert.get(&path).await;
    assert_eq!(page.text("#comments-heading"), "1 reactie");
    assert_eq!(page.text(".comment .prose em"), "gedaan");

    assert_eq!(page.text("#appreciation p"), "Nog geen waardering");
    bert.post(&format!("{path}/appreciate"), &[]).await;
    let liked = bert.get(&path).await;
    assert_eq!(liked.text("#appreciation p"), "1 keer gewaardeerd");
    assert_eq!(
        liked
            .attr("#appreciation button", "aria-pressed")
            .as_deref(),
        Some("true")
    );
    bert.post(&format!("{path}/appreciate"), &[("undo", "1")])
        .await;
    assert_eq!(
        bert.get(&path).await.text("#appreciation p"),
        "Nog geen waardering"
    );

    // Following from here, and stopping.
    bert.get("/i/dewilg").await;
    bert.post("/i/dewilg/follow", &[]).await;
    let following = bert.get("/i/dewilg").await;
    assert!(following.text(".profile__handle").contains("1 volger"));
    bert.post("/i/dewilg/follow", &[("undo", "1")]).await;
    assert!(
        bert.get("/i/dewilg")
            .await
            .text(".profile__handle")
            .contains("0 volgers")
    );
}

/// A PNG of `width` × `height` pixels.
fn png(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_pixel(width, height, image::Rgb([200, 40, 40]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("encode PNG");
    bytes.into_inner()
}
