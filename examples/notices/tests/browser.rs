//! Live notices in headless Chromium, with a second visitor on a real WebSocket: each sees what
//! the other posts, drawn by the feed widget from patches that carry the new line only.

use std::time::Duration;

use example_notices::{Notices, options};
use numerous::Options;
use serde_json::json;
use testkit::fantoccini::Locator;
use testkit::{Browser, Tab};

#[tokio::test]
async fn two_visitors_see_each_others_notices() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr =
        testkit::serve::<Notices>(options(Options::default(), Duration::from_secs(3600))).await;
    browser.open(&format!("http://{addr}/")).await;

    // The other visitor posts; the page draws it.
    let mut other = Tab::open(addr, None).await;
    other.update("name", json!({"value": "bob"})).await;
    other
        .update("text", json!({"value": "<b>hi</b> from *bob*"}))
        .await;
    other.click("post").await;
    browser
        .wait_until("document.querySelector('#feed li')?.textContent.trim() === 'bob: <b>hi</b> from *bob*'")
        .await;
    // Raw HTML stays text: no <b> element was made.
    browser
        .wait_until("document.querySelector('#feed li b') === null")
        .await;

    // The page posts; the other visitor gets it, newest drawn first.
    let text = browser
        .client
        .find(Locator::Css("#text input"))
        .await
        .unwrap();
    text.send_keys("hello bob").await.unwrap();
    browser.click("#post button").await;
    loop {
        let frame = other.recv().await;
        if let Some(new) = frame["state"]["feed"]["$append"]["items"].as_array()
            && new[0]["text"] == "**someone**: hello bob"
        {
            break;
        }
    }
    browser
        .wait_until("document.querySelectorAll('#feed li').length === 2 && document.querySelector('#feed li').textContent.trim() === 'someone: hello bob'")
        .await;
    browser.finish().await;
}

/// The notices page with a notice posted, light and dark, at a laptop's and a phone's width: no
/// serious or critical axe-core violation.
#[tokio::test]
async fn the_notices_page_passes_the_accessibility_audit() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr =
        testkit::serve::<Notices>(options(Options::default(), Duration::from_secs(3600))).await;
    browser.open(&format!("http://{addr}/")).await;
    let mut other = Tab::open(addr, None).await;
    other.update("name", json!({"value": "bob"})).await;
    other.update("text", json!({"value": "hello"})).await;
    other.click("post").await;
    browser
        .wait_until("document.querySelector('#feed li')")
        .await;
    browser.assert_accessible("the notices page").await;
    browser.finish().await;
}
