//! Sessions recorded over real sockets and replayed through `TestSession`
//! (`numerous::testing::replay`): an app that records every session writes each one to a file
//! when it ends (WebSocket and the event-stream fallback alike); an administrator records one
//! session on demand and reads it back as JSON or as a Rust test. A replay of an unchanged
//! recording matches step by step; a tampered one names the step and the widget that differ;
//! one of another app or one that does not load says why. A recording holds no password,
//! token or session id.

use std::path::Path;
use std::time::{Duration, Instant};

use numerous::Options;
use numerous::auth::{Auth, EnvProvider};
use numerous::recording::{RecordSessions, Recording, Step};
use numerous::testing::replay;
use serde_json::{Value, json};
use testkit::{SseTab, Tab};

use crate::support::Counter;

/// The recordings in `dir`, once there are `n` of them (sessions write theirs as they end).
async fn recordings(dir: &Path, n: usize) -> Vec<Recording> {
    let start = Instant::now();
    loop {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            if let Ok(r) = Recording::from_json(&text) {
                found.push(r);
            }
        }
        if found.len() >= n {
            return found;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{} recordings of {n} after 20 s",
            found.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn frames(r: &Recording) -> Vec<Value> {
    r.steps
        .iter()
        .filter_map(|s| match s {
            Step::Frame { frame, .. } => serde_json::from_str(frame).ok(),
            Step::Changed { .. } => None,
        })
        .collect()
}

#[tokio::test]
async fn every_session_is_recorded_to_a_file_and_replays_step_by_step() {
    let dir = testkit::cluster::TempDir::new("recordings");
    let mut options = Options::default().record_sessions(RecordSessions::to_dir(&dir.0));
    // Sessions end soon after their tabs leave, and write their recordings then.
    options.idle_timeout = Duration::from_millis(300);
    options.unused_session_timeout = Duration::from_millis(300);
    let addr = testkit::serve::<Counter>(options).await;

    // Over a WebSocket: a step of 2, two clicks (a handler that pushes progress runs between).
    let mut ws = Tab::open(addr, None).await;
    ws.update("selection", json!({"value": "2"})).await;
    ws.click("increment").await;
    ws.click("increment").await;
    let last = loop {
        let f = ws.recv().await;
        if f["state"]["counter"]["value"] == 4.0 {
            break f;
        }
    };
    assert_eq!(last["type"], "patch");
    ws.close().await;

    // Over the event-stream fallback: one click.
    let sse = SseTab::open(addr, None).await;
    assert_eq!(
        sse.send(&[json!({"type": "msg", "widget": "increment", "content": {"event": "click"}})])
            .await,
        204
    );
    drop(sse);

    let mut found = recordings(&dir.0, 2).await;
    found.sort_by_key(|r| std::cmp::Reverse(r.steps.len()));
    let [ws_rec, sse_rec] = &found[..] else {
        panic!("{} recordings", found.len());
    };
    let sent = frames(ws_rec);
    assert_eq!(
        sent.iter()
            .map(|f| f["type"].as_str().unwrap_or(""))
            .collect::<Vec<_>>(),
        ["update", "msg", "msg"],
        "{sent:?}"
    );
    assert_eq!(frames(sse_rec).len(), 1, "{:?}", sse_rec.steps);
    for r in [ws_rec, sse_rec] {
        assert_eq!(r.app, "Counter");
        assert_eq!(r.dropped, 0);
        let done = replay::<Counter>(r).await.unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(done.steps, r.steps.len());
    }

    // A recording whose third step shows another count: the replay says where and what.
    let mut tampered = ws_rec.clone();
    let third = tampered
        .steps
        .iter()
        .position(|s| matches!(s, Step::Frame { frame, .. } if frame.contains("click")))
        .unwrap()
        + 1;
    let Step::Frame { after, .. } = &mut tampered.steps[third] else {
        panic!("the second click is a frame")
    };
    let mut record: Value = serde_json::from_str(after.get()).unwrap();
    record["widgets"]["counter"]["value"] = json!(5.0);
    *after = serde_json::value::to_raw_value(&record).unwrap();
    let d = replay::<Counter>(&tampered).await.unwrap_err();
    assert_eq!(d.step, third + 1, "{d}");
    assert!(d.message.starts_with("widget `counter` is {"), "{d}");
    assert!(d.to_string().contains("(tab 0 sent {"), "{d}");
    assert!(d.what.contains("\"event\":\"click\""), "{d}");

    // A recording is data of one app: another refuses it, and says why.
    #[numerous::app(template = "index.html")]
    #[derive(Debug)]
    struct Other {
        counter: numerous::widgets::Number,
        increment: numerous::widgets::Button,
    }
    #[numerous::handlers]
    impl Other {}
    let d = replay::<Other>(ws_rec).await.unwrap_err();
    assert_eq!(d.step, 0);
    assert!(
        d.message
            .contains("recorded from the app `Counter`, not `Other`"),
        "{d}"
    );

    // Exported as a test, it holds the recording whole.
    let test = ws_rec.to_rust_test("my_app::Counter", "counter session");
    assert!(test.contains("async fn counter_session()"), "{test}");
    let json = &test[test.find("r#\"").unwrap() + 3..test.rfind("\"#").unwrap()];
    assert_eq!(
        Recording::from_json(json).unwrap().steps.len(),
        ws_rec.steps.len()
    );
}

const USERS: &str = r#"[{"username": "root", "password": "root-password", "is_admin": true},
    {"username": "ann", "password": "ann-password", "roles": ["editor"]}]"#;

/// `POST <path>` with `body` as `cookie`.
async fn post(
    addr: std::net::SocketAddr,
    path: &str,
    cookie: &str,
    body: &Value,
) -> testkit::Response {
    testkit::post_json(addr, path, cookie, &body.to_string()).await
}

#[tokio::test]
async fn an_administrator_records_one_session_and_reads_it_back() {
    let auth = Auth::new(EnvProvider::from_json(USERS).unwrap())
        .secret("a test secret of thirty-two bytes or more")
        .max_sessions_per_user(0);
    let addr = testkit::serve::<Counter>(Options::default().auth(auth)).await;
    let root = testkit::login(addr, "", "root", "root-password")
        .await
        .cookie();
    let ann = testkit::login(addr, "", "ann", "ann-password")
        .await
        .cookie();

    let mut tab = Tab::open_at(addr, "/ws", None, &[("cookie", ann.as_str())]).await;
    let id = tab.session.clone();
    // Before the recording: not in it, but in its start.
    tab.click("increment").await;
    tab.recv().await;

    // Only an administrator, only for a session this server runs, and nothing to read yet.
    let on = json!({"id": id, "on": true});
    assert_eq!(
        post(addr, "/api/admin/sessions/record", &ann, &on)
            .await
            .status,
        403
    );
    let nobody = json!({"id": "nobody", "on": true});
    assert_eq!(
        post(addr, "/api/admin/sessions/record", &root, &nobody)
            .await
            .status,
        404
    );
    // From another site, or for a host the server does not serve: refused, as everywhere.
    for path in [
        "/api/admin/sessions/record",
        "/api/admin/sessions/recording",
    ] {
        let body = json!({"id": id, "on": true}).to_string();
        let head = |host: &str, origin: &str| {
            format!(
                "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: {origin}\r\nCookie: {root}\r\nContent-Type: application/json\r\nContent-Length: {}",
                body.len()
            )
        };
        let r = testkit::http(
            addr,
            &head(&addr.to_string(), "http://evil.example"),
            body.as_bytes(),
        )
        .await;
        assert_eq!(r.status, 403, "{path} from another site: {}", r.body);
        let r = testkit::http(
            addr,
            &head("evil.example", &format!("http://{addr}")),
            body.as_bytes(),
        )
        .await;
        assert_eq!(r.status, 400, "{path} for another host: {}", r.body);
    }
    let read = json!({"id": id});
    let r = post(addr, "/api/admin/sessions/recording", &root, &read).await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert!(r.body.contains("records nothing"), "{}", r.body);

    // Asked for while a handler is running (the drop-down's, which pushes progress as it
    // goes): the recording begins after it, not halfway through.
    tab.update("selection", json!({"value": "1"})).await;
    assert_eq!(
        post(addr, "/api/admin/sessions/record", &root, &on)
            .await
            .status,
        204
    );
    tab.click("increment").await;
    tab.recv().await;
    tab.click("increment").await;
    tab.recv().await;

    // The two clicks since, as ann (the recording is read while the session lives).
    let start = Instant::now();
    let recording = loop {
        let r = post(addr, "/api/admin/sessions/recording", &root, &read).await;
        assert_eq!(r.status, 200, "{}", r.body);
        // Nothing that signs anybody in, and not the session's id.
        for secret in ["ann-password", "root-password", id.as_str()] {
            assert!(!r.body.contains(secret), "the recording holds {secret:?}");
        }
        for cookie in [&ann, &root] {
            for part in cookie.split("; ") {
                let value = part.split_once('=').map_or(part, |(_, v)| v);
                assert!(!r.body.contains(value), "the recording holds a cookie");
            }
        }
        let recording = Recording::from_json(&r.body).unwrap();
        if recording.steps.len() >= 2 || start.elapsed() > Duration::from_secs(10) {
            break recording;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(frames(&recording).len(), 2, "{:?}", recording.steps);
    let user = recording.user.as_ref().unwrap();
    assert_eq!(
        (user.username.as_str(), &user.roles[..]),
        ("ann", &["editor".to_owned()][..])
    );
    let start: Value = serde_json::from_str(recording.start.get()).unwrap();
    assert_eq!(start["widgets"]["counter"]["value"], 1.0);
    let done = replay::<Counter>(&recording)
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(done.steps, 2);

    // As a test, ready to drop into tests/.
    let with = json!({"id": id, "test": "my_app::Counter"});
    let r = post(addr, "/api/admin/sessions/recording", &root, &with).await;
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("#[tokio::test]") && r.body.contains("replay_with::<my_app::Counter>"),
        "{}",
        r.body
    );

    // Stopped: nothing to read any more; the session goes on.
    let off = json!({"id": id, "on": false});
    assert_eq!(
        post(addr, "/api/admin/sessions/record", &root, &off)
            .await
            .status,
        204
    );
    assert_eq!(
        post(addr, "/api/admin/sessions/recording", &root, &read)
            .await
            .status,
        404
    );
    tab.click("increment").await;
    assert_eq!(tab.recv().await["state"]["counter"]["value"], 4.0);
}

#[tokio::test]
async fn a_recording_keeps_its_most_recent_steps_within_its_limit() {
    let dir = testkit::cluster::TempDir::new("recordings-limit");
    let mut options =
        Options::default().record_sessions(RecordSessions::to_dir(&dir.0).limit(4 * 1024));
    options.idle_timeout = Duration::from_millis(300);
    options.unused_session_timeout = Duration::from_millis(300);
    let addr = testkit::serve::<Counter>(options).await;
    let mut tab = Tab::open(addr, None).await;
    for _ in 0..40 {
        tab.click("increment").await;
        tab.recv().await;
    }
    tab.close().await;
    let found = recordings(&dir.0, 1).await;
    let r = &found[0];
    assert!(r.dropped > 0);
    assert_eq!(r.dropped as usize + r.steps.len(), 40);
    let steps: usize = r
        .steps
        .iter()
        .map(|s| serde_json::to_string(s).unwrap().len())
        .sum();
    assert!(steps <= 4 * 1024, "{steps}");
    // It starts after the last step dropped, and what it holds replays to the last click.
    let start: Value = serde_json::from_str(r.start.get()).unwrap();
    assert_eq!(start["widgets"]["counter"]["value"], r.dropped as f64);
    let last: Value = serde_json::from_str(r.steps.last().unwrap().after().get()).unwrap();
    assert_eq!(last["widgets"]["counter"]["value"], 40.0);
    replay::<Counter>(r).await.unwrap_or_else(|d| panic!("{d}"));
}

/// A recording of `clicks` clicks on a counter served over a WebSocket, as its file holds it.
async fn recorded_clicks(clicks: usize) -> Recording {
    let dir = testkit::cluster::TempDir::new("recordings-clicks");
    let mut options = Options::default().record_sessions(RecordSessions::to_dir(&dir.0));
    options.idle_timeout = Duration::from_millis(200);
    options.unused_session_timeout = Duration::from_millis(200);
    let addr = testkit::serve::<Counter>(options).await;
    let mut tab = Tab::open(addr, None).await;
    for _ in 0..clicks {
        tab.click("increment").await;
        tab.recv().await;
    }
    tab.close().await;
    recordings(&dir.0, 1).await.remove(0)
}

/// Every session record in `r` (its start and each step's), rewritten by `f`.
fn rewrite(r: &mut Recording, f: impl Fn(&mut Value)) {
    let each = |raw: &mut Box<serde_json::value::RawValue>| {
        let mut v: Value = serde_json::from_str(raw.get()).unwrap();
        f(&mut v);
        *raw = serde_json::value::to_raw_value(&v).unwrap();
    };
    each(&mut r.start);
    for step in &mut r.steps {
        match step {
            Step::Frame { after, .. } | Step::Changed { after, .. } => each(after),
        }
    }
}

#[tokio::test]
async fn a_recording_of_an_older_build_replays_through_its_migration_or_says_why_not() {
    // As an older build recorded it: version 1, whose counter widget was called `count`.
    let mut old = recorded_clicks(2).await;
    old.version = 1;
    rewrite(&mut old, |v| {
        v["v"] = json!(1);
        let counter = v["widgets"]["counter"].take();
        v["widgets"].as_object_mut().unwrap().remove("counter");
        v["widgets"]["count"] = counter;
    });

    // This build's migration renames it back: the replay matches.
    let migrated = Options::default().migrate_sessions(2, |from, record| {
        assert_eq!(from, 1);
        let count = record["widgets"]["count"].take();
        record["widgets"].as_object_mut().unwrap().remove("count");
        record["widgets"]["counter"] = count;
        Ok(())
    });
    let done = numerous::testing::replay_with::<Counter>(migrated, &old)
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(done.steps, 2);

    // Without it, the first step already differs, and the message names the widget.
    let d = replay::<Counter>(&old).await.unwrap_err();
    assert_eq!(d.step, 1, "{d}");
    assert!(d.message.contains("widget `count"), "{d}");

    // A migration that refuses: the replay cannot begin, and says so.
    let refusing = Options::default().migrate_sessions(2, |_, _| Err("no way back".into()));
    let d = numerous::testing::replay_with::<Counter>(refusing, &old)
        .await
        .unwrap_err();
    assert_eq!(d.step, 0);
    assert!(d.message.contains("no way back"), "{d}");
}
