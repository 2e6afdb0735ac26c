//! Widget attributes: what `#[widget(key = value)]` sets.
//!
//! Each key calls the method of the same name on one of these traits, so a widget takes exactly
//! the attributes whose traits it implements, and a key it does not take fails the build at that
//! key. The same methods build widgets in code: `Number::default().label("Total").min(0)`.

macro_rules! attr_trait {
    ($(#[$doc:meta])* $trait:ident :: $method:ident ($arg:ident : $ty:ty), $msg:literal, $label:literal) => {
        $(#[$doc])*
        #[diagnostic::on_unimplemented(
            message = $msg,
            label = $label,
            note = "each widget's documentation lists the attributes it takes"
        )]
        pub trait $trait: Sized {
            $(#[$doc])*
            fn $method(self, $arg: $ty) -> Self;
        }
    };
}

attr_trait!(
    /// The text shown with the widget.
    Label::label(label: impl Into<String>),
    "widget `{Self}` has no attribute `label`",
    "`{Self}` does not take `label`"
);
attr_trait!(
    /// The column names of a table.
    Columns::columns(columns: impl IntoIterator<Item = impl Into<String>>),
    "widget `{Self}` has no attribute `columns`",
    "`{Self}` does not take `columns`"
);
attr_trait!(
    /// The choices of a selection widget; the value moves to the first one if it is not among them.
    OptionList::options(options: impl IntoIterator<Item = impl Into<String>>),
    "widget `{Self}` has no attribute `options`",
    "`{Self}` does not take `options`"
);
attr_trait!(
    /// The names of the tabs; the selected tab moves to the first one if it is not among them.
    TabList::tabs(tabs: impl IntoIterator<Item = impl Into<String>>),
    "widget `{Self}` has no attribute `tabs`",
    "`{Self}` does not take `tabs`"
);
attr_trait!(
    /// The smallest value the browser may set.
    Min::min(min: impl Into<f64>),
    "widget `{Self}` has no attribute `min`",
    "`{Self}` does not take `min`"
);
attr_trait!(
    /// The largest value the browser may set.
    Max::max(max: impl Into<f64>),
    "widget `{Self}` has no attribute `max`",
    "`{Self}` does not take `max`"
);
attr_trait!(
    /// The step of the value's input control.
    Step::step(step: impl Into<f64>),
    "widget `{Self}` has no attribute `step`",
    "`{Self}` does not take `step`"
);
attr_trait!(
    /// The hint shown in an empty text input.
    Placeholder::placeholder(placeholder: impl Into<String>),
    "widget `{Self}` has no attribute `placeholder`",
    "`{Self}` does not take `placeholder`"
);
attr_trait!(
    /// The text of a content widget (Markdown source).
    Content::content(content: impl Into<String>),
    "widget `{Self}` has no attribute `content`",
    "`{Self}` does not take `content`"
);
attr_trait!(
    /// Whether the widget ignores the user.
    Disabled::disabled(disabled: bool),
    "widget `{Self}` has no attribute `disabled`",
    "`{Self}` does not take `disabled`"
);

attr_trait!(
    /// The unit shown after a number.
    Unit::unit(unit: impl Into<String>),
    "widget `{Self}` has no attribute `unit`",
    "`{Self}` does not take `unit`"
);
attr_trait!(
    /// The look of a button: `"primary"`, `"secondary"` or `"danger"`.
    Variant::variant(variant: impl Into<String>),
    "widget `{Self}` has no attribute `variant`",
    "`{Self}` does not take `variant`"
);
attr_trait!(
    /// How many rows of text an input shows, or a table shows per page.
    Rows::rows(rows: usize),
    "widget `{Self}` has no attribute `rows`",
    "`{Self}` does not take `rows`"
);
attr_trait!(
    /// The largest file a widget accepts, in bytes.
    MaxBytes::max_bytes(max_bytes: usize),
    "widget `{Self}` has no attribute `max_bytes`",
    "`{Self}` does not take `max_bytes`"
);
attr_trait!(
    /// Whether a file input takes several files at once.
    Multiple::multiple(multiple: bool),
    "widget `{Self}` has no attribute `multiple`",
    "`{Self}` does not take `multiple`"
);
attr_trait!(
    /// The file types a file input offers, e.g. `".csv,text/plain"`.
    Accept::accept(accept: impl Into<String>),
    "widget `{Self}` has no attribute `accept`",
    "`{Self}` does not take `accept`"
);
attr_trait!(
    /// The column a table is sorted by when it starts (the user may sort by another).
    SortBy::sort_by(column: impl Into<String>),
    "widget `{Self}` has no attribute `sort_by`",
    "`{Self}` does not take `sort_by`"
);
attr_trait!(
    /// Whether a table's starting sort is descending (newest first, largest first).
    Descending::descending(descending: bool),
    "widget `{Self}` has no attribute `descending`",
    "`{Self}` does not take `descending`"
);
attr_trait!(
    /// Whether a table shows a search box.
    Searchable::searchable(searchable: bool),
    "widget `{Self}` has no attribute `searchable`",
    "`{Self}` does not take `searchable`"
);
attr_trait!(
    /// How many rows of a table the user may select: `"none"`, `"one"` or `"many"`.
    Select::select(mode: impl Into<String>),
    "widget `{Self}` has no attribute `select`",
    "`{Self}` does not take `select`"
);
attr_trait!(
    /// The column whose value names a table's row (its selected rows are given by it).
    Key::key(column: impl Into<String>),
    "widget `{Self}` has no attribute `key`",
    "`{Self}` does not take `key`"
);
attr_trait!(
    /// How a table's columns are shown: `[("amount", "currency:EUR"), ("when", "date")]`.
    Formats::formats(formats: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>),
    "widget `{Self}` has no attribute `formats`",
    "`{Self}` does not take `formats`"
);
attr_trait!(
    /// An image's address (`https://..`, `/static/..` or a `data:` URL).
    Src::src(src: impl Into<String>),
    "widget `{Self}` has no attribute `src`",
    "`{Self}` does not take `src`"
);

/// The widget's initial value.
#[diagnostic::on_unimplemented(
    message = "widget `{Self}` has no attribute `value`",
    label = "`{Self}` does not take `value`",
    note = "each widget's documentation lists the attributes it takes"
)]
pub trait Value: Sized {
    /// The type of the value.
    type Value;
    /// The widget's initial value.
    fn value(self, value: impl Into<Self::Value>) -> Self;
}
