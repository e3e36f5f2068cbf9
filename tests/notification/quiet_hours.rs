//! SMS quiet hours in the dealer's time zone, against the local SMS provider: inside the window
//! the SMS waits for its end (queued, no attempt, nothing reaches the provider); outside it, it
//! goes at once.

use super::{
    await_directory, await_sent, common, deliveries,
    sms::{book_until_told, create_customer, start_provider, Stub},
};
use actix_web::web;
use chrono::{DateTime, Duration, FixedOffset, NaiveTime, Utc};
use common::{eventually, problem, ADMIN};
use contracts::seed::DEALER_A;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

/// Tokyo is UTC+9 all year (no daylight saving), so the test can compute its local time.
const TOKYO: &str = "Asia/Tokyo";

fn tokyo() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).unwrap()
}

fn hh_mm(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

/// The first instant after `now` at which Tokyo's clock reads `end`.
fn next_tokyo(now: DateTime<Utc>, end: NaiveTime) -> DateTime<Utc> {
    let local = now.with_timezone(&tokyo());
    let today = local
        .date_naive()
        .and_time(end)
        .and_local_timezone(tokyo())
        .unwrap()
        .with_timezone(&Utc);
    if today > now {
        today
    } else {
        today + Duration::days(1)
    }
}

fn customer() -> Value {
    json!({ "kind": "individual", "fullName": "Hoa Le", "phone": "+84 903 555 666",
            "email": "hoa.le@example.com", "consentSms": true, "consentEmail": true })
}

/// Sets dealer A's time zone (as the OEM) and waits until the notification module has it.
async fn set_dealer_zone(app: &common::TestApp, zone: &str) {
    let evm = app.token(common::EVM).await;
    let path = format!("/api/v1/dealers/{DEALER_A}");
    let dealer: Value = app.get_as(&evm, &path).await.json().await.unwrap();
    let refused = app
        .patch_as(
            &evm,
            &path,
            &json!({ "timeZone": "Mars/Olympus_Mons", "version": dealer["version"] }),
        )
        .await;
    assert_eq!(
        problem(refused, 422).await["errors"][0]["field"],
        "timeZone"
    );
    let changed: Value = app
        .patch_as(
            &evm,
            &path,
            &json!({ "timeZone": zone, "version": dealer["version"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["timeZone"], zone);
    let db = common::connect(&app.database).await;
    eventually("the dealer's zone in the notification module", || async {
        notification::store::dealers::find(db.conn(), DEALER_A)
            .await
            .unwrap()
            .and_then(|d| d.time_zone)
            .filter(|z| z == zone)
    })
    .await;
}

/// An app with the SMS provider at `base` and quiet hours `start`–`end`, dealer A in Tokyo, and
/// a test-drive booking of a new customer of dealer A: the app, an admin token, the event id.
async fn booking_in_tokyo(
    base: &str,
    start: NaiveTime,
    end: NaiveTime,
) -> (common::TestApp, String, uuid::Uuid) {
    let app = common::spawn_seeded_app_with(&[
        ("EVDMS__NOTIFICATION__SMS_BASE_URL", base),
        ("EVDMS__NOTIFICATION__SMS_QUIET_START", &hh_mm(start)),
        ("EVDMS__NOTIFICATION__SMS_QUIET_END", &hh_mm(end)),
    ])
    .await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;
    set_dealer_zone(&app, TOKYO).await;
    let customer_id = create_customer(&app, customer()).await;
    let event_id = book_until_told(&app, &admin, customer_id).await;
    (app, admin, event_id)
}

#[tokio::test]
async fn an_sms_due_in_quiet_hours_waits_for_their_end_in_the_dealers_zone() {
    let stub = web::Data::new(Stub::default());
    let base = start_provider(stub.clone());
    // A window around now in Tokyo; in the default zone (Ho Chi Minh City, two hours behind)
    // it has not begun, so only the dealer's zone holds the SMS back.
    let now = Utc::now();
    let local = now.with_timezone(&tokyo()).time();
    let (start, end) = (local - Duration::minutes(60), local + Duration::minutes(60));
    let end = NaiveTime::parse_from_str(&hh_mm(end), "%H:%M").unwrap();
    let (app, admin, event_id) = booking_in_tokyo(&base, start, end).await;
    let sms = eventually("the SMS row", || async {
        deliveries(&app, &admin, &format!("eventId={event_id}&channel=sms"))
            .await
            .pop()
    })
    .await;
    assert_eq!(sms["status"], "queued", "{sms}");
    assert_eq!(sms["attempts"], 0);
    let due: DateTime<Utc> = sms["nextAttemptAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        due,
        next_tokyo(now, end),
        "deferred to the window's end in Tokyo"
    );

    // The email of the same booking goes out: the dispatcher ran and left the SMS alone.
    await_sent(&app, &admin, event_id, "email").await;
    let sms = deliveries(&app, &admin, &format!("eventId={event_id}&channel=sms")).await;
    assert_eq!(
        (&sms[0]["status"], &sms[0]["attempts"]),
        (&json!("queued"), &json!(0))
    );
    assert!(
        stub.received.lock().unwrap().is_empty(),
        "nothing reached the provider"
    );

    // Due again inside the window (as a retry or a resend would be): the dispatcher defers it
    // to the window's end once more, without counting an attempt.
    let db = common::connect(&app.database).await;
    db.conn()
        .execute(Statement::from_sql_and_values(
            db.backend(),
            "UPDATE \"notification\".\"deliveries\" SET next_attempt_at = 0 WHERE id = $1",
            [sms[0]["id"]
                .as_str()
                .unwrap()
                .parse::<uuid::Uuid>()
                .unwrap()
                .into()],
        ))
        .await
        .unwrap();
    eventually("the SMS deferred again", || async {
        let row = deliveries(&app, &admin, &format!("eventId={event_id}&channel=sms"))
            .await
            .pop()?;
        let again: DateTime<Utc> = row["nextAttemptAt"].as_str()?.parse().ok()?;
        (again == due).then_some(row)
    })
    .await;
    let sms = deliveries(&app, &admin, &format!("eventId={event_id}&channel=sms")).await;
    assert_eq!(
        (&sms[0]["status"], &sms[0]["attempts"]),
        (&json!("queued"), &json!(0))
    );
    assert!(stub.received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_sms_outside_quiet_hours_goes_at_once() {
    let stub = web::Data::new(Stub::default());
    let base = start_provider(stub.clone());
    // A window that begins an hour from now in Tokyo.
    let local = Utc::now().with_timezone(&tokyo()).time();
    let (start, end) = (
        local + Duration::minutes(60),
        local + Duration::minutes(120),
    );
    let (app, admin, event_id) = booking_in_tokyo(&base, start, end).await;
    let sent = await_sent(&app, &admin, event_id, "sms").await;
    assert_eq!(sent["attempts"], 1);
    let received = stub.received.lock().unwrap().clone();
    assert!(received
        .iter()
        .any(|r| r.idempotency_key == sent["id"].as_str().unwrap()));
}
