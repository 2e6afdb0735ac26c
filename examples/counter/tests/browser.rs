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
