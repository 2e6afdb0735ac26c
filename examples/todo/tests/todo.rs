//! The to-do list's plain state: kept per session, across reloads, rolled back on an error.

use example_todo::Todo;
use numerous::Options;
use numerous::testing::TestSession;
use serde_json::json;
use testkit::{Tab, http, serve};

fn update(widget: &str, value: &str) -> String {
    json!({"type": "update", "widget": widget, "state": {"value": value}}).to_string()
}

fn click(widget: &str) -> String {
    json!({"type": "msg", "widget": widget, "content": {"event": "click"}}).to_string()
}

#[tokio::test]
async fn items_live_in_a_vec_and_roll_back_with_a_failed_handler() {
    let mut tab = TestSession::<Todo>::new();
    tab.send(&update("new_item", "milk")).await;
    tab.send(&click("add")).await;
    assert_eq!(tab.app().items(), ["milk"]);

    // An empty item: the handler pushes it, then fails; the push is undone.
    let frames = tab.send(&click("add")).await;
    assert!(
        frames.iter().any(|f| f.contains("handler-failed")),
        "{frames:?}"
    );
    assert_eq!(tab.app().items(), ["milk"]);

    tab.send(&update("new_item", "eggs")).await;
    let frames = tab.send(&click("add")).await;
    assert_eq!(tab.app().items(), ["milk", "eggs"]);
    // The state itself never goes to the browser; the list widget shows it.
    assert!(
        frames.iter().all(|f| !f.contains("\"items\"")),
        "{frames:?}"
    );
    assert!(frames.iter().any(|f| f.contains("1. eggs")), "{frames:?}");
}

#[tokio::test]
async fn items_survive_a_reload() {
    let addr = serve::<Todo>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    tab.update("new_item", json!({"value": "milk"})).await;
    tab.click("add").await;
    loop {
        if tab.recv().await["state"]["list"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("milk"))
        {
            break;
        }
    }
    let session = tab.session.clone();
    tab.close().await;

    // The reloaded tab adds to the same Vec.
    let mut tab = Tab::open(addr, Some(&session)).await;
    assert!(tab.resumed);
    tab.update("new_item", json!({"value": "eggs"})).await;
    tab.click("add").await;
    loop {
        let frame = tab.recv().await;
        if let Some(list) = frame["state"]["list"]["content"].as_str() {
            assert_eq!(list, "1. milk\n1. eggs\n");
            break;
        }
    }
}

#[tokio::test]
async fn the_template_shows_state_rendered_at_page_load() {
    let addr = serve::<Todo>(Options::default()).await;
    let page = http(addr, "GET / HTTP/1.1\r\nHost: 127.0.0.1", b"").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<h1>My to-do list</h1>"),
        "{}",
        page.body
    );
    // and not in the widgets' state sent to the browser
    assert!(!page.body.contains("\"items\""));
}

#[tokio::test]
async fn enter_in_the_box_adds_too() {
    let mut tab = TestSession::<Todo>::new();
    tab.send(&update("new_item", "bread")).await;
    tab.send(r#"{"type":"msg","widget":"new_item","content":{"event":"submit"}}"#)
        .await;
    assert_eq!(tab.app().items(), ["bread"]);
    let frames = tab
        .send(r#"{"type":"msg","widget":"new_item","content":{"event":"submit","x":1}}"#)
        .await;
    assert!(
        frames.iter().any(|f| f.contains("invalid-input")),
        "{frames:?}"
    );
}

/// Clear is hidden while the list is empty (`ctx.hide` in `#[on_start]` and after each change):
/// the welcome says so, every tab hears when it shows, and a tab that clicks it while it is
/// hidden gets `forbidden` and changes nothing. A failed handler's rollback leaves it as it is.
#[tokio::test]
async fn clear_is_hidden_while_there_is_nothing_to_clear_and_refuses_clicks_then() {
    let addr = serve::<Todo>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    assert_eq!(tab.view["clear"]["hidden"], true, "{}", tab.view);
    let mut other = Tab::open(addr, Some(&tab.session)).await;
    assert_eq!(other.view["clear"]["hidden"], true);

    tab.click("clear").await;
    let refused = tab.recv_error().await;
    assert_eq!(refused["code"], "forbidden", "{refused}");
    assert_eq!(
        refused["message"],
        "widget `clear` is hidden: it takes no input now"
    );

    tab.update("new_item", json!({"value": "milk"})).await;
    tab.click("add").await;
    for t in [&mut tab, &mut other] {
        let view = loop {
            let f = t.recv().await;
            if f["type"] == "view" {
                break f;
            }
        };
        assert_eq!(
            view,
            json!({"type": "view", "widget": "clear", "hidden": false, "disabled": false, "error": null})
        );
    }
    // An empty item fails (and is rolled back): Clear stays shown.
    tab.click("add").await;
    assert_eq!(tab.recv_error().await["code"], "handler-failed");
    tab.click("clear").await;
    let view = loop {
        let f = tab.recv().await;
        if f["type"] == "view" {
            break f;
        }
    };
    assert_eq!(view["hidden"], true);
    // A reload is welcomed with it hidden.
    let again = Tab::open(addr, Some(&tab.session)).await;
    assert_eq!(again.view["clear"]["hidden"], true);
}
