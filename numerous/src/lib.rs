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
#![deny(missing_docs)]

mod app;
mod assets;
pub mod attrs;
mod connection;
mod handle;
mod http;
mod markdown;
mod options;
mod outbox;
mod page;
mod protocol;
mod resources;
mod runtime;
mod server;
mod session;
mod sse;
mod state;
mod testing_session;
mod topics;
mod upload;
mod widget;
pub mod widgets;

pub use app::{App, HandlerError, Handlers, IntoHandlerResult};
pub use handle::{Handle, UpdateError};
pub use numerous_macros::{app, handlers, on_change, on_click, on_message, on_submit, widget};
pub use options::{AppContext, AppTask, Cli, DEFAULT_CONTENT_SECURITY_POLICY, Options};
pub use resources::{Res, Resources};
pub use server::{init_tracing, router, run, run_with, serve, serve_until};
pub use session::{Session, ToastLevel};
pub use state::StateField;
pub use topics::{Broker, Envelope, LocalBroker, Message, Publisher, TOPIC_BUFFER, Topic};
pub use widget::{
    EmitsChange, EmitsClick, EmitsMessage, EmitsSubmit, Event, InputError, NoInput, Served, Upload,
    ValueInput, Widget,
};

/// A JSON value (a table cell, a custom message), and the macro that writes one:
/// `json!({"a": 1})`. Re-exported so an app needs no dependency of its own.
pub use serde_json::{Value as Json, json};

/// The axum numerous is built on, for your own routes ([`Options::routes`]) without a
/// dependency of your own.
pub use axum;

/// Driving an app in-process, for tests and benchmarks.
pub mod testing {
    pub use crate::testing_session::{TestServer, TestSession};
}

/// Errors that stop a server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address could not be bound.
    #[error("cannot listen on {0}: {1}{hint}", hint = bind_hint(.1))]
    Bind(String, #[source] std::io::Error),
    /// Serving failed.
    #[error("server error: {0}")]
    Serve(#[source] std::io::Error),
}

fn bind_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            " (another program uses this port: choose another with --port or NUMEROUS_PORT)"
        }
        _ => "",
    }
}

/// Everything an app file needs: `use numerous::prelude::*;`.
pub mod prelude {
    pub use crate::attrs::{
        Accept, Columns, Content, Disabled, Label, Max, MaxBytes, Min, OptionList, Placeholder,
        Rows, Src, Step, TabList, Unit, Value, Variant,
    };
    pub use crate::widgets::{
        Accordion, Button, Chart, ChartKind, Checkbox, DatePicker, Download, DropDown, Feed,
        FileUpload, Html, Image, Markdown, Metric, MultiSelect, Number, ProgressBar, RadioGroup,
        RangeSlider, Series, Slider, Table, Tabs, TextArea, TextInput, Toggle,
    };
    pub use crate::{
        Handle, Res, Session, ToastLevel, Topic, on_change, on_click, on_message, on_submit,
    };
}

/// What generated code uses. Not a public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::app::{AppSpec, Call, HandlerSpec, WidgetSpec};
    pub use crate::resources::FromSession;
    pub use crate::state::{
        StateField, StateMap, StateWriter, assert_shown, state_from, state_ref,
    };
    pub use crate::widget::{DynWidget, Event, Slot};
    pub use askama;
    pub use serde_json;
    pub use serde_json::value::RawValue;

    /// A widget field as the runtime sees it.
    pub fn dyn_widget<W: crate::Widget>(w: &W) -> &dyn DynWidget {
        w
    }

    /// A widget field as the runtime sees it, mutably.
    pub fn dyn_widget_mut<W: crate::Widget>(w: &mut W) -> &mut dyn DynWidget {
        w
    }

    /// Decodes a browser frame, as the event path's first step does (for benchmarks).
    pub fn decode_frame(text: &str) -> bool {
        serde_json::from_str::<crate::protocol::ClientFrame<'_>>(text).is_ok()
    }

    /// Fails to compile, at the widget's name, unless it emits clicks.
    pub fn assert_emits_click<W: crate::EmitsClick>(_: &W) {}

    /// Fails to compile, at the widget's name, unless it emits changes.
    pub fn assert_emits_change<W: crate::EmitsChange>(_: &W) {}

    /// Fails to compile, at the widget's name, unless it can be submitted.
    pub fn assert_emits_submit<W: crate::EmitsSubmit>(_: &W) {}

    /// Fails to compile, at the widget's name, unless it sends custom messages.
    pub fn assert_emits_message<W: crate::EmitsMessage>(_: &W) {}

    /// The typed content of a custom message.
    pub fn decode_message<T: serde::de::DeserializeOwned>(
        content: Option<&serde_json::value::RawValue>,
    ) -> Result<T, serde_json::Error> {
        serde_json::from_str(content.map_or("null", |c| c.get()))
    }

    pub use serde;
}
