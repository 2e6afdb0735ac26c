//! The HTTP API every app has, generated from its struct: describe the app, open a session,
//! read its state, write a widget's input, click, send a message. Scripts, tests and other
//! services drive an app with it as a tab would: the same checks, the same handlers, and open
//! tabs see the change.
//!
//! Under the app's prefix:
//! - `GET /api/describe`: widgets (kind, state, input schema), handlers;
//! - `GET /api/openapi.json`: these routes as an OpenAPI 3.1 document;
//! - `POST /api/sessions`: a new session, `{"session": id, "state": {..}}`;
//! - `GET /api/sessions/{id}`: `{"state": {..}}`;
//! - `POST /api/sessions/{id}/widgets/{widget}`: body = the input (`{"value": 3}`);
//! - `POST /api/sessions/{id}/widgets/{widget}/click`;
//! - `POST /api/sessions/{id}/widgets/{widget}/message`: body = the message.
//!
//! Answers carry the state after the change and the errors it caused (422 when there are
//! any). On a protected app the routes need a signed-in user, and a session is its owner's.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRef, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::app::AppMeta;
use crate::auth::CurrentUser;
use crate::http::{ClientAddr, HttpConfig};
use crate::protocol::{ErrorCode, HttpError};
use crate::registry::{Registry, SessionHandle};
use crate::session::{ApiAnswer, Input};
use crate::spec::AppSpec;

/// The API's routes, relative to the app's prefix.
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Registry>: FromRef<S>,
    Arc<HttpConfig>: FromRef<S>,
    Option<Arc<crate::auth::AuthState>>: FromRef<S>,
{
    Router::new()
        .route("/api/describe", get(describe))
        .route("/api/openapi.json", get(openapi))
        .route("/api/sessions", post(open))
        .route("/api/sessions/{id}", get(read))
        .route("/api/sessions/{id}/widgets/{widget}", post(write))
        .route("/api/sessions/{id}/widgets/{widget}/click", post(click))
        .route("/api/sessions/{id}/widgets/{widget}/message", post(message))
        .route(
            "/api/sessions/{id}/widgets/{widget}/commands/{name}",
            post(command),
        )
}

fn error(status: StatusCode, code: ErrorCode, detail: impl Into<String>) -> Response {
    HttpError::new(status, code, detail).into_response()
}

/// The JSON type of a value, for a schema.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// What the app is: its widgets (state of a fresh session, what the browser may write) and
/// its handlers.
pub(crate) fn description(meta: &AppMeta) -> Value {
    let app = (meta.new)();
    let widgets: Vec<Value> = meta
        .spec
        .widgets
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let widget = app.widget(i);
            let mut state = Vec::new();
            if let Some(widget) = widget {
                let _ = widget.write_state(&mut state);
            }
            let state: Value = serde_json::from_slice(&state).unwrap_or(Value::Null);
            let fields = widget.map_or(&[][..], |w| w.input_fields());
            let properties: serde_json::Map<String, Value> = fields
                .iter()
                .map(|f| {
                    // A field that starts empty (`null`, a table's `sort_by`) says nothing of
                    // its type: any JSON value is described (the widget checks it).
                    let mut schema = match state.get(*f) {
                        None | Some(Value::Null) => json!({}),
                        Some(v) => json!({ "type": json_type(v) }),
                    };
                    if let Some((_, doc)) =
                        widget.and_then(|w| w.field_docs().iter().find(|(name, _)| name == f))
                    {
                        schema["description"] = (*doc).into();
                    }
                    ((*f).to_owned(), schema)
                })
                .collect();
            let emits: Vec<&str> = [
                (w.emits.click, "click"),
                (w.emits.change, "change"),
                (w.emits.submit, "submit"),
                (w.emits.message, "message"),
            ]
            .into_iter()
            .filter_map(|(yes, event)| yes.then_some(event))
            .collect();
            json!({
                "key": w.key,
                "kind": w.kind,
                "doc": w.doc,
                "emits": emits,
                "state": state,
                "input": {
                    "type": "object",
                    "properties": properties,
                    "additionalProperties": false,
                },
            })
        })
        .collect();
    let handlers: Vec<Value> = meta
        .handlers
        .iter()
        .map(|h| {
            json!({
                "name": h.name,
                "widget": if h.widget.is_empty() { Value::Null } else { h.widget.into() },
                "event": format!("{:?}", h.event).to_lowercase(),
            })
        })
        .collect();
    json!({ "app": meta.spec.name, "widgets": widgets, "handlers": handlers })
}

async fn describe(State(registry): State<Arc<Registry>>) -> Response {
    axum::Json(description(registry.env.meta)).into_response()
}

async fn openapi(
    State(registry): State<Arc<Registry>>,
    State(http): State<Arc<HttpConfig>>,
    State(auth): State<Option<Arc<crate::auth::AuthState>>>,
) -> Response {
    let mut document = openapi_document(registry.env.meta.spec, &http.prefix);
    // Where the sign-in's routes are: the app's prefix, or a Server's root when the app shares
    // the server's sign-in.
    if let Some(auth) = auth {
        add_user_routes(&mut document, &auth.prefix);
        add_session_routes(&mut document, &http.prefix);
    }
    axum::Json(document).into_response()
}

/// The administrators' user routes of an app with sign-in (`auth/admin.rs`), added to its
/// document.
fn add_user_routes(document: &mut Value, prefix: &str) {
    let failed = |description: &str| {
        json!({"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
    };
    let user = json!({"description": "the user",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}});
    let name =
        json!({"name": "username", "in": "path", "required": true, "schema": {"type": "string"}});
    let common = json!({"401": failed("not signed in"), "403": failed("not an administrator"),
        "501": failed("the sign-in provider cannot do this")});
    let with = |mut more: Value| {
        for (k, v) in common.as_object().into_iter().flatten() {
            more[k] = v.clone();
        }
        more
    };
    let paths = &mut document["paths"];
    paths[format!("{prefix}/api/admin/users")] = json!({
        "get": {"summary": "Every user (administrators)", "responses": with(json!({"200": {"description": "the users",
            "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}}}}}))},
        "post": {"summary": "Create a user (administrators)",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                "required": ["username", "password"],
                "properties": {"username": {"type": "string"}, "password": {"type": "string"},
                    "email": {"type": "string"}, "is_admin": {"type": "boolean"},
                    "roles": {"type": "array", "items": {"type": "string"}}}}}}},
            "responses": with(json!({"201": user.clone(), "400": failed("a bad name, password or email"),
                "409": failed("a user of that name or email exists")}))},
    });
    paths[format!("{prefix}/api/admin/users/{{username}}")] = json!({
        "get": {"summary": "One user (administrators)", "parameters": [name.clone()],
            "responses": with(json!({"200": user.clone(), "404": failed("no such user")}))},
        "patch": {"summary": "Change a user's email, admin flag or roles (administrators)", "parameters": [name.clone()],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                "properties": {"email": {"type": ["string", "null"]}, "is_admin": {"type": "boolean"},
                    "roles": {"type": "array", "items": {"type": "string"}}}}}}},
            "responses": with(json!({"200": user, "400": failed("nothing to change, or a bad value"),
                "404": failed("no such user"), "409": failed("another user has that email")}))},
        "delete": {"summary": "Delete a user and their refresh tokens (administrators; not yourself)", "parameters": [name],
            "responses": with(json!({"204": {"description": "deleted"}, "400": failed("your own account"),
                "404": failed("no such user")}))},
    });
    document["components"]["schemas"]["User"] = json!({
        "type": "object",
        "properties": {"id": {"type": "string"}, "username": {"type": "string"},
            "email": {"type": ["string", "null"]}, "roles": {"type": "array", "items": {"type": "string"}},
            "is_admin": {"type": "boolean"}, "is_active": {"type": "boolean"}}
    });
}

/// The administrators' session routes of an app with sign-in (`auth/admin.rs`): always under
/// the app's own prefix (each app has its own sessions).
fn add_session_routes(document: &mut Value, prefix: &str) {
    let failed = |description: &str| {
        json!({"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
    };
    let paths = &mut document["paths"];
    paths[format!("{prefix}/api/admin/sessions")] = json!({
        "get": {"summary": "The app's live sessions on this server (administrators)",
            "responses": {"200": {"description": "each session's id and its owner",
                "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object",
                    "properties": {"id": {"type": "string"}, "user": {"type": ["string", "null"]}}}}}}},
                "401": failed("not signed in"), "403": failed("not an administrator")}},
    });
    paths[format!("{prefix}/api/admin/sessions/end")] = json!({
        "post": {"summary": "End a session: its tabs are told and start a new one (administrators)",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                "required": ["id"], "properties": {"id": {"type": "string"}}}}}},
            "responses": {"204": {"description": "ended"}, "401": failed("not signed in"),
                "403": failed("not an administrator, or from another site"),
                "404": failed("no live session with this id on this server")}},
    });
    paths[format!("{prefix}/api/admin/sessions/record")] = json!({
        "post": {"summary": "Start or stop recording a session's inputs, to replay as a test (administrators)",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                "required": ["id", "on"], "properties": {"id": {"type": "string"}, "on": {"type": "boolean"}}}}}},
            "responses": {"204": {"description": "recording (or not) from now on; stopping drops what was recorded"},
                "401": failed("not signed in"),
                "403": failed("not an administrator, or from another site"),
                "404": failed("no live session with this id on this server")}},
    });
    paths[format!("{prefix}/api/admin/sessions/recording")] = json!({
        "post": {"summary": "A session's recording so far, as JSON or as a Rust test that replays it (administrators)",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                "required": ["id"], "properties": {"id": {"type": "string"},
                    "test": {"type": "string", "description": "the app's Rust path: answer a test instead"}}}}}},
            "responses": {"200": {"description": "the recording",
                    "content": {"application/json": {"schema": {"type": "object"}},
                        "text/plain": {"schema": {"type": "string"}}}},
                "401": failed("not signed in"),
                "403": failed("not an administrator, or from another site"),
                "404": failed("no live session with this id on this server, or it records nothing")}},
    });
}

/// The API as an OpenAPI 3.1 document.
pub(crate) fn openapi_document(spec: &AppSpec, prefix: &str) -> Value {
    let answer = json!({
        "description": "the state after the request, and the errors it caused",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}}
    });
    let refused = json!({
        "description": "refused input (an unknown widget, a value of the wrong type, a handler that failed): the errors, and the state",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}}
    });
    // Every error has one shape (docs/protocol.md, "HTTP errors").
    let failed = |description: &str| {
        json!({"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
    };
    let missing = failed("no such session (or not yours), or it ended");
    let bad = failed("the body is not JSON");
    let too_large = failed("the body is over the app's message limit");
    let signed_out = failed("not signed in (an app that needs a sign-in)");
    let full = failed("the server, this client or this user holds as many sessions as it may");
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}});
    let widget = json!({"name": "widget", "in": "path", "required": true,
        "schema": {"type": "string", "enum": spec.widgets.iter().map(|w| w.key).collect::<Vec<_>>()}});
    let p = |path: &str| format!("{prefix}{path}");
    json!({
        "openapi": "3.1.0",
        "info": {"title": format!("{} API", spec.name), "version": env!("CARGO_PKG_VERSION")},
        "paths": {
            p("/api/describe"): {"get": {"summary": "The app's widgets and handlers",
                "responses": {"200": {"description": "the description"}}}},
            p("/api/openapi.json"): {"get": {"summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1"}}}},
            p("/api/sessions"): {"post": {"summary": "Open a session",
                "responses": {"201": answer.clone(), "401": signed_out, "503": full}}},
            p("/api/sessions/{id}"): {"get": {"summary": "A session's state", "parameters": [id],
                "responses": {"200": answer.clone(), "401": signed_out, "404": missing}}},
            p("/api/sessions/{id}/widgets/{widget}"): {"post": {"summary": "Write a widget's input",
                "parameters": [id, widget],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": answer.clone(), "400": bad, "401": signed_out, "404": missing,
                    "413": too_large, "422": refused}}},
            p("/api/sessions/{id}/widgets/{widget}/click"): {"post": {"summary": "Click a widget",
                "parameters": [id, widget],
                "responses": {"200": answer.clone(), "401": signed_out, "404": missing, "422": refused}}},
            p("/api/sessions/{id}/widgets/{widget}/message"): {"post": {"summary": "Send a widget's handler a message",
                "parameters": [id, widget],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {}}}},
                "responses": {"200": answer.clone(), "400": bad.clone(), "401": signed_out.clone(), "404": missing.clone(),
                    "413": too_large.clone(), "422": refused.clone()}}},
            p("/api/sessions/{id}/widgets/{widget}/commands/{name}"): {"post": {"summary": "Run a widget's #[on_command] handler; its value is the answer's `reply`",
                "parameters": [id, widget, {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": {"required": false, "content": {"application/json": {"schema": {}}}},
                "responses": {"200": answer, "400": bad, "401": signed_out, "404": missing,
                    "413": too_large, "422": refused}}},
        },
        "components": {"schemas": {"Error": {
            "type": "object",
            "required": ["error", "detail"],
            "properties": {
                "error": {"type": "string", "enum": codes},
                "detail": {"type": "string"}
            }
        }, "Answer": {
            "type": "object",
            "properties": {
                "session": {"type": "string"},
                "state": {"type": "object"},
                "errors": {"type": "array", "items": {"type": "object",
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}},
                "reply": {"description": "what a command's handler returned"}
            }
        }}}
    })
}

/// The session `id` if the caller may use it.
#[allow(clippy::result_large_err)]
fn session_of(
    registry: &Registry,
    id: &str,
    user: Option<&CurrentUser>,
) -> Result<SessionHandle, Response> {
    registry.session_for(id, user.map(|u| &**u)).ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "unknown or expired session",
        )
    })
}

/// Runs `frame` in the session (or only reads it) and answers with its outcome.
async fn ask(session: &SessionHandle, frame: Option<String>, id: &str) -> Response {
    let (reply, answer) = oneshot::channel();
    if session
        .inputs
        .send(Input::Api { frame, reply })
        .await
        .is_err()
    {
        return error(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "the session ended",
        );
    }
    match answer.await {
        Ok(ApiAnswer {
            errors,
            state,
            reply,
        }) => {
            let status = if errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let errors: Vec<Value> = errors
                .into_iter()
                .map(|(code, message)| json!({ "code": code, "message": message }))
                .collect();
            let reply = reply.map_or_else(String::new, |r| format!(r#","reply":{r}"#));
            let body = format!(
                r#"{{"session":{},"state":{state},"errors":{}{reply}}}"#,
                Value::from(id),
                Value::from(errors)
            );
            (
                status,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response()
        }
        Err(_) => error(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "the session ended",
        ),
    }
}

async fn open(
    State(registry): State<Arc<Registry>>,
    client: ClientAddr,
    user: Option<CurrentUser>,
) -> Response {
    let user = user.map(|u| u.user().clone());
    match registry.attach(None, client.key, user.as_ref()) {
        Ok((session, _)) => {
            let mut response = ask(&session, None, &session.id).await;
            if response.status() == StatusCode::OK {
                *response.status_mut() = StatusCode::CREATED;
            }
            response
        }
        Err(refusal) => HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::SessionLimit,
            refusal.message(),
        )
        .retry_after(1)
        .into_response(),
    }
}

async fn read(
    State(registry): State<Arc<Registry>>,
    Path(id): Path<String>,
    user: Option<CurrentUser>,
) -> Response {
    match session_of(&registry, &id, user.as_ref()) {
        Ok(session) => ask(&session, None, &id).await,
        Err(r) => r,
    }
}

/// A frame for widget `widget` of the kind `kind`, with `field` holding `body` (JSON).
fn frame(kind: &str, widget: &str, field: &str, body: &str) -> String {
    format!(
        r#"{{"type":"{kind}","widget":{},"{field}":{body}}}"#,
        Value::from(widget)
    )
}

/// The request's body, if it is JSON within the app's message limit (it goes into the frame
/// as it is, so the limit is a tab's).
#[allow(clippy::result_large_err)]
fn json_body(body: &[u8], max: usize) -> Result<&str, Response> {
    if body.len() > max {
        return Err(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooLarge,
            format!(
                "a body of {} bytes is over the limit of {max} bytes",
                body.len()
            ),
        ));
    }
    let text = std::str::from_utf8(body).map_err(|_| {
        error(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "the body is JSON text",
        )
    })?;
    serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|_| {
        error(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "the body is not JSON",
        )
    })?;
    Ok(text)
}

/// The frame `make` builds from the request's JSON body (for widget `widget`), run in session
/// `id`: what the body-carrying routes share.
async fn body_frame(
    (registry, http): (&Registry, &HttpConfig),
    (id, widget): (String, String),
    user: Option<&CurrentUser>,
    body: Result<Bytes, BytesRejection>,
    make: impl FnOnce(&str, &str) -> String,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(e) => return HttpError::from(e).into_response(),
    };
    let session = match session_of(registry, &id, user) {
        Ok(s) => s,
        Err(r) => return r,
    };
    match json_body(&body, http.max_message_bytes) {
        Ok(body) => ask(&session, Some(make(&widget, body)), &id).await,
        Err(r) => r,
    }
}

async fn write(
    State(registry): State<Arc<Registry>>,
    State(http): State<Arc<HttpConfig>>,
    Path(path): Path<(String, String)>,
    user: Option<CurrentUser>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    body_frame((&registry, &http), path, user.as_ref(), body, |w, b| {
        frame("update", w, "state", b)
    })
    .await
}

async fn click(
    State(registry): State<Arc<Registry>>,
    Path((id, widget)): Path<(String, String)>,
    user: Option<CurrentUser>,
) -> Response {
    let session = match session_of(&registry, &id, user.as_ref()) {
        Ok(s) => s,
        Err(r) => return r,
    };
    ask(
        &session,
        Some(frame("msg", &widget, "content", r#"{"event":"click"}"#)),
        &id,
    )
    .await
}

async fn message(
    State(registry): State<Arc<Registry>>,
    State(http): State<Arc<HttpConfig>>,
    Path(path): Path<(String, String)>,
    user: Option<CurrentUser>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    body_frame((&registry, &http), path, user.as_ref(), body, |w, b| {
        frame("msg", w, "content", b)
    })
    .await
}

/// `POST /api/sessions/{id}/widgets/{widget}/commands/{name}`: runs the widget's
/// `#[on_command]` handler `name` with the JSON body (none: `null`) as its argument, as a
/// module's `invoke` does; the answer carries what the handler returned as `reply`.
async fn command(
    State(registry): State<Arc<Registry>>,
    State(http): State<Arc<HttpConfig>>,
    Path((id, widget, name)): Path<(String, String, String)>,
    user: Option<CurrentUser>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    // No body: the command's argument is `null`.
    let body = body.map(|b| {
        if b.is_empty() {
            Bytes::from_static(b"null")
        } else {
            b
        }
    });
    body_frame(
        (&registry, &http),
        (id, widget),
        user.as_ref(),
        body,
        |w, content| {
            format!(
                r#"{{"type":"invoke","widget":{},"id":0,"name":{},"content":{content}}}"#,
                Value::from(w),
                Value::from(name)
            )
        },
    )
    .await
}
