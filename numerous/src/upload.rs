//! Files over HTTP, never over the WebSocket: `POST <prefix>/upload/{widget}?name=<file name>`
//! brings a file to a widget, `GET <prefix>/download/{widget}` takes one from it.
//!
//! The session is named by the `X-Numerous-Session` header (never in the URL). The file must fit
//! the widget's own limit and the server's, checked against `Content-Length` before anything is
//! read and again while reading; it must arrive at a minimum rate; and only a bounded number of
//! uploads are read at once, so uploads cannot exhaust the server's memory.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::protocol::{ErrorCode, HttpError, SESSION_HEADER};
use crate::registry::{Registry, SessionHandle};
use crate::session::Input;

/// Beyond the header timeout (which every upload may take regardless of its size), a body must
/// arrive at this many bytes per second at least.
const MIN_BYTES_PER_SEC: f64 = 1024.0;
/// How long an upload waits for its turn when the server reads as many as it may.
const QUEUE_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Deserialize)]
pub(crate) struct UploadQuery {
    name: String,
    /// Its place among files picked together, from 1 (with `of`).
    part: Option<usize>,
    /// How many files were picked together.
    of: Option<usize>,
}

impl UploadQuery {
    /// The batch `part` and `of` name, or why they do not make one.
    fn batch(&self) -> Result<Option<crate::widget::Batch>, String> {
        match (self.part, self.of) {
            (None, None) => Ok(None),
            (Some(index), Some(count)) => crate::widget::Batch::new(index, count).map(Some),
            _ => Err("`part` and `of` go together".to_owned()),
        }
    }
}

fn reply(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Response {
    HttpError::new(status, code, detail).into_response()
}

/// The session named by the request's `X-Numerous-Session`, the index of `widget`, and what the
/// session's own task answers to the input `make` builds (in order with the tab's events); or
/// the 404 to send.
async fn ask<T>(
    registry: &Registry,
    user: Option<&crate::auth::CurrentUser>,
    headers: &HeaderMap,
    widget: &str,
    make: impl FnOnce(usize, oneshot::Sender<T>) -> Input,
) -> Result<(SessionHandle, usize, T), Response> {
    let Some(session) = headers
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|id| registry.session_for(id, user.map(|u| &**u)))
    else {
        return Err(reply(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "unknown or expired session",
        ));
    };
    let Some(index) = registry.env.dispatch.widget(widget) else {
        return Err(reply(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownWidget,
            format!("unknown widget `{widget}`"),
        ));
    };
    let (tx, rx) = oneshot::channel();
    let asked = session.inputs.send(make(index, tx)).await;
    match (asked, rx.await) {
        (Ok(()), Ok(answer)) => Ok((session, index, answer)),
        _ => Err(reply(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "the session ended",
        )),
    }
}

/// How many uploads an app reads at once, and how large one may be.
#[derive(Debug)]
pub(crate) struct Uploads {
    /// A permit per upload being read.
    pub(crate) permits: tokio::sync::Semaphore,
    /// The server's limit on one upload, whatever a widget allows.
    pub(crate) max_bytes: usize,
    /// What a body may take beyond its bytes at the slowest rate allowed (the header read
    /// timeout).
    pub(crate) grace: Duration,
}

/// `POST /upload/{widget}?name=..` (header `X-Numerous-Session`): a file for the widget, read
/// within the server's and the widget's limits and handed to the session's task.
pub(crate) async fn upload(
    State(registry): State<Arc<Registry>>,
    State(uploads): State<Arc<Uploads>>,
    Path(widget): Path<String>,
    q: Result<Query<UploadQuery>, QueryRejection>,
    user: Option<crate::auth::CurrentUser>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let Query(q) = match q {
        Ok(q) => q,
        Err(e) => return HttpError::from(e).into_response(),
    };
    let batch = match q.batch() {
        Ok(batch) => batch,
        Err(why) => return reply(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, why),
    };
    // The widget's limit now (a handler may have changed it), from the session's own task.
    let (session, index, limit) = match ask(
        &registry,
        user.as_ref(),
        &headers,
        &widget,
        |widget, reply| Input::UploadLimit { widget, reply },
    )
    .await
    {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Some(widget_max) = limit else {
        return reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidInput,
            format!("widget `{widget}`: this widget takes no uploads"),
        );
    };
    let server_max = uploads.max_bytes;
    let too_big = |size: Option<u64>| {
        let over_server = size.map_or(widget_max >= server_max, |n| n > server_max as u64);
        if over_server {
            return reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::TooLarge,
                format!("the file is over the server's upload limit of {server_max} bytes"),
            );
        }
        let what = match size {
            Some(n) => format!("{} is {n} bytes, over", q.name),
            None => format!("{} is over", q.name),
        };
        reply(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::TooLarge,
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

    let Ok(Ok(_permit)) = tokio::time::timeout(QUEUE_WAIT, uploads.permits.acquire()).await else {
        return HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Busy,
            "the server is reading as many uploads as it may; try again shortly",
        )
        .retry_after(1)
        .into_response();
    };
    let capacity = declared.map_or(0, |n| n as usize).min(max);
    let mut bytes = Vec::with_capacity(capacity);
    let started = Instant::now();
    let grace = uploads.grace;
    let mut stream = body.into_data_stream();
    loop {
        let deadline =
            started + grace + Duration::from_secs_f64(bytes.len() as f64 / MIN_BYTES_PER_SEC);
        let chunk = match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => {
                return reply(
                    StatusCode::REQUEST_TIMEOUT,
                    ErrorCode::TooSlow,
                    format!("the upload was too slow (under {MIN_BYTES_PER_SEC} bytes per second)"),
                );
            }
            Ok(None) => break,
            Ok(Some(Err(_))) => {
                return reply(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::BadRequest,
                    "the upload broke off",
                );
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
        batch,
    };
    let (done, outcome) = oneshot::channel();
    let sent = session
        .inputs
        .send(Input::Upload {
            widget: index,
            file: Box::new(file),
            done,
        })
        .await;
    if sent.is_err() {
        return reply(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "the session ended",
        );
    }
    match outcome.await {
        Ok(Ok(())) => Json(serde_json::json!({ "ok": true })).into_response(),
        Ok(Err((code, e))) => reply(StatusCode::UNPROCESSABLE_ENTITY, code, e),
        Err(_) => reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "the session ended",
        ),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct DownloadQuery {
    nonce: Option<u64>,
}

/// `GET /download/{widget}?nonce=N` (header `X-Numerous-Session`): the file the widget serves,
/// if it is still file `N`; 404 otherwise.
pub(crate) async fn download(
    State(registry): State<Arc<Registry>>,
    Path(widget): Path<String>,
    q: Result<Query<DownloadQuery>, QueryRejection>,
    user: Option<crate::auth::CurrentUser>,
    headers: HeaderMap,
) -> Response {
    let Query(q) = match q {
        Ok(q) => q,
        Err(e) => return HttpError::from(e).into_response(),
    };
    let served = ask(
        &registry,
        user.as_ref(),
        &headers,
        &widget,
        |widget, reply| Input::ServedFile { widget, reply },
    )
    .await;
    let file = match served {
        Ok((_, _, Some(file))) if q.nonce.is_none_or(|n| n == file.nonce) => file,
        Ok(_) => {
            return reply(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                format!("widget `{widget}` has no such file (any more)"),
            );
        }
        Err(response) => return response,
    };
    let mime = axum::http::HeaderValue::from_str(&file.mime)
        .unwrap_or_else(|_| axum::http::HeaderValue::from_static("application/octet-stream"));
    let disposition = content_disposition(&file.name);
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            ),
        ],
        axum::body::Bytes::from_owner(file.bytes),
    )
        .into_response()
}

/// `attachment; filename="..."; filename*=UTF-8''...`: an ASCII fallback and the exact name.
fn content_disposition(name: &str) -> axum::http::HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    axum::http::HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| axum::http::HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_in_the_header() {
        let v = content_disposition("r\u{e9}sum\u{e9} \"x\".csv\r\nSet-Cookie: a=b");
        let s = v.to_str().unwrap();
        assert!(!s.contains('\r') && !s.contains('\n'), "{s}");
        assert!(
            s.starts_with("attachment; filename=\"r_sum_ _x_.csv__Set-Cookie: a=b\""),
            "{s}"
        );
        assert!(
            s.contains(
                "filename*=UTF-8''r%C3%A9sum%C3%A9%20%22x%22.csv%0D%0ASet-Cookie%3A%20a%3Db"
            ),
            "{s}"
        );
    }
}
