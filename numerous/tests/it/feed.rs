//! A list that grows: a new item is sent alone, whatever the length of the list.

use numerous::prelude::*;
use numerous::testing::TestSession;
use serde_json::Value;

#[numerous::app(template = "feed.html")]
#[derive(Debug)]
struct Chat {
    #[widget(init = Feed::default().cap(1000).markdown(true))]
    log: Feed,
    say: Button,
    clear: Button,
    #[state]
    said: u32,
}

#[numerous::handlers]
impl Chat {
    #[on_click(say)]
    fn say(&mut self) {
        self.said += 1;
        self.log
            .push(format!("**ann**: message number {} of the chat", self.said));
    }

    #[on_click(clear)]
    fn clear(&mut self) {
        self.log.clear();
    }
}

const SAY: &str = r#"{"type":"msg","widget":"say","content":{"event":"click"}}"#;

#[tokio::test]
async fn one_new_line_in_a_list_of_a_thousand_is_sent_alone() {
    let mut tab = TestSession::<Chat>::new();
    for _ in 0..1000 {
        tab.send(SAY).await;
    }
    let frames = tab.send(SAY).await;
    assert_eq!(frames.len(), 1);
    let patch = &frames[0];
    // The figure in BENCHMARKS.md.
    println!(
        "patch for one new line in a list of 1,000: {} bytes",
        patch.len()
    );
    assert!(patch.len() < 300, "{} bytes: {patch}", patch.len());
    let v: Value = serde_json::from_str(patch).unwrap();
    let items = &v["state"]["log"]["$append"]["items"];
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(items[0]["text"], "**ann**: message number 1001 of the chat");
    assert_eq!(
        items[0]["html"],
        "<p><strong>ann</strong>: message number 1001 of the chat</p>\n"
    );
    assert_eq!(v["state"]["log"]["$keep"]["items"], 1000);
    // The whole list is what a new tab gets.
    assert_eq!(tab.app().log.len(), 1000);
}

#[tokio::test]
async fn clearing_sends_the_whole_state() {
    let mut tab = TestSession::<Chat>::new();
    tab.send(SAY).await;
    let frames = tab
        .send(r#"{"type":"msg","widget":"clear","content":{"event":"click"}}"#)
        .await;
    let v: Value = serde_json::from_str(&frames[0]).unwrap();
    assert_eq!(v["state"]["log"]["items"], serde_json::json!([]));
    let frames = tab.send(SAY).await;
    let v: Value = serde_json::from_str(&frames[0]).unwrap();
    assert_eq!(
        v["state"]["log"]["$append"]["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
