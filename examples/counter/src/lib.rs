//! The counter app, as a library so its tests can serve it.
//!
//! Run with: `cargo run -p example-counter` and open <http://127.0.0.1:8000>.

use std::time::Duration;

use numerous::prelude::*;

/// One session's state: every field is a widget placed in `templates/index.html`.
#[numerous::app(template = "index.html")]
#[derive(Debug)]
pub struct Counter {
    #[widget(tabs = ["Basic", "About"])]
    tabs: Tabs,
    /// How far the counter has got: the step chosen below, added at each click.
    #[widget(label = "Counter:")]
    counter: Number,
    #[widget(label = "Counter 2:")]
    counter2: Number,
    #[widget(label = "Increment Counter")]
    increment: Button,
    #[widget(label = "Select Value", options = ["1", "2", "3"])]
    selection: DropDown,
    #[widget(label = "Progress", min = 0, max = 100)]
    progress: Slider,
    #[widget(content = "Built with **numerous**: every tab has its own session.")]
    about: Markdown,
}

#[numerous::handlers]
impl Counter {
    /// Adds the selected step to the counter; the second counter counts clicks.
    #[on_click(increment)]
    fn increment(&mut self) {
        let step: f64 = self.selection.value.parse().unwrap_or(1.0);
        self.counter.value += step;
        self.counter2.value += 1.0;
    }

    /// Shows progress while "working" on the new selection.
    #[on_change(selection)]
    async fn selected(&mut self, ctx: &Session) {
        for step in 1..=4 {
            tokio::time::sleep(Duration::from_millis(25)).await;
            self.progress.value = f64::from(step * 25);
            ctx.push(self);
        }
    }
}
