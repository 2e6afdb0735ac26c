//! Sessions: one app instance per browser tab, owned by one tokio task.
//!
//! The event path (frame in, handler, diff, frame out) runs inside the session's own task and
//! touches only that session's data: no lock is shared between sessions. Changes are found by
//! comparing each widget's serialized state with the last state sent (the snapshot), which is
//! also the "last good state" a failed handler is rolled back to.
//!
//! This module is the task loop; [`context`] is the `Session` handlers see, [`tabs`] what the
//! tabs were sent and where to send more, [`frame`] one input being handled.

mod config;
mod context;
mod env;
mod frame;
mod from_session;
mod mailbox;
mod persist;
pub mod recording;
mod restore;
pub(crate) mod steps;
mod tab_control;
mod tabs;
mod typed;
mod view;

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::outbox::Outbox;
use crate::protocol::{self, CloseCode};
use crate::topics::Publisher;

pub(crate) use config::SessionConfig;
pub(crate) use context::Parts;
pub use context::{Session, ToastLevel};
pub(crate) use env::{Lease, Refusal, SessionEnv};
pub(crate) use frame::FrameCtx;
pub use from_session::FromSession;
pub(crate) use mailbox::{ControlReceiver, ControlSender, InputReceiver, InputSender, mailbox};
pub(crate) use persist::Saver;
pub(crate) use restore::load as load_record;
pub use view::WidgetView;

/// What the tabs of a session an operator ended are told, before they start a new one.
pub(crate) const ENDED_BY_OPERATOR: &str =
    "An administrator ended this session: the page starts a new one.";

/// The "connection" of an HTTP upload: no tab is excluded from its patch.
pub(crate) const UPLOADER: u64 = u64::MAX;

/// Tabs coming and going: handled at once, even while a handler runs.
#[derive(Debug)]
pub(crate) enum Control {
    /// A tab connected; `resumed` says whether it asked for this session and found it.
    Connect {
        conn: u64,
        outbox: Arc<Outbox>,
        resumed: bool,
    },
    Disconnect {
        conn: u64,
    },
    /// The server is shutting down: close every tab with 1001 and end.
    Shutdown,
    /// Another instance asked for the session: save it, close every tab with 1001 (they
    /// reconnect, to that instance) and let it go.
    Release,
    /// An operator ended the session (`POST /api/admin/sessions/end`): its tabs are told,
    /// closed with 1012 (they start a new session), and its record leaves the store.
    End,
    /// An operator starts (`Some`) or stops recording the session's inputs.
    Record(Option<recording::Start>),
    /// An operator reads the session's recording so far (`None`: it records nothing).
    Recording(oneshot::Sender<Option<recording::Recording>>),
}

/// What a [`Change`] runs: the app (type-erased) and its session.
type ChangeFn = Box<dyn FnOnce(&mut dyn std::any::Any, &Session) + Send>;

/// A change to an app from a [`Handle`](crate::Handle), run in the session's task.
pub(crate) struct Change(pub(crate) ChangeFn);

impl std::fmt::Debug for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Change(..)")
    }
}

/// Events, handled one at a time in the order they came.
#[derive(Debug)]
pub(crate) enum Input {
    /// A frame from tab `conn`.
    Frame { conn: u64, text: Utf8Bytes },
    /// A change from a [`Handle`](crate::Handle): background work, a topic message.
    Change(Change),
    /// A file uploaded over HTTP to widget `widget`; the outcome goes back on `done`.
    Upload {
        widget: usize,
        /// Boxed: every session's input queue holds slots the size of the largest input.
        file: Box<crate::widget::Upload>,
        done: oneshot::Sender<Result<(), (crate::protocol::ErrorCode, String)>>,
    },
    /// The file widget `widget` serves now, if any.
    ServedFile {
        widget: usize,
        reply: oneshot::Sender<Option<crate::widget::Served>>,
    },
    /// How large a file widget `widget` takes now (`None`: it takes none).
    UploadLimit {
        widget: usize,
        reply: oneshot::Sender<Option<usize>>,
    },
    /// A frame from the HTTP API (`None`: only read the state): every tab sees what it
    /// changes; the errors and the state after it go back on `reply`.
    Api {
        frame: Option<String>,
        reply: oneshot::Sender<ApiAnswer>,
    },
}

/// What the HTTP API gets back from a session.
#[derive(Debug)]
pub(crate) struct ApiAnswer {
    /// `(code, message)` of each error the frame caused.
    pub(crate) errors: Vec<(&'static str, String)>,
    /// Every widget's state after it, a JSON object.
    pub(crate) state: String,
    /// What a command (`invoke`) answered, as JSON, when the frame was one that succeeded.
    pub(crate) reply: Option<String>,
}

/// How a session's task begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A new session.
    New,
    /// A tab asked for a session this instance does not run: claim it from the store.
    Claim,
}

/// The task that owns one session.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run(
    env: Arc<SessionEnv>,
    mut lease: Box<dyn Lease>,
    mut id: Arc<str>,
    mut control: ControlReceiver,
    inputs: InputSender,
    mut input_rx: InputReceiver,
    user: Option<Arc<crate::auth::User>>,
    origin: Origin,
) {
    let store = env.store.clone();
    let mut app = (env.meta.new)();
    let mut fence = None;
    let mut restored = false;
    let mut notice = None;
    let mut fresh_below = 0;
    if let (Some(store), Origin::Claim) = (&store, origin) {
        match Box::pin(restore::claim(&env, store.as_ref(), &id, user.as_deref())).await {
            restore::Outcome::Restored { fence: f, app: a } => {
                fence = Some(f);
                app = a;
                restored = true;
            }
            restore::Outcome::Fresh { fence: f, why } => {
                fence = Some(f);
                notice = Some(why);
                // What the tabs had is gone: their welcome says this is a new session, and
                // they drop what they queued for the old one.
                fresh_below = lease.next_conn();
            }
            restore::Outcome::Unknown => {
                // Expired, or never ours: a new session, under a new id (a client never
                // chooses its session's id).
                id = lease.rekey();
                fresh_below = lease.next_conn();
            }
            restore::Outcome::Refused {
                code,
                reason,
                error,
            } => {
                input_rx.close();
                control.close();
                while let Some(c) = control.recv().await {
                    if let Control::Connect { outbox, .. } = c {
                        if let Some((code, message)) = &error {
                            let frame = protocol::error(*code, message, None);
                            let _ = outbox.push(axum::extract::ws::Message::Text(frame.into()));
                        }
                        outbox.close(code, reason);
                    }
                }
                return;
            }
        }
    }
    let session = Session::new(
        Parts {
            id: id.clone(),
            number: lease.number(),
            max_tabs: env.config.max_tabs,
            inputs,
            resources: env.resources.clone(),
            publisher: Publisher::new(env.broker.clone()),
            user: user.clone(),
            restored,
        },
        app.as_ref(),
    );
    // Boxed: a session without a store keeps no room for it.
    let mut saver = store.map(|store| {
        let saver = Box::new(persist::Saver::new(
            &env,
            store,
            id.clone(),
            fence,
            user.as_ref().map(|u| u.id.clone()),
        ));
        let mut s = session.lock();
        s.hold = saver.holds();
        // A new session is created in the store by its first save; one that starts afresh
        // replaces what the store has.
        s.dirty = fence.is_none() || notice.is_some();
        s.fresh_below = fresh_below;
        s.starting = !env.dispatch.start.is_empty();
        s.extras = steps::saved_extras(app.as_ref());
        drop(s);
        saver
    });
    for h in env.dispatch.start.iter().copied() {
        let mut ctx = FrameCtx::new(&env, &session, &mut control, UPLOADER);
        // Boxed (as below): once in a session's life, not worth room in its task.
        let _ = Box::pin(ctx.run_handler(app.as_mut(), h, None)).await;
    }
    // The tabs that came while it started are welcomed with what it set.
    session.started();
    if let Some(limit) = env.record.as_ref().map(|r| r.limit) {
        session.start_recording(app.as_ref(), &env, limit);
    }
    if let Some(notice) = notice {
        // The tabs waiting to join get the notice after their welcome.
        while let Some(c) = control.try_recv() {
            session.control(c);
        }
        session.toast_level(ToastLevel::Warning, notice);
    }
    let mut used = false;
    // The tab count `#[on_tabs]` handlers last ran for.
    let mut tabs_told = 0;
    loop {
        session.begin_asked_recording(app.as_ref(), &env);
        // Not once it is ending (shut down, moving away): its tabs are closed by then, not gone.
        if !env.dispatch.tabs.is_empty() && !session.ending() {
            let tabs = session.tabs();
            if tabs != tabs_told {
                tabs_told = tabs;
                for h in env.dispatch.tabs.iter().copied() {
                    let mut ctx = FrameCtx::new(&env, &session, &mut control, UPLOADER)
                        .with_saver(saver.as_deref_mut());
                    let _ = Box::pin(ctx.run_handler(app.as_mut(), h, None)).await;
                }
                if session.is_recording() {
                    session.record(&env, recording::Pending::Changed("tabs"));
                }
                // Tabs that came or went while they ran are counted on the next turn.
                continue;
            }
        }
        let deadline = session.idle_deadline(&env.config);
        tokio::select! {
            biased;
            c = control.recv() => match c {
                Some(c) => session.control(c),
                None => break,
            },
            i = input_rx.recv() => match i {
                Some(input) => {
                    if !used {
                        // Once: the lifetime rule only needs to know it happened.
                        used = true;
                        session.mark_used();
                    }
                    let pending = session
                        .is_recording()
                        .then(|| steps::pending(&input))
                        .flatten();
                    let mut ctx = FrameCtx::new(&env, &session, &mut control, UPLOADER)
                        .with_saver(saver.as_deref_mut());
                    // Boxed: handling an input takes more room than the task needs while
                    // it waits, and an idle session would keep that room for its whole life.
                    Box::pin(ctx.input(app.as_mut(), input)).await;
                    if let Some(pending) = pending {
                        session.record(&env, pending);
                    }
                }
                None => break,
            },
            () = persist::drive(saver.as_deref_mut(), &session) => {}
            () = sleep_until(deadline) => break,
        }
        if saver.as_ref().is_some_and(|s| s.lost) {
            break;
        }
        if session.is_ended() {
            break;
        }
    }
    // No new tab or input reaches it from now on; a tab that asks for it meanwhile is told to
    // come back shortly, and finds it saved (here or on another instance).
    input_rx.close();
    let ended = session.is_ended();
    if ended {
        tracing::info!(session = session.number, "ended by an operator");
        session.toast_level(ToastLevel::Warning, ENDED_BY_OPERATOR);
    }
    if let Some(saver) = &mut saver {
        // Ended by an operator: not saved to move elsewhere, whatever else was asked of it.
        let moving = {
            let s = session.lock();
            !ended && (s.shutting_down || s.release_at.is_some())
        };
        if moving {
            // Saved first, then shown, then let go: the next instance starts from all of it.
            // Written even if nothing changed: the store may have lost the record (Redis began
            // again empty), and this is what the next instance will claim.
            session.lock().dirty = true;
            Box::pin(saver.flush(&session)).await;
            session.close_all(CloseCode::GoingAway, "the session moves to another server");
            Box::pin(saver.finish(false)).await;
        } else if !saver.lost {
            // It ended here (no tab for long enough): nobody resumes it.
            Box::pin(saver.finish(true)).await;
        }
    }
    // Leave the registry, so no new tab finds this session; then close the tabs that found it
    // meanwhile: they reconnect, to a new session or to where this one moved.
    drop(lease);
    let (code, reason) = if saver.as_ref().is_some_and(|s| s.lost) {
        (CloseCode::GoingAway, "the session moved")
    } else {
        (CloseCode::SessionEnded, "the session ended")
    };
    session.close_all(code, reason);
    control.close();
    while let Some(c) = control.try_recv() {
        if let Control::Connect { outbox, .. } = c {
            outbox.close(code, reason);
        }
    }
    // Last: its tabs are on their way elsewhere meanwhile.
    if let Some(recording) = session.stop_recording() {
        Box::pin(steps::keep(&env, session.number, recording)).await;
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    /// A session's input queue holds slots of this size (up to 8 kept after a burst): keep the
    /// largest input small (box what is big and rare).
    #[test]
    fn inputs_stay_small() {
        assert!(
            std::mem::size_of::<super::Input>() <= 48,
            "{}",
            std::mem::size_of::<super::Input>()
        );
    }
}
