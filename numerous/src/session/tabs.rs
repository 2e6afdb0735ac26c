//! What the tabs of a session were sent, and where to send more: the snapshot the diff compares
//! with (and a failed handler is rolled back to), the tabs' outboxes, the session's lifetime.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes};
use tokio::time::Instant;

use super::view::WidgetView;
use crate::outbox::Outbox;
use crate::protocol::CloseCode;
use crate::spec::AppData;

/// What the browsers of a session have been sent, and where to send more.
#[derive(Debug)]
pub(super) struct TabSync {
    pub(super) conns: Vec<Conn>,
    /// Per widget, its state as last sent.
    pub(super) snapshot: Vec<Vec<u8>>,
    /// The `#[state]` fields as last pushed: what a failed handler rolls them back to.
    pub(super) state: Vec<u8>,
    pub(super) scratch: Vec<u8>,
    /// A widget's small patch, while a patch frame is built.
    pub(super) patch: Vec<u8>,
    /// Since when the session has had no tab, if it has none.
    pub(super) idle_since: Option<Instant>,
    /// Since when it has had tabs, if it has any.
    pub(super) tabs_since: Option<Instant>,
    /// How long it has had tabs open, before `tabs_since`.
    pub(super) engaged: Duration,
    /// Whether a tab ever sent it an event.
    pub(super) used: bool,
    /// The server is shutting down: the session ends after the input at hand.
    pub(super) shutting_down: bool,
    /// Background work and subscriptions.
    pub(super) tasks: Vec<Task>,
    /// The binary buffers of the message being handled.
    pub(super) buffers: Vec<crate::bytes::Bytes>,
    /// Something changed since the session was last saved to the store.
    pub(super) dirty: bool,
    /// A save is under way: what a frame shows now is not in the store yet either.
    pub(super) saving: bool,
    /// Frames wait for the store to have what they show ([`Durability::Shown`]).
    ///
    /// [`Durability::Shown`]: crate::store::Durability::Shown
    pub(super) hold: bool,
    /// Frames waiting for a save, in order, each with the tabs it goes to.
    pub(super) held: Vec<Held>,
    /// How many frames ever left the front of `held` (sent, or dropped): a save covers the
    /// frames up to a mark ([`TabSync::held_mark`]) that stays right whatever left meanwhile.
    pub(super) held_gone: u64,
    /// The bytes of the frames in `held`.
    pub(super) held_bytes: usize,
    /// With a session store, what widgets hold besides what they send (a table's rows): per
    /// such widget, its index, the revision last saved and what it wrote then.
    pub(super) extras: Vec<(usize, u64, Vec<u8>)>,
    /// `#[on_start]` handlers are running (with a session store): tabs that come meanwhile wait
    /// here, and are welcomed once they are done, with everything they set (a restored
    /// session's catch-up included).
    pub(super) starting: bool,
    pub(super) waiting: Vec<(u64, Arc<Outbox>, bool)>,
    /// The session's inputs being recorded, if they are ([`super::recording`]).
    pub(super) recorder: Option<Box<super::recording::Recorder>>,
    /// A recording an operator asked for, which begins between inputs.
    pub(super) record_asked: Option<super::recording::Start>,
    /// The session was asked to move to another instance: it lets go at this moment.
    pub(super) release_at: Option<Instant>,
    /// Tabs numbered below this asked for a session the store did not know: their welcome
    /// says it is a new one.
    pub(super) fresh_below: u64,
    /// How each widget is shown besides its state (hidden, disabled, an error), by index;
    /// empty until a handler changes one (`view.rs`).
    pub(super) view: Vec<super::view::WidgetView>,
}

/// At most this many frames wait for one session's save (see [`TabSync::hold_frame`])...
const HELD_MAX: usize = 1024;
/// ...and at most this many bytes of them (welcomes of tabs that keep coming back are large).
const HELD_MAX_BYTES: usize = 4 << 20;

fn frame_len(frame: &Message) -> usize {
    match frame {
        Message::Text(t) => t.len(),
        Message::Binary(b) => b.len(),
        _ => 0,
    }
}

/// A frame waiting for the store.
#[derive(Debug)]
pub(super) struct Held {
    pub(super) frame: Message,
    /// A patch (merged with others a slow tab has waiting).
    pub(super) patch: bool,
    pub(super) to: Vec<u64>,
}

#[derive(Debug)]
pub(super) struct Conn {
    pub(super) id: u64,
    pub(super) outbox: Arc<Outbox>,
}

impl TabSync {
    /// Notes when the last tab left (and for how long the session had tabs).
    pub(super) fn note_if_idle(&mut self) {
        if self.conns.is_empty() && self.idle_since.is_none() {
            let now = Instant::now();
            if let Some(since) = self.tabs_since.take() {
                self.engaged += now - since;
            }
            self.idle_since = Some(now);
        }
    }

    /// Sends every tab what changed since the last push: among `only` the widgets (all when
    /// `None`).
    pub(super) fn broadcast_changes(&mut self, app: &dyn AppData, only: Option<&[usize]>) {
        let spec = app.spec();
        if app.has_state() {
            self.scratch.clear();
            write_state(app, &mut self.scratch);
            if self.scratch != self.state {
                self.dirty = true;
                std::mem::swap(&mut self.scratch, &mut self.state);
            }
        }
        self.note_extras(app);
        let mut out = Vec::new();
        let mut changed = 0;
        let all = 0..self.snapshot.len();
        let candidates: &mut dyn Iterator<Item = usize> = match only {
            Some(only) => &mut only.iter().copied(),
            None => &mut all.into_iter(),
        };
        for i in candidates {
            self.scratch.clear();
            write_widget(app, i, &mut self.scratch);
            if self.scratch != self.snapshot[i] {
                // A widget may say what changed in fewer bytes than its state (a new feed item).
                self.patch.clear();
                let small = app
                    .widget(i)
                    .is_some_and(|w| w.write_patch(&self.snapshot[i], &mut self.patch));
                std::mem::swap(&mut self.scratch, &mut self.snapshot[i]);
                self.dirty = true;
                if changed == 0 {
                    out.extend_from_slice(b"{\"type\":\"patch\",\"state\":{");
                } else {
                    out.push(b',');
                }
                changed += 1;
                out.push(b'"');
                out.extend_from_slice(spec.widgets[i].key.as_bytes());
                out.extend_from_slice(b"\":");
                out.extend_from_slice(if small {
                    &self.patch
                } else {
                    &self.snapshot[i]
                });
            }
        }
        if changed > 0 {
            out.extend_from_slice(b"}}");
            self.send_patch(out, |_| true);
        }
    }

    /// Queues `frame` for the tabs `to` picks. The session never waits for a tab: a tab that
    /// cannot keep up is closed by its outbox and reconnects to the current state.
    pub(super) fn send(&mut self, frame: &Message, to: impl Fn(u64) -> bool) {
        if self.holding() {
            return self.hold_frame(frame.clone(), false, to);
        }
        self.conns
            .retain(|c| !to(c.id) || c.outbox.push(frame.clone()).is_ok());
        self.note_if_idle();
    }

    /// Queues a patch for the tabs `to` picks; patches waiting for a slow tab are merged.
    pub(super) fn send_patch(&mut self, frame: Vec<u8>, to: impl Fn(u64) -> bool) {
        let frame = utf8(frame);
        if self.holding() {
            return self.hold_frame(Message::Text(frame), true, to);
        }
        self.conns
            .retain(|c| !to(c.id) || c.outbox.push_patch(frame.clone()).is_ok());
        self.note_if_idle();
    }

    /// Notes what changed in what widgets hold besides what they send (by their revision):
    /// the store gets it with the next save.
    pub(super) fn note_extras(&mut self, app: &dyn AppData) {
        for (index, revision, saved) in &mut self.extras {
            let Some(w) = app.widget(*index) else {
                continue;
            };
            let Some(now) = w.saved_revision() else {
                continue;
            };
            if now != *revision {
                *revision = now;
                saved.clear();
                if let Err(e) = w.write_saved(saved) {
                    tracing::error!(widget = app.spec().widgets[*index].key, "cannot save: {e}");
                    saved.clear();
                    saved.extend_from_slice(b"null");
                }
                self.dirty = true;
            }
        }
    }

    /// Whether a frame must wait for the store: it shows (or follows) what is not saved yet.
    pub(super) fn holding(&self) -> bool {
        self.hold && (self.dirty || self.saving || !self.held.is_empty())
    }

    fn hold_frame(&mut self, frame: Message, patch: bool, to: impl Fn(u64) -> bool) {
        let to: Vec<u64> = self.conns.iter().map(|c| c.id).filter(|&c| to(c)).collect();
        if !to.is_empty() {
            self.held_bytes += frame_len(&frame);
            self.held.push(Held { frame, patch, to });
        }
        self.bound_held();
    }

    /// Past [`HELD_MAX`] frames or [`HELD_MAX_BYTES`] held, closes the tabs they were for.
    pub(super) fn bound_held(&mut self) {
        if self.held.len() > HELD_MAX || (self.held_bytes > HELD_MAX_BYTES && self.held.len() > 1) {
            // The store is away, or slower than this session's changes. Rather than hold ever
            // more (memory) or show what it does not have, the tabs that were to get these
            // frames are closed with 1013: they come back and are welcomed with the state once
            // the store has it.
            tracing::warn!(
                "a session's changes outrun its saves: {} frames ({} bytes) wait; its tabs reconnect",
                self.held.len(),
                self.held_bytes
            );
            self.held_gone += self.held.len() as u64;
            self.held_bytes = 0;
            let mut to: Vec<u64> = self.held.drain(..).flat_map(|h| h.to).collect();
            to.sort_unstable();
            to.dedup();
            self.conns.retain(|c| {
                if to.binary_search(&c.id).is_err() {
                    return true;
                }
                c.outbox
                    .close(CloseCode::TryLater, "the session store is behind");
                false
            });
            self.note_if_idle();
        }
    }

    /// The mark of the frames held so far: a save started now covers them.
    pub(super) fn held_mark(&self) -> u64 {
        self.held_gone + self.held.len() as u64
    }

    /// Sends the held frames up to `mark` that are still held (the store has what they show).
    pub(super) fn release_held_to(&mut self, mark: u64) {
        let count = usize::try_from(mark.saturating_sub(self.held_gone)).unwrap_or(usize::MAX);
        self.release_held(count);
    }

    /// Drops every held frame (what they show will never be kept here).
    pub(super) fn drop_held(&mut self) {
        self.held_gone += self.held.len() as u64;
        self.held_bytes = 0;
        self.held.clear();
    }

    /// Sends the first `count` held frames (the store has what they show).
    pub(super) fn release_held(&mut self, count: usize) {
        let count = count.min(self.held.len());
        self.held_gone += count as u64;
        for h in self.held.drain(..count) {
            self.held_bytes -= frame_len(&h.frame);
            self.conns.retain(|c| {
                if !h.to.contains(&c.id) {
                    return true;
                }
                let pushed = match &h.frame {
                    Message::Text(t) if h.patch => c.outbox.push_patch(t.clone()),
                    frame => c.outbox.push(frame.clone()),
                };
                pushed.is_ok()
            });
        }
        self.note_if_idle();
    }
}

pub(super) fn text(bytes: Vec<u8>) -> Message {
    Message::Text(utf8(bytes))
}

pub(super) fn utf8(bytes: Vec<u8>) -> Utf8Bytes {
    // Built from JSON text only, so this never fails; stay safe without `unsafe`.
    String::from_utf8(bytes).unwrap_or_default().into()
}

pub(super) fn write_state(app: &dyn AppData, out: &mut Vec<u8>) {
    out.clear();
    if app.has_state()
        && let Err(e) = app.save_state(out)
    {
        tracing::error!(
            app = app.spec().name,
            "cannot serialize the session state: {e}"
        );
    }
}

pub(super) fn write_widget(app: &dyn AppData, index: usize, out: &mut Vec<u8>) {
    let Some(w) = app.widget(index) else { return };
    if let Err(e) = w.write_state(out) {
        tracing::error!(
            widget = app.spec().widgets[index].key,
            "cannot serialize widget state: {e}"
        );
        out.clear();
        out.extend_from_slice(b"null");
    }
}

/// Work a session started: it ends with the session.
#[derive(Debug)]
pub(super) struct Task {
    /// The topic, for a subscription.
    pub(super) topic: Option<String>,
    pub(super) abort: tokio::task::AbortHandle,
}

impl TabSync {
    /// Changes how widget `index` (of `count`) is shown; returns the frame that tells the tabs,
    /// if anything changed.
    pub(super) fn change_view(
        &mut self,
        index: usize,
        count: usize,
        key: &str,
        change: impl FnOnce(&mut WidgetView),
    ) -> Option<Vec<u8>> {
        if self.view.len() < count {
            self.view.resize(count, WidgetView::default());
        }
        let view = &mut self.view[index];
        let before = view.clone();
        change(view);
        (*view != before).then(|| super::view::frame(key, view))
    }
}
