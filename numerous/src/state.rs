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

impl<T: Serialize + DeserializeOwned + Send + 'static> StateField for T {}

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

/// The field, checked to be state (generated code).
pub fn state_ref<T: StateField>(value: &T) -> &T {
    value
}

/// A saved field, read back (generated code).
pub fn state_from<T: StateField>(raw: &RawValue) -> serde_json::Result<T> {
    serde_json::from_str(raw.get())
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
        w.field("items", &vec!["milk".to_owned()]).unwrap();
        w.field("n", &3u32).unwrap();
        w.finish();
        assert_eq!(out, br#"{"items":["milk"],"n":3}"#);
        let m = StateMap::parse(&out).unwrap();
        let items: Vec<String> = state_from(m.get("items").unwrap()).unwrap();
        assert_eq!(items, ["milk"]);
        assert!(m.get("gone").is_none());
    }
}
