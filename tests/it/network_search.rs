//! Network-wide search over real HTTP: the JSON API (`/api/v1/directory/search`) and the
//! `/netwerk` pages, on an index filled as syncing would fill it, with a stand-in geocoder.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::get;
use chrono::NaiveDate;
use kwartier::db::directory::EntryFields;
use kwartier::service::directory;
use kwartier::test_both_backends;
use kwartier::testing::{TestDb, TestNode};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::web::{Browser, user};

test_both_backends!(
    the_api_finds_by_stemmed_text_and_by_theme_in_any_spelling,
    the_api_finds_by_distance_nearest_first_and_by_kind,
    the_api_refuses_bad_input_with_400,
    the_network_page_keeps_the_form_and_offers_following,
    places_and_postcodes_go_to_the_geocoder_once,
    every_query_plan_gives_the_same_answer,
);

/// A place's name, latitude and longitude.
type Place = (&'static str, f64, f64);

/// Name, kind, place, day of last activity in November, themes.
type Seed = (
    &'static str,
    &'static str,
    Option<Place>,
    Option<u32>,
    &'static [&'static str],
);

/// An entry as a peer's directory would give it.
async fn entry(
    node: &TestNode,
    (name, kind): (&str, &str),
    (place, at): (Option<Place>, Option<u32>),
    themes: &[&str],
) -> String {
    let host = format!(
        "{}.example",
        name.split_whitespace().last().unwrap().to_lowercase()
    );
    let slug: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let ap_id = format!("https://{host}/i/{slug}");
    let day = NaiveDate::from_ymd_opt(2026, 11, 1)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap();
    let fields = EntryFields {
        ap_id: ap_id.clone(),
        node: host.clone(),
        kind: kind.to_owned(),
        name: name.to_owned(),
        handle: format!("{slug}@{host}"),
        summary: format!("{name}: samen doen in de buurt."),
        url: Some(ap_id.clone()),
        place_name: place.map(|p| p.0.to_owned()),
        latitude: place.map(|p| p.1),
        longitude: place.map(|p| p.2),
        follower_count: 3,
        last_activity_at: at.map(|d| day + chrono::Duration::days(i64::from(d))),
        updated_at: day,
        synced_at: day,
    };
    let themes: Vec<String> = themes.iter().map(|t| (*t).to_owned()).collect();
    let mut conn = node.state.db.conn().await.expect("connection");
    directory::index(&mut conn, &fields, &themes)
        .await
        .expect("index an entry");
    ap_id
}

const OSS: Place = ("Oss", 51.765, 5.518);

/// Five entries around Oss and one far away.
async fn fill(node: &TestNode) {
    let initiative = "initiative";
    let entries: [Seed; 5] = [
        (
            "Buurtmoestuin De Kolk Oss",
            initiative,
            Some(OSS),
            Some(3),
            &["Groen", "voedsel"],
        ),
        (
            "Zorgcoöperatie Hoogeloon",
            initiative,
            Some(("Hoogeloon", 51.40, 5.26)),
            Some(1),
            &["Gezondheidszorg"],
        ),
        (
            "Taalcafé Nijmegen",
            "group",
            Some(("Nijmegen", 51.84, 5.90)),
            None,
            &["taal", "Care"],
        ),
        (
            "Repair Café Heeten",
            initiative,
            Some(("Heeten", 52.33, 6.27)),
            Some(2),
            &["duurzaamheid"],
        ),
        (
            "Mantelzorgpunt Online",
            initiative,
            None,
            Some(5),
            &["ZÓRG", "mantelzorg"],
        ),
    ];
    for (name, kind, place, day, themes) in entries {
        entry(node, (name, kind), (place, day), themes).await;
    }
}

async fn search(node: &TestNode, query: &str) -> (StatusCode, Value) {
    let response = reqwest::get(node.url(&format!("/api/v1/directory/search?{query}")))
        .await
        .expect("search answers");
    let status = response.status();
    (status, response.json().await.expect("JSON"))
}

fn names(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {body}"))
        .iter()
        .map(|i| i["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn the_api_finds_by_stemmed_text_and_by_theme_in_any_spelling(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    fill(&node).await;

    let (status, body) = search(&node, "q=moestuinen").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(names(&body), ["Buurtmoestuin De Kolk Oss"]);
    let item = &body["items"][0];
    assert_eq!(item["id"], "https://oss.example/i/buurtmoestuindekolkoss");
    assert_eq!(item["node"], "oss.example");
    assert_eq!(item["kind"], "initiative");
    assert_eq!(item["handle"], "buurtmoestuindekolkoss@oss.example");
    assert_eq!(item["place"], "Oss");
    assert_eq!(item["latitude"], 51.765);
    assert_eq!(item["follower_count"], 3);
    assert_eq!(item["last_activity"], "2026-11-04T12:00:00Z");
    assert_eq!(item["themes"], json!(["groen", "voedsel"]));
    assert!(item.get("distance_km").is_none(), "{item}");

    // Words are folded and stemmed; the last one may be half typed; all must match.
    assert_eq!(
        names(&search(&node, "q=ZORGCOOPERATIE").await.1),
        ["Zorgcoöperatie Hoogeloon"]
    );
    assert_eq!(
        names(&search(&node, "q=buurtmoes").await.1),
        ["Buurtmoestuin De Kolk Oss"]
    );
    assert_eq!(
        names(&search(&node, "q=kolk%20buurtmoestuinen").await.1),
        ["Buurtmoestuin De Kolk Oss"]
    );
    assert!(names(&search(&node, "q=moestuin%20nijmegen").await.1).is_empty());
    assert!(names(&search(&node, "q=bu").await.1).is_empty());

    // One theme whatever the language, case or accents; the most recently active first.
    let care = [
        "Mantelzorgpunt Online",
        "Zorgcoöperatie Hoogeloon",
        "Taalcafé Nijmegen",
    ];
    for theme in ["zorg", "Care", "%23ZÓRG", "gezondheidszorg", "HEALTHCARE"] {
        let (status, body) = search(&node, &format!("theme={theme}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(names(&body), care, "{theme}");
    }
    assert_eq!(
        names(&search(&node, "theme=Nature").await.1),
        ["Buurtmoestuin De Kolk Oss"]
    );
    assert_eq!(
        names(&search(&node, "theme=zorg&q=taal").await.1),
        ["Taalcafé Nijmegen"]
    );

    // Pages.
    let (_, first) = search(&node, "limit=2").await;
    assert_eq!(names(&first).len(), 2);
    assert_eq!(first["next_offset"], 2);
    let (_, rest) = search(&node, "limit=2&offset=4").await;
    assert_eq!(names(&rest).len(), 1);
    assert!(rest.get("next_offset").is_none());

    let doc: Value = reqwest::get(node.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/directory/search"]["get"].is_object());
}

async fn the_api_finds_by_distance_nearest_first_and_by_kind(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    fill(&node).await;
    let (status, body) = search(&node, "near=51.765,5.518&radius_km=50").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        names(&body),
        [
            "Buurtmoestuin De Kolk Oss",
            "Taalcafé Nijmegen",
            "Zorgcoöperatie Hoogeloon"
        ]
    );
    let km: Vec<f64> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["distance_km"].as_f64().expect("distance_km"))
        .collect();
    assert_eq!(km[0], 0.0);
    assert!((26.0..29.0).contains(&km[1]), "{km:?}");
    assert!((43.0..47.0).contains(&km[2]), "{km:?}");
    // The default radius is 25 km; a point, theme and text together.
    assert_eq!(
        names(&search(&node, "near=51.765,5.518").await.1),
        ["Buurtmoestuin De Kolk Oss"]
    );
    assert_eq!(
        names(
            &search(&node, "near=51.765,5.518&radius_km=500&theme=care")
                .await
                .1
        ),
        ["Taalcafé Nijmegen", "Zorgcoöperatie Hoogeloon"]
    );
    assert_eq!(
        names(&search(&node, "near=52.3,6.3&radius_km=10&q=repair").await.1),
        ["Repair Café Heeten"]
    );
    assert_eq!(
        names(&search(&node, "kind=group").await.1),
        ["Taalcafé Nijmegen"]
    );
    assert_eq!(
        names(&search(&node, "kind=initiative&theme=zorg").await.1).len(),
        2
    );
}

/// A search starts from a word's or theme's ids when they are few, else walks the result order;
/// whichever it does, the answer must be the same, page by page.
async fn every_query_plan_gives_the_same_answer(db: TestDb) {
    use kwartier::db::directory_search::{FEW, find_starting_below};
    use kwartier::service::directory::search::Query;

    let node = TestNode::start(&db, "Oss").await;
    fill(&node).await;
    let themes: [&[&str]; 3] = [&["zorg", "groen"], &["groen"], &["eenzaamheid"]];
    for n in 0..24_u32 {
        let name: &'static str = Box::leak(format!("Buurtkamer {n} Oss").into_boxed_str());
        let place = ("Oss", 51.70 + f64::from(n) * 0.01, 5.518);
        // Some never active, many on the same day: ties are broken by followers, then id.
        let day = (n % 4 != 0).then_some(n % 3);
        let kind = if n % 5 == 0 { "group" } else { "initiative" };
        entry(
            &node,
            (name, kind),
            (Some(place), day),
            themes[n as usize % 3],
        )
        .await;
    }
    let query = |text: Option<&str>, theme: Option<&str>, near: Option<(f64, f64)>| Query {
        text: text.map(str::to_owned),
        theme: theme.map(str::to_owned),
        near,
        radius_km: near.map(|_| 30.0),
        limit: 7,
        ..Query::default()
    };
    let queries = [
        query(None, None, None),
        query(Some("buurtkamer"), None, None),
        query(Some("buurtk"), None, None),
        query(Some("samen buurt"), None, None),
        query(None, Some("Zorg"), None),
        query(Some("buurtkamer"), Some("groen"), None),
        query(None, None, Some(OSS_POINT)),
        query(Some("buurtkamer"), None, Some(OSS_POINT)),
        query(None, Some("groen"), Some((51.80, 5.52))),
        Query {
            kind: Some("group".into()),
            ..query(None, Some("zorg"), None)
        },
        query(Some("onbekendwoord"), None, None),
    ];
    let mut conn = node.state.db.conn().await.expect("connection");
    let mut answered = 0;
    for query in &queries {
        for offset in [0, 7] {
            let mut filter = query.filter();
            filter.offset = offset;
            let ids = |entries: Vec<kwartier::db::directory::Entry>| -> Vec<String> {
                entries.into_iter().map(|e| e.ap_id).collect()
            };
            let walked = ids(find_starting_below(&mut conn, &filter, 0).await.unwrap());
            for few in [1, 5, FEW] {
                let started = ids(find_starting_below(&mut conn, &filter, few).await.unwrap());
                assert_eq!(started, walked, "{query:?} offset {offset}, few {few}");
            }
            answered += usize::from(walked.len() > 1);
        }
    }
    assert!(answered >= 12, "too few queries found anything: {answered}");
}

const OSS_POINT: (f64, f64) = (OSS.1, OSS.2);

async fn the_api_refuses_bad_input_with_400(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    fill(&node).await;
    for (query, names_field) in [
        ("near=oss", "near"),
        ("near=51.7", "near"),
        ("near=91,5", "near"),
        ("near=51.7,5.5,1", "near"),
        ("near=51.7,5.5&radius_km=-1", "radius_km"),
        ("near=51.7,5.5&radius_km=501", "radius_km"),
        ("radius_km=veel", "radius_km"),
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("limit=-3", "limit"),
        ("offset=99999", "offset"),
        ("kind=person", "kind"),
    ] {
        let (status, body) = search(&node, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        let message = body["error"].as_str().unwrap_or_default();
        assert!(message.starts_with(names_field), "{query}: {message}");
    }
    // Odd text is only text.
    let (status, body) = search(
        &node,
        "q=%27%3B%20DROP%20TABLE%20directory_entry%3B--&theme=%00",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut browser = Browser::new(&node.url(""), "nl");
    let page = browser.get("/netwerk?place=Oss%00&theme=%00zorg").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
}

async fn the_network_page_keeps_the_form_and_offers_following(db: TestDb) {
    let node = TestNode::start(&db, "Oss").await;
    fill(&node).await;
    let mut browser = Browser::new(&node.url(""), "nl");
    let home = browser.get("/").await;
    assert!(home.texts(".site-nav a").contains(&"Netwerk".to_owned()));

    let page = browser
        .get("/netwerk?q=moestuin&place=oss&radius=50&theme=groen")
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(page.text("h1"), "Zoeken in het netwerk");
    assert_eq!(page.attr("#q", "value").as_deref(), Some("moestuin"));
    assert_eq!(page.attr("#place", "value").as_deref(), Some("oss"));
    assert_eq!(page.text("#radius option[selected]"), "binnen 50 km");
    assert_eq!(page.text("#theme option[selected]"), "Groen");
    assert_eq!(
        page.texts(".network-card .card__title"),
        ["Buurtmoestuin De Kolk Oss"]
    );
    let meta = page.text(".network-card .card__meta");
    assert!(
        meta.contains("Initiatief · Oss · 0,0 km · op oss.example"),
        "{meta}"
    );
    assert_eq!(page.texts(".network-card .tag"), ["Groen", "Voedsel"]);
    assert!(
        page.text(".copy-handle")
            .contains("@buurtmoestuindekolkoss@oss.example")
    );
    assert!(
        page.attr(
            "form[action='/netwerk/remote-follow'] input[name=account]",
            "id"
        )
        .is_some()
    );
    assert_eq!(
        page.attr(".view-switch a", "href").as_deref(),
        Some("/netwerk/kaart?q=moestuin&theme=groen&place=oss&radius=50")
    );

    // English, curated names in English; a place nobody knows.
    let mut english = Browser::new(&node.url(""), "en");
    let page = english.get("/netwerk?theme=Care").await;
    assert_eq!(page.text("#theme option[selected]"), "Care");
    assert_eq!(page.texts(".network-card .card__title").len(), 3);
    let unknown = english.get("/netwerk?place=Nergenshuizen").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.field_error("place").contains("not found"));
    assert_eq!(
        unknown.attr("#place", "value").as_deref(),
        Some("Nergenshuizen")
    );
    let map = english.get("/netwerk/kaart?theme=zorg").await;
    assert_eq!(map.status, StatusCode::OK);
    assert_eq!(map.texts(".network-card .card__title").len(), 3);

    // Someone from here follows an initiative the index lists; the page then says so.
    let api = node.user_with_token("anna").await;
    api.create_initiative("wijktuin", "Wijktuin Oss-Oost").await;
    let own = node.url("/i/wijktuin");
    let mut conn = node.state.db.conn().await.unwrap();
    let fields = EntryFields {
        ap_id: own.clone(),
        node: node.state.config.domain.clone(),
        kind: "initiative".into(),
        name: "Wijktuin Oss-Oost".into(),
        handle: format!("wijktuin@{}", node.state.config.domain),
        summary: "Samen tuinieren in Oss-Oost.".into(),
        url: Some(own.clone()),
        place_name: Some("Oss".into()),
        latitude: Some(51.77),
        longitude: Some(5.53),
        follower_count: 0,
        last_activity_at: None,
        updated_at: chrono::Utc::now().naive_utc(),
        synced_at: chrono::Utc::now().naive_utc(),
    };
    directory::index(&mut conn, &fields, &["groen".into()])
        .await
        .unwrap();
    drop(conn);
    let password = user(&node, "bert").await;
    browser.log_in("bert", &password).await;
    let page = browser.get("/netwerk?q=wijktuin").await;
    assert_eq!(page.text(".network-card button"), "Volg Wijktuin Oss-Oost");
    assert!(page.texts(".copy-handle").is_empty());
    let back = "/netwerk?q=wijktuin";
    let followed = browser
        .post("/netwerk/follow", &[("id", &own), ("back", back)])
        .await;
    assert_eq!(followed.status, StatusCode::SEE_OTHER, "{}", followed.html);
    assert_eq!(followed.location(), back);
    assert_eq!(
        node.follow_state("bert", &own).await.as_deref(),
        Some("accepted")
    );
    let page = browser.get(back).await;
    assert_eq!(page.text(".network-card .following"), "U volgt dit.");
    // Only what the index lists can be followed from here.
    let browser_page = browser.get(back).await;
    assert_eq!(browser_page.status, StatusCode::OK);
    let refused = browser
        .post(
            "/netwerk/follow",
            &[("id", "https://elders.example/u/x"), ("back", back)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    // A remote follow with a bad account shows at the card, keeping what was typed.
    let mut visitor = Browser::new(&node.url(""), "nl");
    visitor.get(back).await;
    let bad = visitor
        .post(
            "/netwerk/remote-follow",
            &[("id", &own), ("account", "joke"), ("back", back)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text(".network-card .field__error")
            .contains("@naam@server")
    );
    assert_eq!(bad.attr("#account-1", "value").as_deref(), Some("joke"));
}

/// A stand-in for PDOK's Locatieserver: answers every question with one point, and counts.
async fn geocoder() -> (String, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let app = Router::new().route(
        "/free",
        get(
            move |query: axum::extract::Query<std::collections::HashMap<String, String>>| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    let docs = if query.get("q").map(String::as_str) == Some("5341 AB") {
                        json!([{"weergavenaam": "5341AB Oss", "centroide_ll": "POINT(5.52 51.76)"}])
                    } else {
                        json!([])
                    };
                    axum::Json(json!({"response": {"numFound": 1, "start": 0, "docs": docs}}))
                }
            },
        ),
    );
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://localhost:{port}/free"), asked, task)
}

async fn places_and_postcodes_go_to_the_geocoder_once(db: TestDb) {
    let (url, asked, server) = geocoder().await;
    let node = TestNode::start_with(&db, "Oss", "127.0.0.1:0".parse().unwrap(), |config| {
        config.search.geocoder_url = Some(url.parse().unwrap());
    })
    .await;
    fill(&node).await;
    let mut browser = Browser::new(&node.url(""), "nl");
    // A place the index knows needs no outside call.
    let page = browser.get("/netwerk?place=Nijmegen&radius=10").await;
    assert_eq!(
        page.texts(".network-card .card__title"),
        ["Taalcafé Nijmegen"]
    );
    assert_eq!(asked.load(Ordering::SeqCst), 0);
    // A postcode goes to the geocoder, once.
    for _ in 0..2 {
        let page = browser.get("/netwerk?place=5341+AB&radius=5").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        assert_eq!(
            page.texts(".network-card .card__title"),
            ["Buurtmoestuin De Kolk Oss"]
        );
    }
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    let unknown = browser.get("/netwerk?place=Atlantis").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(asked.load(Ordering::SeqCst), 2);
    // A geocoder that is gone means "not found", not a broken page.
    server.abort();
    let gone = browser.get("/netwerk?place=Ravenstein").await;
    assert_eq!(gone.status, StatusCode::UNPROCESSABLE_ENTITY);
}
