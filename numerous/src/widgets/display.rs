//! Widgets that show things: Html, Image, ProgressBar, Chart, Accordion.

use std::fmt;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::check_choice;
use crate::attrs::{Content, Src};
use crate::html::escape_html;
use crate::widget::{EmitsChange, InputError, NoInput, Slot, Widget};

/// HTML content. Shown as text (escaped) unless built with [`Html::trusted`], so text from users
/// can never inject markup.
///
/// Attributes: `content` (escaped).
///
/// ```
/// # use numerous::prelude::*;
/// let safe = Html::default().content("<b>hi</b>");
/// let bold = Html::trusted("<b>hi</b>");
/// assert!(!safe.trusted && bold.trusted);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Html {
    /// The content.
    pub content: String,
    /// Whether `content` is inserted as HTML. Only for markup your code wrote.
    pub trusted: bool,
}

impl Html {
    /// HTML inserted as it is: only for markup your code produced, never for user input.
    pub fn trusted(html: impl Into<String>) -> Self {
        Html {
            content: html.into(),
            trusted: true,
        }
    }
}

impl Serialize for Html {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let html = if self.trusted {
            self.content.clone()
        } else {
            let mut out = String::with_capacity(self.content.len());
            let _ = escape_html(&self.content, &mut out);
            out
        };
        let mut st = s.serialize_struct("Html", 3)?;
        st.serialize_field("content", &self.content)?;
        st.serialize_field("trusted", &self.trusted)?;
        st.serialize_field("html", &html)?;
        st.end()
    }
}

impl Widget for Html {
    const KIND: &'static str = "html";
    type Input = NoInput;

    fn apply(&mut self, _: NoInput) -> Result<(), InputError> {
        Ok(())
    }
}

impl Content for Html {
    fn content(mut self, content: impl Into<String>) -> Self {
        self.content = content.into();
        self
    }
}

/// An image from a URL or from bytes (sent inline as a `data:` URL).
///
/// Attributes: `src`, `label` (the caption and alternative text).
///
/// ```
/// # use numerous::prelude::*;
/// let logo = Image::from_bytes("image/png", &[0x89, b'P', b'N', b'G']).label("Logo");
/// assert!(logo.src.starts_with("data:image/png;base64,"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Image {
    /// The address: `https://..`, a path, or a `data:` URL.
    pub src: String,
    /// The caption and alternative text.
    pub label: String,
}

impl Image {
    /// An image from its bytes and media type.
    pub fn from_bytes(mime: &str, bytes: &[u8]) -> Self {
        Image::default().bytes(mime, bytes)
    }

    /// Replaces the picture with these bytes.
    pub fn bytes(mut self, mime: &str, bytes: &[u8]) -> Self {
        self.set_bytes(mime, bytes);
        self
    }

    /// Replaces the picture with these bytes, in place (from a handler).
    pub fn set_bytes(&mut self, mime: &str, bytes: &[u8]) {
        self.src = format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        );
    }
}

impl Widget for Image {
    const KIND: &'static str = "image";
    type Input = NoInput;

    fn apply(&mut self, _: NoInput) -> Result<(), InputError> {
        Ok(())
    }
}

impl Src for Image {
    fn src(mut self, src: impl Into<String>) -> Self {
        self.src = src.into();
        self
    }
}

/// A progress bar; `value` goes from 0 to 1.
///
/// Attributes: `label`, `value`.
///
/// ```
/// # use numerous::prelude::*;
/// let import = ProgressBar::default().label("Import").value(0.25);
/// assert_eq!(import.value, 0.25);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProgressBar {
    /// The text shown above the bar.
    pub label: String,
    /// Done so far, from 0 to 1.
    pub value: f64,
}

impl Widget for ProgressBar {
    const KIND: &'static str = "progress";
    type Input = NoInput;

    fn apply(&mut self, _: NoInput) -> Result<(), InputError> {
        Ok(())
    }
}

impl_label!(Image, ProgressBar);
impl_value!(ProgressBar => f64);

/// Collapsible sections. `{{ acc }}` places nothing visible; each
/// `<div {{ acc.panel("Name") }}>..</div>` becomes a section with a header the user clicks to
/// open or close it. Emits [`crate::Event::Change`] when the open sections change.
///
/// ```
/// # use numerous::prelude::*;
/// let acc = Accordion::new(["Basics", "Advanced"]).opened("Basics");
/// assert_eq!(acc.open, ["Basics"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Accordion {
    /// The section names.
    pub sections: Vec<String>,
    /// The open sections.
    pub open: Vec<String>,
}

impl Accordion {
    /// Sections, all closed.
    pub fn new(sections: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Accordion {
            sections: sections.into_iter().map(Into::into).collect(),
            open: Vec::new(),
        }
    }

    /// Opens a section.
    pub fn opened(mut self, section: impl Into<String>) -> Self {
        self.open.push(section.into());
        self
    }
}

/// What the browser may change: which sections are open.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccordionInput {
    /// The open sections.
    pub open: Vec<String>,
}

impl Widget for Accordion {
    const KIND: &'static str = "accordion";
    type Input = AccordionInput;

    fn apply(&mut self, input: AccordionInput) -> Result<(), InputError> {
        let mut open = Vec::with_capacity(input.open.len());
        for s in input.open {
            open.push(check_choice(s, &self.sections, "sections")?);
        }
        self.open = open;
        Ok(())
    }
}
impl EmitsChange for Accordion {}

impl<'a> Slot<'a, Accordion> {
    /// Attributes for the element holding section `name`:
    /// `<div {{ acc.panel("Advanced") }}>..</div>`. Closed sections are hidden in the first paint.
    pub fn panel(&self, name: &str) -> AccordionPanel<'a> {
        AccordionPanel {
            key: self.key,
            name: name.to_owned(),
            hidden: !self.widget.open.iter().any(|o| o == name),
        }
    }
}

/// What [`Slot::panel`] renders for an accordion section.
#[derive(Debug)]
pub struct AccordionPanel<'a> {
    key: &'a str,
    name: String,
    hidden: bool,
}

impl fmt::Display for AccordionPanel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            r#"data-numerous-accordion="{}" data-numerous-section=""#,
            self.key
        )?;
        escape_html(&self.name, f)?;
        f.write_str(if self.hidden { "\" hidden" } else { "\"" })
    }
}

impl askama::filters::HtmlSafe for AccordionPanel<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_unless_trusted() {
        let v = serde_json::to_value(Html::default().content("<script>x</script>")).unwrap();
        assert_eq!(v["html"], "&lt;script&gt;x&lt;/script&gt;");
        let v = serde_json::to_value(Html::trusted("<b>x</b>")).unwrap();
        assert_eq!(v["html"], "<b>x</b>");
    }

    #[test]
    fn accordion_panels_follow_open_sections() {
        let acc = Accordion::new(["A", "B"]).opened("A");
        let slot = Slot::new("acc", "accordion", &acc);
        assert!(!slot.panel("A").to_string().contains("hidden"));
        assert!(slot.panel("B").to_string().ends_with("hidden"));
    }
}
