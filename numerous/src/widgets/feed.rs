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
    /// The text shown above the list.
    pub label: String,
    /// Newest item first (at the top) instead of last.
    pub newest_first: bool,
    /// Render items as Markdown.
    pub markdown: bool,
    /// What the list says while it has no items ("No messages yet"); nothing when empty.
    pub empty: String,
    /// Items kept; older ones are dropped.
    cap: usize,
    /// Items ever pushed in this generation (last but one: see `write_patch`).
    total: u64,
    /// Kept last, so the rest of the state serializes first.
    items: VecDeque<FeedItem>,
    /// Each item's JSON, made once when it is pushed: the state is then written by copying,
    /// not by serializing every item again for each diff.
    #[serde(skip)]
    json: VecDeque<Box<str>>,
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
            empty: String::new(),
            cap: 500,
            items: VecDeque::new(),
            json: VecDeque::new(),
        }
    }
}

impl Feed {
    /// Keeps the last `cap` items (at least 1).
    pub fn cap(mut self, cap: usize) -> Self {
        self.cap = cap.max(1);
        self.trim();
        self
    }

    /// Shows items as Markdown.
    pub fn markdown(mut self, markdown: bool) -> Self {
        self.markdown = markdown;
        self
    }

    /// What the list says while it has no items: an empty chat is not a blank box.
    pub fn empty(mut self, text: impl Into<String>) -> Self {
        self.empty = text.into();
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
        let item = FeedItem { text, html };
        self.json.push_back(item_json(&item));
        self.items.push_back(item);
        self.total += 1;
        self.trim();
    }

    fn trim(&mut self) {
        while self.items.len() > self.cap {
            self.items.pop_front();
            self.json.pop_front();
        }
    }

    /// Removes every item.
    pub fn clear(&mut self) {
        self.items.clear();
        self.json.clear();
        self.total = 0;
        self.generation += 1;
    }

    /// The state up to the value of `total`: what a patch must find unchanged.
    fn head(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"generation\":");
        out.extend_from_slice(self.generation.to_string().as_bytes());
        out.extend_from_slice(b",\"label\":");
        let _ = serde_json::to_writer(&mut *out, &self.label);
        out.extend_from_slice(b",\"newest_first\":");
        out.extend_from_slice(if self.newest_first { b"true" } else { b"false" });
        out.extend_from_slice(b",\"markdown\":");
        out.extend_from_slice(if self.markdown { b"true" } else { b"false" });
        out.extend_from_slice(b",\"empty\":");
        let _ = serde_json::to_writer(&mut *out, &self.empty);
        out.extend_from_slice(b",\"cap\":");
        out.extend_from_slice(self.cap.to_string().as_bytes());
        out.extend_from_slice(b",\"total\":");
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

fn item_json(item: &FeedItem) -> Box<str> {
    serde_json::to_string(item).unwrap_or_default().into()
}

impl Widget for Feed {
    const KIND: &'static str = "feed";
    type Input = NoInput;

    fn apply(&mut self, _: NoInput) -> Result<(), InputError> {
        Ok(())
    }

    fn restore(&mut self, state: &[u8]) -> serde_json::Result<()> {
        *self = serde_json::from_slice(state)?;
        self.json = self.items.iter().map(item_json).collect();
        Ok(())
    }

    /// The state, by copying each item's JSON made when it was pushed.
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        if self.json.len() != self.items.len() {
            return serde_json::to_writer(out, self);
        }
        self.head(out);
        write_tail(out, self.total, "items", &self.json);
        Ok(())
    }

    /// New items since `previous`, when only items were pushed: `previous` starts with the
    /// same head, and its `total` is smaller (no parsing of the items).
    fn write_patch(&self, previous: &[u8], out: &mut Vec<u8>) -> bool {
        if self.json.len() != self.items.len() {
            return false;
        }
        write_append(
            out,
            previous,
            |out| self.head(out),
            "items",
            &self.json,
            self.cap,
            self.total,
        )
    }
}

/// `<total>,"<field>":[<items>]}`: the end of the state of a widget whose `head` ends with
/// `"total":`, its items' JSON copied as made when each was pushed.
pub(super) fn write_tail(out: &mut Vec<u8>, total: u64, field: &str, json: &VecDeque<Box<str>>) {
    out.extend_from_slice(total.to_string().as_bytes());
    out.extend_from_slice(b",\"");
    out.extend_from_slice(field.as_bytes());
    out.extend_from_slice(b"\":[");
    for (i, item) in json.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item.as_bytes());
    }
    out.extend_from_slice(b"]}");
}

/// The patch of a log that only grew since `previous` (whose state starts with what `head`
/// writes, then its `total`): the new items as `$append`, the cap as `$keep`, the new total.
/// `false` (nothing written) when anything else changed.
pub(super) fn write_append(
    out: &mut Vec<u8>,
    previous: &[u8],
    head: impl FnOnce(&mut Vec<u8>),
    field: &str,
    json: &VecDeque<Box<str>>,
    cap: usize,
    total: u64,
) -> bool {
    let start = out.len();
    head(out);
    let prev_total = crate::widget::count_after_head(previous, &out[start..]);
    out.truncate(start);
    let Some(prev_total) = prev_total else {
        return false;
    };
    let added = total.saturating_sub(prev_total) as usize;
    if added == 0 || added > json.len() {
        return false;
    }
    out.extend_from_slice(b"{\"$append\":{\"");
    out.extend_from_slice(field.as_bytes());
    out.extend_from_slice(b"\":[");
    for (i, item) in json.range(json.len() - added..).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item.as_bytes());
    }
    out.extend_from_slice(b"]},\"$keep\":{\"");
    out.extend_from_slice(field.as_bytes());
    out.extend_from_slice(b"\":");
    out.extend_from_slice(cap.to_string().as_bytes());
    out.extend_from_slice(b"},\"total\":");
    out.extend_from_slice(total.to_string().as_bytes());
    out.push(b'}');
    true
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
        // the fast state is exactly serde's
        assert_eq!(state(&f), serde_json::to_vec(&f).unwrap());
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
        let v: serde_json::Value = serde_json::from_slice(&state(&f)).unwrap();
        assert_eq!(v["items"][0]["html"], "&lt;script&gt;x&lt;/script&gt;");
        let mut back = Feed::default();
        DynWidget::restore(&mut back, &state(&f)).unwrap();
        assert_eq!(back, f);
    }
}
