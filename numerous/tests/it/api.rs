//! The HTTP API every app has: describe, open a session, read, write, click; a tab open on the
//! session sees each change; the OpenAPI document lists every route.

use std::net::SocketAddr;

use crate::support::Counter;
use numerous::Options;
use serde_json::{Value, json};
use testkit::{Tab, get_with_cookie, http};

async fn post(addr: SocketAddr, path: &str, body: &str) -> (u16, Value) {
    let r = http(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}",
            body.len()
        ),
        body.as_bytes(),
    )
    .await;
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn describe_lists_widgets_inputs_and_handlers_and_nothing_about_the_server() {
    let addr = testkit::serve::<Counter>(Options::default()).await;
    let r = get_with_cookie(addr, "/api/describe", "", "").await;
    assert_eq!(r.status, 200);
    let d: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(d["app"], "Counter");
    let counter = d["widgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["key"] == "counter")
        .unwrap();
    assert_eq!(counter["kind"], "number");
    // The field's doc comment, for whoever drives the app over HTTP; empty without one.
    assert_eq!(
        counter["doc"],
        "How far the counter has got: the step chosen below, added at each click."
    );
    let increment = d["widgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["key"] == "increment")
        .unwrap();
    assert_eq!(increment["doc"], "");
    // The events a handler can take from it (what the API's click/message routes can send).
    assert_eq!(counter["emits"], json!(["change"]));
    assert_eq!(counter["state"]["value"], 0.0);
    assert_eq!(
        counter["input"]["properties"],
        json!({"value": {"type": "number"}})
    );
    assert_eq!(counter["input"]["additionalProperties"], false);
    let about = d["widgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["key"] == "about")
        .unwrap();
    assert_eq!(
        about["input"]["properties"],
        json!({}),
        "Markdown takes no input"
    );
    assert_eq!(about["emits"], json!([]), "Markdown emits nothing");
    let increment = d["widgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["key"] == "increment");
    assert_eq!(increment.unwrap()["emits"], json!(["click"]));
    let handlers = d["handlers"].as_array().unwrap();
    assert!(
        handlers.iter().any(|h| h["name"] == "increment"
            && h["widget"] == "increment"
            && h["event"] == "click")
    );
    for secret in ["/work", "templates/", "index.html", "{{"] {
        assert!(!r.body.contains(secret), "{secret} in {}", r.body);
    }
}

#[tokio::test]
async fn a_script_drives_a_session_that_a_tab_watches() {
    let addr = testkit::serve::<Counter>(Options::default()).await;
    let (status, opened) = post(addr, "/api/sessions", "").await;
    assert_eq!(status, 201, "{opened}");
    let id = opened["session"].as_str().unwrap().to_owned();
    assert_eq!(opened["state"]["counter"]["value"], 0.0);
    let mut tab = Tab::open(addr, Some(&id)).await;
    assert!(tab.resumed);

    // Write an input: valid.
    let (status, a) = post(
        addr,
        &format!("/api/sessions/{id}/widgets/selection"),
        r#"{"value":"3"}"#,
    )
    .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["state"]["selection"]["value"], "3");
    assert_eq!(a["errors"], json!([]));
    assert_eq!(
        tab.recv().await["state"]["selection"]["value"],
        "3",
        "the tab sees it"
    );
    // Click: the handler runs with the new selection.
    let (status, a) = post(
        addr,
        &format!("/api/sessions/{id}/widgets/increment/click"),
        "",
    )
    .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["state"]["counter"]["value"], 3.0);
    let mut seen = tab.recv().await;
    while seen["state"]["counter"].is_null() {
        seen = tab.recv().await;
    }
    assert_eq!(seen["state"]["counter"]["value"], 3.0);

    // Each kind of bad input: 422, the error, nothing changed.
    for (path, body, code) in [
        ("widgets/counter", r#"{"value":"many"}"#, "invalid-input"),
        ("widgets/counter", r#"{"colour":1}"#, "invalid-input"),
        ("widgets/selection", r#"{"value":"9"}"#, "rejected"),
        ("widgets/nothing", r#"{"value":1}"#, "unknown-widget"),
        ("widgets/counter/click", "", "no-messages"),
    ] {
        let (status, a) = post(addr, &format!("/api/sessions/{id}/{path}"), body).await;
        assert_eq!(status, 422, "{path} {body}: {a}");
        assert_eq!(a["errors"][0]["code"], code, "{path} {body}: {a}");
        assert_eq!(a["state"]["counter"]["value"], 3.0, "nothing changed");
    }
    let (status, _) = post(
        addr,
        &format!("/api/sessions/{id}/widgets/counter"),
        "not json",
    )
    .await;
    assert_eq!(status, 400);
    // Read.
    let r = get_with_cookie(addr, &format!("/api/sessions/{id}"), "", "").await;
    let state: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(state["state"]["counter"]["value"], 3.0);
    // An unknown session.
    let r = get_with_cookie(
        addr,
        "/api/sessions/0123456789abcdef0123456789abcdef",
        "",
        "",
    )
    .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let addr = testkit::serve::<Counter>(Options::default().prefix("/c")).await;
    let r = get_with_cookie(addr, "/c/api/openapi.json", "", "").await;
    assert_eq!(r.status, 200);
    let doc: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for route in [
        "/c/api/describe",
        "/c/api/openapi.json",
        "/c/api/sessions",
        "/c/api/sessions/{id}",
        "/c/api/sessions/{id}/widgets/{widget}",
        "/c/api/sessions/{id}/widgets/{widget}/click",
        "/c/api/sessions/{id}/widgets/{widget}/message",
    ] {
        assert!(paths.contains(&route), "{route} in {paths:?}");
    }
    let widget_enum = &doc["paths"]["/c/api/sessions/{id}/widgets/{widget}"]["post"]["parameters"]
        [1]["schema"]["enum"];
    assert!(widget_enum.as_array().unwrap().contains(&json!("counter")));
}

/// Every route that can refuse answers in one shape, `{"error": <code>, "detail": <text>}`,
/// with a code from the socket's vocabulary (docs/protocol.md, "HTTP errors"): the guards, the
/// socket's upgrade, the fallback transport, uploads, downloads and the API.
#[tokio::test]
async fn every_route_refuses_in_one_shape() {
    let addr = testkit::serve::<Counter>(Options::default().max_message_bytes(64)).await;
    let json = "Content-Type: application/json\r\n";
    let cases: [(&str, &str, &[u8], u16, &str); 15] = [
        (
            "GET / HTTP/1.1\r\nHost: evil.example",
            "",
            b"",
            400,
            "unknown-host",
        ),
        (
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: numerous.v1",
            "",
            b"",
            403,
            "cross-origin",
        ),
        (
            "POST /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example",
            "",
            b"",
            403,
            "cross-origin",
        ),
        (
            "GET /sse?stream=nope HTTP/1.1\r\nHost: 127.0.0.1",
            "",
            b"",
            404,
            "not-found",
        ),
        (
            "POST /sse/send HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Numerous-Stream: nope",
            json,
            b"[]",
            404,
            "not-found",
        ),
        (
            "POST /upload/counter?name=a.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Numerous-Session: nope",
            "",
            b"x",
            404,
            "not-found",
        ),
        (
            "GET /download/counter HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Numerous-Session: nope",
            "",
            b"",
            404,
            "not-found",
        ),
        (
            "GET /api/sessions/nope HTTP/1.1\r\nHost: 127.0.0.1",
            "",
            b"",
            404,
            "not-found",
        ),
        (
            "POST /api/sessions/nope/widgets/counter/click HTTP/1.1\r\nHost: 127.0.0.1",
            "",
            b"",
            404,
            "not-found",
        ),
        // What axum's extractors refuse (a query, a JSON body of the wrong shape or type) is
        // answered in the same shape.
        (
            "GET /sse HTTP/1.1\r\nHost: 127.0.0.1",
            "",
            b"",
            400,
            "bad-request",
        ),
        (
            "POST /sse/send HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Numerous-Stream: nope",
            "",
            b"[]",
            415,
            "bad-request",
        ),
        (
            "POST /sse/send HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Numerous-Stream: nope",
            json,
            br#"{"a":1}"#,
            422,
            "bad-request",
        ),
        (
            "POST /upload/counter HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Numerous-Session: nope",
            "",
            b"x",
            400,
            "bad-request",
        ),
        (
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1",
            "",
            b"",
            400,
            "bad-request",
        ),
        // Not a refusal: the session the next checks use.
        (
            "POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1",
            "",
            b"",
            201,
            "",
        ),
    ];
    let mut session = String::new();
    for (head, extra, body, status, code) in cases {
        let head = format!("{head}\r\n{extra}Content-Length: {}", body.len());
        let r = http(addr, &head, body).await;
        assert_eq!(r.status, status, "{head}: {}", r.body);
        let answer: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
        if status == 201 {
            session = answer["session"].as_str().unwrap().to_owned();
            continue;
        }
        assert_eq!(r.header("content-type"), Some("application/json"), "{head}");
        assert_eq!(answer["error"], code, "{head}: {}", r.body);
        assert!(
            answer["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{head}: {}",
            r.body
        );
        assert_eq!(answer.as_object().unwrap().len(), 2, "{head}: {}", r.body);
    }
    // A session's own refusals: a body that is not JSON, one over the message limit, a file
    // for a widget that takes none.
    for (path, body, status, code) in [
        (
            format!("/api/sessions/{session}/widgets/counter"),
            "{".to_owned(),
            400,
            "bad-request",
        ),
        (
            format!("/api/sessions/{session}/widgets/counter"),
            format!(r#"{{"value": 1, "pad": "{}"}}"#, "x".repeat(80)),
            413,
            "too-large",
        ),
    ] {
        let (s, answer) = post(addr, &path, &body).await;
        assert_eq!(s, status, "{path}: {answer}");
        assert_eq!(answer["error"], code, "{path}: {answer}");
        assert!(answer["detail"].is_string(), "{answer}");
    }
    let r = http(
        addr,
        &format!(
            "POST /upload/counter?name=a.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Numerous-Session: {session}\r\nContent-Length: 1"
        ),
        b"x",
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let answer: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(answer["error"], "invalid-input", "{answer}");
}
