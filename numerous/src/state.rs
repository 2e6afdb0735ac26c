//! Plain session state: the `#[state]` fields of an app, saved as one JSON object keyed by field
//! name (the last good state a failed handler is rolled back to, and what a session store keeps).

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

/// What a `#[state]` field must be: serializable both ways (a session's state is saved and
/// restored) and sendable between threads.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be session state: a #[state] field must implement serde's `Serialize` and `Deserialize`",
    label = "this type is not serializable",
    note = "derive them: #[derive(serde::Serialize, serde::Deserialize)] (and `Send`, which most types are)"
)]
pub trait StateField: Serialize + DeserializeOwned + Send + 'static {}

// Not recommended in errors: a type that is not state is reported once, as not `StateField`
// (with the message above), not once per missing serde trait with this impl's internals.
#[diagnostic::do_not_recommend]
impl<T: Serialize + DeserializeOwned + Send + 'static> StateField for T {}

/// What a `#[state]` field without `init = ..` needs: a value to start from.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no value to start from: a #[state] field is `Default` or has `init = ..`",
    label = "this #[state] field has no `init = ..` and its type is not `Default`",
    note = "derive it (#[derive(Default)]) or give the field its start: #[state(init = ..)]"
)]
pub trait StateDefault: Default {}

#[diagnostic::do_not_recommend]
impl<T: Default> StateDefault for T {}

/// A `#[state]` field's starting value (generated code).
pub fn state_default<T: StateDefault>() -> T {
    T::default()
}

/// What a `#[state]` field the template shows must be.
#[diagnostic::on_unimplemented(
    message = "the template shows `{Self}`, which cannot be displayed",
    label = "this #[state] field is placed in the template",
    note = "a state field in the template is rendered once, at page load, with `Display`: show a String or a number, or put what changes while the page is open in a widget"
)]
pub trait Shown: std::fmt::Display {}

impl<T: std::fmt::Display + ?Sized> Shown for T {}

/// Fails to compile, at the field, unless the template can show it (generated code).
pub fn assert_shown<T: Shown + ?Sized>() {}

/// How one `#[state]` field of type `T` is saved and read back: what [`state`] returns once
/// `T` is known to be state, so the code that saves and restores the field needs no bound of its
/// own (and a type that is not state is reported once, at the field).
#[derive(Debug)]
pub struct StateOps<T> {
    save: fn(&mut StateWriter<'_>, &str, &T) -> serde_json::Result<()>,
    load: fn(&RawValue) -> serde_json::Result<T>,
}

impl<T> StateOps<T> {
    /// Writes `value` as field `name`.
    pub fn save(&self, w: &mut StateWriter<'_>, name: &str, value: &T) -> serde_json::Result<()> {
        (self.save)(w, name, value)
    }

    /// Reads a saved field back.
    pub fn load(&self, raw: &RawValue) -> serde_json::Result<T> {
        (self.load)(raw)
    }
}

/// The field's [`StateOps`], checked to be state (generated code: the one place a field's type
/// is required to be [`StateField`]).
pub fn state<T: StateField>() -> StateOps<T> {
    StateOps {
        save: |w, name, value| w.field(name, value),
        load: |raw| serde_json::from_str(raw.get()),
    }
}

/// Writes `{"name":value,..}`.
#[derive(Debug)]
pub struct StateWriter<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> StateWriter<'a> {
    /// Starts the object.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        StateWriter { out, first: true }
    }

    /// Writes one field.
    pub fn field(&mut self, name: &str, value: &impl Serialize) -> serde_json::Result<()> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        serde_json::to_writer(&mut *self.out, name)?;
        self.out.push(b':');
        serde_json::to_writer(&mut *self.out, value)
    }

    /// Closes the object.
    pub fn finish(self) {
        self.out.push(b'}');
    }
}

/// Saved state, by field name.
#[derive(Debug)]
pub struct StateMap<'a>(BTreeMap<&'a str, &'a RawValue>);

impl<'a> StateMap<'a> {
    /// Reads saved state.
    pub fn parse(bytes: &'a [u8]) -> serde_json::Result<Self> {
        serde_json::from_slice(bytes).map(StateMap)
    }

    /// The saved value of field `name`, if any.
    pub fn get(&self, name: &str) -> Option<&'a RawValue> {
        self.0.get(name).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_by_name() {
        let mut out = Vec::new();
        let mut w = StateWriter::new(&mut out);
        state::<Vec<String>>()
            .save(&mut w, "items", &vec!["milk".to_owned()])
            .unwrap();
        state::<u32>().save(&mut w, "n", &3).unwrap();
        w.finish();
        assert_eq!(out, br#"{"items":["milk"],"n":3}"#);
        let m = StateMap::parse(&out).unwrap();
        let items = state::<Vec<String>>()
            .load(m.get("items").unwrap())
            .unwrap();
        assert_eq!(items, ["milk"]);
        assert!(m.get("gone").is_none());
    }
}
