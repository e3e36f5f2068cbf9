//! The live stream over a real HTTP connection, read by a real SSE parser: new items reach their
//! owner only, heartbeats, resuming after `Last-Event-ID` without a duplicate or a gap, stream
//! tickets, the per-user limit, ending on shutdown, and items produced by another process
//! (Redis) or another service (RabbitMQ) reaching a stream.

use super::{
    await_deliveries, await_directory, common, inbox_of, order_approved, publish_as_module,
};
use common::{problem, TestApp, ADMIN, MANAGER_A, MANAGER_B};
use contracts::seed::{DEALER_A, DEALER_B};
use eventsource_stream::{Event, Eventsource};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::mpsc;

pub const APPROVED: &str = "manufacturer.dealer_order_approved.v1";

/// One open event stream: events parsed by `eventsource-stream`, the raw text kept too (to see
/// comments such as heartbeats). Dropping it closes the connection.
pub struct SseClient {
    events: mpsc::UnboundedReceiver<Event>,
    raw: Arc<Mutex<String>>,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for SseClient {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl SseClient {
    /// Reads `response` (which must be a 200 event stream) in the background.
    pub fn read(response: reqwest::Response) -> Self {
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        let raw = Arc::new(Mutex::new(String::new()));
        let tee = raw.clone();
        let mut parsed = response
            .bytes_stream()
            .inspect(move |chunk| {
                if let Ok(bytes) = chunk {
                    tee.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(bytes));
                }
            })
            .eventsource();
        let (sender, events) = mpsc::unbounded_channel();
        let reader = tokio::spawn(async move {
            while let Some(Ok(event)) = parsed.next().await {
                if sender.send(event).is_err() {
                    break;
                }
            }
        });
        Self {
            events,
            raw,
            reader,
        }
    }

    /// The next event within `within`; `None` when none came or the stream ended.
    pub async fn next_within(&mut self, within: Duration) -> Option<Event> {
        tokio::time::timeout(within, self.events.recv())
            .await
            .ok()
            .flatten()
    }

    /// The next `notification` event (skipping unread counts), within 10 s.
    pub async fn notification(&mut self) -> Event {
        loop {
            let event = self
                .next_within(Duration::from_secs(10))
                .await
                .expect("a notification within 10 s");
            if event.event == "notification" {
                return event;
            }
            assert_eq!(event.event, "unread-count", "unexpected {event:?}");
        }
    }

    /// Whether the stream ended (the server closed it) within `within`.
    pub async fn ends_within(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            match tokio::time::timeout_at(deadline.into(), self.events.recv()).await {
                Ok(None) => return true,
                Ok(Some(_)) => {}
                Err(_) => return false,
            }
        }
        false
    }

    pub fn raw(&self) -> String {
        self.raw.lock().unwrap().clone()
    }
}

/// `GET /api/v1/notifications/stream{query}` at `base` (e.g. `http://127.0.0.1:port`).
pub async fn open_at(
    base: &str,
    token: Option<&str>,
    query: &str,
    last_event_id: Option<&str>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .get(format!("{base}/api/v1/notifications/stream{query}"))
        .header("accept", "text/event-stream");
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id);
    }
    request.send().await.expect("stream request")
}

async fn stream_of(app: &TestApp, token: &str, last_event_id: Option<&str>) -> SseClient {
    SseClient::read(open_at(&app.address, Some(token), "", last_event_id).await)
}

fn data(event: &Event) -> Value {
    serde_json::from_str(&event.data).expect("JSON data")
}

/// Publishes an approval of `dealer`'s order `number` and waits until its in-app row exists.
async fn approve(app: &TestApp, admin: &str, dealer: uuid::Uuid, number: &str) {
    let id = publish_as_module(app, &order_approved(dealer, number)).await;
    await_deliveries(app, admin, &format!("eventId={id}&channel=in_app"), 1).await;
}

#[tokio::test]
async fn a_new_notification_reaches_its_owners_stream_only() {
    let app = common::spawn_seeded_app().await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;
    let (manager_a, manager_b) = (app.token(MANAGER_A).await, app.token(MANAGER_B).await);
    let mut stream_a = stream_of(&app, &manager_a, None).await;
    let mut stream_b = stream_of(&app, &manager_b, None).await;

    publish_as_module(&app, &order_approved(DEALER_A, "DO-LIVE-A")).await;
    let frame = stream_a.notification().await;
    let listed = inbox_of(&app, &manager_a, APPROVED).await;
    let item = listed
        .iter()
        .find(|i| i["title"] == "Order DO-LIVE-A approved")
        .expect("the item is in the inbox");
    assert_eq!(
        frame.id,
        item["id"].as_str().unwrap(),
        "id: is the item's id"
    );
    assert_eq!(
        data(&frame),
        *item,
        "data: is the item as the inbox lists it"
    );
    let count = stream_a
        .next_within(Duration::from_secs(5))
        .await
        .expect("an unread count after the notification");
    assert_eq!(count.event, "unread-count");
    let unread: Value = app
        .get_as(&manager_a, "/api/v1/notifications/unread-count")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(data(&count)["unread"], unread["unread"]);

    // Dealer B's manager got nothing of dealer A's: the first thing on their stream is their own.
    publish_as_module(&app, &order_approved(DEALER_B, "DO-LIVE-B")).await;
    let frame = stream_b.notification().await;
    assert_eq!(data(&frame)["title"], "Order DO-LIVE-B approved");
    assert!(stream_a.raw().contains("DO-LIVE-A") && !stream_a.raw().contains("DO-LIVE-B"));
    assert!(!stream_b.raw().contains("DO-LIVE-A"));
}

#[tokio::test]
async fn heartbeats_keep_the_stream_open_and_it_ends_when_the_server_stops() {
    let app =
        common::spawn_seeded_app_with(&[("EVDMS__NOTIFICATION__STREAM_HEARTBEAT_SECS", "1")]).await;
    let manager = app.token(MANAGER_A).await;
    let mut stream = stream_of(&app, &manager, None).await;
    common::eventually("two heartbeats", || async {
        (stream.raw().matches(": keep-alive\n\n").count() >= 2).then_some(())
    })
    .await;
    assert!(
        stream.raw().starts_with("retry: 3000\n"),
        "a reconnect hint first: {:?}",
        stream.raw()
    );

    // Stopping the server ends the stream at once instead of waiting out the graceful timeout.
    let started = Instant::now();
    let stopping = tokio::spawn(app.stop());
    assert!(
        stream.ends_within(Duration::from_secs(5)).await,
        "the stream ended"
    );
    stopping.await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn last_event_id_replays_exactly_the_missed_items_then_goes_live() {
    let app = common::spawn_seeded_app_with(&[("EVDMS__SERVER__RATE_LIMIT_PER_USER", "0")]).await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;
    let manager = app.token(MANAGER_A).await;
    let mut stream = stream_of(&app, &manager, None).await;
    publish_as_module(&app, &order_approved(DEALER_A, "DO-R-1")).await;
    let seen = stream.notification().await.id;
    drop(stream);

    for number in ["DO-R-2", "DO-R-3"] {
        approve(&app, &admin, DEALER_A, number).await;
    }
    let mut resumed = stream_of(&app, &manager, Some(&seen)).await;
    let replayed = [resumed.notification().await, resumed.notification().await];
    let titles: Vec<Value> = replayed.iter().map(|e| data(e)["title"].clone()).collect();
    assert_eq!(titles, ["Order DO-R-2 approved", "Order DO-R-3 approved"]);
    assert!(replayed[0].id < replayed[1].id, "oldest first");
    let count = resumed.next_within(Duration::from_secs(5)).await.unwrap();
    let unread: Value = app
        .get_as(&manager, "/api/v1/notifications/unread-count")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(count.event, "unread-count");
    assert_eq!(data(&count)["unread"], unread["unread"]);
    publish_as_module(&app, &order_approved(DEALER_A, "DO-R-4")).await;
    assert_eq!(
        data(&resumed.notification().await)["title"],
        "Order DO-R-4 approved"
    );

    // Items committing while a stream resumes arrive once each: never lost between the replay
    // and the live part, never twice.
    let last = replayed[1].id.clone();
    let publisher = {
        let database = common::connect(&app.database).await;
        tokio::spawn(async move {
            for n in 0..6 {
                let mut txn = database.begin().await.unwrap();
                let event = order_approved(DEALER_A, &format!("DO-RACE-{n}"));
                kernel::events::publish(&mut txn, &event).await.unwrap();
                txn.commit().await.unwrap();
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        })
    };
    let mut racing = stream_of(&app, &manager, Some(&last)).await;
    publisher.await.unwrap();
    let mut received = Vec::new();
    while received.len() < 7 {
        received.push(data(&racing.notification().await)["title"].clone());
    }
    let mut expected: Vec<Value> = (0..6)
        .map(|n| json!(format!("Order DO-RACE-{n} approved")))
        .collect();
    expected.push(json!("Order DO-R-4 approved"));
    let mut sorted = received.clone();
    sorted.sort_by_key(|t| t.as_str().unwrap().to_owned());
    expected.sort_by_key(|t| t.as_str().unwrap().to_owned());
    assert_eq!(sorted, expected, "each once: {received:?}");
    while let Some(extra) = racing.next_within(Duration::from_millis(500)).await {
        assert_eq!(extra.event, "unread-count", "a duplicate: {extra:?}");
    }

    problem(
        open_at(&app.address, Some(&manager), "", Some("not-an-id")).await,
        400,
    )
    .await;
}

#[tokio::test]
async fn a_stream_ticket_opens_one_stream_once_and_tokens_stay_out_of_urls() {
    let app = common::spawn_seeded_app_with(&[
        ("EVDMS__NOTIFICATION__STREAM_TICKET_TTL_SECS", "1"),
        ("EVDMS__NOTIFICATION__STREAM_MAX_PER_USER", "2"),
        // A closed connection is noticed at the next write at the latest.
        ("EVDMS__NOTIFICATION__STREAM_HEARTBEAT_SECS", "1"),
    ])
    .await;
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;
    let manager = app.token(MANAGER_A).await;
    let ticket = || async {
        let response = app
            .post_as(&manager, "/api/v1/notifications/stream-tickets", &json!({}))
            .await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["expiresInSecs"], 1);
        body["ticket"].as_str().unwrap().to_owned()
    };
    problem(
        app.post_json("/api/v1/notifications/stream-tickets", &json!({}))
            .await,
        401,
    )
    .await;

    // A bad Last-Event-ID is refused before the ticket is spent.
    let first = ticket().await;
    let query = format!("?ticket={first}");
    problem(
        open_at(&app.address, None, &format!("{query}&lastEventId=x"), None).await,
        400,
    )
    .await;
    let mut stream = SseClient::read(open_at(&app.address, None, &query, None).await);
    publish_as_module(&app, &order_approved(DEALER_A, "DO-T-1")).await;
    assert_eq!(
        data(&stream.notification().await)["title"],
        "Order DO-T-1 approved"
    );
    let reused = problem(open_at(&app.address, None, &query, None).await, 401).await;
    assert_eq!(reused["code"], "invalid_stream_ticket");
    problem(
        open_at(&app.address, None, "?ticket=forged-ticket", None).await,
        401,
    )
    .await;
    problem(open_at(&app.address, None, "", None).await, 401).await;
    problem(
        open_at(&app.address, Some("not-a-token"), "", None).await,
        401,
    )
    .await;
    let expired = ticket().await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    problem(
        open_at(&app.address, None, &format!("?ticket={expired}"), None).await,
        401,
    )
    .await;

    // Two streams per user here: a third is refused until one closes.
    let _second = stream_of(&app, &manager, None).await;
    let refused = open_at(&app.address, Some(&manager), "", None).await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(problem(refused, 429).await["code"], "too_many_streams");
    drop(stream);
    let reopened = common::eventually("a closed stream frees its place", || async {
        let response = open_at(&app.address, Some(&manager), "", None).await;
        (response.status() == 200).then_some(response)
    })
    .await;
    let _third = SseClient::read(reopened);
}

/// Redis settings of `app` (its URL and per-test key prefix), for a second process.
fn redis_settings(app: &TestApp) -> Vec<(String, String)> {
    app.database
        .extra_vars
        .iter()
        .filter(|(k, _)| k.starts_with("EVDMS__CACHE__"))
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_notification_produced_by_another_process_reaches_the_stream_through_redis() {
    if kernel::testing::service_url("EVDMS_TEST_REDIS_URL").is_none() {
        eprintln!("skipped: cross-process live push needs EVDMS_TEST_REDIS_URL");
        return;
    }
    // This process handles no event (its relays are off): process B writes every inbox item.
    let app = common::spawn_seeded_app_with(&[("EVDMS__BUS__RELAY_ENABLED", "false")]).await;
    let mut producer = common::evdms_command(&app.database);
    producer.envs(redis_settings(&app));
    let (_producer, _) = common::serve_process(producer);
    let admin = app.token(ADMIN).await;
    await_directory(&app, &admin).await;
    let manager = app.token(MANAGER_A).await;
    let mut stream = stream_of(&app, &manager, None).await;

    let started = Instant::now();
    publish_as_module(&app, &order_approved(DEALER_A, "DO-X-1")).await;
    let frame = stream.notification().await;
    eprintln!(
        "outbox commit to frame across processes: {:?}",
        started.elapsed()
    );
    let listed = inbox_of(&app, &manager, APPROVED).await;
    let item = listed
        .iter()
        .find(|i| i["title"] == "Order DO-X-1 approved")
        .unwrap();
    assert_eq!(frame.id, item["id"].as_str().unwrap());
    assert_eq!(data(&frame), *item);
}

#[tokio::test]
async fn another_services_event_reaches_every_replica_and_the_gateway() {
    let (Some(broker), Some(redis)) = (
        kernel::testing::TestBroker::create(),
        kernel::testing::service_url("EVDMS_TEST_REDIS_URL"),
    ) else {
        eprintln!("skipped: split services need EVDMS_TEST_AMQP_URL and EVDMS_TEST_REDIS_URL");
        return;
    };
    let mut database = kernel::testing::TestDatabase::create().await;
    database.extra_vars = vec![
        ("EVDMS__CACHE__REDIS_URL".to_owned(), redis),
        (
            "EVDMS__CACHE__KEY_PREFIX".to_owned(),
            format!("evdms-test:{}:", uuid::Uuid::new_v4().simple()),
        ),
    ];
    let with = |modules: &str| {
        let mut command = common::split_service_command(&database, &broker, modules);
        command.envs(database.extra_vars.clone());
        command
    };
    assert!(with("auth").arg("seed").status().unwrap().success());
    let (_auth, auth_port) = common::serve_process(with("auth"));
    let replica = || {
        let mut command = with("notification");
        command.env(
            "EVDMS__SERVICES__AUTH__URL",
            format!("http://127.0.0.1:{auth_port}"),
        );
        common::serve_process(command)
    };
    let ((_first, first_port), (_second, second_port)) = (replica(), replica());
    // The manufacturer service also fronts the second replica (as the gateway would).
    let mut manufacturer = with("manufacturer");
    manufacturer.env(
        "EVDMS__SERVICES__NOTIFICATION__URL",
        format!("http://127.0.0.1:{second_port}"),
    );
    let (_manufacturer, gateway_port) = common::serve_process(manufacturer);
    let auth = format!("http://127.0.0.1:{auth_port}");
    let admin = common::token_at(&auth, ADMIN).await;
    let manager = common::token_at(&auth, MANAGER_A).await;
    common::eventually("the users in the notification directory", || async {
        let page: Value = reqwest::Client::new()
            .get(format!(
                "http://127.0.0.1:{first_port}/api/v1/admin/notifications/deliveries?event=auth.user_registered.v1"
            ))
            .bearer_auth(&admin)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        (page["total"].as_u64() >= Some(6)).then_some(())
    })
    .await;
    let base = |port: u16| format!("http://127.0.0.1:{port}");
    let mut streams = [
        SseClient::read(open_at(&base(first_port), Some(&manager), "", None).await),
        SseClient::read(open_at(&base(gateway_port), Some(&manager), "", None).await),
    ];

    // Raised in the manufacturer service's outbox; its relay carries it over RabbitMQ to one
    // notification replica, whose commit is pushed to both through Redis (the second stream
    // passing through the proxy).
    let db = common::connect(&database).await;
    let mut txn = db.begin().await.unwrap();
    kernel::events::publish(&mut txn, &order_approved(DEALER_A, "DO-SPLIT-1"))
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let first = streams[0].notification().await;
    let second = streams[1].notification().await;
    assert_eq!(data(&first)["title"], "Order DO-SPLIT-1 approved");
    assert_eq!(
        (first.id.as_str(), &first.data),
        (second.id.as_str(), &second.data)
    );
}
