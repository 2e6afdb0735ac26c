//! Recording a session's steps as its task handles them (see [`super::recording`]): what
//! each input will be in the recording, the session as the store would keep it after it, and
//! where a recording goes when its session ends. Also what a replay compares.

use std::sync::atomic::Ordering;

use serde_json::value::RawValue;

use super::recording::{Pending, Recorder, Recording, Start};
use super::tabs::TabSync;
use super::{Input, Session, SessionEnv};
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

/// The session as the store keeps it, now.
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
    String::from_utf8(out)
        .ok()
        .and_then(|text| RawValue::from_string(text).ok())
        .unwrap_or_else(|| RawValue::from_string("null".to_owned()).expect("JSON"))
}

impl Session {
    /// Whether the session's inputs are being recorded.
    pub(crate) fn is_recording(&self) -> bool {
        self.recording.load(Ordering::Relaxed)
    }

    /// Starts recording (the app records every session).
    pub(crate) fn start_recording(&self, env: &SessionEnv, limit: usize) {
        self.start_recording_as(Start {
            version: env.version,
            limit,
        });
    }

    /// Starts recording from the session as it is now; nothing when it already records.
    pub(crate) fn start_recording_as(&self, start: Start) {
        let mut s = self.lock();
        if s.recorder.is_some() {
            return;
        }
        let now = record_of(self.spec, &s, start.version);
        s.recorder = Some(Box::new(Recorder::new(
            self.spec.name,
            start.version,
            self.user(),
            now,
            start.limit,
        )));
        self.recording.store(true, Ordering::Relaxed);
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
        self.recording.store(false, Ordering::Relaxed);
        self.lock().recorder.take().map(|r| r.into_recording())
    }

    /// The recording so far, if the session records.
    pub(crate) fn recording_so_far(&self) -> Option<Recording> {
        self.lock().recorder.as_ref().map(|r| r.recording().clone())
    }

    /// The session as the store would keep it now (as last pushed), under `version`.
    pub(crate) fn record_now(&self, version: u32) -> Box<RawValue> {
        record_of(self.spec, &self.lock(), version)
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
    let value = |raw: Option<&&RawValue>| -> serde_json::Value {
        raw.and_then(|r| serde_json::from_str(r.get()).ok())
            .unwrap_or(serde_json::Value::Null)
    };
    let short = |v: &serde_json::Value| {
        let mut text = v.to_string();
        if text.len() > 300 {
            let mut end = 300;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            text.push('…');
        }
        text
    };
    for key in ours.widgets.keys().chain(theirs.widgets.keys()) {
        let (a, b) = (value(ours.widgets.get(key)), value(theirs.widgets.get(key)));
        if a != b {
            return Ok(Some(format!(
                "widget `{key}` is {} after the replay, {} in the recording",
                short(&a),
                short(&b)
            )));
        }
    }
    let fields = |raw: Option<&RawValue>| -> serde_json::Map<String, serde_json::Value> {
        raw.and_then(|r| serde_json::from_str(r.get()).ok())
            .unwrap_or_default()
    };
    let (a, b) = (fields(ours.state), fields(theirs.state));
    for key in a.keys().chain(b.keys()) {
        let (x, y) = (
            a.get(key).cloned().unwrap_or_default(),
            b.get(key).cloned().unwrap_or_default(),
        );
        if x != y {
            return Ok(Some(format!(
                "the #[state] field `{key}` is {} after the replay, {} in the recording",
                short(&x),
                short(&y)
            )));
        }
    }
    Ok(None)
}

/// Keeps the recording of session `number`, which just ended, where the app said.
pub(crate) async fn keep(env: &SessionEnv, number: u64, recording: Recording) {
    let Some(dir) = env.record.as_ref().and_then(|r| r.dir.clone()) else {
        return;
    };
    let when = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let path = dir.join(format!("{}-{number}-{when}.json", recording.app));
    // Off the session's thread (the file system may be slow), and awaited: a server shutting
    // down writes its sessions' recordings before it exits.
    let _ = tokio::task::spawn_blocking(move || {
        let written = std::fs::create_dir_all(&dir).and_then(|()| {
            let mut file = std::fs::OpenOptions::new();
            file.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
            let file = file.open(&path)?;
            serde_json::to_writer(std::io::BufWriter::new(file), &recording)
                .map_err(std::io::Error::other)
        });
        match written {
            Ok(()) => {
                tracing::info!(session = number, path = %path.display(), "recorded the session")
            }
            Err(e) => tracing::warn!(
                session = number,
                "cannot write the session's recording to {}: {e}",
                path.display()
            ),
        }
    })
    .await;
}
