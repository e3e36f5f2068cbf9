//! A dealer's profile: its IANA time zone is validated (an unknown zone → 422 naming the field,
//! nothing stored), stored, and published in `dealer.dealer_changed.v1` for other modules.

use crate::common::{outbox_events, problem, spawn_seeded_app, EVM};
use contracts::seed as demo;
use serde_json::{json, Value};

#[tokio::test]
async fn a_dealers_time_zone_is_checked_stored_and_published() {
    let app = spawn_seeded_app().await;
    let evm = app.token(EVM).await;

    let body = json!({ "code": "DLR-C", "name": "Da Nang EV", "region": "Central", "city": "Da Nang",
                       "taxNumber": "0401234567", "timeZone": "Asia/Saigon_Typo" });
    let refused = problem(app.post_as(&evm, "/api/v1/dealers", &body).await, 422).await;
    assert_eq!(refused["errors"][0]["field"], "timeZone");
    let mut body = body;
    body["timeZone"] = json!("Asia/Ho_Chi_Minh");
    let created = app.post_as(&evm, "/api/v1/dealers", &body).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["timeZone"], "Asia/Ho_Chi_Minh");

    let path = format!("/api/v1/dealers/{}", demo::DEALER_B);
    let dealer: Value = app.get_as(&evm, &path).await.json().await.unwrap();
    assert_eq!(
        dealer["timeZone"], "Asia/Ho_Chi_Minh",
        "the demo dealers are in Vietnam"
    );
    let refused = app
        .patch_as(
            &evm,
            &path,
            &json!({ "timeZone": "UTC+7", "version": dealer["version"] }),
        )
        .await;
    assert_eq!(
        problem(refused, 422).await["errors"][0]["field"],
        "timeZone"
    );
    let unchanged: Value = app.get_as(&evm, &path).await.json().await.unwrap();
    assert_eq!(unchanged["version"], dealer["version"]);
    let moved: Value = app
        .patch_as(
            &evm,
            &path,
            &json!({ "timeZone": "Asia/Bangkok", "version": dealer["version"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(moved["timeZone"], "Asia/Bangkok");
    let published: Vec<Value> = outbox_events(&app, "dealer")
        .await
        .into_iter()
        .filter(|(name, payload)| {
            name == "dealer.dealer_changed.v1" && payload["dealerId"] == demo::DEALER_B.to_string()
        })
        .map(|(_, payload)| payload)
        .collect();
    assert_eq!(published.last().unwrap()["timeZone"], "Asia/Bangkok");

    // An empty zone removes it: the consumers' default applies.
    let cleared: Value = app
        .patch_as(
            &evm,
            &path,
            &json!({ "timeZone": "", "version": moved["version"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["timeZone"], Value::Null);
}
