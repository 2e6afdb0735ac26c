//! `POST <prefix>/upload/{widget}?name=<file name>`: a file for a widget, over HTTP.
//!
//! The session is named by the `X-Numerous-Session` header (never in the URL). The file must fit
//! the widget's own limit and the server's, checked against `Content-Length` before anything is
//! read and again while reading; it must arrive at a minimum rate; and only a bounded number of
//! uploads are read at once, so uploads cannot exhaust the server's memory.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::runtime::Runtime;
use crate::session::Input;

/// The header that names the session of an upload.
pub(crate) const SESSION_HEADER: &str = "x-numerous-session";
/// Beyond the header timeout (which every upload may take regardless of its size), a body must
/// arrive at this many bytes per second at least.
const MIN_BYTES_PER_SEC: f64 = 1024.0;
/// How long an upload waits for its turn when the server reads as many as it may.
const QUEUE_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Deserialize)]
pub(crate) struct UploadQuery {
    name: String,
}

fn reply(status: StatusCode, error: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": error.into() }))).into_response()
}

pub(crate) async fn upload(
    State(rt): State<Arc<Runtime>>,
    Path(widget): Path<String>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let Some(session) = headers
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|id| rt.session(id))
    else {
        return reply(StatusCode::NOT_FOUND, "unknown or expired session");
    };
    let Some(index) = rt.dispatch.widget(&widget) else {
        return reply(StatusCode::NOT_FOUND, format!("unknown widget `{widget}`"));
    };

    // The widget's limit now (a handler may have changed it), from the session's own task.
    let (ask, answer) = oneshot::channel();
    let asked = session
        .inputs
        .send(Input::UploadLimit {
            widget: index,
            reply: ask,
        })
        .await;
    let widget_max = match (asked, answer.await) {
        (Ok(()), Ok(Some(max))) => max,
        (Ok(()), Ok(None)) => {
            return reply(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("widget `{widget}`: this widget takes no uploads"),
            );
        }
        _ => return reply(StatusCode::NOT_FOUND, "the session ended"),
    };
    let server_max = rt.options.max_upload_bytes;
    let too_big = |size: Option<u64>| {
        let over_server = size.map_or(widget_max >= server_max, |n| n > server_max as u64);
        if over_server {
            return reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the file is over the server's upload limit of {server_max} bytes"),
            );
        }
        let what = match size {
            Some(n) => format!("{} is {n} bytes, over", q.name),
            None => format!("{} is over", q.name),
        };
        reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("widget `{widget}`: {what} the limit of {widget_max} bytes"),
        )
    };
    let max = server_max.min(widget_max);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(len) = declared
        && len > max as u64
    {
        // Refused before a byte of the body is read.
        return too_big(Some(len));
    }

    let Ok(Ok(_permit)) = tokio::time::timeout(QUEUE_WAIT, rt.uploads.acquire()).await else {
        return reply(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is reading as many uploads as it may; try again shortly",
        );
    };
    let capacity = declared.map_or(0, |n| n as usize).min(max);
    let mut bytes = Vec::with_capacity(capacity);
    let started = Instant::now();
    let grace = rt.options.header_read_timeout;
    let mut stream = body.into_data_stream();
    loop {
        let deadline =
            started + grace + Duration::from_secs_f64(bytes.len() as f64 / MIN_BYTES_PER_SEC);
        let chunk = match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => {
                return reply(
                    StatusCode::REQUEST_TIMEOUT,
                    format!("the upload was too slow (under {MIN_BYTES_PER_SEC} bytes per second)"),
                );
            }
            Ok(None) => break,
            Ok(Some(Err(_))) => {
                return reply(StatusCode::BAD_REQUEST, "the upload broke off");
            }
            Ok(Some(Ok(chunk))) => chunk,
        };
        if bytes.len() + chunk.len() > max {
            return too_big(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let file = crate::widget::Upload {
        name: q.name,
        mime,
        bytes,
    };
    let (done, outcome) = oneshot::channel();
    let sent = session
        .inputs
        .send(Input::Upload {
            widget: index,
            file,
            done,
        })
        .await;
    if sent.is_err() {
        return reply(StatusCode::NOT_FOUND, "the session ended");
    }
    match outcome.await {
        Ok(Ok(())) => Json(serde_json::json!({ "ok": true })).into_response(),
        Ok(Err(e)) => reply(StatusCode::UNPROCESSABLE_ENTITY, e),
        Err(_) => reply(StatusCode::INTERNAL_SERVER_ERROR, "the session ended"),
    }
}
