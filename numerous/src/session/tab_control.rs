//! The session's side of its tabs: tabs coming and going (`Control`), frames to one tab or to
//! all, input a tab sent accepted (echoed to the others) or rolled back. What the tabs were
//! sent, and the diff, are the tab state's (`tabs.rs`).

use std::sync::Arc;

use axum::extract::ws::Message;
use tokio::time::Instant;

use super::config::SessionConfig;
use super::tabs::{Conn, Held, text, write_widget};
use super::{Control, Session, UPLOADER};
use crate::outbox::Outbox;
use crate::protocol::{self, CloseCode, ErrorCode};
use crate::spec::AppData;

impl Session {
    pub(crate) fn control(&self, c: Control) {
        match c {
            Control::Connect {
                conn,
                outbox,
                resumed,
            } => {
                let mut s = self.lock();
                if s.starting {
                    s.waiting.push((conn, outbox, resumed));
                    return;
                }
                drop(s);
                self.connect(conn, outbox, resumed);
            }
            Control::Disconnect { conn } => {
                self.lock().waiting.retain(|(c, ..)| *c != conn);
                self.disconnect(conn);
            }
            Control::Shutdown => {
                self.close_all(CloseCode::GoingAway, "the server is shutting down");
                self.lock().shutting_down = true;
            }
            // The session's loop ends at its next turn (this may come while a handler runs).
            Control::End => self.ended.store(true, std::sync::atomic::Ordering::Relaxed),
            Control::Record(Some(start)) => self.ask_recording(start),
            Control::Record(None) => drop(self.stop_recording()),
            Control::Recording(reply) => {
                let _ = reply.send(self.recording_so_far());
            }
            Control::Release => {
                tracing::debug!(session = self.number, "asked to release");
                // Held briefly at least: tabs of one session pinned to two instances hand it
                // back and forth at most once per `MIN_HOLD`.
                let at = self.started.max(Instant::now() - crate::store::MIN_HOLD)
                    + crate::store::MIN_HOLD;
                let mut s = self.lock();
                s.release_at = Some(s.release_at.map_or(at, |r| r.min(at)));
            }
        }
    }

    /// `#[on_start]` is done: welcomes the tabs that came meanwhile.
    pub(super) fn started(&self) {
        let waiting = {
            let mut s = self.lock();
            s.starting = false;
            std::mem::take(&mut s.waiting)
        };
        for (conn, outbox, resumed) in waiting {
            self.connect(conn, outbox, resumed);
        }
    }

    pub(super) fn connect(&self, conn: u64, outbox: Arc<Outbox>, resumed: bool) {
        let mut s = self.lock();
        if s.conns.len() >= self.max_tabs {
            let message = format!(
                "this session has {} tabs open, as many as it may; close one and reload",
                s.conns.len()
            );
            let _ = outbox.push(Message::Text(
                protocol::error(ErrorCode::TabLimit, &message, None).into(),
            ));
            outbox.close(CloseCode::TryLater, "too many tabs");
            return;
        }
        let resumed = resumed && conn >= s.fresh_below;
        // Most sessions have one tab: room for it, not the four a first push would make.
        if s.conns.capacity() == 0 {
            s.conns.reserve_exact(1);
        }
        let mut out = Vec::with_capacity(256 + s.snapshot.iter().map(Vec::len).sum::<usize>());
        let mut extra = format!(
            "\"session\":\"{}\",\"resumed\":{resumed},\"run\":\"{}\",",
            self.id,
            protocol::server_run()
        );
        if !s.view.is_empty() {
            let keys = self.spec.widgets.iter().map(|w| w.key);
            let part = super::view::welcome_part(keys, &s.view);
            extra.push_str(std::str::from_utf8(&part).unwrap_or_default());
        }
        protocol::state_frame(
            &mut out,
            "welcome",
            &extra,
            self.spec
                .widgets
                .iter()
                .zip(&s.snapshot)
                .map(|(w, state)| (w.key, state.as_slice())),
        );
        if s.holding() {
            // The welcome shows what the store does not have yet: it waits with the rest.
            s.held_bytes += out.len();
            s.held.push(Held {
                frame: text(out),
                patch: false,
                to: vec![conn],
            });
            s.conns.push(Conn { id: conn, outbox });
            s.idle_since = None;
            s.tabs_since.get_or_insert_with(Instant::now);
            s.bound_held();
        } else if outbox.push(text(out)).is_ok() {
            s.conns.push(Conn { id: conn, outbox });
            s.idle_since = None;
            s.tabs_since.get_or_insert_with(Instant::now);
        }
    }

    /// Every widget's state as last sent, as one JSON object by key (the HTTP API's answer).
    pub(crate) fn state_object(&self) -> String {
        let s = self.lock();
        let mut out = String::with_capacity(2 + s.snapshot.iter().map(Vec::len).sum::<usize>());
        out.push('{');
        for (i, (w, state)) in self.spec.widgets.iter().zip(&s.snapshot).enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&serde_json::to_string(w.key).unwrap_or_default());
            out.push(':');
            out.push_str(std::str::from_utf8(state).unwrap_or("null"));
        }
        out.push('}');
        out
    }

    pub(super) fn disconnect(&self, conn: u64) {
        let mut s = self.lock();
        s.conns.retain(|c| c.id != conn);
        s.note_if_idle();
    }

    /// When the session ends if no tab comes: `None` while it has tabs, now when the server is
    /// shutting down.
    pub(super) fn idle_deadline(&self, config: &SessionConfig) -> Option<Instant> {
        let s = self.lock();
        if s.shutting_down {
            return Some(Instant::now());
        }
        let idle = s
            .idle_since
            .map(|since| since + config.keep_idle(s.used, s.engaged));
        match (idle, s.release_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub(super) fn mark_used(&self) {
        self.lock().used = true;
    }

    /// Closes every tab (the server is shutting down, or the session ends).
    pub(super) fn close_all(&self, code: CloseCode, reason: &'static str) {
        let mut s = self.lock();
        for c in s.conns.drain(..) {
            c.outbox.close(code, reason);
        }
        for (_, outbox, _) in s.waiting.drain(..) {
            outbox.close(code, reason);
        }
        s.note_if_idle();
    }

    /// Sends a text frame to tab `conn` only.
    pub(super) fn send_to(&self, conn: u64, frame: String) {
        self.lock()
            .send(&Message::Text(frame.into()), |c| c == conn);
    }

    pub(crate) fn send_error(&self, conn: u64, code: ErrorCode, message: &str, seq: Option<u64>) {
        let frame = Message::Text(protocol::error(code, message, seq).into());
        // An upload came over HTTP, from no tab in particular: every tab hears of its failure.
        self.lock().send(&frame, |c| conn == UPLOADER || c == conn);
    }

    /// Sends widget `index` as last sent to tab `conn` again (after a refused update, so the
    /// tab stops showing a value the server does not have).
    pub(super) fn resend(&self, index: usize, conn: u64) {
        let mut s = self.lock();
        let mut out = Vec::with_capacity(s.snapshot[index].len() + 48);
        protocol::state_frame(
            &mut out,
            "patch",
            "",
            std::iter::once((self.spec.widgets[index].key, s.snapshot[index].as_slice())),
        );
        s.send_patch(out, |c| c == conn);
    }

    /// After a browser wrote widget `index`: records its new state and sends it to the other
    /// tabs of the session (back to the sender only for widgets that echo their input).
    /// Returns whether anything changed.
    pub(super) fn accept_input(&self, app: &dyn AppData, index: usize, from: u64) -> bool {
        let mut s = self.lock();
        let s = &mut *s;
        s.scratch.clear();
        write_widget(app, index, &mut s.scratch);
        if s.scratch == s.snapshot[index] {
            return false;
        }
        std::mem::swap(&mut s.scratch, &mut s.snapshot[index]);
        s.dirty = true;
        let echo = app.widget(index).is_some_and(|w| w.echo_input());
        let from = if echo { UPLOADER } else { from };
        if s.conns.iter().any(|c| c.id != from) {
            let mut out = Vec::with_capacity(s.snapshot[index].len() + 48);
            let key = self.spec.widgets[index].key;
            protocol::state_frame(
                &mut out,
                "patch",
                "",
                std::iter::once((key, s.snapshot[index].as_slice())),
            );
            s.send_patch(out, |c| c != from);
        }
        true
    }

    /// Puts back every widget whose state differs from the last state sent, and the `#[state]`
    /// fields as they were then.
    pub(super) fn rollback(&self, app: &mut dyn AppData) {
        let mut s = self.lock();
        let s = &mut *s;
        if app.has_state()
            && let Err(e) = app.restore_state(&s.state)
        {
            tracing::error!(
                app = app.spec().name,
                "cannot restore the session state: {e}"
            );
        }
        for (i, snap) in s.snapshot.iter().enumerate() {
            s.scratch.clear();
            write_widget(app, i, &mut s.scratch);
            if s.scratch != *snap
                && let Some(Err(e)) = app.widget_mut(i).map(|w| w.restore(snap))
            {
                tracing::error!(
                    widget = app.spec().widgets[i].key,
                    "cannot restore widget state: {e}"
                );
            }
        }
    }
}
