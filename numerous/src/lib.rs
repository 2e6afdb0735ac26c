//! # numerous
//!
//! Reactive web apps out of typed widgets, checked at compile time.
//!
//! An app is one struct of widgets and one impl block of handlers; its layout is an askama
//! template under `templates/` that places each widget with `{{ key }}`:
//!
//! ```no_run
//! use numerous::prelude::*;
//!
//! #[numerous::app(template = "index.html")]
//! struct Counter {
//!     #[widget(label = "Counter:")]
//!     counter: Number,
//!     #[widget(label = "Increment Counter")]
//!     increment: Button,
//! }
//!
//! #[numerous::handlers]
//! impl Counter {
//!     #[on_click(increment)]
//!     fn increment(&mut self) {
//!         self.counter.value += 1.0;
//!     }
//! }
//!
//! fn main() {
//!     numerous::run::<Counter>();
//! }
//! ```
//!
//! The build fails, with a message at the offending token, when the template names a widget the
//! app does not have, when a handler names a widget that cannot emit its event, or when a handler
//! has a signature the runtime cannot call.
//!
//! Each browser tab gets its own session: an instance of the struct owned by one tokio task.
//! The browser renders each widget with an ES module that follows the anywidget API and talks
//! to the session over one WebSocket (`docs/protocol.md`); after each event only the widgets
//! that changed are sent back.
//!
//! # A tour
//!
//! - **The app.** [`macro@app`] turns a struct of widgets and a template into an [`App`];
//!   [`macro@handlers`] turns `#[on_click(key)]`, `#[on_change]`, `#[on_submit]`,
//!   `#[on_message]`, `#[on_command]`, `#[on_start]` and `#[on_tabs]` methods into its dispatch
//!   table. A field marked `#[state]` is plain session state beside the widgets ([`StateField`]).
//! - **Widgets.** The built-in ones are in [`widgets`] (all in the [`prelude`]); their
//!   attributes (`label`, `options`, `min`...) are described in [`attrs`]. A widget of your own
//!   is a type implementing [`Widget`] with an anywidget ES module of its own.
//! - **What a handler sees.** `&mut self` (the session's app) and, if it asks, `ctx: &`[`Session`]:
//!   the signed-in user, toasts, [`Session::push`] to show progress, messages to a widget's
//!   module, background work through a [`Handle`], topics between sessions ([`Topic`],
//!   [`Publisher`]); and shared resources as parameters ([`Res`], registered with
//!   [`Options::resource`]).
//! - **Serving.** [`run`] reads the command line ([`Cli`]) and serves; [`run_with`] adds to the
//!   [`Options`] first; [`serve`] and [`serve_until`] serve on a listener of yours and return a
//!   [`ServeFuture`]; [`router`] gives an axum `Router` to merge with your own routes.
//! - **Sign-in.** [`auth`]: users from the environment or a database (feature `db`), argon2
//!   passwords, JWT sessions, roles (`#[requires(role)]` on a handler), a login page of yours
//!   or ours; [`Options::auth`] protects an app.
//! - **Several apps in one server.** [`Server`]: each app under its prefix, one sign-in for all
//!   or one each.
//! - **Several instances.** [`store`]: sessions kept in Redis (feature `redis`) so a tab moves
//!   between instances behind a load balancer with its state; [`Options::session_store`].
//! - **Testing.** [`testing::TestSession`] drives one session without a browser or a socket
//!   (click, set, read the app); [`testing::TestServer`] runs many as tasks.
//!
//! `docs/architecture.md` in the repository maps the code behind these.
#![deny(missing_docs)]

mod api;
mod app;
mod assets;
pub mod attrs;
pub mod auth;
mod bytes;
mod connection;
#[cfg(debug_assertions)]
mod dev;
mod error;
pub mod form;
mod handle;
mod handler_check;
mod html;
mod http;
mod markdown;
mod mount;
mod options;
mod outbox;
mod page;
mod protocol;
#[cfg(feature = "redis")]
mod redis_broker;
pub mod recording {
    //! A session's inputs recorded, to replay as a test.
    //!
    //! Switched on for every session of an app ([`Options::record_sessions`](crate::Options::record_sessions))
    //! or for one by an administrator (`POST /api/admin/sessions/record`); read back as a
    //! [`Recording`], replayed through [`crate::testing::replay`], or turned into a test
    //! ([`Recording::to_rust_test`]). What is kept, and what never is: see [`Recording`].
    pub use crate::session::recording::{
        DEFAULT_LIMIT, FORMAT, RecordSessions, RecordedUser, Recording, Step,
    };
}
mod registry;
mod resources;
mod serve;
mod server;
mod session;
mod spec;
mod sse;
mod state;
pub mod store;
pub mod testing;
mod topics;
mod upload;
mod util;
mod widget;
pub mod widgets;

pub use app::{App, HandlerError, Handlers, IntoHandlerResult, IntoReply};
pub use bytes::Bytes;
pub use error::Error;
pub use handle::{Handle, UpdateError};
/// Turns a struct into a numerous app: one instance per browser session.
///
/// ```no_run
/// use numerous::prelude::*;
///
/// #[numerous::app(template = "todo.html")]
/// struct Todo {
///     #[widget(placeholder = "What needs doing?")]
///     new_item: TextInput,
///     #[widget(label = "Add", variant = "primary")]
///     add: Button,
///     #[widget(content = "Nothing yet.")]
///     list: Markdown,
///     #[state]
///     items: Vec<String>,
///     #[state(init = "To do".to_owned())]
///     title: String,
/// }
/// # #[numerous::handlers] impl Todo {}
/// ```
///
/// # The struct
///
/// - Every field is a **widget** (a type implementing [`Widget`]: the built-ins in
///   [`prelude`], or a [`widget`](macro@widget) of your own) unless it is marked `#[state]`.
///   The field's name is the widget's key: `{{ new_item }}` in the template, `"widget":"new_item"`
///   on the wire.
/// - `#[state]` marks **plain session state**: kept per session beside the widgets, never sent to
///   the browser, rolled back with them when a handler fails. It must implement serde's
///   `Serialize` and `Deserialize`; `#[state(init = expr)]` gives its starting value (`Default`
///   otherwise).
/// - No generics, named fields only, at least one widget.
///
/// # `#[widget(key = value, ..)]`
///
/// Each key calls the method of the same name of a trait in [`attrs`] on the widget, in the order
/// written, after the widget is built: by `init = expr` if given, by `Default` otherwise. So
/// `#[widget(init = Number::default().value(5.0), label = "Count")]` starts from `init`, then sets
/// the label. A key the widget does not take fails the build at the key; an unknown key lists the
/// known ones: `label`, `value`, `options`, `tabs`, `min`, `max`, `step`, `placeholder`,
/// `content`, `disabled`, `unit`, `variant`, `rows`, `max_bytes`, `accept`, `src`, `columns`,
/// `init`, `debounce`. `debounce = ms` sets how often the browser sends a fast-changing value
/// (sliders 50 ms and text 150 ms by default); a key alone (`disabled`) means `= true`.
///
/// # The template
///
/// `template = "name.html"` is read from the `templates/` folder beside the crate's
/// `Cargo.toml` (with the files it `include`s or `extends`, which are tracked: editing one
/// rebuilds the app). It is an [askama](https://askama.rs) template. `{{ key }}` places a widget
/// (its container `<div id="key" class="numerous-widget numerous-widget-<kind>">`); a name the app
/// does not have fails the build with the closest key; a widget never placed fails it too. A
/// `#[state]` field may be shown (`{{ title }}`, escaped, rendered once when the page loads: what
/// changes while the page is open belongs in a widget). `{{ tabs.panel("Name") }}` on an element
/// shows it only under that tab of a `Tabs` widget `tabs`; an `Accordion` works the same way.
///
/// The page gets numerous's stylesheet, whose classes a template may use: `numerous-app` (on
/// `<body>`), `numerous-page` (the centred column), `numerous-card` (a panel), `numerous-row`
/// (widgets side by side, wrapping); for a template's own markup, the widgets' looks:
/// `numerous-btn` with `numerous-btn-primary`, `-secondary` or `-danger` on a `<button>`,
/// `numerous-input` on an `<input>`, `<select>` or `<textarea>`, `numerous-field` on a `<label>`
/// around `numerous-label` text and its control. Its colours, fonts and radii are CSS variables
/// (`--numerous-color-primary`, ..) to override, in light and dark.
#[doc(inline)]
pub use numerous_macros::app;
pub use server::Server;

/// Registers an app's event handlers: the methods of one `impl` block.
///
/// ```no_run
/// use numerous::prelude::*;
/// # #[numerous::app(template = "job.html")]
/// # struct Job { progress: Slider, start: Button }
///
/// #[numerous::handlers]
/// impl Job {
///     #[on_start]
///     fn started(&mut self) {
///         self.progress.value = 0.0;
///     }
///
///     #[on_click(start)]
///     async fn start(&mut self, ctx: &Session) -> Result<(), String> {
///         for step in 1..=10 {
///             tokio::time::sleep(std::time::Duration::from_millis(100)).await;
///             self.progress.value = f64::from(step * 10);
///             ctx.push(self);
///         }
///         Ok(())
///     }
/// }
/// ```
///
/// - Events: `#[on_click(w)]` (a `Button`, a `Download`), `#[on_change(w)]` (any input),
///   `#[on_submit(w)]` (Enter in a `TextInput`), `#[on_message(w)]` (a custom widget's
///   `model.send`; the handler takes the message as any `Deserialize` type), `#[on_command(w)]`
///   (the module's `experimental.invoke(name, msg)` calls the method of that name, which returns
///   `Result<T, E>`: `T` is the answer), `#[on_start]` (a session starts), `#[on_tabs]` (a tab of
///   the session opened or closed; [`Session::tabs`] says how many are open). One method may carry
///   several. A name that is not a widget of the app, or a widget that cannot emit the event,
///   fails the build at the name; the message lists the app's widgets that can.
/// - Signature: `&mut self`, then in any order the context `ctx: &Session`, shared resources
///   `Res<T>` ([`Options::resource`]), and with `#[on_message]` the message. `fn` or `async fn`;
///   returning nothing or `Result<(), E: Display>` (an error is shown in the tab and the session
///   is rolled back to its last good state, as for a panic).
/// - `#[blocking]` on a plain `fn` that computes or blocks for long: other sessions go on
///   meanwhile.
/// - Methods without these attributes are ordinary methods (helpers, topic handlers).
#[doc(inline)]
pub use numerous_macros::handlers;

/// Declares a custom widget: its state is the struct, its look an anywidget ES module.
///
/// ```no_run
/// # mod hidden {
/// #[numerous::widget(module = "tests/widgets/label.js", css = "tests/widgets/shared.css", messages)]
/// #[derive(Debug, Default)]
/// pub struct Styled {
///     /// The browser may write this field (`model.set` + `save_changes`).
///     #[input]
///     #[serde(rename = "className")]
///     pub class_name: String,
///     pub text: String,
/// }
/// # }
/// ```
///
/// - `module = "path.js"` (required) and `css = "path.css"` are read relative to the crate's
///   `Cargo.toml` and embedded in the binary; a missing file fails the build at its path, and so
///   does a module that imports a file beside it (bundle it first).
/// - `messages`: the module sends messages (`model.send`) to `#[on_message]` handlers.
/// - `isolated`: the widget is drawn in a shadow root that holds its stylesheet, so a library's
///   CSS (a reset, a theme) cannot restyle the page, nor the page's CSS the widget.
/// - The module is checked against the struct when the crate builds: a literal name it reads,
///   writes or listens to (`model.get("x")`, `model.set("x", ..)`, `model.on("change:x", ..)`)
///   that is not a field, a write of a field that is not `#[input]`, or a `model.send` without
///   `messages` fails the build with the module's line and column. Names computed at run time
///   and models under another name than `model` are not checked; `unchecked` turns it off.
/// - `types` writes a TypeScript declaration of the model beside the module (`x.js` →
///   `x.d.ts`; `types = "dir"`: `dir/<kind>.d.ts`) when it changed, for `// @ts-check` modules
///   and editors.
/// - `kind = "name"`: the widget's kind (its CSS class `numerous-widget-<kind>`); the struct's name
///   in kebab case by default.
/// - The struct derives serde's traits through the macro; `#[serde(..)]` attributes on fields
///   apply both ways (a `rename` is the key the module sees and writes).
/// - `#[input]` marks the fields the browser may write; others are refused, with the field named.
#[doc(inline)]
pub use numerous_macros::widget;

/// Makes an enum of unit variants a set of roles, so `#[requires(Role::Editr)]` is a build
/// error, not a handler nobody can run. `Editor` is the role `"editor"`; `#[role = "name"]`
/// names a variant otherwise.
///
/// ```no_run
/// #[derive(numerous::Roles)]
/// enum Role {
///     Editor,
///     #[role = "read-only"]
///     Viewer,
/// }
/// ```
pub use numerous_macros::Roles;

/// Reads several widgets at once into a struct of plain values, checking each field
/// (`#[form(required, min = 0.01, max_len = 80, check = f, message = "..")]`): the handler gets
/// the typed value, or each refused field shows its message under its widget. See [`form`].
pub use numerous_macros::Form;
pub use numerous_macros::{
    on_change, on_click, on_command, on_message, on_start, on_submit, on_tabs, requires,
};
pub use options::{AppTask, Cli, DEFAULT_CONTENT_SECURITY_POLICY, Options};
#[cfg(feature = "redis")]
pub use redis_broker::RedisBroker;
pub use resources::{AppContext, Res, Resources};
pub use serve::{ServeFuture, init_tracing, router, run, run_with, serve, serve_until, try_router};
pub use session::{Session, ToastLevel, WidgetView};
pub use state::StateField;
pub use store::Migration;
pub use topics::{Broker, Envelope, LocalBroker, Message, Publisher, TOPIC_BUFFER, Topic};
pub use widget::{
    Batch, EmitsChange, EmitsClick, EmitsMessage, EmitsSubmit, Event, InputError, NoInput, Served,
    Upload, ValueInput, Widget,
};

/// A JSON value (a table cell, a custom message), and the macro that writes one:
/// `json!({"a": 1})`. Re-exported so an app needs no dependency of its own.
pub use serde_json::{Value as Json, json};

/// The axum numerous is built on, for your own routes ([`Options::routes`]) without a
/// dependency of your own.
pub use axum;
/// For a shared static folder ([`Server::shared_static`]).
pub use rust_embed;

/// Everything an app file needs: `use numerous::prelude::*;`.
pub mod prelude {
    pub use crate::attrs::{
        Accept, Columns, Content, Descending, Disabled, Formats, Key, Label, Max, MaxBytes, Min,
        Multiple, OptionList, Placeholder, Rows, Searchable, Select, SortBy, Src, Step, TabList,
        Unit, Value, Variant,
    };
    pub use crate::widgets::{
        Accordion, Button, Chart, ChartKind, Chat, Checkbox, DatePicker, Download, DropDown, Feed,
        FileUpload, Html, Image, MapPicker, Markdown, Metric, Modal, MultiSelect, Number,
        ProgressBar, RadioGroup, RangeSlider, Series, Slider, Table, Tabs, TextArea, TextInput,
        Toggle,
    };
    pub use crate::{
        Handle, Res, Session, ToastLevel, Topic, on_change, on_click, on_command, on_message,
        on_start, on_submit, on_tabs, requires,
    };
}

/// What generated code uses. Not a public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::app::{Call, decode_message, require_admin, require_role};
    pub use crate::handler_check::{ConstMessage, Probe, ProbeFallback, handler_widget_error};
    pub use crate::protocol::decode_frame;
    pub use crate::session::FromSession;
    pub use crate::spec::{AppSpec, Emits, HandlerSpec, WidgetSpec};
    pub use crate::state::{
        StateDefault, StateField, StateMap, StateOps, StateWriter, assert_shown, state,
        state_default,
    };
    pub use crate::widget::{DynWidget, Event, Slot, dyn_widget, dyn_widget_mut};
    pub use askama;
    pub use serde_json;
    pub use serde_json::value::RawValue;

    pub use serde;

    /// A field of a custom widget the browser wrote, `null` included: an `Option` field set
    /// to `null` is `Some(None)`, not "not written" (which a missing field is).
    ///
    /// # Errors
    ///
    /// When the value is not one of the field's.
    pub fn written<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: serde::Deserializer<'de>,
        T: serde::Deserialize<'de>,
    {
        T::deserialize(d).map(Some)
    }
}
