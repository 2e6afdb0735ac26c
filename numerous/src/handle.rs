//! Reaching a session from outside its handlers: background tasks a handler started, and topic
//! subscriptions. Everything goes through the session's own task, in order with the tabs'
//! events, so nothing needs a lock around the app.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;

use tokio::sync::oneshot;

use crate::app::App;
use crate::session::{Change, Input, InputSender, Session};

/// The session is gone (its tabs left and it timed out, or the server stopped), or the change
/// panicked (the session was rolled back, and goes on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    /// The session ended: stop the work.
    #[error("the session ended")]
    Ended,
    /// The change panicked; the session kept its last good state.
    #[error("the update panicked")]
    Panicked,
}

/// A session of app `A`, for work that outlives the handler that started it.
///
/// ```no_run
/// # use numerous::prelude::*;
/// # #[numerous::app(template = "job.html")]
/// # struct Job { progress: Slider, start: Button }
/// #[numerous::handlers]
/// impl Job {
///     #[on_click(start)]
///     fn start(&mut self, ctx: &Session) {
///         let job = ctx.handle::<Self>();
///         ctx.spawn(async move {
///             for step in 1..=10 {
///                 tokio::time::sleep(std::time::Duration::from_millis(500)).await;
///                 // runs in the session's task; the tabs get what changed
///                 let shown = job.update(move |app, _ctx| app.progress.value = f64::from(step * 10));
///                 if shown.await.is_err() {
///                     return; // the session ended
///                 }
///             }
///         });
///     }
/// }
/// ```
pub struct Handle<A> {
    inputs: InputSender,
    _app: PhantomData<fn() -> A>,
}

impl<A> Clone for Handle<A> {
    fn clone(&self) -> Self {
        Handle {
            inputs: self.inputs.clone(),
            _app: PhantomData,
        }
    }
}

impl<A> fmt::Debug for Handle<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Handle(..)")
    }
}

impl<A: App> Handle<A> {
    pub(crate) fn new(inputs: InputSender) -> Self {
        Handle {
            inputs,
            _app: PhantomData,
        }
    }

    /// Runs `change` in the session's task, after the events queued before it; then the tabs
    /// get what changed. Returns what `change` returned. Waits while the session's queue is full.
    pub async fn update<R, F>(&self, change: F) -> Result<R, UpdateError>
    where
        R: Send + 'static,
        F: FnOnce(&mut A, &Session) -> R + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.post(move |app, ctx| {
            let _ = tx.send(change(app, ctx));
        })
        .await?;
        rx.await.map_err(|_| UpdateError::Panicked)
    }

    /// Like [`Handle::update`] without waiting for the change to run (it is queued in order).
    pub async fn post<F>(&self, change: F) -> Result<(), UpdateError>
    where
        F: FnOnce(&mut A, &Session) + Send + 'static,
    {
        let change = Change(Box::new(move |app: &mut dyn Any, ctx: &Session| {
            if let Some(app) = app.downcast_mut::<A>() {
                change(app, ctx);
            }
        }));
        self.inputs
            .send(Input::Change(change))
            .await
            .map_err(|_| UpdateError::Ended)
    }

    /// Whether the session has ended.
    pub fn is_ended(&self) -> bool {
        self.inputs.is_closed()
    }
}
