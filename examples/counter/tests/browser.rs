//! The counter example in headless Chromium: open the page, click, see the number change, switch
//! tabs, reload and keep the state, with no console errors.
//!
//! Needs `chromium` and `chromedriver` (Debian packages `chromium`, `chromium-driver`); see
//! `testkit::Browser::start` for what happens without them.

use std::time::{Duration, Instant};

use example_counter::Counter;
use testkit::Browser;
use testkit::fantoccini::Locator;

#[tokio::test]
async fn click_in_chromium_changes_the_number() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Counter>(numerous::Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    browser.wait_for_value("#counter input", "0").await;
    browser
        .wait_until(
            "document.getElementById('numerous-splash').classList.contains('numerous-hidden')",
        )
        .await;

    browser.click("#increment button").await;
    browser.wait_for_value("#counter input", "1").await;
    browser.click("#increment button").await;
    browser.wait_for_value("#counter input", "2").await;
    browser.wait_for_value("#counter2 input", "2").await;

    // Tabs switch their panels in the page.
    let client = &browser.client;
    let about = client
        .find(Locator::Css("[data-numerous-tab=\"About\"]"))
        .await
        .unwrap();
    assert_eq!(about.attr("hidden").await.unwrap().as_deref(), Some("true"));
    client
        .find(Locator::XPath("//button[text()='About']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while about.attr("hidden").await.unwrap().is_some() {
        assert!(Instant::now() < deadline, "the About panel never showed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A reload in the same tab keeps the session and its state.
    client.refresh().await.unwrap();
    testkit::wait_until_live(client).await;
    browser.wait_for_value("#counter input", "2").await;
    browser.finish().await;
}

#[tokio::test]
async fn a_page_of_another_site_cannot_open_a_session_in_chromium() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = testkit::serve::<Counter>(numerous::Options::default()).await;
    // The other site is `localhost:<port>`: another origin than the app's `127.0.0.1:<port>`.
    let page = format!(
        r#"<!doctype html><title>elsewhere</title><script>
        window.outcome = null;
        const ws = new WebSocket("ws://{app}/ws", ["numerous"]);
        ws.onmessage = (e) => {{ window.outcome = "got a frame: " + e.data.slice(0, 40); }};
        ws.onclose = (e) => {{ window.outcome = window.outcome ?? ("closed " + e.code); }};
        </script>"#
    );
    let site = testkit::serve_static_page(page).await;
    browser
        .client
        .goto(&format!("http://localhost:{}/", site.port()))
        .await
        .unwrap();
    browser.wait_until("window.outcome !== null").await;
    let outcome = browser
        .client
        .execute("return window.outcome", vec![])
        .await
        .unwrap();
    // Refused at the handshake (403): the browser reports an abnormal close, no frame came.
    assert_eq!(outcome, serde_json::json!("closed 1006"));
    browser.close().await;
}

#[tokio::test]
async fn the_fallback_transport_works_in_chromium() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Counter>(numerous::Options::default()).await;
    browser
        .open(&format!("http://{addr}/?numerous_transport=sse"))
        .await;
    browser
        .wait_until("window.numerous.client.transport === 'sse'")
        .await;
    browser.click("#increment button").await;
    browser.wait_for_value("#counter input", "1").await;
    browser.click("#increment button").await;
    browser.wait_for_value("#counter input", "2").await;
    // A reload comes back to the same session over the same transport.
    browser.client.refresh().await.unwrap();
    testkit::wait_until_live(&browser.client).await;
    browser.wait_for_value("#counter input", "2").await;
    browser.finish().await;
}

/// Every tab of the counter, and numerous's own parts of a page (the connection banner, the
/// error dialog, the splash screen), light and dark, at a laptop's and a phone's width: no
/// serious or critical axe-core violation.
#[tokio::test]
async fn every_view_of_the_counter_passes_the_accessibility_audit() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Counter>(numerous::Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    browser.assert_accessible("the counter").await;
    browser
        .client
        .execute(
            "document.getElementById('numerous-connection-banner').classList.remove('numerous-hidden');\
             document.querySelector('[data-numerous-error-message]').textContent = 'a handler failed';\
             document.getElementById('numerous-error-modal').classList.add('numerous-visible');",
            vec![],
        )
        .await
        .unwrap();
    browser
        .assert_views_accessible("the counter's banner and error dialog")
        .await;
    // The splash screen, as a page shows it until it is connected.
    browser
        .run(
            "document.getElementById('numerous-error-modal').classList.remove('numerous-visible');\
             document.getElementById('numerous-splash').classList.remove('numerous-hidden');",
        )
        .await;
    browser.assert_views_accessible("the splash screen").await;
    browser.finish().await;
}

/// The audit itself finds what it is for: a page with faint text, a nameless field, a nameless
/// picture and a block too wide for a phone fails it, in each view where it should.
#[tokio::test]
async fn the_accessibility_audit_finds_violations() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let page = r#"<!doctype html><html lang="en"><head><title>bad</title>
        <meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main>
        <h1>A bad page</h1><p style="color:#aaa">faint</p><input>
        <svg role="img" width="10" height="10"></svg><div style="width: 600px">wide</div>
        </main></body></html>"#;
    let site = testkit::serve_static_page(page.to_owned()).await;
    browser
        .client
        .goto(&format!("http://{site}/"))
        .await
        .unwrap();
    if !testkit::axe_installed() {
        return; // `npm ci` installs axe-core; without it the audit says it skipped.
    }
    let found = browser.audit_views("the bad page").await;
    for rule in ["color-contrast", "label", "svg-img-alt"] {
        let views = found
            .iter()
            .filter(|v| v.contains(&format!(": {rule} (")))
            .count();
        assert_eq!(views, 4, "{rule} in each of the 4 views: {found:#?}");
    }
    // 600 px of content is too wide for a phone, not for a laptop.
    let wide = found
        .iter()
        .filter(|v| v.contains("overflow: the page is"))
        .count();
    assert_eq!(wide, 2, "overflow at 390 px, light and dark: {found:#?}");
    browser.finish().await;
}

/// The server dies under a tab (`kill -9`) and comes back without its sessions. While it is away
/// the tab's widgets are offline (inert: a click does nothing) and the banner says so; what the
/// tab queued meanwhile is not applied to the new session (it was made on what the old one
/// showed), and the banner says the server restarted and that a change was not applied.
#[tokio::test]
async fn offline_widgets_are_inert_and_a_restart_applies_nothing_queued_for_the_old_session() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let mut server =
        testkit::cluster::Instance::start(env!("CARGO_BIN_EXE_example-counter"), &[]).await;
    browser
        .open(&format!("http://127.0.0.1:{}/", server.port))
        .await;
    browser.click("#increment button").await;
    browser.wait_for_value("#counter input", "1").await;
    let banner = "document.getElementById('numerous-connection-banner')";
    let inert = "[...document.querySelectorAll('[data-numerous-widget]')].every((w) => w.inert)";

    server.kill();
    browser
        .wait_until(&format!(
            "{banner}.dataset.state === 'offline' && !{banner}.classList.contains('numerous-hidden') \
             && document.documentElement.classList.contains('numerous-offline') && {inert}"
        ))
        .await;
    // A click on the button reaches nothing (WebDriver may refuse it, or click what is under it).
    if let Ok(button) = browser.client.find(Locator::Css("#increment button")).await {
        let _ = button.click().await;
    }
    // A widget's module that sends anyway (a timer, a custom widget) has its event queued.
    browser
        .client
        .execute(
            "window.numerous.client.models.get('increment').send({event: 'click'})",
            vec![],
        )
        .await
        .unwrap();
    let queued = browser
        .client
        .execute("return window.numerous.client.outbox.length", vec![])
        .await
        .unwrap();
    assert_eq!(
        queued, 1,
        "only the module's event is queued, not the click"
    );

    server.restart().await;
    browser
        .wait_until(&format!(
            "{banner}.dataset.state === 'restarted' && !document.documentElement.classList.contains('numerous-offline') \
             && ![...document.querySelectorAll('[data-numerous-widget]')].some((w) => w.inert)"
        ))
        .await;
    let said = browser
        .client
        .execute(&format!("return {banner}.textContent"), vec![])
        .await
        .unwrap();
    let said = said.as_str().unwrap();
    assert!(
        said.contains("The server restarted") && said.contains("1 change made before"),
        "{said}"
    );
    // The new session starts at 0, and one click makes it 1: the queued one never landed.
    browser.wait_for_value("#counter input", "0").await;
    browser.click("#increment button").await;
    browser.wait_for_value("#counter input", "1").await;
    // The console has the refused connections of the time the server was away.
    browser.close().await;
}

/// The client says nothing beyond its errors and warnings by default; `?numerous_log=debug` in
/// the page's URL logs its connection and every frame in and out, and the level holds for the
/// tab's reloads (README, "Sessions and the browser").
#[tokio::test]
async fn the_client_logs_its_frames_when_the_url_asks_in_chromium() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Counter>(numerous::Options::default()).await;
    let said = async || -> Vec<String> {
        browser
            .console()
            .await
            .iter()
            .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    browser.open(&format!("http://{addr}/")).await;
    browser.click("#increment button").await;
    browser.wait_for_value("#counter input", "1").await;
    let quiet = said().await;
    assert!(
        quiet.iter().all(|m| !m.contains("numerous:")),
        "nothing by default: {quiet:#?}"
    );

    browser
        .open(&format!("http://{addr}/?numerous_log=debug"))
        .await;
    browser.click("#increment button").await;
    browser.wait_for_value("#counter input", "2").await;
    let loud = said().await;
    for (what, detail) in [
        ("connecting", "WebSocket"),
        ("welcomed back to its session", ""),
        ("sent", "increment"),
        ("received", "patch"),
    ] {
        assert!(
            loud.iter()
                .any(|m| m.contains("numerous:") && m.contains(what) && m.contains(detail)),
            "{what} {detail}: {loud:#?}"
        );
    }
    // A reload without the parameter keeps the tab's level.
    browser.open(&format!("http://{addr}/")).await;
    browser
        .wait_until("window.numerous.logLevel === 'debug'")
        .await;
    browser.finish().await;
}
