//! The built-in widgets.
//!
//! Each is a plain struct whose public fields are its state: a handler changes a field and the
//! browser shows the change. Each is rendered by `numerous/static/widgets/<kind>.js`.

use std::fmt;

macro_rules! impl_label {
    ($($ty:ty),*) => {$(
        impl crate::attrs::Label for $ty {
            fn label(mut self, label: impl Into<String>) -> Self {
                self.label = label.into();
                self
            }
        }
    )*};
}

macro_rules! impl_value {
    ($($ty:ty => $v:ty),*) => {$(
        impl crate::attrs::Value for $ty {
            type Value = $v;
            fn value(mut self, value: impl Into<$v>) -> Self {
                self.value = value.into();
                self
            }
        }
    )*};
}

/// `min`, `max` and `step` for widgets whose bounds are plain `f64` fields.
macro_rules! impl_bounds {
    ($($ty:ty),*) => {$(
        impl crate::attrs::Min for $ty {
            fn min(mut self, min: impl Into<f64>) -> Self {
                self.min = min.into();
                self
            }
        }
        impl crate::attrs::Max for $ty {
            fn max(mut self, max: impl Into<f64>) -> Self {
                self.max = max.into();
                self
            }
        }
        impl crate::attrs::Step for $ty {
            fn step(mut self, step: impl Into<f64>) -> Self {
                self.step = step.into();
                self
            }
        }
    )*};
}

mod chart;
mod chat;
mod display;
mod feed;
mod files;
mod inputs;
mod map;
mod metric;
mod modal;
mod table;

pub use chart::{Chart, ChartKind, Series, XAxis};
pub use chat::{Chat, ChatMessage, MAX_CHAT_MESSAGE};
pub use display::{Accordion, AccordionPanel, Html, Image, ProgressBar};
pub use feed::Feed;
pub use files::{Download, DownloadFile, FileUpload, ReceivedFile, UploadedFile};
pub use inputs::{DatePicker, MultiSelect, RadioGroup, RangeSlider, TextArea, Toggle};
pub use map::{MapInput, MapPicker, PickMode};
pub use metric::{Metric, MetricValue};
pub use modal::{Modal, ModalContent, ModalInput};
pub use table::{ColumnFormat, Selection, Table};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::attrs::{
    Content, Disabled, Max, Min, OptionList, Placeholder, Step, TabList, Unit, Variant,
};
use crate::html::escape_html;
use crate::widget::{
    EmitsChange, EmitsClick, EmitsSubmit, Event, InputError, NoInput, Slot, ValueInput, Widget,
};

impl_label!(Number, Button, DropDown, TextInput, Slider, Checkbox);
impl_value!(Number => f64, DropDown => String, Tabs => String, TextInput => String, Slider => f64, Checkbox => bool);

pub(crate) fn check_finite(v: f64) -> Result<f64, InputError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(InputError::Rejected(
            "the value must be a finite number".into(),
        ))
    }
}

pub(crate) fn check_range(v: f64, min: Option<f64>, max: Option<f64>) -> Result<f64, InputError> {
    let v = check_finite(v)?;
    match (min, max) {
        (Some(min), _) if v < min => Err(InputError::Rejected(format!(
            "{v} is below the minimum {min}"
        ))),
        (_, Some(max)) if v > max => Err(InputError::Rejected(format!(
            "{v} is above the maximum {max}"
        ))),
        _ => Ok(v),
    }
}

/// Sets the choices of a single-choice widget, moving its value to the first choice if it is
/// not among them.
pub(crate) fn set_choices(
    choices: &mut Vec<String>,
    value: &mut String,
    new: impl IntoIterator<Item = impl Into<String>>,
) {
    *choices = new.into_iter().map(Into::into).collect();
    if !choices.contains(value) {
        *value = choices.first().cloned().unwrap_or_default();
    }
}

pub(crate) fn check_choice(
    v: String,
    choices: &[String],
    what: &str,
) -> Result<String, InputError> {
    if choices.contains(&v) {
        Ok(v)
    } else {
        Err(InputError::Rejected(format!(
            "{v:?} is not one of the {what}: {choices:?}"
        )))
    }
}

/// A number input. Emits [`Event::Change`].
///
/// Attributes: `label`, `value`, `min`, `max`, `step`, `unit`.
///
/// ```
/// # use numerous::prelude::*;
/// let total = Number::default().label("Total").value(3).min(0).unit("kg");
/// assert_eq!(total.value, 3.0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Number {
    /// The text shown next to the number.
    pub label: String,
    /// The current value.
    pub value: f64,
    /// The smallest value the browser may set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// The largest value the browser may set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The step of the input control.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
    /// Shown after the number, e.g. `"kg"`.
    pub unit: String,
}

impl Widget for Number {
    const KIND: &'static str = "number";
    type Input = ValueInput<f64>;

    fn apply(&mut self, input: Self::Input) -> Result<(), InputError> {
        self.value = check_range(input.value, self.min, self.max)?;
        Ok(())
    }
}
impl EmitsChange for Number {}

impl Min for Number {
    fn min(mut self, min: impl Into<f64>) -> Self {
        self.min = Some(min.into());
        self
    }
}
impl Max for Number {
    fn max(mut self, max: impl Into<f64>) -> Self {
        self.max = Some(max.into());
        self
    }
}
impl Step for Number {
    fn step(mut self, step: impl Into<f64>) -> Self {
        self.step = Some(step.into());
        self
    }
}

/// A button. Emits [`Event::Click`].
///
/// Attributes: `label`, `disabled`, `variant` (`"primary"`, `"secondary"`, `"danger"`).
///
/// ```
/// # use numerous::prelude::*;
/// let go = Button::default().label("Go");
/// assert!(!go.disabled);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Button {
    /// The button's text.
    pub label: String,
    /// A disabled button refuses clicks.
    pub disabled: bool,
    /// `"primary"` (the default when empty), `"secondary"` or `"danger"`.
    pub variant: String,
}

/// `{"event":"click"}` and nothing else (serde ignores extra fields of a unit variant in a
/// tagged enum, so this is a struct).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ButtonMessage<'a> {
    #[serde(borrow)]
    event: std::borrow::Cow<'a, str>,
}

impl Widget for Button {
    const KIND: &'static str = "button";
    type Input = NoInput;

    fn apply(&mut self, _: NoInput) -> Result<(), InputError> {
        Ok(())
    }

    fn message(&mut self, content: &RawValue) -> Result<Option<Event>, InputError> {
        let only = || InputError::Invalid("a button takes only {\"event\":\"click\"}".into());
        let msg: ButtonMessage<'_> = serde_json::from_str(content.get()).map_err(|_| only())?;
        if msg.event != "click" {
            return Err(only());
        }
        if self.disabled {
            return Err(InputError::Rejected("the button is disabled".into()));
        }
        Ok(Some(Event::Click))
    }
}
impl EmitsClick for Button {}

impl Variant for Button {
    fn variant(mut self, variant: impl Into<String>) -> Self {
        self.variant = variant.into();
        self
    }
}

impl Unit for Number {
    fn unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = unit.into();
        self
    }
}

impl Disabled for Button {
    fn disabled(mut self, disabled: bool) -> Self {
        self.disabled = disabled;
        self
    }
}

/// A drop-down selection of one of `options`. Emits [`Event::Change`].
///
/// Attributes: `label`, `options`, `value`, `placeholder`. Without a placeholder the first
/// option is chosen to begin with; with one ("Pick a category") nothing is (`value` is empty),
/// so a form tells "not chosen" from the first option, and a handler may set `value` back to
/// empty. Give a `value` after the placeholder: setting one clears the choice.
///
/// ```
/// # use numerous::prelude::*;
/// let pick = DropDown::default().options(["a", "b"]);
/// assert_eq!(pick.value, "a");
/// let category = DropDown::default().options(["food", "travel"]).placeholder("Pick one");
/// assert_eq!(category.value, "");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DropDown {
    /// The text shown next to the selection.
    pub label: String,
    /// The choices.
    pub options: Vec<String>,
    /// The selected choice; empty for none (with a placeholder).
    pub value: String,
    /// What the drop-down says while nothing is chosen; empty for no such state.
    pub placeholder: String,
}

impl Widget for DropDown {
    const KIND: &'static str = "dropdown";
    type Input = ValueInput<String>;

    fn apply(&mut self, input: Self::Input) -> Result<(), InputError> {
        self.value = if input.value.is_empty() && !self.placeholder.is_empty() {
            input.value
        } else {
            check_choice(input.value, &self.options, "options")?
        };
        Ok(())
    }
}
impl EmitsChange for DropDown {}

impl OptionList for DropDown {
    fn options(mut self, options: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let chosen = self.value.clone();
        set_choices(&mut self.options, &mut self.value, options);
        // With a placeholder, a choice that is not among the options is none, not the first.
        if !self.placeholder.is_empty() && self.value != chosen {
            self.value.clear();
        }
        self
    }
}

impl Placeholder for DropDown {
    fn placeholder(mut self, placeholder: impl Into<String>) -> Self {
        self.placeholder = placeholder.into();
        if !self.placeholder.is_empty() {
            self.value.clear();
        }
        self
    }
}

/// A row of tabs, one of them selected. Emits [`Event::Change`].
///
/// Attributes: `tabs`, `value`. In the template, `{{ tabs }}` places the tab bar and
/// `<section {{ tabs.panel("Name") }}>` marks content shown only while tab "Name" is selected.
///
/// ```
/// # use numerous::prelude::*;
/// let tabs = Tabs::default().tabs(["Basic", "Map"]);
/// assert_eq!(tabs.value, "Basic");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tabs {
    /// The tab names.
    pub tabs: Vec<String>,
    /// The selected tab.
    pub value: String,
}

impl Widget for Tabs {
    const KIND: &'static str = "tabs";
    type Input = ValueInput<String>;

    fn apply(&mut self, input: Self::Input) -> Result<(), InputError> {
        self.value = check_choice(input.value, &self.tabs, "tabs")?;
        Ok(())
    }
}
impl EmitsChange for Tabs {}

impl TabList for Tabs {
    fn tabs(mut self, tabs: impl IntoIterator<Item = impl Into<String>>) -> Self {
        set_choices(&mut self.tabs, &mut self.value, tabs);
        self
    }
}

impl<'a> Slot<'a, Tabs> {
    /// Attributes for an element shown only while `tab` is selected:
    /// `<section {{ tabs.panel("Map") }}>..</section>`. The page's first paint already hides
    /// the others; the browser switches them as soon as a tab is clicked.
    pub fn panel(&self, tab: &str) -> TabPanel<'a> {
        TabPanel {
            key: self.key,
            tab: tab.to_owned(),
            hidden: self.widget.value != tab,
        }
    }
}

/// What [`Slot::panel`] renders: `data-numerous-tabs="key" data-numerous-tab="name"` and the
/// `tabpanel` role (the client links each panel to its tab by name, so the link holds when a
/// handler changes the tabs); `hidden` for a tab that is not selected.
#[derive(Debug)]
pub struct TabPanel<'a> {
    key: &'a str,
    tab: String,
    hidden: bool,
}

impl fmt::Display for TabPanel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            r#"data-numerous-tabs="{}" data-numerous-tab=""#,
            self.key
        )?;
        escape_html(&self.tab, f)?;
        f.write_str(if self.hidden {
            "\" role=\"tabpanel\" hidden"
        } else {
            "\" role=\"tabpanel\""
        })
    }
}

impl askama::filters::HtmlSafe for TabPanel<'_> {}

/// A one-line text input. Emits [`Event::Change`].
///
/// Attributes: `label`, `value`, `placeholder`.
///
/// ```
/// # use numerous::prelude::*;
/// let name = TextInput::default().label("Name").placeholder("Ada Lovelace");
/// assert_eq!(name.value, "");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TextInput {
    /// The text shown next to the input.
    pub label: String,
    /// The text.
    pub value: String,
    /// The hint shown while the input is empty.
    pub placeholder: String,
}

impl Widget for TextInput {
    const KIND: &'static str = "text-input";
    type Input = ValueInput<String>;
    const DEBOUNCE_MS: u32 = 150;

    fn apply(&mut self, input: Self::Input) -> Result<(), InputError> {
        self.value = input.value;
        Ok(())
    }

    /// `{"event":"submit"}`: Enter was pressed (after the text it submits was sent).
    fn message(&mut self, content: &RawValue) -> Result<Option<Event>, InputError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Submit<'a> {
            #[serde(borrow)]
            event: std::borrow::Cow<'a, str>,
        }
        let only = || InputError::Invalid("a text input takes only {\"event\":\"submit\"}".into());
        let msg: Submit<'_> = serde_json::from_str(content.get()).map_err(|_| only())?;
        if msg.event != "submit" {
            return Err(only());
        }
        Ok(Some(Event::Submit))
    }
}
impl EmitsChange for TextInput {}
impl EmitsSubmit for TextInput {}

impl Placeholder for TextInput {
    fn placeholder(mut self, placeholder: impl Into<String>) -> Self {
        self.placeholder = placeholder.into();
        self
    }
}

/// A slider between `min` and `max` (0 to 100 by default). Emits [`Event::Change`].
///
/// Attributes: `label`, `value`, `min`, `max`, `step`.
///
/// ```
/// # use numerous::prelude::*;
/// let volume = Slider::default().label("Volume").max(11).step(1).value(5);
/// assert_eq!((volume.min, volume.max, volume.value), (0.0, 11.0, 5.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Slider {
    /// The text shown next to the slider.
    pub label: String,
    /// The current value.
    pub value: f64,
    /// The left end.
    pub min: f64,
    /// The right end.
    pub max: f64,
    /// The distance between two positions.
    pub step: f64,
}

impl Default for Slider {
    fn default() -> Self {
        Slider {
            label: String::new(),
            value: 0.0,
            min: 0.0,
            max: 100.0,
            step: 1.0,
        }
    }
}

impl Widget for Slider {
    const KIND: &'static str = "slider";
    type Input = ValueInput<f64>;
    const DEBOUNCE_MS: u32 = 50;

    fn apply(&mut self, input: Self::Input) -> Result<(), InputError> {
        self.value = check_range(input.value, Some(self.min), Some(self.max))?;
        Ok(())
    }
}
impl EmitsChange for Slider {}

impl_bounds!(Slider);

/// A checkbox. Emits [`Event::Change`].
///
/// Attributes: `label`, `value`.
///
/// ```
/// # use numerous::prelude::*;
/// let agree = Checkbox::default().label("I agree");
/// assert!(!agree.value);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Checkbox {
    /// The text shown next to the box.
    pub label: String,
    /// Whether the box is checked.
    pub value: bool,
}

impl Widget for Checkbox {
    const KIND: &'static str = "checkbox";
    type Input = ValueInput<bool>;

    fn apply(&mut self, input: Self::Input) -> Result<(), InputError> {
        self.value = input.value;
        Ok(())
    }
}
impl EmitsChange for Checkbox {}

/// Markdown text, rendered to HTML on the server. Raw HTML in the source is shown as text and
/// links with script URLs are disarmed, so untrusted text is safe to show.
///
/// Attributes: `content`.
///
/// ```
/// # use numerous::prelude::*;
/// let note = Markdown::default().content("**Saved.** <b>Not</b> HTML: shown as text.");
/// assert!(note.content.starts_with("**Saved.**"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Markdown {
    /// The Markdown source.
    pub content: String,
    /// The HTML last rendered, with the source it was rendered from: every diff serializes the
    /// widget, and rendering is what would cost.
    #[serde(skip)]
    rendered: Rendered,
}

/// A render cache that is no part of the widget's value (equal, cloned empty); shared with the
/// other widgets that show the same text.
#[derive(Debug, Default)]
struct Rendered(std::sync::Mutex<Option<std::sync::Arc<crate::markdown::Rendered>>>);

impl Clone for Rendered {
    fn clone(&self) -> Self {
        Rendered::default()
    }
}

impl PartialEq for Rendered {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Serialize for Markdown {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Markdown", 2)?;
        st.serialize_field("content", &self.content)?;
        let mut cache = self
            .rendered
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.as_ref().is_none_or(|r| *r.source != *self.content) {
            *cache = Some(crate::markdown::shared(&self.content));
        }
        let html = cache.as_ref().map_or("", |r| &*r.html);
        st.serialize_field("html", html)?;
        st.end()
    }
}

impl Widget for Markdown {
    const KIND: &'static str = "markdown";
    type Input = NoInput;

    fn apply(&mut self, _: NoInput) -> Result<(), InputError> {
        Ok(())
    }
}

impl Content for Markdown {
    fn content(mut self, content: impl Into<String>) -> Self {
        self.content = content.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attrs::{Accept, Label, MaxBytes, Rows, Value};
    use crate::widget::DynWidget;

    #[test]
    fn a_dropdown_with_a_placeholder_starts_with_no_choice() {
        let mut pick = DropDown::default()
            .placeholder("Pick a category")
            .options(["food", "travel"]);
        assert_eq!(pick.value, "");
        pick.apply_json(r#"{"value":"travel"}"#).unwrap();
        assert_eq!(pick.value, "travel");
        // Back to none: only with a placeholder.
        pick.apply_json(r#"{"value":""}"#).unwrap();
        assert_eq!(pick.value, "");
        let mut plain = DropDown::default().options(["food", "travel"]);
        assert_eq!(plain.value, "food");
        assert!(plain.apply_json(r#"{"value":""}"#).is_err());
        // A value given after the placeholder is the choice.
        let chosen = DropDown::default()
            .options(["food", "travel"])
            .placeholder("Pick")
            .value("travel");
        assert_eq!(chosen.value, "travel");
        // New options without the choice: none, not the first.
        let again = chosen.options(["food", "rent"]);
        assert_eq!(again.value, "");
        let kept = DropDown::default()
            .options(["food", "travel"])
            .value("travel")
            .options(["travel", "rent"]);
        assert_eq!(kept.value, "travel");
    }

    /// What the browser is sent survives a trip through the serializer and back.
    fn round_trip<W: Widget>(w: W) {
        let mut first = Vec::new();
        w.write_state(&mut first).unwrap();
        let mut back = W::default();
        DynWidget::restore(&mut back, &first).unwrap();
        let mut second = Vec::new();
        back.write_state(&mut second).unwrap();
        assert_eq!(
            String::from_utf8(first).unwrap(),
            String::from_utf8(second).unwrap(),
            "{}",
            W::KIND
        );
    }

    #[test]
    fn state_round_trips() {
        round_trip(
            Number::default()
                .label("n")
                .value(2)
                .min(0)
                .max(10)
                .step(0.5)
                .unit("kg"),
        );
        round_trip(
            Button::default()
                .label("b")
                .disabled(true)
                .variant("danger"),
        );
        round_trip(
            DropDown::default()
                .label("d")
                .options(["1", "2"])
                .value("2"),
        );
        round_trip(Tabs::default().tabs(["a", "b"]));
        round_trip(TextInput::default().label("t").value("x").placeholder("p"));
        round_trip(Slider::default().min(1).max(5).value(3));
        round_trip(Checkbox::default().value(true));
        round_trip(Markdown::default().content("# Hi"));
        round_trip(TextArea::default().value("a\nb").rows(3));
        round_trip(RangeSlider::default().value([2.0, 3.0]));
        round_trip(Toggle::default().label("t").value(true));
        round_trip(
            MultiSelect::default()
                .options(["a", "b"])
                .value(vec!["b".to_string()]),
        );
        round_trip(RadioGroup::default().options(["a", "b"]).value("b"));
        round_trip(
            DatePicker::default()
                .value("2026-01-02")
                .between("2026-01-01", "2026-12-31"),
        );
        round_trip(Html::default().content("<b>x</b>"));
        round_trip(Html::trusted("<b>x</b>"));
        round_trip(Image::from_bytes("image/png", b"png").label("p"));
        round_trip(ProgressBar::default().value(0.5));
        round_trip(Chart::new(ChartKind::Bar).series("s", [[1.0, 2.0]]));
        round_trip(Accordion::new(["a", "b"]).opened("b"));
        round_trip(Table::new(["a"]).label("t"));
        round_trip(FileUpload::default().accept(".csv").max_bytes(10));
        let mut d = Download::default().label("get");
        d.send("a.txt", "text/plain", b"x");
        round_trip(d);
    }

    #[test]
    fn number_refuses_values_out_of_bounds() {
        let mut n = Number::default().min(0).max(10);
        assert!(n.apply_json(r#"{"value": 11}"#).is_err());
        assert!(n.apply_json(r#"{"value": "x"}"#).is_err());
        assert!(n.apply_json(r#"{"label": "x"}"#).is_err());
        assert_eq!(n.value, 0.0);
        n.apply_json(r#"{"value": 7}"#).unwrap();
        assert_eq!(n.value, 7.0);
    }

    #[test]
    fn dropdown_refuses_unknown_option() {
        let mut d = DropDown::default().options(["1", "2", "3"]);
        let err = d.apply_json(r#"{"value": "4"}"#).unwrap_err();
        assert!(matches!(err, InputError::Rejected(_)), "{err}");
        d.apply_json(r#"{"value": "3"}"#).unwrap();
        assert_eq!(d.value, "3");
    }

    #[test]
    fn markdown_renders_once_per_source() {
        let mut m = Markdown::default().content("**a**");
        let first = serde_json::to_string(&m).unwrap();
        assert_eq!(
            first,
            r#"{"content":"**a**","html":"<p><strong>a</strong></p>\n"}"#
        );
        assert_eq!(serde_json::to_string(&m).unwrap(), first);
        m.content = "_b_".into();
        assert!(serde_json::to_string(&m).unwrap().contains("<em>b</em>"));
        assert_eq!(m.clone(), m);
    }

    #[test]
    fn button_clicks_unless_disabled() {
        let click = RawValue::from_string(r#"{"event":"click"}"#.into()).unwrap();
        let mut b = Button::default();
        assert_eq!(b.message_json(&click), Ok(Some(Event::Click)));
        b.disabled = true;
        assert!(b.message_json(&click).is_err());
        let other = RawValue::from_string(r#"{"event":"hover"}"#.into()).unwrap();
        assert!(Button::default().message_json(&other).is_err());
    }

    #[test]
    fn tab_panels_hide_unselected_tabs() {
        let tabs = Tabs::default().tabs(["A", "B\"<"]);
        let slot = Slot::new("tabs", "tabs", &tabs);
        assert_eq!(
            slot.panel("A").to_string(),
            r#"data-numerous-tabs="tabs" data-numerous-tab="A" role="tabpanel""#
        );
        assert_eq!(
            slot.panel("B\"<").to_string(),
            r#"data-numerous-tabs="tabs" data-numerous-tab="B&quot;&lt;" role="tabpanel" hidden"#
        );
    }

    #[test]
    fn display_widgets_take_no_input() {
        assert!(
            Markdown::default()
                .apply_json(r#"{"content":"x"}"#)
                .is_err()
        );
        assert!(Button::default().apply_json(r#"{"label":"x"}"#).is_err());
    }
}
