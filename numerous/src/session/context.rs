//! The session as handlers see it: `ctx: &Session`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::tabs::{TabSync, Task, text, write_state, write_widget};
use super::view::WidgetView;
use crate::auth::User;
use crate::resources::{Res, Resources};
use crate::spec::{AppData, AppSpec, widget_index};
use crate::topics::{Message as TopicMessage, Publisher, Topic};

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
    /// What the app is: its widgets, template and `#[state]` fields.
    pub(super) spec: &'static AppSpec,
    pub(super) id: Arc<str>,
    /// For logs: the id is a secret and never logged.
    pub(super) number: u64,
    pub(super) max_tabs: usize,
    /// When this instance started running it.
    pub(super) started: Instant,
    /// The session's own input queue, for handles to it.
    pub(super) inputs: super::InputSender,
    pub(super) resources: Resources,
    pub(super) publisher: Publisher,
    user: Option<Arc<User>>,
    restored: bool,
    pub(super) sync: Mutex<TabSync>,
    /// A widget's view was ever changed: only then does an input look at the views.
    viewed: AtomicBool,
    /// An operator ended the session: its loop ends at its next turn, and it is not saved to
    /// move elsewhere. Read by the loop after each input, so not behind the lock.
    pub(super) ended: AtomicBool,
    /// Whether its inputs are being recorded (`session/steps.rs`): read before each input, so
    /// not behind the lock.
    pub(super) recording: std::sync::atomic::AtomicU8,
}

/// What a session is made of besides its app.
#[derive(Debug)]
pub(crate) struct Parts {
    pub(crate) id: Arc<str>,
    pub(crate) number: u64,
    pub(crate) max_tabs: usize,
    pub(crate) inputs: super::InputSender,
    pub(crate) resources: Resources,
    pub(crate) publisher: Publisher,
    pub(crate) user: Option<Arc<User>>,
    /// It was loaded from the session store.
    pub(crate) restored: bool,
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

impl Session {
    pub(crate) fn new(parts: Parts, app: &dyn AppData) -> Self {
        let spec = app.spec();
        let Parts {
            id,
            number,
            max_tabs,
            inputs,
            resources,
            publisher,
            user,
            restored,
        } = parts;
        let snapshot = (0..spec.widgets.len())
            .map(|i| {
                let mut buf = Vec::new();
                write_widget(app, i, &mut buf);
                // Kept for the session's life: no room for growth it may never need.
                buf.shrink_to_fit();
                buf
            })
            .collect();
        let mut state = Vec::new();
        write_state(app, &mut state);
        Session {
            spec,
            id,
            number,
            max_tabs,
            started: Instant::now(),
            inputs,
            resources,
            publisher,
            user,
            restored,
            sync: Mutex::new(TabSync {
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
                buffers: Vec::new(),
                dirty: false,
                saving: false,
                hold: false,
                held: Vec::new(),
                held_gone: 0,
                held_bytes: 0,
                extras: Vec::new(),
                release_at: None,
                starting: false,
                waiting: Vec::new(),
                recorder: None,
                record_asked: None,
                fresh_below: 0,
                view: Vec::new(),
            }),
            viewed: AtomicBool::new(false),
            ended: AtomicBool::new(false),
            recording: std::sync::atomic::AtomicU8::new(super::recording::OFF),
        }
    }

    /// The signed-in user the session belongs to, when the app is protected
    /// ([`Options::auth`](crate::Options::auth)); `None` on an open app.
    pub fn user(&self) -> Option<&User> {
        self.user.as_deref()
    }

    /// Whether the session was loaded from the session store: it ran on another instance (or
    /// on this one before a restart) and moved here with its state. `#[on_start]` handlers run
    /// for restored sessions too (to subscribe to topics again, say); one that sets starting
    /// values checks this first, so as not to overwrite the restored ones.
    pub fn is_restored(&self) -> bool {
        self.restored
    }

    /// The session is shutting down or moving to another instance.
    /// Whether an operator ended the session.
    pub(super) fn is_ended(&self) -> bool {
        self.ended.load(Ordering::Relaxed)
    }

    pub(super) fn ending(&self) -> bool {
        let s = self.lock();
        s.shutting_down || s.release_at.is_some() || self.is_ended()
    }

    /// How many tabs the session has open now (a reload closes one and opens another).
    /// `#[on_tabs]` handlers run when it changes while the session lives: presence ("who is
    /// here") counts sessions whose `tabs()` is above zero, and counts a session out when it
    /// ends (a guard in [`Session::spawn`]'d work is dropped then), as `examples/chat` does.
    pub fn tabs(&self) -> usize {
        self.lock().conns.len()
    }

    /// The session's id, as the browser tab stores it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// [`Session::push`] after a handler that can only have changed `widgets`.
    pub(crate) fn push_only(&self, app: &dyn AppData, widgets: Option<&[usize]>) {
        self.lock().broadcast_changes(app, widgets);
    }

    /// A tab changed widget `index`: the error under it goes, and every tab hears so.
    pub(super) fn drop_field_error(&self, index: usize) {
        if !self.viewed.load(Ordering::Relaxed) {
            return;
        }
        let mut s = self.lock();
        if s.view.get(index).is_some_and(|v| v.error.is_some()) {
            self.set_view(&mut s, index, |v| v.error = None);
        }
    }

    /// Why widget `index` takes no input now (`hidden`, `disabled`), if it takes none.
    pub(super) fn refusal(&self, index: usize) -> Option<&'static str> {
        if !self.viewed.load(Ordering::Relaxed) {
            return None;
        }
        self.lock().view.get(index).and_then(WidgetView::refusal)
    }

    pub(crate) fn change_view<W: ?Sized>(
        &self,
        app: &dyn AppData,
        widget: &W,
        call: &str,
        change: impl FnOnce(&mut WidgetView),
    ) {
        let Some(index) = Self::widget_at(app, widget, call) else {
            return;
        };
        self.set_view(&mut self.lock(), index, change);
    }

    /// Changes widget `index`'s view (`s` is the session's state, locked); every tab hears of
    /// it if it changed.
    pub(super) fn set_view(
        &self,
        s: &mut TabSync,
        index: usize,
        change: impl FnOnce(&mut WidgetView),
    ) {
        let widgets = &self.spec.widgets;
        if let Some(frame) = s.change_view(index, widgets.len(), widgets[index].key, change) {
            // From now on an input looks at the views; until then it skips even the lock.
            self.viewed.store(true, Ordering::Relaxed);
            s.send(&text(frame), |_| true);
        }
    }

    /// The key of `widget`, a field of `app`; logged as a mistake of `call` when it is not.
    pub(super) fn widget_key<W>(app: &dyn AppData, widget: &W, call: &str) -> Option<&'static str> {
        Self::widget_at(app, widget, call).map(|i| app.spec().widgets[i].key)
    }

    /// The index of `widget`, a field of `app`; logged as a mistake of `call` when it is not.
    pub(super) fn widget_at<W: ?Sized>(app: &dyn AppData, widget: &W, call: &str) -> Option<usize> {
        let index = widget_index(app, widget);
        if index.is_none() {
            tracing::warn!(
                app = app.spec().name,
                "{call}: the widget is not a field of the app"
            );
        }
        index
    }

    /// The binary buffers that came with the message being handled (anywidget's
    /// `model.send(content, callbacks, buffers)` or `experimental.invoke(.., {buffers})`):
    /// empty for other events.
    pub fn buffers(&self) -> Vec<crate::bytes::Bytes> {
        self.lock().buffers.clone()
    }

    pub(crate) fn set_buffers(&self, buffers: Vec<crate::bytes::Bytes>) {
        self.lock().buffers = buffers;
    }

    /// The shared resource of type `T`, if the app registered one (`Options::resource`). A
    /// handler can also take it as a parameter: `db: Res<Pool>`.
    pub fn resource<T: Send + Sync + 'static>(&self) -> Option<Res<T>> {
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

    /// Runs `work` in the background until it finishes or the session ends. It changes the
    /// session only through a [`Handle`](crate::Handle) (`ctx.handle::<Self>()`), in the session's own task.
    pub fn spawn<F>(&self, work: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let abort = tokio::spawn(work).abort_handle();
        self.add_task(None, abort);
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

    pub(super) fn add_task(&self, topic: Option<String>, abort: tokio::task::AbortHandle) {
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

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, TabSync> {
        // A panic never happens while the lock is held (we only copy bytes under it), but if
        // one did, the data is still consistent: keep going.
        self.sync.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Session {
    /// Background work and subscriptions end with the session.
    fn drop(&mut self) {
        for t in self.lock().tasks.drain(..) {
            t.abort.abort();
        }
    }
}
