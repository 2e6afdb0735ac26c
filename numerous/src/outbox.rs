//! What the session has for one tab and the tab's socket has not taken yet.
//!
//! The session never waits for a tab: it puts frames here and goes on. The tab's writer takes
//! them out as fast as the socket accepts them. When the writer falls behind, patches are merged
//! (a later state of a widget supersedes an earlier one: the state is what matters, not each
//! step), so a tab that reads its socket gets every change however bursty the app is. Frames that
//! cannot be merged (errors, toasts, custom messages) count against a byte budget; a tab over it
//! is closed with [`CloseCode::TooSlow`] and reconnects to the current state.
//!
//! The lock here is per tab and held only to move a frame in or out: no other tab or session
//! ever touches it.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use serde_json::value::RawValue;
use tokio::sync::Notify;

use crate::protocol::CloseCode;

/// Queued frames beyond this many make new patches merge into the last queued patch.
const MERGE_AFTER_FRAMES: usize = 4;
/// Queued bytes beyond this make new patches merge into the last queued patch.
const MERGE_AFTER_BYTES: usize = 64 * 1024;

/// One tab's outgoing queue.
#[derive(Debug)]
pub(crate) struct Outbox {
    state: Mutex<State>,
    /// The writer waits here for frames.
    ready: Notify,
    /// Readers wait here for the queue to drain below the high-water mark.
    drained: Notify,
    /// The most bytes queued before the tab is closed as too slow.
    limit: usize,
}

#[derive(Debug, Default)]
struct State {
    queue: VecDeque<Out>,
    bytes: usize,
    close: Closing,
}

/// Whether the tab is being closed.
#[derive(Debug, Default)]
enum Closing {
    #[default]
    Open,
    /// The writer sends this close frame after what is queued, then stops.
    After(CloseFrame),
    /// The close frame was handed to the writer.
    Done,
}

/// A queued frame.
#[derive(Debug)]
enum Out {
    /// Sent as is, never merged.
    Frame(Message),
    /// A `patch` frame as the session encoded it.
    Patch(Utf8Bytes),
    /// Several patches merged: per widget key, its latest state, in first-changed order.
    Merged(Vec<(Box<str>, Box<RawValue>)>),
}

impl Out {
    fn len(&self) -> usize {
        match self {
            Out::Frame(Message::Text(t)) | Out::Patch(t) => t.len(),
            Out::Frame(Message::Binary(b)) => b.len(),
            Out::Frame(_) => 16,
            Out::Merged(parts) => parts.iter().map(|(k, v)| k.len() + v.get().len() + 4).sum(),
        }
    }
}

/// What [`Outbox::try_next`] found.
#[derive(Debug)]
pub(crate) enum Next {
    /// A frame to write.
    Frame(Message),
    /// Nothing yet.
    Empty,
    /// The tab is closed: nothing more will come.
    Done,
}

/// Why a frame was not queued.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The tab is closing or closed.
    Closed,
}

impl Outbox {
    /// An empty outbox that holds at most `limit` bytes of frames.
    pub(crate) fn new(limit: usize) -> Self {
        Outbox {
            state: Mutex::new(State::default()),
            ready: Notify::new(),
            drained: Notify::new(),
            limit: limit.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while the lock is held; if something did, the queue is still whole.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a frame that is never merged (welcome, error, toast, custom message).
    pub(crate) fn push(&self, frame: Message) -> Result<(), Refused> {
        self.push_out(Out::Frame(frame))
    }

    /// Queues a `patch` frame, merging it into the last queued patch if the writer is behind.
    pub(crate) fn push_patch(&self, frame: Utf8Bytes) -> Result<(), Refused> {
        {
            let mut s = self.lock();
            if !matches!(s.close, Closing::Open) {
                return Err(Refused::Closed);
            }
            let behind = s.queue.len() >= MERGE_AFTER_FRAMES || s.bytes >= MERGE_AFTER_BYTES;
            if behind && let Some(last) = s.queue.back_mut() {
                let before = last.len();
                if merge(last, &frame) {
                    let after = last.len();
                    s.bytes = s.bytes - before + after;
                    return self.check_limit(s);
                }
            }
        }
        self.push_out(Out::Patch(frame))
    }

    fn push_out(&self, out: Out) -> Result<(), Refused> {
        let mut s = self.lock();
        if !matches!(s.close, Closing::Open) {
            return Err(Refused::Closed);
        }
        s.bytes += out.len();
        // Most tabs never have more than one frame waiting: room for one, not the four a
        // first push would make (an idle tab keeps what its queue once grew to).
        if s.queue.capacity() == 0 {
            s.queue.reserve_exact(1);
        }
        s.queue.push_back(out);
        self.check_limit(s)
    }

    fn check_limit(&self, mut s: MutexGuard<'_, State>) -> Result<(), Refused> {
        if s.bytes > self.limit {
            tracing::warn!(
                queued = s.bytes,
                limit = self.limit,
                "a tab fell too far behind its session; closing it so it reconnects to the current state"
            );
            s.queue.clear();
            s.bytes = 0;
            s.close = Closing::After(CloseFrame {
                code: CloseCode::TooSlow.code(),
                reason: "too slow to follow; reconnect for the current state".into(),
            });
            drop(s);
            self.ready.notify_one();
            self.drained.notify_waiters();
            return Err(Refused::Closed);
        }
        drop(s);
        self.ready.notify_one();
        Ok(())
    }

    /// Closes the tab after what is queued, with `code` and `reason`. The first close wins.
    pub(crate) fn close(&self, code: CloseCode, reason: &'static str) {
        let mut s = self.lock();
        if matches!(s.close, Closing::Open) {
            s.close = Closing::After(CloseFrame {
                code: code.code(),
                reason: reason.into(),
            });
        }
        drop(s);
        self.ready.notify_one();
        self.drained.notify_waiters();
    }

    /// Closes the tab at once, dropping what is queued.
    pub(crate) fn close_now(&self, code: CloseCode, reason: &'static str) {
        let mut s = self.lock();
        s.queue.clear();
        s.bytes = 0;
        drop(s);
        self.close(code, reason);
    }

    /// Whether the tab is closing.
    pub(crate) fn is_closed(&self) -> bool {
        !matches!(self.lock().close, Closing::Open)
    }

    /// The next frame to write, waiting for one; after the last, the close frame (as
    /// `Message::Close`), then `None`.
    pub(crate) async fn next(&self) -> Option<Message> {
        loop {
            // Fast path: a frame is waiting (no waker to register).
            match self.try_next() {
                Next::Frame(m) => return Some(m),
                Next::Done => return None,
                Next::Empty => {}
            }
            let notified = self.ready.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match self.try_next() {
                Next::Frame(m) => return Some(m),
                Next::Done => return None,
                Next::Empty => notified.await,
            }
        }
    }

    /// The next frame to write, if one is queued.
    pub(crate) fn try_next(&self) -> Next {
        let mut s = self.lock();
        if let Some(out) = s.queue.pop_front() {
            let was_high = s.bytes > self.high_water();
            s.bytes -= out.len();
            let now_low = s.bytes <= self.high_water();
            drop(s);
            if was_high && now_low {
                self.drained.notify_waiters();
            }
            return Next::Frame(encode(out));
        }
        match std::mem::replace(&mut s.close, Closing::Done) {
            Closing::After(close) => Next::Frame(Message::Close(Some(close))),
            Closing::Done => Next::Done,
            Closing::Open => {
                s.close = Closing::Open;
                Next::Empty
            }
        }
    }

    fn high_water(&self) -> usize {
        self.limit / 2
    }

    /// Waits until the queue is below half its limit (or the tab is closing): a tab's reader
    /// calls this before taking another frame from the socket, so a client that sends faster
    /// than it reads is slowed down instead of growing the server's memory.
    pub(crate) async fn wait_drained(&self) {
        if self.lock().bytes <= self.high_water() {
            return;
        }
        loop {
            let notified = self.drained.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let s = self.lock();
                if s.bytes <= self.high_water() || !matches!(s.close, Closing::Open) {
                    return;
                }
            }
            notified.await;
        }
    }
}

/// Merges patch `frame` into `last` if `last` is a patch. Returns whether it did.
fn merge(last: &mut Out, frame: &str) -> bool {
    let parts = match last {
        Out::Frame(_) => return false,
        Out::Merged(parts) => parts,
        Out::Patch(text) => {
            let Some(parts) = parse_patch(text) else {
                return false;
            };
            *last = Out::Merged(parts);
            let Out::Merged(parts) = last else {
                unreachable!()
            };
            parts
        }
    };
    let Some(new) = parse_patch(frame) else {
        return false;
    };
    // A widget patch that appends (`$append`) cannot be replaced by a later one: keep both.
    let delta = |v: &RawValue| v.get().starts_with(r#"{"$append""#);
    if new.iter().any(|(k, v)| {
        parts
            .iter()
            .any(|(pk, pv)| pk == k && (delta(v) || delta(pv)))
    }) {
        return false;
    }
    for (key, state) in new {
        match parts.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = state,
            None => parts.push((key, state)),
        }
    }
    true
}

fn parse_patch(frame: &str) -> Option<Vec<(Box<str>, Box<RawValue>)>> {
    #[derive(serde::Deserialize)]
    struct Patch<'a> {
        #[serde(borrow)]
        state: std::collections::BTreeMap<&'a str, &'a RawValue>,
    }
    let patch: Patch<'_> = serde_json::from_str(frame).ok()?;
    Some(
        patch
            .state
            .into_iter()
            .map(|(k, v)| (k.into(), v.to_owned()))
            .collect(),
    )
}

fn encode(out: Out) -> Message {
    match out {
        Out::Frame(m) => m,
        Out::Patch(t) => Message::Text(t),
        Out::Merged(parts) => {
            let mut s = String::with_capacity(
                32 + parts
                    .iter()
                    .map(|(k, v)| k.len() + v.get().len() + 4)
                    .sum::<usize>(),
            );
            s.push_str(r#"{"type":"patch","state":{"#);
            for (i, (k, v)) in parts.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.push('"');
                s.push_str(k);
                s.push_str("\":");
                s.push_str(v.get());
            }
            s.push_str("}}");
            Message::Text(s.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(key: &str, value: u32) -> Utf8Bytes {
        format!(r#"{{"type":"patch","state":{{"{key}":{{"value":{value}}}}}}}"#).into()
    }

    fn text(m: Message) -> String {
        match m {
            Message::Text(t) => t.to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn frames_come_out_in_order() {
        let o = Outbox::new(1 << 20);
        o.push_patch(patch("a", 1)).unwrap();
        o.push(Message::Text("x".into())).unwrap();
        assert!(text(o.next().await.unwrap()).contains(r#""a":{"value":1}"#));
        assert_eq!(text(o.next().await.unwrap()), "x");
    }

    #[tokio::test]
    async fn patches_merge_when_the_writer_is_behind() {
        let o = Outbox::new(1 << 20);
        for i in 0..1000 {
            o.push_patch(patch(if i % 2 == 0 { "a" } else { "b" }, i))
                .unwrap();
        }
        let mut frames = Vec::new();
        while let Some(m) = tokio::time::timeout(std::time::Duration::from_millis(10), o.next())
            .await
            .ok()
            .flatten()
        {
            frames.push(text(m));
        }
        assert!(frames.len() <= MERGE_AFTER_FRAMES + 1, "{}", frames.len());
        let last = frames.last().unwrap();
        let v: serde_json::Value = serde_json::from_str(last).unwrap();
        assert_eq!(v["type"], "patch");
        assert_eq!(v["state"]["a"]["value"], 998);
        assert_eq!(v["state"]["b"]["value"], 999);
    }

    #[tokio::test]
    async fn a_frame_over_the_limit_closes_the_tab() {
        let o = Outbox::new(100);
        o.push(Message::Text("x".repeat(60).into())).unwrap();
        assert_eq!(
            o.push(Message::Text("y".repeat(60).into())),
            Err(Refused::Closed)
        );
        match o.next().await.unwrap() {
            Message::Close(Some(c)) => assert_eq!(c.code, CloseCode::TooSlow.code()),
            other => panic!("{other:?}"),
        }
        assert!(o.next().await.is_none());
        assert_eq!(o.push(Message::Text("z".into())), Err(Refused::Closed));
    }

    #[tokio::test]
    async fn close_comes_after_what_is_queued() {
        let o = Outbox::new(1 << 20);
        o.push(Message::Text("x".into())).unwrap();
        o.close(CloseCode::GoingAway, "bye");
        assert_eq!(text(o.next().await.unwrap()), "x");
        assert!(matches!(o.next().await, Some(Message::Close(Some(c))) if c.code == 1001));
        assert!(o.next().await.is_none());
    }

    #[tokio::test]
    async fn readers_wait_while_the_queue_is_full() {
        let o = std::sync::Arc::new(Outbox::new(100));
        o.push(Message::Text("x".repeat(80).into())).unwrap();
        let waiter = tokio::spawn({
            let o = o.clone();
            async move { o.wait_drained().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        o.next().await.unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(1), waiter)
            .await
            .expect("drained wakes the reader")
            .unwrap();
    }
}
