//! The counter app (`support::Counter`) served on a loopback port and driven by real WebSocket
//! clients.

use std::time::Duration;

use crate::support::Counter;
use numerous::Options;
use serde_json::json;
use testkit::tungstenite::Message;
use testkit::{Tab, serve};

#[tokio::test]
async fn a_click_changes_the_counter() {
    let addr = serve::<Counter>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    assert!(!tab.resumed);
    assert_eq!(tab.state["counter"]["value"], 0.0);
    tab.click("increment").await;
    let patch = tab.recv().await;
    assert_eq!(patch["type"], "patch");
    assert_eq!(patch["state"]["counter"]["value"], 1.0);
    assert_eq!(patch["state"]["counter2"]["value"], 1.0);
    // only the widgets that changed are sent
    assert_eq!(patch["state"].as_object().unwrap().len(), 2, "{patch}");
}

#[tokio::test]
async fn the_page_inlines_the_initial_state() {
    let addr = serve::<Counter>(Options::default()).await;
    let page = reqwest_lite(addr, "/").await;
    assert!(page.contains(r#"data-numerous-widget="counter""#));
    assert!(
        page.contains(r#""counter":{"label":"Counter:","value":0.0,"#),
        "{page}"
    );
    assert!(page.contains("numerous.js"));
}

/// A minimal HTTP GET over a real socket, to keep dependencies down.
async fn reqwest_lite(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    out
}

#[tokio::test]
async fn a_reload_keeps_the_session_and_its_state() {
    let addr = serve::<Counter>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    tab.click("increment").await;
    tab.recv().await;
    let session = tab.session.clone();
    tab.close().await;

    let tab = Tab::open(addr, Some(&session)).await;
    assert!(tab.resumed);
    assert_eq!(tab.session, session);
    assert_eq!(tab.state["counter"]["value"], 1.0);
}

#[tokio::test]
async fn a_dropped_connection_resumes_with_current_state() {
    let addr = serve::<Counter>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    let session = tab.session.clone();
    tab.update("selection", json!({"value": "3"})).await;
    tab.click("increment").await;
    // the selection handler pushes progress; wait for the click's patch
    loop {
        let p = tab.recv().await;
        if p["state"]["counter"]["value"] == 3.0 {
            break;
        }
    }
    tab.drop_connection();

    let mut tab = Tab::open(addr, Some(&session)).await;
    assert!(tab.resumed);
    assert_eq!(tab.state["counter"]["value"], 3.0);
    assert_eq!(tab.state["selection"]["value"], "3");
    tab.click("increment").await;
    loop {
        let p = tab.recv().await;
        if p["state"]["counter"] != serde_json::Value::Null {
            assert_eq!(p["state"]["counter"]["value"], 6.0);
            break;
        }
    }
}

#[tokio::test]
async fn an_unknown_session_starts_fresh() {
    let addr = serve::<Counter>(Options::default()).await;
    let tab = Tab::open(addr, Some("0123456789abcdef0123456789abcdef")).await;
    assert!(!tab.resumed);
    assert_ne!(tab.session, "0123456789abcdef0123456789abcdef");
}

#[tokio::test]
async fn the_sender_gets_no_echo_and_other_tabs_get_the_change() {
    let addr = serve::<Counter>(Options::default()).await;
    let mut a = Tab::open(addr, None).await;
    let mut b = Tab::open(addr, Some(&a.session)).await;
    a.update("selection", json!({"value": "2"})).await;
    let to_b = b.recv().await;
    assert_eq!(to_b["state"]["selection"]["value"], "2");
    // The handler's progress reaches both tabs; the selection never comes back to `a`.
    for _ in 0..4 {
        let p = a.recv().await;
        assert!(p["state"].get("selection").is_none(), "echoed: {p}");
        assert!(p["state"].get("progress").is_some(), "{p}");
    }
}

#[tokio::test]
async fn a_long_handler_pushes_progress_before_it_returns() {
    let addr = serve::<Counter>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    tab.update("selection", json!({"value": "2"})).await;
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(
            tab.recv().await["state"]["progress"]["value"]
                .as_f64()
                .unwrap(),
        );
    }
    assert_eq!(seen, [25.0, 50.0, 75.0, 100.0]);
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let addr = serve::<Counter>(Options::default().max_message_bytes(1024)).await;
    let mut tab = Tab::open(addr, None).await;

    let cases: Vec<(Message, &str, &str)> = vec![
        (
            Message::Text("{not json".into()),
            "bad-frame",
            "malformed message",
        ),
        (
            Message::Text(r#"{"type":"msg"}"#.into()),
            "bad-frame",
            "names no `widget`",
        ),
        (
            Message::Text(r#"{"type":"msg","widget":"countr","content":{}}"#.into()),
            "unknown-widget",
            "unknown widget `countr`",
        ),
        (
            Message::Text(r#"{"type":"dance","widget":"counter"}"#.into()),
            "unknown-type",
            "unknown message type `dance`",
        ),
        (
            Message::Text(r#"{"type":"update","widget":"counter","state":{"value":"ten"}}"#.into()),
            "invalid-input",
            "widget `counter`",
        ),
        (
            Message::Text(
                r#"{"type":"update","widget":"counter","state":{"label":"hacked"}}"#.into(),
            ),
            "invalid-input",
            "unknown field `label`",
        ),
        (
            Message::Text(r#"{"type":"update","widget":"selection","state":{"value":"9"}}"#.into()),
            "rejected",
            "not one of the options",
        ),
        (
            Message::Text(
                r#"{"type":"msg","widget":"increment","content":{"event":"explode"}}"#.into(),
            ),
            "invalid-input",
            "a button takes only",
        ),
        (
            Message::Text(r#"{"type":"msg","widget":"counter","content":{}}"#.into()),
            "no-messages",
            "takes no messages",
        ),
        (
            Message::Text(
                format!(
                    r#"{{"type":"msg","widget":"counter","pad":"{}"}}"#,
                    "x".repeat(2000)
                )
                .into(),
            ),
            "too-large",
            "over the limit of 1024 bytes",
        ),
        (
            Message::Binary(vec![1, 2, 3].into()),
            "bad-frame",
            "binary frames",
        ),
    ];
    for (msg, code, text) in cases {
        tab.send_raw(msg).await;
        let err = tab.recv_error().await;
        assert_eq!(err["code"], code, "{err}");
        let message = err["message"].as_str().unwrap();
        assert!(
            message.contains(text),
            "{message:?} should contain {text:?}"
        );
    }
    // the error carries the frame's seq
    tab.send(json!({"type":"msg","widget":"nope","content":{},"seq":42}))
        .await;
    assert_eq!(tab.recv_error().await["seq"], 42);

    // nothing changed, and the session goes on
    tab.click("increment").await;
    let patch = tab.recv().await;
    assert_eq!(patch["state"]["counter"]["value"], 1.0);
    let session = tab.session.clone();
    tab.close().await;
    let tab = Tab::open(addr, Some(&session)).await;
    assert_eq!(tab.state["counter"]["label"], "Counter:");
    assert_eq!(tab.state["selection"]["value"], "1");
}

#[tokio::test]
async fn a_hundred_parallel_sessions_never_see_each_others_state() {
    let addr = serve::<Counter>(Options::default()).await;
    let tasks: Vec<_> = (1..=100u32)
        .map(|clicks| {
            tokio::spawn(async move {
                let mut tab = Tab::open(addr, None).await;
                for n in 1..=clicks % 7 + 1 {
                    tab.click("increment").await;
                    let patch = tab.recv().await;
                    assert_eq!(patch["state"]["counter"]["value"], f64::from(n));
                }
                let session = tab.session.clone();
                tab.close().await;
                let again = Tab::open(addr, Some(&session)).await;
                assert_eq!(again.state["counter"]["value"], f64::from(clicks % 7 + 1));
                session
            })
        })
        .collect();
    let mut sessions = Vec::new();
    for t in tasks {
        sessions.push(t.await.unwrap());
    }
    sessions.sort();
    sessions.dedup();
    assert_eq!(sessions.len(), 100, "every tab has its own session");
}

#[tokio::test]
async fn sessions_beyond_the_limit_get_a_clear_error() {
    let addr = serve::<Counter>(Options::default().max_sessions(2)).await;
    let _a = Tab::open(addr, None).await;
    let _b = Tab::open(addr, None).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    use futures_util::StreamExt;
    let Some(Ok(Message::Text(t))) = ws.next().await else {
        panic!("expected an error frame")
    };
    let err: serde_json::Value = serde_json::from_str(&t).unwrap();
    assert_eq!(err["code"], "session-limit");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("limit of 2 sessions")
    );
}

#[tokio::test]
async fn idle_sessions_end_and_free_their_place() {
    let options = Options::default()
        .idle_timeout(Duration::from_millis(100))
        .max_sessions(1);
    let addr = serve::<Counter>(options).await;
    let mut tab = Tab::open(addr, None).await;
    tab.click("increment").await;
    tab.recv().await;
    let session = tab.session.clone();
    tab.close().await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    // The old session is gone (and with max_sessions = 1, its place is free again).
    let tab = Tab::open(addr, Some(&session)).await;
    assert!(!tab.resumed);
    assert_eq!(tab.state["counter"]["value"], 0.0);
}

#[tokio::test]
async fn the_app_works_under_a_path_prefix() {
    let addr = serve::<Counter>(Options::default().prefix("/sales")).await;
    let page = reqwest_lite(addr, "/sales/").await;
    assert!(page.contains(r#""base":"/sales""#), "{page}");
    assert!(page.contains(r#"src="/sales/numerous-static/"#), "{page}");
    let asset = page
        .split(r#"src=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let js = reqwest_lite(addr, &asset).await;
    assert!(js.contains("content-type: text/javascript"), "{js}");
    assert!(js.contains("immutable"), "{js}");

    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/sales/ws"))
        .await
        .unwrap();
    drop(ws);
}
