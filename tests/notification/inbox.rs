//! The in-app inbox: paging and the unread filter, read / unread / read-all / archive, and each
//! user seeing only their own items.

use super::{await_deliveries, await_directory, common, inbox, order_approved, publish_as_module};
use common::{problem, ADMIN, MANAGER_A, MANAGER_B};
use contracts::seed::DEALER_A;
use serde_json::{json, Value};

async fn unread(app: &common::TestApp, token: &str) -> i64 {
    let body: Value = app
        .get_as(token, "/api/v1/notifications/unread-count")
        .await
        .json()
        .await
        .unwrap();
    body["unread"].as_i64().unwrap()
}

#[tokio::test]
async fn the_inbox_marks_items_read_unread_and_archived_for_their_owner_only() {
    let app = common::spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;
    let manager = app.token(MANAGER_A).await;
    // What the seeded data raised is read first, so the counts below are this test's.
    app.post_as(&manager, "/api/v1/notifications/read-all", &json!({}))
        .await;
    let seeded = inbox(&app, &manager, "").await.len();
    for number in ["DO-A-1", "DO-A-2", "DO-A-3"] {
        let id = publish_as_module(&app, &order_approved(DEALER_A, number)).await;
        await_deliveries(&app, &admin, &format!("eventId={id}&channel=in_app"), 1).await;
    }
    let items = inbox(&app, &manager, "").await;
    assert_eq!(items.len(), seeded + 3);
    assert_eq!(items[0]["title"], "Order DO-A-3 approved", "newest first");
    assert!(items[..3].iter().all(|i| i["read"] == false));
    assert_eq!(unread(&app, &manager).await, 3);
    assert_eq!(inbox(&app, &manager, "unread=true").await.len(), 3);

    let page: Value = app
        .get_as(
            &manager,
            "/api/v1/notifications?pageSize=2&page=2&unread=true",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            page["total"].as_i64(),
            page["items"].as_array().unwrap().len()
        ),
        (Some(3), 1)
    );

    let first = items[0]["id"].as_str().unwrap();
    let read = app
        .post_as(
            &manager,
            &format!("/api/v1/notifications/{first}/read"),
            &json!({}),
        )
        .await;
    assert_eq!(read.status(), 200);
    let read: Value = read.json().await.unwrap();
    assert_eq!(read["read"], true);
    assert_eq!(unread(&app, &manager).await, 2);
    assert_eq!(inbox(&app, &manager, "unread=true").await.len(), 2);
    let again = app
        .post_as(
            &manager,
            &format!("/api/v1/notifications/{first}/unread"),
            &json!({}),
        )
        .await;
    assert_eq!(again.status(), 200);
    assert_eq!(unread(&app, &manager).await, 3);

    // Another user cannot see or touch it.
    let other = app.token(MANAGER_B).await;
    for action in ["read", "unread", "archive"] {
        problem(
            app.post_as(
                &other,
                &format!("/api/v1/notifications/{first}/{action}"),
                &json!({}),
            )
            .await,
            404,
        )
        .await;
    }
    assert!(inbox(&app, &other, "")
        .await
        .iter()
        .all(|i| i["id"] != items[0]["id"]));
    assert_eq!(unread(&app, &manager).await, 3);

    let archived = app
        .post_as(
            &manager,
            &format!("/api/v1/notifications/{first}/archive"),
            &json!({}),
        )
        .await;
    assert_eq!(archived.status(), 200);
    assert_eq!(inbox(&app, &manager, "").await.len(), seeded + 2);
    let archive = inbox(&app, &manager, "archived=true").await;
    assert_eq!(archive.len(), 1);
    assert_eq!(archive[0]["read"], true);

    let all: Value = app
        .post_as(&manager, "/api/v1/notifications/read-all", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["marked"], 2);
    assert_eq!(unread(&app, &manager).await, 0);
    problem(
        app.post_as(
            &manager,
            &format!("/api/v1/notifications/{}/read", uuid::Uuid::now_v7()),
            &json!({}),
        )
        .await,
        404,
    )
    .await;
}
