//! How a session shows a widget besides its state: `ctx.disable`/`enable`, `ctx.hide`/`show`,
//! `ctx.field_error`. A widget that takes no input refuses it (frames and uploads alike); an
//! error goes when the user changes the value; a failed handler's rollback leaves the view.

use numerous::WidgetView;
use numerous::prelude::*;
use numerous::testing::TestSession;

#[numerous::app(template = "form.html")]
#[derive(Debug)]
struct Form {
    #[widget(label = "Amount")]
    amount: Number,
    #[widget(label = "Save")]
    save: Button,
    #[widget(label = "Receipt")]
    receipt: FileUpload,
    #[state]
    saved: u32,
}

#[numerous::handlers]
impl Form {
    /// Nothing to save yet, and no receipt for nothing.
    #[on_start]
    fn start(&mut self, ctx: &Session) {
        ctx.disable(self, &self.save);
        ctx.hide(self, &self.receipt);
    }

    #[on_change(amount)]
    fn amount(&mut self, ctx: &Session) -> Result<(), String> {
        if self.amount.value <= 0.0 {
            ctx.field_error(self, &self.amount, "more than 0, please");
            ctx.disable(self, &self.save);
            return Ok(());
        }
        if self.amount.value > 1000.0 {
            // The message stays although the handler fails.
            ctx.field_error(self, &self.amount, "at most 1000");
            return Err("too much".into());
        }
        ctx.clear_field_error(self, &self.amount);
        ctx.enable(self, &self.save);
        ctx.show(self, &self.receipt);
        Ok(())
    }

    #[on_click(save)]
    fn save(&mut self) {
        self.saved += 1;
    }
}

fn codes(frames: &[String]) -> Vec<String> {
    TestSession::<Form>::errors(frames)
        .into_iter()
        .map(|(code, _)| code)
        .collect()
}

#[tokio::test]
async fn disabled_and_hidden_widgets_refuse_input_and_errors_go_with_a_change() {
    let mut tab = TestSession::<Form>::new();
    tab.start().await;
    assert!(tab.view(|f| &f.save).disabled);
    assert!(tab.view(|f| &f.receipt).hidden);

    // Disabled: a click is refused and runs nothing.
    let frames = tab.click(|f| &f.save).await;
    assert_eq!(codes(&frames), ["forbidden"], "{frames:?}");
    assert!(frames[0].contains("widget `save` is disabled: it takes no input now"));
    assert_eq!(tab.app().saved, 0);

    // A bad amount: a message under it, the handler did not fail.
    let frames = tab.set(|f| &f.amount, -5).await;
    assert!(codes(&frames).is_empty(), "{frames:?}");
    assert_eq!(
        tab.view(|f| &f.amount).error.as_deref(),
        Some("more than 0, please")
    );
    assert!(
        frames
            .iter()
            .any(|f| f.contains(r#""type":"view","widget":"amount""#)
                && f.contains(r#""error":"more than 0, please""#)),
        "{frames:?}"
    );

    // A good one: the error goes, Save is enabled and works, the receipt shows.
    let frames = tab.set(|f| &f.amount, 12).await;
    assert_eq!(tab.view(|f| &f.amount), WidgetView::default(), "{frames:?}");
    assert!(!tab.view(|f| &f.save).disabled);
    assert!(!tab.view(|f| &f.receipt).hidden);
    assert!(codes(&tab.click(|f| &f.save).await).is_empty());
    assert_eq!(tab.app().saved, 1);

    // Too much: the handler fails (what it did is rolled back; the value the user typed stays,
    // as the tab shows it) and its message stays too.
    let frames = tab.set(|f| &f.amount, 5000).await;
    assert_eq!(codes(&frames), ["handler-failed"], "{frames:?}");
    assert_eq!(tab.app().amount.value, 5000.0);
    assert_eq!(
        tab.view(|f| &f.amount).error.as_deref(),
        Some("at most 1000")
    );
    // Any change of the value takes it away, before the handler runs; so does one the widget
    // refuses (the tab dropped the message as the user typed).
    tab.set(|f| &f.amount, 13).await;
    assert_eq!(tab.view(|f| &f.amount).error, None);
    tab.set(|f| &f.amount, -1).await;
    assert!(tab.view(|f| &f.amount).error.is_some());
    let frames = tab.set(|f| &f.amount, "not a number").await;
    assert_eq!(codes(&frames), ["invalid-input"], "{frames:?}");
    assert_eq!(tab.view(|f| &f.amount).error, None);
}

/// Over real sockets: the welcome names the widgets not shown as usual, and an upload to a
/// hidden FileUpload is refused over HTTP too (it is an input like any other).
#[tokio::test]
async fn the_welcome_carries_the_view_and_a_hidden_upload_is_refused() {
    use futures_util::StreamExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(numerous::serve::<Form>(
        listener,
        numerous::Options::default(),
    ));
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    let welcome = loop {
        if let Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t))) = ws.next().await {
            break serde_json::from_str::<serde_json::Value>(&t).unwrap();
        }
    };
    assert_eq!(welcome["type"], "welcome");
    assert_eq!(
        welcome["view"],
        serde_json::json!({
            "save": {"hidden": false, "disabled": true, "error": null},
            "receipt": {"hidden": true, "disabled": false, "error": null},
        })
    );
    let session = welcome["session"].as_str().unwrap();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /upload/receipt?name=r.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Numerous-Session: {session}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    assert!(!answer.starts_with("HTTP/1.1 200"), "{answer}");
    // An app without sign-in answers numerous-apps' check too: nobody is signed in.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /api/auth/check HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with(r#"{"authenticated":false}"#), "{answer}");
}
