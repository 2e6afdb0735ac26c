//! What a session shows of each widget besides its state: hidden, disabled, an error message
//! under it. Set by handlers (`ctx.hide(self, &self.delete)`), kept beside the widgets (a
//! failed handler's rollback leaves it as it is), sent to the tabs as `view` frames and in every
//! welcome, and checked before a tab's input is applied: a hidden or disabled widget takes none.

/// How a session shows one widget, besides its state ([`Session::view_of`]).
///
/// [`Session::view_of`]: crate::Session::view_of
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WidgetView {
    /// Not shown in the page, and takes no input.
    pub hidden: bool,
    /// Shown, greyed and out of the keyboard's reach, and takes no input.
    pub disabled: bool,
    /// A message shown under the widget (the widget is marked invalid) until the user changes
    /// its value, or a handler clears it.
    pub error: Option<String>,
}

impl WidgetView {
    /// Why the widget takes no input now, if it takes none.
    pub(crate) fn refusal(&self) -> Option<&'static str> {
        if self.hidden {
            Some("hidden")
        } else if self.disabled {
            Some("disabled")
        } else {
            None
        }
    }

    /// `"hidden":..,"disabled":..,"error":..` (without braces).
    fn write_fields(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\"hidden\":");
        out.extend_from_slice(if self.hidden { b"true" } else { b"false" });
        out.extend_from_slice(b",\"disabled\":");
        out.extend_from_slice(if self.disabled { b"true" } else { b"false" });
        out.extend_from_slice(b",\"error\":");
        // A string serializes infallibly.
        let _ = serde_json::to_writer(&mut *out, &self.error);
    }
}

/// `{"type":"view","widget":"<key>","hidden":..,"disabled":..,"error":..}`.
pub(super) fn frame(key: &str, view: &WidgetView) -> Vec<u8> {
    let mut out = Vec::with_capacity(96 + key.len());
    out.extend_from_slice(b"{\"type\":\"view\",\"widget\":\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\",");
    view.write_fields(&mut out);
    out.push(b'}');
    out
}

/// The welcome's `"view":{"<key>":{..},..},` for the widgets not shown as usual; nothing when
/// every widget is.
pub(super) fn welcome_part(
    keys: impl Iterator<Item = &'static str>,
    views: &[WidgetView],
) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, view) in keys.zip(views) {
        if *view == WidgetView::default() {
            continue;
        }
        out.extend_from_slice(if out.is_empty() { b"\"view\":{" } else { b"," });
        out.push(b'"');
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\":{");
        view.write_fields(&mut out);
        out.push(b'}');
    }
    if !out.is_empty() {
        out.extend_from_slice(b"},");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_the_welcome_say_what_differs() {
        let hidden = WidgetView {
            hidden: true,
            ..WidgetView::default()
        };
        let invalid = WidgetView {
            error: Some("a \"name\" has no digits".into()),
            ..WidgetView::default()
        };
        assert_eq!(
            String::from_utf8(frame("delete", &hidden)).unwrap(),
            r#"{"type":"view","widget":"delete","hidden":true,"disabled":false,"error":null}"#
        );
        let views = [hidden, WidgetView::default(), invalid];
        let part = welcome_part(["delete", "count", "name"].into_iter(), &views);
        assert_eq!(
            String::from_utf8(part).unwrap(),
            r#""view":{"delete":{"hidden":true,"disabled":false,"error":null},"name":{"hidden":false,"disabled":false,"error":"a \"name\" has no digits"}},"#
        );
        assert!(welcome_part(["a"].into_iter(), &[WidgetView::default()]).is_empty());
        assert_eq!(views[0].refusal(), Some("hidden"));
        assert_eq!(
            views[2].refusal(),
            None,
            "an error alone does not refuse input"
        );
    }
}
