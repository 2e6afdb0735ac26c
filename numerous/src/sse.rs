//! The fallback transport for networks that block WebSockets: server-sent events for what the
//! server sends, HTTP POSTs for what the tab sends. The same frames, the same session, the same
//! outbox (merged patches, limits), the same order.
//!
//! 1. `POST <prefix>/sse` (header `X-Numerous-Session` to resume) opens a tab and answers
//!    `{"stream": A, "send": B}`.
//! 2. `GET <prefix>/sse?stream=A` is the event stream: one `message` event per frame, comments as
//!    pings, and a `close` event (`data` = the close code) before the server ends it. `A` works
//!    once, so the URL (which proxies log) holds no lasting credential.
//! 3. `POST <prefix>/sse/send` with header `X-Numerous-Stream: B` and a JSON array of frames:
//!    queued in order for the session (the answer waits while its queue is full), 204.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::ws::{Message, Utf8Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use dashmap::DashMap;

use crate::auth::{AuthState, CurrentUser};
use crate::connection::{forbidden_origin, open_tab};
use crate::http::{self, ClientAddr, HttpConfig};
use crate::outbox::Outbox;
use crate::protocol::{
    CLOSE_HEADER, CloseCode, ErrorCode, HttpError, SESSION_HEADER, STREAM_HEADER,
};
use crate::registry::{Registry, SessionHandle};
use crate::session::{Control, Input};
/// How long an opened tab waits for its event stream.
const OPEN_WAIT: Duration = Duration::from_secs(10);

/// A tab on the fallback transport.
#[derive(Debug, Clone)]
pub(crate) struct SseTab {
    session: SessionHandle,
    outbox: Arc<Outbox>,
    conn: u64,
    send_token: Arc<str>,
    /// Closes the tab when its sign-in ends (protected apps).
    watch: Option<tokio::task::AbortHandle>,
}

/// An error frame the tab's outbox holds, read back for the answer to a refused open.
#[derive(Deserialize)]
struct ErrorFrameIn {
    code: ErrorCode,
    message: String,
}

/// An app's tabs on the fallback transport.
#[derive(Debug, Default)]
pub(crate) struct SseTabs {
    /// Tabs opened and waiting for their event stream, by stream token.
    open: DashMap<String, SseTab>,
    /// Every tab, by the token its POSTs carry.
    send: DashMap<Arc<str>, SseTab>,
}

/// `POST /sse`: opens a tab.
pub(crate) async fn open(
    State(registry): State<Arc<Registry>>,
    State(http): State<Arc<HttpConfig>>,
    State(auth): State<Option<Arc<AuthState>>>,
    State(tabs): State<Arc<SseTabs>>,
    client: ClientAddr,
    user: Option<CurrentUser>,
    headers: HeaderMap,
) -> Response {
    if let Err(origin) = http::check_origin(&headers, &http, client.peer) {
        return forbidden_origin(&origin);
    }
    let requested = headers.get(SESSION_HEADER).and_then(|v| v.to_str().ok());
    let signed_in = user.as_ref().map(|u| u.user().clone());
    let (session, outbox, conn) =
        open_tab(&registry, &http, requested, client.key, signed_in.as_ref());
    let stream = crate::util::random_hex(16);
    let send: Arc<str> = crate::util::random_hex(16).into();
    let Some(session) = session else {
        // Refused: the outbox holds the error frame and the close a socket would get; answer
        // both (as an HTTP error, the close code in a header), so the client acts as on a
        // socket (4403: start afresh; 1013: retry later; 1001: at once).
        let mut refusal: Option<(ErrorCode, String)> = None;
        let mut code = CloseCode::TryLater.code();
        loop {
            match outbox.try_next() {
                crate::outbox::Next::Frame(Message::Text(t)) => {
                    if let Ok(frame) = serde_json::from_str::<ErrorFrameIn>(&t) {
                        refusal = Some((frame.code, frame.message));
                    }
                }
                crate::outbox::Next::Frame(Message::Close(Some(c))) => {
                    code = c.code;
                    // No error frame (the session moves, or it ended): the close says why.
                    refusal.get_or_insert((ErrorCode::Unavailable, c.reason.to_string()));
                    break;
                }
                crate::outbox::Next::Frame(_) => {}
                _ => break,
            }
        }
        let (error, detail) = refusal.unwrap_or_else(|| {
            (
                ErrorCode::Unavailable,
                "the session is unavailable".to_owned(),
            )
        });
        let (status, after) = if code == CloseCode::NotYours.code() {
            (StatusCode::FORBIDDEN, None)
        } else if code == CloseCode::GoingAway.code() {
            (StatusCode::SERVICE_UNAVAILABLE, Some(0))
        } else {
            (StatusCode::SERVICE_UNAVAILABLE, Some(1))
        };
        let mut refused = HttpError::new(status, error, detail);
        if let Some(after) = after {
            refused = refused.retry_after(after);
        }
        let mut response = refused.into_response();
        response.headers_mut().insert(CLOSE_HEADER, code.into());
        return response;
    };
    // As a socket is: closed when its sign-in expires or is signed out.
    let watch = match (&auth, &user) {
        (Some(auth), Some(user)) => {
            let mut auth = auth.watch_tab(&user.0);
            let outbox = outbox.clone();
            Some(
                tokio::spawn(async move {
                    auth.expired().await;
                    crate::connection::sign_in_ended(&outbox);
                })
                .abort_handle(),
            )
        }
        _ => None,
    };
    let tab = SseTab {
        session,
        outbox,
        conn,
        send_token: send.clone(),
        watch,
    };
    tabs.open.insert(stream.clone(), tab.clone());
    tabs.send.insert(send.clone(), tab);
    // A tab whose stream never comes is closed.
    let waiting = stream.clone();
    tokio::spawn(async move {
        tokio::time::sleep(OPEN_WAIT).await;
        if let Some((_, tab)) = tabs.open.remove(&waiting) {
            close_tab(&tabs, &tab);
        }
    });
    Json(serde_json::json!({ "stream": stream, "send": &*send })).into_response()
}

fn close_tab(tabs: &SseTabs, tab: &SseTab) {
    tabs.send.remove(&tab.send_token);
    if let Some(watch) = &tab.watch {
        watch.abort();
    }
    tab.outbox.close_now(CloseCode::Normal, "");
    let _ = tab
        .session
        .control
        .send(Control::Disconnect { conn: tab.conn });
}

#[derive(Debug, Deserialize)]
pub(crate) struct StreamQuery {
    stream: String,
}

/// Ends the tab when its event stream is dropped (the client went away, or the server ended it).
struct StreamGuard {
    tabs: Arc<SseTabs>,
    tab: Option<SseTab>,
    _tracked: tokio_util::task::task_tracker::TaskTrackerToken,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        if let Some(tab) = &self.tab {
            close_tab(&self.tabs, tab);
        }
    }
}

/// `GET /sse?stream=A`: the tab's event stream.
pub(crate) async fn stream(
    State(registry): State<Arc<Registry>>,
    State(http): State<Arc<HttpConfig>>,
    State(tabs): State<Arc<SseTabs>>,
    q: Result<Query<StreamQuery>, QueryRejection>,
) -> Response {
    let Query(q) = match q {
        Ok(q) => q,
        Err(e) => return HttpError::from(e).into_response(),
    };
    let Some((_, tab)) = tabs.open.remove(q.stream.as_str()) else {
        return HttpError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "unknown or used event stream; open a new one",
        )
        .into_response();
    };
    let outbox = tab.outbox.clone();
    let guard = StreamGuard {
        tabs,
        tab: Some(tab),
        _tracked: registry.tabs.token(),
    };
    let events =
        futures_util::stream::unfold((outbox, guard, false), |(outbox, guard, done)| async move {
            if done {
                return None;
            }
            let event = match outbox.next().await? {
                Message::Text(t) => Event::default().data(t.as_str()),
                Message::Close(frame) => {
                    let code = frame.map_or(1000, |f| f.code);
                    return Some((
                        Ok::<_, std::convert::Infallible>(
                            Event::default().event("close").data(code.to_string()),
                        ),
                        (outbox, guard, true),
                    ));
                }
                // Pings are the keep-alive comments below.
                _ => Event::default().comment(""),
            };
            Some((Ok(event), (outbox, guard, false)))
        });
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(http.ping_interval))
        .into_response();
    // Proxies must not buffer the stream.
    response
        .headers_mut()
        .insert("x-accel-buffering", "no".parse().expect("a valid header"));
    response
}

/// `POST /sse/send`: the tab's frames, in order.
pub(crate) async fn send(
    State(http): State<Arc<HttpConfig>>,
    State(tabs): State<Arc<SseTabs>>,
    user: Option<CurrentUser>,
    headers: HeaderMap,
    frames: Result<Json<Vec<Box<serde_json::value::RawValue>>>, JsonRejection>,
) -> Response {
    let Json(frames) = match frames {
        Ok(frames) => frames,
        Err(e) => return HttpError::from(e).into_response(),
    };
    let Some(tab) = headers
        .get(STREAM_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|t| tabs.send.get(t).map(|t| t.clone()))
        // On a protected app, only the session's owner may send to it.
        .filter(|t| t.session.owner.as_ref().map(|o| &o.id) == user.as_ref().map(|u| &u.id))
    else {
        return HttpError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "unknown event stream; open a new one",
        )
        .into_response();
    };
    let max = http.max_message_bytes;
    for frame in frames {
        let text = frame.get();
        if text.len() > max {
            let m = format!(
                "message of {} bytes is over the limit of {max} bytes; ignored",
                text.len()
            );
            let _ = tab.outbox.push(Message::Text(
                crate::protocol::error(crate::protocol::ErrorCode::TooLarge, &m, None).into(),
            ));
            continue;
        }
        // Backpressure: wait while the tab or the session is behind, as the socket reader does.
        tab.outbox.wait_drained().await;
        let input = Input::Frame {
            conn: tab.conn,
            text: Utf8Bytes::from(text),
        };
        if tab.session.inputs.send(input).await.is_err() {
            return HttpError::new(StatusCode::GONE, ErrorCode::NotFound, "the session ended")
                .into_response();
        }
    }
    StatusCode::NO_CONTENT.into_response()
}
