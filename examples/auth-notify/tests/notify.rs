//! Registration and live notices over real sockets, on an in-memory SQLite database; graceful
//! shutdown; a registration in one Chromium showing a notice in another.

use std::net::SocketAddr;
use std::time::Duration;

use example_auth_notify::{Welcome, options_with};
use numerous::Options;
use numerous::auth::DbProvider;
use serde_json::Value;
use testkit::{Browser, Login, Tab, http, set_cookie};

fn app_options() -> Options {
    let provider = DbProvider::new("sqlite::memory:").unwrap();
    options_with(Options::default(), provider, |a| {
        a.secret("a test secret of thirty-two bytes or more")
    })
}

async fn serve() -> SocketAddr {
    testkit::serve::<Welcome>(app_options()).await
}

/// Registers with JSON; the raw response.
async fn register(addr: SocketAddr, email: &str, password: &str) -> testkit::Response {
    let body = serde_json::json!({ "email": email, "password": password }).to_string();
    http(
        addr,
        &format!(
            "POST /api/auth/register HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}",
            body.len()
        ),
        body.as_bytes(),
    )
    .await
}

async fn registered(addr: SocketAddr, email: &str) -> Login {
    let r = register(addr, email, "a good password").await;
    assert_eq!(r.status, 200, "{}", r.body);
    Login {
        access: set_cookie(&r, "numerous_access").unwrap().to_owned(),
        refresh: set_cookie(&r, "numerous_refresh").unwrap().to_owned(),
        body: serde_json::from_str(&r.body).unwrap(),
    }
}

async fn welcome(addr: SocketAddr, who: &Login) -> Tab {
    Tab::open_at(addr, "/ws", None, &[("cookie", &who.cookie())]).await
}

/// The notices a tab's frames carry: feed lines and toasts.
fn notices(frame: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(items) = frame["state"]["notices"]["$append"]["items"].as_array() {
        out.extend(items.iter().map(|i| i["text"].as_str().unwrap().to_owned()));
    }
    if frame["type"] == "toast" {
        out.push(frame["message"].as_str().unwrap().to_owned());
    }
    out
}

#[tokio::test]
async fn registration_checks_what_it_is_given() {
    let addr = serve().await;
    let ann = registered(addr, "Ann@Example.com").await;
    assert_eq!(
        ann.body["user"]["username"], "ann@example.com",
        "emails are kept in lower case"
    );
    let r = register(addr, "ann@example.com", "another password").await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(
        r.body.contains("an account with this email exists"),
        "{}",
        r.body
    );
    for (email, password, says) in [
        ("not-an-email", "a good password", "is not an email address"),
        ("bob@example.com", "short", "at least 8 characters"),
    ] {
        let r = register(addr, email, password).await;
        assert_eq!(r.status, 400, "{email}: {}", r.body);
        assert!(r.body.contains(says), "{}", r.body);
    }
    // A malformed body.
    let r = http(
        addr,
        &format!("POST /api/auth/register HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 5"),
        b"{\"em\"",
    )
    .await;
    assert_eq!(r.status, 400);
    // The new user signs in like any other, and the welcome page greets them.
    let again = testkit::login(addr, "", "ann@example.com", "a good password").await;
    let tab = welcome(addr, &again).await;
    let greeting = tab.state["greeting"]["content"].as_str().unwrap();
    assert!(greeting.contains("ann@example\\.com"), "{greeting}");
    // The pages: the registration form is public and linked from the login page.
    let login = testkit::get_with_cookie(addr, "/login", "", "").await;
    assert!(login.body.contains(r#"href="/register""#), "{}", login.body);
    let page = testkit::get_with_cookie(addr, "/register", "", "").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"name="email""#) && page.body.contains("/api/auth/register"));
}

#[tokio::test]
async fn a_registration_notifies_exactly_the_pages_open_on_the_welcome_page() {
    let addr = serve().await;
    let ann = registered(addr, "ann@example.com").await;
    let bob = registered(addr, "bob@example.com").await;
    let mut ann_tab = welcome(addr, &ann).await;
    let mut bob_tab = welcome(addr, &bob).await;
    // Ann's and bob's pages started after their own registrations: nothing to hear yet.
    assert_eq!(
        ann_tab.state["notices"]["items"].as_array().unwrap().len(),
        0
    );

    let carl = registered(addr, "carl@example.com").await;
    for tab in [&mut ann_tab, &mut bob_tab] {
        let mut heard = Vec::new();
        while heard.len() < 2 {
            heard.extend(notices(&tab.recv().await));
        }
        heard.sort();
        assert_eq!(
            heard,
            [
                "New user: carl@example.com",
                "carl@example.com just registered"
            ]
        );
        tab.expect_silence(200).await;
    }
    // Carl's own page starts after his registration: it heard nothing.
    let carl_tab = welcome(addr, &carl).await;
    assert_eq!(
        carl_tab.state["notices"]["items"].as_array().unwrap().len(),
        0
    );
    assert_eq!(carl_tab.state["joined"]["value"], 0.0);
}

#[tokio::test]
async fn shutting_down_closes_the_sockets_cleanly() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(numerous::serve_until::<Welcome>(
        listener,
        app_options(),
        async {
            let _ = stopped.await;
        },
    ));
    let ann = registered(addr, "ann@example.com").await;
    let mut tab = welcome(addr, &ann).await;
    stop.send(()).unwrap();
    let (code, _) = tab.closed_within(Duration::from_secs(5)).await;
    assert_eq!(code, 1001, "going away: the page reconnects at once");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops promptly")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_registration_in_one_browser_shows_a_notice_in_another() {
    let Some(first) = Browser::start().await else {
        return;
    };
    let Some(second) = Browser::start().await else {
        return;
    };
    let addr = serve().await;
    // The first person registers through the form and stays on the welcome page.
    first.client.goto(&format!("http://{addr}/")).await.unwrap();
    first.wait_until("location.pathname === '/login'").await;
    first.click("p.other a").await;
    first.wait_until("location.pathname === '/register'").await;
    first
        .type_into("input[name=email]", "ann@example.com")
        .await;
    first
        .type_into("input[name=password]", "a good password")
        .await;
    first.click("button[type=submit]").await;
    first.wait_until("location.pathname === '/'").await;
    testkit::wait_until_live(&first.client).await;
    first
        .wait_until(
            "document.getElementById('greeting').textContent.includes('Welcome, ann@example.com!')",
        )
        .await;
    // The second registers; the first hears of it.
    second
        .client
        .goto(&format!("http://{addr}/register"))
        .await
        .unwrap();
    second
        .type_into("input[name=email]", "bob@example.com")
        .await;
    second
        .type_into("input[name=password]", "another password")
        .await;
    second.click("button[type=submit]").await;
    second.wait_until("location.pathname === '/'").await;
    first
        .wait_until("document.getElementById('notices').textContent.includes('bob@example.com just registered')")
        .await;
    first
        .wait_until("document.body.textContent.includes('New user: bob@example.com')")
        .await;
    second.close().await;
    first.finish().await;
}

#[tokio::test]
async fn registrations_are_rate_limited_and_say_when_to_try_again() {
    let provider = DbProvider::new("sqlite::memory:").unwrap();
    let options = options_with(Options::default(), provider, |a| {
        a.secret("a test secret of thirty-two bytes or more")
            .login_attempts_per_minute(3, 3)
    });
    let addr = testkit::serve::<Welcome>(options).await;
    for n in 0..3 {
        let r = register(addr, &format!("user{n}@example.com"), "short").await;
        assert_eq!(r.status, 400, "{}", r.body);
    }
    let r = register(addr, "user3@example.com", "a good password").await;
    assert_eq!(r.status, 429, "{}", r.body);
    let after: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&after), "{after}");
}

/// numerous's registration page and the welcome page with a notice on it, light and dark, at a
/// laptop's and a phone's width: no serious or critical axe-core violation.
#[tokio::test]
async fn the_registration_and_welcome_pages_pass_the_accessibility_audit() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = serve().await;
    browser
        .client
        .goto(&format!("http://{addr}/register"))
        .await
        .unwrap();
    browser
        .wait_until("document.querySelector('input[name=email]')")
        .await;
    browser
        .assert_views_accessible("the registration page")
        .await;
    browser
        .type_into("input[name=email]", "ann@example.com")
        .await;
    browser
        .type_into("input[name=password]", "a good password")
        .await;
    browser.click("button[type=submit]").await;
    browser.wait_until("location.pathname === '/'").await;
    testkit::wait_until_live(&browser.client).await;
    register(addr, "bob@example.com", "another good password").await;
    browser
        .wait_until("document.getElementById('notices').textContent.includes('bob@example.com')")
        .await;
    browser.assert_views_accessible("the welcome page").await;
    browser.finish().await;
}
