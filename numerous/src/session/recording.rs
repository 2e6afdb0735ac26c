//! A session's inputs, recorded in the order the session handled them, to replay as a test
//! ([`crate::testing::replay`]): the recording's data. [`super::steps`] records a session's
//! steps as its task handles them.
//!
//! What is kept, per step: the frame a tab sent (or the HTTP API), exactly as it came; for what
//! changed the session from outside (background work and topic messages, which reach it as
//! Rust closures, an upload's file, `#[on_tabs]` handlers), the session as it was after it
//! instead (a replay applies it). After every step, the session as the store would keep it
//! (every widget's state and the `#[state]` fields) and how its widgets are shown (`"view"`:
//! hidden, disabled, an error), which a replay compares with its own.
//!
//! Never kept: passwords and tokens (signing in happens over HTTP, outside sessions: no frame
//! carries them), the session's id (a secret), the bytes of uploaded files (unless the app keeps
//! them in its state). A recording is held in memory with its session, its steps within a limit
//! of bytes (the oldest go first): it ends with its session, or is written to a file then
//! ([`Options::record_sessions`](crate::Options::record_sessions)), or is read by an
//! administrator (`POST /api/admin/sessions/recording`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::auth::User;

/// How an app records its sessions ([`Options::record_sessions`](crate::Options::record_sessions)).
#[derive(Debug, Clone)]
pub struct RecordSessions {
    /// Where each session's recording is written when it ends
    /// (`<app>-<time>-<pid>-<number>.json`, readable by the server's user only, in a folder
    /// only it may list; nothing removes them); `None`: nowhere (an administrator reads it
    /// while the session lives).
    pub dir: Option<PathBuf>,
    /// The most a recording's steps hold, in bytes of JSON: past it the oldest go. Each
    /// recording session may hold this much besides itself (1 MiB by default, so 10,000
    /// recording sessions up to 10 GiB).
    pub limit: usize,
}

impl RecordSessions {
    /// Recordings written into `dir` when their sessions end, of 1 MiB at most each.
    pub fn to_dir(dir: impl Into<PathBuf>) -> RecordSessions {
        RecordSessions {
            dir: Some(dir.into()),
            limit: DEFAULT_LIMIT,
        }
    }

    /// Recordings kept in memory only, of 1 MiB at most each.
    pub fn in_memory() -> RecordSessions {
        RecordSessions {
            dir: None,
            limit: DEFAULT_LIMIT,
        }
    }

    /// Each recording holds at most `bytes`.
    #[must_use]
    pub fn limit(mut self, bytes: usize) -> RecordSessions {
        self.limit = bytes;
        self
    }
}

/// `Session::recording`: not recording.
pub(crate) const OFF: u8 = 0;
/// `Session::recording`: recording.
pub(crate) const ON: u8 = 1;
/// `Session::recording`: an operator asked for a recording, which begins at the task's next
/// turn (not in the middle of an input, whose start would be half done).
pub(crate) const ASKED: u8 = 2;

/// The size a recording stops at unless told otherwise.
pub const DEFAULT_LIMIT: usize = 1 << 20;

/// The format of [`Recording`]s this build writes and reads.
pub const FORMAT: u32 = 1;

/// A session's inputs, recorded in the order the session handled them, to replay as a test
/// ([`crate::testing::replay`]).
///
/// It holds the session when the recording began ([`Recording::start`]), then per step the
/// frame a tab (or the HTTP API) sent, exactly as it came, or for what changed the session from
/// outside (background work and topic messages, which reach it as Rust closures; an upload's
/// file; `#[on_tabs]` handlers) how it changed; and after every step, the session as the store
/// would keep it, which a replay compares with its own (and applies, for changes from outside).
///
/// Never held: passwords and tokens (signing in happens over HTTP, outside sessions: no frame
/// carries them), the session's id (a secret), the bytes of uploaded files (unless the app
/// keeps them in its state). A recording is held in memory with its session, its steps within
/// a limit of bytes (the oldest go first: [`Recording::dropped`]); it ends with its session,
/// or is written to a file then
/// ([`Options::record_sessions`](crate::Options::record_sessions)), or is read by an
/// administrator (`POST /api/admin/sessions/recording`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Recording {
    /// [`FORMAT`].
    pub format: u32,
    /// The app's name (its struct).
    pub app: String,
    /// The version of the app's stored sessions
    /// ([`Options::session_version`](crate::Options::session_version)): a recording of another
    /// version replays through the app's migration.
    pub version: u32,
    /// The user the session belonged to (their id, name and roles: what handlers read).
    pub user: Option<RecordedUser>,
    /// The session when the recording began (every widget's state and the `#[state]` fields,
    /// as the session store keeps them): after its `#[on_start]` handlers, or when an operator
    /// switched recording on; or after the last step dropped ([`Recording::dropped`]).
    pub start: Box<RawValue>,
    /// What happened, in order.
    pub steps: Vec<Step>,
    /// How many of the oldest steps were dropped to keep the recording within its limit of
    /// bytes: it holds the most recent steps, and `start` is the session after the last one
    /// dropped.
    #[serde(default)]
    pub dropped: u64,
}

/// The user of a recorded session, as handlers see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedUser {
    /// Their id.
    pub id: String,
    /// Their name.
    pub username: String,
    /// Their email, if they have one.
    #[serde(default)]
    pub email: Option<String>,
    /// Their role names.
    pub roles: Vec<String>,
    /// Whether they are an administrator.
    pub is_admin: bool,
}

impl From<&User> for RecordedUser {
    fn from(u: &User) -> Self {
        RecordedUser {
            id: u.id.clone(),
            username: u.username.clone(),
            email: u.email.clone(),
            roles: u.roles.clone(),
            is_admin: u.is_admin,
        }
    }
}

impl From<&RecordedUser> for User {
    fn from(u: &RecordedUser) -> Self {
        User {
            id: u.id.clone(),
            username: u.username.clone(),
            email: u.email.clone(),
            roles: u.roles.clone(),
            is_admin: u.is_admin,
            is_active: true,
        }
    }
}

/// One thing that happened to a recorded session.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// A frame a tab sent (`tab`: the tab's number in the session, from 0), or the HTTP API
    /// (`tab`: `null`).
    Frame {
        /// Which tab.
        tab: Option<u32>,
        /// The frame, as it came.
        frame: String,
        /// The session after it.
        after: Box<RawValue>,
    },
    /// The session changed from outside: `what` says how (`"background"` for background work
    /// and topic messages, `"upload"`, `"tabs"` for `#[on_tabs]` handlers); `after` is the
    /// session after it, which a replay applies.
    Changed {
        /// How.
        what: String,
        /// The session after it.
        after: Box<RawValue>,
    },
}

impl Step {
    /// The session after the step.
    pub fn after(&self) -> &RawValue {
        match self {
            Step::Frame { after, .. } | Step::Changed { after, .. } => after,
        }
    }
}

/// The bytes a step takes in a recording, roughly (its JSON).
fn size(step: &Step) -> usize {
    match step {
        Step::Frame { frame, after, .. } => frame.len() + after.get().len() + 48,
        Step::Changed { what, after } => what.len() + after.get().len() + 48,
    }
}

/// What a recording needs besides the frames: taken from the input before it is handled.
#[derive(Debug)]
pub(crate) enum Pending {
    Frame { conn: Option<u64>, frame: String },
    Changed(&'static str),
}

/// How an operator's recording of one session begins.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Start {
    pub(crate) limit: usize,
}

/// A recording under way, held with its session.
#[derive(Debug)]
pub(crate) struct Recorder {
    recording: Recording,
    /// The recording's size so far, roughly (its JSON).
    bytes: usize,
    limit: usize,
    /// The session's tab connections, in the order they first sent something: their place
    /// is the tab's number in the recording.
    tabs: Vec<u64>,
}

impl Recorder {
    /// A recording of a session that is `start` now (a store record), whose steps hold at
    /// most `limit` bytes.
    pub(crate) fn new(
        app: &str,
        version: u32,
        user: Option<&User>,
        start: Box<RawValue>,
        limit: usize,
    ) -> Recorder {
        Recorder {
            recording: Recording {
                format: FORMAT,
                app: app.to_owned(),
                version,
                user: user.map(RecordedUser::from),
                start,
                steps: Vec::new(),
                dropped: 0,
            },
            bytes: 0,
            limit,
            tabs: Vec::new(),
        }
    }

    /// Notes a step, with the session `after` it; past the limit the oldest steps go (the
    /// start moves to the session after the last one gone).
    pub(crate) fn push(&mut self, pending: Pending, after: Box<RawValue>) {
        let step = match pending {
            Pending::Frame { conn, frame } => Step::Frame {
                tab: conn.map(|c| self.tab(c)),
                frame,
                after,
            },
            Pending::Changed(what) => Step::Changed {
                what: what.to_owned(),
                after,
            },
        };
        self.bytes += size(&step);
        self.recording.steps.push(step);
        let mut gone = 0;
        while self.bytes > self.limit && self.recording.steps.len() - gone > 1 {
            self.bytes -= size(&self.recording.steps[gone]);
            gone += 1;
        }
        if gone > 0 {
            let mut old = self.recording.steps.drain(..gone);
            let last = old.next_back().expect("one step at least");
            drop(old);
            self.recording.start = match last {
                Step::Frame { after, .. } | Step::Changed { after, .. } => after,
            };
            self.recording.dropped += gone as u64;
        }
    }

    fn tab(&mut self, conn: u64) -> u32 {
        let at = self
            .tabs
            .iter()
            .position(|c| *c == conn)
            .unwrap_or_else(|| {
                self.tabs.push(conn);
                self.tabs.len() - 1
            });
        u32::try_from(at).unwrap_or(u32::MAX)
    }

    /// The recording so far.
    pub(crate) fn recording(&self) -> &Recording {
        &self.recording
    }

    /// The recording, ended.
    pub(crate) fn into_recording(self) -> Recording {
        self.recording
    }
}

impl Recording {
    /// Reads a recording from its JSON.
    ///
    /// # Errors
    ///
    /// When `json` is not a recording, or one of another format.
    pub fn from_json(json: &str) -> Result<Recording, String> {
        let r: Recording =
            serde_json::from_str(json).map_err(|e| format!("not a recording: {e}"))?;
        if r.format != FORMAT {
            return Err(format!(
                "a recording of format {}, which this build does not read (it reads {FORMAT})",
                r.format
            ));
        }
        Ok(r)
    }

    /// The recording as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The recording as a Rust test to drop into an app crate's `tests/` (with `tokio` among
    /// its dev-dependencies): it replays the steps (kept in it as data) through
    /// [`crate::testing::replay_with`] and fails at the first step whose session differs.
    /// `app` is the app's path (`my_app::Counter`), `name` the test's; the test passes
    /// `Options::default()`, to change for an app whose handlers take resources.
    pub fn to_rust_test(&self, app: &str, name: &str) -> String {
        // Whitespace normalised (a recording read from a file may hold carriage returns, which
        // a raw string may not).
        let json = serde_json::to_value(self)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_default();
        // A raw string whose delimiter the JSON does not contain.
        let mut hashes = String::from("#");
        while json.contains(&format!("\"{hashes}")) {
            hashes.push('#');
        }
        let mut name: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            name.insert_str(0, "replay_");
        }
        format!(
            "//! A session of `{app}` recorded by numerous: it replays the session's steps and\n\
             //! fails at the first whose result differs from what was recorded.\n\
             \n\
             #[tokio::test]\n\
             async fn {name}() {{\n    \
                 let recording = numerous::recording::Recording::from_json(RECORDING).unwrap();\n    \
                 // The app's options: its resources (a test database), its session migration.\n    \
                 let options = numerous::Options::default();\n    \
                 if let Err(divergence) = numerous::testing::replay_with::<{app}>(options, &recording).await {{\n        \
                     panic!(\"{{divergence}}\");\n    \
                 }}\n\
             }}\n\
             \n\
             const RECORDING: &str = r{hashes}\"{json}\"{hashes};\n"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_owned()).unwrap()
    }

    #[test]
    fn a_recording_keeps_its_most_recent_steps_within_its_limit() {
        let mut r = Recorder::new("App", 1, None, raw("{}"), 400);
        for i in 0..10 {
            r.push(
                Pending::Frame {
                    conn: Some(7 + i % 2),
                    frame: format!("{{\"n\":{i}}}"),
                },
                raw("{\"widgets\":{}}"),
            );
        }
        let rec = r.into_recording();
        assert!(rec.dropped > 0);
        assert_eq!(rec.dropped as usize + rec.steps.len(), 10);
        // The most recent steps are kept.
        assert!(
            matches!(&rec.steps[rec.steps.len() - 1], Step::Frame { frame, .. } if frame == "{\"n\":9}")
        );
        // Tabs are numbered in the order they first sent something.
        let tabs: Vec<_> = rec
            .steps
            .iter()
            .map(|s| match s {
                Step::Frame { tab, .. } => *tab,
                Step::Changed { .. } => None,
            })
            .collect();
        assert!(tabs.iter().all(|t| matches!(t, Some(0 | 1))), "{tabs:?}");
    }

    #[test]
    fn a_recording_becomes_a_test_that_holds_it_whole() {
        let mut r = Recorder::new("App", 1, None, raw("{\"x\":\"\\\"#\"}"), 1 << 20);
        r.push(Pending::Changed("background"), raw("{}"));
        let rec = r.into_recording();
        let test = rec.to_rust_test("my_app::App", "Replay 1");
        assert!(test.contains("async fn replay_1()"), "{test}");
        assert!(
            test.contains("numerous::testing::replay_with::<my_app::App>"),
            "{test}"
        );
        let start = test
            .find("r##\"")
            .expect("a delimiter the JSON does not contain")
            + 4;
        let end = test.rfind("\"##").unwrap();
        let back: Recording = serde_json::from_str(&test[start..end]).unwrap();
        assert_eq!(back.steps.len(), 1);
        let value = |raw: &RawValue| serde_json::from_str::<serde_json::Value>(raw.get()).unwrap();
        assert_eq!(value(&back.start), value(&rec.start));
    }
}
