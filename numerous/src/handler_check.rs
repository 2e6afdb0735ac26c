//! The build-time check of the widget an `#[on_*(widget)]` handler names.
//!
//! `#[numerous::app]` records, for every widget, which events its type emits (read from the
//! `Emits*` traits through [`Probe`], evaluated by the compiler for the concrete type), and the
//! app's `#[state]` fields. `#[numerous::handlers]` then evaluates [`handler_widget_error`] in a
//! constant spanned on the widget's name: a wrong name or a widget that cannot emit the event
//! stops the build there, and the message names the app's widgets that can (a plain field
//! access would only say "no field" and list every field, widgets or not).
//!
//! Everything here is `const fn`, so ordinary tests reach it too.

use std::marker::PhantomData;

use crate::spec::AppSpec;
use crate::widget::{EmitsChange, EmitsClick, EmitsMessage, EmitsSubmit, Event};

/// `Probe::<W>::CLICK` is `true` when `W: EmitsClick`: the inherent constant exists only then,
/// and path resolution falls back to [`ProbeFallback`]'s `false` otherwise.
#[derive(Debug)]
pub struct Probe<W>(PhantomData<W>);

/// The `false` answers of [`Probe`]; must be in scope where `Probe::<W>::..` is written.
pub trait ProbeFallback {
    /// The type does not emit clicks.
    const CLICK: bool = false;
    /// The type does not emit changes.
    const CHANGE: bool = false;
    /// The type cannot be submitted.
    const SUBMIT: bool = false;
    /// The type sends no custom messages.
    const MESSAGE: bool = false;
}

impl<W> ProbeFallback for Probe<W> {}

impl<W: EmitsClick> Probe<W> {
    /// The type emits clicks.
    pub const CLICK: bool = true;
}
impl<W: EmitsChange> Probe<W> {
    /// The type emits changes.
    pub const CHANGE: bool = true;
}
impl<W: EmitsSubmit> Probe<W> {
    /// The type can be submitted.
    pub const SUBMIT: bool = true;
}
impl<W: EmitsMessage> Probe<W> {
    /// The type sends custom messages.
    pub const MESSAGE: bool = true;
}

/// Room for one message; longer ones end with "…".
const CAPACITY: usize = 1024;

/// A message built at compile time (`String` is not available in a constant).
#[derive(Clone, Copy)]
pub struct ConstMessage {
    buf: [u8; CAPACITY],
    len: usize,
    full: bool,
}

impl ConstMessage {
    const fn new() -> Self {
        Self {
            buf: [0; CAPACITY],
            len: 0,
            full: false,
        }
    }

    /// Appends `s` whole, or "…" once when it does not fit (never half a character).
    const fn push(mut self, s: &str) -> Self {
        if self.full {
            return self;
        }
        let (s, ellipsis) = (s.as_bytes(), "…".as_bytes());
        let fits = self.len + s.len() <= CAPACITY - ellipsis.len();
        let (from, n) = if fits {
            (s, s.len())
        } else {
            (ellipsis, ellipsis.len())
        };
        let mut i = 0;
        while i < n {
            self.buf[self.len] = from[i];
            self.len += 1;
            i += 1;
        }
        self.full = !fits;
        self
    }

    /// The text.
    pub const fn as_str(&self) -> &str {
        match std::str::from_utf8(self.buf.split_at(self.len).0) {
            Ok(s) => s,
            // Only whole strings are appended.
            Err(_) => "invalid handler",
        }
    }
}

impl std::fmt::Debug for ConstMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the messages speak of an event.
struct Words {
    attr: &'static str,
    /// "the widgets of `App` <emit>"
    emit: &'static str,
    /// "`x` is a `Number`, which <refuse>"
    refuse: &'static str,
    /// What the attribute needs, and the usual alternative.
    hint: &'static str,
}

const fn words(event: Event) -> Words {
    match event {
        Event::Click => Words {
            attr: "#[on_click]",
            emit: "that emit clicks",
            refuse: "emits no clicks",
            hint: "#[on_click] needs a widget that emits clicks, such as a `Button`; use #[on_change] for a value change",
        },
        Event::Change => Words {
            attr: "#[on_change]",
            emit: "that the browser can change",
            refuse: "has no value the browser can change",
            hint: "#[on_change] needs an input widget, such as `Number`, `DropDown`, `Slider`, `TextInput`, `Checkbox` or `Tabs`; use #[on_click] for a `Button`",
        },
        Event::Submit => Words {
            attr: "#[on_submit]",
            emit: "that can be submitted",
            refuse: "cannot be submitted",
            hint: "#[on_submit] needs a widget the user submits, such as a `TextInput`, submitted with Enter",
        },
        Event::Message => Words {
            attr: "#[on_message]",
            emit: "that send custom messages",
            refuse: "sends no custom messages",
            hint: "#[on_message] needs a custom widget declared with #[numerous::widget(.., messages)]",
        },
        Event::Command | Event::Start | Event::Tabs => Words {
            attr: "#[on_command]",
            emit: "that send custom messages",
            refuse: "sends no custom messages",
            hint: "#[on_command] needs a custom widget declared with #[numerous::widget(.., messages)]",
        },
    }
}

const fn eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Longest name [`distance`] compares; longer names are never suggested.
const MAX_SUGGESTED: usize = 64;

/// Edit distance (insertions, deletions, substitutions) between two byte strings, or
/// `usize::MAX` when one is longer than [`MAX_SUGGESTED`].
const fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > MAX_SUGGESTED || b.len() > MAX_SUGGESTED {
        return usize::MAX;
    }
    let mut row = [0usize; MAX_SUGGESTED + 1];
    let mut j = 0;
    while j <= b.len() {
        row[j] = j;
        j += 1;
    }
    let mut i = 1;
    while i <= a.len() {
        let mut diagonal = row[0];
        row[0] = i;
        let mut j = 1;
        while j <= b.len() {
            let above = row[j];
            let cost = if a[i - 1] == b[j - 1] { 0 } else { 1 };
            let mut best = diagonal + cost;
            if above + 1 < best {
                best = above + 1;
            }
            if row[j - 1] + 1 < best {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diagonal = above;
            j += 1;
        }
        i += 1;
    }
    row[b.len()]
}

/// Why the widget a handler names cannot carry its event, or `None` when it can.
///
/// Spoken at the handler's widget name: a name that is not a widget (a typo, a `#[state]`
/// field) or a widget whose type does not emit `event`; both name the app's widgets that do,
/// and a near miss among them is suggested.
pub const fn handler_widget_error(
    spec: &AppSpec,
    name: &str,
    event: Event,
) -> Option<ConstMessage> {
    let w = words(event);
    let widgets = spec.widgets;
    let mut found = None;
    let mut i = 0;
    while i < widgets.len() {
        if eq(widgets[i].key, name) {
            found = Some(i);
        }
        i += 1;
    }
    let mut m = ConstMessage::new();
    // After a question the list starts a new sentence.
    let mut sentence = false;
    match found {
        Some(i) if widgets[i].emits.has(event) => return None,
        Some(i) => {
            m = m
                .push("`")
                .push(name)
                .push("` is a `")
                .push(widgets[i].ty)
                .push("`, which ");
            m = m.push(w.refuse);
        }
        None => {
            let mut state = false;
            let mut i = 0;
            while i < spec.states.len() {
                state = state || eq(spec.states[i], name);
                i += 1;
            }
            if state {
                m = m
                    .push("`")
                    .push(name)
                    .push("` is #[state] of `")
                    .push(spec.name);
                m = m
                    .push("`, not a widget: ")
                    .push(w.attr)
                    .push(" names a widget field");
            } else {
                m = m
                    .push("`")
                    .push(spec.name)
                    .push("` has no widget `")
                    .push(name)
                    .push("`");
                // rustc's rule for suggestions: at most a third of the name's length apart.
                let limit = if name.len() < 3 { 1 } else { name.len() / 3 };
                let mut best: Option<(usize, &str)> = None;
                let mut i = 0;
                while i < widgets.len() {
                    if widgets[i].emits.has(event) {
                        let d = distance(name, widgets[i].key);
                        let closer = match best {
                            Some((b, _)) => d < b,
                            None => true,
                        };
                        if d <= limit && closer {
                            best = Some((d, widgets[i].key));
                        }
                    }
                    i += 1;
                }
                if let Some((_, key)) = best {
                    m = m.push("; did you mean `").push(key).push("`?");
                    sentence = true;
                }
            }
        }
    }
    let mut listed = 0;
    let mut i = 0;
    while i < widgets.len() {
        if widgets[i].emits.has(event) {
            if listed == 0 {
                m = m.push(if sentence {
                    " The widgets of `"
                } else {
                    "; the widgets of `"
                });
                m = m.push(spec.name).push("` ").push(w.emit).push(": ");
            } else {
                m = m.push(", ");
            }
            m = m.push("`").push(widgets[i].key).push("`");
            listed += 1;
        }
        i += 1;
    }
    if listed == 0 {
        m = m.push(if sentence { " `" } else { "; `" });
        m = m.push(spec.name).push("` has no widgets ").push(w.emit);
    }
    Some(m.push(" (").push(w.hint).push(")"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Emits, WidgetSpec};

    const fn widget(key: &'static str, ty: &'static str, emits: Emits) -> WidgetSpec {
        WidgetSpec {
            key,
            kind: "",
            ty,
            doc: "",
            emits,
            debounce_ms: 0,
            module: None,
            css: None,
            isolated: false,
        }
    }

    const CLICK: Emits = Emits {
        click: true,
        change: false,
        submit: false,
        message: false,
    };
    const INPUT: Emits = Emits {
        click: false,
        change: true,
        submit: true,
        message: false,
    };

    const TODO: AppSpec = AppSpec {
        name: "Todo",
        template: "",
        widgets: &[
            widget("item", "TextInput", INPUT),
            widget("add", "Button", CLICK),
            widget("clear", "Button", CLICK),
            widget(
                "count",
                "Number",
                Emits {
                    click: false,
                    change: true,
                    submit: false,
                    message: false,
                },
            ),
        ],
        states: &["items"],
        fragments: &[],
    };

    fn error(name: &str, event: Event) -> Option<String> {
        handler_widget_error(&TODO, name, event).map(|m| m.as_str().to_owned())
    }

    #[test]
    fn a_widget_that_emits_the_event_passes() {
        assert_eq!(error("add", Event::Click), None);
        assert_eq!(error("item", Event::Submit), None);
        assert_eq!(error("count", Event::Change), None);
    }

    #[test]
    fn an_unknown_name_lists_the_widgets_that_emit_the_event_and_suggests_a_near_one() {
        assert_eq!(
            error("ad", Event::Click).unwrap(),
            "`Todo` has no widget `ad`; did you mean `add`? The widgets of `Todo` that emit \
             clicks: `add`, `clear` (#[on_click] needs a widget that emits clicks, such as a \
             `Button`; use #[on_change] for a value change)"
        );
        // `count` is near but emits no clicks: not suggested.
        let far = error("cont", Event::Click).unwrap();
        assert!(
            far.starts_with("`Todo` has no widget `cont`; the widgets"),
            "{far}"
        );
    }

    #[test]
    fn a_widget_of_the_wrong_kind_says_what_it_is() {
        let e = error("count", Event::Click).unwrap();
        assert!(e.starts_with("`count` is a `Number`, which emits no clicks; the widgets of `Todo` that emit clicks: `add`, `clear`"), "{e}");
        let e = error("add", Event::Change).unwrap();
        assert!(e.contains("`add` is a `Button`, which has no value the browser can change; the widgets of `Todo` that the browser can change: `item`, `count`"), "{e}");
    }

    #[test]
    fn a_state_field_is_not_a_widget() {
        let e = error("items", Event::Click).unwrap();
        assert!(
            e.starts_with(
                "`items` is #[state] of `Todo`, not a widget: #[on_click] names a widget field"
            ),
            "{e}"
        );
    }

    #[test]
    fn no_widget_emits_the_event() {
        let e = error("picker", Event::Message).unwrap();
        assert!(
            e.contains("; `Todo` has no widgets that send custom messages (#[on_message] needs"),
            "{e}"
        );
    }

    #[test]
    fn it_runs_at_compile_time_and_a_long_list_ends_with_an_ellipsis() {
        const { assert!(handler_widget_error(&TODO, "add", Event::Click).is_none()) };
        let long = "w".repeat(200);
        let mut m = ConstMessage::new();
        for _ in 0..10 {
            m = m.push(&long);
        }
        assert!(m.as_str().ends_with('…') && m.as_str().len() <= CAPACITY);
        assert_eq!(distance("incremnt", "increment"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance(&"x".repeat(65), "x"), usize::MAX);
    }
}
