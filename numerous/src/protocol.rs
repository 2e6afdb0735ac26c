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

/// Machine-readable error codes, stable across versions: one vocabulary for the socket's error
/// frames (`code`) and every HTTP error (`error`). docs/protocol.md lists them in two tables
/// ("Error codes", "HTTP errors"); a test checks the tables and this enum agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
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
    /// Nobody is signed in, or the tab's sign-in expired or was ended: sign in again.
    Unauthenticated,
    /// The user may not do this (a role is missing, or the session is another user's).
    Forbidden,
    /// The session cannot be had now (the session store is away, or another server holds it
    /// and did not let it go in time): the tab retries shortly.
    Unavailable,
    /// HTTP: no such session, event stream, widget file or page.
    NotFound,
    /// HTTP: a body that is not what the route takes, or that broke off.
    BadRequest,
    /// HTTP: a request for a host name the app does not serve (DNS rebinding).
    UnknownHost,
    /// HTTP: a request from another site's page.
    CrossOrigin,
    /// HTTP: a form without the CSRF token its page set.
    Csrf,
    /// HTTP: an upload slower than the slowest rate allowed.
    TooSlow,
    /// HTTP: the server is doing as much of this as it may (uploads being read, password
    /// checks queued): try again shortly.
    Busy,
    /// Sign-in: a wrong username or password.
    InvalidCredentials,
    /// Sign-in: the account is deactivated.
    Inactive,
    /// Sign-in: too many attempts; try again after `Retry-After`.
    RateLimited,
    /// Sign-in: an account with this email exists; user administration: with this name.
    Exists,
    /// The sign-in provider cannot do this (an environment's users cannot be changed).
    Unsupported,
    /// Sign-in: a refresh token that is unknown, expired, or was used already.
    InvalidToken,
    /// A failure of the server's own (a database away): the log has it, the answer does not.
    Internal,
}

impl ErrorCode {
    /// Every code, socket codes first, in the order of docs/protocol.md's tables.
    pub(crate) const ALL: [ErrorCode; 28] = [
        ErrorCode::BadFrame,
        ErrorCode::TooLarge,
        ErrorCode::UnknownType,
        ErrorCode::UnknownWidget,
        ErrorCode::InvalidInput,
        ErrorCode::Rejected,
        ErrorCode::NoMessages,
        ErrorCode::HandlerFailed,
        ErrorCode::HandlerPanicked,
        ErrorCode::SessionLimit,
        ErrorCode::TabLimit,
        ErrorCode::Forbidden,
        ErrorCode::Unauthenticated,
        ErrorCode::Unavailable,
        ErrorCode::NotFound,
        ErrorCode::BadRequest,
        ErrorCode::UnknownHost,
        ErrorCode::CrossOrigin,
        ErrorCode::Csrf,
        ErrorCode::TooSlow,
        ErrorCode::Busy,
        ErrorCode::InvalidCredentials,
        ErrorCode::Inactive,
        ErrorCode::RateLimited,
        ErrorCode::Exists,
        ErrorCode::Unsupported,
        ErrorCode::InvalidToken,
        ErrorCode::Internal,
    ];

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
            ErrorCode::NotFound => "not-found",
            ErrorCode::BadRequest => "bad-request",
            ErrorCode::UnknownHost => "unknown-host",
            ErrorCode::CrossOrigin => "cross-origin",
            ErrorCode::Csrf => "csrf",
            ErrorCode::TooSlow => "too-slow",
            ErrorCode::Busy => "busy",
            ErrorCode::InvalidCredentials => "invalid-credentials",
            ErrorCode::Inactive => "inactive",
            ErrorCode::RateLimited => "rate-limited",
            ErrorCode::Exists => "exists",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::InvalidToken => "invalid-token",
            ErrorCode::Internal => "internal",
        }
    }
}

/// An HTTP error, the one shape every route of numerous's refuses with (the socket's upgrade,
/// the fallback transport, uploads and downloads, the API, sign-in, the host guard; not static
/// files and unknown URLs, which are plain 404s): `{"error": "<code>", "detail": "<text>"}`,
/// with the code from [`ErrorCode`] (the socket's vocabulary) and the detail for people.
/// A 401 carries `WWW-Authenticate`; a refusal that passes carries `Retry-After`.
#[derive(Debug)]
pub(crate) struct HttpError {
    status: axum::http::StatusCode,
    code: ErrorCode,
    detail: String,
    retry_after: Option<u64>,
}

impl HttpError {
    pub(crate) fn new(
        status: axum::http::StatusCode,
        code: ErrorCode,
        detail: impl Into<String>,
    ) -> Self {
        HttpError {
            status,
            code,
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// The same error, telling the client to try again in `secs` seconds.
    pub(crate) fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }
}

impl HttpError {
    /// What one of axum's extractors refused, with its status: `too-large` for a body over
    /// axum's limit, else `bad-request`.
    fn rejected(status: axum::http::StatusCode, detail: String) -> Self {
        let code = if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ErrorCode::TooLarge
        } else {
            ErrorCode::BadRequest
        };
        HttpError::new(status, code, detail)
    }
}

/// A query string the route cannot read (a missing `name`, a `nonce` that is not a number).
impl From<axum::extract::rejection::QueryRejection> for HttpError {
    fn from(r: axum::extract::rejection::QueryRejection) -> Self {
        HttpError::rejected(r.status(), r.body_text())
    }
}

/// A JSON body the route cannot read (not JSON, the wrong shape, no JSON content type, over
/// axum's body limit).
impl From<axum::extract::rejection::JsonRejection> for HttpError {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        HttpError::rejected(r.status(), r.body_text())
    }
}

/// A body that could not be read (over axum's body limit, or broken off).
impl From<axum::extract::rejection::BytesRejection> for HttpError {
    fn from(r: axum::extract::rejection::BytesRejection) -> Self {
        HttpError::rejected(r.status(), r.body_text())
    }
}

/// A request to `/ws` that is not a WebSocket upgrade.
impl From<axum::extract::ws::rejection::WebSocketUpgradeRejection> for HttpError {
    fn from(r: axum::extract::ws::rejection::WebSocketUpgradeRejection) -> Self {
        HttpError::rejected(r.status(), r.body_text())
    }
}

#[derive(Serialize)]
struct HttpErrorBody<'a> {
    error: ErrorCode,
    detail: &'a str,
}

impl HttpError {
    /// The body of an error answer: `{"error": code, "detail": ..}`.
    pub(crate) fn body(code: ErrorCode, detail: &str) -> String {
        serde_json::to_string(&HttpErrorBody {
            error: code,
            detail,
        })
        .expect("an error body always serializes")
    }
}

impl axum::response::IntoResponse for HttpError {
    fn into_response(self) -> axum::response::Response {
        use axum::http::{HeaderValue, StatusCode, header};
        let body = HttpError::body(self.code, &self.detail);
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"numerous\""),
            );
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
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

/// This run of the server process: 8 random hex digits, in every `welcome` (`"run"`). A tab that
/// gets a new session (`resumed: false`) from another run knows the server restarted, rather than
/// that its session ended, and says so.
pub(crate) fn server_run() -> &'static str {
    static RUN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    RUN.get_or_init(|| crate::util::random_hex(4))
}

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

/// The codes a tab's connection ends with: docs/protocol.md ("Close codes") lists the same, and
/// the browser client (numerous/static/numerous.js) acts on them; a test checks the three agree.
/// Every layer that closes a tab takes its code from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u16)]
pub(crate) enum CloseCode {
    /// The tab closed its connection (the server answers its close): nothing to do.
    Normal = 1000,
    /// The server is shutting down, or (with a session store) the session moves to another
    /// instance: the client reconnects at once.
    GoingAway = 1001,
    /// The client broke the WebSocket protocol.
    Protocol = 1002,
    /// A message over four times the message limit.
    TooBig = 1009,
    /// The tab's session ended under it: it reconnects to a new one at once.
    SessionEnded = 1012,
    /// Refused for now (a limit, a store that cannot be reached or is behind): try again later.
    TryLater = 1013,
    /// The tab answered no ping.
    NoPong = 4000,
    /// The tab fell too far behind the session's updates; reconnecting brings the current state.
    TooSlow = 4008,
    /// The tab's sign-in expired or was ended: the client refreshes it or goes to the login page.
    Unauthenticated = 4401,
    /// The tab asked for another user's session: the client forgets that id and starts afresh.
    NotYours = 4403,
}

/// Decodes a browser frame, as the event path's first step does (for benchmarks).
pub fn decode_frame(text: &str) -> bool {
    serde_json::from_str::<ClientFrame<'_>>(text).is_ok()
}

/// What the browser client does after a close code.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reconnect {
    /// Nothing: the tab closed it.
    Nothing,
    /// Reconnects at once, without the connection banner.
    AtOnce,
    /// Reconnects with backoff, showing the banner.
    Backoff,
    /// Refreshes the sign-in, or goes to the login page.
    SignIn,
    /// Forgets the session id and connects afresh.
    Afresh,
}

impl CloseCode {
    /// Every code, in the order of docs/protocol.md.
    #[cfg(test)]
    pub(crate) const ALL: [CloseCode; 10] = [
        CloseCode::Normal,
        CloseCode::GoingAway,
        CloseCode::Protocol,
        CloseCode::TooBig,
        CloseCode::SessionEnded,
        CloseCode::TryLater,
        CloseCode::NoPong,
        CloseCode::TooSlow,
        CloseCode::Unauthenticated,
        CloseCode::NotYours,
    ];

    /// The number on the wire.
    pub(crate) const fn code(self) -> u16 {
        self as u16
    }

    /// What the client does after it.
    #[cfg(test)]
    pub(crate) const fn reconnect(self) -> Reconnect {
        match self {
            CloseCode::Normal => Reconnect::Nothing,
            CloseCode::GoingAway | CloseCode::SessionEnded | CloseCode::TooSlow => {
                Reconnect::AtOnce
            }
            CloseCode::Protocol | CloseCode::TooBig | CloseCode::TryLater | CloseCode::NoPong => {
                Reconnect::Backoff
            }
            CloseCode::Unauthenticated => Reconnect::SignIn,
            CloseCode::NotYours => Reconnect::Afresh,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/protocol.md's two tables of error codes (the socket's, then HTTP's) list exactly
    /// [`ErrorCode::ALL`], in order, and each code travels as `as_str` says.
    #[test]
    fn error_codes_agree_with_the_docs() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                code.as_str(),
                "{code:?} serializes as it is documented"
            );
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let Ok(docs) = std::fs::read_to_string(root.join("../docs/protocol.md")) else {
            return; // a published package has no docs/
        };
        let codes_of = |heading: &str| -> Vec<String> {
            docs.split(heading)
                .nth(1)
                .unwrap_or_else(|| panic!("docs/protocol.md has no `{heading}`"))
                .lines()
                .skip_while(|l| !l.starts_with("|---"))
                .skip(1)
                .take_while(|l| l.starts_with('|'))
                .map(|l| {
                    l.split('|')
                        .nth(1)
                        .unwrap()
                        .trim()
                        .trim_matches('`')
                        .to_owned()
                })
                .collect()
        };
        let mut documented = codes_of("### Error codes");
        documented.extend(codes_of("### HTTP errors"));
        let ours: Vec<String> = ErrorCode::ALL
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect();
        assert_eq!(
            documented, ours,
            "docs/protocol.md's error codes and ErrorCode differ"
        );
    }

    #[test]
    fn an_http_error_is_one_shape() {
        use axum::response::IntoResponse as _;
        let r = HttpError::new(
            axum::http::StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "sign in first",
        )
        .retry_after(3)
        .into_response();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(r.headers()["www-authenticate"], "Bearer realm=\"numerous\"");
        assert_eq!(r.headers()["retry-after"], "3");
    }

    /// The close codes of docs/protocol.md's table and what it says the client does, the codes
    /// the browser client acts on, and [`CloseCode`] agree.
    #[test]
    fn close_codes_agree_with_the_docs_and_the_client() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        // docs/ is beside the package in the repository (not in a published package).
        if let Ok(docs) = std::fs::read_to_string(root.join("../docs/protocol.md")) {
            let table = docs
                .split("### Close codes")
                .nth(1)
                .expect("docs/protocol.md has a close-code table");
            let rows: Vec<(u16, Reconnect)> = table
                .lines()
                .skip_while(|l| !l.starts_with("|---"))
                .skip(1)
                .take_while(|l| l.starts_with('|'))
                .map(|l| {
                    let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                    let client = cells[3];
                    let reconnect = if client.starts_with("reconnects at once") {
                        Reconnect::AtOnce
                    } else if client.starts_with("reconnects with backoff") {
                        Reconnect::Backoff
                    } else if client.starts_with("refreshes the sign-in") {
                        Reconnect::SignIn
                    } else if client.starts_with("forgets the session id") {
                        Reconnect::Afresh
                    } else if client.starts_with("nothing") {
                        Reconnect::Nothing
                    } else {
                        panic!("docs/protocol.md: what does the client do after {l}?")
                    };
                    (cells[1].parse().expect("a code"), reconnect)
                })
                .collect();
            let ours: Vec<(u16, Reconnect)> = CloseCode::ALL
                .iter()
                .map(|c| (c.code(), c.reconnect()))
                .collect();
            assert_eq!(rows, ours, "docs/protocol.md's table and CloseCode differ");
        }
        let client = std::fs::read_to_string(root.join("static/numerous.js")).unwrap();
        let constant = |name: &str| -> String {
            let at = client
                .find(&format!("const {name} = "))
                .unwrap_or_else(|| panic!("numerous.js has no {name}"));
            let rest = &client[at + name.len() + 9..];
            rest[..rest.find(';').unwrap()].to_owned()
        };
        let quick: Vec<u16> = constant("QUICK_RECONNECT")
            .trim_start_matches("new Set([")
            .trim_end_matches("])")
            .split(',')
            .map(|c| c.trim().parse().unwrap())
            .collect();
        let at_once: Vec<u16> = CloseCode::ALL
            .iter()
            .filter(|c| c.reconnect() == Reconnect::AtOnce)
            .map(|c| c.code())
            .collect();
        assert_eq!(quick, at_once, "numerous.js's QUICK_RECONNECT");
        assert_eq!(
            constant("CLOSE_UNAUTHENTICATED"),
            CloseCode::Unauthenticated.code().to_string()
        );
        assert_eq!(
            constant("CLOSE_NOT_YOURS"),
            CloseCode::NotYours.code().to_string()
        );
    }

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
