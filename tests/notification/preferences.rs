//! Users' preferences: reads show every category routed to the role on every channel with its
//! default and locks; a bad change is refused whole; a channel turned off for a category gets no
//! ledger row (email or in-app) while other people still get theirs.

use super::{
    await_deliveries, await_sent, common, inbox_of, publish_as_module, recipients,
    seeded_app_with_smtp,
};
use common::{eventually, problem, ADMIN, MANAGER_A, MANAGER_B};
use contracts::events::{dealer::DealerStockLow, manufacturer::InvoiceOverdue};
use contracts::seed::{DEALER_A, DEMO_USER_IDS, VARIANT_AURORA_LONG_RANGE};
use mail_parser::MessageParser;
use serde_json::{json, Value};
use uuid::Uuid;

const PREFERENCES: &str = "/api/v1/notifications/preferences";

/// The setting of `category` × `channel` in a preferences body.
fn setting<'a>(body: &'a Value, category: &str, channel: &str) -> &'a Value {
    body["preferences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["category"] == category && p["channel"] == channel)
        .unwrap_or_else(|| panic!("no {category} × {channel} in {body}"))
}

fn categories(body: &Value) -> Vec<String> {
    let mut out: Vec<String> = body["preferences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["category"].as_str().unwrap().to_owned())
        .collect();
    out.dedup();
    out
}

async fn read(app: &common::TestApp, token: &str) -> Value {
    let response = app.get_as(token, PREFERENCES).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// How many preference rows the database holds for `user`.
async fn stored_rows(app: &common::TestApp, user: Uuid) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let db = common::connect(&app.database).await;
    let row = db
        .conn()
        .query_one(Statement::from_sql_and_values(
            db.backend(),
            "SELECT COUNT(*) AS n FROM \"notification\".\"preferences\" WHERE user_id = $1",
            [user.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get("", "n").unwrap()
}

#[tokio::test]
async fn preferences_read_as_defaults_with_security_locked_and_bad_changes_change_nothing() {
    let app = common::spawn_seeded_app().await;
    let manager = app.token(MANAGER_A).await;
    let manager_id = DEMO_USER_IDS[2];

    let defaults = read(&app, &manager).await;
    assert_eq!(
        categories(&defaults),
        [
            "account",
            "security",
            "dealer_orders",
            "stock",
            "finance",
            "sales",
            "payments",
            "test_drives",
            "feedback"
        ]
    );
    assert_eq!(defaults["preferences"].as_array().unwrap().len(), 9 * 3);
    let stock_email = setting(&defaults, "stock", "email");
    assert_eq!(stock_email["enabled"], true);
    assert_eq!(stock_email["locked"], false);
    assert_eq!(stock_email["inUse"], true);
    assert_eq!(setting(&defaults, "stock", "sms")["inUse"], false);
    let reset = setting(&defaults, "security", "email");
    assert_eq!(
        (&reset["enabled"], &reset["locked"]),
        (&json!(true), &json!(true))
    );
    assert_eq!(defaults["digestCategories"], json!([]));
    let digestible = defaults["digestibleCategories"].as_array().unwrap();
    assert!(digestible.contains(&json!("stock")));
    assert!(!digestible.contains(&json!("security")));
    // The admin is only told about their own account.
    let admin = read(&app, &app.token(ADMIN).await).await;
    assert_eq!(categories(&admin), ["account", "security"]);

    // Security cannot be turned off: the whole request is refused, the stock change too.
    let body = problem(
        app.put_as(
            &manager,
            PREFERENCES,
            &json!({ "preferences": [
                { "category": "stock", "channel": "email", "enabled": false },
                { "category": "security", "channel": "email", "enabled": false },
            ]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "preferences[1].enabled");
    assert_eq!(
        setting(&read(&app, &manager).await, "stock", "email")["enabled"],
        true
    );
    assert_eq!(stored_rows(&app, manager_id).await, 0);

    for (request, field) in [
        (
            json!({ "preferences": [{ "category": "weather", "channel": "email", "enabled": false }] }),
            "preferences[0].category",
        ),
        (
            json!({ "preferences": [{ "category": "stock", "channel": "fax", "enabled": false }] }),
            "preferences[0].channel",
        ),
        (
            json!({ "digestCategories": ["stock", "security"] }),
            "digestCategories[1]",
        ),
    ] {
        let body = problem(app.put_as(&manager, PREFERENCES, &request).await, 422).await;
        assert_eq!(body["errors"][0]["field"], field, "{request}");
    }
    assert_eq!(read(&app, &manager).await["digestCategories"], json!([]));

    // A valid change: only the difference from the default is stored.
    let changed = app
        .put_as(
            &manager,
            PREFERENCES,
            &json!({
                "preferences": [
                    { "category": "stock", "channel": "email", "enabled": false },
                    { "category": "security", "channel": "email", "enabled": true },
                ],
                "digestCategories": ["finance"],
            }),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(setting(&changed, "stock", "email")["enabled"], false);
    assert_eq!(setting(&changed, "stock", "in_app")["enabled"], true);
    assert_eq!(changed["digestCategories"], json!(["finance"]));
    assert_eq!(read(&app, &manager).await, changed);
    assert_eq!(stored_rows(&app, manager_id).await, 1);
    // Someone else's preferences are their own.
    let other = read(&app, &app.token(MANAGER_B).await).await;
    assert_eq!(setting(&other, "stock", "email")["enabled"], true);

    // Back to the default: nothing stored; a partial change leaves the digest alone.
    let restored: Value = app
        .put_as(
            &manager,
            PREFERENCES,
            &json!({ "preferences": [{ "category": "stock", "channel": "email", "enabled": true }] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(setting(&restored, "stock", "email")["enabled"], true);
    assert_eq!(restored["digestCategories"], json!(["finance"]));
    assert_eq!(stored_rows(&app, manager_id).await, 0);
}

fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort();
    pairs
}

pub fn stock_low(in_stock: i64) -> DealerStockLow {
    DealerStockLow {
        dealer_id: DEALER_A,
        variant_id: VARIANT_AURORA_LONG_RANGE,
        colour_id: Uuid::now_v7(),
        in_stock,
        threshold: 3,
    }
}

#[tokio::test]
async fn a_channel_turned_off_for_a_category_skips_that_user_only() {
    let Some((smtp, app, admin)) = seeded_app_with_smtp().await else {
        return;
    };

    // A second manager of dealer A.
    let second_email = "second.manager@dealer-a.evdms.dev";
    let created: Value = app
        .post_as(
            &admin,
            "/api/v1/users",
            &json!({ "email": second_email, "name": "Nam Manager (Dealer A)", "role": "dealer_manager",
                     "dealerId": DEALER_A, "password": "Plenty-long-secret-1" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let second = format!("user:{}", created["id"].as_str().unwrap());
    await_deliveries(&app, &admin, "event=auth.user_registered.v1", 7).await;

    let manager_a = app.token(MANAGER_A).await;
    let turned_off = app
        .put_as(
            &manager_a,
            PREFERENCES,
            &json!({ "preferences": [
                { "category": "stock", "channel": "email", "enabled": false },
                { "category": "finance", "channel": "in_app", "enabled": false },
            ]}),
        )
        .await;
    assert_eq!(turned_off.status(), 200);

    let low = publish_as_module(&app, &stock_low(1)).await;
    let first = format!("user:{}", DEMO_USER_IDS[2]);
    let rows = await_deliveries(&app, &admin, &format!("eventId={low}"), 3).await;
    assert_eq!(
        recipients(&rows),
        sorted(vec![
            (second.clone(), "email".into()),
            (second.clone(), "in_app".into()),
            (first.clone(), "in_app".into()),
        ])
    );
    assert_eq!(
        inbox_of(&app, &manager_a, "dealer.stock_low.v1")
            .await
            .len(),
        1,
        "the in-app item still arrives"
    );
    let sent = await_sent(&app, &admin, low, "email").await;
    let wanted = sent["providerMessageId"]
        .as_str()
        .unwrap()
        .trim_matches(['<', '>'])
        .to_owned();
    eventually("the mail at the SMTP server", || async {
        smtp.messages()
            .iter()
            .any(|raw| {
                MessageParser::default().parse(raw).unwrap().message_id() == Some(wanted.as_str())
            })
            .then_some(())
    })
    .await;
    let stock_mails: Vec<String> = smtp
        .messages()
        .iter()
        .map(|raw| MessageParser::default().parse(raw).unwrap())
        .filter(|m| m.subject() == Some("Dealer stock low"))
        .map(|m| {
            m.to()
                .unwrap()
                .first()
                .unwrap()
                .address()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(stock_mails, [second_email], "not to {MANAGER_A}");

    // In-app turned off for finance: the overdue invoice is mailed, not put in the inbox.
    let overdue = InvoiceOverdue {
        invoice_id: Uuid::now_v7(),
        invoice_number: "INV-A-9".into(),
        dealer_id: DEALER_A,
        outstanding: contracts::money::Money(100_000_000),
        due_date: chrono::Utc::now().date_naive(),
    };
    let overdue = publish_as_module(&app, &overdue).await;
    let rows = await_deliveries(&app, &admin, &format!("eventId={overdue}"), 3).await;
    assert_eq!(
        recipients(&rows),
        sorted(vec![
            (second.clone(), "email".into()),
            (second, "in_app".into()),
            (first, "email".into()),
        ])
    );
}
