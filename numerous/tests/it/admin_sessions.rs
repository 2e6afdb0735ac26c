//! An operator ends one session by id (`POST /api/admin/sessions/end`): every tab of it is
//! told and starts a new session, its state is gone (a reconnect with the old id gets a fresh
//! one), and the other sessions go on. Only an administrator may list or end sessions, an end
//! comes from the app's own origin, and the OpenAPI document lists both routes.

use std::time::Duration;

use numerous::Options;
use numerous::auth::{Auth, EnvProvider};
use serde_json::{Value, json};
use testkit::Tab;

use crate::support::Counter;

const USERS: &str = r#"[{"username": "root", "password": "root-password", "is_admin": true},
    {"username": "ann", "password": "ann-password"},
    {"username": "bob", "password": "bob-password"}]"#;

async fn serve(options: Options) -> std::net::SocketAddr {
    let auth = Auth::new(EnvProvider::from_json(USERS).unwrap())
        .secret("a test secret of thirty-two bytes or more")
        .max_sessions_per_user(0);
    testkit::serve::<Counter>(options.auth(auth)).await
}

/// `POST /api/admin/sessions/end` for session `id`, as `cookie`, with `extra` header lines.
async fn end(addr: std::net::SocketAddr, id: &str, cookie: &str, extra: &str) -> testkit::Response {
    let body = json!({ "id": id }).to_string();
    testkit::http(
        addr,
        &format!(
            "POST /api/admin/sessions/end HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: application/json\r\nContent-Length: {}{extra}",
            body.len()
        ),
        body.as_bytes(),
    )
    .await
}

/// The cookies of `name` signed in (every test user's password is `<name>-password`).
async fn cookie(addr: std::net::SocketAddr, name: &str) -> String {
    testkit::login(addr, "", name, &format!("{name}-password"))
        .await
        .cookie()
}

fn error_code(r: &testkit::Response) -> String {
    serde_json::from_str::<Value>(&r.body).unwrap()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn an_administrator_ends_one_session_and_its_tabs_start_afresh() {
    ends_one_session(Options::default()).await;
}

/// With a session store the ended session's record goes too: its id claims nothing.
#[tokio::test]
async fn an_ended_session_leaves_the_store_and_its_id_starts_nothing() {
    ends_one_session(
        Options::default().session_store(std::sync::Arc::new(numerous::store::MemoryStore::new())),
    )
    .await;
}

async fn ends_one_session(options: Options) {
    let addr = serve(options).await;
    let [root, ann, bob] = [
        cookie(addr, "root").await,
        cookie(addr, "ann").await,
        cookie(addr, "bob").await,
    ];

    // ann has one session in two tabs, with a count of 1; bob has his own.
    let h = [("cookie", ann.as_str())];
    let mut first = Tab::open_at(addr, "/ws", None, &h).await;
    let id = first.session.clone();
    first.click("increment").await;
    first.recv().await;
    let mut second = Tab::open_at(addr, "/ws", Some(&id), &h).await;
    assert_eq!(second.session, id);
    assert_eq!(second.state["counter"]["value"], json!(1.0));
    let mut bobs = Tab::open_at(addr, "/ws", None, &[("cookie", bob.as_str())]).await;

    // Who may list: an administrator; not ann (403), not a stranger (401).
    let list = testkit::get_with_cookie(addr, "/api/admin/sessions", &root, "").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let live: Value = serde_json::from_str(&list.body).unwrap();
    assert!(
        live.as_array()
            .unwrap()
            .contains(&json!({"id": id, "user": "ann"})),
        "{live}"
    );
    let r = testkit::get_with_cookie(addr, "/api/admin/sessions", &ann, "").await;
    assert_eq!((r.status, error_code(&r)), (403, "forbidden".to_owned()));
    let r = testkit::get_with_cookie(addr, "/api/admin/sessions", "", "").await;
    assert_eq!(r.status, 401);

    // Who may end it: not ann, not another site.
    let r = end(addr, &id, &ann, "").await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = end(addr, &id, &root, "\r\nOrigin: http://evil.example").await;
    assert_eq!(r.status, 403, "{}", r.body);

    // root ends it: both of ann's tabs are told, then closed with 1012 (start afresh).
    let r = end(addr, &id, &root, "").await;
    assert_eq!(r.status, 204, "{}", r.body);
    for tab in [&mut first, &mut second] {
        let (code, frames) = tab.closed_within(Duration::from_secs(10)).await;
        assert_eq!(code, 1012, "{frames:?}");
        assert!(
            frames.iter().any(|f| f["type"] == "toast"
                && f["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("An administrator ended this session"))),
            "{frames:?}"
        );
    }
    // Its state is gone: the old id gets a new session, from zero.
    let again = Tab::open_at(addr, "/ws", Some(&id), &h).await;
    assert_ne!(again.session, id);
    assert_eq!(again.state["counter"]["value"], json!(0.0));
    let r = end(addr, &id, &root, "").await;
    assert_eq!((r.status, error_code(&r)), (404, "not-found".to_owned()));

    // bob's session went on.
    bobs.click("increment").await;
    assert_eq!(bobs.recv().await["state"]["counter"]["value"], json!(1.0));

    // The OpenAPI document lists the routes.
    let doc = testkit::get_with_cookie(addr, "/api/openapi.json", &root, "").await;
    let doc: Value = serde_json::from_str(&doc.body).unwrap();
    assert!(doc["paths"]["/api/admin/sessions"]["get"].is_object());
    assert!(doc["paths"]["/api/admin/sessions/end"]["post"].is_object());
}

/// An end that comes while a handler runs (the selection's handler shows progress for about
/// 100 ms) is kept: the session ends when the handler is done.
#[tokio::test]
async fn an_end_during_a_handler_ends_the_session_after_it() {
    let addr = serve(Options::default()).await;
    let [root, ann] = [cookie(addr, "root").await, cookie(addr, "ann").await];
    let mut tab = Tab::open_at(addr, "/ws", None, &[("cookie", ann.as_str())]).await;
    let id = tab.session.clone();
    tab.update("selection", json!({"value": "2"})).await;
    // The handler has started: its first progress is shown.
    loop {
        if tab.recv().await["state"]["progress"]["value"] == json!(25.0) {
            break;
        }
    }
    let r = end(addr, &id, &root, "").await;
    assert_eq!(r.status, 204, "{}", r.body);
    let (code, frames) = tab.closed_within(Duration::from_secs(10)).await;
    assert_eq!(code, 1012, "{frames:?}");
    // The handler finished first: its last progress came before the close.
    assert!(
        frames
            .iter()
            .any(|f| f["state"]["progress"]["value"] == json!(100.0)),
        "{frames:?}"
    );
}
