//! The static description of an app that `#[numerous::app]` and `#[numerous::handlers]` write
//! as constants: its widgets, template, `#[state]` fields and handlers. The build-time checks
//! (`handler_check.rs`) read it, and so does the runtime (`AppMeta` in app.rs).

use crate::handler_check::Emits;
use crate::widget::Event;

/// Static description of an app.
#[doc(hidden)]
#[derive(Debug)]
pub struct AppSpec {
    pub name: &'static str,
    pub template: &'static str,
    pub widgets: &'static [WidgetSpec],
    /// The `#[state]` fields, by name (for the build-time check of handlers).
    pub states: &'static [&'static str],
    /// Internal fragments the app replaces (`templates/numerous/<name>`): name, HTML.
    pub fragments: &'static [(&'static str, &'static str)],
}

/// One widget of an app.
#[doc(hidden)]
#[derive(Debug)]
pub struct WidgetSpec {
    pub key: &'static str,
    pub kind: &'static str,
    /// The field's type as written (for build-time messages).
    pub ty: &'static str,
    /// The events its type emits (for the build-time check of handlers).
    pub emits: Emits,
    pub debounce_ms: u32,
    pub module: Option<&'static str>,
    pub css: Option<&'static str>,
    pub isolated: bool,
}

/// One handler of an app.
#[doc(hidden)]
#[derive(Debug)]
pub struct HandlerSpec {
    pub name: &'static str,
    pub widget: &'static str,
    pub event: Event,
    /// `#[blocking]`: run with `block_in_place` on a multi-threaded runtime.
    pub blocking: bool,
    /// The resources its `Res<T>` parameters need, checked at start-up.
    pub resources: &'static [fn() -> (std::any::TypeId, &'static str)],
    /// The fields its body reaches through `self.<field>`, when that is the only way it uses
    /// `self` (then only those widgets can have changed); `None` when it may change any.
    pub touches: Option<&'static [&'static str]>,
}
