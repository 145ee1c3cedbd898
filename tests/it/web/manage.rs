//! Managing from the dashboard: an initiative's profile, members and contact person, and
//! editing and deleting stories.

use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;

use super::browser::Browser;
use super::user;

test_both_backends!(
    owners_edit_the_profile_and_others_may_not,
    owners_manage_members_and_the_contact_person,
    stories_are_edited_and_deleted_from_the_dashboard,
);

/// A node with `anna`, owner of `dewilg`, logged in.
async fn with_initiative(db: &TestDb) -> (TestNode, Browser) {
    let node = TestNode::start(db, "Oss").await;
    let password = user(&node, "anna").await;
    let mut anna = Browser::new(&node.url(""), "nl");
    anna.log_in("anna", &password).await;
    anna.get("/dashboard/initiatives/new").await;
    let made = anna
        .post(
            "/dashboard/initiatives/new",
            &[
                ("name", "De Wilg"),
                ("handle", "dewilg"),
                (
                    "summary",
                    "Samen **groente** kweken.\n\nIedereen is welkom.",
                ),
                ("themes", "groen"),
                ("neighbourhood", "Oss-Oost"),
                ("location", "Oss"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    (node, anna)
}

async fn logged_in(node: &TestNode, name: &str) -> Browser {
    let password = user(node, name).await;
    let mut browser = Browser::new(&node.url(""), "nl");
    browser.log_in(name, &password).await;
    browser
}

async fn owners_edit_the_profile_and_others_may_not(db: TestDb) {
    let (node, mut anna) = with_initiative(&db).await;
    let overview = anna.get("/dashboard").await;
    assert_eq!(
        overview.attr(".card a[href$='/edit']", "href").as_deref(),
        Some("/dashboard/i/dewilg/edit")
    );
    let form = anna.get("/dashboard/i/dewilg/edit").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    assert_eq!(form.attr("#name", "value").as_deref(), Some("De Wilg"));
    assert_eq!(
        form.text("#summary"),
        "Samen groente kweken. Iedereen is welkom."
    );
    assert_eq!(form.attr("#themes", "value").as_deref(), Some("groen"));
    assert!(form.attr("#handle", "value").is_none(), "the handle stays");

    let changed = [
        ("name", "Buurttuin De Wilg"),
        ("summary", "Nu ook met *kippen*."),
        ("themes", "groen, dieren"),
        ("neighbourhood", "Oss-West"),
        ("location", "Oss"),
        ("website", "geen adres"),
    ];
    let refused = anna.post("/dashboard/i/dewilg/edit", &changed).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_error("website").contains("https://"));
    assert_eq!(
        refused.attr("#name", "value").as_deref(),
        Some("Buurttuin De Wilg")
    );
    assert_eq!(refused.text("#summary"), "Nu ook met *kippen*.");

    let mut fixed = changed;
    fixed[5] = ("website", "https://dewilg.example");
    let saved = anna.post("/dashboard/i/dewilg/edit", &fixed).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert_eq!(saved.location(), "/i/dewilg");
    let page = anna.get("/i/dewilg").await;
    assert_eq!(page.text("h1"), "Buurttuin De Wilg");
    assert_eq!(page.text(".profile__body .prose em"), "kippen");
    assert!(page.text(".facts").contains("Oss-West"));
    assert!(page.text(".facts").contains("#dieren"));
    assert!(page.text(".facts").contains("https://dewilg.example"));

    // Someone who is not an owner may not.
    let mut bert = logged_in(&node, "bert").await;
    assert_eq!(
        bert.get("/dashboard/i/dewilg/edit").await.status,
        StatusCode::FORBIDDEN
    );
    bert.get("/dashboard").await;
    let tried = bert
        .post("/dashboard/i/dewilg/edit", &[("name", "Van mij")])
        .await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);
    anna.get("/dashboard/i/dewilg/members").await;
    anna.post(
        "/dashboard/i/dewilg/members",
        &[("member_username", "bert"), ("role", "member")],
    )
    .await;
    assert_eq!(
        bert.get("/dashboard/i/dewilg/edit").await.status,
        StatusCode::FORBIDDEN,
        "members do not edit the profile"
    );
    assert_eq!(anna.get("/i/dewilg").await.text("h1"), "Buurttuin De Wilg");
}

async fn owners_manage_members_and_the_contact_person(db: TestDb) {
    let (node, mut anna) = with_initiative(&db).await;
    let mut bert = logged_in(&node, "bert").await;
    let members = "/dashboard/i/dewilg/members";
    let page = anna.get(members).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.text("#members").contains("anna"));

    let unknown = anna
        .post(
            members,
            &[("member_username", "niemand"), ("role", "member")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown
            .field_error("member_username")
            .contains("niemand met")
    );
    assert_eq!(
        unknown.attr("#member_username", "value").as_deref(),
        Some("niemand")
    );

    let added = anna
        .post(members, &[("member_username", "bert"), ("role", "member")])
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let page = anna.get(&added.location()).await;
    assert!(page.text(".notice").contains("toegevoegd"));
    assert!(page.text("#members").contains("@bert · lid"));
    let again = anna
        .post(members, &[("member_username", "bert"), ("role", "owner")])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.field_error("member_username").contains("al lid"));

    // Members see the list; only owners change it.
    let seen = bert.get(members).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.attr("#member_username", "name").is_none());
    let page = bert.get("/i/dewilg").await;
    assert!(
        page.attr("a[href='/dashboard/i/dewilg/members']", "href")
            .is_some()
    );
    assert!(
        page.attr("a[href='/dashboard/i/dewilg/edit']", "href")
            .is_none()
    );
    let tried = bert
        .post(
            "/dashboard/i/dewilg/members/remove",
            &[("username", "anna")],
        )
        .await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);

    // The contact person is a member; they stay until another is chosen.
    let contact = "/dashboard/i/dewilg/members/contact";
    let outsider = anna.post(contact, &[("username", "carla")]).await;
    assert_eq!(outsider.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = anna
        .post(
            "/dashboard/i/dewilg/members/remove",
            &[("username", "anna")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.field_error("members").contains("contactpersoon"));
    let changed = anna.post(contact, &[("username", "bert")]).await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.html);
    let page = anna.get("/i/dewilg").await;
    assert!(
        page.text(".facts").contains("Contactpersoon bert"),
        "{}",
        page.text(".facts")
    );

    // The last owner stays.
    let last = anna
        .post(
            "/dashboard/i/dewilg/members/remove",
            &[("username", "anna")],
        )
        .await;
    assert_eq!(last.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(last.field_error("members").contains("beheerder"));

    anna.post(contact, &[("username", "anna")]).await;
    let removed = anna
        .post(
            "/dashboard/i/dewilg/members/remove",
            &[("username", "bert")],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.html);
    let page = anna.get(members).await;
    assert!(!page.text("#members").contains("bert"));
    assert!(
        anna.get("/i/dewilg")
            .await
            .text(".facts")
            .contains("Contactpersoon anna")
    );
    assert_eq!(bert.get(members).await.status, StatusCode::FORBIDDEN);
}

async fn stories_are_edited_and_deleted_from_the_dashboard(db: TestDb) {
    let (node, mut anna) = with_initiative(&db).await;
    let new_story = "/dashboard/i/dewilg/stories/new";
    anna.get(new_story).await;
    let published = anna
        .post_multipart(
            new_story,
            &[
                ("title", "Eerste oogst"),
                ("content", "We hebben **tomaten** geoogst."),
                ("themes", "groen"),
                ("visibility", "public"),
            ],
            None,
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.html
    );
    let story_path = published.location();
    let id = story_path.rsplit('/').next().expect("id").to_owned();
    let edit = format!("/dashboard/stories/{id}/edit");

    let page = anna.get(&story_path).await;
    assert_eq!(
        page.attr(&format!("a[href='{edit}']"), "href"),
        Some(edit.clone())
    );
    let visitor_page = Browser::new(&node.url(""), "nl").get(&story_path).await;
    assert!(
        visitor_page
            .attr(&format!("a[href='{edit}']"), "href")
            .is_none()
    );

    let form = anna.get(&edit).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    assert_eq!(
        form.attr("#title", "value").as_deref(),
        Some("Eerste oogst")
    );
    assert_eq!(form.text("#content"), "We hebben **tomaten** geoogst.");
    assert_eq!(form.attr("#themes", "value").as_deref(), Some("groen"));

    let untitled = anna
        .post_multipart(
            &edit,
            &[
                ("title", ""),
                ("content", "Nu ook **pompoenen**."),
                ("visibility", "public"),
            ],
            None,
        )
        .await;
    assert_eq!(untitled.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(untitled.field_error("title").contains("titel"));
    assert_eq!(untitled.text("#content"), "Nu ook **pompoenen**.");

    let saved = anna
        .post_multipart(
            &edit,
            &[
                ("title", "Tweede oogst"),
                ("content", "Nu ook **pompoenen**."),
                ("themes", "groen, voedsel"),
                ("visibility", "public"),
            ],
            None,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert_eq!(saved.location(), story_path);
    let page = anna.get(&story_path).await;
    assert_eq!(page.text("h1"), "Tweede oogst");
    assert_eq!(page.text(".prose strong"), "pompoenen");
    assert!(page.text(".tag-list").contains("#voedsel"));

    // Someone else may not; the delete page asks first.
    let mut bert = logged_in(&node, "bert").await;
    assert_eq!(bert.get(&edit).await.status, StatusCode::FORBIDDEN);
    let delete = format!("/dashboard/stories/{id}/delete");
    assert_eq!(bert.get(&delete).await.status, StatusCode::FORBIDDEN);
    let asked = anna.get(&delete).await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.text("main").contains("Tweede oogst"));
    assert!(anna.get("/").await.text("main").contains("Tweede oogst"));
    anna.get(&delete).await;
    let deleted = anna.post(&delete, &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.html);
    assert_eq!(deleted.location(), "/i/dewilg");
    let home = anna.get("/").await;
    assert!(!home.text("main").contains("Tweede oogst"));
    assert!(home.text("main").contains("nog geen verhalen"));
    assert_eq!(anna.get(&edit).await.status, StatusCode::GONE);
}
