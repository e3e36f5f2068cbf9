//! SMS through the HTTP provider adapter, against a local HTTP server standing in for the
//! provider: the request is authenticated and signed (HMAC-SHA256 over the body), a provider
//! outage is retried, and the provider's message id lands in the ledger.

use super::{await_directory, await_sent, common, deliveries, publish_as_module};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use common::{eventually, ADMIN, MANAGER_A};
use contracts::events::customer::TestDriveScheduled;
use contracts::seed::{DEALER_A, DEALER_A_MAIN_BRANCH, VARIANT_AURORA_LONG_RANGE};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Mutex,
};
use uuid::Uuid;

/// One request as the provider saw it.
#[derive(Clone, Debug)]
pub struct Received {
    pub authorization: String,
    pub signature: String,
    pub idempotency_key: String,
    pub body: Vec<u8>,
}

#[derive(Default)]
pub struct Stub {
    pub received: Mutex<Vec<Received>>,
    /// Answer 503 this many times first (an outage).
    pub failures_left: AtomicUsize,
}

fn header(request: &HttpRequest, name: &str) -> String {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn messages(stub: web::Data<Stub>, request: HttpRequest, body: web::Bytes) -> HttpResponse {
    if stub
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return HttpResponse::ServiceUnavailable().body("maintenance");
    }
    let mut received = stub.received.lock().unwrap();
    received.push(Received {
        authorization: header(&request, "authorization"),
        signature: header(&request, "x-signature"),
        idempotency_key: header(&request, "idempotency-key"),
        body: body.to_vec(),
    });
    HttpResponse::Ok().json(json!({ "id": format!("sms-{}", received.len()) }))
}

/// Starts the stand-in provider; returns its base URL.
pub fn start_provider(stub: web::Data<Stub>) -> String {
    let server = HttpServer::new(move || {
        App::new()
            .app_data(stub.clone())
            .route("/v1/messages", web::post().to(messages))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let port = server.addrs()[0].port();
    tokio::spawn(server.run());
    format!("http://127.0.0.1:{port}/v1")
}

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// Creates a customer of dealer A (as its manager) from `fields`; returns their id.
pub async fn create_customer(app: &common::TestApp, fields: Value) -> Uuid {
    let manager = app.token(MANAGER_A).await;
    let created: Value = app
        .post_as(&manager, "/api/v1/customers", &fields)
        .await
        .json()
        .await
        .unwrap();
    created["id"].as_str().unwrap().parse().unwrap()
}

/// Publishes test-drive bookings of `customer_id` at dealer A until one is routed to them (their
/// copy arrives by event); returns that booking's event id.
pub async fn book_until_told(app: &common::TestApp, admin: &str, customer_id: Uuid) -> Uuid {
    let recipient = format!("customer:{customer_id}");
    let starts_at = chrono::Utc::now() + chrono::Duration::days(3);
    eventually("a message queued for the customer", || async {
        let event = TestDriveScheduled {
            test_drive_id: Uuid::now_v7(),
            dealer_id: DEALER_A,
            branch_id: DEALER_A_MAIN_BRANCH,
            customer_id,
            variant_id: VARIANT_AURORA_LONG_RANGE,
            vin: None,
            starts_at,
            ends_at: starts_at + chrono::Duration::hours(1),
            staff_id: None,
        };
        let id = publish_as_module(app, &event).await;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let rows = deliveries(app, admin, &format!("eventId={id}&recipient={recipient}")).await;
        (!rows.is_empty()).then_some(id)
    })
    .await
}

#[tokio::test]
async fn sms_reach_the_http_provider_signed_and_survive_its_outage() {
    // The provider is down (503) until our message has failed twice; then it comes back.
    let stub = web::Data::new(Stub {
        failures_left: AtomicUsize::new(usize::MAX),
        ..Stub::default()
    });
    let base = start_provider(stub.clone());
    let app = common::spawn_seeded_app_with(&[
        ("EVDMS__NOTIFICATION__SMS_BASE_URL", base.as_str()),
        ("EVDMS__NOTIFICATION__SMS_API_KEY", "test-api-key"),
        (
            "EVDMS__NOTIFICATION__SMS_SIGNING_SECRET",
            "test-signing-secret",
        ),
        ("EVDMS__NOTIFICATION__SMS_SENDER", "EVDMS-A"),
    ])
    .await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;
    let customer_id = create_customer(
        &app,
        json!({ "kind": "individual", "fullName": "Minh Tran", "phone": "+84 903 111 222",
                "consentSms": true }),
    )
    .await;
    let event_id = book_until_told(&app, &admin, customer_id).await;

    // Earlier bookings (published before the customer copy arrived) may also have queued SMS;
    // the outage lasts until this one has been refused twice, so its attempts are known.
    eventually("the SMS refused twice by the provider", || async {
        let rows = deliveries(&app, &admin, &format!("eventId={event_id}&channel=sms")).await;
        rows.iter()
            .any(|r| r["attempts"].as_i64().unwrap_or(0) >= 2)
            .then_some(())
    })
    .await;
    stub.failures_left.store(0, Ordering::SeqCst);
    let sent = await_sent(&app, &admin, event_id, "sms").await;
    assert_eq!(sent["provider"], "sms_http");
    assert!(
        sent["attempts"].as_i64().unwrap() >= 3,
        "two 503s, then sent: {sent}"
    );
    assert_eq!(sent["address"], "+84 903 111 222");

    let received = stub.received.lock().unwrap().clone();
    let request = received
        .iter()
        .find(|r| r.idempotency_key == sent["id"].as_str().unwrap())
        .expect("the provider got the delivery");
    assert_eq!(
        sent["providerMessageId"].as_str().unwrap(),
        format!(
            "sms-{}",
            received
                .iter()
                .position(|r| r.idempotency_key == request.idempotency_key)
                .unwrap()
                + 1
        )
    );
    assert_eq!(request.authorization, "Bearer test-api-key");
    assert_eq!(
        request.signature,
        hmac_hex("test-signing-secret", &request.body)
    );
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["to"], "+84 903 111 222");
    assert_eq!(body["from"], "EVDMS-A");
    assert!(
        body["text"].as_str().unwrap().contains("test drive"),
        "{body}"
    );
    // No email: the customer gave no address and no consent for it.
    assert!(
        deliveries(&app, &admin, &format!("eventId={event_id}&channel=email"))
            .await
            .is_empty()
    );
}
