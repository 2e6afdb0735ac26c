//! The fallback transport (server-sent events in, POSTs out) end to end over real sockets: the
//! same frames, the same session, the same order, state after reconnect.

use crate::support::Counter;
use numerous::Options;
use serde_json::json;
use testkit::{SseEvent, SseTab, Tab, http, serve};

fn click() -> serde_json::Value {
    json!({"type": "msg", "widget": "increment", "content": {"event": "click"}})
}

#[tokio::test]
async fn a_session_runs_over_server_sent_events() {
    let addr = serve::<Counter>(Options::default()).await;
    let mut tab = SseTab::open(addr, None).await;
    assert!(!tab.resumed);
    assert_eq!(tab.state["counter"]["value"], 0.0);
    assert_eq!(tab.send(&[click()]).await, 204);
    let patch = tab.recv().await;
    assert_eq!(patch["type"], "patch");
    assert_eq!(patch["state"]["counter"]["value"], 1.0);

    // Errors come back the same way.
    assert_eq!(
        tab.send(&[json!({"type": "msg", "widget": "nope"})]).await,
        204
    );
    assert_eq!(tab.recv().await["code"], "unknown-widget");
}

#[tokio::test]
async fn frames_keep_their_order_and_nothing_is_lost() {
    let addr = serve::<Counter>(Options::default()).await;
    let mut tab = SseTab::open(addr, None).await;
    // A selection then clicks, in several POSTs one after the other: each click adds 3.
    let mut frames =
        vec![json!({"type": "update", "widget": "selection", "state": {"value": "3"}})];
    frames.extend((0..99).map(|_| click()));
    assert_eq!(tab.send(&frames).await, 204);
    for _ in 0..10 {
        let batch: Vec<_> = (0..10).map(|_| click()).collect();
        assert_eq!(tab.send(&batch).await, 204);
    }
    loop {
        let f = tab.recv().await;
        assert_ne!(f["type"], "error", "{f}");
        if f["state"]["counter2"]["value"] == 199.0 {
            assert_eq!(f["state"]["counter"]["value"], 597.0);
            break;
        }
    }
}

#[tokio::test]
async fn a_tab_comes_back_to_its_session_on_either_transport() {
    let addr = serve::<Counter>(Options::default()).await;
    let mut tab = SseTab::open(addr, None).await;
    tab.send(&[click(), click()]).await;
    while tab.recv().await["state"]["counter2"]["value"] != 2.0 {}
    let session = tab.session.clone();
    drop(tab);

    let again = SseTab::open(addr, Some(&session)).await;
    assert!(again.resumed);
    assert_eq!(again.state["counter2"]["value"], 2.0);
    // and a WebSocket tab joins the same session
    let ws = Tab::open(addr, Some(&session)).await;
    assert_eq!(ws.state["counter2"]["value"], 2.0);
}

#[tokio::test]
async fn a_stream_token_works_once_and_a_bad_send_token_is_refused() {
    let addr = serve::<Counter>(Options::default()).await;
    let r = http(
        addr,
        "POST /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0",
        b"",
    )
    .await;
    let tokens: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let stream = tokens["stream"].as_str().unwrap();
    let first = SseTab::attach(addr, stream, String::new()).await;
    assert!(first.is_ok());
    let second = SseTab::attach(addr, stream, String::new()).await;
    assert_eq!(second.err(), Some(404));
    let body = b"[]";
    let r = http(
        addr,
        "POST /sse/send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Numerous-Stream: forged\r\nContent-Length: 2",
        body,
    )
    .await;
    assert_eq!(r.status, 404);
    // another site cannot open a tab
    let r = http(
        addr,
        "POST /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\nContent-Length: 0",
        b"",
    )
    .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn shutdown_closes_event_streams_with_1001() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(numerous::serve_until::<Counter>(
        listener,
        Options::default(),
        async move {
            let _ = stopped.await;
        },
    ));
    let mut tab = SseTab::open(addr, None).await;
    stop.send(()).unwrap();
    assert_eq!(tab.next_event().await, SseEvent::Close(1001));
}

#[tokio::test]
async fn an_event_stream_nobody_reads_is_closed_after_the_write_timeout() {
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let limit = Duration::from_secs(1);
    let addr = serve::<Counter>(Options::default().write_timeout(limit)).await;
    let r = http(
        addr,
        "POST /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0",
        b"",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let tokens: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let (stream, send) = (
        tokens["stream"].as_str().unwrap(),
        tokens["send"].as_str().unwrap(),
    );
    // The stream of a client that never reads (a small receive buffer fills at once).
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut events = socket.connect(addr).await.unwrap();
    events
        .write_all(
            format!("GET /sse?stream={stream} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    // The session keeps changing: clicks in batches, until the tab is gone (the sends wait
    // while its outbox is full, then find it closed).
    let batch = serde_json::Value::Array(vec![click(); 500]).to_string();
    let head = format!(
        "POST /sse/send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Numerous-Stream: {send}\r\nContent-Length: {}",
        batch.len()
    );
    let start = Instant::now();
    let status = loop {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the stream is still open"
        );
        let r = tokio::time::timeout(Duration::from_secs(30), http(addr, &head, batch.as_bytes()))
            .await
            .expect("a send is answered once the stream is closed");
        if r.status != 204 {
            break r.status;
        }
    };
    // 404: the tab is gone (410 if its session ended).
    assert!(matches!(status, 404 | 410), "{status}");
    // And so is the connection: what it holds is read to its end.
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), events.read_to_end(&mut rest))
        .await
        .expect("the server closed the stream")
        .ok();
}
