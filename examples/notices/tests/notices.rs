//! Live notices over real sockets: topics between sessions, the shared board, the HTTP API, the
//! ticker, a countdown that ends with its session, and a blocking handler that holds up nobody.

use std::sync::atomic::Ordering;
use std::time::Duration;

use example_notices::{Board, Notice, Notices, options};
use numerous::Options;
use numerous::testing::TestSession;
use serde_json::{Value, json};
use testkit::{Tab, http, serve};

const SLOW: Duration = Duration::from_secs(3600);

/// The feed's lines as the page shows them (newest first), from the welcome and the patches
/// after it: whole states, and `$append` patches of new lines only.
#[derive(Default)]
struct FeedView(Vec<String>);

impl FeedView {
    fn apply(&mut self, feed: &Value) {
        if let Some(items) = feed["items"].as_array() {
            self.0 = items
                .iter()
                .map(|i| i["text"].as_str().unwrap().to_owned())
                .collect();
        }
        if let Some(new) = feed["$append"]["items"].as_array() {
            self.0
                .extend(new.iter().map(|i| i["text"].as_str().unwrap().to_owned()));
            let keep = feed["$keep"]["items"].as_u64().unwrap() as usize;
            let over = self.0.len().saturating_sub(keep);
            self.0.drain(..over);
        }
    }

    /// Newest first, one line each.
    fn text(&self) -> String {
        self.0.iter().rev().map(|l| format!("{l}\n")).collect()
    }
}

/// Reads until the feed satisfies `done`; returns the feed, newest first, a line each.
async fn feed_until(tab: &mut Tab, done: impl Fn(&str) -> bool) -> String {
    let mut view = FeedView::default();
    view.apply(&tab.state["feed"]);
    if done(&view.text()) {
        return view.text();
    }
    loop {
        let frame = tab.recv().await;
        assert_ne!(frame["type"], "error", "{frame}");
        if frame["state"]["feed"].is_object() {
            view.apply(&frame["state"]["feed"]);
            if done(&view.text()) {
                return view.text();
            }
        }
    }
}

async fn post(tab: &mut Tab, text: &str) {
    tab.update("text", json!({"value": text})).await;
    tab.click("post").await;
}

#[tokio::test]
async fn notices_reach_every_open_page_in_order() {
    let addr = serve::<Notices>(options(Options::default(), SLOW)).await;
    let mut a = Tab::open(addr, None).await;
    let mut b = Tab::open(addr, None).await;
    a.update("name", json!({"value": "ann"})).await;
    for i in 0..20 {
        post(&mut a, &format!("n{i}")).await;
    }
    let feed = feed_until(&mut b, |f| f.contains("n19")).await;
    // newest first, every one of them, in the order posted
    let lines: Vec<&str> = feed.lines().collect();
    let expected: Vec<String> = (0..20).rev().map(|i| format!("**ann**: n{i}")).collect();
    assert_eq!(lines, expected);
}

#[tokio::test]
async fn fifty_sessions_posting_at_once_lose_nothing() {
    let addr = serve::<Notices>(options(Options::default(), SLOW)).await;
    let mut observer = Tab::open(addr, None).await;
    let mut posters = Vec::new();
    for _ in 0..50 {
        posters.push(Tab::open(addr, None).await);
    }
    let sends = posters.iter_mut().enumerate().map(|(i, tab)| async move {
        post(tab, &format!("from{i}x")).await;
    });
    futures_util::future::join_all(sends).await;
    let feed = feed_until(&mut observer, |f| f.lines().count() == 50).await;
    for i in 0..50 {
        assert!(
            feed.contains(&format!("from{i}x")),
            "from{i}x missing:\n{feed}"
        );
    }
    let list = http(addr, "GET /api/notices HTTP/1.1\r\nHost: 127.0.0.1", b"").await;
    let list: Value = serde_json::from_str(&list.body).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 50);
}

#[tokio::test]
async fn the_http_api_posts_to_open_pages_and_lists() {
    let addr = serve::<Notices>(options(Options::default(), SLOW)).await;
    let mut tab = Tab::open(addr, None).await;
    let body = br#"{"from":"script","text":"deploy done"}"#;
    let head = format!(
        "POST /api/notices HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}",
        body.len()
    );
    let r = http(addr, &head, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        serde_json::from_str::<Value>(&r.body).unwrap()["reached"],
        1
    );
    feed_until(&mut tab, |f| f.contains("**script**: deploy done")).await;

    // bad input: a clear error, nothing stored
    let empty = br#"{"from":"x","text":"   "}"#;
    let head = format!(
        "POST /api/notices HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}",
        empty.len()
    );
    let r = http(addr, &head, empty).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("1 to 200 characters"));
    let r = http(
        addr,
        "POST /api/notices HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 3",
        b"{x}",
    )
    .await;
    assert_eq!(r.status, 400);
    let list = http(addr, "GET /api/notices HTTP/1.1\r\nHost: 127.0.0.1", b"").await;
    assert_eq!(
        serde_json::from_str::<Value>(&list.body).unwrap(),
        json!([{"from": "script", "text": "deploy done"}])
    );
    // The API is checked like the page: foreign hosts are refused.
    let r = http(addr, "GET /api/notices HTTP/1.1\r\nHost: evil.example", b"").await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn a_new_page_starts_with_the_recent_notices() {
    let opts = options(Options::default(), SLOW);
    let board = opts.resources.get::<Board>().unwrap();
    let addr = serve::<Notices>(opts).await;
    let mut first = Tab::open(addr, None).await;
    post(&mut first, "hello").await;
    feed_until(&mut first, |f| f.contains("hello")).await;
    assert_eq!(board.recent(), [Notice::new("", "hello").unwrap()]);
    // `#[on_start]` ran before the welcome: the page is right at once.
    let second = Tab::open(addr, None).await;
    assert_eq!(
        second.state["feed"]["items"][0]["text"],
        "**someone**: hello"
    );
}

#[tokio::test]
async fn the_ticker_reaches_every_page() {
    let addr = serve::<Notices>(options(Options::default(), Duration::from_millis(20))).await;
    let mut tab = Tab::open(addr, None).await;
    loop {
        let frame = tab.recv().await;
        if frame["state"]["clock"]["value"]
            .as_f64()
            .is_some_and(|v| v >= 3.0)
        {
            break;
        }
    }
}

#[tokio::test]
async fn a_countdown_updates_its_page_and_stops_with_its_session() {
    let opts = options(
        Options::default()
            .idle_timeout(Duration::from_millis(200))
            .unused_session_timeout(Duration::from_millis(100)),
        SLOW,
    )
    // the countdown steps every 100 ms (the ticker stays slow)
    .resource(example_notices::Tick(Duration::from_millis(100)));
    let board = opts.resources.get::<Board>().unwrap();
    let addr = serve::<Notices>(opts).await;
    let mut tab = Tab::open(addr, None).await;
    tab.click("start").await;
    loop {
        let frame = tab.recv().await;
        if frame["state"]["countdown"]["value"] == 8.0 {
            break;
        }
    }
    assert_eq!(board.countdowns.load(Ordering::SeqCst), 1);
    tab.close().await;
    // The session ends soon after its tab, and its countdown with it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while board.countdowns.load(Ordering::SeqCst) != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the countdown outlived its session"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One worker thread: without `#[blocking]`, the crunching handler would hold up every session.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_blocking_handler_holds_up_no_other_session() {
    let addr = serve::<Notices>(options(Options::default(), SLOW)).await;
    let mut cruncher = Tab::open(addr, None).await;
    let mut poster = Tab::open(addr, None).await;
    let mut reader = Tab::open(addr, None).await;
    // seconds of work in a debug build
    cruncher
        .update("limit", json!({"value": 1_500_000.0}))
        .await;
    cruncher.click("crunch").await;
    // Meanwhile the others post and read; the cruncher is a slow subscriber too.
    for i in 0..10 {
        post(&mut poster, &format!("while crunching {i}")).await;
    }
    feed_until(&mut reader, |f| f.contains("while crunching 9")).await;
    // The crunch has not finished: nothing has come to its tab yet.
    let pending = tokio::time::timeout(Duration::from_millis(1), cruncher.recv()).await;
    assert!(pending.is_err(), "the crunch finished first: {pending:?}");
    // Then it finishes (seconds in a debug build, more on a busy machine), and the cruncher
    // catches up with every notice, in order.
    loop {
        let frame = cruncher.recv_within(Duration::from_secs(60)).await;
        if let Some(p) = frame["state"]["primes"]["content"].as_str() {
            assert_eq!(p, "114155 primes below 1500000.");
            break;
        }
    }
    feed_until(&mut cruncher, |f| f.contains("while crunching 9")).await;
}

#[test]
fn a_missing_resource_stops_the_server_at_start() {
    let err = std::panic::catch_unwind(|| numerous::router::<Notices>(Options::default()))
        .expect_err("the router refuses to start");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        msg.contains("handler `started` takes `Res<example_notices::Board>`"),
        "{msg}"
    );
    assert!(msg.contains("Options::resource"), "{msg}");
}

#[tokio::test]
async fn test_sessions_talk_through_a_shared_broker() {
    let opts = options(Options::default(), SLOW);
    let mut a = TestSession::<Notices>::with_options(opts.clone());
    let mut b = TestSession::<Notices>::with_options(opts);
    a.start().await;
    b.start().await;
    a.send(r#"{"type":"update","widget":"text","state":{"value":"hi b"}}"#)
        .await;
    a.send(r#"{"type":"msg","widget":"post","content":{"event":"click"}}"#)
        .await;
    let frames = b.next_update().await;
    assert!(frames.iter().any(|f| f.contains("hi b")), "{frames:?}");
}
