//! Reminders against the real SMTP server and the SMS provider stand-in: an instalment due soon
//! (once, whoever sweeps and however often the order arrives; not when paid; SMS only with
//! consent) and a test drive coming up (not when cancelled).
//!
//! The app sweeps rarely here; the tests sweep as a second process would (`sweeper`), so what
//! fires when is under their control.

use super::{
    await_deliveries, common, deliveries,
    email::app_with_mail,
    inbox_of, publish_as_module, recipients,
    sms::{start_provider, Stub},
};
use common::{eventually, TestApp, ADMIN, MANAGER_A, STAFF_A};
use contracts::events::{customer, dealer};
use contracts::seed::{DEALER_A, DEALER_A_MAIN_BRANCH, DEMO_USER_IDS, VARIANT_AURORA_LONG_RANGE};
use contracts::Money;
use notification::domain::reminders::{
    event_id, instalment_key, test_drive_key, INSTALMENT_DUE_SOON, TEST_DRIVE_REMINDER,
};
use notification::store::reminders;
use serde_json::{json, Value};
use std::sync::Arc;
use uuid::Uuid;

/// The app's own sweep waits an hour after its first run.
const RARE_SWEEPS: (&str, &str) = ("EVDMS__NOTIFICATION__REMINDER_SWEEP_INTERVAL_MS", "3600000");

/// The notification use cases over the test's database, as another process would run them.
async fn sweeper(app: &TestApp) -> Arc<notification::app::Notifications> {
    sweeper_on(common::connect(&app.database).await)
}

/// The use cases over `db`. Sweepers sharing one handle still run concurrent transactions (a
/// Postgres pool), and on SQLite they share the process's write lock, as one process would.
fn sweeper_on(db: kernel::Db) -> Arc<notification::app::Notifications> {
    let settings = kernel::config::Settings::load_from(
        kernel::config::Environment::Test,
        std::path::Path::new("config"),
        Vec::<(String, String)>::new(),
    )
    .unwrap();
    // This sweeper pushes nothing live (no stream is open on it) and never drains.
    let (_, never) = tokio::sync::watch::channel(false);
    let (live, _router) = notification::app::live::LivePush::start(
        kernel::live::LiveHub::in_process(),
        settings.notification.stream_max_per_user,
        never.clone(),
    );
    Arc::new(notification::app::Notifications {
        db,
        live,
        cache: Arc::new(kernel::cache::MemoryCache::new("reminders-test:")),
        draining: never,
        providers: notification::channels::Providers::from_settings(&settings.notification, false)
            .unwrap(),
        settings: settings.notification.clone(),
        wake: Arc::new(tokio::sync::Notify::new()),
        sealer: kernel::secrets::Sealer::notification(&settings).unwrap(),
    })
}

/// A customer of dealer A, known to the notification module once this returns.
async fn customer(app: &TestApp, name: &str, email: &str, phone: &str, sms: bool) -> Uuid {
    let manager = app.token(MANAGER_A).await;
    let created: Value = app
        .post_as(
            &manager,
            "/api/v1/customers",
            &json!({ "kind": "individual", "fullName": name, "phone": phone,
                     "email": email, "consentEmail": true, "consentSms": sms }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id: Uuid = created["id"].as_str().unwrap().parse().unwrap();
    let db = common::connect(&app.database).await;
    eventually("the customer copy", || async {
        notification::store::people::customer(db.conn(), id)
            .await
            .unwrap()
            .map(|_| ())
    })
    .await;
    id
}

fn order(customer_id: Uuid, instalments: &[(i32, i64, i64)]) -> dealer::SalesOrderCreated {
    let today = chrono::Utc::now().date_naive();
    dealer::SalesOrderCreated {
        order_id: Uuid::now_v7(),
        order_number: "SO-R-1".into(),
        dealer_id: DEALER_A,
        branch_id: None,
        customer_id,
        staff_id: DEMO_USER_IDS[3],
        quotation_id: None,
        variant_id: VARIANT_AURORA_LONG_RANGE,
        colour_id: Uuid::now_v7(),
        vin: "5YJ3E1EA0KF317001".into(),
        total: Money(1_100),
        payment_plan: "instalments".into(),
        payable: Money(1_100),
        instalments: instalments
            .iter()
            .map(|(number, days, amount)| dealer::InstalmentDue {
                number: *number,
                due_date: today + chrono::Duration::days(*days),
                amount: Money(*amount),
            })
            .collect(),
    }
}

/// The reminder of `key` once its events are handled and it is `status`.
async fn reminder(app: &TestApp, key: &str, status: &str) -> reminders::Model {
    let db = common::connect(&app.database).await;
    eventually(&format!("reminder {key} {status}"), || async {
        reminders::by_key(db.conn(), key)
            .await
            .unwrap()
            .filter(|r| r.status == status)
    })
    .await
}

/// The ledger rows of the event `row` became.
fn fired_as(row: &reminders::Model) -> String {
    format!("eventId={}", event_id(&row.reminder_key, row.fire_at))
}

#[tokio::test]
async fn an_instalment_due_soon_is_reminded_once_by_email_and_by_sms_only_with_consent() {
    let stub = actix_web::web::Data::new(Stub::default());
    let sms_url = start_provider(stub.clone());
    let Some((smtp, app, admin)) = app_with_mail(&[
        RARE_SWEEPS,
        ("EVDMS__NOTIFICATION__SMS_BASE_URL", sms_url.as_str()),
    ])
    .await
    else {
        return;
    };
    let linh = customer(
        &app,
        "Linh Nguyen",
        "linh@example.com",
        "+84 912 000 111",
        true,
    )
    .await;
    let minh = customer(
        &app,
        "Minh Tran",
        "minh@example.com",
        "+84 912 000 222",
        false,
    )
    .await;
    // The down payment is due today, instalment 1 in two days, instalment 2 in 40.
    let linh_order = order(linh, &[(0, 0, 500), (1, 2, 300), (2, 40, 300)]);
    publish_as_module(&app, &linh_order).await;
    publish_as_module(&app, &order(minh, &[(0, 0, 500), (1, 2, 300)])).await;
    let due = reminder(&app, &instalment_key(linh_order.order_id, 1), "pending").await;
    let later = reminder(&app, &instalment_key(linh_order.order_id, 2), "pending").await;

    // Two processes sweep at once: each reminder fires once.
    let db = common::connect(&app.database).await;
    let (one, two) = (sweeper_on(db.clone()), sweeper_on(db));
    let (a, b) = tokio::join!(
        notification::app::reminders::sweep(&one),
        notification::app::reminders::sweep(&two)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 2, "Linh's and Minh's instalment 1");
    let rows = await_deliveries(&app, &admin, &fired_as(&due), 2).await;
    let to_linh = format!("customer:{linh}");
    assert_eq!(
        recipients(&rows),
        [(to_linh.clone(), "email".into()), (to_linh, "sms".into())]
    );
    let minh_rows = await_deliveries(
        &app,
        &admin,
        &format!("event={INSTALMENT_DUE_SOON}&recipient=customer:{minh}"),
        1,
    )
    .await;
    assert_eq!(minh_rows.len(), 1);
    assert_eq!(minh_rows[0]["channel"], "email", "no SMS without consent");

    let due_date = (chrono::Utc::now().date_naive() + chrono::Duration::days(2)).to_string();
    let subject = format!("Instalment 1 is due on {due_date}");
    let mail_to_linh = || {
        smtp.messages()
            .into_iter()
            .filter(|raw| {
                let text = String::from_utf8_lossy(raw);
                text.contains("linh@example.com") && text.contains(&subject)
            })
            .count()
    };
    eventually("the reminder mail", || async {
        (mail_to_linh() == 1).then_some(())
    })
    .await;
    eventually("the reminder SMS", || async {
        let received = stub.received.lock().unwrap().clone();
        received
            .iter()
            .any(|r| String::from_utf8_lossy(&r.body).contains("instalment 1 of 3.00"))
            .then_some(())
    })
    .await;

    // The order arrives again and everyone sweeps again: nothing new.
    let again = publish_as_module(&app, &linh_order).await;
    let db = common::connect(&app.database).await;
    eventually("the repeat handled", || async {
        handled(&db, again).await.then_some(())
    })
    .await;
    for sweeper in [&one, &two] {
        assert_eq!(
            notification::app::reminders::sweep(sweeper).await.unwrap(),
            0
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(deliveries(&app, &admin, &fired_as(&due)).await.len(), 2);
    assert_eq!(mail_to_linh(), 1);
    // Not yet for instalment 2; never for the down payment.
    assert_eq!(
        reminders::by_key(db.conn(), &later.reminder_key)
            .await
            .unwrap()
            .unwrap()
            .status,
        "pending"
    );
    let down_payment = instalment_key(linh_order.order_id, 0);
    assert!(reminders::by_key(db.conn(), &down_payment)
        .await
        .unwrap()
        .is_none());
}

/// Whether the notification module handled event `id`.
async fn handled(db: &kernel::Db, id: Uuid) -> bool {
    use sea_orm::{ConnectionTrait, Statement};
    db.conn()
        .query_one(Statement::from_sql_and_values(
            db.backend(),
            "SELECT COUNT(*) AS n FROM \"notification\".\"inbox\" WHERE event_id = $1",
            [id.to_string().into()],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
        == 1
}

#[tokio::test]
async fn a_paid_instalment_is_not_reminded() {
    let app = common::spawn_seeded_app_with(&[RARE_SWEEPS]).await;
    let admin = app.token(ADMIN).await;
    super::await_directory(&app, &admin).await;
    let linh = customer(
        &app,
        "Linh Nguyen",
        "linh@example.com",
        "+84 912 000 111",
        false,
    )
    .await;
    let plan = order(linh, &[(0, 0, 500), (1, 1, 300), (2, 2, 300)]);
    // The customer pays the down payment and instalment 1 before any sweep.
    let paid = dealer::PaymentReceived {
        payment_id: Uuid::now_v7(),
        order_id: plan.order_id,
        dealer_id: DEALER_A,
        customer_id: linh,
        amount: Money(800),
        method: "transfer".into(),
        paid_total: Money(800),
        outstanding: Money(300),
        received_at: chrono::Utc::now(),
    };
    let db = common::connect(&app.database).await;
    let mut txn = db.begin().await.unwrap();
    kernel::events::publish(&mut txn, &plan).await.unwrap();
    kernel::events::publish(&mut txn, &paid).await.unwrap();
    txn.commit().await.unwrap();
    let settled = reminder(&app, &instalment_key(plan.order_id, 1), "cancelled").await;
    let open = reminder(&app, &instalment_key(plan.order_id, 2), "pending").await;

    assert_eq!(
        notification::app::reminders::sweep(&*sweeper(&app).await)
            .await
            .unwrap(),
        1
    );
    await_deliveries(&app, &admin, &fired_as(&open), 1).await;
    assert!(deliveries(&app, &admin, &fired_as(&settled))
        .await
        .is_empty());
    let all = deliveries(
        &app,
        &admin,
        &format!("event={INSTALMENT_DUE_SOON}&recipient=customer:{linh}"),
    )
    .await;
    assert_eq!(all.len(), 1, "only instalment 2: {all:?}");
}

#[tokio::test]
async fn a_test_drive_soon_is_reminded_to_customer_and_salesperson_but_not_once_cancelled() {
    let Some((smtp, app, admin)) = app_with_mail(&[RARE_SWEEPS]).await else {
        return;
    };
    let linh = customer(
        &app,
        "Linh Nguyen",
        "linh@example.com",
        "+84 912 000 111",
        false,
    )
    .await;
    let staff = DEMO_USER_IDS[3];
    let drive = |hours: i64| customer::TestDriveScheduled {
        test_drive_id: Uuid::now_v7(),
        dealer_id: DEALER_A,
        branch_id: DEALER_A_MAIN_BRANCH,
        customer_id: linh,
        variant_id: VARIANT_AURORA_LONG_RANGE,
        vin: None,
        starts_at: chrono::Utc::now() + chrono::Duration::hours(hours),
        ends_at: chrono::Utc::now() + chrono::Duration::hours(hours + 1),
        staff_id: Some(staff),
    };
    // Two hours ahead, inside the 24-hour lead: due at the next sweep.
    let kept = drive(2);
    let called_off = drive(3);
    let cancelled = customer::TestDriveCancelled {
        test_drive_id: called_off.test_drive_id,
        dealer_id: DEALER_A,
        customer_id: linh,
        cancelled_at: chrono::Utc::now(),
    };
    publish_as_module(&app, &kept).await;
    let db = common::connect(&app.database).await;
    let mut txn = db.begin().await.unwrap();
    kernel::events::publish(&mut txn, &called_off)
        .await
        .unwrap();
    kernel::events::publish(&mut txn, &cancelled).await.unwrap();
    txn.commit().await.unwrap();
    let due = reminder(&app, &test_drive_key(kept.test_drive_id), "pending").await;
    let dropped = reminder(&app, &test_drive_key(called_off.test_drive_id), "cancelled").await;

    assert_eq!(
        notification::app::reminders::sweep(&*sweeper(&app).await)
            .await
            .unwrap(),
        1
    );
    let rows = await_deliveries(&app, &admin, &fired_as(&due), 2).await;
    assert_eq!(
        recipients(&rows),
        [
            (format!("customer:{linh}"), "email".into()),
            (format!("user:{staff}"), "in_app".into())
        ]
    );
    let items = inbox_of(&app, &app.token(STAFF_A).await, TEST_DRIVE_REMINDER).await;
    assert_eq!(items.len(), 1);
    assert!(items[0]["title"]
        .as_str()
        .unwrap()
        .starts_with("Reminder: test drive on"));
    eventually("the reminder mail", || async {
        smtp.messages()
            .iter()
            .any(|raw| {
                let text = String::from_utf8_lossy(raw);
                text.contains("linh@example.com") && text.contains("Reminder: test drive on")
            })
            .then_some(())
    })
    .await;
    assert!(deliveries(&app, &admin, &fired_as(&dropped))
        .await
        .is_empty());
}
