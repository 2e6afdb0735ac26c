//! Modal: a dialog over the page, opened and closed by a handler, holding template markup.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::widget::{EmitsChange, InputError, Slot, Widget};

/// A dialog over the page: `{{ confirm }}` places it, and the markup of
/// `<div {{ confirm.content() }}>..</div>` (text, widgets) is what it shows. A handler opens it
/// with `self.confirm.open = true` and closes it with `false`; while it is open the rest of the
/// page takes no input in the browser (a native `<dialog>`: focus moves into it and comes back
/// after). That is the page's doing: the widgets inside a closed dialog still take what a tab
/// or the HTTP API sends them, so a handler that acts only from the dialog checks `open`.
///
/// The user may close it too (Esc, or its Close button) unless it is not `dismissible`; that
/// is a change, so `#[on_change(confirm)]` runs with `open` false. A tab cannot open it.
///
/// ```
/// # use numerous::prelude::*;
/// let mut confirm = Modal::titled("Delete the selected expenses?");
/// assert!(!confirm.open);
/// // In the Delete button's handler:
/// confirm.open = true;
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Modal {
    /// The dialog's title, which names it for screen readers.
    pub title: String,
    /// Whether it is shown.
    pub open: bool,
    /// Whether the user may close it (Esc, the Close button); otherwise only a handler can,
    /// through a button inside it.
    pub dismissible: bool,
}

impl Default for Modal {
    fn default() -> Self {
        Modal {
            title: String::new(),
            open: false,
            dismissible: true,
        }
    }
}

impl Modal {
    /// A closed dialog with this title.
    pub fn titled(title: impl Into<String>) -> Self {
        Modal {
            title: title.into(),
            ..Modal::default()
        }
    }

    /// Whether the user may close it (true by default).
    pub fn dismissible(mut self, dismissible: bool) -> Self {
        self.dismissible = dismissible;
        self
    }
}

impl crate::attrs::Label for Modal {
    /// The title (`#[widget(label = "..")]`).
    fn label(mut self, label: impl Into<String>) -> Self {
        self.title = label.into();
        self
    }
}

/// What the browser may change: closing it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModalInput {
    /// `false`: the user closed it.
    pub open: bool,
}

impl Widget for Modal {
    const KIND: &'static str = "modal";
    type Input = ModalInput;

    fn apply(&mut self, input: ModalInput) -> Result<(), InputError> {
        if input.open && !self.open {
            return Err(InputError::Rejected(
                "a dialog is opened by the server, not by a tab".into(),
            ));
        }
        if !input.open && self.open && !self.dismissible {
            return Err(InputError::Rejected(
                "this dialog is closed by its own buttons".into(),
            ));
        }
        self.open = input.open;
        Ok(())
    }
}
impl EmitsChange for Modal {}

impl<'a> Slot<'a, Modal> {
    /// Attributes for the element the dialog shows: `<div {{ confirm.content() }}>..</div>`.
    /// Hidden in the first paint unless the dialog is open.
    pub fn content(&self) -> ModalContent<'a> {
        ModalContent {
            key: self.key,
            open: self.widget.open,
        }
    }
}

/// What [`Slot::content`] renders for a dialog's content.
#[derive(Debug)]
pub struct ModalContent<'a> {
    key: &'a str,
    open: bool,
}

impl fmt::Display for ModalContent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, r#"data-numerous-modal="{}""#, self.key)?;
        f.write_str(if self.open { "" } else { " hidden" })
    }
}

impl askama::filters::HtmlSafe for ModalContent<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tab_may_close_a_dismissible_dialog_only() {
        let mut m = Modal::titled("Sure?");
        assert!(
            m.apply(ModalInput { open: true }).is_err(),
            "a tab cannot open it"
        );
        m.open = true;
        m.apply(ModalInput { open: false }).unwrap();
        assert!(!m.open);
        let mut m = Modal::titled("Sure?").dismissible(false);
        m.open = true;
        assert!(m.apply(ModalInput { open: false }).is_err());
        assert!(m.open);
    }

    #[test]
    fn its_content_is_hidden_until_open() {
        let mut m = Modal::titled("Sure?");
        let slot = Slot::new("confirm", "modal", &m);
        assert_eq!(
            slot.content().to_string(),
            r#"data-numerous-modal="confirm" hidden"#
        );
        m.open = true;
        let slot = Slot::new("confirm", "modal", &m);
        assert_eq!(
            slot.content().to_string(),
            r#"data-numerous-modal="confirm""#
        );
    }
}
