//! Authentication end to end, over real sockets: HTTP logins, cookies, the WebSocket, refresh,
//! sign-out, bad tokens, CSRF, rate limits and roles.

use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine as _;
use example_counter_auth::CounterAuth;
use numerous::Options;
use numerous::auth::{Auth, EnvProvider};
use serde_json::{Value, json};
use testkit::{
    Login, Tab, connect, get_with_cookie, http, login, post_json, set_cookie, set_cookie_line,
    try_login,
};

const SECRET: &str = "a test secret of thirty-two bytes or more";
const USERS: &str = r#"[
    {"username": "admin", "password": "admin-password", "is_admin": true},
    {"username": "ann", "password": "ann-password", "roles": ["editor"]},
    {"username": "bob", "password": "bob-password"},
    {"username": "gone", "password": "gone-password", "is_active": false}
]"#;

fn auth() -> Auth {
    Auth::new(EnvProvider::from_json(USERS).unwrap()).secret(SECRET)
}

async fn serve(auth: Auth) -> SocketAddr {
    testkit::serve::<CounterAuth>(Options::default().auth(auth)).await
}

/// A tab of a signed-in user.
async fn tab(addr: SocketAddr, login: &Login, session: Option<&str>) -> Tab {
    Tab::open_at(addr, "/ws", session, &[("cookie", &login.cookie())]).await
}

fn widget_value(frame: &Value, key: &str) -> Value {
    assert_eq!(frame["type"], "patch", "{frame}");
    frame["state"][key]["value"].clone()
}

#[tokio::test]
async fn a_login_sets_safe_cookies_and_a_bad_one_fails() {
    let addr = serve(auth()).await;
    let r = try_login(addr, "", "ann", "ann-password").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let access = set_cookie_line(&r, "numerous_access").unwrap();
    let refresh = set_cookie_line(&r, "numerous_refresh").unwrap();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(access.contains(flag), "{access}");
    }
    assert!(access.contains("Max-Age=900"), "{access}");
    assert!(refresh.contains("Path=/api/auth") && refresh.contains("Max-Age=604800"));
    assert!(
        !access.contains("Secure"),
        "plain HTTP from a client: not Secure"
    );
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["user"]["username"], "ann");
    assert_eq!(body["user"]["roles"], json!(["editor"]));
    assert!(
        body.get("access_token").is_none(),
        "the token stays in its HttpOnly cookie"
    );

    for (user, password, status) in [
        ("ann", "wrong-password", 401),
        ("nobody", "ann-password", 401),
        ("gone", "gone-password", 403),
    ] {
        let r = try_login(addr, "", user, password).await;
        assert_eq!(r.status, status, "{user}: {}", r.body);
        assert!(set_cookie(&r, "numerous_access").is_none());
    }
    let r = try_login(addr, "", "ann", "wrong-password").await;
    assert!(
        r.body.contains("Invalid username or password"),
        "{}",
        r.body
    );

    // Behind a trusted proxy that says HTTPS, cookies are Secure.
    let body = r#"{"username":"bob","password":"bob-password"}"#;
    let r = http(
        addr,
        &format!(
            "POST /api/auth/login HTTP/1.1\r\nHost: {addr}\r\nX-Forwarded-Proto: https\r\nContent-Type: application/json\r\nContent-Length: {}",
            body.len()
        ),
        body.as_bytes(),
    )
    .await;
    assert!(
        set_cookie_line(&r, "numerous_access")
            .unwrap()
            .ends_with("; Secure")
    );
}

#[tokio::test]
async fn pages_redirect_to_the_login_and_apis_answer_401() {
    let addr = serve(auth()).await;
    let r = get_with_cookie(addr, "/?a=1&b=2", "", "").await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        Some("/login?next=%2F%3Fa%3D1%26b%3D2")
    );
    for path in ["/api/auth/me", "/ws", "/download/counter"] {
        let r = get_with_cookie(addr, path, "", "").await;
        assert_eq!(r.status, 401, "{path}");
        assert!(
            r.body.contains(r#""error":"unauthenticated""#),
            "{}",
            r.body
        );
    }
    // Public: the login page and the client's assets.
    let r = get_with_cookie(addr, "/login?next=/%3Fa%3D1", "", "").await;
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains(r#"name="next" value="/?a=1""#),
        "{}",
        r.body
    );
    assert!(
        set_cookie_line(&r, "numerous_csrf")
            .unwrap()
            .contains("SameSite=Strict")
    );

    // Signed in, the page is served and the login page sends the user on.
    let ann = login(addr, "", "ann", "ann-password").await;
    let r = get_with_cookie(addr, "/", &ann.cookie(), "").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains(r#""auth":true"#));
    let r = get_with_cookie(addr, "/login?next=/elsewhere", &ann.cookie(), "").await;
    assert_eq!((r.status, r.header("location")), (303, Some("/elsewhere")));
    let me: Value = serde_json::from_str(
        &get_with_cookie(addr, "/api/auth/me", &ann.cookie(), "")
            .await
            .body,
    )
    .unwrap();
    assert_eq!(me["username"], "ann");
    assert!(me["expires_in"].as_i64().unwrap() > 800);
    // numerous-apps' check: public, 200 either way.
    let check = |cookie: String| async move {
        let r = get_with_cookie(addr, "/api/auth/check", &cookie, "").await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.header("cache-control"), Some("no-store"));
        serde_json::from_str::<Value>(&r.body).unwrap()
    };
    assert_eq!(check(String::new()).await, json!({"authenticated": false}));
    let signed_in = check(ann.cookie()).await;
    assert_eq!(signed_in["user_id"], me["user_id"]);
    assert_eq!(
        signed_in,
        json!({"authenticated": true, "username": "ann", "user_id": me["user_id"],
               "roles": ["editor"], "is_admin": false})
    );
}

#[tokio::test]
async fn the_next_page_is_always_on_this_site() {
    let addr = serve(auth()).await;
    let login_page = get_with_cookie(addr, "/login", "", "").await;
    let csrf = set_cookie(&login_page, "numerous_csrf").unwrap().to_owned();
    for (next, expected) in [
        ("/page?x=1", "/page?x=1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
    ] {
        let body = serde_urlencoded_pairs(&[
            ("username", "ann"),
            ("password", "ann-password"),
            ("next", next),
            ("csrf", &csrf),
        ]);
        let r = http(
            addr,
            &format!(
                "POST /api/auth/login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: numerous_csrf={csrf}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}",
                body.len()
            ),
            body.as_bytes(),
        )
        .await;
        assert_eq!(r.status, 303, "{next}: {}", r.body);
        assert_eq!(r.header("location"), Some(expected), "{next}");
    }
    // The login page does not echo a foreign next either, and escapes what it shows.
    let r = get_with_cookie(
        addr,
        "/login?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "",
        "",
    )
    .await;
    assert!(!r.body.contains("<script>alert(1)"), "{}", r.body);
}

fn serde_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn forms_need_their_csrf_token_and_other_sites_are_refused() {
    let addr = serve(auth()).await;
    let body = "username=ann&password=ann-password&csrf=0123456789abcdef0123456789abcdef";
    // No CSRF cookie (a form posted from another site's page).
    let r = http(
        addr,
        &format!(
            "POST /api/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}",
            body.len()
        ),
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("csrf"));
    // A page of another origin, even with JSON.
    let json = r#"{"username":"ann","password":"ann-password"}"#;
    for path in ["/api/auth/login", "/api/auth/refresh", "/api/auth/logout"] {
        let r = http(
            addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: https://evil.example\r\nContent-Type: application/json\r\nContent-Length: {}",
                json.len()
            ),
            json.as_bytes(),
        )
        .await;
        assert_eq!(r.status, 403, "{path}: {}", r.body);
    }
    // The WebSocket from another origin.
    let ann = login(addr, "", "ann", "ann-password").await;
    let refused = connect(
        addr,
        "/ws",
        None,
        &[
            ("cookie", &ann.cookie()),
            ("origin", "https://evil.example"),
        ],
    )
    .await;
    assert!(refused.is_err());
}

#[tokio::test]
async fn the_websocket_needs_a_user_and_a_session_is_its_users_alone() {
    let addr = serve(auth()).await;
    // No token: the upgrade is refused.
    match connect(addr, "/ws", None, &[]).await {
        Err(testkit::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 401),
        other => panic!("expected 401, got {other:?}"),
    }
    let ann = login(addr, "", "ann", "ann-password").await;
    let mut a = tab(addr, &ann, None).await;
    assert!(
        a.state["greeting"]["content"]
            .as_str()
            .unwrap()
            .contains("Signed in as **ann** (editor)"),
        "{}",
        a.state
    );
    a.click("increment").await;
    assert_eq!(widget_value(&a.recv().await, "counter"), 1.0);

    // Bob knows ann's session id: it is not enough.
    let bob = login(addr, "", "bob", "bob-password").await;
    let ws = connect(addr, "/ws", Some(&a.session), &[("cookie", &bob.cookie())])
        .await
        .unwrap();
    let mut intruder = Tab::unwelcomed(ws);
    let (code, frames) = intruder.closed_within(Duration::from_secs(5)).await;
    assert_eq!(code, 4403);
    assert_eq!(frames.len(), 1, "only the refusal, no state: {frames:?}");
    assert_eq!(frames[0]["code"], "forbidden");
    // The same on the fallback transport: refused with the close a socket gets (4403: the
    // client starts afresh, where a 503 would have it retry the same id for ever).
    let r = http(
        addr,
        &format!(
            "POST /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nX-Numerous-Session: {}\r\nCookie: {}",
            a.session,
            bob.cookie()
        ),
        b"",
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.header("x-numerous-close"), Some("4403"));
    let refusal: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(refusal["error"], "forbidden");

    // Ann's second tab joins her session.
    let a2 = tab(addr, &ann, Some(&a.session)).await;
    assert!(a2.resumed);
    assert_eq!(a2.state["counter"]["value"], 1.0);
}

#[tokio::test]
async fn roles_guard_handlers_and_whole_apps() {
    let addr = serve(auth()).await;
    let ann = login(addr, "", "ann", "ann-password").await;
    let bob = login(addr, "", "bob", "bob-password").await;
    let admin = login(addr, "", "admin", "admin-password").await;

    let mut b = tab(addr, &bob, None).await;
    b.click("increment").await;
    b.recv().await;
    b.click("reset").await;
    let e = b.recv().await;
    assert_eq!(
        (e["type"].as_str(), e["code"].as_str()),
        (Some("error"), Some("forbidden")),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("editor"));
    b.click("increment").await;
    assert_eq!(
        widget_value(&b.recv().await, "counter"),
        2.0,
        "nothing was reset"
    );

    for who in [&ann, &admin] {
        let mut t = tab(addr, who, None).await;
        t.click("increment").await;
        t.recv().await;
        t.click("reset").await;
        assert_eq!(widget_value(&t.recv().await, "counter"), 0.0);
    }

    // An app for editors only: bob is refused the page and the socket.
    let addr = serve(auth().require_role("editor")).await;
    let bob = login(addr, "", "bob", "bob-password").await;
    let r = get_with_cookie(addr, "/", &bob.cookie(), "").await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("signed in as bob"), "{}", r.body);
    assert!(
        connect(addr, "/ws", None, &[("cookie", &bob.cookie())])
            .await
            .is_err()
    );
    let ann = login(addr, "", "ann", "ann-password").await;
    assert_eq!(
        get_with_cookie(addr, "/", &ann.cookie(), "").await.status,
        200
    );
}

#[tokio::test]
async fn refresh_rotates_and_keeps_the_socket_while_logout_ends_it() {
    let addr = serve(auth().refresh_reuse_grace(Duration::ZERO)).await;
    let ann = login(addr, "", "ann", "ann-password").await;
    let mut t = tab(addr, &ann, None).await;

    let r = post_json(
        addr,
        "/api/auth/refresh",
        &format!("numerous_refresh={}", ann.refresh),
        "",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rotated = Login {
        access: set_cookie(&r, "numerous_access").unwrap().to_owned(),
        refresh: set_cookie(&r, "numerous_refresh").unwrap().to_owned(),
        body: Value::Null,
    };
    assert_ne!(rotated.refresh, ann.refresh);
    // The socket goes on.
    t.click("increment").await;
    assert_eq!(widget_value(&t.recv().await, "counter"), 1.0);

    // Signing out ends the login: its socket is closed, its tokens dead.
    let r = post_json(addr, "/api/auth/logout", &rotated.cookie(), "").await;
    assert_eq!(r.status, 200);
    assert_eq!(set_cookie(&r, "numerous_access"), Some(""));
    let (code, frames) = t.closed_within(Duration::from_secs(5)).await;
    assert_eq!(code, 4401);
    assert_eq!(frames.last().unwrap()["code"], "unauthenticated");
    assert_eq!(
        get_with_cookie(addr, "/api/auth/me", &rotated.cookie(), "")
            .await
            .status,
        401
    );
    let r = post_json(addr, "/api/auth/refresh", &rotated.cookie(), "").await;
    assert_eq!(r.status, 401);
    assert_eq!(
        set_cookie(&r, "numerous_refresh"),
        Some(""),
        "a failed refresh clears the cookies"
    );
}

#[tokio::test]
async fn a_reused_refresh_token_revokes_its_whole_login() {
    let addr = serve(auth().refresh_reuse_grace(Duration::ZERO)).await;
    let ann = login(addr, "", "ann", "ann-password").await;
    let cookie = |refresh: &str| format!("numerous_refresh={refresh}");
    let r = post_json(addr, "/api/auth/refresh", &cookie(&ann.refresh), "").await;
    assert_eq!(r.status, 200);
    let second = set_cookie(&r, "numerous_refresh").unwrap().to_owned();
    let second_access = set_cookie(&r, "numerous_access").unwrap().to_owned();
    // A thief replays the first token: refused, and the whole family with it.
    let r = post_json(addr, "/api/auth/refresh", &cookie(&ann.refresh), "").await;
    assert_eq!(r.status, 401);
    let r = post_json(addr, "/api/auth/refresh", &cookie(&second), "").await;
    assert_eq!(r.status, 401, "the rightful token died with its family");
    let me = get_with_cookie(
        addr,
        "/api/auth/me",
        &format!("numerous_access={second_access}"),
        "",
    )
    .await;
    assert_eq!(me.status, 401, "and so did its access token");
    // Another login of ann's is not touched.
    let other = login(addr, "", "ann", "ann-password").await;
    assert_eq!(
        get_with_cookie(addr, "/api/auth/me", &other.cookie(), "")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_socket_whose_sign_in_is_not_refreshed_is_closed() {
    // Access tokens of 10 s: a tab whose page never refreshes is closed when it expires.
    let addr = serve(auth().access_ttl(Duration::from_secs(10))).await;
    let ann = login(addr, "", "ann", "ann-password").await;
    let mut stale = tab(addr, &ann, None).await;
    let (code, frames) = stale.closed_within(Duration::from_secs(30)).await;
    assert_eq!(code, 4401);
    assert_eq!(frames.last().unwrap()["code"], "unauthenticated");
}

#[tokio::test]
async fn forged_expired_and_misused_tokens_are_refused() {
    let addr = serve(auth()).await;
    let ann = login(addr, "", "ann", "ann-password").await;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let parts: Vec<&str> = ann.access.split('.').collect();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    let mut admin = claims.clone();
    admin["adm"] = true.into();
    let mut expired = claims.clone();
    expired["exp"] = (claims["iat"].as_i64().unwrap() - 3600).into();
    let tampered = format!("{}.{}.{}", parts[0], b64(&admin.to_string()), parts[2]);
    let none = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(&admin.to_string())
    );
    let resigned_expired = format!("{}.{}.{}", parts[0], b64(&expired.to_string()), parts[2]);
    // Signed with another key by another server.
    let other = serve(
        Auth::new(EnvProvider::from_json(USERS).unwrap())
            .secret("another secret, also thirty-two bytes long"),
    )
    .await;
    let foreign = login(other, "", "ann", "ann-password").await.access;
    for (what, token) in [
        ("tampered", tampered.as_str()),
        ("alg none", none.as_str()),
        ("expired", resigned_expired.as_str()),
        ("another key", foreign.as_str()),
        ("a refresh token", ann.refresh.as_str()),
        ("garbage", "x.y.z"),
    ] {
        let cookie = format!("numerous_access={token}");
        let r = get_with_cookie(addr, "/api/auth/me", &cookie, "").await;
        assert_eq!(r.status, 401, "{what}");
        let r = get_with_cookie(
            addr,
            "/api/auth/me",
            "",
            &format!("\r\nAuthorization: Bearer {token}"),
        )
        .await;
        assert_eq!(r.status, 401, "{what} as a bearer token");
        assert!(
            connect(addr, "/ws", None, &[("cookie", &cookie)])
                .await
                .is_err(),
            "{what}"
        );
    }
    // The genuine token works as a bearer token too (API clients).
    let r = get_with_cookie(
        addr,
        "/api/auth/me",
        "",
        &format!("\r\nAuthorization: Bearer {}", ann.access),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn logins_are_rate_limited_per_user_and_per_address() {
    let addr = serve(auth().login_attempts_per_minute(8, 3)).await;
    for _ in 0..3 {
        assert_eq!(try_login(addr, "", "ann", "nope-nope").await.status, 401);
    }
    let r = try_login(addr, "", "ann", "ann-password").await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.header("retry-after").is_some());
    // Other users from this address still get their attempts, up to the address's limit.
    for _ in 0..3 {
        assert_eq!(try_login(addr, "", "bob", "bob-password").await.status, 200);
    }
    // Eight attempts from this address so far: its limit.
    assert_eq!(
        try_login(addr, "", "admin", "admin-password").await.status,
        200
    );
    assert_eq!(
        try_login(addr, "", "admin", "admin-password").await.status,
        429
    );
}

#[tokio::test]
async fn one_user_cannot_fill_the_server() {
    let addr = serve(auth().max_sessions_per_user(2)).await;
    let ann = login(addr, "", "ann", "ann-password").await;
    let _a = tab(addr, &ann, None).await;
    let _b = tab(addr, &ann, None).await;
    let ws = connect(addr, "/ws", None, &[("cookie", &ann.cookie())])
        .await
        .unwrap();
    let mut third = Tab::unwelcomed(ws);
    let (_, frames) = third.closed_within(Duration::from_secs(5)).await;
    assert_eq!(frames[0]["code"], "session-limit", "{frames:?}");
    // Others are not affected.
    let bob = login(addr, "", "bob", "bob-password").await;
    tab(addr, &bob, None).await;
}

#[tokio::test]
async fn a_prefixed_app_keeps_its_cookies_and_pages_under_its_prefix() {
    let addr =
        testkit::serve::<CounterAuth>(Options::default().prefix("/sales").auth(auth())).await;
    let r = get_with_cookie(addr, "/sales/", "", "").await;
    assert_eq!(r.header("location"), Some("/sales/login?next=%2Fsales%2F"));
    // Every page under the prefix comes back to itself after the sign-in, an unknown one too.
    for (path, next) in [
        ("/sales", "%2Fsales"),
        ("/sales/report?x=1", "%2Fsales%2Freport%3Fx%3D1"),
    ] {
        let r = get_with_cookie(addr, path, "", "").await;
        assert_eq!(
            r.header("location"),
            Some(format!("/sales/login?next={next}").as_str()),
            "{path}"
        );
    }
    // A URL outside the prefix is nobody's.
    assert_eq!(
        get_with_cookie(addr, "/elsewhere", "", "").await.status,
        404
    );
    let r = try_login(addr, "/sales", "ann", "ann-password").await;
    assert!(
        set_cookie_line(&r, "numerous_access")
            .unwrap()
            .contains("Path=/sales;")
    );
    assert!(
        set_cookie_line(&r, "numerous_refresh")
            .unwrap()
            .contains("Path=/sales/api/auth;")
    );
    let ann = login(addr, "/sales", "ann", "ann-password").await;
    let r = post_json(addr, "/sales/api/auth/refresh", &ann.cookie(), "").await;
    assert_eq!(r.status, 200);
    let r = get_with_cookie(addr, "/sales/api/nothing", "", "").await;
    assert_eq!(r.status, 401, "prefixed API paths get 401, not a redirect");
}

#[tokio::test]
async fn your_own_routes_know_the_user() {
    use numerous::auth::CurrentUser;
    use numerous::axum::{Router, routing::get};
    let routes = Router::new()
        .route(
            "/api/whoami",
            get(|user: CurrentUser| async move { user.username.clone() }),
        )
        .route(
            "/api/editors",
            get(|user: CurrentUser| async move {
                user.require_role("editor").map(|()| "welcome, editor")
            }),
        )
        .route(
            "/hello",
            get(|user: Option<CurrentUser>| async move {
                user.map_or_else(
                    || "hello, stranger".to_owned(),
                    |u| format!("hello, {}", u.username),
                )
            }),
        );
    let addr2 = testkit::serve::<CounterAuth>(
        Options::default()
            .auth(auth().public(["/hello"]))
            .routes(routes),
    )
    .await;
    let ann = login(addr2, "", "ann", "ann-password").await;
    let bob = login(addr2, "", "bob", "bob-password").await;
    assert_eq!(
        get_with_cookie(addr2, "/api/whoami", &ann.cookie(), "")
            .await
            .body,
        "ann"
    );
    assert_eq!(
        get_with_cookie(addr2, "/api/whoami", "", "").await.status,
        401
    );
    assert_eq!(
        get_with_cookie(addr2, "/api/editors", &ann.cookie(), "")
            .await
            .status,
        200
    );
    assert_eq!(
        get_with_cookie(addr2, "/api/editors", &bob.cookie(), "")
            .await
            .status,
        403
    );
    assert_eq!(
        get_with_cookie(addr2, "/hello", "", "").await.body,
        "hello, stranger"
    );
    assert_eq!(
        get_with_cookie(addr2, "/hello", &bob.cookie(), "")
            .await
            .body,
        "hello, bob"
    );
}

#[tokio::test]
async fn the_http_api_is_protected_and_sessions_stay_their_owners() {
    let addr = serve(auth()).await;
    assert_eq!(post_json(addr, "/api/sessions", "", "").await.status, 401);
    assert_eq!(
        get_with_cookie(addr, "/api/describe", "", "").await.status,
        401
    );
    let ann = login(addr, "", "ann", "ann-password").await;
    let bob = login(addr, "", "bob", "bob-password").await;
    let r = post_json(addr, "/api/sessions", &ann.cookie(), "").await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = serde_json::from_str::<Value>(&r.body).unwrap()["session"]
        .as_str()
        .unwrap()
        .to_owned();
    // The greeting ran for ann: her session knows her.
    let r = post_json(
        addr,
        &format!("/api/sessions/{id}/widgets/increment/click"),
        &ann.cookie(),
        "",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let state: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(state["state"]["counter"]["value"], 1.0);
    // Bob knows the id: not enough, for reading or writing; her role check holds over HTTP.
    assert_eq!(
        get_with_cookie(addr, &format!("/api/sessions/{id}"), &bob.cookie(), "")
            .await
            .status,
        404
    );
    let r = post_json(
        addr,
        &format!("/api/sessions/{id}/widgets/increment/click"),
        &bob.cookie(),
        "",
    )
    .await;
    assert_eq!(r.status, 404);
    let r = post_json(addr, "/api/sessions", &bob.cookie(), "").await;
    let bobs = serde_json::from_str::<Value>(&r.body).unwrap()["session"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = post_json(
        addr,
        &format!("/api/sessions/{bobs}/widgets/reset/click"),
        &bob.cookie(),
        "",
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("forbidden"), "{}", r.body);
}

#[tokio::test]
async fn a_sign_out_on_one_instance_ends_the_login_on_every_instance() {
    // Two instances sharing a broker (across processes: `RedisBroker`, which
    // `--session-store redis://..` sets up) and a secret.
    let broker: std::sync::Arc<dyn numerous::Broker> =
        std::sync::Arc::new(numerous::LocalBroker::default());
    let a =
        testkit::serve::<CounterAuth>(Options::default().auth(auth()).broker(broker.clone())).await;
    let b = testkit::serve::<CounterAuth>(Options::default().auth(auth()).broker(broker)).await;
    let ann = login(a, "", "ann", "ann-password").await;
    // Her access token works on both; she has a tab on B.
    assert_eq!(
        get_with_cookie(b, "/api/auth/me", &ann.cookie(), "")
            .await
            .status,
        200
    );
    let mut on_b = tab(b, &ann, None).await;
    // She signs out on A: B refuses the token at once (not in 15 minutes) and closes her tab.
    let r = post_json(a, "/api/auth/logout", &ann.cookie(), "").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (code, _) = on_b.closed_within(Duration::from_secs(5)).await;
    assert_eq!(code, 4401);
    assert_eq!(
        get_with_cookie(b, "/api/auth/me", &ann.cookie(), "")
            .await
            .status,
        401
    );
}

/// Refreshes with `refresh` on `addr`: the rotated login, or the status.
async fn refresh_on(addr: SocketAddr, refresh: &str) -> Result<Login, u16> {
    let r = post_json(
        addr,
        "/api/auth/refresh",
        &format!("numerous_refresh={refresh}"),
        "",
    )
    .await;
    if r.status != 200 {
        return Err(r.status);
    }
    Ok(Login {
        access: set_cookie(&r, "numerous_access").unwrap().to_owned(),
        refresh: set_cookie(&r, "numerous_refresh").unwrap().to_owned(),
        body: Value::Null,
    })
}

#[tokio::test]
async fn with_sessions_in_redis_a_refresh_works_on_any_instance() {
    let Some(url) = testkit::redis_url() else {
        return;
    };
    // The env provider keeps refresh tokens in memory; with a Redis session store they are
    // kept there instead, where every instance sees them.
    let mut addrs = Vec::new();
    for _ in 0..2 {
        let store = numerous::store::RedisStore::connect(&url).await.unwrap();
        let options = Options::default()
            .auth(auth().refresh_reuse_grace(Duration::ZERO))
            .session_store(store);
        addrs.push(testkit::serve::<CounterAuth>(options).await);
    }
    let (a, b) = (addrs[0], addrs[1]);
    let ann = login(a, "", "ann", "ann-password").await;
    let on_b = refresh_on(b, &ann.refresh)
        .await
        .expect("a refresh on the other instance");
    let on_a = refresh_on(a, &on_b.refresh).await.expect("and back");
    // A token used once cannot be used again, on either instance (and that ends the login).
    assert_eq!(refresh_on(b, &on_b.refresh).await.err(), Some(401));
    assert_eq!(refresh_on(a, &on_a.refresh).await.err(), Some(401));
    // A new login, signed out on B: its refresh token is dead on A.
    let bob = login(a, "", "bob", "bob-password").await;
    let r = post_json(b, "/api/auth/logout", &bob.cookie(), "").await;
    assert_eq!(r.status, 200);
    assert_eq!(refresh_on(a, &bob.refresh).await.err(), Some(401));
}

#[tokio::test]
async fn refreshes_are_rate_limited_and_keep_the_login() {
    let addr = serve(auth()).await;
    let ann = login(addr, "", "ann", "ann-password").await;
    let mut refresh = ann.refresh.clone();
    let mut limited = None;
    // A client rotating its token in a loop: a login may refresh ten times a minute.
    for n in 0..=10 {
        let r = post_json(
            addr,
            "/api/auth/refresh",
            &format!("numerous_refresh={refresh}"),
            "",
        )
        .await;
        if r.status == 429 {
            limited = Some((n, r));
            break;
        }
        assert_eq!(r.status, 200, "{}", r.body);
        refresh = set_cookie(&r, "numerous_refresh").unwrap().to_owned();
    }
    let (n, r) = limited.expect("the 11th refresh of a minute is refused");
    assert_eq!(n, 10);
    assert!(r.header("retry-after").is_some());
    assert_eq!(
        set_cookie(&r, "numerous_refresh"),
        None,
        "a refused refresh leaves the login's cookies"
    );
    // Other logins are not held back.
    let bob = login(addr, "", "bob", "bob-password").await;
    let r = post_json(addr, "/api/auth/refresh", &bob.cookie(), "").await;
    assert_eq!(r.status, 200, "{}", r.body);
}
