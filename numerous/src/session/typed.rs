//! `Session`'s methods that name the app's type: a handler passes its app (`ctx.push(self)`,
//! `ctx.hide(self, &self.delete)`) or names it (`ctx.handle::<Self>()`). They sit above the app
//! traits (app.rs), whose handlers take a `Session`; the rest of `Session` (context.rs) needs
//! nothing of them.

use super::context::Session;
use super::tabs::text;
use super::view::WidgetView;
use crate::app::App;
use crate::handle::Handle;
use crate::spec::widget_index;
use crate::topics::{Message as TopicMessage, Topic};

impl Session {
    /// Sends every widget changed since the last update to all tabs of the session.
    ///
    /// The runtime does this when a handler returns; a long handler calls it to show progress.
    pub fn push<A: App>(&self, app: &A) {
        self.lock().broadcast_changes(app, None);
    }

    /// Sends `content` to widget `widget` of `app` in every tab, where its module receives it
    /// as a `msg:custom` event: `ctx.message(self, &self.chat, &json!({"typing": true}))`.
    ///
    /// Returns an error if `content` does not serialize; a widget that is not a field of `app`
    /// is logged and ignored.
    pub fn message<A: App, W: crate::widget::Widget>(
        &self,
        app: &A,
        widget: &W,
        content: &impl serde::Serialize,
    ) -> serde_json::Result<()> {
        let Some(key) = Self::widget_key(app, widget, "ctx.message") else {
            return Ok(());
        };
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(b"{\"type\":\"msg\",\"widget\":\"");
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\",\"content\":");
        serde_json::to_writer(&mut out, content)?;
        out.push(b'}');
        self.lock().send(&text(out), |_| true);
        Ok(())
    }

    /// [`Session::message`] with binary buffers: the module's `msg:custom` listener gets them as
    /// its second argument (`DataView`s), as anywidget passes them.
    pub fn message_with_buffers<A: App, W: crate::widget::Widget, B: AsRef<[u8]>>(
        &self,
        app: &A,
        widget: &W,
        content: &impl serde::Serialize,
        buffers: &[B],
    ) -> serde_json::Result<()> {
        let Some(key) = Self::widget_key(app, widget, "ctx.message_with_buffers") else {
            return Ok(());
        };
        let buffers: Vec<String> = buffers
            .iter()
            .map(|b| crate::bytes::encode(b.as_ref()))
            .collect();
        let frame = serde_json::json!({
            "type": "msg",
            "widget": key,
            "content": content,
            "buffers": buffers,
        });
        self.lock()
            .send(&text(serde_json::to_vec(&frame)?), |_| true);
        Ok(())
    }

    /// Hides `widget` (a field of `app`) in this session's pages: `ctx.hide(self, &self.delete)`
    /// (the Delete button only for admins, set in `#[on_start]`). A hidden widget takes no
    /// input: a tab that writes to it anyway gets a `forbidden` error and nothing changes; it
    /// serves no download and takes no upload. It stays hidden when a handler fails (its
    /// rollback is the widgets' state, not this). Hiding is not secrecy: the widget's state
    /// still travels to the tabs (and the HTTP API); keep what a user may not see out of it.
    pub fn hide<A: App, W: crate::widget::Widget>(&self, app: &A, widget: &W) {
        self.change_view(app, widget, "ctx.hide", |v| v.hidden = true);
    }

    /// Shows `widget` again after [`Session::hide`].
    pub fn show<A: App, W: crate::widget::Widget>(&self, app: &A, widget: &W) {
        self.change_view(app, widget, "ctx.show", |v| v.hidden = false);
    }

    /// Shows `widget` greyed and out of the keyboard's reach; it takes no input (as a hidden
    /// one) until [`Session::enable`].
    pub fn disable<A: App, W: crate::widget::Widget>(&self, app: &A, widget: &W) {
        self.change_view(app, widget, "ctx.disable", |v| v.disabled = true);
    }

    /// Lets `widget` take input again after [`Session::disable`].
    pub fn enable<A: App, W: crate::widget::Widget>(&self, app: &A, widget: &W) {
        self.change_view(app, widget, "ctx.enable", |v| v.disabled = false);
    }

    /// Shows `message` under `widget`, which is marked invalid, until the user changes its
    /// value or a handler calls [`Session::clear_field_error`]: a per-field message, with or
    /// without the handler failing (`ctx.field_error(self, &self.amount, "more than 0")`).
    pub fn field_error<A: App, W: crate::widget::Widget>(
        &self,
        app: &A,
        widget: &W,
        message: impl Into<String>,
    ) {
        let message = message.into();
        self.change_view(app, widget, "ctx.field_error", |v| v.error = Some(message));
    }

    /// Takes away the message [`Session::field_error`] put under `widget`.
    pub fn clear_field_error<A: App, W: crate::widget::Widget>(&self, app: &A, widget: &W) {
        self.change_view(app, widget, "ctx.clear_field_error", |v| v.error = None);
    }

    /// How `widget` is shown now besides its state (hidden, disabled, its error).
    pub fn view_of<A: App, W: crate::widget::Widget>(&self, app: &A, widget: &W) -> WidgetView {
        widget_index(app, widget)
            .and_then(|i| self.lock().view.get(i).cloned())
            .unwrap_or_default()
    }

    /// A handle to this session, for work that outlives the handler (see [`Handle`]).
    pub fn handle<A: App>(&self) -> Handle<A> {
        Handle::new(self.inputs.clone())
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
}
