//! News pushed to signed-in pages over the WebSocket and over server-sent events; signing out
//! stops both; strangers get nothing.

use std::net::SocketAddr;
use std::time::Duration;

use example_protected_news::{Every, News, SEED_USERS, options};
use numerous::Options;
use numerous::auth::EnvProvider;
use serde_json::Value;
use testkit::{Browser, SseEvent, SseTab, Tab, http, login, post_json};

async fn serve() -> SocketAddr {
    let users = EnvProvider::from_json(SEED_USERS).unwrap();
    let base = Options::default().resource(Every(Duration::from_millis(100)));
    testkit::serve::<News>(options(base, users, |a| {
        a.secret("a test secret of thirty-two bytes or more")
    }))
    .await
}

/// The news lines in a frame.
fn news(frame: &Value) -> Vec<String> {
    frame["state"]["items"]["$append"]["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["text"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn news_reaches_a_signed_in_page_and_stops_at_sign_out() {
    let addr = serve().await;
    let mark = login(addr, "", "mark", "mark-password").await;
    let mut tab = Tab::open_at(addr, "/ws", None, &[("cookie", &mark.cookie())]).await;
    assert!(
        tab.state["greeting"]["content"]
            .as_str()
            .unwrap()
            .contains("**mark**")
    );
    let mut seen = Vec::new();
    while seen.len() < 3 {
        seen.extend(news(&tab.recv().await));
    }
    assert!(seen[0].starts_with('#'), "{seen:?}");
    let r = post_json(addr, "/api/auth/logout", &mark.cookie(), "").await;
    assert_eq!(r.status, 200);
    let (code, _) = tab.closed_within(Duration::from_secs(5)).await;
    assert_eq!(code, 4401, "signing out stops the stream");
}

#[tokio::test]
async fn news_reaches_a_page_on_server_sent_events_and_stops_at_sign_out() {
    let addr = serve().await;
    let luke = login(addr, "", "luke", "luke-password").await;
    let mut tab = SseTab::open_as(addr, None, &luke.cookie()).await;
    let mut seen = Vec::new();
    while seen.len() < 3 {
        seen.extend(news(&tab.recv().await));
    }
    let r = post_json(addr, "/api/auth/logout", &luke.cookie(), "").await;
    assert_eq!(r.status, 200);
    loop {
        match tab.next_event().await {
            SseEvent::Close(code) => {
                assert_eq!(code, 4401);
                break;
            }
            SseEvent::Frame(_) => {}
        }
    }
}

#[tokio::test]
async fn strangers_get_no_news() {
    let addr = serve().await;
    let r = http(
        addr,
        "POST /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0",
        b"",
    )
    .await;
    assert_eq!(r.status, 401);
    let r = testkit::get_with_cookie(addr, "/", "", "").await;
    assert_eq!(
        (r.status, r.header("location")),
        (303, Some("/login?next=%2F"))
    );
    assert_eq!(
        testkit::try_login(addr, "", "mark", "pass123").await.status,
        401
    );
    // API clients can ask for the token in the answer (bearer) and use it.
    let body = r#"{"username":"mark","password":"mark-password","bearer":true}"#;
    let r = http(
        addr,
        &format!(
            "POST /api/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}",
            body.len()
        ),
        body.as_bytes(),
    )
    .await;
    let token: Value = serde_json::from_str(&r.body).unwrap();
    let token = token["access_token"].as_str().unwrap();
    let me = testkit::get_with_cookie(
        addr,
        "/api/auth/me",
        "",
        &format!("\r\nAuthorization: Bearer {token}"),
    )
    .await;
    assert_eq!(me.status, 200);
}

/// The news page with news on it, light and dark, at a laptop's and a phone's width: no serious
/// or critical axe-core violation.
#[tokio::test]
async fn the_news_page_passes_the_accessibility_audit() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = serve().await;
    browser
        .open_signed_in(&format!("http://{addr}/"), "/", "mark", "mark-password")
        .await;
    browser
        .wait_until("document.getElementById('items').textContent.trim() !== ''")
        .await;
    browser.assert_views_accessible("the news page").await;
    browser.finish().await;
}
