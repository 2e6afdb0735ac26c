//! Each user's tabs keep their data across reloads and new sessions; requests are logged with
//! their user; `/healthz` is public.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use example_tabs_session::{Home, InMemory, SEED_USERS, options};
use numerous::Options;
use numerous::auth::EnvProvider;
use serde_json::json;
use testkit::{Browser, Login, Tab, get_with_cookie, login};

async fn serve() -> SocketAddr {
    let users = EnvProvider::from_json(SEED_USERS).unwrap();
    let base = Options::default();
    let o = options(base, users, Arc::new(InMemory::default()));
    testkit::serve::<Home>(o.log_requests(false)).await
}

async fn tab(addr: SocketAddr, who: &Login, session: Option<&str>) -> Tab {
    Tab::open_at(addr, "/ws", session, &[("cookie", &who.cookie())]).await
}

#[tokio::test]
async fn each_users_tabs_keep_their_data_across_reloads_and_sessions() {
    let addr = serve().await;
    let ada = login(addr, "", "ada", "ada-password").await;
    let mut t = tab(addr, &ada, None).await;
    assert_eq!(t.state["display_name"]["value"], "ada");
    // Accepted edits send nothing back (the tab shows them already); the click's patch comes
    // after both were handled, in order.
    t.update("bio", json!({"value": "I write programs"})).await;
    t.update("notes", json!({"value": "buy milk"})).await;
    t.click("increment").await;
    assert_eq!(t.recv().await["state"]["count"]["value"], 1.0);
    let session = t.session.clone();

    // A reload: the same session.
    let reload = tab(addr, &ada, Some(&session)).await;
    assert!(reload.resumed);
    assert_eq!(reload.state["notes"]["value"], "buy milk");

    // A new session (another browser): the data comes from the store. The first page state may
    // come before the store answered; the next patch carries it.
    let mut fresh = tab(addr, &ada, None).await;
    assert!(!fresh.resumed);
    let mut state = fresh.state.clone();
    if state["bio"]["value"] != "I write programs" {
        state = fresh.recv().await["state"].clone();
    }
    assert_eq!(state["bio"]["value"], "I write programs");
    assert_eq!(state["notes"]["value"], "buy milk");
    assert_eq!(state["count"]["value"], 1.0);

    // Another user sees their own data.
    let alan = login(addr, "", "alan", "alan-password").await;
    let other = tab(addr, &alan, None).await;
    assert_eq!(other.state["display_name"]["value"], "alan");
    assert_eq!(other.state["notes"]["value"], "");
    assert_eq!(other.state["count"]["value"], 0.0);
}

#[tokio::test]
async fn healthz_is_public() {
    let addr = serve().await;
    let r = get_with_cookie(addr, "/healthz", "", "").await;
    assert_eq!((r.status, r.body.as_str()), (200, "ok"));
    assert_eq!(get_with_cookie(addr, "/", "", "").await.status, 303);
}

/// Kills the app when the test ends.
struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn requests_are_logged_with_their_user() {
    let mut app = App(Command::new(env!("CARGO_BIN_EXE_example-tabs-session"))
        .env_remove("NUMEROUS_AUTH_USERS")
        .env("RUST_LOG", "info")
        .args(["--port", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap());
    let mut lines = BufReader::new(app.0.stderr.take().unwrap()).lines();
    let addr: SocketAddr = loop {
        let line = lines.next().expect("the app logs").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.trim_end_matches('/').parse().unwrap();
        }
    };
    let ada = login(addr, "", "ada", "ada-password").await;
    assert_eq!(
        get_with_cookie(addr, "/", &ada.cookie(), "").await.status,
        200
    );
    assert_eq!(get_with_cookie(addr, "/healthz", "", "").await.status, 200);
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line.contains("served") {
            seen.push(line);
        }
        if seen.len() == 3 {
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    let page = seen
        .iter()
        .find(|l| l.contains("path=/}"))
        .unwrap_or_else(|| panic!("the page's line in {seen:#?}"));
    for part in ["method=GET", "user=\"ada\"", "status=200", "ms="] {
        assert!(page.contains(part), "{part} in {page}");
    }
    let login_line = seen
        .iter()
        .find(|l| l.contains("path=/api/auth/login"))
        .unwrap();
    assert!(
        login_line.contains("method=POST") && login_line.contains("user=\"-\""),
        "{login_line}"
    );
    assert!(!seen.iter().any(|l| l.contains("ada-password")), "{seen:?}");
}

/// Each tab of the home page, light and dark, at a laptop's and a phone's width: no serious or
/// critical axe-core violation.
#[tokio::test]
async fn every_tab_of_the_home_page_passes_the_accessibility_audit() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = serve().await;
    browser
        .open_signed_in(&format!("http://{addr}/"), "/", "ada", "ada-password")
        .await;
    browser.assert_accessible("the home page").await;
    browser.finish().await;
}
