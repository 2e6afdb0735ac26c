//! Two people chatting in two headless Chromium browsers.

use example_chat::{Chat, Store, options_with};
use numerous::Options;
use testkit::Browser;

async fn join(browser: &Browser, addr: std::net::SocketAddr, name: &str) {
    browser
        .client
        .goto(&format!("http://{addr}/"))
        .await
        .unwrap();
    browser.wait_until("location.pathname === '/login'").await;
    browser.type_into("input[name=username]", name).await;
    browser.click("button[type=submit]").await;
    browser.wait_until("location.pathname === '/'").await;
    testkit::wait_until_live(&browser.client).await;
}

async fn say(browser: &Browser, text: &str) {
    browser.type_into("#messages textarea", text).await;
    browser.click("#messages button[type=submit]").await;
}

/// The chat shows `author: text`.
fn has_line(line: &str) -> String {
    format!(
        "[...document.querySelectorAll('#messages li')].some(li => \
           `${{li.querySelector('.numerous-chat-author')?.textContent}}: ${{li.querySelector('.numerous-chat-text').textContent}}` === {})",
        serde_json::to_string(line).unwrap()
    )
}

#[tokio::test]
async fn two_browsers_chat_with_each_other() {
    let Some(ann) = Browser::start().await else {
        return;
    };
    let Some(bob) = Browser::start().await else {
        return;
    };
    let store = Store::connect("sqlite::memory:").await.unwrap();
    let options = options_with(Options::default(), store, |a| {
        a.secret("a test secret of thirty-two bytes or more")
    });
    let addr = testkit::serve::<Chat>(options).await;
    join(&ann, addr, "ann").await;
    join(&bob, addr, "bob").await;
    bob.wait_until("document.querySelector('#online').textContent.includes('2')")
        .await;

    say(&ann, "hello bob").await;
    bob.wait_until(&has_line("ann: hello bob")).await;
    // Enter sends, and markup is shown as text.
    bob.type_into(
        "#messages textarea",
        "<script>window.pwned = 1</script>\u{e007}",
    )
    .await;
    ann.wait_until(&has_line("bob: <script>window.pwned = 1</script>"))
        .await;
    ann.wait_until("window.pwned === undefined && !document.querySelector('#messages script')")
        .await;
    bob.wait_for_value("#messages textarea", "").await;

    // A refused message: the error says why; nothing reaches the other side.
    say(&ann, &"x".repeat(1001)).await;
    ann.wait_until("document.body.textContent.includes('at most 1000 characters')")
        .await;
    say(&bob, "still here").await;
    ann.wait_until(&has_line("bob: still here")).await;
    // Bob's page has Ann's last message, not the refused one after it.
    bob.wait_until(&has_line("bob: still here")).await;
    assert_eq!(
        bob.run("return [...document.querySelectorAll('#messages .numerous-chat-text')].some(e => e.textContent.startsWith('xxxx'))")
            .await,
        serde_json::json!(false)
    );
    ann.close().await;
    bob.finish().await;
}

/// The chat's own sign-in page and the chat with a message in it, light and dark, at a laptop's
/// and a phone's width: no serious or critical axe-core violation.
#[tokio::test]
async fn the_chat_passes_the_accessibility_audit() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let store = Store::connect("sqlite::memory:").await.unwrap();
    let options = options_with(Options::default(), store, |a| {
        a.secret("a test secret of thirty-two bytes or more")
    });
    let addr = testkit::serve::<Chat>(options).await;
    browser
        .client
        .goto(&format!("http://{addr}/"))
        .await
        .unwrap();
    browser.wait_until("location.pathname === '/login'").await;
    browser
        .assert_views_accessible("the chat's sign-in page")
        .await;
    join(&browser, addr, "ann").await;
    browser.assert_views_accessible("the empty chat").await;
    say(&browser, "hello").await;
    browser.wait_until(&has_line("ann: hello")).await;
    browser.assert_views_accessible("the chat").await;
    browser.finish().await;
}
