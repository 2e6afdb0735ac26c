//! After a handler, only the widgets it can reach are compared: a handler that names fields
//! (`self.a.value = ..`) gets a diff of those; one that calls a method of `self` or hands `self`
//! on gets every widget compared. Either way the tab gets every change.

use numerous::prelude::*;
use numerous::testing::TestSession;
use serde_json::Value;

#[numerous::app(template = "diff.html")]
struct Diff {
    #[widget(label = "a")]
    a: Number,
    #[widget(label = "b")]
    b: Number,
    #[widget(label = "c")]
    c: Number,
    #[widget(label = "direct")]
    direct: Button,
    #[widget(label = "via method")]
    via_method: Button,
    #[widget(label = "via push")]
    via_push: Button,
}

#[numerous::handlers]
impl Diff {
    /// Names the fields it changes.
    #[on_click(direct)]
    fn direct(&mut self) {
        self.a.value += 1.0;
    }

    /// Changes a widget through a method of its own.
    #[on_click(via_method)]
    fn via_method(&mut self) {
        self.bump_b_and_c();
    }

    /// Hands `self` to a function that changes it.
    #[on_click(via_push)]
    fn via_push(&mut self, ctx: &Session) {
        bump(self);
        ctx.push(self);
    }

    fn bump_b_and_c(&mut self) {
        self.b.value += 1.0;
        self.c.value += 1.0;
    }
}

fn bump(app: &mut Diff) {
    app.c.value += 10.0;
}

fn patched(frames: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = frames
        .iter()
        .filter_map(|f| serde_json::from_str::<Value>(f).ok())
        .filter(|f| f["type"] == "patch")
        .flat_map(|f| {
            f["state"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        })
        .collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn every_change_reaches_the_tab_whichever_way_it_was_made() {
    let mut tab = TestSession::<Diff>::new();
    assert_eq!(patched(&tab.click(|d| &d.direct).await), ["a"]);
    assert_eq!(patched(&tab.click(|d| &d.via_method).await), ["b", "c"]);
    assert_eq!(patched(&tab.click(|d| &d.via_push).await), ["c"]);
    assert_eq!(tab.app().c.value, 11.0);
    // Nothing left unsent: a full comparison finds no difference.
    assert_eq!(tab.push(), 0);
}
