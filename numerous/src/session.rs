//! Sessions: one app instance per browser tab, owned by one tokio task.
//!
//! The event path (frame in, handler, diff, frame out) runs inside the session's own task and
//! touches only that session's data: no lock is shared between sessions. Changes are found by
//! comparing each widget's serialized state with the last state sent (the snapshot), which is
//! also the "last good state" a failed handler is rolled back to.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes};
use futures_util::FutureExt;
use serde_json::value::RawValue;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::app::{App, Call as HandlerCall, HandlerError};
use crate::handle::{Call, Handle};
use crate::outbox::Outbox;
use crate::protocol::{self, ClientFrame, ErrorCode};
use crate::resources::Res;
use crate::resources::Resources;
use crate::runtime::{Registered, Runtime};
use crate::topics::{Message as TopicMessage, Publisher, Topic};
use crate::widget::{Event, InputError};

/// The "connection" of an HTTP upload: no tab is excluded from its patch.
pub(crate) const UPLOADER: u64 = u64::MAX;

/// Close code for a tab refused because its session has as many tabs as it may.
pub(crate) const CLOSE_TRY_LATER: u16 = 1013;
/// Close code for a tab whose session ended under it: it reconnects to a new one at once.
pub(crate) const CLOSE_SESSION_ENDED: u16 = 1012;
/// Close code: the server is shutting down; the client reconnects at once.
pub(crate) const CLOSE_GOING_AWAY: u16 = 1001;

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
    /// For logs: the id is a secret and never logged.
    number: u64,
    max_tabs: usize,
    /// The session's own input queue, for handles to it.
    inputs: mpsc::Sender<Input>,
    resources: Resources,
    publisher: Publisher,
    sync: Mutex<Sync>,
}

/// What a session is made of besides its app.
#[derive(Debug)]
pub(crate) struct Parts {
    pub(crate) id: Arc<str>,
    pub(crate) number: u64,
    pub(crate) max_tabs: usize,
    pub(crate) inputs: mpsc::Sender<Input>,
    pub(crate) resources: Resources,
    pub(crate) publisher: Publisher,
}

/// Work a session started: it ends with the session.
#[derive(Debug)]
struct Task {
    /// The topic, for a subscription.
    topic: Option<String>,
    abort: tokio::task::AbortHandle,
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
    /// The `#[state]` fields as last pushed: what a failed handler rolls them back to.
    state: Vec<u8>,
    scratch: Vec<u8>,
    /// A widget's small patch, while a patch frame is built.
    patch: Vec<u8>,
    /// Since when the session has had no tab, if it has none.
    idle_since: Option<Instant>,
    /// Since when it has had tabs, if it has any.
    tabs_since: Option<Instant>,
    /// How long it has had tabs open, before `tabs_since`.
    engaged: Duration,
    /// Whether a tab ever sent it an event.
    used: bool,
    /// The server is shutting down: the session ends after the input at hand.
    shutting_down: bool,
    /// Background work and subscriptions.
    tasks: Vec<Task>,
}

#[derive(Debug)]
struct Conn {
    id: u64,
    outbox: Arc<Outbox>,
}

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
}

/// Events, handled one at a time in the order they came.
#[derive(Debug)]
pub(crate) enum Input {
    /// A frame from tab `conn`.
    Frame { conn: u64, text: Utf8Bytes },
    /// A change from a [`Handle`](crate::Handle): background work, a topic message.
    Call(Call),
    /// A file uploaded over HTTP to widget `widget`; the outcome goes back on `done`.
    Upload {
        widget: usize,
        file: crate::widget::Upload,
        done: oneshot::Sender<Result<(), String>>,
    },
    /// How large a file widget `widget` takes now (`None`: it takes none).
    UploadLimit {
        widget: usize,
        reply: oneshot::Sender<Option<usize>>,
    },
}

impl Session {
    pub(crate) fn new<A: App>(parts: Parts, app: &A) -> Self {
        let Parts {
            id,
            number,
            max_tabs,
            inputs,
            resources,
            publisher,
        } = parts;
        let snapshot = (0..A::SPEC.widgets.len())
            .map(|i| {
                let mut buf = Vec::new();
                write_widget(app, i, &mut buf);
                buf
            })
            .collect();
        let mut state = Vec::new();
        write_state(app, &mut state);
        Session {
            id,
            number,
            max_tabs,
            inputs,
            resources,
            publisher,
            sync: Mutex::new(Sync {
                conns: Vec::new(),
                snapshot,
                state,
                scratch: Vec::new(),
                patch: Vec::new(),
                idle_since: Some(Instant::now()),
                tabs_since: None,
                engaged: Duration::ZERO,
                used: false,
                shutting_down: false,
                tasks: Vec::new(),
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
        self.lock().send(&text(out), |_| true);
        Ok(())
    }

    /// The shared resource of type `T`, if the app registered one (`Options::resource`). A
    /// handler can also take it as a parameter: `db: Res<Pool>`.
    pub fn resource<T: Send + std::marker::Sync + 'static>(&self) -> Option<Res<T>> {
        self.resources.get::<T>()
    }

    /// Publishes `message` on `topic`: every session subscribed to it runs its handler.
    /// Returns how many subscriptions there were.
    pub fn publish<T: TopicMessage>(&self, topic: &Topic<T>, message: T) -> usize {
        self.publisher.publish(topic, message)
    }

    /// A publisher on the app's topics, to move into background work.
    pub fn publisher(&self) -> Publisher {
        self.publisher.clone()
    }

    /// A handle to this session, for work that outlives the handler (see [`Handle`]).
    pub fn handle<A: App>(&self) -> Handle<A> {
        Handle::new(self.inputs.clone())
    }

    /// Runs `work` in the background until it finishes or the session ends. It changes the
    /// session only through a [`Handle`] (`ctx.handle::<Self>()`), in the session's own task.
    pub fn spawn<F>(&self, work: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let abort = tokio::spawn(work).abort_handle();
        self.add_task(None, abort);
    }

    /// Subscribes this session to `topic`: for each message published from now on, in order,
    /// `handler` runs in the session's task and the tabs get what changed. The subscription ends
    /// with the session, or with [`Session::unsubscribe`].
    ///
    /// A session that falls more than [`TOPIC_BUFFER`](crate::TOPIC_BUFFER) messages behind
    /// skips the ones it missed (logged with their count); publishers never wait for it.
    pub fn subscribe<A: App, T: TopicMessage>(
        &self,
        topic: &Topic<T>,
        handler: fn(&mut A, &T, &Session),
    ) {
        use tokio::sync::broadcast::error::RecvError;
        let mut rx = self.publisher.broker().subscribe(topic.name());
        let handle = self.handle::<A>();
        let name = topic.name().to_owned();
        let number = self.number;
        let abort = tokio::spawn(async move {
            loop {
                match rx.recv().await {
                    Ok(envelope) => {
                        let Some(message) = envelope.get::<T>() else {
                            continue;
                        };
                        let posted = handle.post(move |app, ctx| handler(app, &message, ctx));
                        if posted.await.is_err() {
                            return;
                        }
                    }
                    Err(RecvError::Lagged(skipped)) => tracing::warn!(
                        session = number,
                        skipped,
                        "a session fell behind its topic and skips what it missed"
                    ),
                    Err(RecvError::Closed) => return,
                }
            }
        })
        .abort_handle();
        self.add_task(Some(name), abort);
    }

    /// Ends this session's subscriptions to `topic`.
    pub fn unsubscribe<T>(&self, topic: &Topic<T>) {
        self.lock().tasks.retain(|t| {
            let ours = t.topic.as_deref() == Some(topic.name());
            if ours {
                t.abort.abort();
            }
            !ours
        });
    }

    fn add_task(&self, topic: Option<String>, abort: tokio::task::AbortHandle) {
        let mut s = self.lock();
        s.tasks.retain(|t| !t.abort.is_finished());
        s.tasks.push(Task { topic, abort });
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
        self.lock().send(&text(frame), |_| true);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Sync> {
        // A panic never happens while the lock is held (we only copy bytes under it), but if
        // one did, the data is still consistent: keep going.
        self.sync.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn control<A: App>(&self, c: Control) {
        match c {
            Control::Connect {
                conn,
                outbox,
                resumed,
            } => self.connect::<A>(conn, outbox, resumed),
            Control::Disconnect { conn } => self.disconnect(conn),
            Control::Shutdown => {
                self.close_all(CLOSE_GOING_AWAY, "the server is shutting down");
                self.lock().shutting_down = true;
            }
        }
    }

    fn connect<A: App>(&self, conn: u64, outbox: Arc<Outbox>, resumed: bool) {
        let mut s = self.lock();
        if s.conns.len() >= self.max_tabs {
            let message = format!(
                "this session has {} tabs open, as many as it may; close one and reload",
                s.conns.len()
            );
            let _ = outbox.push(Message::Text(
                protocol::error(ErrorCode::TabLimit, &message, None).into(),
            ));
            outbox.close(CLOSE_TRY_LATER, "too many tabs");
            return;
        }
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
        if outbox.push(text(out)).is_ok() {
            s.conns.push(Conn { id: conn, outbox });
            s.idle_since = None;
            s.tabs_since.get_or_insert_with(Instant::now);
        }
    }

    fn disconnect(&self, conn: u64) {
        let mut s = self.lock();
        s.conns.retain(|c| c.id != conn);
        s.note_if_idle();
    }

    /// When the session ends if no tab comes: `None` while it has tabs, now when the server is
    /// shutting down.
    fn idle_deadline(&self, options: &crate::Options) -> Option<Instant> {
        let s = self.lock();
        if s.shutting_down {
            return Some(Instant::now());
        }
        let since = s.idle_since?;
        Some(since + options.keep_idle(s.used, s.engaged))
    }

    fn mark_used(&self) {
        self.lock().used = true;
    }

    /// Closes every tab (the server is shutting down, or the session ends).
    fn close_all(&self, code: u16, reason: &'static str) {
        let mut s = self.lock();
        for c in s.conns.drain(..) {
            c.outbox.close(code, reason);
        }
        s.note_if_idle();
    }

    pub(crate) fn send_error(&self, conn: u64, code: ErrorCode, message: &str, seq: Option<u64>) {
        let frame = Message::Text(protocol::error(code, message, seq).into());
        // An upload came over HTTP, from no tab in particular: every tab hears of its failure.
        self.lock().send(&frame, |c| conn == UPLOADER || c == conn);
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
            s.send_patch(out, |c| c != from);
        }
        true
    }

    /// Puts back every widget whose state differs from the last state sent, and the `#[state]`
    /// fields as they were then.
    fn rollback<A: App>(&self, app: &mut A) {
        let mut s = self.lock();
        let s = &mut *s;
        if A::HAS_STATE
            && let Err(e) = app.restore_state(&s.state)
        {
            tracing::error!(app = A::SPEC.name, "cannot restore the session state: {e}");
        }
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
    /// Notes when the last tab left (and for how long the session had tabs).
    fn note_if_idle(&mut self) {
        if self.conns.is_empty() && self.idle_since.is_none() {
            let now = Instant::now();
            if let Some(since) = self.tabs_since.take() {
                self.engaged += now - since;
            }
            self.idle_since = Some(now);
        }
    }

    fn broadcast_changes<A: App>(&mut self, app: &A) {
        if A::HAS_STATE {
            self.scratch.clear();
            write_state(app, &mut self.scratch);
            std::mem::swap(&mut self.scratch, &mut self.state);
        }
        let mut out = Vec::new();
        let mut changed = 0;
        for i in 0..self.snapshot.len() {
            self.scratch.clear();
            write_widget(app, i, &mut self.scratch);
            if self.scratch != self.snapshot[i] {
                // A widget may say what changed in fewer bytes than its state (a new feed item).
                self.patch.clear();
                let small = app
                    .widget(i)
                    .is_some_and(|w| w.write_patch(&self.snapshot[i], &mut self.patch));
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
    fn send(&mut self, frame: &Message, to: impl Fn(u64) -> bool) {
        self.conns
            .retain(|c| !to(c.id) || c.outbox.push(frame.clone()).is_ok());
        self.note_if_idle();
    }

    /// Queues a patch for the tabs `to` picks; patches waiting for a slow tab are merged.
    fn send_patch(&mut self, frame: Vec<u8>, to: impl Fn(u64) -> bool) {
        let frame = utf8(frame);
        self.conns
            .retain(|c| !to(c.id) || c.outbox.push_patch(frame.clone()).is_ok());
        self.note_if_idle();
    }
}

fn text(bytes: Vec<u8>) -> Message {
    Message::Text(utf8(bytes))
}

fn utf8(bytes: Vec<u8>) -> Utf8Bytes {
    // Built from JSON text only, so this never fails; stay safe without `unsafe`.
    String::from_utf8(bytes).unwrap_or_default().into()
}

fn write_state<A: App>(app: &A, out: &mut Vec<u8>) {
    out.clear();
    if A::HAS_STATE
        && let Err(e) = app.save_state(out)
    {
        tracing::error!(
            app = A::SPEC.name,
            "cannot serialize the session state: {e}"
        );
    }
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

/// The task that owns one session.
pub(crate) async fn run<A: App>(
    rt: Arc<Runtime>,
    registered: Registered,
    id: Arc<str>,
    mut control: mpsc::UnboundedReceiver<Control>,
    inputs: mpsc::Sender<Input>,
    mut input_rx: mpsc::Receiver<Input>,
) {
    let mut app = A::new();
    let session = Session::new(
        Parts {
            id,
            number: registered.number,
            max_tabs: rt.options.max_tabs_per_session,
            inputs,
            resources: rt.options.resources.clone(),
            publisher: Publisher::new(rt.options.broker.clone()),
        },
        &app,
    );
    for h in rt.dispatch.start.iter().copied() {
        let mut ctx = FrameCtx {
            rt: &rt,
            session: &session,
            control: &mut control,
            conn: UPLOADER,
            seq: None,
        };
        ctx.run_handler(&mut app, h, None).await;
    }
    loop {
        let deadline = session.idle_deadline(&rt.options);
        tokio::select! {
            biased;
            c = control.recv() => match c {
                Some(c) => session.control::<A>(c),
                None => break,
            },
            i = input_rx.recv() => match i {
                Some(input) => {
                    session.mark_used();
                    let mut ctx = FrameCtx {
                        rt: &rt,
                        session: &session,
                        control: &mut control,
                        conn: UPLOADER,
                        seq: None,
                    };
                    ctx.input(&mut app, input).await;
                }
                None => break,
            },
            () = sleep_until(deadline) => break,
        }
    }
    // Leave the registry first, so no new tab finds this session; then close the tabs that
    // found it meanwhile: they reconnect to a new session at once.
    drop(registered);
    session.close_all(CLOSE_SESSION_ENDED, "the session ended");
    control.close();
    while let Ok(c) = control.try_recv() {
        if let Control::Connect { outbox, .. } = c {
            outbox.close(CLOSE_SESSION_ENDED, "the session ended");
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// One input being handled.
pub(crate) struct FrameCtx<'a> {
    pub(crate) rt: &'a Runtime,
    pub(crate) session: &'a Session,
    /// Tabs may come and go while a handler runs.
    pub(crate) control: &'a mut mpsc::UnboundedReceiver<Control>,
    pub(crate) conn: u64,
    pub(crate) seq: Option<u64>,
}

enum Failure {
    Error(HandlerError),
    Panic(String),
    /// The handler's message did not decode: nothing ran.
    Invalid(String),
}

impl FrameCtx<'_> {
    fn error(&self, code: ErrorCode, message: &str) {
        self.session.send_error(self.conn, code, message, self.seq);
    }

    pub(crate) async fn input<A: App>(&mut self, app: &mut A, input: Input) {
        match input {
            Input::Frame { conn, text } => {
                self.conn = conn;
                self.handle(app, &text).await;
            }
            Input::Upload { widget, file, done } => {
                self.conn = UPLOADER;
                let _ = done.send(self.upload(app, widget, file).await);
            }
            Input::UploadLimit { widget, reply } => {
                let _ = reply.send(app.widget(widget).and_then(|w| w.upload_limit()));
            }
            Input::Call(Call(change)) => {
                let app_any: &mut dyn std::any::Any = app;
                let done = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    change(&mut *app_any, self.session);
                }));
                match done {
                    Ok(()) => self.session.push(app),
                    Err(panic) => {
                        self.session.rollback(app);
                        tracing::warn!(
                            session = self.session.number,
                            "an update from background work panicked: {}",
                            panic_message(&*panic)
                        );
                    }
                }
            }
        }
    }

    pub(crate) async fn handle<A: App>(&mut self, app: &mut A, text: &str) {
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

    pub(crate) async fn run_handler<A: App>(
        &mut self,
        app: &mut A,
        h: usize,
        content: Option<&RawValue>,
    ) {
        let session = self.session;
        let result = {
            let mut app = Some(&mut *app);
            let mut start = || {
                std::panic::catch_unwind(AssertUnwindSafe(|| {
                    app.take().map(|app| app.call(h, session, content))
                }))
            };
            // A `#[blocking]` handler computes or blocks: on a multi-threaded runtime this
            // worker hands its other tasks (other sessions) to another thread meanwhile.
            let started = if A::HANDLERS[h].blocking
                && tokio::runtime::Handle::current().runtime_flavor()
                    == tokio::runtime::RuntimeFlavor::MultiThread
            {
                tokio::task::block_in_place(start)
            } else {
                start()
            };
            match started {
                Err(panic) => Err(Failure::Panic(panic_message(&*panic))),
                Ok(None) => unreachable!("the handler is started once"),
                Ok(Some(HandlerCall::Ready(r))) => r.map_err(Failure::Error),
                Ok(Some(HandlerCall::Invalid(e))) => Err(Failure::Invalid(e)),
                Ok(Some(HandlerCall::Future(fut))) => {
                    let mut fut = AssertUnwindSafe(fut).catch_unwind();
                    // Tabs may come and go meanwhile (a new one is welcomed with the last state
                    // sent); inputs wait their turn in the session's queue, and when it is
                    // full, the tabs' readers stop reading their sockets.
                    loop {
                        tokio::select! {
                            biased;
                            r = &mut fut => break match r {
                                Ok(r) => r.map_err(Failure::Error),
                                Err(panic) => Err(Failure::Panic(panic_message(&*panic))),
                            },
                            Some(c) = self.control.recv() => session.control::<A>(c),
                        }
                    }
                }
            }
        };
        let name = A::HANDLERS[h].name;
        match result {
            Ok(()) => session.push(app),
            Err(Failure::Invalid(e)) => {
                let key = A::HANDLERS[h].widget;
                self.error(ErrorCode::InvalidInput, &format!("widget `{key}`: {e}"));
            }
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
                    Failure::Invalid(_) => unreachable!("handled above"),
                };
                tracing::warn!(session = session.number, handler = name, "{message}");
                self.error(code, &message);
            }
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
