//! Sessions: one app instance per browser tab, owned by one tokio task.
//!
//! The event path (frame in, handler, diff, frame out) runs inside the session's own task and
//! touches only that session's data: no lock is shared between sessions. Changes are found by
//! comparing each widget's serialized state with the last state sent (the snapshot), which is
//! also the "last good state" a failed handler is rolled back to.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::ws::{Message, Utf8Bytes};
use futures_util::FutureExt;
use serde_json::value::RawValue;
use tokio::sync::mpsc;

use crate::app::{App, Call, HandlerError};
use crate::protocol::{self, ClientFrame, ErrorCode};
use crate::server::Runtime;
use crate::widget::{Event, InputError};

/// The "connection" of an HTTP upload: no tab is excluded from its patch.
const UPLOADER: u64 = u64::MAX;

/// Frames a running handler may have queued behind it before new ones are refused.
const MAX_PENDING: usize = 256;

/// The context a handler can take as its second parameter: `ctx: &Session`.
///
/// ```no_run
/// # use numerous::prelude::*;
/// # #[numerous::app(template = "job.html")]
/// # struct Job { progress: Slider, start: Button }
/// #[numerous::handlers]
/// impl Job {
///     #[on_click(start)]
///     async fn start(&mut self, ctx: &Session) {
///         for step in 1..=10 {
///             tokio::time::sleep(std::time::Duration::from_millis(100)).await;
///             self.progress.value = f64::from(step * 10);
///             ctx.push(self); // the browser sees the progress now, not at the end
///         }
///     }
/// }
/// ```
#[derive(Debug)]
pub struct Session {
    id: Arc<str>,
    sync: Mutex<Sync>,
}

/// How a toast looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ToastLevel {
    /// Neutral news.
    Info,
    /// Something worked.
    Success,
    /// Something needs attention.
    Warning,
    /// Something failed.
    Error,
}

/// What the browsers of a session have been sent, and where to send more.
#[derive(Debug)]
struct Sync {
    conns: Vec<Conn>,
    /// Per widget, its state as last sent.
    snapshot: Vec<Vec<u8>>,
    scratch: Vec<u8>,
}

#[derive(Debug)]
struct Conn {
    id: u64,
    tx: mpsc::Sender<Message>,
}

/// A message to a session's task.
#[derive(Debug)]
pub(crate) enum Command {
    /// A tab connected; `resumed` says whether it asked for this session and found it.
    Connect {
        conn: u64,
        tx: mpsc::Sender<Message>,
        resumed: bool,
    },
    Disconnect {
        conn: u64,
    },
    Frame {
        conn: u64,
        text: Utf8Bytes,
    },
    /// A file uploaded over HTTP to widget `widget`; the outcome goes back on `done`.
    Upload {
        widget: usize,
        file: crate::widget::Upload,
        done: tokio::sync::oneshot::Sender<Result<(), String>>,
    },
}

impl Session {
    fn new<A: App>(id: Arc<str>, app: &A) -> Self {
        let snapshot = (0..A::SPEC.widgets.len())
            .map(|i| {
                let mut buf = Vec::new();
                write_widget(app, i, &mut buf);
                buf
            })
            .collect();
        Session {
            id,
            sync: Mutex::new(Sync {
                conns: Vec::new(),
                snapshot,
                scratch: Vec::new(),
            }),
        }
    }

    /// The session's id, as the browser tab stores it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Sends every widget changed since the last update to all tabs of the session.
    ///
    /// The runtime does this when a handler returns; a long handler calls it to show progress.
    pub fn push<A: App>(&self, app: &A) {
        self.lock().broadcast_changes(app);
    }

    /// Sends `content` to widget `widget` of `app` in every tab, where its module receives it
    /// as a `msg:custom` event: `ctx.message(self, &self.chat, &json!({"typing": true}))`.
    ///
    /// Returns an error if `content` does not serialize; a widget that is not a field of `app`
    /// is logged and ignored.
    pub fn message<A: App, W: crate::Widget>(
        &self,
        app: &A,
        widget: &W,
        content: &impl serde::Serialize,
    ) -> serde_json::Result<()> {
        let target = (widget as *const W).cast::<()>();
        let index = (0..A::SPEC.widgets.len()).find(|&i| {
            app.widget(i).is_some_and(|w| {
                std::ptr::eq(
                    (w as *const dyn crate::widget::DynWidget).cast::<()>(),
                    target,
                )
            })
        });
        let Some(index) = index else {
            tracing::warn!(
                app = A::SPEC.name,
                "ctx.message: the widget is not a field of the app"
            );
            return Ok(());
        };
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(b"{\"type\":\"msg\",\"widget\":\"");
        out.extend_from_slice(A::SPEC.widgets[index].key.as_bytes());
        out.extend_from_slice(b"\",\"content\":");
        serde_json::to_writer(&mut out, content)?;
        out.push(b'}');
        self.lock().send(text(out), |_| true);
        Ok(())
    }

    /// Shows a notification in every tab of the session.
    pub fn toast(&self, message: impl Into<String>) {
        self.toast_level(ToastLevel::Info, message);
    }

    /// Shows a notification of the given level in every tab of the session.
    pub fn toast_level(&self, level: ToastLevel, message: impl Into<String>) {
        #[derive(serde::Serialize)]
        struct Toast {
            #[serde(rename = "type")]
            kind: &'static str,
            level: ToastLevel,
            message: String,
        }
        let frame = serde_json::to_vec(&Toast {
            kind: "toast",
            level,
            message: message.into(),
        })
        .unwrap_or_default();
        self.lock().send(text(frame), |_| true);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Sync> {
        // A panic never happens while the lock is held (we only copy bytes under it), but if
        // one did, the data is still consistent: keep going.
        self.sync.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn connect<A: App>(&self, conn: u64, tx: mpsc::Sender<Message>, resumed: bool) {
        let mut s = self.lock();
        let mut out = Vec::with_capacity(256 + s.snapshot.iter().map(Vec::len).sum::<usize>());
        let extra = format!("\"session\":\"{}\",\"resumed\":{resumed},", self.id);
        protocol::state_frame(
            &mut out,
            "welcome",
            &extra,
            A::SPEC
                .widgets
                .iter()
                .zip(&s.snapshot)
                .map(|(w, state)| (w.key, state.as_slice())),
        );
        if tx.try_send(text(out)).is_ok() {
            s.conns.push(Conn { id: conn, tx });
        }
    }

    fn disconnect(&self, conn: u64) {
        self.lock().conns.retain(|c| c.id != conn);
    }

    fn is_idle(&self) -> bool {
        self.lock().conns.is_empty()
    }

    fn send_error(&self, conn: u64, code: ErrorCode, message: &str, seq: Option<u64>) {
        let frame = Message::Text(protocol::error(code, message, seq).into());
        // An upload came over HTTP, from no tab in particular: every tab hears of its failure.
        self.lock().send(frame, |c| conn == UPLOADER || c == conn);
    }

    /// After a browser wrote widget `index`: records its new state and sends it to the other
    /// tabs of the session (back to the sender only for widgets that echo their input).
    /// Returns whether anything changed.
    fn accept_input<A: App>(&self, app: &A, index: usize, from: u64) -> bool {
        let mut s = self.lock();
        let s = &mut *s;
        s.scratch.clear();
        write_widget(app, index, &mut s.scratch);
        if s.scratch == s.snapshot[index] {
            return false;
        }
        std::mem::swap(&mut s.scratch, &mut s.snapshot[index]);
        let echo = app.widget(index).is_some_and(|w| w.echo_input());
        let from = if echo { UPLOADER } else { from };
        if s.conns.iter().any(|c| c.id != from) {
            let mut out = Vec::with_capacity(s.snapshot[index].len() + 48);
            let key = A::SPEC.widgets[index].key;
            protocol::state_frame(
                &mut out,
                "patch",
                "",
                std::iter::once((key, s.snapshot[index].as_slice())),
            );
            s.send(text(out), |c| c != from);
        }
        true
    }

    /// Puts back every widget whose state differs from the last state sent.
    fn rollback<A: App>(&self, app: &mut A) {
        let mut s = self.lock();
        let s = &mut *s;
        for (i, snap) in s.snapshot.iter().enumerate() {
            s.scratch.clear();
            write_widget(app, i, &mut s.scratch);
            if s.scratch != *snap
                && let Some(Err(e)) = app.widget_mut(i).map(|w| w.restore(snap))
            {
                tracing::error!(
                    widget = A::SPEC.widgets[i].key,
                    "cannot restore widget state: {e}"
                );
            }
        }
    }
}

impl Sync {
    fn broadcast_changes<A: App>(&mut self, app: &A) {
        let mut out = Vec::new();
        let mut changed = 0;
        for i in 0..self.snapshot.len() {
            self.scratch.clear();
            write_widget(app, i, &mut self.scratch);
            if self.scratch != self.snapshot[i] {
                std::mem::swap(&mut self.scratch, &mut self.snapshot[i]);
                if changed == 0 {
                    out.extend_from_slice(b"{\"type\":\"patch\",\"state\":{");
                } else {
                    out.push(b',');
                }
                changed += 1;
                out.push(b'"');
                out.extend_from_slice(A::SPEC.widgets[i].key.as_bytes());
                out.extend_from_slice(b"\":");
                out.extend_from_slice(&self.snapshot[i]);
            }
        }
        if changed > 0 {
            out.extend_from_slice(b"}}");
            self.send(text(out), |_| true);
        }
    }

    /// Sends `frame` to the connections `to` picks. A connection whose queue is full is too slow
    /// to follow: it is dropped, its socket closes, and the tab reconnects to a fresh full state.
    fn send(&mut self, frame: Message, to: impl Fn(u64) -> bool) {
        self.conns.retain(|c| {
            if !to(c.id) {
                return true;
            }
            match c.tx.try_send(frame.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!(conn = c.id, "connection too slow to follow; dropping it");
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
    }
}

fn text(bytes: Vec<u8>) -> Message {
    // Built from JSON text only, so this never fails; stay safe without `unsafe`.
    Message::Text(String::from_utf8(bytes).unwrap_or_default().into())
}

fn write_widget<A: App>(app: &A, index: usize, out: &mut Vec<u8>) {
    let Some(w) = app.widget(index) else { return };
    if let Err(e) = w.write_state(out) {
        tracing::error!(
            widget = A::SPEC.widgets[index].key,
            "cannot serialize widget state: {e}"
        );
        out.clear();
        out.extend_from_slice(b"null");
    }
}

/// Removes the session from the registry when its task ends, even by a panic.
struct Registered {
    rt: Arc<Runtime>,
    id: Arc<str>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.rt.sessions.remove(&self.id);
        self.rt.live.fetch_sub(1, Ordering::AcqRel);
        tracing::debug!(session = %self.id, "session ended");
    }
}

/// The task that owns one session.
pub(crate) async fn run<A: App>(rt: Arc<Runtime>, id: Arc<str>, mut rx: mpsc::Receiver<Command>) {
    let _registered = Registered {
        rt: rt.clone(),
        id: id.clone(),
    };
    let mut app = A::new();
    let session = Session::new(id, &app);
    let mut pending = VecDeque::new();
    loop {
        let cmd = if let Some(cmd) = pending.pop_front() {
            cmd
        } else if session.is_idle() {
            tokio::select! {
                cmd = rx.recv() => match cmd { Some(c) => c, None => break },
                () = tokio::time::sleep(rt.options.idle_timeout) => break,
            }
        } else {
            match rx.recv().await {
                Some(c) => c,
                None => break,
            }
        };
        match cmd {
            Command::Connect { conn, tx, resumed } => session.connect::<A>(conn, tx, resumed),
            Command::Disconnect { conn } => session.disconnect(conn),
            Command::Frame { conn, text } => {
                let mut ctx = FrameCtx {
                    rt: &rt,
                    session: &session,
                    rx: &mut rx,
                    pending: &mut pending,
                    conn,
                    seq: None,
                };
                ctx.handle(&mut app, &text).await;
            }
            Command::Upload { widget, file, done } => {
                let mut ctx = FrameCtx {
                    rt: &rt,
                    session: &session,
                    rx: &mut rx,
                    pending: &mut pending,
                    conn: UPLOADER,
                    seq: None,
                };
                let _ = done.send(ctx.upload(&mut app, widget, file).await);
            }
        }
    }
    // `_registered` leaves the registry before `rx` is dropped: a tab that raced us sees its
    // connection close and reconnects to a new session.
}

/// One frame being handled.
struct FrameCtx<'a> {
    rt: &'a Runtime,
    session: &'a Session,
    rx: &'a mut mpsc::Receiver<Command>,
    pending: &'a mut VecDeque<Command>,
    conn: u64,
    seq: Option<u64>,
}

enum Failure {
    Error(HandlerError),
    Panic(String),
}

impl FrameCtx<'_> {
    fn error(&self, code: ErrorCode, message: &str) {
        self.session.send_error(self.conn, code, message, self.seq);
    }

    async fn handle<A: App>(&mut self, app: &mut A, text: &str) {
        let frame: ClientFrame = match serde_json::from_str(text) {
            Ok(f) => f,
            Err(e) => {
                return self.error(ErrorCode::BadFrame, &format!("malformed message: {e}"));
            }
        };
        self.seq = frame.seq;
        let Some(key) = frame.widget.as_deref() else {
            return self.error(ErrorCode::BadFrame, "the message names no `widget`");
        };
        let Some(index) = self.rt.dispatch.widget(key) else {
            let keys: Vec<_> = A::SPEC.widgets.iter().map(|w| w.key).collect();
            return self.error(
                ErrorCode::UnknownWidget,
                &format!("unknown widget `{key}`; this app has {}", keys.join(", ")),
            );
        };
        let Some(widget) = app.widget_mut(index) else {
            return;
        };
        let mut content = None;
        let event = match &*frame.kind {
            "update" => {
                let Some(state) = frame.state else {
                    return self.error(ErrorCode::BadFrame, "an `update` carries a `state` object");
                };
                if let Err(e) = widget.apply_json(state.get()) {
                    return self.input_error(key, e);
                }
                if !self.session.accept_input(app, index, self.conn) {
                    return;
                }
                Event::Change
            }
            "msg" => {
                let Some(raw) = frame.content else {
                    return self.error(ErrorCode::BadFrame, "a `msg` carries a `content`");
                };
                content = Some(raw);
                match widget.message_json(raw) {
                    Ok(Some(event)) => event,
                    Ok(None) => return self.session.push(app),
                    Err(e) => return self.input_error(key, e),
                }
            }
            other => {
                return self.error(
                    ErrorCode::UnknownType,
                    &format!("unknown message type `{other}`; expected `update` or `msg`"),
                );
            }
        };
        let rt = self.rt;
        for h in rt.dispatch.handlers(index, event) {
            self.run_handler(app, h, content).await;
        }
    }

    /// A file uploaded to widget `index`: the widget takes it (or refuses it), then its
    /// handlers run as for a browser change.
    async fn upload<A: App>(
        &mut self,
        app: &mut A,
        index: usize,
        file: crate::widget::Upload,
    ) -> Result<(), String> {
        let key = A::SPEC.widgets[index].key;
        let Some(widget) = app.widget_mut(index) else {
            return Err(format!("unknown widget `{key}`"));
        };
        let event = match widget.upload(file) {
            Ok(Some(event)) => event,
            Ok(None) => return Ok(()),
            Err(e) => return Err(format!("widget `{key}`: {e}")),
        };
        self.session.accept_input(app, index, UPLOADER);
        let rt = self.rt;
        for h in rt.dispatch.handlers(index, event) {
            self.run_handler(app, h, None).await;
        }
        Ok(())
    }

    fn input_error(&self, key: &str, e: InputError) {
        let code = match e {
            InputError::Invalid(_) => ErrorCode::InvalidInput,
            InputError::Rejected(_) => ErrorCode::Rejected,
            InputError::NoMessages => ErrorCode::NoMessages,
        };
        self.error(code, &format!("widget `{key}`: {e}"));
    }

    async fn run_handler<A: App>(&mut self, app: &mut A, h: usize, content: Option<&RawValue>) {
        let session = self.session;
        let result = {
            let mut app = Some(&mut *app);
            let started = std::panic::catch_unwind(AssertUnwindSafe(|| {
                app.take().map(|app| app.call(h, session, content))
            }));
            match started {
                Err(panic) => Err(Failure::Panic(panic_message(&*panic))),
                Ok(None) => unreachable!("the handler is started once"),
                Ok(Some(Call::Ready(r))) => r.map_err(Failure::Error),
                Ok(Some(Call::Future(fut))) => {
                    let mut fut = AssertUnwindSafe(fut).catch_unwind();
                    loop {
                        tokio::select! {
                            biased;
                            r = &mut fut => break match r {
                                Ok(r) => r.map_err(Failure::Error),
                                Err(panic) => Err(Failure::Panic(panic_message(&*panic))),
                            },
                            Some(cmd) = self.rx.recv() => self.while_busy::<A>(cmd),
                        }
                    }
                }
            }
        };
        let name = A::HANDLERS[h].name;
        match result {
            Ok(()) => session.push(app),
            Err(failure) => {
                session.rollback(app);
                let (code, message) = match failure {
                    Failure::Error(e) => {
                        (ErrorCode::HandlerFailed, format!("`{name}` failed: {e}"))
                    }
                    Failure::Panic(p) => (
                        ErrorCode::HandlerPanicked,
                        format!("`{name}` panicked: {p}"),
                    ),
                };
                tracing::warn!(session = %session.id(), handler = name, "{message}");
                self.error(code, &message);
            }
        }
    }

    /// A command that arrives while a handler runs: tabs may come and go at once (a new tab is
    /// welcomed with the last state sent); frames wait their turn.
    fn while_busy<A: App>(&mut self, cmd: Command) {
        match cmd {
            Command::Connect { conn, tx, resumed } => self.session.connect::<A>(conn, tx, resumed),
            Command::Disconnect { conn } => self.session.disconnect(conn),
            Command::Frame { conn, .. } if self.pending.len() >= MAX_PENDING => {
                self.session.send_error(
                    conn,
                    ErrorCode::Busy,
                    "too many events are waiting for a running handler; this one was dropped",
                    None,
                );
            }
            other => self.pending.push_back(other),
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// Drives one session in-process, without a server or sockets: the same event path as a live
/// tab (decode, validate, handler, diff, encode). For unit tests of an app, and benchmarks.
///
/// ```no_run
/// # use numerous::prelude::*;
/// # #[numerous::app(template = "index.html")]
/// # struct Counter { counter: Number, increment: Button }
/// # #[numerous::handlers]
/// # impl Counter {
/// #     #[on_click(increment)]
/// #     fn increment(&mut self) { self.counter.value += 1.0; }
/// # }
/// # async fn test() {
/// let mut tab = numerous::testing::TestSession::<Counter>::new();
/// let frames = tab.send(r#"{"type":"msg","widget":"increment","content":{"event":"click"}}"#).await;
/// assert!(frames[0].contains(r#""counter":{"label":"","value":1.0}"#));
/// assert_eq!(tab.app().counter.value, 1.0);
/// # }
/// ```
#[derive(Debug)]
pub struct TestSession<A: App> {
    rt: Arc<Runtime>,
    app: A,
    session: Session,
    rx: mpsc::Receiver<Command>,
    _tx: mpsc::Sender<Command>,
    pending: VecDeque<Command>,
    out: mpsc::Receiver<Message>,
    welcome: String,
}

impl<A: App> Default for TestSession<A> {
    fn default() -> Self {
        Self::new()
    }
}

impl<A: App> TestSession<A> {
    /// A fresh session with one connected tab.
    pub fn new() -> Self {
        let rt = Runtime::new::<A>(crate::Options::default());
        let app = A::new();
        let session = Session::new("test".into(), &app);
        let (tx, rx) = mpsc::channel(1);
        let (out_tx, mut out) = mpsc::channel(1024);
        session.connect::<A>(0, out_tx, false);
        let welcome = match out.try_recv() {
            Ok(Message::Text(t)) => t.to_string(),
            _ => String::new(),
        };
        TestSession {
            rt,
            app,
            session,
            rx,
            _tx: tx,
            pending: VecDeque::new(),
            out,
            welcome,
        }
    }

    /// The app's state.
    pub fn app(&self) -> &A {
        &self.app
    }

    /// The welcome frame the tab received.
    pub fn welcome(&self) -> &str {
        &self.welcome
    }

    /// Handles one frame from the tab, as the server would, and returns the frames the tab
    /// received in answer (patches, errors).
    pub async fn send(&mut self, frame: &str) -> Vec<String> {
        let mut ctx = FrameCtx {
            rt: &self.rt,
            session: &self.session,
            rx: &mut self.rx,
            pending: &mut self.pending,
            conn: 0,
            seq: None,
        };
        ctx.handle(&mut self.app, frame).await;
        let mut frames = Vec::new();
        while let Ok(msg) = self.out.try_recv() {
            if let Message::Text(t) = msg {
                frames.push(t.to_string());
            }
        }
        frames
    }

    /// Compares every widget with what the tab was last sent, sending what changed: the diff
    /// step of the event path on its own.
    pub fn push(&mut self) -> usize {
        self.session.push(&self.app);
        let mut n = 0;
        while self.out.try_recv().is_ok() {
            n += 1;
        }
        n
    }
}
