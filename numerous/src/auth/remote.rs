//! The app binary's commands that act on the running app rather than on its users' store:
//! `end-session` signs in as an administrator over HTTP and calls the app's
//! `POST <prefix>/api/admin/sessions/end`, instance after instance. The session's id travels in
//! the body (never in a URL, which logs keep) and is never in an error.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::AuthError;

/// The most of an answer read.
const ANSWER_LIMIT: usize = 64 * 1024;

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Body>;

/// Sends `request`; its status and body (the first [`ANSWER_LIMIT`] bytes), within 30 s.
async fn send(
    client: &HttpClient,
    request: Request<Body>,
) -> Result<(StatusCode, String), AuthError> {
    let uri = request.uri().clone();
    let exchange = async {
        let answer = client
            .request(request)
            .await
            .map_err(|e| AuthError::Backend(format!("{uri}: {e}")))?;
        let status = answer.status();
        let body = axum::body::to_bytes(Body::new(answer.into_body()), ANSWER_LIMIT)
            .await
            .map_err(|e| AuthError::Backend(format!("{uri}: {e}")))?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), exchange)
        .await
        .map_err(|_| AuthError::Backend(format!("{uri}: no answer within 30 s")))?
}

fn request(method: &str, uri: &str) -> Result<axum::http::request::Builder, AuthError> {
    if !uri.starts_with("http://") {
        return Err(AuthError::Invalid(format!(
            "`{uri}`: give the instance's own address, `http://host:port` (HTTPS is its proxy's)"
        )));
    }
    Ok(Request::builder().method(method).uri(uri))
}

/// Ends session `id` at the first of `urls` that runs it, signed in as `admin`; returns that
/// url.
pub(crate) async fn end_session(
    id: &str,
    urls: &[String],
    admin: &str,
    password: &str,
) -> Result<String, AuthError> {
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let http = |e: axum::http::Error| AuthError::Backend(e.to_string());
    for url in urls {
        let base = url.trim_end_matches('/');
        let credentials =
            serde_json::json!({"username": admin, "password": password, "bearer": true})
                .to_string();
        // The app's own sign-in, or (an app sharing a server's sign-in) the server's, at the root.
        let root = base
            .find("://")
            .and_then(|scheme| {
                base[scheme + 3..]
                    .find('/')
                    .map(|p| &base[..scheme + 3 + p])
            })
            .unwrap_or(base);
        let mut signed_in = None;
        for at in [base, root] {
            let login = request("POST", &format!("{at}/api/auth/login"))?
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(credentials.clone()))
                .map_err(http)?;
            match send(&client, login).await? {
                (StatusCode::NOT_FOUND, _) if at != root => {}
                answer => {
                    signed_in = Some(answer);
                    break;
                }
            }
        }
        let (status, body) = signed_in.expect("the root is tried last");
        if status != StatusCode::OK {
            return Err(AuthError::Invalid(format!(
                "{base}: signing in as `{admin}` failed ({status}): {body}"
            )));
        }
        let token = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["access_token"].as_str().map(str::to_owned))
            .ok_or_else(|| AuthError::Backend(format!("{base}: no access token in {body}")))?;
        let end = request("POST", &format!("{base}/api/admin/sessions/end"))?
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::json!({ "id": id }).to_string()))
            .map_err(http)?;
        match send(&client, end).await? {
            (StatusCode::NO_CONTENT, _) => return Ok(base.to_owned()),
            // Not this instance's: the next one.
            (StatusCode::NOT_FOUND, _) => {}
            (status, body) => {
                return Err(AuthError::Invalid(format!(
                    "{base}: ending the session failed ({status}): {body}"
                )));
            }
        }
    }
    Err(AuthError::Invalid(format!(
        "no live session with this id at {}",
        urls.join(", ")
    )))
}
