//! Theme groups across nodes. Oss hosts the group "zorgnetwerk" with anna as moderator; carla
//! on Deventer joins it; bert's initiative on Heeten joins it and shares a story to it. The
//! group checks and announces the story (both `Announce(Create)` and `Announce(Article)`), so
//! it reaches carla; a non-member's story is refused; a locked thread takes no replies; anna's
//! removal reaches Deventer. Hostile deliveries (a non-member's Create, a forged Announce) are
//! refused with a 4xx and store nothing. A new moderator is announced with `Add`, and a
//! node where a member is keeps the group's moderators.

use std::time::Duration;

use kwartier::service::theme_group;
use kwartier::test_both_backends;
use kwartier::testing::{Api, TestDb, TestNode, ThreeNodes, eventually};
use reqwest::StatusCode;
use serde_json::{Value, json};

test_both_backends!(a_group_announces_its_members_posts_across_nodes);
test_both_backends!(hostile_group_deliveries_are_refused);

const DEADLINE: Duration = Duration::from_secs(20);
const GROUP: &str = "zorgnetwerk";

async fn comment(api: &Api, story: &str, content: &str) {
    let (status, body) = api
        .post(&format!("{story}/comments"), json!({"content": content}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// The group's accepted posts as its API lists them.
async fn posts(api: &Api) -> Vec<Value> {
    let (status, group) = api.get(&format!("/api/v1/groups/{GROUP}")).await;
    assert_eq!(status, StatusCode::OK, "{group}");
    group["posts"].as_array().cloned().unwrap_or_default()
}

async fn a_group_announces_its_members_posts_across_nodes(db: TestDb) {
    let ThreeNodes {
        oss,
        heeten,
        deventer,
        anna,
        bert,
        carla,
        heeten_db: _heeten_db,
        deventer_db: _deventer_db,
    } = ThreeNodes::start(&db).await;
    oss.create_group(GROUP, Some("anna")).await;
    let group_id = oss.url(&format!("/g/{GROUP}"));
    let handle = oss.handle(GROUP);

    // carla joins as a person, bert's initiative as an initiative (group-to-group).
    let (status, body) = carla
        .post("/api/v1/follows", json!({"target": handle}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    deventer.until_accepted("carla", &group_id).await;
    bert.create_initiative("buurtzorg", "Buurtzorg Heeten")
        .await;
    bert.join_group("buurtzorg", &handle).await;
    heeten.until_accepted("buurtzorg", &group_id).await;

    // A new moderator is announced with `Add`; Heeten, where a member is, keeps the list.
    let dirk = oss.create_user("dirk", false).await.person;
    {
        let mut conn = oss.state.db.conn().await.unwrap();
        let group = kwartier::db::actor::find_local(&mut conn, GROUP)
            .await
            .unwrap()
            .unwrap();
        assert!(
            theme_group::set_moderator(&oss.state, &mut conn, &group, &dirk, true)
                .await
                .unwrap()
        );
    }
    eventually("Heeten learns the new moderator", DEADLINE, || async {
        let mut conn = heeten.state.db.conn().await.ok()?;
        let group =
            kwartier::db::actor::find_by_ap_id(&mut conn, &url::Url::parse(&group_id).ok()?)
                .await
                .ok()??;
        let moderators = kwartier::db::theme_group::moderators(&mut conn, group.id)
            .await
            .ok()?;
        moderators
            .iter()
            .any(|m| m.ap_id == dirk.ap_id)
            .then_some(())
    })
    .await;

    // A member's story shared to the group reaches carla, who follows only the group.
    let story = bert
        .publish(
            "buurtzorg",
            json!({"title": "Koffieochtend", "content": "Iedere dinsdag koffie.", "groups": [handle]}),
        )
        .await;
    let story_id = story["id"].as_str().unwrap().to_owned();
    let at_deventer = eventually(
        "the group announces the story to Deventer",
        DEADLINE,
        || carla.in_timeline("Koffieochtend"),
    )
    .await;
    assert_eq!(at_deventer["id"], story_id.as_str());
    let listed = posts(&anna).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], story_id.as_str());
    assert_eq!(listed[0]["node"], heeten.state.config.domain.as_str());
    let page = reqwest::get(oss.url(&format!("/g/{GROUP}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Koffieochtend"), "the group page lists it");

    // A non-member's story shared to the group is refused by Oss and never announced.
    let eve = heeten.user_with_token("eve").await;
    eve.create_initiative("eigenwijs", "Eigenwijs").await;
    eve.publish(
        "eigenwijs",
        json!({"title": "Reclame", "content": "Koop nu!", "groups": [handle]}),
    )
    .await;
    let inbox = oss.url(&format!("/g/{GROUP}/inbox"));
    eventually("Oss refuses the non-member's post", DEADLINE, || async {
        heeten
            .delivery_statuses(&inbox)
            .await
            .contains(&Some(403))
            .then_some(())
    })
    .await;
    assert_eq!(posts(&anna).await.len(), 1);
    assert!(carla.in_timeline("Reclame").await.is_none());

    // carla's reply is a member's post too: accepted and announced.
    let deventer_story = at_deventer["api_url"].as_str().unwrap().to_owned();
    comment(&carla, &deventer_story, "Ik kom ook!").await;
    let reply = eventually("the group accepts carla's reply", DEADLINE, || async {
        posts(&anna)
            .await
            .into_iter()
            .find(|p| p["in_reply_to"] == story_id.as_str())
    })
    .await;
    assert_eq!(reply["kind"], "Note");

    // A locked thread takes no more replies.
    let post_id = posts(&anna)
        .await
        .into_iter()
        .find(|p| p["id"] == story_id.as_str())
        .unwrap()["post_id"]
        .as_i64()
        .unwrap();
    let (status, body) = oss
        .user_with_token("fenna")
        .await
        .post(
            &format!("/api/v1/groups/{GROUP}/posts/{post_id}/lock"),
            json!({"locked": true}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only moderators lock: {body}"
    );
    let (status, body) = anna
        .post(
            &format!("/api/v1/groups/{GROUP}/posts/{post_id}/lock"),
            json!({"locked": true}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let refused_before = refused_replies(&deventer, &oss).await;
    comment(&carla, &deventer_story, "Nog een vraag").await;
    eventually(
        "Oss refuses a reply to the locked thread",
        DEADLINE,
        || async { (refused_replies(&deventer, &oss).await > refused_before).then_some(()) },
    )
    .await;
    assert_eq!(posts(&anna).await.len(), 2, "no reply after the lock");

    // The moderator removes the story: the removal reaches Deventer through the group.
    let (status, body) = anna
        .delete(&format!("/api/v1/groups/{GROUP}/posts/{post_id}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(
        posts(&anna)
            .await
            .iter()
            .all(|p| p["id"] != story_id.as_str())
    );
    eventually("the removal reaches Deventer", DEADLINE, || async {
        carla
            .in_timeline("Koffieochtend")
            .await
            .is_none()
            .then_some(())
    })
    .await;
}

/// Deliveries from Deventer that Oss refused as invalid (422).
async fn refused_replies(deventer: &TestNode, oss: &TestNode) -> usize {
    let inbox = oss.url(&format!("/g/{GROUP}/inbox"));
    let shared = oss.url("/inbox");
    let mut statuses = deventer.delivery_statuses(&inbox).await;
    statuses.extend(deventer.delivery_statuses(&shared).await);
    statuses.iter().filter(|s| **s == Some(422)).count()
}

async fn hostile_group_deliveries_are_refused(db: TestDb) {
    let ThreeNodes {
        oss,
        heeten,
        deventer,
        anna: _anna,
        bert: _bert,
        carla,
        heeten_db: _heeten_db,
        deventer_db: _deventer_db,
    } = ThreeNodes::start(&db).await;
    oss.create_group(GROUP, Some("anna")).await;
    let group_id = oss.url(&format!("/g/{GROUP}"));
    let inbox = oss.url(&format!("/g/{GROUP}/inbox"));
    let (status, body) = carla
        .post("/api/v1/follows", json!({"target": oss.handle(GROUP)}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    deventer.until_accepted("carla", &group_id).await;

    // bert is no member: his Create naming the group (audience, cc and a mention) is refused.
    let bert_id = heeten.ap_id_of("bert").await;
    let note = heeten.url("/notes/1");
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": heeten.url("/activities/00000000-0000-4000-8000-000000000001"),
        "type": "Create",
        "actor": bert_id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [group_id],
        "object": {
            "id": note, "type": "Note", "attributedTo": bert_id, "audience": group_id,
            "content": "<p>Hallo @zorgnetwerk</p>",
            "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [group_id],
            "tag": [{"type": "Mention", "href": group_id}]
        }
    });
    let before = oss.effects().await;
    let response = heeten
        .deliver_as("bert", &inbox, create.to_string().as_bytes())
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(oss.effects().await, before, "nothing stored");
    let (_, group) = reqwest::get(oss.url(&format!("/api/v1/groups/{GROUP}")))
        .await
        .unwrap()
        .json::<Value>()
        .await
        .map(|g| ((), g))
        .unwrap();
    assert_eq!(group["posts"], json!([]));

    // An Announce in the group's name, signed by someone else, does not reach carla.
    let forged = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": heeten.url("/activities/00000000-0000-4000-8000-000000000002"),
        "type": "Announce",
        "actor": group_id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": create,
    });
    let before = deventer.effects().await;
    let response = heeten
        .deliver_as(
            "bert",
            &deventer.url("/inbox"),
            forged.to_string().as_bytes(),
        )
        .await;
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_eq!(deventer.effects().await, before, "nothing stored");
}
