//! Forms: several widgets read and checked at once into one typed struct.
//!
//! `#[derive(numerous::Form)]` on a struct of plain values (`String`, `f64`, `bool`, ..) gives
//! it a `read` function and a struct of the widgets it reads, `<Name>Fields`. A handler reads
//! the form when the user submits it; every field is read and checked, each refused one gets its
//! message under its widget ([`Session::field_error`]), each accepted one loses an old message,
//! and the handler gets the typed value only when all of them passed:
//!
//! ```
//! use numerous::prelude::*;
//!
//! /// What "Add" submits.
//! #[derive(Debug, numerous::Form)]
//! struct NewExpense {
//!     #[form(required, max_len = 80)]
//!     title: String,
//!     #[form(min = 0.01, message = "An amount above zero.")]
//!     amount: f64,
//!     /// A drop-down with a placeholder: `String` means one must be chosen.
//!     category: String,
//!     #[form(check = not_before_2000)]
//!     date: String,
//! }
//!
//! fn not_before_2000(date: &str) -> Result<(), String> {
//!     if date < "2000-01-01" { Err("From 2000 on.".into()) } else { Ok(()) }
//! }
//!
//! #[numerous::app(template = "expense_form.html")]
//! struct Expenses {
//!     #[widget(label = "Title")]
//!     title: TextInput,
//!     #[widget(label = "Amount")]
//!     amount: Number,
//!     #[widget(label = "Category", options = ["food", "travel"], placeholder = "Pick one")]
//!     category: DropDown,
//!     #[widget(label = "Date")]
//!     date: DatePicker,
//!     #[widget(label = "Add")]
//!     add: Button,
//!     #[state]
//!     added: Vec<String>,
//! }
//!
//! #[numerous::handlers]
//! impl Expenses {
//!     #[on_click(add)]
//!     fn add(&mut self, ctx: &Session) {
//!         let fields = NewExpenseFields {
//!             title: &self.title,
//!             amount: &self.amount,
//!             category: &self.category,
//!             date: &self.date,
//!         };
//!         // A refused field shows its message; nothing else to do.
//!         let Ok(expense) = NewExpense::read(ctx, self, fields) else { return };
//!         self.added.push(expense.title);
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mut tab = numerous::testing::TestSession::<Expenses>::new();
//! tab.click(|a| &a.add).await;
//! assert_eq!(tab.view(|a| &a.title).error.as_deref(), Some("Required."));
//! assert_eq!(tab.view(|a| &a.category).error.as_deref(), Some("Choose one."));
//! tab.set(|a| &a.title, "Train").await;
//! tab.set(|a| &a.amount, 42).await;
//! tab.set(|a| &a.category, "travel").await;
//! tab.set(|a| &a.date, "2026-12-07").await;
//! tab.click(|a| &a.add).await;
//! assert_eq!(tab.app().added, ["Train"]);
//! # }
//! ```
//!
//! What a widget gives a field is [`FormField`]: a `TextInput` a `String` (or `Option<String>`,
//! `None` when blank), a `Number` an `f64` (or `i64`/`u64`, refusing fractions), a `DropDown` a
//! `String` (refused while nothing is chosen) or an `Option<String>`, and so on; a widget that
//! cannot give the field's type fails the build at the `&self.widget`.
//!
//! The checks, in `#[form(..)]` on a field, each with a message of its own unless `message`
//! replaces them all: `required` (not blank, not `None`, not empty, checked), `min = n` and
//! `max = n` (numbers), `min_len = n` and `max_len = n` (characters of a text, items of a list),
//! `check = path` (a function of yours called with `&T`, or what `&T` derefs to, returning
//! `Result<(), impl Display>`; run after the others).
//! Checks that need several fields at once belong in the handler, after `read`, with
//! [`Session::field_error`].

use std::fmt;

use crate::app::App;
use crate::session::Session;
use crate::widgets::{
    Checkbox, DatePicker, DropDown, MultiSelect, Number, RadioGroup, RangeSlider, Slider, TextArea,
    TextInput, Toggle,
};

/// A widget a form field of type `T` reads: `impl FormField<String> for TextInput`.
#[diagnostic::on_unimplemented(
    message = "a form field of type `{T}` cannot be read from a `{Self}`",
    label = "this widget does not give a `{T}`",
    note = "each widget gives the types listed in `numerous::form`: a TextInput a String, a Number an f64, a Checkbox a bool, a DropDown a String or an Option<String>, ..",
    note = "change the form field's type, or read this widget in the handler yourself"
)]
pub trait FormField<T> {
    /// The widget's value as a `T`, or the message the user sees when it has none
    /// ("Choose one." for a drop-down nothing is chosen in).
    fn read(&self) -> Result<T, String>;
}

macro_rules! field {
    ($($widget:ty => $t:ty = |$w:ident| $read:expr;)*) => {$(
        impl FormField<$t> for $widget {
            fn read(&self) -> Result<$t, String> {
                let $w = self;
                $read
            }
        }
    )*};
}

/// A whole number from `value`, refusing fractions and values beyond `T`.
fn whole<T: TryFrom<i64>>(value: f64) -> Result<T, String> {
    // Beyond ±2^53 an f64 holds no fractions, and `as` saturates at i64's bounds: checked
    // again by `try_from`.
    if value.fract() != 0.0 || !value.is_finite() || value.abs() > 9_007_199_254_740_992.0 {
        return Err("A whole number.".into());
    }
    T::try_from(value as i64).map_err(|_| "Out of range.".into())
}

fn chosen(value: &str, message: &str) -> Result<String, String> {
    if value.is_empty() {
        Err(message.into())
    } else {
        Ok(value.to_owned())
    }
}

fn blank_is_none(value: &str) -> Option<String> {
    (!value.trim().is_empty()).then(|| value.to_owned())
}

field! {
    TextInput => String = |w| Ok(w.value.clone());
    TextInput => Option<String> = |w| Ok(blank_is_none(&w.value));
    TextArea => String = |w| Ok(w.value.clone());
    TextArea => Option<String> = |w| Ok(blank_is_none(&w.value));
    Number => f64 = |w| Ok(w.value);
    Number => i64 = |w| whole(w.value);
    Number => u64 = |w| whole(w.value);
    Slider => f64 = |w| Ok(w.value);
    Slider => i64 = |w| whole(w.value);
    RangeSlider => [f64; 2] = |w| Ok(w.value);
    RangeSlider => (f64, f64) = |w| Ok((w.value[0], w.value[1]));
    Checkbox => bool = |w| Ok(w.value);
    Toggle => bool = |w| Ok(w.value);
    DropDown => String = |w| chosen(&w.value, "Choose one.");
    DropDown => Option<String> = |w| Ok(blank_is_none(&w.value));
    RadioGroup => String = |w| chosen(&w.value, "Choose one.");
    RadioGroup => Option<String> = |w| Ok(blank_is_none(&w.value));
    MultiSelect => Vec<String> = |w| Ok(w.value.clone());
    DatePicker => String = |w| chosen(&w.value, "Choose a date.");
    DatePicker => Option<String> = |w| Ok(blank_is_none(&w.value));
}

/// The fields a form refused, each with its message, in the struct's order. Its `Display`
/// lists them, for a handler that fails with it (`NewExpense::read(..)?`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormErrors {
    fields: Vec<(&'static str, String)>,
}

impl FormErrors {
    /// Each refused field's name and message.
    pub fn fields(&self) -> &[(&'static str, String)] {
        &self.fields
    }

    /// The message of field `name`, if it was refused.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| m.as_str())
    }
}

impl fmt::Display for FormErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the form has mistakes: ")?;
        for (i, (name, message)) in self.fields.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{name}: {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FormErrors {}

/// Reads a form's fields one by one; what `#[derive(numerous::Form)]`'s `read` runs.
#[doc(hidden)]
pub struct Reader<'a, A: App> {
    ctx: &'a Session,
    app: &'a A,
    errors: Vec<(&'static str, String)>,
    /// The widgets given a message in this read: a second field read from one of them does
    /// not take it away.
    refused: Vec<*const ()>,
}

impl<A: App> fmt::Debug for Reader<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("errors", &self.errors)
            .finish_non_exhaustive()
    }
}

impl<'a, A: App> Reader<'a, A> {
    pub fn new(ctx: &'a Session, app: &'a A) -> Self {
        Self {
            ctx,
            app,
            errors: Vec::new(),
            refused: Vec::new(),
        }
    }

    /// Reads field `name` from `widget` and runs `check` on it; shows the message under the
    /// widget (`message` instead of each check's own, if given), or takes an old one away. A
    /// widget several fields read shows the first message of the read.
    pub fn field<T, W: FormField<T> + ?Sized>(
        &mut self,
        name: &'static str,
        widget: &W,
        message: Option<&str>,
        check: impl FnOnce(&T) -> Result<(), String>,
    ) -> Option<T> {
        let read = widget.read().and_then(|v| check(&v).map(|()| v));
        let error = read.as_ref().err().map(|e| message.unwrap_or(e).to_owned());
        let at = (widget as *const W).cast::<()>();
        if !self.refused.contains(&at) {
            self.ctx
                .change_view(self.app, widget, "a form's read", |v| {
                    v.error.clone_from(&error)
                });
        }
        if let Some(error) = error {
            self.refused.push(at);
            self.errors.push((name, error));
        }
        read.ok()
    }

    /// `Err` with every refused field, if there was one.
    pub fn finish(self) -> Result<(), FormErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(FormErrors {
                fields: self.errors,
            })
        }
    }
}

/// The checks `#[form(..)]` names, with their messages.
#[doc(hidden)]
pub mod check {
    use std::fmt::Display;

    /// What `required` refuses: a blank text, `None`, an empty list, an unchecked box.
    #[diagnostic::on_unimplemented(
        message = "`required` cannot check a `{Self}`",
        note = "`required` checks a String, an Option, a Vec or a bool"
    )]
    pub trait Required {
        fn is_missing(&self) -> bool;
    }
    impl Required for String {
        fn is_missing(&self) -> bool {
            self.trim().is_empty()
        }
    }
    impl<T> Required for Option<T> {
        fn is_missing(&self) -> bool {
            self.is_none()
        }
    }
    impl<T> Required for Vec<T> {
        fn is_missing(&self) -> bool {
            self.is_empty()
        }
    }
    impl Required for bool {
        fn is_missing(&self) -> bool {
            !*self
        }
    }

    /// What `min` and `max` compare.
    #[diagnostic::on_unimplemented(
        message = "`min` and `max` cannot check a `{Self}`",
        note = "`min` and `max` check numbers (f64, i64, u64); use `min_len`/`max_len` for a text's length"
    )]
    pub trait Bounded {
        fn as_f64(&self) -> f64;
    }
    impl Bounded for f64 {
        fn as_f64(&self) -> f64 {
            *self
        }
    }
    #[allow(clippy::cast_precision_loss)]
    impl Bounded for i64 {
        fn as_f64(&self) -> f64 {
            *self as f64
        }
    }
    #[allow(clippy::cast_precision_loss)]
    impl Bounded for u64 {
        fn as_f64(&self) -> f64 {
            *self as f64
        }
    }

    /// What `min_len` and `max_len` count: a text's characters, a list's items.
    #[diagnostic::on_unimplemented(
        message = "`min_len` and `max_len` cannot check a `{Self}`",
        note = "they count a String's characters or a Vec's items; use `min`/`max` for numbers"
    )]
    pub trait Length {
        fn length(&self) -> usize;
        /// What it counts, one and many.
        fn units(&self) -> (&'static str, &'static str);
    }
    impl Length for String {
        fn length(&self) -> usize {
            self.chars().count()
        }
        fn units(&self) -> (&'static str, &'static str) {
            ("character", "characters")
        }
    }
    impl Length for Option<String> {
        fn length(&self) -> usize {
            self.as_ref().map_or(0, |s| s.chars().count())
        }
        fn units(&self) -> (&'static str, &'static str) {
            ("character", "characters")
        }
    }
    impl<T> Length for Vec<T> {
        fn length(&self) -> usize {
            self.len()
        }
        fn units(&self) -> (&'static str, &'static str) {
            ("item", "items")
        }
    }

    pub fn required(value: &impl Required) -> Result<(), String> {
        if value.is_missing() {
            Err("Required.".into())
        } else {
            Ok(())
        }
    }

    pub fn min(value: &impl Bounded, min: f64) -> Result<(), String> {
        if value.as_f64() < min {
            Err(format!("At least {min}."))
        } else {
            Ok(())
        }
    }

    pub fn max(value: &impl Bounded, max: f64) -> Result<(), String> {
        if value.as_f64() > max {
            Err(format!("At most {max}."))
        } else {
            Ok(())
        }
    }

    fn unit(value: &impl Length, n: usize) -> &'static str {
        let (one, many) = value.units();
        if n == 1 { one } else { many }
    }

    pub fn min_len(value: &impl Length, n: usize) -> Result<(), String> {
        if value.length() < n {
            Err(format!("At least {n} {}.", unit(value, n)))
        } else {
            Ok(())
        }
    }

    pub fn max_len(value: &impl Length, n: usize) -> Result<(), String> {
        if value.length() > n {
            Err(format!("At most {n} {}.", unit(value, n)))
        } else {
            Ok(())
        }
    }

    /// What a check of the app's own returned: its error's text is the message.
    pub fn custom<E: Display>(checked: Result<(), E>) -> Result<(), String> {
        checked.map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attrs::{Placeholder, Value};

    #[test]
    fn widgets_give_their_values_or_a_message() {
        let n = Number {
            value: 2.5,
            ..Number::default()
        };
        assert_eq!(FormField::<f64>::read(&n), Ok(2.5));
        assert_eq!(
            FormField::<i64>::read(&n),
            Err("A whole number.".to_owned())
        );
        let n = Number {
            value: -3.0,
            ..Number::default()
        };
        assert_eq!(FormField::<i64>::read(&n), Ok(-3));
        assert_eq!(FormField::<u64>::read(&n), Err("Out of range.".to_owned()));
        let pick = DropDown::default().placeholder("Pick");
        assert_eq!(
            FormField::<String>::read(&pick),
            Err("Choose one.".to_owned())
        );
        assert_eq!(FormField::<Option<String>>::read(&pick), Ok(None));
        let text = TextInput::default().value("  ");
        assert_eq!(FormField::<Option<String>>::read(&text), Ok(None));
        assert_eq!(FormField::<String>::read(&text), Ok("  ".to_owned()));
    }

    #[test]
    fn checks_say_what_is_wrong() {
        assert_eq!(check::required(&" ".to_owned()), Err("Required.".into()));
        assert_eq!(check::required(&false), Err("Required.".into()));
        assert_eq!(check::required(&Some(1)), Ok(()));
        assert_eq!(check::min(&0.0, 0.01), Err("At least 0.01.".into()));
        assert_eq!(check::max(&7_i64, 5.0), Err("At most 5.".into()));
        assert_eq!(
            check::max_len(&"héllo".to_owned(), 4),
            Err("At most 4 characters.".into())
        );
        assert_eq!(check::max_len(&"héllo".to_owned(), 5), Ok(()));
        assert_eq!(
            check::min_len(&Vec::<String>::new(), 1),
            Err("At least 1 item.".into())
        );
        assert_eq!(
            check::custom(Err::<(), _>("too big")),
            Err("too big".into())
        );
    }
}
