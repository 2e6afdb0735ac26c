//! Driving an app in-process, for tests and benchmarks.
//!
//! - [`TestSession`] is one session and one tab, driven step by step: each call handles one
//!   input as the server would and returns the frames the tab got.
//! - [`TestServer`] runs sessions as the server does, each its own task, reached through a
//!   [`Handle`](crate::Handle): for apps whose sessions talk to each other (topics) or share a
//!   resource.
//!
//! Two sessions sharing a topic and a resource. A session hears its own topic messages too
//! (the topic reaches every subscriber, the sender included), after its handler returns, as the
//! next input of its queue: in a `TestSession` that is [`TestSession::next_update`]; so a
//! handler that publishes need not also apply the change itself.
//!
//! ```
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use numerous::prelude::*;
//! use numerous::testing::TestServer;
//! use numerous::{Options, Topic};
//!
//! static CLICKS: Topic<f64> = Topic::new("clicks");
//!
//! /// A resource every session shares.
//! #[derive(Debug, Default)]
//! struct Total(AtomicUsize);
//!
//! #[numerous::app(template = "index.html")]
//! struct Counter {
//!     counter: Number,
//!     increment: Button,
//! }
//!
//! #[numerous::handlers]
//! impl Counter {
//!     #[on_start]
//!     fn start(&mut self, ctx: &Session) {
//!         ctx.subscribe(&CLICKS, |app: &mut Self, value: &f64, _| app.counter.value = *value);
//!     }
//!
//!     #[on_click(increment)]
//!     fn increment(&mut self, ctx: &Session, total: Res<Total>) {
//!         let n = total.0.fetch_add(1, Ordering::Relaxed) + 1;
//!         ctx.publish(&CLICKS, n as f64);
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = TestServer::<Counter>::new(Options::default().resource(Total::default()));
//! let (a, b) = (server.session(), server.session());
//! // A first input waits for each session's `#[on_start]` (its subscription).
//! for s in [&a, &b] {
//!     s.update(|_, _| ()).await.unwrap();
//! }
//! // `a` clicks; both sessions hear the topic (`a` too), each in its own task.
//! a.update(|app, ctx| app.increment(ctx, ctx.resource::<Total>().unwrap())).await.unwrap();
//! for s in [&a, &b] {
//!     let mut value = 0.0;
//!     for _ in 0..100 {
//!         value = s.update(|app, _| app.counter.value).await.unwrap();
//!         if value == 1.0 { break }
//!         tokio::time::sleep(std::time::Duration::from_millis(5)).await;
//!     }
//!     assert_eq!(value, 1.0);
//! }
//! # }
//! ```

use std::sync::Arc;

use axum::extract::ws::Message;

use crate::app::{App, AppMeta};
use crate::mount::{Mounted, session_env};
use crate::outbox::{Next, Outbox};
use crate::registry::Registry;
use crate::session::SessionEnv;
use crate::session::{
    Control, ControlReceiver, ControlSender, FrameCtx, InputReceiver, Parts, Session,
};
use crate::topics::Publisher;
use serde_json::value::RawValue;

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
    env: Arc<SessionEnv>,
    app: A,
    session: Session,
    control: ControlReceiver,
    _control: ControlSender,
    inputs: InputReceiver,
    out: Arc<Outbox>,
    welcome: String,
    started: bool,
}

impl<A: App> Default for TestSession<A> {
    fn default() -> Self {
        Self::new()
    }
}

impl<A: App> TestSession<A> {
    /// A fresh session with one connected tab.
    pub fn new() -> Self {
        Self::with_options(crate::options::Options::default())
    }

    /// A fresh session of an app served with `options`: its resources (a test database), its
    /// broker (to exchange topic messages with other test sessions).
    ///
    /// # Panics
    ///
    /// With the message a server would stop with, when a handler takes a resource `options`
    /// does not register.
    pub fn with_options(options: crate::options::Options) -> Self {
        Self::session_of(options, None)
    }

    /// A fresh session of `user`'s, as on a protected app: handlers see them in
    /// [`Session::user`] (role checks included).
    pub fn signed_in(user: crate::auth::User) -> Self {
        Self::session_of(crate::options::Options::default(), Some(Arc::new(user)))
    }

    /// A fresh session of `user`'s on an app served with `options` (its resources, its broker).
    pub fn signed_in_with(options: crate::options::Options, user: crate::auth::User) -> Self {
        Self::session_of(options, Some(Arc::new(user)))
    }

    fn session_of(options: crate::options::Options, user: Option<Arc<crate::auth::User>>) -> Self {
        let env = session_env(AppMeta::of::<A>(), &options).unwrap_or_else(|e| panic!("{e}"));
        let app = A::new();
        let (control_tx, inputs_tx, control, inputs) = crate::session::mailbox(64);
        let session = Session::new(
            Parts {
                restored: false,
                id: "test".into(),
                number: 0,
                max_tabs: usize::MAX,
                inputs: inputs_tx,
                resources: env.resources.clone(),
                publisher: Publisher::new(env.broker.clone()),
                user,
            },
            &app,
        );
        let out = Arc::new(Outbox::new(usize::MAX));
        session.control(Control::Connect {
            conn: 0,
            outbox: out.clone(),
            resumed: false,
        });
        let welcome = match out.try_next() {
            Next::Frame(Message::Text(t)) => t.to_string(),
            _ => String::new(),
        };
        TestSession {
            env,
            app,
            session,
            control,
            _control: control_tx,
            inputs,
            out,
            welcome,
            started: false,
        }
    }

    /// The app's state.
    pub fn app(&self) -> &A {
        &self.app
    }

    /// How the widget `pick` names is shown besides its state (`ctx.hide`, `ctx.disable`,
    /// `ctx.field_error`): `tab.view(|app| &app.save).disabled`.
    pub fn view<W: crate::widget::Widget>(
        &self,
        pick: impl FnOnce(&A) -> &W,
    ) -> crate::session::WidgetView {
        self.session.view_of(&self.app, pick(&self.app))
    }

    /// The welcome frame the tab received.
    pub fn welcome(&self) -> &str {
        &self.welcome
    }

    /// Handles one frame from the tab, as the server would, and returns the frames the tab
    /// received in answer (patches, errors).
    pub async fn send(&mut self, frame: &str) -> Vec<String> {
        self.start().await;
        let mut ctx = FrameCtx::new(&self.env, &self.session, &mut self.control, 0);
        ctx.handle(&mut self.app, frame).await;
        self.drain()
    }

    /// Clicks the widget `pick` names (`tab.click(|app| &app.increment)`): the frames the tab
    /// got in answer.
    pub async fn click<W>(&mut self, pick: impl FnOnce(&A) -> &W) -> Vec<String> {
        let key = self.key(pick);
        self.send(&format!(
            r#"{{"type":"msg","widget":"{key}","content":{{"event":"click"}}}}"#
        ))
        .await
    }

    /// Submits the widget `pick` names (Enter in a `TextInput`).
    pub async fn submit<W>(&mut self, pick: impl FnOnce(&A) -> &W) -> Vec<String> {
        let key = self.key(pick);
        self.send(&format!(
            r#"{{"type":"msg","widget":"{key}","content":{{"event":"submit"}}}}"#
        ))
        .await
    }

    /// Sends `content` to the widget `pick` names, as its module's `model.send(content)` does:
    /// `tab.message(|app| &app.chat, json!({"text": "hi"}))` (a chat's message).
    pub async fn message<W>(
        &mut self,
        pick: impl FnOnce(&A) -> &W,
        content: impl serde::Serialize,
    ) -> Vec<String> {
        let key = self.key(pick);
        let frame = serde_json::json!({"type": "msg", "widget": key, "content": content});
        self.send(&frame.to_string()).await
    }

    /// Sets the `value` of the widget `pick` names, as the browser would:
    /// `tab.set(|app| &app.name, "Ada")`. Any serializable value; the widget validates it.
    pub async fn set<W>(
        &mut self,
        pick: impl FnOnce(&A) -> &W,
        value: impl serde::Serialize,
    ) -> Vec<String> {
        let key = self.key(pick);
        let state = serde_json::json!({ "value": value });
        self.send(&format!(
            r#"{{"type":"update","widget":"{key}","state":{state}}}"#
        ))
        .await
    }

    /// Writes `state` (the fields the browser may write) to the widget `pick` names, as the
    /// browser would: `tab.update(|app| &app.table, json!({"page": 1}))`.
    pub async fn update<W>(
        &mut self,
        pick: impl FnOnce(&A) -> &W,
        state: serde_json::Value,
    ) -> Vec<String> {
        let key = self.key(pick);
        self.send(&format!(
            r#"{{"type":"update","widget":"{key}","state":{state}}}"#
        ))
        .await
    }

    /// Uploads `file` to the widget `pick` names (a [`crate::widgets::FileUpload`]), as
    /// `POST <prefix>/upload/<key>` does once the file is read: the widget's checks, then its
    /// handlers. Returns the frames the tab got, or the refusal the request would have answered
    /// (`(code, message)`).
    ///
    /// ```no_run
    /// # use numerous::prelude::*;
    /// # #[numerous::app(template = "uploads.html")]
    /// # struct Import { one: FileUpload, many: FileUpload }
    /// # #[numerous::handlers]
    /// # impl Import {}
    /// # async fn test() {
    /// let mut tab = numerous::testing::TestSession::<Import>::new();
    /// let file = numerous::Upload { name: "a.csv".into(), mime: "text/csv".into(), bytes: b"x,1".to_vec(), ..Default::default() };
    /// tab.upload(|app| &app.one, file).await.unwrap();
    /// # }
    /// ```
    pub async fn upload<W>(
        &mut self,
        pick: impl FnOnce(&A) -> &W,
        file: crate::widget::Upload,
    ) -> Result<Vec<String>, (String, String)> {
        self.start().await;
        if let Some(b) = file.batch
            && let Err(why) = crate::widget::Batch::new(b.index, b.count)
        {
            return Err(("bad-request".to_owned(), why));
        }
        let widget = crate::spec::widget_index(&self.app, pick(&self.app))
            .unwrap_or_else(|| panic!("not a widget of `{}`", A::SPEC.name));
        let (done, outcome) = tokio::sync::oneshot::channel();
        let input = crate::session::Input::Upload {
            widget,
            file: Box::new(file),
            done,
        };
        let mut ctx = FrameCtx::new(&self.env, &self.session, &mut self.control, 0);
        ctx.input(&mut self.app, input).await;
        let frames = self.drain();
        match outcome.await {
            Ok(Ok(())) => Ok(frames),
            Ok(Err((code, message))) => Err((code.as_str().to_owned(), message)),
            Err(_) => Err(("internal".to_owned(), "the upload got no answer".to_owned())),
        }
    }

    /// The toasts among `frames` (their messages), for asserting what a handler told the user.
    pub fn toasts(frames: &[String]) -> Vec<String> {
        frames
            .iter()
            .filter_map(|f| serde_json::from_str::<serde_json::Value>(f).ok())
            .filter(|v| v["type"] == "toast")
            .filter_map(|v| v["message"].as_str().map(str::to_owned))
            .collect()
    }

    /// The errors among `frames`, as `(code, message)`.
    pub fn errors(frames: &[String]) -> Vec<(String, String)> {
        frames
            .iter()
            .filter_map(|f| serde_json::from_str::<serde_json::Value>(f).ok())
            .filter(|v| v["type"] == "error")
            .map(|v| {
                let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
                (s("code"), s("message"))
            })
            .collect()
    }

    fn key<W>(&self, pick: impl FnOnce(&A) -> &W) -> &'static str {
        let widget = pick(&self.app);
        let index = crate::spec::widget_index(&self.app, widget)
            .unwrap_or_else(|| panic!("not a widget of `{}`", A::SPEC.name));
        A::SPEC.widgets[index].key
    }

    /// Waits for the next change from background work or a topic (see [`crate::Handle`]),
    /// applies it as the session would, and returns the frames the tab received.
    pub async fn next_update(&mut self) -> Vec<String> {
        self.start().await;
        let Some(input) = self.inputs.recv().await else {
            return Vec::new();
        };
        let mut ctx = FrameCtx::new(&self.env, &self.session, &mut self.control, 0);
        ctx.input(&mut self.app, input).await;
        self.drain()
    }

    /// Runs the app's `#[on_start]` handlers, as a new session does, then its `#[on_tabs]`
    /// handlers (the session has one tab) (once; `send` and `next_update` call this first). Returns the frames the tab received.
    pub async fn start(&mut self) -> Vec<String> {
        if std::mem::replace(&mut self.started, true) {
            return Vec::new();
        }
        // Then, as for the test's one tab opening, the `#[on_tabs]` handlers.
        let env = &self.env;
        for h in env.dispatch.start.iter().chain(&env.dispatch.tabs).copied() {
            let mut ctx = FrameCtx::new(env, &self.session, &mut self.control, 0);
            let _ = ctx.run_handler(&mut self.app, h, None).await;
        }
        self.drain()
    }

    fn drain(&mut self) -> Vec<String> {
        let mut frames = Vec::new();
        while let Next::Frame(msg) = self.out.try_next() {
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
        while let Next::Frame(_) = self.out.try_next() {
            n += 1;
        }
        n
    }
}

/// Where a replay's session first differed from the recorded one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// The step, from 1; 0 when the recording could not even begin (another app, a start
    /// that does not load).
    pub step: usize,
    /// What the step was (the frame, or how the session changed).
    pub what: String,
    /// How it differs.
    pub message: String,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.step == 0 {
            write!(f, "the recording cannot be replayed: {}", self.message)
        } else {
            write!(
                f,
                "the replay diverged at step {} ({}): {}",
                self.step, self.what, self.message
            )
        }
    }
}

impl std::error::Error for Divergence {}

/// What a replay that matched its recording went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replayed {
    /// Steps replayed (all the recording has).
    pub steps: usize,
    /// The recording's oldest steps had gone (its limit): the replay began after them.
    pub dropped: u64,
}

/// Replays `recording` (see [`crate::recording`]) through a fresh session of `A`: it starts
/// from the recorded session (its `#[on_start]` handlers do not run again), handles each
/// recorded frame as the server would, applies each recorded change from outside (background
/// work, topics, uploads, `#[on_tabs]`), and after each step compares the session (every
/// widget and `#[state]` field) with the recorded one.
///
/// # Errors
///
/// The first step after which the session differs, with the widget or field that does and
/// both values; or why the recording cannot replay here (another app; a recording made under
/// another [`Options::session_version`](crate::Options::session_version) that does not load
/// without the app's migration).
pub async fn replay<A: App>(
    recording: &crate::recording::Recording,
) -> Result<Replayed, Divergence> {
    replay_with::<A>(crate::options::Options::default(), recording).await
}

/// [`replay`] in a session of an app served with `options`: its resources (a test database),
/// its session version and migration.
///
/// # Errors
///
/// As [`replay`].
pub async fn replay_with<A: App>(
    options: crate::options::Options,
    recording: &crate::recording::Recording,
) -> Result<Replayed, Divergence> {
    use crate::recording::Step;
    let cannot = |message: String| Divergence {
        step: 0,
        what: "the start".into(),
        message,
    };
    let name = AppMeta::of::<A>().spec.name;
    if recording.app != name {
        return Err(cannot(format!(
            "it was recorded from the app `{}`, not `{name}`",
            recording.app
        )));
    }
    let user = recording.user.as_ref().map(crate::auth::User::from);
    let mut tab = TestSession::<A>::session_of(options, user.map(Arc::new));
    // Its start is the recorded one, `#[on_start]` handlers included.
    tab.started = true;
    tab.load(&recording.start)
        .map_err(|e| cannot(format!("its start does not load into this build: {e}")))?;
    for (i, step) in recording.steps.iter().enumerate() {
        let what = match step {
            Step::Frame {
                tab: Some(t),
                frame,
                ..
            } => format!("tab {t} sent {frame}"),
            Step::Frame {
                tab: None, frame, ..
            } => format!("the HTTP API sent {frame}"),
            Step::Changed { what, .. } => format!("changed by {what}"),
        };
        let diverged = |message: String| Divergence {
            step: i + 1,
            what: what.clone(),
            message,
        };
        match step {
            Step::Frame { frame, .. } => {
                tab.send(frame).await;
            }
            Step::Changed { after, .. } => tab
                .load(after)
                .map_err(|e| diverged(format!("the recorded session does not load: {e}")))?,
        }
        let now = tab.session.record_now(tab.env.version);
        match crate::session::steps::difference(
            &now,
            step.after(),
            tab.env.version,
            tab.env.migration.as_ref(),
        ) {
            Ok(None) => {}
            Ok(Some(message)) => return Err(diverged(message)),
            Err(e) => return Err(diverged(format!("the recorded session does not load: {e}"))),
        }
    }
    Ok(Replayed {
        steps: recording.steps.len(),
        dropped: recording.dropped,
    })
}

impl<A: App> TestSession<A> {
    /// Loads a session as the store keeps it (its version in it) into the app, through the
    /// app's migration when it was saved under another, and sends the tab what changed.
    fn load(&mut self, record: &RawValue) -> Result<(), String> {
        crate::session::load_record(
            &mut self.app,
            record.get().as_bytes(),
            self.env.version,
            self.env.migration.as_ref(),
        )?;
        // What widgets hold besides their state is compared too; and they are shown as they were.
        self.session.track_saved(&self.app);
        self.session.show_as_recorded(record);
        self.session.push(&self.app);
        self.drain();
        Ok(())
    }
}

/// Sessions of an app running as on a server, without sockets: each is its own task with its
/// `#[on_start]` handlers run, its subscriptions and background work, reached through a
/// [`Handle`](crate::Handle). For tests of apps whose sessions talk to each other, and benchmarks.
///
/// ```no_run
/// # use numerous::prelude::*;
/// # #[numerous::app(template = "index.html")]
/// # struct Counter { counter: Number, increment: Button }
/// # #[numerous::handlers]
/// # impl Counter {}
/// # async fn test() {
/// let server = numerous::testing::TestServer::<Counter>::new(numerous::Options::default());
/// let a = server.session();
/// let value = a.update(|app, _| app.counter.value).await.unwrap();
/// # }
/// ```
#[derive(Debug)]
pub struct TestServer<A: App> {
    registry: Arc<Registry>,
    _app: std::marker::PhantomData<fn() -> A>,
}

impl<A: App> TestServer<A> {
    /// The app's sessions as `options` would serve them (with no per-client limit).
    pub fn new(options: crate::options::Options) -> Self {
        let app = Mounted::new(AppMeta::of::<A>(), options.max_sessions_per_client(0), None)
            .unwrap_or_else(|e| panic!("{e}"));
        TestServer {
            registry: app.state.registry,
            _app: std::marker::PhantomData,
        }
    }

    /// A new session (in a tokio runtime). Without a tab it lives for the unused-session
    /// timeout after its last input.
    ///
    /// # Panics
    /// Beyond the options' `max_sessions`.
    pub fn session(&self) -> crate::handle::Handle<A> {
        // Each session its own (made-up) client, as on a server with many visitors.
        let client = std::net::Ipv4Addr::from(self.registry.next_conn() as u32 | 0x0a00_0000);
        let (handle, _) = self
            .registry
            .attach(None, client.into(), None)
            .unwrap_or_else(|r| panic!("{}", r.message()));
        crate::handle::Handle::new(handle.inputs)
    }

    /// Publishes on the app's topics.
    pub fn publisher(&self) -> Publisher {
        Publisher::new(self.registry.env.broker.clone())
    }
}
