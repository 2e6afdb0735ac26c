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

use crate::app::{AppObject, AppSpec};

/// Rewrites a record saved by an older build: `(from_version, record)`, where `record` is
/// `{"widgets": {..}, "state": {..}}`. An error starts the session afresh, with a notice.
pub(crate) type MigrateFn =
    Arc<dyn Fn(u32, &mut serde_json::Value) -> Result<(), String> + Send + Sync + 'static>;

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

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(default)]
    v: u32,
    #[serde(default, borrow)]
    user: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    widgets: BTreeMap<&'a str, &'a RawValue>,
    #[serde(borrow)]
    state: Option<&'a RawValue>,
    #[serde(borrow, default)]
    saved: BTreeMap<&'a str, &'a RawValue>,
}

/// Who a stored session belongs to (`None`: an open app's session).
pub(crate) fn owner(data: &[u8]) -> Result<Option<String>, String> {
    let r: Record<'_> = serde_json::from_slice(data).map_err(|e| e.to_string())?;
    Ok(r.user.map(std::borrow::Cow::into_owned))
}

/// Loads a record into `app` (fresh from `A::new()`), through `migrate` when it was saved under
/// another version. On an error `app` may be half restored: start from a fresh one.
pub(crate) fn restore(
    app: &mut dyn AppObject,
    data: &[u8],
    version: u32,
    migrate: Option<&crate::options::Migration>,
) -> Result<(), String> {
    let r: Record<'_> =
        serde_json::from_slice(data).map_err(|e| format!("the record does not parse: {e}"))?;
    if r.v != version
        && let Some(migrate) = migrate
    {
        {
            let mut value = serde_json::json!({
                "widgets": r.widgets,
                "state": r.state,
                "saved": r.saved,
            });
            (migrate.0)(r.v, &mut value)
                .map_err(|e| format!("the migration from version {} failed: {e}", r.v))?;
            let migrated = serde_json::to_vec(&value).map_err(|e| e.to_string())?;
            return apply(app, &migrated);
        }
    }
    apply_record(app, &r)
}

fn apply(app: &mut dyn AppObject, data: &[u8]) -> Result<(), String> {
    let r: Record<'_> = serde_json::from_slice(data)
        .map_err(|e| format!("the migrated record does not parse: {e}"))?;
    apply_record(app, &r)
}

fn apply_record(app: &mut dyn AppObject, r: &Record<'_>) -> Result<(), String> {
    for (i, w) in app.meta().spec.widgets.iter().enumerate() {
        let (Some(raw), Some(widget)) = (r.widgets.get(w.key), app.widget_mut(i)) else {
            continue;
        };
        widget
            .restore(raw.get().as_bytes())
            .map_err(|e| format!("widget `{}`: {e}", w.key))?;
        if let Some(saved) = r.saved.get(w.key) {
            widget
                .restore_saved(saved.get().as_bytes())
                .map_err(|e| format!("widget `{}`: {e}", w.key))?;
        }
    }
    if app.meta().has_state
        && let Some(state) = r.state
    {
        app.restore_state(state.get().as_bytes())
            .map_err(|e| format!("the #[state] fields: {e}"))?;
    }
    Ok(())
}
