//! The counter binary started with `--record-sessions DIR`: a tab over a WebSocket and one over
//! the event-stream fallback click and choose; a graceful shutdown writes each session's
//! recording; each replays through `numerous::testing::replay` to the state its tab was shown.

use example_counter::Counter;
use numerous::recording::{Recording, Step};
use serde_json::json;
use testkit::cluster::{Instance, TempDir};
use testkit::{SseTab, Tab};

const BINARY: &str = env!("CARGO_BIN_EXE_example-counter");

#[tokio::test]
async fn sessions_recorded_by_the_binary_replay_to_what_their_tabs_were_shown() {
    let dir = TempDir::new("counter-recordings");
    let folder = dir.0.display().to_string();
    let mut app = Instance::start(BINARY, &["--record-sessions", &folder]).await;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], app.port));

    let mut ws = Tab::open(addr, None).await;
    ws.update("selection", json!({"value": "3"})).await;
    ws.click("increment").await;
    ws.click("increment").await;
    let shown = loop {
        let f = ws.recv().await;
        if f["state"]["counter"]["value"] == 6.0 {
            break 6.0;
        }
    };
    let mut sse = SseTab::open(addr, None).await;
    let click = json!({"type": "msg", "widget": "increment", "content": {"event": "click"}});
    assert_eq!(sse.send(&[click]).await, 204);
    while sse.recv().await["state"]["counter"]["value"] != 1.0 {}

    // A graceful shutdown ends every session, and each writes its recording first.
    app.terminate().await;
    let mut found: Vec<Recording> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| {
            Recording::from_json(&std::fs::read_to_string(e.unwrap().path()).unwrap()).unwrap()
        })
        .collect();
    assert_eq!(found.len(), 2, "one recording per session");
    found.sort_by_key(|r| std::cmp::Reverse(r.steps.len()));
    for (r, clicks) in found.iter().zip([2, 1]) {
        let sent = r
            .steps
            .iter()
            .filter(|s| matches!(s, Step::Frame { frame, .. } if frame.contains("click")))
            .count();
        assert_eq!(sent, clicks);
        let done = numerous::testing::replay::<Counter>(r)
            .await
            .unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(done.steps, r.steps.len());
    }
    // `NUMEROUS_BLESS=1` writes the longer one as the test `tests/replayed_session.rs` (which
    // CI then compiles and runs as any test).
    if std::env::var("NUMEROUS_BLESS").is_ok_and(|v| v == "1") {
        let test = found[0].to_rust_test("example_counter::Counter", "a_recorded_session_replays");
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/replayed_session.rs"),
            test,
        )
        .unwrap();
    }
    let last: serde_json::Value =
        serde_json::from_str(found[0].steps.last().unwrap().after().get()).unwrap();
    assert_eq!(last["widgets"]["counter"]["value"], shown);
    // The folder is the server user's only.
    #[cfg(unix)]
    for e in std::fs::read_dir(&dir.0).unwrap() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = e.unwrap().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

/// Clicks as fast as it is answered until the server closes the socket; returns the last
/// counter value the tab was shown. `go` counts answered clicks across the tabs.
async fn click_until_closed(
    addr: std::net::SocketAddr,
    answered: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> f64 {
    use futures_util::{SinkExt as _, StreamExt as _};
    use testkit::tungstenite::Message;
    let mut ws = testkit::connect(addr, "/ws", None, &[]).await.unwrap();
    let click = json!({"type": "msg", "widget": "increment", "content": {"event": "click"}});
    let mut shown = 0.0;
    ws.send(Message::Text(click.to_string().into()))
        .await
        .unwrap();
    while let Some(Ok(msg)) = ws.next().await {
        let Message::Text(text) = msg else { continue };
        let frame: serde_json::Value = serde_json::from_str(&text).unwrap();
        if let Some(v) = frame["state"]["counter"]["value"].as_f64() {
            shown = v;
            answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // A send that fails: the server is going; what was shown stands.
            if ws
                .send(Message::Text(click.to_string().into()))
                .await
                .is_err()
            {
                break;
            }
        }
    }
    shown
}

/// Twenty tabs click without pause; the server is stopped (SIGTERM) while clicks are in flight,
/// after a few clicks and after many. Every session writes its recording before the process
/// exits, each holds every click its tab was shown the answer of (its last state counts them),
/// and each replays.
#[tokio::test]
async fn a_shutdown_under_load_writes_every_recording_with_what_each_tab_was_shown() {
    const TABS: usize = 20;
    for after in [TABS * 3, TABS * 60] {
        let dir = TempDir::new("counter-recordings-load");
        let folder = dir.0.display().to_string();
        let mut app = Instance::start(BINARY, &["--record-sessions", &folder]).await;
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], app.port));
        let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let tabs: Vec<_> = (0..TABS)
            .map(|_| tokio::spawn(click_until_closed(addr, answered.clone())))
            .collect();
        let start = std::time::Instant::now();
        while answered.load(std::sync::atomic::Ordering::Relaxed) < after {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(30),
                "clicks answered too slowly"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        app.terminate().await;
        let mut shown = Vec::new();
        for tab in tabs {
            shown.push(tab.await.unwrap());
        }

        let recordings: Vec<Recording> = std::fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| {
                Recording::from_json(&std::fs::read_to_string(e.unwrap().path()).unwrap()).unwrap()
            })
            .collect();
        assert_eq!(
            recordings.len(),
            TABS,
            "one recording per session (after {after} clicks)"
        );
        let mut last = Vec::new();
        for r in &recordings {
            let clicks = r
                .steps
                .iter()
                .filter(|s| matches!(s, Step::Frame { .. }))
                .count();
            let end: serde_json::Value =
                serde_json::from_str(r.steps.last().unwrap().after().get()).unwrap();
            let value = end["widgets"]["counter"]["value"].as_f64().unwrap();
            // Every click handled is in the recording, and counted in its last state.
            assert_eq!(
                value, clicks as f64,
                "a recording misses a click it handled"
            );
            numerous::testing::replay::<Counter>(r)
                .await
                .unwrap_or_else(|d| panic!("{d}"));
            last.push(value);
        }
        // Each tab's last answer is in a recording: at least as far as what it was shown
        // (a click handled as the server went may have had no answer).
        shown.sort_by(f64::total_cmp);
        last.sort_by(f64::total_cmp);
        for (seen, kept) in shown.iter().zip(&last) {
            assert!(
                kept >= seen,
                "a tab was shown {seen}, its recording holds {kept}: {shown:?} / {last:?}"
            );
        }
    }
}
