//! Load check of the live notification stream against a running server (see
//! `bench/notification-stream.sh`): opens many SSE streams for dealer A's managers, raises
//! complaints through the API (each one an in-app notification for every manager of dealer A),
//! and reports how long each frame took from its inbox item's creation (inside the committing
//! transaction) to arriving at a stream.
//!
//! `cargo run --release --example notification_stream_bench -- <base-url> <users> <streams-per-user> <events>`
//! with `BENCH_PASSWORD` (the seed password) and `BENCH_SERVER_PID` (for the server's memory).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

const DEALER_A: &str = "01930000-0000-7000-8000-0000000000a1";

struct Bench {
    base: String,
    client: reqwest::Client,
    password: String,
}

/// Sends `request` and reads its JSON answer.
async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

impl Bench {
    async fn token(&self, email: &str, password: &str) -> String {
        let login = json_of(
            self.client
                .post(format!("{}/api/v1/auth/login", self.base))
                .json(&json!({ "email": email, "password": password })),
        )
        .await;
        login["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("login of {email}: {login}"))
            .to_owned()
    }

    /// Creates `count` managers of dealer A (or finds them from an earlier run) and logs them in.
    async fn managers(&self, admin: &str, count: usize) -> Vec<String> {
        let password = "Bench-Stream-2026!";
        futures_util::stream::iter(0..count)
            .map(|n| async move {
                let email = format!("bench-manager-{n}@dealer-a.evdms.dev");
                let created = self
                    .client
                    .post(format!("{}/api/v1/users", self.base))
                    .bearer_auth(admin)
                    .json(
                        &json!({ "email": email, "name": format!("Bench Manager {n}"),
                        "role": "dealer_manager", "dealerId": DEALER_A, "password": password }),
                    )
                    .send()
                    .await
                    .unwrap();
                assert!(
                    created.status() == 201 || created.status() == 409,
                    "creating {email}: {}",
                    created.status()
                );
                self.token(&email, password).await
            })
            .buffer_unordered(4)
            .collect()
            .await
    }

    /// Waits until the notification module knows `count` users (each got a welcome message).
    async fn await_directory(&self, admin: &str, count: u64) {
        for _ in 0..600 {
            let page = json_of(
                self.client
                    .get(format!(
                        "{}/api/v1/admin/notifications/deliveries?event=auth.user_registered.v1&pageSize=1",
                        self.base
                    ))
                    .bearer_auth(admin),
            )
            .await;
            if page["total"].as_u64() >= Some(count) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("the users never reached the notification directory");
    }
}

/// Frame latencies in milliseconds, and how many frames came.
#[derive(Default)]
struct Received {
    latencies: Mutex<Vec<f64>>,
    frames: AtomicUsize,
}

async fn follow(
    client: reqwest::Client,
    url: String,
    token: String,
    received: Arc<Received>,
    opened: Arc<AtomicUsize>,
) {
    let response = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("stream");
    assert_eq!(response.status(), 200, "opening a stream");
    opened.fetch_add(1, Ordering::SeqCst);
    let mut events = response.bytes_stream().eventsource();
    while let Some(Ok(event)) = events.next().await {
        if event.event != "notification" {
            continue;
        }
        let arrived = chrono::Utc::now();
        let item: Value = serde_json::from_str(&event.data).unwrap();
        if !item["event"]
            .as_str()
            .unwrap_or("")
            .starts_with("customer.complaint")
        {
            continue;
        }
        let created: chrono::DateTime<chrono::Utc> =
            item["createdAt"].as_str().unwrap().parse().unwrap();
        let millis = (arrived - created).num_microseconds().unwrap_or(0) as f64 / 1000.0;
        received.latencies.lock().unwrap().push(millis);
        received.frames.fetch_add(1, Ordering::SeqCst);
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn rss_kib(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |n: usize, default: &str| args.get(n).cloned().unwrap_or_else(|| default.to_owned());
    let base = arg(1, "http://127.0.0.1:8080");
    let users: usize = arg(2, "200").parse().unwrap();
    let per_user: usize = arg(3, "5").parse().unwrap();
    let events: usize = arg(4, "20").parse().unwrap();
    let bench = Bench {
        base: base.clone(),
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap(),
        password: std::env::var("BENCH_PASSWORD").unwrap_or_else(|_| "ChangeMe-123!".into()),
    };
    let server_pid = std::env::var("BENCH_SERVER_PID").ok();
    let rss = || server_pid.as_deref().and_then(rss_kib);

    let admin = bench.token("admin@evdms.dev", &bench.password).await;
    let reporter = bench
        .token("manager@dealer-a.evdms.dev", &bench.password)
        .await;
    let started = Instant::now();
    let tokens = bench.managers(&admin, users).await;
    bench.await_directory(&admin, 6 + users as u64).await;
    println!("{users} managers ready in {:.1?}", started.elapsed());
    let rss_before = rss();

    let received = Arc::new(Received::default());
    let opened = Arc::new(AtomicUsize::new(0));
    let url = format!("{base}/api/v1/notifications/stream");
    let mut followers = Vec::new();
    for token in &tokens {
        for _ in 0..per_user {
            followers.push(tokio::spawn(follow(
                bench.client.clone(),
                url.clone(),
                token.clone(),
                received.clone(),
                opened.clone(),
            )));
        }
    }
    let streams = users * per_user;
    let started = Instant::now();
    while opened.load(Ordering::SeqCst) < streams {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "streams did not open"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("{streams} streams open in {:.1?}", started.elapsed());
    let rss_open = rss();

    let expected = events * streams;
    let started = Instant::now();
    for n in 0..events {
        let response = bench
            .client
            .post(format!("{base}/api/v1/feedback"))
            .bearer_auth(&reporter)
            .json(
                &json!({ "kind": "complaint", "severity": "medium", "channel": "phone",
                "subject": format!("Bench complaint {n}") }),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "filing a complaint");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    while received.frames.load(Ordering::SeqCst) < expected
        && started.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rss_after = rss();
    let mut latencies = received.latencies.lock().unwrap().clone();
    latencies.sort_by(f64::total_cmp);
    println!(
        "frames: {} of {expected} ({events} complaints × {streams} streams)",
        latencies.len()
    );
    println!(
        "item created → frame received: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(f64::NAN)
    );
    let mib =
        |kib: Option<u64>| kib.map_or("?".to_owned(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    println!(
        "server RSS: {} before the streams, {} with {streams} open, {} after the burst",
        mib(rss_before),
        mib(rss_open),
        mib(rss_after)
    );
    for follower in followers {
        follower.abort();
    }
}
