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
