//! The [`Widget`] trait, the events widgets emit, and the type-erased view the runtime uses.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// A piece of UI whose state lives in the session on the server and is rendered in the browser
/// by an ES module following the anywidget API.
///
/// The whole state is serialized with serde: it is what the browser's `model.get(..)` sees. What
/// the browser may change is only [`Widget::Input`], validated by [`Widget::apply`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a numerous widget",
    label = "a field without #[state] is a widget",
    note = "for plain session state (a list, a name, a count) mark the field #[state]; it must be serde-serializable",
    note = "the built-in widgets are listed in `numerous::prelude` and the README"
)]
pub trait Widget: Serialize + DeserializeOwned + Default + Send + 'static {
    /// The name of the widget's ES module and stylesheet under `numerous/static/widgets/`.
    const KIND: &'static str;

    /// The fields the browser may write, e.g. `{ value: f64 }`. Unknown fields are rejected.
    type Input: DeserializeOwned;

    /// The ES module source of a custom widget (embedded at compile time); `None` for the
    /// built-in widgets, whose modules are `numerous/static/widgets/<KIND>.js`.
    const MODULE: Option<&'static str> = None;

    /// The stylesheet of a custom widget; `None` for none (or a built-in widget).
    const CSS: Option<&'static str> = None;

    /// The doc comments of the fields the browser may write, by their JSON name, for
    /// `/api/describe` (a custom widget's `///` lines on its `#[input]` fields).
    const FIELD_DOCS: &'static [(&'static str, &'static str)] = &[];

    /// Render the widget in a shadow root with its stylesheet inside: the module's CSS cannot
    /// reach the page, nor the page's the widget (`#[numerous::widget(.., isolated)]`). Off for
    /// the built-in widgets, which the theme styles.
    const ISOLATED: bool = false;

    /// The browser waits this long after a change before sending it, and sends at most one
    /// update per interval while the user keeps changing it (slider drags, typing).
    /// `#[widget(debounce = ms)]` overrides it per field.
    const DEBOUNCE_MS: u32 = 0;

    /// Whether a browser change is sent back to the tab that made it. Off for widgets whose
    /// input is their state (that tab has it already); on for widgets whose input produces
    /// state the browser cannot compute (a table's next page of rows).
    const ECHO_INPUT: bool = false;

    /// Applies a validated browser update. On error nothing may have changed.
    fn apply(&mut self, input: Self::Input) -> Result<(), InputError>;

    /// Handles a custom message sent by the widget's module with `model.send(content)`,
    /// returning the event it stands for, if any.
    fn message(&mut self, content: &RawValue) -> Result<Option<Event>, InputError> {
        let _ = content;
        Err(InputError::NoMessages)
    }

    /// Receives a file uploaded to this widget (`POST <prefix>/upload/<key>`).
    fn upload(&mut self, file: Upload) -> Result<Option<Event>, InputError> {
        let _ = file;
        Err(InputError::Rejected("this widget takes no uploads".into()))
    }

    /// Writes the state as JSON (what the browser's model holds). The default serializes the
    /// widget with serde; a widget may write the same bytes faster.
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(out, self)
    }

    /// A patch smaller than the whole state, written to `out`, when the change since `previous`
    /// (the state last sent, as JSON) allows one; `false` sends the whole state. A patch is a
    /// partial state the browser merges into the widget's model, with two operators for lists:
    /// `"$append": {"field": [..]}` adds items to an array field and `"$keep": {"field": n}` then
    /// keeps its last `n`. [`crate::widgets::Feed`] uses it: one new chat line is sent alone.
    fn write_patch(&self, previous: &[u8], out: &mut Vec<u8>) -> bool {
        let _ = (previous, out);
        false
    }

    /// A file this widget offers the browser to fetch (`GET <prefix>/download/<key>`): a
    /// [`crate::widgets::Download`]'s last file. `None` (the default) for none.
    fn served_file(&self) -> Option<Served> {
        None
    }

    /// The largest file [`Widget::upload`] takes now, in bytes; `None` (the default) when the
    /// widget takes no uploads. The server refuses a larger file before reading it.
    fn upload_limit(&self) -> Option<usize> {
        None
    }

    /// Called once the handlers of an upload have run (or it had none): a
    /// [`crate::widgets::FileUpload`] lets go of the file's bytes here.
    fn upload_handled(&mut self) {}

    /// Called once the handlers of a message from the widget's module have run (or it had
    /// none): a [`crate::widgets::Chat`] lets go of what the user sent here.
    fn message_handled(&mut self) {}

    /// Puts back the state last sent to the browser, after a failed handler. The default
    /// replaces the widget with that state; widgets holding more than they send (a table's
    /// rows, an upload's bytes) keep that part.
    fn restore(&mut self, state: &[u8]) -> serde_json::Result<()> {
        *self = serde_json::from_slice(state)?;
        Ok(())
    }

    /// For widgets holding more than they send (a [`crate::widgets::Table`]'s rows): a number
    /// that changes whenever that part changes. A session store then keeps that part too
    /// ([`Widget::write_saved`]), so it moves with the session to another server. `None` (the
    /// default): what the widget sends is all there is.
    fn saved_revision(&self) -> Option<u64> {
        None
    }

    /// Writes, as JSON, what the widget holds besides the state it sends (see
    /// [`Widget::saved_revision`]).
    fn write_saved(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        out.extend_from_slice(b"null");
        Ok(())
    }

    /// Reads back what [`Widget::write_saved`] wrote, after [`Widget::restore`] put back the
    /// state sent.
    fn restore_saved(&mut self, saved: &[u8]) -> serde_json::Result<()> {
        let _ = saved;
        Ok(())
    }
}

/// For a widget whose state is a head (everything but what it appends) followed by the count
/// of what it appended ([`crate::widgets::Feed`], [`crate::widgets::Chart`]): that count in the
/// state last sent (`previous`), when `previous` starts with `head`, that is when nothing but
/// appending changed since. No parsing of what was appended.
pub(crate) fn count_after_head(previous: &[u8], head: &[u8]) -> Option<u64> {
    let rest = previous.strip_prefix(head)?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
}

/// A file uploaded from the browser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upload {
    /// The file's name, as the browser gave it.
    pub name: String,
    /// Its media type, as the browser gave it.
    pub mime: String,
    /// Its content.
    pub bytes: Vec<u8>,
    /// Where it comes among files the user picked together, if they picked several.
    pub batch: Option<Batch>,
}

/// Where a file comes among the files a user picked or dropped together: the `index`-th (from
/// 1) of `count`. Each file is uploaded and handled on its own, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Batch {
    /// Its place, from 1.
    pub index: usize,
    /// How many files the user picked.
    pub count: usize,
}

impl Batch {
    /// The most files one batch may hold.
    pub const MAX_FILES: usize = 1000;

    /// File `index` (from 1) of `count`, or why that is no place in a batch.
    pub fn new(index: usize, count: usize) -> Result<Batch, String> {
        if (1..=count).contains(&index) && count <= Self::MAX_FILES {
            Ok(Batch { index, count })
        } else {
            Err(format!(
                "file {index} of {count} is no place in a batch: 1 ≤ part ≤ of ≤ {}",
                Self::MAX_FILES
            ))
        }
    }

    /// Whether this is the batch's last file: the moment to act on all of them. (When the
    /// browser cannot send a file of a batch, it says so in the page and sends none after it:
    /// that batch has no last file.)
    pub fn is_last(&self) -> bool {
        self.index == self.count
    }
}

/// A file a widget serves over HTTP.
#[derive(Debug, Clone)]
pub struct Served {
    /// The name the browser saves it under.
    pub name: String,
    /// Its media type.
    pub mime: String,
    /// Which file of the widget this is (the browser asks for the one its state names).
    pub nonce: u64,
    /// The content.
    pub bytes: std::sync::Arc<[u8]>,
}

/// Events a widget can emit, which `#[on_click]` and `#[on_change]` handlers answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// A click (buttons).
    Click,
    /// The browser changed the widget's value.
    Change,
    /// The widget's module sent a custom message (`model.send(content)`).
    Message,
    /// The session started (`#[on_start]`; no widget).
    Start,
    /// A tab of the session opened or closed (`#[on_tabs]`; no widget).
    Tabs,
    /// The user submitted the widget (Enter in a `TextInput`).
    Submit,
    /// The widget's module called `experimental.invoke(name, ..)` (`#[on_command]`).
    Command,
}

impl Event {
    /// The event's name on the wire and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Click => "click",
            Self::Change => "change",
            Self::Message => "message",
            Self::Start => "start",
            Self::Tabs => "tabs",
            Self::Submit => "submit",
            Self::Command => "command",
        }
    }
}

/// Widgets that emit [`Event::Click`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be clicked, so #[on_click] cannot name it",
    label = "this widget emits no click events",
    note = "#[on_click] needs a widget that emits clicks, such as `Button`; use #[on_change] for a value change"
)]
pub trait EmitsClick: Widget {}

/// Widgets that emit [`Event::Change`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no value the browser can change, so #[on_change] cannot name it",
    label = "this widget emits no change events",
    note = "#[on_change] needs an input widget, such as `Number`, `DropDown`, `Slider`, `TextInput`, `Checkbox` or `Tabs`; use #[on_click] for a `Button`"
)]
pub trait EmitsChange: Widget {}

/// Widgets that emit [`Event::Submit`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be submitted, so #[on_submit] cannot name it",
    label = "this widget emits no submit events",
    note = "#[on_submit] needs a widget the user submits, such as `TextInput` (Enter)"
)]
pub trait EmitsSubmit: Widget {}

/// Widgets whose module sends custom messages to `#[on_message]` handlers.
#[diagnostic::on_unimplemented(
    message = "`{Self}` sends no custom messages, so #[on_message] cannot name it",
    label = "this widget emits no messages",
    note = "#[on_message] needs a custom widget declared with #[numerous::widget(.., messages)]"
)]
pub trait EmitsMessage: Widget {}

/// Why a browser update or message was refused. Nothing changed when this is returned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InputError {
    /// The update is not valid JSON for the widget's input (unknown field, wrong type).
    #[error("{0}")]
    Invalid(String),
    /// The value is well-formed but not allowed (out of range, not one of the options).
    #[error("{0}")]
    Rejected(String),
    /// The widget does not take custom messages.
    #[error("this widget takes no messages")]
    NoMessages,
}

/// The field names a type deserializes from, as serde's derive declares them (renames
/// applied): what `deserialize_struct` is asked for. Empty for anything that is not a struct.
pub(crate) fn fields_of<'de, T: serde::Deserialize<'de>>() -> &'static [&'static str] {
    use serde::de::{self, Visitor};

    struct Probe<'a>(&'a mut &'static [&'static str]);

    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("probed")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<M: fmt::Display>(_: M) -> Self {
            Stop
        }
    }

    impl<'de> de::Deserializer<'de> for Probe<'_> {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            *self.0 = fields;
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }

    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

/// The object-safe view of a widget that the runtime works with.
#[doc(hidden)]
pub trait DynWidget: Send {
    fn kind(&self) -> &'static str;
    fn write_state(&self, out: &mut Vec<u8>) -> serde_json::Result<()>;
    fn apply_json(&mut self, input: &str) -> Result<(), InputError>;
    fn message_json(&mut self, content: &RawValue) -> Result<Option<Event>, InputError>;
    fn restore(&mut self, state: &[u8]) -> serde_json::Result<()>;
    fn upload(&mut self, file: Upload) -> Result<Option<Event>, InputError>;
    fn upload_limit(&self) -> Option<usize>;
    fn upload_handled(&mut self);
    fn message_handled(&mut self);
    fn served_file(&self) -> Option<Served>;
    fn echo_input(&self) -> bool;
    fn write_patch(&self, previous: &[u8], out: &mut Vec<u8>) -> bool;
    /// The fields the browser may write, by their wire names (the HTTP API's description).
    fn input_fields(&self) -> &'static [&'static str];
    /// [`Widget::FIELD_DOCS`].
    fn field_docs(&self) -> &'static [(&'static str, &'static str)];
    fn saved_revision(&self) -> Option<u64>;
    fn write_saved(&self, out: &mut Vec<u8>) -> serde_json::Result<()>;
    fn restore_saved(&mut self, saved: &[u8]) -> serde_json::Result<()>;
}

impl<W: Widget> DynWidget for W {
    fn kind(&self) -> &'static str {
        W::KIND
    }

    fn field_docs(&self) -> &'static [(&'static str, &'static str)] {
        W::FIELD_DOCS
    }
    fn input_fields(&self) -> &'static [&'static str] {
        fields_of::<W::Input>()
    }

    fn write_state(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        self.write_json(out)
    }

    fn apply_json(&mut self, input: &str) -> Result<(), InputError> {
        // serde also reads a struct from a JSON array of its fields; the protocol is objects.
        if !input.trim_start().starts_with('{') {
            return Err(InputError::Invalid(
                "`state` must be an object of fields, e.g. {\"value\": 3}".into(),
            ));
        }
        let input: W::Input = serde_json::from_str(input).map_err(|e| {
            let mut message = strip_position(&e);
            if W::MODULE.is_some() && message.starts_with("unknown field") {
                message.push_str(
                    "; the browser may write only the fields marked #[input] in the widget's struct",
                );
            }
            InputError::Invalid(message)
        })?;
        self.apply(input)
    }

    fn message_json(&mut self, content: &RawValue) -> Result<Option<Event>, InputError> {
        self.message(content)
    }

    fn restore(&mut self, state: &[u8]) -> serde_json::Result<()> {
        Widget::restore(self, state)
    }

    fn upload(&mut self, file: Upload) -> Result<Option<Event>, InputError> {
        Widget::upload(self, file)
    }

    fn upload_limit(&self) -> Option<usize> {
        Widget::upload_limit(self)
    }

    fn upload_handled(&mut self) {
        Widget::upload_handled(self)
    }

    fn message_handled(&mut self) {
        Widget::message_handled(self)
    }

    fn served_file(&self) -> Option<Served> {
        Widget::served_file(self)
    }

    fn echo_input(&self) -> bool {
        W::ECHO_INPUT
    }

    fn write_patch(&self, previous: &[u8], out: &mut Vec<u8>) -> bool {
        Widget::write_patch(self, previous, out)
    }

    fn saved_revision(&self) -> Option<u64> {
        Widget::saved_revision(self)
    }

    fn write_saved(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        Widget::write_saved(self, out)
    }

    fn restore_saved(&mut self, saved: &[u8]) -> serde_json::Result<()> {
        Widget::restore_saved(self, saved)
    }
}

/// serde_json's message without " at line 1 column 9", which means nothing to a user.
fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// Input of widgets the browser cannot write: any field is refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoInput {}

/// Input of widgets with a single `value`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueInput<T> {
    /// The new value.
    pub value: T,
}

/// A widget placed in the template: `{{ counter }}` renders its container, which the browser
/// client fills by calling the widget module's `render`.
#[doc(hidden)]
#[derive(Debug)]
pub struct Slot<'a, W> {
    pub(crate) key: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) widget: &'a W,
}

impl<'a, W> Slot<'a, W> {
    pub fn new(key: &'static str, kind: &'static str, widget: &'a W) -> Self {
        Slot { key, kind, widget }
    }
}

// No `W: Widget` bound here: a field that is not a widget is reported once, at its type.
impl<W> fmt::Display for Slot<'_, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keys are Rust identifiers and kinds are ours: nothing here needs escaping.
        write!(
            f,
            r#"<div id="{key}" class="numerous-widget numerous-widget-{kind}" data-numerous-widget="{key}"></div>"#,
            key = self.key,
            kind = self.kind
        )
    }
}

impl<W> askama::filters::HtmlSafe for Slot<'_, W> {}

/// A widget field as the runtime sees it (what the generated `App::widget` returns).
pub fn dyn_widget<W: Widget>(w: &W) -> &dyn DynWidget {
    w
}

/// A widget field as the runtime sees it, mutably.
pub fn dyn_widget_mut<W: Widget>(w: &mut W) -> &mut dyn DynWidget {
    w
}
