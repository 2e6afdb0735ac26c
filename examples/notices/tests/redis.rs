//! Two instances of the app share their topics through Redis: a notice posted on one reaches
//! pages open on the other, and both show every notice in the same order.
//!
//! Needs a Redis server: set `NUMEROUS_TEST_REDIS_URL` (`.ci/run` starts one);
//! `NUMEROUS_REQUIRE_REDIS=1` makes its absence a failure.

use std::time::Duration;

use example_notices::{Notices, options};
use numerous::{Options, RedisBroker};
use serde_json::{Value, json};
use testkit::Tab;

/// The feed's lines from a tab's frames until it has `n` (oldest first).
async fn lines(tab: &mut Tab, n: usize) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    while seen.len() < n {
        let frame = tab.recv_within(Duration::from_secs(10)).await;
        if let Some(items) = frame["state"]["feed"]["$append"]["items"].as_array() {
            seen.extend(
                items
                    .iter()
                    .map(|i: &Value| i["text"].as_str().unwrap().to_owned()),
            );
        }
    }
    seen
}

#[tokio::test]
async fn two_instances_share_their_topics_in_one_order() {
    let Some(url) = testkit::redis_url() else {
        return;
    };
    // One stream name for this run, so runs do not hear each other.
    let name = format!(
        "test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let slow = Duration::from_secs(3600);
    let mut addrs = Vec::new();
    for _ in 0..2 {
        let broker = RedisBroker::connect(&url, &name).await.unwrap();
        addrs.push(
            testkit::serve::<Notices>(options(Options::default(), slow).broker(broker)).await,
        );
    }
    let mut a = Tab::open(addrs[0], None).await;
    let mut b = Tab::open(addrs[1], None).await;
    a.update("name", json!({"value": "ann"})).await;
    b.update("name", json!({"value": "bob"})).await;
    // Both post at once, alternating.
    for i in 0..10 {
        a.update("text", json!({"value": format!("a{i}")})).await;
        a.click("post").await;
        b.update("text", json!({"value": format!("b{i}")})).await;
        b.click("post").await;
    }
    let on_a = lines(&mut a, 20).await;
    let on_b = lines(&mut b, 20).await;
    assert_eq!(on_a, on_b, "one order on both instances");
    for i in 0..10 {
        assert!(
            on_a.iter().any(|l| l.ends_with(&format!("a{i}"))),
            "a{i} in {on_a:?}"
        );
        assert!(
            on_a.iter().any(|l| l.ends_with(&format!("b{i}"))),
            "b{i} in {on_a:?}"
        );
    }
}

#[tokio::test]
async fn a_message_published_while_redis_is_away_arrives_when_it_is_back() {
    // A Redis server of this test's own, stopped and started again.
    let Some(mut redis) = testkit::cluster::Redis::start().await else {
        return;
    };
    let url = redis.url();
    let slow = Duration::from_secs(3600);
    let mut addrs = Vec::new();
    for _ in 0..2 {
        let broker = RedisBroker::connect(&url, "restart").await.unwrap();
        addrs.push(
            testkit::serve::<Notices>(options(Options::default(), slow).broker(broker)).await,
        );
    }
    let mut a = Tab::open(addrs[0], None).await;
    let mut b = Tab::open(addrs[1], None).await;
    a.update("name", json!({"value": "ann"})).await;
    a.update("text", json!({"value": "before"})).await;
    a.click("post").await;
    assert!(lines(&mut b, 1).await[0].ends_with("before"));
    lines(&mut a, 1).await;

    // Redis dies; a notice is posted meanwhile; Redis comes back (empty: no persistence).
    redis.stop();
    a.update("text", json!({"value": "during"})).await;
    a.click("post").await;
    // Gives the publisher time to try and fail while Redis is away (what this test is about);
    // the assertions below hold whether it did or not.
    tokio::time::sleep(Duration::from_millis(300)).await;
    redis.restart().await;
    assert!(
        lines(&mut b, 1).await[0].ends_with("during"),
        "published while Redis was away"
    );
    assert!(lines(&mut a, 1).await[0].ends_with("during"));
    a.update("text", json!({"value": "after"})).await;
    a.click("post").await;
    assert!(lines(&mut b, 1).await[0].ends_with("after"));
}
