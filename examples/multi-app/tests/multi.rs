//! Several apps in one server: separate sessions, per-app and shared sign-in, /health, the root
//! redirect, shared files and theme, prefixes with and without a slash, misconfiguration.

use std::net::SocketAddr;

use example_multi_app::{AdminApp, PublicApp, server};
use numerous::auth::{Auth, EnvProvider};
use numerous::{Options, Server};
use serde_json::{Value, json};
use testkit::{Browser, Tab, get_with_cookie, login};

const USERS: &str = r#"[
    {"username": "admin", "password": "admin-password", "is_admin": true},
    {"username": "ann", "password": "ann-password"}
]"#;

fn auth() -> Auth {
    Auth::new(EnvProvider::from_json(USERS).unwrap())
        .secret("a test secret of thirty-two bytes or more")
}

async fn serve(server: Server) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        if let Err(e) = server.serve(listener).await {
            eprintln!("the server stopped: {e}");
        }
    });
    addr
}

#[tokio::test]
async fn two_apps_live_side_by_side_and_only_admin_is_protected() {
    let addr = serve(server(auth())).await;
    // The server's own routes.
    let health = get_with_cookie(addr, "/health", "", "").await;
    assert_eq!(
        serde_json::from_str::<Value>(&health.body).unwrap(),
        json!({"status": "healthy", "apps": ["/public", "/admin"]})
    );
    let root = get_with_cookie(addr, "/", "", "").await;
    assert_eq!(
        (root.status, root.header("location")),
        (303, Some("/public"))
    );
    let logo = get_with_cookie(addr, "/shared-static/logo.svg", "", "").await;
    assert_eq!(logo.status, 200);
    assert_eq!(logo.header("content-type"), Some("image/svg+xml"));
    let theme = get_with_cookie(addr, "/numerous-theme.css", "", "").await;
    assert!(theme.body.contains("--numerous-color-primary"));
    // The public app, with and without the trailing slash; its page links the theme.
    for path in ["/public", "/public/"] {
        let r = get_with_cookie(addr, path, "", "").await;
        assert_eq!(r.status, 200, "{path}");
        assert!(r.body.contains(r#"href="/numerous-theme.css""#), "{path}");
    }
    let mut public = Tab::open_at(addr, "/public/ws", None, &[]).await;
    public.click("click").await;
    assert_eq!(public.recv().await["state"]["clicks"]["value"], 1.0);
    // The admin app: its own sign-in, under its prefix.
    for path in ["/admin", "/admin/"] {
        let r = get_with_cookie(addr, path, "", "").await;
        assert_eq!(r.status, 303, "{path}");
        assert!(
            r.header("location")
                .unwrap()
                .starts_with("/admin/login?next="),
            "{path}"
        );
    }
    let r = get_with_cookie(addr, "/admin/api/auth/me", "", "").await;
    assert_eq!(
        r.status, 401,
        "a prefixed API answers 401 JSON, not a redirect"
    );
    assert!(
        testkit::connect(addr, "/admin/ws", None, &[])
            .await
            .is_err()
    );
    let admin = login(addr, "/admin", "admin", "admin-password").await;
    // The admin app replaces the splash screen (templates/admin_pages/splash.html).
    let page = get_with_cookie(addr, "/admin/", &admin.cookie(), "").await;
    assert!(
        page.body.contains("Opening the admin console"),
        "{}",
        page.body
    );
    let public_page = get_with_cookie(addr, "/public/", "", "").await;
    assert!(public_page.body.contains("Loading application"));
    let mut admin_tab = Tab::open_at(addr, "/admin/ws", None, &[("cookie", &admin.cookie())]).await;
    assert!(
        admin_tab.state["who"]["content"]
            .as_str()
            .unwrap()
            .contains("**admin**")
    );
    assert_ne!(
        admin_tab.session, public.session,
        "each app has its own sessions"
    );
    admin_tab
        .update("maintenance", json!({"value": true}))
        .await;
    // A non-admin is refused by the admin app.
    let ann = login(addr, "/admin", "ann", "ann-password").await;
    assert_eq!(
        get_with_cookie(addr, "/admin/", &ann.cookie(), "")
            .await
            .status,
        403
    );
    // The public app never sees the admin's cookies' path.
    assert!(admin.access.len() > 20);
    public.click("click").await;
    assert_eq!(public.recv().await["state"]["clicks"]["value"], 2.0);
}

#[tokio::test]
async fn one_shared_sign_in_serves_every_app() {
    let server = Server::new()
        .auth(auth())
        .app::<PublicApp>("/public", Options::default())
        .app::<AdminApp>("/admin", Options::default());
    let addr = serve(server).await;
    // One login page, at the root, for both.
    let r = get_with_cookie(addr, "/public/", "", "").await;
    assert_eq!(r.header("location"), Some("/login?next=%2Fpublic%2F"));
    let r = get_with_cookie(addr, "/admin/", "", "").await;
    assert_eq!(r.header("location"), Some("/login?next=%2Fadmin%2F"));
    let page = get_with_cookie(addr, "/login", "", "").await;
    assert_eq!(page.status, 200);
    let r = testkit::try_login(addr, "", "ann", "ann-password").await;
    assert!(
        testkit::set_cookie_line(&r, "numerous_access")
            .unwrap()
            .contains("Path=/;")
    );
    let ann = login(addr, "", "ann", "ann-password").await;
    for path in ["/public/", "/admin/"] {
        assert_eq!(
            get_with_cookie(addr, path, &ann.cookie(), "").await.status,
            200,
            "{path}"
        );
    }
    let a = Tab::open_at(addr, "/public/ws", None, &[("cookie", &ann.cookie())]).await;
    let b = Tab::open_at(addr, "/admin/ws", None, &[("cookie", &ann.cookie())]).await;
    assert_ne!(a.session, b.session);
    // The login page's assets are served at the root.
    assert!(page.body.contains("/numerous-static/"));
    let css = page
        .body
        .split("href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert_eq!(
        get_with_cookie(addr, css, "", "").await.status,
        200,
        "{css}"
    );
    // An index lists the apps when there is no root redirect.
    let index = get_with_cookie(addr, "/", &ann.cookie(), "").await;
    assert!(index.body.contains(r#"href="/public/""#) && index.body.contains(r#"href="/admin/""#));
}

#[tokio::test]
async fn misconfiguration_is_refused_at_start_up() {
    let cases: Vec<(Server, &str)> = vec![
        (
            Server::new()
                .app::<PublicApp>("/a", Options::default())
                .app::<AdminApp>("/a/", Options::default()),
            "two apps are mounted at `/a`",
        ),
        (
            Server::new().app::<PublicApp>("/a b", Options::default()),
            "is not a path prefix",
        ),
        (
            Server::new()
                .app::<PublicApp>("", Options::default())
                .root_redirect("/x"),
            "would hide its page",
        ),
        (
            Server::new()
                .app::<PublicApp>("/a", Options::default())
                .root_redirect("/b"),
            "which is no app's",
        ),
        (Server::new(), "at least one app"),
    ];
    for (server, says) in cases {
        let e = server.router().unwrap_err();
        assert!(matches!(e, numerous::Error::Config(_)), "{says}: {e:?}");
        let e = e.to_string();
        assert!(e.contains(says), "{says}: {e}");
    }
}

/// Kills the app when the test ends.
struct Running(std::process::Child, std::path::PathBuf);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

#[tokio::test]
async fn the_binary_runs_alone_from_an_empty_directory() {
    use std::io::{BufRead, BufReader};
    let dir = std::env::temp_dir().join(format!("numerous-alone-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("acme");
    std::fs::copy(env!("CARGO_BIN_EXE_example-multi-app"), &bin).unwrap();
    let mut child = std::process::Command::new(&bin)
        .current_dir(&dir)
        .env("NUMEROUS_AUTH_USERS", USERS)
        .env("RUST_LOG", "info")
        .args(["--port", "0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let running = Running(child, dir.clone());
    let addr: SocketAddr = loop {
        let line = lines.next().expect("the app logs").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.trim_end_matches('/').parse().unwrap();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "only the binary is there"
    );
    let page = get_with_cookie(addr, "/public/", "", "").await;
    assert_eq!(page.status, 200);
    // The client and a widget module, by the URLs the page names.
    let assets = page.body.split("/public/numerous-static/").nth(1).unwrap();
    let version = assets.split('/').next().unwrap();
    for file in [
        "numerous.js",
        "numerous.css",
        "widgets/button.js",
        "widgets/number.js",
    ] {
        let r = get_with_cookie(
            addr,
            &format!("/public/numerous-static/{version}/{file}"),
            "",
            "",
        )
        .await;
        assert_eq!(r.status, 200, "{file}");
        assert!(!r.body.is_empty(), "{file}");
    }
    assert_eq!(
        get_with_cookie(addr, "/shared-static/logo.svg", "", "")
            .await
            .status,
        200
    );
    let login = get_with_cookie(addr, "/admin/login", "", "").await;
    assert_eq!(login.status, 200);
    drop(running);
}

#[tokio::test]
async fn a_url_no_app_serves_is_a_404_and_every_route_checks_the_host() {
    let addr = serve(server(auth())).await;
    let admin = login(addr, "/admin", "admin", "admin-password").await;
    for cookie in ["", admin.cookie().as_str()] {
        for path in [
            "/nope",
            "/public/nope",
            "/admin-nope",
            "/shared-static/nope.svg",
        ] {
            let r = get_with_cookie(addr, path, cookie, "").await;
            assert_eq!(r.status, 404, "{path} (cookie: {})", !cookie.is_empty());
        }
    }
    // The public app has no sign-in: its auth routes do not exist (not the admin's login).
    let r = testkit::http(
        addr,
        &format!("POST /public/api/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 2"),
        b"{}",
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.body);
    // The admin app's guard still applies under its prefix.
    let r = get_with_cookie(addr, "/admin/nope", "", "").await;
    assert!(matches!(r.status, 303 | 404), "{}", r.status);
    // Every route refuses a host the server does not serve, its own routes included.
    for path in [
        "/health",
        "/numerous-theme.css",
        "/shared-static/logo.svg",
        "/",
        "/nope",
        "/public/",
    ] {
        let r = testkit::http(
            addr,
            &format!("GET {path} HTTP/1.1\r\nHost: evil.example"),
            b"",
        )
        .await;
        assert_eq!(r.status, 400, "{path}: {}", r.body);
    }
}

/// Both apps, the admin app's own login and forbidden pages (with the example's theme) and the
/// server's index of apps, light and dark, at a laptop's and a phone's width: no serious or
/// critical axe-core violation.
#[tokio::test]
async fn every_page_of_the_server_passes_the_accessibility_audit() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = serve(server(auth())).await;
    browser.open(&format!("http://{addr}/public/")).await;
    browser.assert_views_accessible("the public app").await;
    browser
        .client
        .goto(&format!("http://{addr}/admin/"))
        .await
        .unwrap();
    browser.sign_in("ann", "ann-password").await;
    browser
        .wait_until("document.querySelector('h1')?.textContent === 'Admins only'")
        .await;
    browser
        .assert_views_accessible("the admin app's forbidden page")
        .await;
    browser.click("button[type=submit]").await;
    browser.sign_in("admin", "admin-password").await;
    browser.wait_until("location.pathname === '/admin/'").await;
    testkit::wait_until_live(&browser.client).await;
    browser.assert_views_accessible("the admin app").await;

    // Without a root redirect, the server's root lists its apps.
    let index = Server::new()
        .title("Acme apps")
        .app::<PublicApp>("/public", Options::default().open_to_all());
    let index = serve(index).await;
    browser
        .client
        .goto(&format!("http://{index}/"))
        .await
        .unwrap();
    browser
        .wait_until("document.querySelector('a[href=\"/public/\"]')")
        .await;
    browser.assert_views_accessible("the server's index").await;
    // The console has the refusals (401, 403) the test asked for.
    browser.close().await;
}
