//! Chat: messages with their author and time, newest at the bottom, and a box to write the
//! next one. Like a [`Feed`](super::Feed), a new message is sent to the tabs alone.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::feed::{write_append, write_tail};
use crate::widget::{EmitsSubmit, Event, InputError, NoInput, Widget};

impl_label!(Chat);

/// The longest message a user may send, in characters.
pub const MAX_CHAT_MESSAGE: usize = 4000;

/// A conversation: messages with their author and time, newest at the bottom, and a box to
/// write the next one (Enter sends it, Shift+Enter starts a new line). The messages of `me`
/// (this session's user) are drawn as the reader's own. Text is shown as text, never as HTML.
///
/// What the user sends reaches `#[on_submit(chat)]` handlers in [`Chat::sent`]; the handler
/// decides what becomes of it: push it here ([`Chat::push`]), publish it on a topic so every
/// session pushes it, or refuse it. Like a feed, the chat keeps its last `cap` messages (500 by
/// default) and a push sends the tabs the new message only.
///
/// ```
/// # use numerous::prelude::*;
/// let mut chat = Chat::default().me("ann").placeholder("Write a message…");
/// chat.push_at("bob", "Hello!", 1_765_000_000);
/// // In `#[on_submit(chat)]`, after the user sent "Hi bob":
/// # chat.receive("Hi bob");
/// if let Some(text) = chat.sent().map(str::to_owned) {
///     chat.push("ann", text);
/// }
/// assert_eq!(chat.messages().map(|m| m.author.as_str()).collect::<Vec<_>>(), ["bob", "ann"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Chat {
    /// Bumped by [`Chat::clear`]: a patch only appends within one generation.
    generation: u64,
    /// The text shown above the conversation.
    pub label: String,
    /// What the message box says while it is empty.
    pub placeholder: String,
    /// The author whose messages are the reader's own (drawn on the other side).
    pub me: String,
    /// What the conversation says while it has no messages ("No messages yet").
    pub empty: String,
    /// Messages kept; older ones are dropped.
    cap: usize,
    /// Messages ever pushed in this generation.
    total: u64,
    /// Kept last, so the rest of the state serializes first.
    messages: VecDeque<ChatMessage>,
    /// Each message's JSON, made once when it is pushed.
    #[serde(skip)]
    json: VecDeque<Box<str>>,
    /// What the user sent, while the `#[on_submit]` handlers run.
    #[serde(skip)]
    sent: Option<String>,
}

/// One message of a [`Chat`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Who wrote it.
    pub author: String,
    /// What they wrote.
    pub text: String,
    /// When, in seconds since 1970 (UTC); the browser shows it in the reader's time zone.
    pub time: i64,
}

impl Default for Chat {
    fn default() -> Self {
        Chat {
            generation: 0,
            label: String::new(),
            placeholder: String::new(),
            me: String::new(),
            empty: String::new(),
            cap: 500,
            total: 0,
            messages: VecDeque::new(),
            json: VecDeque::new(),
            sent: None,
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Chat {
    /// Keeps the last `cap` messages (at least 1).
    pub fn cap(mut self, cap: usize) -> Self {
        self.cap = cap.max(1);
        self.trim();
        self
    }

    /// The author whose messages are the reader's own: set it in `#[on_start]` from the
    /// signed-in user (`self.chat.me = ctx.user().map(..)`).
    pub fn me(mut self, me: impl Into<String>) -> Self {
        self.me = me.into();
        self
    }

    /// What the conversation says while it has no messages.
    pub fn empty(mut self, text: impl Into<String>) -> Self {
        self.empty = text.into();
        self
    }

    /// Adds a message written now (dropping the oldest beyond the cap).
    pub fn push(&mut self, author: impl Into<String>, text: impl Into<String>) {
        self.push_at(author, text, now());
    }

    /// Adds a message written at `time` (seconds since 1970, UTC).
    pub fn push_at(&mut self, author: impl Into<String>, text: impl Into<String>, time: i64) {
        let message = ChatMessage {
            author: author.into(),
            text: text.into(),
            time,
        };
        self.json
            .push_back(serde_json::to_string(&message).unwrap_or_default().into());
        self.messages.push_back(message);
        self.total += 1;
        self.trim();
    }

    fn trim(&mut self) {
        while self.messages.len() > self.cap {
            self.messages.pop_front();
            self.json.pop_front();
        }
    }

    /// Removes every message.
    pub fn clear(&mut self) {
        self.messages.clear();
        self.json.clear();
        self.total = 0;
        self.generation += 1;
    }

    /// The messages, oldest first.
    pub fn messages(&self) -> impl ExactSizeIterator<Item = &ChatMessage> {
        self.messages.iter()
    }

    /// What the user just sent (trimmed, not empty), while the `#[on_submit]` handlers run;
    /// `None` at other times (it is dropped once they have run).
    pub fn sent(&self) -> Option<&str> {
        self.sent.as_deref()
    }

    /// Takes what the user sent, as [`Chat::sent`], leaving `None`.
    pub fn take_sent(&mut self) -> Option<String> {
        self.sent.take()
    }

    /// Receives `text` as if the user had sent it (for tests and examples): what
    /// `#[on_submit]` handlers then read in [`Chat::sent`].
    pub fn receive(&mut self, text: impl Into<String>) {
        self.sent = Some(text.into());
    }

    /// The state up to the value of `total`: what a patch must find unchanged.
    fn head(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"generation\":");
        out.extend_from_slice(self.generation.to_string().as_bytes());
        for (name, value) in [
            ("label", &self.label),
            ("placeholder", &self.placeholder),
            ("me", &self.me),
            ("empty", &self.empty),
        ] {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            let _ = serde_json::to_writer(&mut *out, value);
        }
        out.extend_from_slice(b",\"cap\":");
        out.extend_from_slice(self.cap.to_string().as_bytes());
        out.extend_from_slice(b",\"total\":");
    }
}

impl Widget for Chat {
    const KIND: &'static str = "chat";
    type Input = NoInput;

    fn apply(&mut self, _: NoInput) -> Result<(), InputError> {
        Ok(())
    }

    /// `{"text": ".."}`: the user sent a message.
    fn message(&mut self, content: &RawValue) -> Result<Option<Event>, InputError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Sent {
            text: String,
        }
        let sent: Sent = serde_json::from_str(content.get())
            .map_err(|_| InputError::Invalid("a chat takes only {\"text\": \"..\"}".into()))?;
        let text = sent.text.trim();
        if text.is_empty() {
            return Err(InputError::Rejected("an empty message".into()));
        }
        if text.chars().count() > MAX_CHAT_MESSAGE {
            return Err(InputError::Rejected(format!(
                "a message of at most {MAX_CHAT_MESSAGE} characters"
            )));
        }
        self.sent = Some(text.to_owned());
        Ok(Some(Event::Submit))
    }

    /// What the user sent is theirs to handle while the `#[on_submit]` handlers run, and gone
    /// after.
    fn message_handled(&mut self) {
        self.sent = None;
    }

    fn restore(&mut self, state: &[u8]) -> serde_json::Result<()> {
        *self = serde_json::from_slice(state)?;
        self.json = self
            .messages
            .iter()
            .map(|m| serde_json::to_string(m).unwrap_or_default().into())
            .collect();
        Ok(())
    }

    /// The state, by copying each message's JSON made when it was pushed.
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        if self.json.len() != self.messages.len() {
            return serde_json::to_writer(out, self);
        }
        self.head(out);
        write_tail(out, self.total, "messages", &self.json);
        Ok(())
    }

    /// New messages since `previous`, when only messages were pushed.
    fn write_patch(&self, previous: &[u8], out: &mut Vec<u8>) -> bool {
        if self.json.len() != self.messages.len() {
            return false;
        }
        let head = |out: &mut Vec<u8>| self.head(out);
        write_append(
            out, previous, head, "messages", &self.json, self.cap, self.total,
        )
    }
}
impl EmitsSubmit for Chat {}

impl crate::attrs::Placeholder for Chat {
    fn placeholder(mut self, placeholder: impl Into<String>) -> Self {
        self.placeholder = placeholder.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widget::DynWidget;

    fn state(c: &Chat) -> Vec<u8> {
        let mut out = Vec::new();
        c.write_state(&mut out).unwrap();
        out
    }

    #[test]
    fn a_push_patches_the_new_message_only_and_the_state_is_serdes() {
        let mut c = Chat::default().me("ann").cap(100);
        for i in 0..100 {
            c.push_at("bob", format!("message {i}"), 1_765_000_000 + i);
        }
        assert_eq!(state(&c), serde_json::to_vec(&c).unwrap());
        let before = state(&c);
        c.push_at("ann", "a \"quoted\" reply", 1_765_000_200);
        let mut patch = Vec::new();
        assert!(Widget::write_patch(&c, &before, &mut patch));
        assert_eq!(
            String::from_utf8(patch).unwrap(),
            r#"{"$append":{"messages":[{"author":"ann","text":"a \"quoted\" reply","time":1765000200}]},"$keep":{"messages":100},"total":101}"#
        );
        // Anything else changed: the whole state.
        let before = state(&c);
        c.me = "bob".into();
        c.push_at("bob", "x", 0);
        assert!(!Widget::write_patch(&c, &before, &mut Vec::new()));
    }

    #[test]
    fn what_a_tab_sends_is_checked_and_held_for_the_handler() {
        let mut c = Chat::default();
        let raw = |s: &str| RawValue::from_string(s.to_owned()).unwrap();
        assert_eq!(
            c.message(&raw(r#"{"text": "  hi  "}"#)).unwrap(),
            Some(Event::Submit)
        );
        assert_eq!(c.sent(), Some("hi"));
        assert!(c.message(&raw(r#"{"text": "   "}"#)).is_err());
        assert!(c.message(&raw(r#"{"text": 3}"#)).is_err());
        assert!(
            c.message(&raw(r#"{"text": "a", "author": "eve"}"#))
                .is_err()
        );
        let long = "x".repeat(MAX_CHAT_MESSAGE + 1);
        assert!(
            c.message(&raw(&format!(r#"{{"text": "{long}"}}"#)))
                .is_err()
        );
        assert_eq!(c.take_sent().as_deref(), Some("hi"));
        assert_eq!(c.sent(), None);
        // Not taken by a handler: gone once the handlers have run all the same.
        c.message(&raw(r#"{"text": "again"}"#)).unwrap();
        Widget::message_handled(&mut c);
        assert_eq!(c.sent(), None);
    }

    #[test]
    fn a_restored_chat_writes_the_same_state() {
        let mut c = Chat::default().me("ann");
        c.push_at("ann", "one", 1);
        c.push_at("bob", "two", 2);
        let saved = state(&c);
        let mut back = Chat::default();
        Widget::restore(&mut back, &saved).unwrap();
        assert_eq!(state(&back), saved);
        assert_eq!(back.messages().len(), 2);
    }
}
