//! Feed: a list that grows one item at a time (a chat, a log, notices). A patch for new items
//! carries those items only, not the whole list.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::widget::{InputError, NoInput, Widget};

impl_label!(Feed);

/// A list that grows one item at a time, shown newest at the bottom (or at the top), keeping the
/// last `cap` items (500 by default). Items are plain text, or Markdown rendered on the server
/// (raw HTML shown as text) with `markdown = true`.
///
/// Its items change only through [`Feed::push`] and [`Feed::clear`], so the runtime knows what
/// changed: a push sends the new items only (`$append`, see `docs/protocol.md`), whatever the
/// length of the list.
///
/// ```
/// # use numerous::prelude::*;
/// let mut chat = Feed::default().cap(100);
/// chat.push("**ann**: hello");
/// assert_eq!(chat.items().collect::<Vec<_>>(), ["**ann**: hello"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Feed {
    /// Bumped by [`Feed::clear`]: a patch only appends within one generation.
    generation: u64,
    /// Items ever pushed in this generation.
    total: u64,
    /// The text shown above the list.
    pub label: String,
    /// Newest item first (at the top) instead of last.
    pub newest_first: bool,
    /// Render items as Markdown.
    pub markdown: bool,
    /// Items kept; older ones are dropped.
    cap: usize,
    /// Kept last, so the rest of the state serializes first.
    items: VecDeque<FeedItem>,
}

/// One item as the browser gets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FeedItem {
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    html: Option<String>,
}

impl Default for Feed {
    fn default() -> Self {
        Feed {
            generation: 0,
            total: 0,
            label: String::new(),
            newest_first: false,
            markdown: false,
            cap: 500,
            items: VecDeque::new(),
        }
    }
}

impl Feed {
    /// Keeps the last `cap` items (at least 1).
    pub fn cap(mut self, cap: usize) -> Self {
        self.cap = cap.max(1);
        while self.items.len() > self.cap {
            self.items.pop_front();
        }
        self
    }

    /// Shows items as Markdown.
    pub fn markdown(mut self, markdown: bool) -> Self {
        self.markdown = markdown;
        self
    }

    /// Shows the newest item first.
    pub fn newest_first(mut self, newest_first: bool) -> Self {
        self.newest_first = newest_first;
        self
    }

    /// Adds an item (dropping the oldest beyond the cap).
    pub fn push(&mut self, text: impl Into<String>) {
        let text = text.into();
        let html = self.markdown.then(|| crate::markdown::to_html(&text));
        self.items.push_back(FeedItem { text, html });
        self.total += 1;
        while self.items.len() > self.cap {
            self.items.pop_front();
        }
    }

    /// Removes every item.
    pub fn clear(&mut self) {
        self.items.clear();
        self.total = 0;
        self.generation += 1;
    }

    /// The items, oldest first.
    pub fn items(&self) -> impl ExactSizeIterator<Item = &str> {
        self.items.iter().map(|i| i.text.as_str())
    }

    /// How many items are kept.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl Widget for Feed {
    const KIND: &'static str = "feed";
    type Input = NoInput;

    fn apply(&mut self, _: NoInput) -> Result<(), InputError> {
        Ok(())
    }

    /// New items since `previous`, when only items were pushed.
    fn write_patch(&self, previous: &[u8], out: &mut Vec<u8>) -> bool {
        /// Everything but the items (which serde skips over without keeping them).
        #[derive(Deserialize)]
        struct Head {
            generation: u64,
            total: u64,
            label: String,
            newest_first: bool,
            markdown: bool,
            cap: usize,
        }
        let Ok(prev) = serde_json::from_slice::<Head>(previous) else {
            return false;
        };
        let same = prev.generation == self.generation
            && prev.label == self.label
            && prev.newest_first == self.newest_first
            && prev.markdown == self.markdown
            && prev.cap == self.cap;
        let added = self.total.saturating_sub(prev.total) as usize;
        if !same || added == 0 || added > self.items.len() {
            return false;
        }
        let new = self.items.range(self.items.len() - added..);
        out.extend_from_slice(br#"{"$append":{"items":"#);
        if serde_json::to_writer(&mut *out, &new.collect::<Vec<_>>()).is_err() {
            return false;
        }
        out.extend_from_slice(br#"},"$keep":{"items":"#);
        out.extend_from_slice(self.cap.to_string().as_bytes());
        out.extend_from_slice(br#"},"total":"#);
        out.extend_from_slice(self.total.to_string().as_bytes());
        out.push(b'}');
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widget::DynWidget;

    fn state(f: &Feed) -> Vec<u8> {
        let mut out = Vec::new();
        f.write_state(&mut out).unwrap();
        out
    }

    #[test]
    fn a_push_patches_the_new_item_only() {
        let mut f = Feed::default().cap(1000);
        for i in 0..1000 {
            f.push(format!("line {i} of the chat, with some words in it"));
        }
        let before = state(&f);
        f.push("a new line");
        let mut patch = Vec::new();
        assert!(Widget::write_patch(&f, &before, &mut patch));
        let patch = String::from_utf8(patch).unwrap();
        assert_eq!(
            patch,
            r#"{"$append":{"items":[{"text":"a new line"}]},"$keep":{"items":1000},"total":1001}"#
        );
        assert!(state(&f).len() > 40_000);
    }

    #[test]
    fn other_changes_send_the_whole_state() {
        let mut f = Feed::default();
        f.push("a");
        let before = state(&f);
        f.clear();
        f.push("b");
        assert!(!Widget::write_patch(&f, &before, &mut Vec::new()));
        let before = state(&f);
        f.label = "Chat".into();
        assert!(!Widget::write_patch(&f, &before, &mut Vec::new()));
        let before = state(&f);
        assert!(
            !Widget::write_patch(&f, &before, &mut Vec::new()),
            "nothing changed"
        );
    }

    #[test]
    fn the_cap_drops_the_oldest_and_markdown_is_safe() {
        let mut f = Feed::default().cap(2).markdown(true);
        f.push("<script>x</script> **a**");
        f.push("b");
        f.push("c");
        assert_eq!(f.items().collect::<Vec<_>>(), ["b", "c"]);
        let mut f = Feed::default().markdown(true);
        f.push("<script>x</script>");
        let s = String::from_utf8(state(&f)).unwrap();
        assert!(!s.contains("<script>"), "{s}");
        let mut back = Feed::default();
        DynWidget::restore(&mut back, &state(&f)).unwrap();
        assert_eq!(back, f);
    }
}
