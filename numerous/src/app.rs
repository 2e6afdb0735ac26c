//! The traits `#[numerous::app]` and `#[numerous::handlers]` implement, and the static
//! description of an app they produce.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::session::Session;
use crate::spec::{AppData, AppSpec, HandlerSpec};
use crate::widget::{DynWidget, Event};

/// A numerous app: a struct of widgets, one instance per browser session.
///
/// Implemented by `#[numerous::app]`; not meant to be implemented by hand.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a numerous app",
    note = "put #[numerous::app(template = \"index.html\")] on the struct"
)]
pub trait App: Handlers + Send + Sized + 'static {
    /// Keys, kinds, template and handlers.
    #[doc(hidden)]
    const SPEC: AppSpec;

    /// A fresh instance, as a new session starts with.
    fn new() -> Self;

    #[doc(hidden)]
    fn widget(&self, index: usize) -> Option<&dyn DynWidget>;

    #[doc(hidden)]
    fn widget_mut(&mut self, index: usize) -> Option<&mut dyn DynWidget>;

    /// Renders the layout template, each widget as its container.
    #[doc(hidden)]
    fn render_template(&self, out: &mut String) -> askama::Result<()>;

    /// The app's own login page (`templates/numerous/login.html`), if it has one.
    #[doc(hidden)]
    fn login_page(page: &crate::auth::LoginPage<'_>) -> Option<String> {
        let _ = page;
        None
    }

    /// The app's own page for signed-in users it is not for
    /// (`templates/numerous/forbidden.html`), if it has one.
    #[doc(hidden)]
    fn forbidden_page(page: &crate::auth::ForbiddenPage<'_>) -> Option<String> {
        let _ = page;
        None
    }

    /// Whether the app has `#[state]` fields.
    #[doc(hidden)]
    const HAS_STATE: bool = false;

    /// Writes the `#[state]` fields as a JSON object.
    #[doc(hidden)]
    fn save_state(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        out.extend_from_slice(b"{}");
        Ok(())
    }

    /// Reads back what [`App::save_state`] wrote.
    #[doc(hidden)]
    fn restore_state(&mut self, bytes: &[u8]) -> serde_json::Result<()> {
        let _ = bytes;
        Ok(())
    }
}

/// The event handlers of an app: the dispatch table `#[numerous::handlers]` generates.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no handlers block",
    label = "add `#[numerous::handlers] impl {Self} {{ .. }}`",
    note = "every app has one impl block marked #[numerous::handlers], even an empty one"
)]
pub trait Handlers {
    #[doc(hidden)]
    const HANDLERS: &'static [HandlerSpec];

    #[doc(hidden)]
    fn call<'a>(
        &'a mut self,
        index: usize,
        ctx: &'a Session,
        content: Option<&'a serde_json::value::RawValue>,
    ) -> Call<'a>;
}

/// Lookup tables built once per app from its [`AppSpec`].
#[derive(Debug)]
pub(crate) struct Dispatch {
    index: HashMap<&'static str, usize>,
    /// Per widget: (event, handler index).
    handlers: Vec<Vec<(Event, usize)>>,
    /// `#[on_start]` handlers.
    pub(crate) start: Vec<usize>,
    /// `#[on_tabs]` handlers.
    pub(crate) tabs: Vec<usize>,
    /// Per handler: the widgets it can change, when known (see [`HandlerSpec::touches`]).
    touched: Vec<Option<Box<[usize]>>>,
}

impl Dispatch {
    /// Panics when a handler names no widget: the macros make that impossible for a
    /// well-formed app, so it is a bug worth stopping at start-up for.
    pub(crate) fn new(spec: &AppSpec, handler_specs: &[HandlerSpec]) -> Self {
        let index: HashMap<_, _> = spec
            .widgets
            .iter()
            .enumerate()
            .map(|(i, w)| (w.key, i))
            .collect();
        let mut handlers = vec![Vec::new(); spec.widgets.len()];
        let (mut start, mut tabs) = (Vec::new(), Vec::new());
        for (h, handler) in handler_specs.iter().enumerate() {
            // Lifecycle handlers name no widget.
            match handler.event {
                Event::Start => {
                    start.push(h);
                    continue;
                }
                Event::Tabs => {
                    tabs.push(h);
                    continue;
                }
                _ => {}
            }
            let Some(&w) = index.get(handler.widget) else {
                panic!(
                    "app `{}`: handler `{}` names `{}`, which is not a widget of the app",
                    spec.name, handler.name, handler.widget
                );
            };
            handlers[w].push((handler.event, h));
        }
        let touched = handler_specs
            .iter()
            .map(|h| {
                h.touches.map(|fields| {
                    let mut widgets: Vec<usize> = fields
                        .iter()
                        .filter_map(|f| index.get(f).copied())
                        .collect();
                    widgets.sort_unstable();
                    widgets.dedup();
                    widgets.into_boxed_slice()
                })
            })
            .collect();
        Dispatch {
            index,
            handlers,
            start,
            tabs,
            touched,
        }
    }

    /// The widgets handler `h` can change, if known: the diff after it looks at them only.
    pub(crate) fn touched(&self, h: usize) -> Option<&[usize]> {
        self.touched.get(h).and_then(|t| t.as_deref())
    }

    pub(crate) fn widget(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    pub(crate) fn handlers(&self, widget: usize, event: Event) -> impl Iterator<Item = usize> + '_ {
        self.handlers[widget]
            .iter()
            .filter(move |(e, _)| *e == event)
            .map(|(_, h)| *h)
    }
}

/// The error a handler returned; its text is shown to the user of the tab that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerError(pub String);

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a handler may return.
#[diagnostic::on_unimplemented(
    message = "a handler cannot return `{Self}`",
    label = "unsupported return type",
    note = "a handler returns nothing or `Result<(), E>` where `E: Display`"
)]
pub trait IntoHandlerResult {
    /// Converts to the runtime's result.
    fn into_handler_result(self) -> Result<(), HandlerError>;
}

impl IntoHandlerResult for () {
    fn into_handler_result(self) -> Result<(), HandlerError> {
        Ok(())
    }
}

impl<E: fmt::Display> IntoHandlerResult for Result<(), E> {
    fn into_handler_result(self) -> Result<(), HandlerError> {
        self.map_err(|e| HandlerError(e.to_string()))
    }
}

/// What a command handler (`#[on_command]`) answers, as JSON; `None` for other handlers.
pub(crate) type Reply = Option<Box<serde_json::value::RawValue>>;

/// What a command handler may return: `Result<T, E>`, `T` serializable, `E: Display`.
#[diagnostic::on_unimplemented(
    message = "a command handler cannot return `{Self}`",
    label = "unsupported return type",
    note = "an #[on_command] handler returns `Result<T, E>`: T is serialized as the answer of `experimental.invoke`, E (Display) is its error"
)]
pub trait IntoReply {
    /// Converts to the JSON answer, or the error.
    fn into_reply(self) -> Result<Box<serde_json::value::RawValue>, HandlerError>;
}

impl<T: serde::Serialize, E: fmt::Display> IntoReply for Result<T, E> {
    fn into_reply(self) -> Result<Box<serde_json::value::RawValue>, HandlerError> {
        let value = self.map_err(|e| HandlerError(e.to_string()))?;
        serde_json::value::to_raw_value(&value)
            .map_err(|e| HandlerError(format!("the answer does not serialize: {e}")))
    }
}

/// A started handler: done already (sync handlers, no allocation), or a future to drive.
#[doc(hidden)]
pub enum Call<'a> {
    Ready(Result<Reply, HandlerError>),
    /// The handler's message did not decode: the browser sent something the app does not take.
    Invalid(String),
    Future(Pin<Box<dyn Future<Output = Result<Reply, HandlerError>> + Send + 'a>>),
    /// The user may not run the handler (`#[requires]`).
    Forbidden(String),
}

impl<'a> Call<'a> {
    pub fn ready<R: IntoHandlerResult>(result: R) -> Self {
        Call::Ready(result.into_handler_result().map(|()| None))
    }

    pub fn future<F>(future: F) -> Self
    where
        F: Future + Send + 'a,
        F::Output: IntoHandlerResult,
    {
        Call::Future(Box::pin(async move {
            future.await.into_handler_result().map(|()| None)
        }))
    }

    /// A command handler that answered.
    pub fn reply<R: IntoReply>(result: R) -> Self {
        Call::Ready(result.into_reply().map(Some))
    }

    /// An async command handler.
    pub fn future_reply<F>(future: F) -> Self
    where
        F: Future + Send + 'a,
        F::Output: IntoReply,
    {
        Call::Future(Box::pin(async move { future.await.into_reply().map(Some) }))
    }

    /// A handler that could not start: its message did not decode.
    pub fn invalid(error: serde_json::Error) -> Self {
        Call::Invalid(format!("invalid message: {error}"))
    }

    pub fn unknown(index: usize) -> Self {
        Call::Ready(Err(HandlerError(format!("no handler number {index}"))))
    }
}

impl fmt::Debug for Call<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Call::Ready(r) => f.debug_tuple("Ready").field(r).finish(),
            Call::Invalid(e) => f.debug_tuple("Invalid").field(e).finish(),
            Call::Forbidden(e) => f.debug_tuple("Forbidden").field(e).finish(),
            Call::Future(_) => f.write_str("Future(..)"),
        }
    }
}

/// `Some(refusal)` unless the session's user has `role`: what `#[requires(role)]` expands to,
/// before the handler runs.
pub fn require_role<'a, R: crate::auth::RoleName>(
    ctx: &Session,
    role: R,
    handler: &str,
) -> Option<Call<'a>> {
    match ctx.user() {
        Some(user) if user.has_role(&role) => None,
        _ => Some(Call::Forbidden(format!(
            "`{handler}` needs the role `{}`",
            role.role_name()
        ))),
    }
}

/// `Some(refusal)` unless the session's user is an administrator (`#[requires(admin)]`).
pub fn require_admin<'a>(ctx: &Session, handler: &str) -> Option<Call<'a>> {
    match ctx.user() {
        Some(user) if user.is_admin => None,
        _ => Some(Call::Forbidden(format!(
            "`{handler}` is for administrators only"
        ))),
    }
}

/// The typed content of a custom message (`#[on_message]`, `#[on_command]`): what the
/// generated dispatch decodes a handler's argument with.
pub fn decode_message<T: serde::de::DeserializeOwned>(
    content: Option<&serde_json::value::RawValue>,
) -> Result<T, serde_json::Error> {
    serde_json::from_str(content.map_or("null", |c| c.get()))
}

/// What the runtime needs of an app type, as data: its spec and its functions. The server
/// stack (sessions, routes, the accept loop) takes this instead of a type parameter, so it is
/// compiled once, in numerous, and a binary compiles only its app's own code (as askama's
/// `DynTemplate` and numerous's own [`DynWidget`]).
#[derive(Debug)]
pub(crate) struct AppMeta {
    pub(crate) spec: &'static AppSpec,
    pub(crate) handlers: &'static [HandlerSpec],
    /// Whether the app has `#[state]` fields.
    pub(crate) has_state: bool,
    /// A fresh instance, as a new session starts with.
    pub(crate) new: fn() -> Box<dyn AppObject>,
    /// The app's own login page (`templates/numerous/login.html`).
    pub(crate) login_page: fn(&crate::auth::LoginPage<'_>) -> Option<String>,
    /// The app's own page for users it is not for (`templates/numerous/forbidden.html`).
    pub(crate) forbidden_page: fn(&crate::auth::ForbiddenPage<'_>) -> Option<String>,
}

impl AppMeta {
    /// The description of app `A`, one per type, in static memory.
    pub(crate) fn of<A: App>() -> &'static AppMeta {
        const {
            &AppMeta {
                spec: &A::SPEC,
                handlers: A::HANDLERS,
                has_state: A::HAS_STATE,
                new: new_object::<A>,
                login_page: A::login_page,
                forbidden_page: A::forbidden_page,
            }
        }
    }
}

fn new_object<A: App>() -> Box<dyn AppObject> {
    Box::new(A::new())
}

/// An app instance behind a pointer: the object-safe half of [`App`] and [`Handlers`] that a
/// session's task drives (its data through [`AppData`], the handlers here). Implemented for
/// every app.
pub(crate) trait AppObject: AppData {
    /// What its type is.
    fn meta(&self) -> &'static AppMeta;
    fn render_template(&self, out: &mut String) -> askama::Result<()>;
    fn call<'a>(
        &'a mut self,
        index: usize,
        ctx: &'a Session,
        content: Option<&'a serde_json::value::RawValue>,
    ) -> Call<'a>;
    /// The app itself, for a change a [`Handle`](crate::Handle) sends (which knows its type).
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<A: App> AppData for A {
    fn spec(&self) -> &'static AppSpec {
        AppMeta::of::<A>().spec
    }
    fn has_state(&self) -> bool {
        A::HAS_STATE
    }
    fn widget(&self, index: usize) -> Option<&dyn DynWidget> {
        App::widget(self, index)
    }
    fn widget_mut(&mut self, index: usize) -> Option<&mut dyn DynWidget> {
        App::widget_mut(self, index)
    }
    fn save_state(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        App::save_state(self, out)
    }
    fn restore_state(&mut self, bytes: &[u8]) -> serde_json::Result<()> {
        App::restore_state(self, bytes)
    }
}

impl<A: App> AppObject for A {
    fn meta(&self) -> &'static AppMeta {
        AppMeta::of::<A>()
    }
    fn render_template(&self, out: &mut String) -> askama::Result<()> {
        App::render_template(self, out)
    }
    fn call<'a>(
        &'a mut self,
        index: usize,
        ctx: &'a Session,
        content: Option<&'a serde_json::value::RawValue>,
    ) -> Call<'a> {
        Handlers::call(self, index, ctx, content)
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
