//! The custom widget over a real WebSocket and in headless Chromium: its module is served by the
//! app, its messages reach a typed handler, and the handler's message comes back to it.

use example_custom_widget::Feedback;
use numerous::Options;
use serde_json::json;
use testkit::{Browser, Tab};

#[tokio::test]
async fn a_custom_message_round_trip() {
    let addr = testkit::serve::<Feedback>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    assert_eq!(tab.state["reactions"]["choices"][1], "🎉");

    tab.send(json!({"type": "msg", "widget": "reactions", "content": {"emoji": "🎉"}}))
        .await;
    // The handler's message to the widget, then the patch of what changed.
    let msg = tab.recv().await;
    assert_eq!(msg["type"], "msg", "{msg}");
    assert_eq!(msg["widget"], "reactions");
    assert_eq!(msg["content"]["flash"], "🎉");
    let patch = tab.recv().await;
    assert_eq!(patch["state"]["reactions"]["counts"]["🎉"], 1);
    assert_eq!(patch["state"]["total"]["value"], 1.0);

    // A message that does not decode into the handler's type, and one the handler refuses.
    tab.send(json!({"type": "msg", "widget": "reactions", "content": {"emoji": 3}}))
        .await;
    let err = tab.recv_error().await;
    assert_eq!(err["code"], "invalid-input");
    assert!(
        err["message"].as_str().unwrap().contains("invalid message"),
        "{err}"
    );
    tab.send(json!({"type": "msg", "widget": "reactions", "content": {"emoji": "🐍"}}))
        .await;
    let err = tab.recv_error().await;
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("not one of the choices"),
        "{err}"
    );

    // `note` is the only field the browser may write; writing it runs #[on_change] (a toast).
    tab.update("reactions", json!({"counts": {"🎉": 99}})).await;
    assert_eq!(tab.recv_error().await["code"], "invalid-input");
    tab.update("reactions", json!({"note": "nice"})).await;
    let toast = tab.recv().await;
    assert_eq!(toast["type"], "toast", "{toast}");
    assert_eq!(toast["message"], "Noted: nice");

    // A command (anywidget's experimental.invoke) is answered to the tab that asked.
    tab.send(json!({"type": "invoke", "widget": "reactions", "id": 7, "name": "top", "content": {"limit": 1}}))
        .await;
    let reply = tab.recv().await;
    assert_eq!(reply, json!({"type": "reply", "id": 7, "content": ["🎉"]}));
    tab.send(json!({"type": "invoke", "widget": "reactions", "id": 8, "name": "top", "content": {"limit": 0}}))
        .await;
    let err = tab.recv_error().await;
    assert_eq!(err["code"], "handler-failed");
    let reply = tab.recv().await;
    assert_eq!(reply["id"], 8);
    assert!(
        reply["error"]
            .as_str()
            .unwrap()
            .contains("ask for at least one"),
        "{reply}"
    );
    tab.send(
        json!({"type": "invoke", "widget": "reactions", "id": 9, "name": "nope", "content": {}}),
    )
    .await;
    assert_eq!(tab.recv_error().await["code"], "unknown-type");
    let reply = tab.recv().await;
    assert!(
        reply["error"]
            .as_str()
            .unwrap()
            .contains("no command `nope`"),
        "{reply}"
    );
}

/// A command over the HTTP API: the handler's value comes back to the caller as `reply`, with
/// the state; a refusal is an error of the answer, as on the socket.
#[tokio::test]
async fn a_command_over_http_answers_the_caller() {
    let addr = testkit::serve::<Feedback>(Options::default()).await;
    let post = |path: String, body: &'static str| async move {
        let r = testkit::http(
            addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}",
                body.len()
            ),
            body.as_bytes(),
        )
        .await;
        (
            r.status,
            serde_json::from_str::<serde_json::Value>(&r.body).unwrap(),
        )
    };
    let (status, opened) = post("/api/sessions".into(), "").await;
    assert_eq!(status, 201);
    let s = opened["session"].as_str().unwrap().to_owned();
    let (status, _) = post(
        format!("/api/sessions/{s}/widgets/reactions/message"),
        r#"{"emoji": "🎉"}"#,
    )
    .await;
    assert_eq!(status, 200);
    let command = |name: &str| format!("/api/sessions/{s}/widgets/reactions/commands/{name}");
    let (status, a) = post(command("top"), r#"{"limit": 1}"#).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["reply"], json!(["🎉"]), "{a}");
    assert_eq!(a["state"]["reactions"]["counts"]["🎉"], 1);
    // The handler refuses; no such command: errors, and no reply.
    let (status, a) = post(command("top"), r#"{"limit": 0}"#).await;
    assert_eq!(status, 422, "{a}");
    assert_eq!(a["errors"][0]["code"], "handler-failed", "{a}");
    assert!(a.get("reply").is_none(), "{a}");
    let (status, a) = post(command("nope"), "").await;
    assert_eq!(status, 422, "{a}");
    assert_eq!(a["errors"][0]["code"], "unknown-type", "{a}");
}

#[tokio::test]
async fn the_widget_module_runs_in_chromium() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Feedback>(Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    browser
        .wait_until("document.querySelector('.reactions-button')")
        .await;
    browser.click(".reactions-button[data-emoji='❤️']").await;
    // The count comes back in the state; the flash comes back as a custom message.
    browser.wait_until("document.querySelector(\".reactions-button[data-emoji='❤️']\").textContent.endsWith(' 1')").await;
    browser
        .wait_until("document.querySelector('.reactions').dataset.lastFlash === '❤️'")
        .await;
    browser
        .wait_until("document.querySelector('#total .numerous-metric-value').textContent === '1'")
        .await;

    // The badge's module is a default-export function; it re-renders from state changes.
    browser
        .wait_until("document.querySelector('#mood').shadowRoot.querySelector('.badge').textContent === 'quiet'")
        .await;
    // The module rebuilds its buttons on every change: wait for each click's state before
    // the next, or the next click may find a button that is being replaced.
    browser.click(".reactions-button[data-emoji='👍']").await;
    browser.wait_until("document.querySelector(\".reactions-button[data-emoji='👍']\").textContent.endsWith(' 1')").await;
    browser.click(".reactions-button[data-emoji='🎉']").await;
    browser
        .wait_until("document.querySelector('#mood').shadowRoot.querySelector('.badge').dataset.tone === 'hot'")
        .await;

    // anywidget's experimental.invoke: the module gets it, and it reaches #[on_command].
    browser
        .wait_until("document.querySelector('#mood').shadowRoot.querySelector('.numerous-widget-root').dataset.invoke === 'function'")
        .await;
    let top = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; window.numerous.models.get('reactions')._invoke('top', {limit: 2}).then(([answer, buffers]) => done({answer, buffers: buffers.length}), (e) => done({error: String(e)}))",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(top["buffers"], 0, "{top}");
    assert_eq!(top["answer"].as_array().unwrap().len(), 2, "{top}");
    let refused = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; window.numerous.models.get('reactions')._invoke('top', {limit: 0}).then(() => done('answered'), (e) => done(String(e)))",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        refused.as_str().unwrap().contains("ask for at least one"),
        "{refused}"
    );

    // The badge is isolated: its stylesheet styles it, in its shadow root, and not the page.
    browser
        .wait_until("getComputedStyle(document.querySelector('#mood').shadowRoot.querySelector('.badge')).backgroundColor === 'rgb(254, 202, 202)'")
        .await;
    browser
        .wait_until("getComputedStyle(document.querySelector('h1')).fontSize !== '7px' && getComputedStyle(document.querySelector('main')).backgroundColor !== 'rgb(255, 255, 255)'")
        .await;

    // Drawn again, a widget's last render is cleaned up first: its listener is not doubled.
    let listeners = "window.numerous.models.get('mood')._listeners.get('change').size";
    browser.wait_until(&format!("{listeners} === 1")).await;
    browser
        .client
        .execute("return window.numerous.rerender('mood')", vec![])
        .await
        .unwrap();
    browser
        .wait_until("document.querySelector('#mood').shadowRoot.querySelector('.numerous-widget-root').dataset.renders === '2'")
        .await;
    browser.wait_until(&format!("{listeners} === 1")).await;
    browser.finish().await;
}

#[tokio::test]
async fn binary_values_and_buffers_travel_both_ways() {
    let addr = testkit::serve::<Feedback>(Options::default()).await;
    let mut tab = Tab::open(addr, None).await;
    assert_eq!(tab.state["sampler"]["samples"], json!({"$bytes": ""}));
    // Three f32s (12 bytes) as a binary value.
    tab.update(
        "sampler",
        json!({"samples": {"$bytes": "AAAAPwAAwD8AACBA"}}),
    )
    .await;
    let patch = tab.recv().await;
    assert_eq!(patch["state"]["samples"]["value"], 3.0, "{patch}");
    // A message with buffers: the handler sees them and answers with buffers.
    tab.send(json!({"type": "msg", "widget": "sampler", "content": {"name": "chunk"}, "buffers": ["AQID+g==", "AAA="]}))
        .await;
    let msg = tab.recv().await;
    assert_eq!(msg["type"], "msg", "{msg}");
    assert_eq!(msg["content"]["echo"], "chunk");
    assert_eq!(
        msg["buffers"],
        json!(["+gMCAQ=="]),
        "the first buffer, reversed"
    );
    let patch = tab.recv().await;
    assert_eq!(patch["state"]["buffered"]["value"], 6.0, "{patch}");
    // Bad binary data: a clear error, nothing changed.
    tab.update("sampler", json!({"samples": {"$bytes": "not base64!"}}))
        .await;
    let err = tab.recv_error().await;
    assert_eq!(err["code"], "invalid-input", "{err}");
    tab.send(
        json!({"type": "msg", "widget": "sampler", "content": {"name": "x"}, "buffers": ["***"]}),
    )
    .await;
    let err = tab.recv_error().await;
    assert_eq!(err["code"], "bad-frame", "{err}");
    assert!(err["message"].as_str().unwrap().contains("base64"), "{err}");
    // Buffers belong to their message only: a later message without any sees none.
    tab.send(json!({"type": "msg", "widget": "sampler", "content": {"name": "again"}}))
        .await;
    let msg = tab.recv().await;
    assert_eq!(msg["buffers"], json!([""]), "{msg}");
    let patch = tab.recv().await;
    assert_eq!(patch["state"]["buffered"]["value"], 0.0, "{patch}");
}

#[tokio::test]
async fn a_module_moves_binary_data_in_chromium() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Feedback>(Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    browser
        .wait_until("document.getElementById('sampler').dataset.samples === '0 bytes'")
        .await;
    browser.click_button("Send samples").await;
    // The Float32Array reached the server (3 samples), the buffer reached the handler (4 bytes),
    // and the server's buffer came back as a DataView.
    browser
        .wait_until("document.querySelector('#samples .numerous-metric-value').textContent === '3'")
        .await;
    browser
        .wait_until(
            "document.querySelector('#buffered .numerous-metric-value').textContent === '4'",
        )
        .await;
    browser
        .wait_until("document.getElementById('sampler').dataset.echo === 'chunk: 250,3,2,1'")
        .await;
    // A reload: the value comes back from the server as a DataView of 12 bytes.
    browser.client.refresh().await.unwrap();
    testkit::wait_until_live(&browser.client).await;
    browser
        .wait_until("document.getElementById('sampler').dataset.samples === '12 bytes'")
        .await;
    browser
        .wait_until(
            "window.numerous.models.get('sampler').get('samples').getFloat32(4, true) === 1.5",
        )
        .await;
    browser.finish().await;
}

/// The custom widget's page, light and dark, at a laptop's and a phone's width: no serious or
/// critical axe-core violation (its module is this example's, so it is held to numerous's bar).
#[tokio::test]
async fn the_custom_widget_page_passes_the_accessibility_audit() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let addr = testkit::serve::<Feedback>(Options::default()).await;
    browser.open(&format!("http://{addr}/")).await;
    browser
        .wait_until("document.querySelector('.reactions-button')")
        .await;
    browser.assert_accessible("the custom widget").await;
    browser.finish().await;
}
