//! The connection under stress and attack, over real sockets: bursts lose nothing, stuck and
//! silent tabs are cut off, one client cannot lock others out, other sites and host names are
//! refused, and the protocol is strict.

use std::time::Duration;

use crate::support::Counter;
use futures_util::{SinkExt, StreamExt};
use numerous::Options;
use serde_json::{Value, json};
use testkit::tungstenite::Message;
use testkit::{Tab, Ws, connect, http, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn click() -> Message {
    Message::Text(
        json!({"type": "msg", "widget": "increment", "content": {"event": "click"}})
            .to_string()
            .into(),
    )
}

/// Reads frames until `done` says the state is reached; fails on an error frame.
async fn read_until(tab: &mut Tab, mut done: impl FnMut(&Value) -> bool) {
    loop {
        let frame = tab.recv().await;
        assert_ne!(frame["type"], "error", "{frame}");
        if done(&frame) {
            return;
        }
    }
}

/// The close frame's code, reading past anything before it; fails after 10 s.
async fn close_code(ws: &mut Ws) -> Option<u16> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => return None,
            Err(_) => panic!("no close frame within 10 s"),
        }
    }
}

#[tokio::test]
async fn a_burst_of_two_thousand_clicks_loses_none() {
    let addr = serve::<Counter>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    // Everything written before anything is read.
    for _ in 0..2000 {
        tab.ws.send(click()).await.unwrap();
    }
    read_until(&mut tab, |f| f["state"]["counter2"]["value"] == 2000.0).await;
    // and the session agrees
    let again = Tab::open(addr, Some(&tab.session)).await;
    assert_eq!(again.state["counter2"]["value"], 2000.0);
}

#[tokio::test]
async fn a_burst_behind_an_async_handler_loses_none_and_keeps_its_order() {
    let addr = serve::<Counter>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    // The selection's handler awaits for 100 ms; 300 clicks queue behind it, in order: each
    // adds the new step (2).
    tab.update("selection", json!({"value": "2"})).await;
    for _ in 0..300 {
        tab.ws.send(click()).await.unwrap();
    }
    read_until(&mut tab, |f| f["state"]["counter2"]["value"] == 300.0).await;
    let again = Tab::open(addr, Some(&tab.session)).await;
    assert_eq!(again.state["counter"]["value"], 600.0);
}

#[tokio::test]
async fn a_tab_that_never_reads_is_cut_off_and_others_go_on() {
    let options = Options::default()
        .write_timeout(Duration::from_millis(500))
        .ping_interval(Duration::from_secs(60));
    let addr = serve::<Counter>(options).await;
    let mut stuck = Tab::open(addr, None).await;
    // Clicks go in; the patches they cause are never read. The server merges what waits for
    // the tab, fills the socket, and then closes it when a write stays stuck.
    let cut_off = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if stuck.ws.send(click()).await.is_err() {
                return;
            }
        }
    })
    .await;
    assert!(cut_off.is_ok(), "the stuck tab was never cut off");

    let mut other = Tab::open(addr, None).await;
    other.click("increment").await;
    read_until(&mut other, |f| f["state"]["counter2"]["value"] == 1.0).await;
}

#[tokio::test]
async fn a_silent_tab_is_pinged_then_closed() {
    let options = Options::default().ping_interval(Duration::from_millis(200));
    let addr = serve::<Counter>(options).await;
    // A tab that answers pings (tungstenite does, while it reads) stays.
    let mut live = Tab::open(addr, None).await;
    let silent = connect(addr, "/ws", None, &[]).await.unwrap();
    // Read the live tab for a while: pings come, and reading answers them.
    let until = tokio::time::Instant::now() + Duration::from_millis(1000);
    let mut pings = 0;
    while let Ok(frame) = tokio::time::timeout_at(until, live.ws.next()).await {
        match frame {
            Some(Ok(Message::Ping(_))) => pings += 1,
            other => panic!("expected only pings, got {other:?}"),
        }
    }
    assert!(pings >= 1);
    live.click("increment").await;
    read_until(&mut live, |f| f["state"]["counter2"]["value"] == 1.0).await;
    // The silent one never read, so never answered: it was closed with 4000.
    let mut silent = silent;
    assert_eq!(close_code(&mut silent).await, Some(4000));
}

#[tokio::test]
async fn a_message_far_over_the_limit_closes_with_1009() {
    let addr = serve::<Counter>(Options::default().max_message_bytes(1024)).await;
    let mut tab = Tab::open(addr, None).await;
    // Over the limit: an error, and the connection stays.
    tab.send_text(format!(r#"{{"type":"msg","pad":"{}"}}"#, "x".repeat(2000)))
        .await;
    assert_eq!(tab.recv_error().await["code"], "too-large");
    // Over four times the limit: a clear error, then close code 1009.
    tab.send_text("x".repeat(5000)).await;
    assert_eq!(tab.recv_error().await["code"], "too-large");
    assert_eq!(close_code(&mut tab.ws).await, Some(1009));
}

#[tokio::test]
async fn tabs_opened_and_closed_at_once_do_not_hold_their_places() {
    let options = Options::default()
        .max_sessions(20)
        .unused_session_timeout(Duration::from_millis(300));
    let addr = serve::<Counter>(options).await;
    // Open and close tabs until every place (but the reserve) is taken...
    let mut opened = 0;
    loop {
        let mut ws = connect(addr, "/ws", None, &[]).await.unwrap();
        let first: Value = match ws.next().await {
            Some(Ok(Message::Text(t))) => serde_json::from_str(&t).unwrap(),
            other => panic!("{other:?}"),
        };
        if first["type"] != "welcome" {
            assert_eq!(first["code"], "session-limit");
            break;
        }
        opened += 1;
        assert!(opened <= 20, "the limit never applied");
        let _ = ws.close(None).await;
    }
    assert!(opened >= 18, "{opened}");
    // ...and free again once the unused sessions end.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let mut ws = connect(addr, "/ws", None, &[]).await.unwrap();
        let first: Value = match ws.next().await {
            Some(Ok(Message::Text(t))) => serde_json::from_str(&t).unwrap(),
            other => panic!("{other:?}"),
        };
        if first["type"] == "welcome" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no place was freed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The first frame on a new connection from `forwarded_for` (through the loopback proxy).
async fn first_frame(addr: std::net::SocketAddr, forwarded_for: &str) -> (Value, Ws) {
    let mut ws = connect(addr, "/ws", None, &[("x-forwarded-for", forwarded_for)])
        .await
        .unwrap();
    let first = match ws.next().await {
        Some(Ok(Message::Text(t))) => serde_json::from_str(&t).unwrap(),
        other => panic!("{other:?}"),
    };
    (first, ws)
}

#[tokio::test]
async fn one_client_cannot_take_every_session() {
    let addr = serve::<Counter>(Options::default().max_sessions_per_client(3)).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let (first, ws) = first_frame(addr, "203.0.113.5").await;
        assert_eq!(first["type"], "welcome");
        held.push(ws);
    }
    let (refused, mut ws) = first_frame(addr, "203.0.113.5").await;
    assert_eq!(refused["code"], "session-limit", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("this address")
    );
    assert_eq!(close_code(&mut ws).await, Some(1013));
    // Another client (as the trusted loopback proxy says) still gets in.
    let (first, _) = first_frame(addr, "198.51.100.9").await;
    assert_eq!(first["type"], "welcome");
    // IPv6 clients count by /64.
    for _ in 0..3 {
        let (first, ws) = first_frame(addr, "2001:db8::1").await;
        assert_eq!(first["type"], "welcome");
        held.push(ws);
    }
    let (refused, _) = first_frame(addr, "2001:db8::2").await;
    assert_eq!(refused["code"], "session-limit");
}

#[tokio::test]
async fn forwarded_for_counts_only_from_trusted_proxies() {
    let options = Options::default()
        .max_sessions_per_client(2)
        .trusted_proxies(Vec::new());
    let addr = serve::<Counter>(options).await;
    // Without a trusted proxy the header is ignored: all three are the same client.
    let (a, _a) = first_frame(addr, "198.51.100.1").await;
    let (b, _b) = first_frame(addr, "198.51.100.2").await;
    let (c, _c) = first_frame(addr, "198.51.100.3").await;
    assert_eq!(
        (a["type"].as_str(), b["type"].as_str()),
        (Some("welcome"), Some("welcome"))
    );
    assert_eq!(c["code"], "session-limit");
}

#[tokio::test]
async fn the_last_places_are_kept_for_new_clients() {
    let options = Options::default()
        .max_sessions(10)
        .max_sessions_per_client(0);
    let addr = serve::<Counter>(options).await;
    let mut held = Vec::new();
    for _ in 0..9 {
        let (first, ws) = first_frame(addr, "203.0.113.5").await;
        assert_eq!(first["type"], "welcome");
        held.push(ws);
    }
    // The tenth place is the reserve: not for a client that holds many...
    let (refused, _) = first_frame(addr, "203.0.113.5").await;
    assert_eq!(refused["code"], "session-limit");
    // ...but for one that holds none.
    let (first, _) = first_frame(addr, "198.51.100.9").await;
    assert_eq!(first["type"], "welcome");
}

#[tokio::test]
async fn tabs_per_session_are_capped() {
    let addr = serve::<Counter>(Options::default().max_tabs_per_session(2)).await;
    let a = Tab::open(addr, None).await;
    let _b = Tab::open(addr, Some(&a.session)).await;
    let mut c = connect(addr, "/ws", Some(&a.session), &[]).await.unwrap();
    let refused: Value = match c.next().await {
        Some(Ok(Message::Text(t))) => serde_json::from_str(&t).unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(refused["code"], "tab-limit", "{refused}");
    assert_eq!(close_code(&mut c).await, Some(1013));
}

#[tokio::test]
async fn the_session_id_is_never_taken_from_the_url() {
    let addr = serve::<Counter>(Options::default()).await;
    let a = Tab::open(addr, None).await;
    let tab = Tab::open_at(addr, &format!("/ws?session={}", a.session), None, &[]).await;
    assert!(!tab.resumed);
    assert_ne!(tab.session, a.session);
    // The subprotocol resumes it.
    let tab = Tab::open(addr, Some(&a.session)).await;
    assert!(tab.resumed);
}

#[tokio::test]
async fn pages_of_other_origins_cannot_open_the_socket() {
    let addr =
        serve::<Counter>(Options::default().allow_origins(["https://partner.example"])).await;
    let evil = connect(addr, "/ws", None, &[("origin", "http://evil.example")]).await;
    match evil {
        Err(testkit::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 403),
        other => panic!("expected 403, got {:?}", other.map(|_| ())),
    }
    let own = format!("http://{addr}");
    let tab = Tab::open_at(addr, "/ws", None, &[("origin", &own)]).await;
    assert!(!tab.session.is_empty());
    let partner = Tab::open_at(addr, "/ws", None, &[("origin", "https://partner.example")]).await;
    assert!(!partner.session.is_empty());
    // The scheme is part of the origin: a server reached directly speaks plain HTTP, so a page
    // of https://<its host> is another origin...
    let direct = serve::<Counter>(Options::default().trusted_proxies(Vec::new())).await;
    let other_scheme = connect(
        direct,
        "/ws",
        None,
        &[("origin", &format!("https://{direct}"))],
    )
    .await;
    match other_scheme {
        Err(testkit::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 403),
        other => panic!("expected 403, got {:?}", other.map(|_| ())),
    }
    // ...and behind a trusted proxy (loopback here) the scheme it forwards.
    let plain = connect(
        addr,
        "/ws",
        None,
        &[
            ("origin", &format!("https://{addr}")),
            ("x-forwarded-proto", "http"),
        ],
    )
    .await;
    match plain {
        Err(testkit::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 403),
        other => panic!("expected 403, got {:?}", other.map(|_| ())),
    }
    let behind_tls = Tab::open_at(
        addr,
        "/ws",
        None,
        &[
            ("origin", &format!("https://{addr}")),
            ("x-forwarded-proto", "https"),
        ],
    )
    .await;
    assert!(!behind_tls.session.is_empty());
}

#[tokio::test]
async fn requests_for_foreign_host_names_are_refused() {
    let addr = serve::<Counter>(Options::default().allow_hosts(["app.example"])).await;
    let r = http(addr, "GET / HTTP/1.1\r\nHost: evil.example", b"").await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("--allowed-hosts"), "{}", r.body);
    for host in ["127.0.0.1", "localhost:8000", "app.example"] {
        let r = http(addr, &format!("GET / HTTP/1.1\r\nHost: {host}"), b"").await;
        assert_eq!(r.status, 200, "{host}");
    }
    // The WebSocket too.
    let ws = connect(addr, "/ws", None, &[("host", "evil.example")]).await;
    assert!(matches!(ws, Err(testkit::tungstenite::Error::Http(r)) if r.status() == 400));
}

#[tokio::test]
async fn the_page_carries_security_headers() {
    let addr = serve::<Counter>(Options::default()).await;
    let r = http(addr, "GET / HTTP/1.1\r\nHost: 127.0.0.1", b"").await;
    assert_eq!(r.status, 200);
    let csp = r.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.ends_with("frame-ancestors 'none'"), "{csp}");
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("referrer-policy"), Some("same-origin"));
    // Assets are nosniff too.
    let r = http(
        addr,
        "GET /numerous-static/numerous.js HTTP/1.1\r\nHost: 127.0.0.1",
        b"",
    )
    .await;
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));

    // An app meant to be embedded says where.
    let addr =
        serve::<Counter>(Options::default().frame_ancestors(["https://portal.example"])).await;
    let r = http(addr, "GET / HTTP/1.1\r\nHost: 127.0.0.1", b"").await;
    assert!(
        r.header("content-security-policy")
            .unwrap()
            .ends_with("frame-ancestors https://portal.example")
    );
    assert_eq!(r.header("x-frame-options"), None);
}

#[tokio::test]
async fn slow_request_headers_are_cut_off() {
    let options = Options::default().header_read_timeout(Duration::from_millis(300));
    let addr = serve::<Counter>(options).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let started = tokio::time::Instant::now();
    // One byte every 50 ms, for at most 10 s: the server closes long before.
    let mut closed = false;
    for b in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
        .iter()
        .chain(std::iter::repeat_n(&b'a', 200))
    {
        if s.write_all(&[*b]).await.is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 256];
        // Anything back (EOF, a reset, a 408) means the server gave up on the request.
        if tokio::time::timeout(Duration::from_millis(50), s.read(&mut buf))
            .await
            .is_ok()
        {
            closed = true;
            break;
        }
    }
    assert!(
        closed,
        "the slow request was still open after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_protocol_takes_objects_and_exact_clicks_only() {
    let addr = serve::<Counter>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    // serde would read a struct from an array of its fields; the protocol does not.
    tab.send(json!({"type": "update", "widget": "counter", "state": [7]}))
        .await;
    // The tab is shown the server's value again, then why it was refused.
    let resync = tab.recv().await;
    assert_eq!(resync["state"]["counter"]["value"], 0.0, "{resync}");
    let err = tab.recv_error().await;
    assert_eq!(err["code"], "invalid-input");
    assert!(err["message"].as_str().unwrap().contains("object"), "{err}");
    // A click with anything more is refused, as the message says.
    tab.send(json!({"type": "msg", "widget": "increment", "content": {"event": "click", "x": 1}}))
        .await;
    let err = tab.recv_error().await;
    assert_eq!(err["code"], "invalid-input");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains(r#"{"event":"click"}"#)
    );
    // Nothing changed.
    let again = Tab::open(addr, Some(&tab.session)).await;
    assert_eq!(again.state["counter"]["value"], 0.0);
    assert_eq!(again.state["counter2"]["value"], 0.0);
}

#[tokio::test]
async fn shutdown_closes_every_tab_with_1001() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(numerous::serve_until::<Counter>(
        listener,
        Options::default(),
        async move {
            let _ = stopped.await;
        },
    ));
    let mut tab = Tab::open(addr, None).await;
    stop.send(()).unwrap();
    assert_eq!(close_code(&mut tab.ws).await, Some(1001));
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops promptly")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn every_surface_checks_the_host_and_the_browser_ones_the_origin() {
    // Each way in: the page, its assets, the socket, the fallback transport's three routes,
    // uploads and downloads, the HTTP API, and a URL nobody serves. (The write deadline is the
    // connection's, below every route: `sse.rs` tests it on the event stream.)
    let addr = serve::<Counter>(Options::default()).await;
    let surfaces = [
        ("GET", "/"),
        ("GET", "/numerous-static/numerous.js"),
        ("GET", "/ws"),
        ("POST", "/sse"),
        ("GET", "/sse?stream=x"),
        ("POST", "/sse/send"),
        ("POST", "/upload/counter"),
        ("GET", "/download/counter"),
        ("GET", "/api/describe"),
        ("GET", "/api/openapi.json"),
        ("POST", "/api/sessions"),
        ("GET", "/nope"),
    ];
    for (method, path) in surfaces {
        let r = http(
            addr,
            &format!("{method} {path} HTTP/1.1\r\nHost: evil.example\r\nContent-Length: 0"),
            b"",
        )
        .await;
        assert_eq!(r.status, 400, "{method} {path}: {}", r.body);
    }
    // What a page of another site could use to drive a session: refused by its origin.
    let r = http(
        addr,
        "POST /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\nContent-Length: 0",
        b"",
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let ws = connect(addr, "/ws", None, &[("origin", "http://evil.example")]).await;
    assert!(matches!(ws, Err(testkit::tungstenite::Error::Http(r)) if r.status() == 403));
}
