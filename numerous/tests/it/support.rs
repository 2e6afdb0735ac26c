//! The apps the runtime's tests serve (Phoenix's `test/support`).
//!
//! `Counter` is the counter example's app (examples/counter), kept here so the runtime's tests
//! do not depend on an example; it exercises a tab bar, inputs, a button and a handler that
//! pushes progress while it runs.

use std::sync::Arc;
use std::time::Duration;

use numerous::prelude::*;
use numerous::store::SessionStore;

/// A session store on the test Redis at `url`. Needs numerous's `redis` feature, which the
/// workspace's run turns on (the counter example asks for it); `cargo test -p numerous` alone
/// with a test Redis set up says so instead of compiling the Redis tests away.
pub async fn redis_store(url: &str) -> Arc<dyn SessionStore> {
    #[cfg(feature = "redis")]
    {
        numerous::store::RedisStore::connect(url).await.unwrap()
    }
    #[cfg(not(feature = "redis"))]
    {
        panic!(
            "a test Redis is set ({url}) but numerous was built without its `redis` feature: \
             run `cargo test --workspace`, or add `--features redis`"
        )
    }
}

/// One session's state: every field is a widget placed in `numerous/templates/counter.html`.
#[numerous::app(template = "counter.html")]
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
