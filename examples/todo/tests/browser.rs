//! The to-do list in headless Chromium: events reach the server in the order the user made them.

use example_todo::Todo;
use testkit::Browser;
use testkit::fantoccini::Locator;

#[tokio::test]
async fn a_click_right_after_typing_adds_what_was_typed() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Todo>(numerous::Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    // Typing is throttled (sent at most every 150 ms); the click comes at once after it.
    let input = browser
        .client
        .find(Locator::Css("#new_item input"))
        .await
        .unwrap();
    // "m" goes out at once; "ilk" typed after it waits for the throttle's interval...
    input.send_keys("m").await.unwrap();
    browser
        .wait_until("(window.numerous.client.throttle?.get('new_item')?.last ?? 0) > 0")
        .await;
    input.send_keys("ilk").await.unwrap();
    // ...and the click comes before that interval is over.
    browser.click("#add button").await;
    browser
        .wait_until("document.querySelector('#list').textContent.includes('milk')")
        .await;
    // The handler saw all of it, and cleared the box: nothing is left to add twice.
    browser.wait_for_value("#new_item input", "").await;
    let list = browser
        .client
        .execute(
            "return document.querySelector('#list').textContent.trim()",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(list, serde_json::json!("milk"));

    // Enter adds what was typed, however fast.
    input.send_keys("eggs\n").await.unwrap();
    browser
        .wait_until("document.querySelector('#list').textContent.includes('eggs')")
        .await;

    // A `set` of an unchanged value still marks the field for sending (as in Jupyter and
    // marimo: a module may have mutated the object it got, then set a copy).
    let queued = browser
        .client
        .execute(
            "const c = window.numerous.client; const m = c.models.get('new_item'); \
             m.set('value', m.get('value')); m.save_changes(); \
             return c.outbox.some((f) => f.widget === 'new_item') \
                 || 'value' in (c.throttle?.get('new_item')?.state ?? {})",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(queued, serde_json::json!(true));
    browser.finish().await;
}

/// The to-do list, empty and with an item, light and dark, at a laptop's and a phone's width: no
/// serious or critical axe-core violation.
#[tokio::test]
async fn the_todo_list_passes_the_accessibility_audit() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Todo>(numerous::Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    browser.assert_views_accessible("the empty list").await;
    // Nothing to clear: no Clear button (`ctx.hide`).
    browser
        .wait_until("getComputedStyle(document.querySelector('#clear')).display === 'none'")
        .await;
    // The box has no label: its placeholder names it (a label that is empty would not).
    assert_eq!(
        browser.accessible_name("#new_item input").await,
        "What needs doing?"
    );
    browser
        .type_into("#new_item input", "water the plants")
        .await;
    browser.click("#add button").await;
    browser
        .wait_until("document.querySelector('#list').textContent.includes('water the plants') && getComputedStyle(document.querySelector('#clear')).display !== 'none'")
        .await;
    browser
        .assert_views_accessible("the list with an item")
        .await;
    browser.finish().await;
}
