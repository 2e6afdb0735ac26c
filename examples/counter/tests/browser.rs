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
