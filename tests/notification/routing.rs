//! Who hears of what: tenant isolation of dealer events, exactly once under redelivery, and
//! customers reached only on the channels they consented to, and never after erasure.

use super::{
    await_deliveries, await_directory, await_sent, common, deliveries, inbox_of, order_approved,
    publish_as_module, recipients,
};
use common::{eventually, ADMIN, EVM, MANAGER_A, MANAGER_B, STAFF_A};
use contracts::events::{customer::TestDriveScheduled, dealer::DealerStockLow};
use contracts::seed::{
    DEALER_A, DEALER_A_MAIN_BRANCH, DEALER_B, DEMO_USER_IDS, VARIANT_AURORA_LONG_RANGE,
};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn dealer_events_reach_that_dealers_managers_and_no_one_else() {
    let app = common::spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;

    let for_a = publish_as_module(&app, &order_approved(DEALER_A, "DO-A-7")).await;
    let low_b = DealerStockLow {
        dealer_id: DEALER_B,
        variant_id: VARIANT_AURORA_LONG_RANGE,
        colour_id: Uuid::now_v7(),
        in_stock: 1,
        threshold: 3,
    };
    let for_b = publish_as_module(&app, &low_b).await;

    let manager_a = format!("user:{}", DEMO_USER_IDS[2]);
    let manager_b = format!("user:{}", DEMO_USER_IDS[4]);
    let rows = await_deliveries(&app, &admin, &format!("eventId={for_a}"), 2).await;
    assert_eq!(
        recipients(&rows),
        [
            (manager_a.clone(), "email".into()),
            (manager_a, "in_app".into())
        ]
    );
    let rows = await_deliveries(&app, &admin, &format!("eventId={for_b}"), 2).await;
    assert_eq!(
        recipients(&rows),
        [
            (manager_b.clone(), "email".into()),
            (manager_b, "in_app".into())
        ]
    );

    let approved = "manufacturer.dealer_order_approved.v1";
    let inbox_a = inbox_of(&app, &app.token(MANAGER_A).await, approved).await;
    assert_eq!(inbox_a.len(), 1);
    assert_eq!(inbox_a[0]["title"], "Order DO-A-7 approved");
    assert_eq!(inbox_a[0]["category"], "dealer_orders");
    let manager_b = app.token(MANAGER_B).await;
    assert_eq!(
        inbox_of(&app, &manager_b, "dealer.stock_low.v1")
            .await
            .len(),
        1
    );
    assert!(inbox_of(&app, &manager_b, approved).await.is_empty());
    for other in [STAFF_A, EVM, ADMIN] {
        let token = app.token(other).await;
        assert!(inbox_of(&app, &token, approved).await.is_empty(), "{other}");
        assert!(
            inbox_of(&app, &token, "dealer.stock_low.v1")
                .await
                .is_empty(),
            "{other}"
        );
    }
    // The logged email is recorded as sent by the `log` provider (no SMTP configured).
    let email = await_sent(&app, &admin, for_a, "email").await;
    assert_eq!(email["provider"], "log");
}

/// Makes the relay deliver an already published event again; with `forget_inbox` the
/// notification inbox record goes too, so the handler itself runs a second time.
async fn redeliver(app: &common::TestApp, event_id: Uuid, forget_inbox: bool) {
    let db = common::connect(&app.database).await;
    let backend = db.backend();
    let id = event_id.to_string();
    if forget_inbox {
        db.conn()
            .execute(Statement::from_sql_and_values(
                backend,
                "DELETE FROM \"notification\".\"inbox\" WHERE event_id = $1",
                [id.clone().into()],
            ))
            .await
            .unwrap();
    }
    db.conn()
        .execute(Statement::from_sql_and_values(
            backend,
            "UPDATE \"manufacturer\".\"outbox\" SET status = 'pending', next_attempt_at = 0, \
             claimed_until = NULL, claimed_by = NULL WHERE id = $1",
            [id.into()],
        ))
        .await
        .unwrap();
    db.wake_relays();
}

async fn outbox_published(app: &common::TestApp, event_id: Uuid) -> bool {
    let db = common::connect(&app.database).await;
    let row = db
        .conn()
        .query_one(Statement::from_sql_and_values(
            db.backend(),
            "SELECT status FROM \"manufacturer\".\"outbox\" WHERE id = $1",
            [event_id.to_string().into()],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<String>("", "status").unwrap() == "published"
}

#[tokio::test]
async fn redelivered_events_create_no_second_message() {
    let app = common::spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;
    let manager_a = app.token(MANAGER_A).await;

    let event_id = publish_as_module(&app, &order_approved(DEALER_A, "DO-A-8")).await;
    await_deliveries(&app, &admin, &format!("eventId={event_id}"), 2).await;
    for forget_inbox in [false, true] {
        eventually("published", || async {
            outbox_published(&app, event_id).await.then_some(())
        })
        .await;
        redeliver(&app, event_id, forget_inbox).await;
        eventually("redelivered", || async {
            outbox_published(&app, event_id).await.then_some(())
        })
        .await;
        // Let the handler finish before counting.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(
            deliveries(&app, &admin, &format!("eventId={event_id}"))
                .await
                .len(),
            2
        );
        let items = inbox_of(&app, &manager_a, "manufacturer.dealer_order_approved.v1").await;
        assert_eq!(items.len(), 1);
    }
}

#[tokio::test]
async fn customers_hear_only_on_consented_channels_and_never_after_erasure() {
    let app = common::spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;
    let manager = app.token(MANAGER_A).await;
    let created = app
        .post_as(
            &manager,
            "/api/v1/customers",
            &json!({ "kind": "individual", "fullName": "Linh Nguyen", "phone": "+84 912 345 678",
                     "email": "linh@example.com", "consentEmail": true, "consentSms": false }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let customer: serde_json::Value = created.json().await.unwrap();
    let customer_id: Uuid = customer["id"].as_str().unwrap().parse().unwrap();
    let recipient = format!("customer:{customer_id}");
    let drive = |customer_id| TestDriveScheduled {
        test_drive_id: Uuid::now_v7(),
        dealer_id: DEALER_A,
        branch_id: DEALER_A_MAIN_BRANCH,
        customer_id,
        variant_id: VARIANT_AURORA_LONG_RANGE,
        vin: None,
        starts_at: chrono::Utc::now() + chrono::Duration::days(2),
        ends_at: chrono::Utc::now() + chrono::Duration::days(2) + chrono::Duration::hours(1),
        staff_id: None,
    };

    // The customer copy arrives by event; then a booking is confirmed by email only (no SMS
    // consent).
    eventually("the customer known", || async {
        copy_of(&app, customer_id).await.is_some().then_some(())
    })
    .await;
    let id = publish_as_module(&app, &drive(customer_id)).await;
    let first = await_deliveries(&app, &admin, &format!("eventId={id}"), 1).await;
    assert_eq!(recipients(&first), [(recipient.clone(), "email".into())]);
    assert_eq!(first[0]["address"], "linh@example.com");

    // Consent to SMS given: both channels.
    let version = customer["version"].as_i64().unwrap();
    let updated = app
        .patch_as(
            &manager,
            &format!("/api/v1/customers/{customer_id}"),
            &json!({ "consentSms": true, "version": version }),
        )
        .await;
    assert_eq!(updated.status(), 200);
    eventually("the SMS consent known", || async {
        (copy_of(&app, customer_id).await == Some(true)).then_some(())
    })
    .await;
    let id = publish_as_module(&app, &drive(customer_id)).await;
    let both = await_deliveries(&app, &admin, &format!("eventId={id}"), 2).await;
    assert_eq!(
        recipients(&both),
        [
            (recipient.clone(), "email".into()),
            (recipient.clone(), "sms".into())
        ]
    );
    let sms = both.iter().find(|r| r["channel"] == "sms").unwrap();
    assert_eq!(sms["address"], "+84 912 345 678");

    // Erased: the copy and the addresses in the ledger go; later events reach no one.
    let erased = app
        .post_as(
            &manager,
            &format!("/api/v1/customers/{customer_id}/erase"),
            &json!({}),
        )
        .await;
    assert_eq!(erased.status(), 200);
    eventually("the copy deleted", || async {
        copy_of(&app, customer_id).await.is_none().then_some(())
    })
    .await;
    eventually("the ledger scrubbed", || async {
        let rows = deliveries(&app, &admin, &format!("recipient={recipient}")).await;
        rows.iter().all(|r| r["address"].is_null()).then_some(())
    })
    .await;
    let after = publish_as_module(&app, &drive(customer_id)).await;
    eventually("the event handled", || async {
        let db = common::connect(&app.database).await;
        let handled = db
            .conn()
            .query_one(Statement::from_sql_and_values(
                db.backend(),
                "SELECT COUNT(*) AS n FROM \"notification\".\"inbox\" WHERE event_id = $1",
                [after.to_string().into()],
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        (handled == 1).then_some(())
    })
    .await;
    assert!(deliveries(&app, &admin, &format!("eventId={after}"))
        .await
        .is_empty());
}

/// The notification module's copy of a customer: its SMS consent, if the copy exists.
async fn copy_of(app: &common::TestApp, customer_id: Uuid) -> Option<bool> {
    let db = common::connect(&app.database).await;
    let row = db
        .conn()
        .query_one(Statement::from_sql_and_values(
            db.backend(),
            "SELECT consent_sms FROM \"notification\".\"customers\" WHERE id = $1",
            [customer_id.into()],
        ))
        .await
        .unwrap()?;
    Some(row.try_get::<bool>("", "consent_sms").unwrap())
}

#[tokio::test]
async fn a_disputed_dealer_order_reaches_the_oem_staff_by_email_and_in_app() {
    let app = common::spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;
    let disputed = contracts::events::manufacturer::DealerOrderDisputed {
        order_id: Uuid::now_v7(),
        order_number: "DO-A-13".into(),
        dealer_id: DEALER_A,
        reason: "two units with scratched doors".into(),
        disputed_by: DEMO_USER_IDS[2],
        disputed_at: chrono::Utc::now(),
    };
    let id = publish_as_module(&app, &disputed).await;
    let rows = await_deliveries(&app, &admin, &format!("eventId={id}"), 2).await;
    let evm = format!("user:{}", DEMO_USER_IDS[1]);
    assert_eq!(
        recipients(&rows),
        [(evm.clone(), "email".into()), (evm, "in_app".into())]
    );
    let event = "manufacturer.dealer_order_disputed.v1";
    let items = inbox_of(&app, &app.token(EVM).await, event).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["title"], "Dealer order DO-A-13 disputed");
    assert!(items[0]["body"]
        .as_str()
        .unwrap()
        .contains("two units with scratched doors"));
    for other in [MANAGER_A, MANAGER_B, STAFF_A, ADMIN] {
        let token = app.token(other).await;
        assert!(inbox_of(&app, &token, event).await.is_empty(), "{other}");
    }
}
