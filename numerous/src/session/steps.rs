//! Recording a session's steps as its task handles them (see [`super::recording`]): what
//! each input will be in the recording, the session as the store would keep it after it, and
//! where a recording goes when its session ends. Also what a replay compares.

use std::sync::atomic::Ordering;

use serde_json::value::RawValue;

use super::recording::{ASKED, OFF, ON, Pending, Recorder, Recording, Start};
use super::tabs::TabSync;
use super::{Input, Session, SessionEnv};
use crate::app::AppObject;
use crate::spec::AppSpec;

/// What `input` will be in a recording; `None` for what changes nothing (questions).
pub(crate) fn pending(input: &Input) -> Option<Pending> {
    match input {
        Input::Frame { conn, text } => Some(Pending::Frame {
            conn: Some(*conn),
            frame: text.as_str().to_owned(),
        }),
        Input::Api {
            frame: Some(frame), ..
        } => Some(Pending::Frame {
            conn: None,
            frame: frame.clone(),
        }),
        Input::Change(_) => Some(Pending::Changed("background")),
        Input::Upload { .. } => Some(Pending::Changed("upload")),
        Input::Api { frame: None, .. } | Input::ServedFile { .. } | Input::UploadLimit { .. } => {
            None
        }
    }
}

/// The session as the store keeps it, now, and how its widgets are shown besides their state
/// (`"view"`: those hidden, disabled or with an error), which the store does not keep.
fn record_of(spec: &AppSpec, s: &TabSync, version: u32) -> Box<RawValue> {
    let mut out = Vec::new();
    crate::store::record::encode(
        spec,
        &mut out,
        version,
        None,
        &s.snapshot,
        &s.state,
        &s.extras,
    );
    let view = super::view::welcome_part(spec.widgets.iter().map(|w| w.key), &s.view);
    if let Some(view) = view.strip_suffix(b",")
        && out.last() == Some(&b'}')
    {
        out.pop();
        out.push(b',');
        out.extend_from_slice(view);
        out.push(b'}');
    }
    String::from_utf8(out)
        .ok()
        .and_then(|text| RawValue::from_string(text).ok())
        .unwrap_or_else(|| RawValue::from_string("null".to_owned()).expect("JSON"))
}

/// What widgets hold besides their state (a table's rows), as the store keeps it: per such
/// widget of `app`'s, its index, revision and what it wrote.
pub(crate) fn saved_extras(app: &dyn AppObject) -> Vec<(usize, u64, Vec<u8>)> {
    (0..app.meta().spec.widgets.len())
        .filter_map(|i| {
            let w = app.widget(i)?;
            let revision = w.saved_revision()?;
            let mut saved = Vec::new();
            w.write_saved(&mut saved).ok()?;
            Some((i, revision, saved))
        })
        .collect()
}

impl Session {
    /// Whether the session's inputs are being recorded.
    pub(crate) fn is_recording(&self) -> bool {
        self.recording.load(Ordering::Relaxed) == ON
    }

    /// Starts recording from the session as it is now (`app`'s), its steps within `limit`
    /// bytes; nothing when it already records.
    pub(crate) fn start_recording(&self, app: &dyn AppObject, env: &SessionEnv, limit: usize) {
        let mut s = self.lock();
        s.record_asked = None;
        if s.recorder.is_some() {
            return;
        }
        // Without a session store nothing tracks what widgets hold besides their state: the
        // recording does, from now on.
        if s.extras.is_empty() {
            s.extras = saved_extras(app);
        }
        let now = record_of(self.spec, &s, env.version);
        s.recorder = Some(Box::new(Recorder::new(
            self.spec.name,
            env.version,
            self.user(),
            now,
            limit,
        )));
        self.recording.store(ON, Ordering::Relaxed);
    }

    /// An operator asks for a recording: it begins at the task's next turn.
    pub(crate) fn ask_recording(&self, start: Start) {
        let mut s = self.lock();
        if s.recorder.is_none() {
            s.record_asked = Some(start);
            self.recording.store(ASKED, Ordering::Relaxed);
        }
    }

    /// Begins the recording an operator asked for, if any: between inputs.
    pub(crate) fn begin_asked_recording(&self, app: &dyn AppObject, env: &SessionEnv) {
        if self.recording.load(Ordering::Relaxed) != ASKED {
            return;
        }
        let asked = self.lock().record_asked.take();
        if let Some(start) = asked {
            self.start_recording(app, env, start.limit);
        }
    }

    /// Notes a step just handled, with the session as it is after it.
    pub(crate) fn record(&self, env: &SessionEnv, pending: Pending) {
        let mut s = self.lock();
        if s.recorder.is_none() {
            return;
        }
        let after = record_of(self.spec, &s, env.version);
        if let Some(r) = s.recorder.as_mut() {
            r.push(pending, after);
        }
    }

    /// Stops recording; returns the recording.
    pub(crate) fn stop_recording(&self) -> Option<Recording> {
        self.recording.store(OFF, Ordering::Relaxed);
        let mut s = self.lock();
        s.record_asked = None;
        s.recorder.take().map(|r| r.into_recording())
    }

    /// The recording so far, if the session records.
    pub(crate) fn recording_so_far(&self) -> Option<Recording> {
        self.lock().recorder.as_ref().map(|r| r.recording().clone())
    }

    /// The session as the store would keep it now (as last pushed), under `version`.
    pub(crate) fn record_now(&self, version: u32) -> Box<RawValue> {
        record_of(self.spec, &self.lock(), version)
    }

    /// Shows the widgets as `record`'s `"view"` says (as usual where it says nothing).
    pub(crate) fn show_as_recorded(&self, record: &RawValue) {
        let views = view_of(record);
        let mut s = self.lock();
        for (index, w) in self.spec.widgets.iter().enumerate() {
            let v = &views[w.key];
            let recorded = super::view::WidgetView {
                hidden: v["hidden"].as_bool().unwrap_or(false),
                disabled: v["disabled"].as_bool().unwrap_or(false),
                error: v["error"].as_str().map(str::to_owned),
            };
            self.set_view(&mut s, index, |view| *view = recorded);
        }
    }

    /// Tracks what `app`'s widgets hold besides their state from now on (a replay compares
    /// it), where no session store does.
    pub(crate) fn track_saved(&self, app: &dyn AppObject) {
        let mut s = self.lock();
        if s.extras.is_empty() {
            s.extras = saved_extras(app);
        }
    }
}

/// Where session `replayed` differs from `recorded` (both store records; `recorded` brought
/// to `version` through `migrate` first): the first widget, then `#[state]` field, that does.
///
/// # Errors
///
/// When `recorded` does not parse or migrate.
pub(crate) fn difference(
    replayed: &RawValue,
    recorded: &RawValue,
    version: u32,
    migrate: Option<&crate::store::Migration>,
) -> Result<Option<String>, String> {
    use crate::store::record;
    let ours = record::parse(replayed.get().as_bytes())?;
    let theirs = record::parse(recorded.get().as_bytes())?;
    let migrated = record::migrated(&theirs, version, migrate)?;
    let theirs = match &migrated {
        Some(data) => record::parse(data)?,
        None => theirs,
    };
    let parse = |raw: Option<&RawValue>| -> serde_json::Value {
        raw.and_then(|r| serde_json::from_str(r.get()).ok())
            .unwrap_or_default()
    };
    let by_key = |map: &std::collections::BTreeMap<&str, &RawValue>| -> serde_json::Value {
        map.iter()
            .map(|(k, v)| ((*k).to_owned(), parse(Some(v))))
            .collect()
    };
    let widgets = (by_key(&ours.widgets), by_key(&theirs.widgets));
    let saved = (by_key(&ours.saved), by_key(&theirs.saved));
    let state = (parse(ours.state), parse(theirs.state));
    // How the widgets are shown: only in recordings, not in the store's records.
    let views = (view_of(replayed), view_of(recorded));
    let message = if let Some((key, a, b)) = first_difference(&widgets.0, &widgets.1) {
        format!(
            "widget `{key}` is {} after the replay, {} in the recording",
            short(&a),
            short(&b)
        )
    } else if let Some((key, a, b)) = first_difference(&saved.0, &saved.1) {
        format!(
            "what widget `{key}` holds besides its state (its rows) is {} after the replay, {} in the recording",
            short(&a),
            short(&b)
        )
    } else if views.0 != views.1 {
        format!(
            "the widgets are shown as {} after the replay, {} in the recording (hidden, disabled, errors)",
            short(&views.0),
            short(&views.1)
        )
    } else if let Some((key, a, b)) = first_difference(&state.0, &state.1) {
        format!(
            "the #[state] field `{key}` is {} after the replay, {} in the recording",
            short(&a),
            short(&b)
        )
    } else {
        return Ok(None);
    };
    Ok(Some(message))
}

/// The first key of two JSON objects whose values differ (a missing one is `null`), with both.
fn first_difference(
    a: &serde_json::Value,
    b: &serde_json::Value,
) -> Option<(String, serde_json::Value, serde_json::Value)> {
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    keys(a).into_iter().chain(keys(b)).find_map(|key| {
        let (x, y) = (a[&key].clone(), b[&key].clone());
        (x != y).then_some((key, x, y))
    })
}

/// `value` as JSON text of 300 bytes at most.
fn short(value: &serde_json::Value) -> String {
    let mut text = value.to_string();
    if text.len() > 300 {
        let mut end = 300;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

/// How a recorded session shows its widgets besides their state (its `"view"`), by key.
fn view_of(record: &RawValue) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(record.get())
        .ok()
        .and_then(|mut r| r.get_mut("view").map(serde_json::Value::take))
        .unwrap_or_default()
}

/// Keeps the recording of session `number`, which just ended, where the app said (not one
/// of a session nothing happened to).
pub(crate) async fn keep(env: &SessionEnv, number: u64, recording: Recording) {
    let Some(dir) = env.record.as_ref().and_then(|r| r.dir.clone()) else {
        return;
    };
    if recording.steps.is_empty() {
        return;
    }
    let when = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Instances sharing the folder each number their sessions from 0: the process id tells
    // them apart.
    let name = format!(
        "{}-{when}-{}-{number}.json",
        recording.app,
        std::process::id()
    );
    let (path, tmp) = (dir.join(&name), dir.join(format!(".{name}.tmp")));
    // Off the session's thread (the file system may be slow), and awaited: a server shutting
    // down writes its sessions' recordings before it exits.
    let _ = tokio::task::spawn_blocking(move || {
        let written = (|| {
            let mut folder = std::fs::DirBuilder::new();
            folder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
            folder.create(&dir)?;
            let mut file = std::fs::OpenOptions::new();
            file.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
            let mut out = std::io::BufWriter::new(file.open(&tmp)?);
            serde_json::to_writer(&mut out, &recording).map_err(std::io::Error::other)?;
            let file = out
                .into_inner()
                .map_err(std::io::IntoInnerError::into_error)?;
            file.sync_all()?;
            // Whole or not at all: a reader never finds half a recording.
            std::fs::rename(&tmp, &path)
        })();
        match written {
            Ok(()) => {
                tracing::info!(session = number, path = %path.display(), "recorded the session");
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                tracing::warn!(
                    session = number,
                    "cannot write the session's recording to {}: {e}",
                    path.display()
                );
            }
        }
    })
    .await;
}
