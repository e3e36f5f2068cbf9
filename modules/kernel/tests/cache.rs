//! One contract for both caches: in-process always, Redis when EVDMS_TEST_REDIS_URL is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kernel::cache::{self, Cache};
use std::{sync::Arc, time::Duration};

async fn caches() -> Vec<(Arc<dyn Cache>, Option<String>)> {
    let prefix = format!("evdms-test:{}:", uuid::Uuid::new_v4().simple());
    let mut out = vec![(cache::connect("", &prefix).await.unwrap(), None)];
    if let Some(url) = kernel::testing::service_url("EVDMS_TEST_REDIS_URL") {
        out.push((cache::connect(&url, &prefix).await.unwrap(), Some(url)));
    }
    out
}

#[tokio::test]
async fn values_expire() {
    for (cache, _) in caches().await {
        cache
            .set("k", "v", Duration::from_millis(150))
            .await
            .unwrap();
        assert_eq!(
            cache.get("k").await.unwrap().as_deref(),
            Some("v"),
            "{}",
            cache.backend()
        );
        assert_eq!(
            cache
                .get_many(&["k".into(), "missing".into()])
                .await
                .unwrap(),
            vec![Some("v".into()), None]
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(cache.get("k").await.unwrap(), None, "{}", cache.backend());
        cache.set("d", "v", Duration::from_secs(5)).await.unwrap();
        cache.delete("d").await.unwrap();
        assert_eq!(cache.get("d").await.unwrap(), None);
    }
}

#[tokio::test]
async fn counters_count_within_a_window_and_restart_after_it() {
    for (cache, _) in caches().await {
        let window = Duration::from_millis(300);
        for expected in 1..=3 {
            let (count, left) = cache.increment("c", window).await.unwrap();
            assert_eq!(count, expected, "{}", cache.backend());
            assert!(left <= window && left > Duration::ZERO);
        }
        assert_eq!(cache.count("c").await.unwrap().0, 3);
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(cache.count("c").await.unwrap().0, 0, "{}", cache.backend());
        assert_eq!(
            cache.increment("c", window).await.unwrap().0,
            1,
            "{}",
            cache.backend()
        );
        cache.delete("c").await.unwrap();
    }
}

#[tokio::test]
async fn concurrent_increments_are_all_counted() {
    for (cache, _) in caches().await {
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move {
                    cache
                        .increment("race", Duration::from_secs(5))
                        .await
                        .unwrap()
                        .0
                })
            })
            .collect();
        let mut seen = Vec::new();
        for t in tasks {
            seen.push(t.await.unwrap());
        }
        seen.sort_unstable();
        assert_eq!(seen, (1..=50).collect::<Vec<u64>>(), "{}", cache.backend());
        cache.delete("race").await.unwrap();
    }
}

#[tokio::test]
async fn take_hands_a_value_to_exactly_one_of_racing_callers() {
    for (cache, _) in caches().await {
        cache.set("t", "v", Duration::from_secs(5)).await.unwrap();
        let takers = (0..8).map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.take("t").await.unwrap() })
        });
        let mut won = Vec::new();
        for taker in takers {
            won.extend(taker.await.unwrap());
        }
        assert_eq!(won, vec!["v".to_owned()], "{}", cache.backend());
        assert_eq!(cache.get("t").await.unwrap(), None);
        cache
            .set("x", "v", Duration::from_millis(50))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(cache.take("x").await.unwrap(), None, "expired");
    }
}
