//! The static description of an app that `#[numerous::app]` and `#[numerous::handlers]` write
//! as constants: its widgets, template, `#[state]` fields and handlers. The build-time checks
//! (`handler_check.rs`) read it, and so does the runtime (`AppMeta` in app.rs).

use crate::widget::{DynWidget, Event};

/// An app instance as data: its widgets by index and its `#[state]`, what a session's tabs
/// read and write of it (the welcome, the diff, snapshots and rollback). The handler-free half
/// of the app traits (`AppObject` in app.rs adds the handlers), so the session's machinery
/// below them needs nothing of them.
pub(crate) trait AppData: Send + 'static {
    /// What its type is.
    fn spec(&self) -> &'static AppSpec;
    /// Whether it has `#[state]` fields.
    fn has_state(&self) -> bool;
    fn widget(&self, index: usize) -> Option<&dyn DynWidget>;
    fn widget_mut(&mut self, index: usize) -> Option<&mut dyn DynWidget>;
    fn save_state(&self, out: &mut Vec<u8>) -> serde_json::Result<()>;
    fn restore_state(&mut self, bytes: &[u8]) -> serde_json::Result<()>;
}

/// The index of `widget` among `app`'s widgets, if it is one of its fields.
pub(crate) fn widget_index<W: ?Sized>(app: &dyn AppData, widget: &W) -> Option<usize> {
    let target = (widget as *const W).cast::<()>();
    (0..app.spec().widgets.len()).find(|&i| {
        app.widget(i)
            .is_some_and(|w| std::ptr::eq((w as *const dyn DynWidget).cast::<()>(), target))
    })
}

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
    /// The field's doc comment (`///`), for `/api/describe`; empty without one.
    pub doc: &'static str,
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

/// Which events a widget type emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Emits {
    /// [`EmitsClick`](crate::widget::EmitsClick).
    pub click: bool,
    /// [`EmitsChange`](crate::widget::EmitsChange).
    pub change: bool,
    /// [`EmitsSubmit`](crate::widget::EmitsSubmit).
    pub submit: bool,
    /// [`EmitsMessage`](crate::widget::EmitsMessage) (`#[on_message]` and `#[on_command]`).
    pub message: bool,
}

// There is no `Emits::of::<W>()`: inside a generic function `Probe::<W>::CLICK` would always
// be the fallback's `false`. The app macro writes `Emits { click: Probe::<Number>::CLICK, .. }`
// for each concrete field type, with `ProbeFallback` in scope (handler_check.rs).
impl Emits {
    /// Whether the widget emits `event`.
    pub(crate) const fn has(&self, event: Event) -> bool {
        match event {
            Event::Click => self.click,
            Event::Change => self.change,
            Event::Submit => self.submit,
            Event::Message | Event::Command => self.message,
            Event::Start | Event::Tabs => false,
        }
    }
}
