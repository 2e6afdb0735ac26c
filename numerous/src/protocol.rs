//! The WebSocket wire format (see `docs/protocol.md`): JSON text frames both ways.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// A frame from the browser. Unknown fields are ignored, so clients can add fields safely.
#[derive(Debug, Deserialize)]
pub(crate) struct ClientFrame<'a> {
    /// `update` or `msg`.
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    /// The widget key.
    #[serde(borrow, default)]
    pub widget: Option<Cow<'a, str>>,
    /// `update`: the fields to write, e.g. `{"value": 3}`.
    #[serde(borrow, default)]
    pub state: Option<&'a RawValue>,
    /// `msg`: the content given to `model.send(..)`.
    #[serde(borrow, default)]
    pub content: Option<&'a RawValue>,
    /// Echoed in an error caused by this frame.
    #[serde(default)]
    pub seq: Option<u64>,
    /// `invoke`: the request's id, echoed in the `reply`.
    #[serde(default)]
    pub id: Option<u64>,
    /// `invoke`: the command (the handler's name).
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    /// `msg`, `invoke`: anywidget's binary buffers, base64 ([`crate::Bytes`]).
    #[serde(borrow, default)]
    pub buffers: Vec<Cow<'a, str>>,
}

/// `{"type":"reply","id":..,"content":..}` or `{"type":"reply","id":..,"error":".."}`.
pub(crate) fn reply(id: u64, answer: Result<&RawValue, &str>) -> String {
    #[derive(Serialize)]
    struct Reply<'a> {
        #[serde(rename = "type")]
        kind: &'static str,
        id: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        content: Option<&'a RawValue>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<&'a str>,
    }
    serde_json::to_string(&Reply {
        kind: "reply",
        id,
        content: answer.ok(),
        error: answer.err(),
    })
    .expect("a reply always serializes")
}

/// Machine-readable error codes, stable across versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// Not JSON, not a text frame, or missing a field.
    BadFrame,
    /// Larger than the configured limit.
    TooLarge,
    /// A `type` the server does not know, or an `invoke` of a command the widget lacks.
    UnknownType,
    /// A widget key the app does not have.
    UnknownWidget,
    /// Fields or types the widget does not accept.
    InvalidInput,
    /// A value the widget refuses (out of range, not an option, disabled).
    Rejected,
    /// The widget takes no custom messages.
    NoMessages,
    /// A handler returned an error; the session kept its last good state.
    HandlerFailed,
    /// A handler panicked; the session kept its last good state.
    HandlerPanicked,
    /// The server (or this client) holds as many sessions as it may; retry later.
    SessionLimit,
    /// The session has as many tabs as it may.
    TabLimit,
    /// The tab's sign-in expired or was ended: sign in again.
    Unauthenticated,
    /// The user may not do this (a role is missing, or the session is another user's).
    Forbidden,
    /// The session cannot be had now (the session store is away, or another server holds it
    /// and did not let it go in time): the tab retries shortly.
    Unavailable,
}

impl ErrorCode {
    /// The code as it travels (`invalid-input`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadFrame => "bad-frame",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::TooLarge => "too-large",
            ErrorCode::UnknownType => "unknown-type",
            ErrorCode::UnknownWidget => "unknown-widget",
            ErrorCode::InvalidInput => "invalid-input",
            ErrorCode::Rejected => "rejected",
            ErrorCode::NoMessages => "no-messages",
            ErrorCode::HandlerFailed => "handler-failed",
            ErrorCode::HandlerPanicked => "handler-panicked",
            ErrorCode::SessionLimit => "session-limit",
            ErrorCode::TabLimit => "tab-limit",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
        }
    }
}

#[derive(Serialize)]
struct ErrorFrame<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    code: ErrorCode,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
}

/// `{"type":"error","code":..,"message":..,"seq":..}`.
pub(crate) fn error(code: ErrorCode, message: &str, seq: Option<u64>) -> String {
    serde_json::to_string(&ErrorFrame {
        kind: "error",
        code,
        message,
        seq,
    })
    .expect("an error frame always serializes")
}

/// Writes `{"type":"<kind>",<extra>"state":{"k":<state>,..}}` for the widgets `select` picks.
///
/// Keys are Rust identifiers and states are JSON already: nothing needs escaping.
pub(crate) fn state_frame<'s>(
    out: &mut Vec<u8>,
    kind: &str,
    extra: &str,
    widgets: impl Iterator<Item = (&'static str, &'s [u8])>,
) {
    out.extend_from_slice(b"{\"type\":\"");
    out.extend_from_slice(kind.as_bytes());
    out.extend_from_slice(b"\",");
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(b"\"state\":{");
    for (n, (key, state)) in widgets.enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\":");
        out.extend_from_slice(state);
    }
    out.extend_from_slice(b"}}");
}

// Names on the wire besides the frames (docs/protocol.md).

/// The WebSocket subprotocol of numerous; the server always selects it.
pub(crate) const SUBPROTOCOL: &str = "numerous";
/// A client resumes session `<id>` by also offering the subprotocol `numerous.session.<id>`,
/// which keeps the id (the session's only credential) out of URLs and access logs.
pub(crate) const SESSION_SUBPROTOCOL: &str = "numerous.session.";
/// The header that names a tab's session: uploads and downloads, and (for load balancers) every
/// request of the fallback transport.
pub(crate) const SESSION_HEADER: &str = "x-numerous-session";
/// The header that names an event stream in `POST /sse/send`.
pub(crate) const STREAM_HEADER: &str = "x-numerous-stream";
/// The header of a refused `POST /sse` that gives the close code a socket would have got.
pub(crate) const CLOSE_HEADER: &str = "x-numerous-close";

// The close codes a tab's connection ends with (docs/protocol.md, "Close codes"; the browser
// client acts on them in numerous/static/numerous.js). One list: every layer that closes a tab
// takes its code from here.

/// The server is shutting down, or (with a session store) the session moves to another
/// instance: the client reconnects at once.
pub(crate) const CLOSE_GOING_AWAY: u16 = 1001;
/// The client broke the WebSocket protocol.
pub(crate) const CLOSE_PROTOCOL: u16 = 1002;
/// A message over four times the message limit.
pub(crate) const CLOSE_TOO_BIG: u16 = 1009;
/// The tab's session ended under it: it reconnects to a new one at once.
pub(crate) const CLOSE_SESSION_ENDED: u16 = 1012;
/// Refused for now (a limit, a store that cannot be reached or is behind): try again later.
pub(crate) const CLOSE_TRY_LATER: u16 = 1013;
/// The tab answered no ping.
pub(crate) const CLOSE_NO_PONG: u16 = 4000;
/// The tab fell too far behind the session's updates; reconnecting brings the current state.
pub(crate) const CLOSE_TOO_SLOW: u16 = 4008;
/// The tab's sign-in expired or was ended: the client refreshes it or goes to the login page.
pub(crate) const CLOSE_UNAUTHENTICATED: u16 = 4401;
/// The tab asked for another user's session: the client forgets that id and starts afresh.
pub(crate) const CLOSE_NOT_YOURS: u16 = 4403;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_read_as_they_travel() {
        for code in [
            ErrorCode::BadFrame,
            ErrorCode::InvalidInput,
            ErrorCode::HandlerFailed,
            ErrorCode::Forbidden,
            ErrorCode::Unauthenticated,
            ErrorCode::TooLarge,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }

    #[test]
    fn parses_frames() {
        let f: ClientFrame = serde_json::from_str(
            r#"{"type":"update","widget":"n","state":{"value":3},"seq":4,"extra":1}"#,
        )
        .unwrap();
        assert_eq!(f.kind, "update");
        assert_eq!(f.widget.as_deref(), Some("n"));
        assert_eq!(f.state.unwrap().get(), r#"{"value":3}"#);
        assert_eq!(f.seq, Some(4));
    }

    #[test]
    fn writes_state_frames() {
        let mut out = Vec::new();
        state_frame(
            &mut out,
            "patch",
            "",
            [("a", &b"{\"v\":1}"[..]), ("b", &b"{}"[..])].into_iter(),
        );
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["type"], "patch");
        assert_eq!(v["state"]["a"]["v"], 1);
    }

    #[test]
    fn error_frames_are_json() {
        let v: serde_json::Value =
            serde_json::from_str(&error(ErrorCode::UnknownWidget, "no \"x\"", Some(2))).unwrap();
        assert_eq!(v["code"], "unknown-widget");
        assert_eq!(v["message"], "no \"x\"");
        assert_eq!(v["seq"], 2);
    }
}
