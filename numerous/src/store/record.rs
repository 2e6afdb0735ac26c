//! A session as the store keeps it: one JSON object,
//! `{"v":<version>,"user":<id or null>,"widgets":{<key>:<state>,..},"state":{<field>:<value>,..},
//! "saved":{<key>:<more>,..}}`, where `saved` holds what widgets keep besides the state they send
//! (a table's rows: [`Widget::write_saved`](crate::Widget::write_saved)).
//!
//! Widgets and `#[state]` fields are keyed by name, so a record saved by an older build loads
//! into a newer one: a widget or field the record lacks keeps its starting value, one the app no
//! longer has is ignored. A change the names cannot carry (a field's type) is the app's
//! migration's job ([`Options::migrate_sessions`](crate::Options::migrate_sessions)).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::spec::AppSpec;

/// Rewrites a record saved by an older build: `(from_version, record)`, where `record` is
/// `{"widgets": {..}, "state": {..}}`. An error starts the session afresh, with a notice.
pub(crate) type MigrateFn =
    Arc<dyn Fn(u32, &mut serde_json::Value) -> Result<(), String> + Send + Sync + 'static>;

/// Rewrites a stored session saved by an older version of the app
/// ([`Options::migrate_sessions`](crate::Options::migrate_sessions)).
#[derive(Clone)]
pub struct Migration(pub(crate) MigrateFn);

impl std::fmt::Debug for Migration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Migration(..)")
    }
}

/// Appends the record of a session to `out`.
pub(crate) fn encode(
    spec: &AppSpec,
    out: &mut Vec<u8>,
    version: u32,
    user: Option<&str>,
    snapshot: &[Vec<u8>],
    state: &[u8],
    extras: &[(usize, u64, Vec<u8>)],
) {
    out.extend_from_slice(b"{\"v\":");
    out.extend_from_slice(version.to_string().as_bytes());
    out.extend_from_slice(b",\"user\":");
    match user {
        Some(u) => serde_json::to_writer(&mut *out, u).unwrap_or_default(),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"widgets\":{");
    for (i, (w, s)) in spec.widgets.iter().zip(snapshot).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(w.key.as_bytes());
        out.extend_from_slice(b"\":");
        out.extend_from_slice(s);
    }
    out.extend_from_slice(b"},\"state\":");
    out.extend_from_slice(if state.is_empty() { b"{}" } else { state });
    if !extras.is_empty() {
        out.extend_from_slice(b",\"saved\":{");
        for (n, (i, _, saved)) in extras.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.push(b'"');
            out.extend_from_slice(spec.widgets[*i].key.as_bytes());
            out.extend_from_slice(b"\":");
            out.extend_from_slice(saved);
        }
        out.push(b'}');
    }
    out.push(b'}');
}

/// A stored session, parsed: what [`encode`] wrote.
#[derive(Deserialize)]
pub(crate) struct Record<'a> {
    #[serde(default)]
    v: u32,
    #[serde(default, borrow)]
    user: Option<std::borrow::Cow<'a, str>>,
    /// Each widget's state, by key.
    #[serde(borrow, default)]
    pub(crate) widgets: BTreeMap<&'a str, &'a RawValue>,
    /// The `#[state]` fields.
    #[serde(borrow)]
    pub(crate) state: Option<&'a RawValue>,
    /// What widgets keep besides their state, by key.
    #[serde(borrow, default)]
    pub(crate) saved: BTreeMap<&'a str, &'a RawValue>,
}

/// Who a stored session belongs to (`None`: an open app's session).
pub(crate) fn owner(data: &[u8]) -> Result<Option<String>, String> {
    Ok(parse(data)?.user.map(std::borrow::Cow::into_owned))
}

/// What `migrate` makes of record `r` when it was saved under another version than `version`
/// (parse it with [`parse`]); `None` when `r` is current, or the app has no migration.
pub(crate) fn migrated(
    r: &Record<'_>,
    version: u32,
    migrate: Option<&Migration>,
) -> Result<Option<Vec<u8>>, String> {
    let Some(migrate) = migrate.filter(|_| r.v != version) else {
        return Ok(None);
    };
    let mut value = serde_json::json!({
        "widgets": r.widgets,
        "state": r.state,
        "saved": r.saved,
    });
    (migrate.0)(r.v, &mut value)
        .map_err(|e| format!("the migration from version {} failed: {e}", r.v))?;
    serde_json::to_vec(&value)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Parses a record.
pub(crate) fn parse(data: &[u8]) -> Result<Record<'_>, String> {
    serde_json::from_slice(data).map_err(|e| format!("the record does not parse: {e}"))
}
