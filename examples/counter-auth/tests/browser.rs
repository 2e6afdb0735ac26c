//! Signing in and using a protected app in headless Chromium: the login form, a click, a role,
//! a token refresh under an open socket, signing out.

use example_counter_auth::CounterAuth;
use numerous::Options;
use numerous::auth::{Auth, EnvProvider};
use testkit::Browser;

/// Serves the app to users `users` (JSON), with `auth` adjusting its sign-in.
async fn serve(users: &str, auth: impl FnOnce(Auth) -> Auth) -> std::net::SocketAddr {
    let base = Auth::new(EnvProvider::from_json(users).unwrap())
        .secret("a test secret of thirty-two bytes or more");
    testkit::serve::<CounterAuth>(Options::default().auth(auth(base))).await
}

/// Fills the login form the page is on and sends it.
async fn sign_in(browser: &Browser, user: &str, password: &str) {
    browser.wait_until("location.pathname === '/login'").await;
    browser.type_into("input[name=username]", user).await;
    browser.type_into("input[name=password]", password).await;
    browser.click("button[type=submit]").await;
}

#[tokio::test]
async fn sign_in_click_refresh_and_sign_out_in_chromium() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let users = r#"[{"username": "ann", "password": "ann-password", "roles": ["editor"]}]"#;
    let addr = serve(users, |a| a).await;

    // The app sends a stranger to the login page, and back once signed in.
    // (`goto`, not `Browser::open`: the login page has no widgets to wait for.)
    browser
        .client
        .goto(&format!("http://{addr}/?from=test"))
        .await
        .unwrap();
    sign_in(&browser, "ann", "wrong-password").await;
    browser
        .wait_until(
            "document.getElementById('numerous-login-error')?.textContent.includes('Invalid')",
        )
        .await;
    // The form keeps the name; the password is typed again.
    browser
        .type_into("input[name=password]", "ann-password")
        .await;
    browser.click("button[type=submit]").await;
    browser
        .wait_until("location.pathname === '/' && location.search === '?from=test'")
        .await;
    testkit::wait_until_live(&browser.client).await;
    browser
        .wait_until("document.getElementById('greeting').textContent.includes('Signed in as ann')")
        .await;
    browser
        .wait_until("window.numerousAuth.getUserContext().username === 'ann'")
        .await;
    browser
        .wait_until("window.numerousAuth.getUserContext().roles.includes('editor')")
        .await;

    browser.click("#increment button").await;
    browser.wait_for_value("#counter input", "1").await;
    browser.click("#reset button").await;
    browser.wait_for_value("#counter input", "0").await;

    // A refresh (as the page's timer does it) rotates the cookies under the open socket.
    browser
        .client
        .execute(
            "window.__refreshed = null; window.numerousAuth._refresh().then(ok => window.__refreshed = ok)",
            vec![],
        )
        .await
        .unwrap();
    browser.wait_until("window.__refreshed === true").await;
    browser.click("#increment button").await;
    browser.wait_for_value("#counter input", "1").await;
    // The one expected error: the wrong password's 401.
    let errors = browser.console_errors_except("/api/auth/login - ").await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");

    // Signing out ends up on the login page; the app is closed again.
    browser.click("#logout").await;
    browser.wait_until("location.pathname === '/login'").await;
    browser
        .client
        .goto(&format!("http://{addr}/"))
        .await
        .unwrap();
    browser.wait_until("location.pathname === '/login'").await;
    browser.close().await;
}

#[tokio::test]
async fn the_page_refreshes_its_sign_in_and_keeps_its_socket() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    // Access tokens of 10 s: the page refreshes every 5 s; the server would close a socket
    // whose sign-in was not refreshed 15 s after it began.
    let users = r#"[{"username": "ann", "password": "ann-password"}]"#;
    let addr = serve(users, |a| a.access_ttl(std::time::Duration::from_secs(10))).await;
    browser
        .client
        .goto(&format!("http://{addr}/"))
        .await
        .unwrap();
    sign_in(&browser, "ann", "ann-password").await;
    browser.wait_until("location.pathname === '/'").await;
    testkit::wait_until_live(&browser.client).await;
    browser.click("#increment button").await;
    browser.wait_for_value("#counter input", "1").await;
    browser
        .client
        .execute(
            "window.__socket = window.numerous.client.socket; window.__first = window.numerousAuth.expiresAt",
            vec![],
        )
        .await
        .unwrap();
    // Four refreshes, one after another: past the first token's end and the server's leeway.
    for k in 1..=4 {
        browser
            .wait_until(&format!(
                "window.numerousAuth.expiresAt >= window.__first + {} ",
                k * 5000 - 1500
            ))
            .await;
    }
    browser.click("#increment button").await;
    browser.wait_for_value("#counter input", "2").await;
    browser
        .wait_until("window.numerous.client.socket === window.__socket")
        .await;
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    // Widget code can sign the user out.
    browser
        .client
        .execute("window.numerousAuth.logout()", vec![])
        .await
        .unwrap();
    browser.wait_until("location.pathname === '/login'").await;
    browser.close().await;
}

#[tokio::test]
async fn a_page_whose_sign_in_ends_goes_to_the_login_page_with_a_notice() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let users = r#"[{"username": "ann", "password": "ann-password"}]"#;
    let addr = serve(users, |a| a).await;
    browser
        .client
        .goto(&format!("http://{addr}/"))
        .await
        .unwrap();
    sign_in(&browser, "ann", "ann-password").await;
    browser.wait_until("location.pathname === '/'").await;
    testkit::wait_until_live(&browser.client).await;
    // Somebody ends this sign-in elsewhere (its cookies, as WebDriver shows them).
    let cookies: Vec<String> = browser
        .client
        .get_all_cookies()
        .await
        .unwrap()
        .iter()
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect();
    let r = testkit::post_json(addr, "/api/auth/logout", &cookies.join("; "), "").await;
    assert_eq!(r.status, 200);
    // The page's socket is closed, its refresh fails, and it lands on the login page saying why.
    browser
        .wait_until("location.pathname === '/login' && location.search.includes('reason=expired')")
        .await;
    browser
        .wait_until("document.body.textContent.includes('Your sign-in has expired')")
        .await;
    browser.close().await;
}

/// The page's auth client as a script uses it: `login` (refused, then signed in), and
/// `authFetch`, which refreshes the sign-in after a 401 and tries once more.
#[tokio::test]
async fn the_auth_client_signs_in_and_fetches_through_an_expired_token_in_chromium() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let users = r#"[{"username": "ann", "password": "ann-password", "roles": ["editor"]},
                    {"username": "bo", "password": "bo-password"}]"#;
    let addr = serve(users, |a| a).await;
    browser
        .open_signed_in(&format!("http://{addr}/"), "/", "ann", "ann-password")
        .await;
    let run = async |script: &str| {
        browser
            .client
            .execute_async(
                &format!("const done = arguments[0]; (async () => {{ {script} }})().then(done, (e) => done('error: ' + e.message));"),
                vec![],
            )
            .await
            .unwrap()
    };
    // A wrong password is refused in the server's words; the right one signs in as bo.
    let refused = run("return await numerousAuth.login('bo', 'nope-nope-nope');").await;
    assert!(
        refused.as_str().unwrap().starts_with("error: Invalid"),
        "{refused}"
    );
    let bo = run("return (await numerousAuth.login('bo', 'bo-password')).username;").await;
    assert_eq!(bo, "bo");
    let me = run(
        "const r = await numerousAuth.authFetch('/api/auth/me'); return (await r.json()).username;",
    )
    .await;
    assert_eq!(me, "bo");

    // The access cookie gone (expired): authFetch gets a 401, refreshes, and tries again.
    browser
        .client
        .delete_cookie("numerous_access")
        .await
        .unwrap();
    let plain = run("return (await fetch('/api/auth/me')).status;").await;
    assert_eq!(plain, 401);
    let again = run("const r = await numerousAuth.authFetch('/api/auth/me'); return r.status + ' ' + (await r.json()).username;").await;
    assert_eq!(again, "200 bo");
    // The refused sign-in and the expired token's 401s are the only errors the page logged.
    let errors = browser
        .console_errors_except("status of 401 (Unauthorized)")
        .await;
    browser.close().await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

/// numerous's login page (empty, and with its error), the app signed in, and numerous's
/// "not for you" page, light and dark, at a laptop's and a phone's width: no serious or
/// critical axe-core violation.
#[tokio::test]
async fn the_sign_in_pages_and_the_app_pass_the_accessibility_audit() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let users = r#"[{"username": "ann", "password": "ann-password", "roles": ["editor"]}]"#;
    let addr = serve(users, |a| a).await;
    browser
        .client
        .goto(&format!("http://{addr}/"))
        .await
        .unwrap();
    browser.wait_until("location.pathname === '/login'").await;
    browser.assert_views_accessible("the login page").await;
    browser.sign_in("ann", "wrong-password").await;
    browser
        .wait_until("document.getElementById('numerous-login-error')")
        .await;
    browser
        .assert_views_accessible("the login page with an error")
        .await;
    browser
        .type_into("input[name=password]", "ann-password")
        .await;
    browser.click("button[type=submit]").await;
    browser.wait_until("location.pathname === '/'").await;
    testkit::wait_until_live(&browser.client).await;
    browser
        .assert_views_accessible("the counter, signed in")
        .await;

    // An app for admins only, with the same secret: ann's sign-in holds there too (cookies are
    // not kept apart by port), and she is shown numerous's forbidden page.
    let admins_only = serve(users, |a| a.require_admin()).await;
    browser
        .client
        .goto(&format!("http://{admins_only}/"))
        .await
        .unwrap();
    browser
        .wait_until("document.querySelector('h1')?.textContent === 'Not for you'")
        .await;
    browser.assert_views_accessible("the forbidden page").await;
    // The console has the refusals (401, 403) the test asked for.
    browser.close().await;
}
