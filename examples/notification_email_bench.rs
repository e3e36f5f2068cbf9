//! Email throughput of the notification pipeline (see `bench/notification-email.sh`): writes
//! `count` `auth.user_registered.v1` events into the auth outbox of the server's database, as the
//! auth module would (batches of 100 per transaction), and waits until the SMTP sink has received
//! a welcome mail for each: relay → inbox → routing and ledger → dispatcher → SMTP, end to end.
//!
//! `cargo run --release --example notification_email_bench -- <count>` with the server's
//! `EVDMS_*` settings, `BENCH_SMTP_COUNT_FILE` (written by bench/smtp_sink.py) and
//! `BENCH_SERVER_PID` (for the server's memory).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use contracts::events::auth::UserRegistered;
use std::time::{Duration, Instant};
use uuid::Uuid;

fn received(path: &str) -> usize {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

fn rss_mib(pid: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .map(|c| c.parse().expect("a count"))
        .unwrap_or(2000);
    let count_file = std::env::var("BENCH_SMTP_COUNT_FILE").expect("BENCH_SMTP_COUNT_FILE");
    let settings = kernel::config::Settings::load().expect("settings");
    let db = kernel::db::connect(
        &settings.database_kind().expect("database"),
        &settings.database,
        &contracts::modules::ALL,
    )
    .await
    .expect("database connection");
    let before = received(&count_file);

    let started = Instant::now();
    let run = Uuid::now_v7().simple().to_string();
    for batch in 0..count.div_ceil(100) {
        let mut txn = db.begin().await.unwrap();
        for i in batch * 100..((batch + 1) * 100).min(count) {
            let event = UserRegistered {
                user_id: Uuid::now_v7(),
                email: format!("bench-{run}-{i}@example.com"),
                name: format!("Bench User {i}"),
                role: "evm_staff".into(),
                dealer_id: None,
                branch_id: None,
            };
            kernel::events::publish(&mut txn, &event).await.unwrap();
        }
        txn.commit().await.unwrap();
    }
    let written = started.elapsed();

    let deadline = started + Duration::from_secs(600);
    let mut halfway = None;
    loop {
        let got = received(&count_file) - before;
        if halfway.is_none() && got * 2 >= count {
            halfway = Some(started.elapsed());
        }
        if got >= count {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {got} of {count} mails after 600 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let total = started.elapsed();
    println!(
        "{count} events written in {:.2} s; {count} mails received in {:.2} s (half after {:.2} s)",
        written.as_secs_f64(),
        total.as_secs_f64(),
        halfway.unwrap_or(total).as_secs_f64()
    );
    println!(
        "throughput: {:.0} notifications/s end to end (event commit → SMTP server)",
        count as f64 / total.as_secs_f64()
    );
    if let Some(rss) = std::env::var("BENCH_SERVER_PID")
        .ok()
        .and_then(|p| rss_mib(&p))
    {
        println!("server RSS after the run: {rss:.1} MiB");
    }
}
