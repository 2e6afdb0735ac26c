//! A to-do list: its items are a plain `Vec` kept per session beside the widgets.
//!
//! Run with: `cargo run -p example-todo` and open <http://127.0.0.1:8000>.

use numerous::prelude::*;

/// One session: two widgets to add and clear, one to show the list, and the list itself.
#[numerous::app(template = "index.html")]
#[derive(Debug)]
pub struct Todo {
    #[widget(placeholder = "What needs doing?")]
    new_item: TextInput,
    #[widget(label = "Add")]
    add: Button,
    #[widget(label = "Clear", variant = "secondary")]
    clear: Button,
    #[widget(content = "Nothing to do.")]
    list: Markdown,
    /// Kept per session, never sent to the browser, rolled back with the widgets on an error.
    #[state]
    items: Vec<String>,
    /// Shown by the template at page load.
    #[state(init = "My to-do list".to_owned())]
    title: String,
}

#[numerous::handlers]
impl Todo {
    /// The Add button, or Enter in the box.
    #[on_click(add)]
    #[on_submit(new_item)]
    fn add(&mut self, ctx: &Session) -> Result<(), String> {
        let item = self.new_item.value.trim().to_owned();
        self.items.push(item.clone());
        if item.is_empty() {
            return Err("type something to add first".into()); // `items` is rolled back
        }
        self.new_item.value.clear();
        self.show(ctx);
        Ok(())
    }

    #[on_click(clear)]
    fn clear(&mut self, ctx: &Session) {
        self.items.clear();
        self.show(ctx);
    }

    /// Clear is there only when there is something to clear.
    #[on_start]
    fn start(&mut self, ctx: &Session) {
        self.show(ctx);
    }

    fn show(&mut self, ctx: &Session) {
        if self.items.is_empty() {
            ctx.hide(self, &self.clear);
        } else {
            ctx.show(self, &self.clear);
        }
        self.list.content = if self.items.is_empty() {
            "Nothing to do.".into()
        } else {
            self.items.iter().map(|i| format!("1. {i}\n")).collect()
        };
    }

    /// The items, for tests.
    pub fn items(&self) -> &[String] {
        &self.items
    }
}

/// Tests beside the app reach its fields: typed, by widget, no JSON to write.
#[cfg(test)]
mod tests {
    use numerous::testing::TestSession;

    use super::Todo;

    #[tokio::test]
    async fn add_by_click_and_by_enter_and_refuse_empty() {
        let mut tab = TestSession::<Todo>::new();
        tab.set(|t| &t.new_item, "milk").await;
        tab.click(|t| &t.add).await;
        tab.set(|t| &t.new_item, "eggs").await;
        tab.submit(|t| &t.new_item).await;
        assert_eq!(tab.app().items, ["milk", "eggs"]);
        assert_eq!(tab.app().list.content, "1. milk\n1. eggs\n");
        assert_eq!(tab.app().new_item.value, "");

        let frames = tab.click(|t| &t.add).await;
        let errors = TestSession::<Todo>::errors(&frames);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, "handler-failed");
        assert!(errors[0].1.contains("type something"), "{errors:?}");
        assert_eq!(tab.app().items.len(), 2);
    }
}
