//! Templates: the shipped ones listed, an override checked on save (unknown variable → 422),
//! previewed, used for real messages, and removed again; admins only.

use super::{await_deliveries, await_directory, common, inbox, order_approved, publish_as_module};
use common::{problem, ADMIN, MANAGER_A};
use contracts::seed::DEALER_A;
use serde_json::{json, Value};

const SLOT: &str =
    "/api/v1/notifications/templates/manufacturer.dealer_order_approved.v1/in_app/en";

#[tokio::test]
async fn admins_override_check_preview_and_reset_templates() {
    let app = common::spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;

    let all: Vec<Value> = app
        .get_as(&admin, "/api/v1/notifications/templates?locale=vi")
        .await
        .json()
        .await
        .unwrap();
    assert!(all.len() > 20);
    assert!(all
        .iter()
        .all(|t| t["locale"] == "vi" && t["source"] == "default"));
    let shipped: Value = app.get_as(&admin, SLOT).await.json().await.unwrap();
    assert_eq!(shipped["subject"], "Order {{ orderNumber }} approved");
    assert!(shipped["variables"]
        .as_array()
        .unwrap()
        .contains(&json!("orderNumber")));

    let typo = app
        .put_as(
            &admin,
            SLOT,
            &json!({ "subject": "Order {{ ordernumber }} OK", "text": "{{ total | money }}" }),
        )
        .await;
    let body = problem(typo, 422).await;
    assert_eq!(body["errors"][0]["field"], "subject");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("ordernumber"));
    let broken = app
        .put_as(&admin, SLOT, &json!({ "subject": "{% if %}", "text": "x" }))
        .await;
    problem(broken, 422).await;
    let unrouted = app
        .put_as(
            &admin,
            "/api/v1/notifications/templates/manufacturer.dealer_order_approved.v1/sms/en",
            &json!({ "subject": "x", "text": "x" }),
        )
        .await;
    assert_eq!(
        problem(unrouted, 422).await["errors"][0]["field"],
        "channel"
    );

    let saved = app
        .put_as(&admin, SLOT, &json!({ "subject": "Approved: {{ orderNumber }}", "text": "Total {{ total | money }}" }))
        .await;
    assert_eq!(saved.status(), 200);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(
        (saved["source"].as_str(), saved["version"].as_i64()),
        (Some("custom"), Some(1))
    );

    let preview: Value = app
        .post_as(&admin, "/api/v1/notifications/templates/preview", &json!({
            "event": "manufacturer.dealer_order_approved.v1", "channel": "in_app", "locale": "en",
            "payload": { "orderNumber": "DO-X", "dealerId": contracts::seed::DEALER_A, "orderId": uuid::Uuid::now_v7(),
                         "approvedBy": uuid::Uuid::now_v7(), "total": 12345 } }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (preview["subject"].as_str(), preview["text"].as_str()),
        (Some("Approved: DO-X"), Some("Total 123.45"))
    );
    let email_preview: Value = app
        .post_as(
            &admin,
            "/api/v1/notifications/templates/preview",
            &json!({
            "event": "manufacturer.dealer_order_approved.v1", "channel": "email", "locale": "vi" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(email_preview["html"]
        .as_str()
        .unwrap()
        .contains("<p>Xin chào Sample Recipient,</p>"));

    // Reminders have shipped templates too, previewed with their samples.
    for (event, channel, locale, expected) in [
        (
            "notification.instalment_due_soon.v1",
            "sms",
            "vi",
            "ky tra gop 3",
        ),
        (
            "notification.instalment_due_soon.v1",
            "email",
            "en",
            "Instalment 3 is due on",
        ),
        (
            "notification.test_drive_reminder.v1",
            "in_app",
            "en",
            "Reminder: test drive on",
        ),
        (
            "notification.test_drive_reminder.v1",
            "email",
            "vi",
            "Nhắc lịch lái thử",
        ),
    ] {
        let preview: Value = app
            .post_as(
                &admin,
                "/api/v1/notifications/templates/preview",
                &json!({ "event": event, "channel": channel, "locale": locale }),
            )
            .await
            .json()
            .await
            .unwrap();
        let shown = format!("{} {}", preview["subject"], preview["text"]);
        assert!(
            shown.contains(expected),
            "{event} {channel} {locale}: {shown}"
        );
    }

    // Real messages use the override.
    await_directory(&app, &admin).await;
    let id = publish_as_module(&app, &order_approved(DEALER_A, "DO-A-42")).await;
    await_deliveries(&app, &admin, &format!("eventId={id}&channel=in_app"), 1).await;
    let manager = app.token(MANAGER_A).await;
    let items = inbox(&app, &manager, "").await;
    assert!(items.iter().any(|i| i["title"] == "Approved: DO-A-42"));

    problem(
        app.put_as(&manager, SLOT, &json!({ "subject": "x", "text": "x" }))
            .await,
        403,
    )
    .await;
    let reset = app
        .client
        .delete(app.url(SLOT))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    let reset: Value = reset.json().await.unwrap();
    assert_eq!(reset["source"], "default");
    let again = app
        .client
        .delete(app.url(SLOT))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    problem(again, 404).await;
}
