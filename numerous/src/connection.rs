//! `GET <prefix>/ws`: one tab's live connection to its session.
//!
//! A connection is two loops in one task. The reader takes frames from the socket and hands
//! them to the session in order, waiting whenever the session's queue or the tab's own outbox
//! is full: a client that sends faster than the server (or the client itself) keeps up is
//! slowed down, never dropped and never answered with lost events. The writer moves frames from
//! the tab's [`Outbox`] to the socket, with a deadline on each write. Silent tabs are pinged and
//! closed when they stay silent.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};

use crate::auth::{AuthState, CurrentUser, TabAuth, User};
use crate::http::{self, ClientAddr, HttpConfig};
use crate::outbox::Outbox;
use crate::protocol::{self, CloseCode, ErrorCode, HttpError, SESSION_SUBPROTOCOL, SUBPROTOCOL};
use crate::registry::{Registry, SessionHandle};
use crate::session::Refusal;
use crate::session::{Control, Input};
use tokio::time::Instant;

/// Bytes read from a socket at a time: the read buffer every open tab holds. Frames here are small
/// (a click is 60 bytes); a larger one takes several reads. 4 KiB cost 3.5 KiB more per idle tab.
const READ_BUFFER: usize = 512;

/// How long a socket stays open after its close frame, for the client to read it.
const CLOSE_LINGER: std::time::Duration = std::time::Duration::from_secs(1);

/// `GET /ws`.
pub(crate) async fn endpoint(
    State(registry): State<Arc<Registry>>,
    State(http): State<Arc<HttpConfig>>,
    State(auth): State<Option<Arc<AuthState>>>,
    client: ClientAddr,
    user: Option<CurrentUser>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(e) => return HttpError::from(e).into_response(),
    };
    let (peer, client) = (client.peer, client.key);
    // The protect middleware has let only signed-in users through to a protected app.
    let auth = match (&auth, &user) {
        (Some(auth), Some(user)) => Some(auth.watch_tab(&user.0)),
        _ => None,
    };
    let user = user.map(|u| u.user().clone());
    if let Err(origin) = http::check_origin(&headers, &http, peer) {
        return forbidden_origin(&origin);
    }
    let requested = requested_session(&headers);
    // The transport's hard limit is above ours, so a message between the two gets a clear error
    // frame; one above it closes the connection with 1009.
    let hard_limit = http.max_message_bytes.saturating_mul(4);
    upgrade
        .protocols([SUBPROTOCOL])
        .max_message_size(hard_limit)
        .max_frame_size(hard_limit)
        // tungstenite's defaults (128 KiB each) would dominate an idle session's memory;
        // frames here are small, and each is flushed as soon as it is written.
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .on_upgrade(move |socket| {
            // Split here, not in the task: an async fn keeps its arguments for its whole life,
            // and the whole socket is ten times the size of its two halves.
            let (sink, stream) = socket.split();
            connection(
                (registry, http),
                sink,
                stream,
                requested,
                client,
                user,
                auth,
            )
        })
}

/// Attaches a new tab (of any transport) to the session it asks for, or a new one: its outbox
/// holds the welcome, or the refusal and a close frame.
pub(crate) fn open_tab(
    registry: &Arc<Registry>,
    http: &HttpConfig,
    requested: Option<&str>,
    client: IpAddr,
    user: Option<&Arc<User>>,
) -> (Option<SessionHandle>, Arc<Outbox>, u64) {
    let outbox = Arc::new(Outbox::new(http.max_queued_bytes));
    let conn = registry.next_conn();
    let session = match registry.attach(requested, client, user) {
        Ok((session, resumed)) => {
            let connected = session.control.send(Control::Connect {
                conn,
                outbox: outbox.clone(),
                resumed,
            });
            if connected.is_err() {
                // The session ended as we attached; the tab reconnects and gets a new one.
                outbox.close(CloseCode::SessionEnded, "the session ended");
            }
            Some(session)
        }
        Err(Refusal::NotYours) => {
            tracing::warn!(%client, "refused a tab: it asked for another user's session");
            let _ = outbox.push(Message::Text(
                protocol::error(ErrorCode::Forbidden, &Refusal::NotYours.message(), None).into(),
            ));
            outbox.close(CloseCode::NotYours, "not your session");
            None
        }
        Err(Refusal::Moving) => {
            // Saved and let go in a moment: the client reconnects at once, and finds it.
            outbox.close(CloseCode::GoingAway, "the session is moving");
            None
        }
        Err(refusal) => {
            if matches!(refusal, Refusal::Client(_)) {
                tracing::info!(%client, "refused a session: this client holds its limit");
            }
            let _ = outbox.push(Message::Text(
                protocol::error(ErrorCode::SessionLimit, &refusal.message(), None).into(),
            ));
            outbox.close(CloseCode::TryLater, "session limit");
            None
        }
    };
    (session, outbox, conn)
}

/// Closes a tab whose sign-in expired (not refreshed in time) or was signed out: the client
/// refreshes it and reconnects, or goes to the login page.
pub(crate) fn sign_in_ended(outbox: &Outbox) {
    let m = "your sign-in has expired or was ended; sign in again";
    let _ = outbox.push(Message::Text(
        protocol::error(ErrorCode::Unauthenticated, m, None).into(),
    ));
    outbox.close(CloseCode::Unauthenticated, "sign-in expired");
}

/// The response to a request from another site's page.
pub(crate) fn forbidden_origin(origin: &str) -> Response {
    tracing::info!(%origin, "refused a connection from another origin");
    HttpError::new(
        StatusCode::FORBIDDEN,
        ErrorCode::CrossOrigin,
        format!(
            "pages from {origin} may not connect to this app (allow it with --allowed-origins)"
        ),
    )
    .into_response()
}

/// The session id a client offers in `Sec-WebSocket-Protocol`, if any.
fn requested_session(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().strip_prefix(SESSION_SUBPROTOCOL))
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

async fn connection(
    (registry, http): (Arc<Registry>, Arc<HttpConfig>),
    sink: SplitSink<WebSocket, Message>,
    stream: SplitStream<WebSocket>,
    requested: Option<String>,
    client: IpAddr,
    user: Option<Arc<User>>,
    auth: Option<TabAuth>,
) {
    let _tracked = registry.tabs.token();
    let (session, outbox, conn) = open_tab(
        &registry,
        &http,
        requested.as_deref(),
        client,
        user.as_ref(),
    );
    {
        let writer = write(&http, &outbox, sink);
        tokio::pin!(writer);
        let reader = async {
            match &session {
                Some(s) => read(&http, s, conn, &outbox, stream).await,
                // Refused: nothing to read, but the client's close reply.
                None => Some(Leftover {
                    stream,
                    corrupt: false,
                }),
            }
        };
        tokio::pin!(reader);
        let mut read_result = None;
        // The tab's login expired (it was not refreshed in time) or was signed out.
        // Boxed: most apps are open to all, and their tabs need no room for its timer.
        let expired = async move {
            match auth {
                Some(mut a) => Box::pin(async move { a.expired().await }).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(expired);
        let mut expiry_seen = false;
        // Shutdown reaches the tab through its session, which closes the outbox with 1001.
        let closed_cleanly = loop {
            tokio::select! {
                sent_close = &mut writer => break sent_close,
                r = &mut reader, if read_result.is_none() => read_result = Some(r),
                () = &mut expired, if !expiry_seen => {
                    expiry_seen = true;
                    sign_in_ended(&outbox);
                }
            }
        };
        // The close frame is out: give the client a moment to read it (and answer it) before
        // the socket goes, or unread bytes would make the kernel reset the connection and the
        // client would never see why it was closed.
        if closed_cleanly {
            match read_result {
                None => {
                    let _ = tokio::time::timeout(CLOSE_LINGER, reader).await;
                }
                Some(Some(Leftover {
                    mut stream,
                    corrupt: false,
                })) => {
                    let _ = tokio::time::timeout(CLOSE_LINGER, async {
                        while let Some(Ok(_)) = stream.next().await {}
                    })
                    .await;
                }
                Some(Some(Leftover {
                    stream,
                    corrupt: true,
                })) => {
                    tokio::time::sleep(CLOSE_LINGER).await;
                    drop(stream);
                }
                Some(None) => {}
            }
        }
    }
    if let Some(s) = session {
        let _ = s.control.send(Control::Disconnect { conn });
    }
}

/// What a reader leaves when it stops before the client closed: the socket's read half, to
/// keep until the client has seen the close frame.
struct Leftover {
    stream: SplitStream<WebSocket>,
    /// The stream broke off mid-frame: it cannot be read any more.
    corrupt: bool,
}

/// Socket to session: in order, waiting (not reading) while either side is full. Returns the
/// stream unless the client closed it.
async fn read(
    http: &HttpConfig,
    session: &SessionHandle,
    conn: u64,
    outbox: &Outbox,
    mut stream: SplitStream<WebSocket>,
) -> Option<Leftover> {
    let leftover = |stream, corrupt| Some(Leftover { stream, corrupt });
    let max = http.max_message_bytes;
    let interval = http.ping_interval;
    let mut pinged = false;
    // One timer for the connection's life, moved only when it fires: a frame costs a clock
    // read, not a timer registration.
    let mut last_seen = Instant::now();
    let silence = tokio::time::sleep_until(last_seen + interval);
    tokio::pin!(silence);
    loop {
        // The tab is not taking what it is sent: take nothing more from it until it does.
        outbox.wait_drained().await;
        if outbox.is_closed() {
            return leftover(stream, false);
        }
        let msg = tokio::select! {
            biased;
            msg = stream.next() => msg,
            () = &mut silence => {
                let due = last_seen + interval;
                let now = Instant::now();
                if now < due {
                    silence.as_mut().reset(due);
                } else if pinged {
                    tracing::debug!(conn, "a tab answered no ping; closing it");
                    outbox.close_now(CloseCode::NoPong, "no answer to ping");
                    return leftover(stream, false);
                } else {
                    pinged = true;
                    last_seen = now;
                    silence.as_mut().reset(now + interval);
                    let _ = outbox.push(Message::Ping(Default::default()));
                }
                continue;
            }
        };
        last_seen = Instant::now();
        pinged = false;
        match msg {
            Some(Ok(Message::Text(text))) if text.len() > max => {
                let m = format!(
                    "message of {} bytes is over the limit of {max} bytes; ignored",
                    text.len()
                );
                let _ = outbox.push(Message::Text(
                    protocol::error(ErrorCode::TooLarge, &m, None).into(),
                ));
            }
            Some(Ok(Message::Text(text))) => {
                if session
                    .inputs
                    .send(Input::Frame { conn, text })
                    .await
                    .is_err()
                {
                    outbox.close(CloseCode::SessionEnded, "the session ended");
                    return leftover(stream, false);
                }
            }
            Some(Ok(Message::Binary(_))) => {
                let m = "binary frames are not supported; send JSON text";
                let _ = outbox.push(Message::Text(
                    protocol::error(ErrorCode::BadFrame, m, None).into(),
                ));
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            Some(Ok(Message::Close(_))) | None => {
                outbox.close_now(CloseCode::Normal, "");
                return None;
            }
            Some(Err(e)) => {
                if is_too_big(e) {
                    let m = format!(
                        "a message over {} bytes closes the connection",
                        max.saturating_mul(4)
                    );
                    let _ = outbox.push(Message::Text(
                        protocol::error(ErrorCode::TooLarge, &m, None).into(),
                    ));
                    outbox.close(CloseCode::TooBig, "message too big");
                } else {
                    outbox.close_now(CloseCode::Protocol, "protocol error");
                }
                return leftover(stream, true);
            }
        }
    }
}

/// Whether a read failed on a message over the transport's limit. (`tungstenite` must be the
/// version axum uses, or the downcast never matches: the 1009 test catches that.)
fn is_too_big(e: axum::Error) -> bool {
    use tungstenite::error::{CapacityError, Error};
    matches!(
        e.into_inner().downcast_ref::<Error>(),
        Some(Error::Capacity(
            CapacityError::MessageTooLong { .. } | CapacityError::TooManyHeaders
        ))
    )
}

/// Outbox to socket, each write within the write timeout. Returns whether it sent a close frame
/// (and not: the socket failed or stayed stuck).
async fn write(
    http: &HttpConfig,
    outbox: &Outbox,
    mut sink: SplitSink<WebSocket, Message>,
) -> bool {
    let deadline = http.write_timeout;
    while let Some(msg) = outbox.next().await {
        let closing = matches!(msg, Message::Close(_));
        match tokio::time::timeout(deadline, sink.send(msg)).await {
            Ok(Ok(())) if !closing => {}
            Ok(Ok(())) => return true,
            Ok(Err(_)) => return false,
            Err(_) => {
                tracing::info!("a tab's socket took no frame for {deadline:?}; closing it");
                outbox.close_now(CloseCode::TryLater, "too slow");
                return false;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_travels_in_the_subprotocol() {
        let mut h = HeaderMap::new();
        h.insert(
            header::SEC_WEBSOCKET_PROTOCOL,
            "numerous, numerous.session.abc123".parse().unwrap(),
        );
        assert_eq!(requested_session(&h).as_deref(), Some("abc123"));
        h.insert(header::SEC_WEBSOCKET_PROTOCOL, "numerous".parse().unwrap());
        assert_eq!(requested_session(&h), None);
        assert_eq!(requested_session(&HeaderMap::new()), None);
    }
}
