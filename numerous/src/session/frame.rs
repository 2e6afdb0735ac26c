//! One input being handled: decode, validate, handlers, diff, rollback on failure.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use serde_json::value::RawValue;

use super::Change;
use super::SessionEnv;
use super::{Input, Session, UPLOADER};
use crate::app::{AppObject, Call, HandlerError};
use crate::protocol::{ClientFrame, ErrorCode};
use crate::widget::{Event, InputError};

/// One input being handled.
pub(crate) struct FrameCtx<'a> {
    pub(crate) env: &'a SessionEnv,
    pub(crate) session: &'a Session,
    /// Tabs may come and go while a handler runs.
    pub(crate) control: &'a mut super::ControlReceiver,
    pub(crate) conn: u64,
    pub(crate) seq: Option<u64>,
    /// For the HTTP API: errors are kept here instead of sent to a tab.
    captured: Option<std::sync::Mutex<Vec<(&'static str, String)>>>,
    /// Over the HTTP API: what a command answered, for the caller (a tab gets a `reply` frame).
    api_reply: Option<String>,
    /// Saves the session while a long handler runs (it may push progress).
    saver: Option<&'a mut super::Saver>,
}

pub(super) enum Failure {
    Error(HandlerError),
    Panic(String),
    /// The handler's message did not decode: nothing ran.
    Invalid(String),
    /// The user may not run the handler: nothing ran.
    Forbidden(String),
}

impl<'a> FrameCtx<'a> {
    /// An input of tab `conn` (`UPLOADER` for none in particular) about to be handled.
    pub(crate) fn new(
        env: &'a SessionEnv,
        session: &'a Session,
        control: &'a mut super::ControlReceiver,
        conn: u64,
    ) -> Self {
        FrameCtx {
            env,
            session,
            control,
            conn,
            seq: None,
            captured: None,
            api_reply: None,
            saver: None,
        }
    }

    /// Saves the session to the store while handlers run.
    pub(crate) fn with_saver(mut self, saver: Option<&'a mut super::Saver>) -> Self {
        self.saver = saver;
        self
    }
}

impl FrameCtx<'_> {
    pub(super) fn error(&self, code: ErrorCode, message: &str) {
        match &self.captured {
            Some(errors) => errors
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((code.as_str(), message.to_owned())),
            None => self.session.send_error(self.conn, code, message, self.seq),
        }
    }

    pub(crate) async fn input(&mut self, app: &mut dyn AppObject, input: Input) {
        match input {
            Input::Frame { conn, text } => {
                self.conn = conn;
                self.handle(app, &text).await;
            }
            Input::Api { frame, reply } => {
                // As an upload: no tab made it, so every tab gets what it changes.
                self.conn = UPLOADER;
                self.captured = Some(std::sync::Mutex::new(Vec::new()));
                if let Some(frame) = frame {
                    self.handle(app, &frame).await;
                }
                let errors = self
                    .captured
                    .take()
                    .map(|e| {
                        e.into_inner()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                    })
                    .unwrap_or_default();
                let state = self.session.state_object();
                let answer = self.api_reply.take();
                let _ = reply.send(super::ApiAnswer {
                    errors,
                    state,
                    reply: answer,
                });
            }
            Input::Upload { widget, file, done } => {
                self.conn = UPLOADER;
                let _ = done.send(self.upload(app, widget, *file).await);
            }
            // A hidden or disabled widget serves no file and takes none.
            Input::ServedFile { widget, reply } => {
                let served = match self.session.refusal(widget) {
                    Some(_) => None,
                    None => app.widget(widget).and_then(|w| w.served_file()),
                };
                let _ = reply.send(served);
            }
            Input::UploadLimit { widget, reply } => {
                let limit = match self.session.refusal(widget) {
                    Some(_) => None,
                    None => app.widget(widget).and_then(|w| w.upload_limit()),
                };
                let _ = reply.send(limit);
            }
            Input::Change(Change(change)) => {
                let app_any = app.as_any_mut();
                let done = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    change(&mut *app_any, self.session);
                }));
                match done {
                    Ok(()) => self.session.push_only(app, None),
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

    pub(crate) async fn handle(&mut self, app: &mut dyn AppObject, text: &str) {
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
        let Some(index) = self.env.dispatch.widget(key) else {
            let keys: Vec<_> = self.session.spec.widgets.iter().map(|w| w.key).collect();
            return self.error(
                ErrorCode::UnknownWidget,
                &format!("unknown widget `{key}`; this app has {}", keys.join(", ")),
            );
        };
        let mut buffers = Vec::with_capacity(frame.buffers.len());
        for b in &frame.buffers {
            match crate::bytes::decode(b) {
                Ok(b) => buffers.push(crate::bytes::Bytes(b)),
                Err(e) => {
                    return self.error(
                        ErrorCode::BadFrame,
                        &format!("`buffers` holds base64 strings: {e}"),
                    );
                }
            }
        }
        // The buffers are the session's (`ctx.buffers()`) while this frame is handled.
        let has_buffers = !buffers.is_empty();
        if has_buffers {
            self.session.set_buffers(buffers);
        }
        self.event_of(app, index, key, &frame).await;
        if has_buffers {
            self.session.set_buffers(Vec::new());
        }
    }

    /// Applies `frame` to widget `index` and runs the handlers of the event it makes.
    async fn event_of(
        &mut self,
        app: &mut dyn AppObject,
        index: usize,
        key: &str,
        frame: &ClientFrame<'_>,
    ) {
        if let Some(why) = self.session.refusal(index) {
            let message = format!("widget `{key}` is {why}: it takes no input now");
            self.error(ErrorCode::Forbidden, &message);
            match &*frame.kind {
                // The tab shows what it tried: show it the server's state again.
                "update" => self.session.resend(index, self.conn),
                // The module's call is answered, not left to its timeout.
                "invoke" => {
                    if let Some(id) = frame.id {
                        let reply = crate::protocol::reply(id, Err(&message));
                        self.session.send_to(self.conn, reply);
                    }
                }
                _ => {}
            }
            return;
        }
        let Some(widget) = app.widget_mut(index) else {
            return;
        };
        let mut content = None;
        let event = match &*frame.kind {
            "update" => {
                let Some(state) = frame.state else {
                    return self.error(ErrorCode::BadFrame, "an `update` carries a `state` object");
                };
                // The user changed the field: its error goes, whatever the change (as the tab
                // drops it at once); a handler may set it again.
                self.session.drop_field_error(index);
                if let Err(e) = widget.apply_json(state.get()) {
                    // The tab shows what it tried: show it the server's state again, then why.
                    self.session.resend(index, self.conn);
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
                    Ok(None) => return self.session.push_only(app, None),
                    Err(e) => return self.input_error(key, e),
                }
            }
            "invoke" => {
                let (Some(id), Some(name)) = (frame.id, frame.name.as_deref()) else {
                    return self.error(
                        ErrorCode::BadFrame,
                        "an `invoke` carries an `id` and a `name`",
                    );
                };
                let env = self.env;
                let handler = env
                    .dispatch
                    .handlers(index, Event::Command)
                    .find(|&h| self.env.meta.handlers[h].name == name);
                let answer = match handler {
                    Some(h) => self.run_handler(app, h, frame.content).await,
                    None => {
                        let message = format!(
                            "widget `{key}` has no command `{name}` (an #[on_command({key})] method of that name)"
                        );
                        self.error(ErrorCode::UnknownType, &message);
                        Err(message)
                    }
                };
                let null = RawValue::NULL;
                if self.captured.is_some() {
                    // Over the HTTP API: the answer goes to the caller (an error is captured).
                    if let Ok(reply) = &answer {
                        self.api_reply = Some(reply.as_deref().unwrap_or(null).get().to_owned());
                    }
                    return;
                }
                let text = match &answer {
                    Ok(reply) => crate::protocol::reply(id, Ok(reply.as_deref().unwrap_or(null))),
                    Err(e) => crate::protocol::reply(id, Err(e)),
                };
                return self.session.send_to(self.conn, text);
            }
            other => {
                return self.error(
                    ErrorCode::UnknownType,
                    &format!(
                        "unknown message type `{other}`; expected `update`, `msg` or `invoke`"
                    ),
                );
            }
        };
        let env = self.env;
        for h in env.dispatch.handlers(index, event) {
            let _ = self.run_handler(app, h, content).await;
        }
        if content.is_some()
            && let Some(widget) = app.widget_mut(index)
        {
            widget.message_handled();
        }
    }

    /// A file uploaded to widget `index`: the widget takes it (or refuses it), then its
    /// handlers run as for a browser change.
    async fn upload(
        &mut self,
        app: &mut dyn AppObject,
        index: usize,
        file: crate::widget::Upload,
    ) -> Result<(), (ErrorCode, String)> {
        let key = self.env.meta.spec.widgets[index].key;
        if let Some(why) = self.session.refusal(index) {
            return Err((
                ErrorCode::Forbidden,
                format!("widget `{key}` is {why}: it takes no input now"),
            ));
        }
        let Some(widget) = app.widget_mut(index) else {
            return Err((ErrorCode::UnknownWidget, format!("unknown widget `{key}`")));
        };
        let event = match widget.upload(file) {
            Ok(Some(event)) => event,
            Ok(None) => return Ok(()),
            Err(e) => return Err((input_error_code(&e), format!("widget `{key}`: {e}"))),
        };
        self.session.accept_input(app, index, UPLOADER);
        let env = self.env;
        for h in env.dispatch.handlers(index, event) {
            let _ = self.run_handler(app, h, None).await;
        }
        if let Some(widget) = app.widget_mut(index) {
            widget.upload_handled();
        }
        Ok(())
    }

    pub(super) fn input_error(&self, key: &str, e: InputError) {
        self.error(input_error_code(&e), &format!("widget `{key}`: {e}"));
    }

    /// Runs handler `h`; returns what a command handler answered, or the error the tab was
    /// shown.
    pub(crate) async fn run_handler(
        &mut self,
        app: &mut dyn AppObject,
        h: usize,
        content: Option<&RawValue>,
    ) -> Result<crate::app::Reply, String> {
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
            let started = if self.env.meta.handlers[h].blocking
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
                Ok(Some(Call::Ready(r))) => r.map_err(Failure::Error),
                Ok(Some(Call::Invalid(e))) => Err(Failure::Invalid(e)),
                Ok(Some(Call::Forbidden(e))) => Err(Failure::Forbidden(e)),
                Ok(Some(Call::Future(fut))) => {
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
                            Some(c) = self.control.recv() => session.control(c),
                            // Progress the handler pushes is saved (and then shown) as it comes.
                            () = super::persist::drive(self.saver.as_deref_mut(), session) => {}
                        }
                    }
                }
            }
        };
        let name = self.env.meta.handlers[h].name;
        match result {
            Ok(reply) => {
                // Only the widgets the handler can reach are compared (all if unknown).
                session.push_only(app, self.env.dispatch.touched(h));
                Ok(reply)
            }
            Err(Failure::Invalid(e)) => {
                let key = self.env.meta.handlers[h].widget;
                let message = format!("widget `{key}`: {e}");
                self.error(ErrorCode::InvalidInput, &message);
                Err(message)
            }
            Err(Failure::Forbidden(message)) => {
                tracing::info!(session = session.number, handler = name, "{message}");
                self.error(ErrorCode::Forbidden, &message);
                Err(message)
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
                    Failure::Invalid(_) | Failure::Forbidden(_) => unreachable!("handled above"),
                };
                tracing::warn!(session = session.number, handler = name, "{message}");
                self.error(code, &message);
                Err(message)
            }
        }
    }
}

pub(super) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// The code a tab (or an upload's answer) gets for input a widget refuses.
fn input_error_code(e: &InputError) -> ErrorCode {
    match e {
        InputError::Invalid(_) => ErrorCode::InvalidInput,
        InputError::Rejected(_) => ErrorCode::Rejected,
        InputError::NoMessages => ErrorCode::NoMessages,
    }
}
