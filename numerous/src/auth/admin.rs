//! The app's users over HTTP, for administrators (numerous-apps' `/admin/users`), under the
//! app's prefix:
//!
//! | route | does |
//! |---|---|
//! | `GET /api/admin/users` | every user, by name |
//! | `GET /api/admin/users/{username}` | one user |
//! | `POST /api/admin/users` | creates one: `{"username", "password", "email"?, "is_admin"?, "roles"?}` (201) |
//! | `PATCH /api/admin/users/{username}` | changes what the body names: `{"email": ".."` or `null`, `"is_admin"`, `"roles"}` |
//! | `DELETE /api/admin/users/{username}` | deletes one (not yourself), with their refresh tokens; their tabs close and their access tokens stop working at once (204) |
//! | `GET /api/admin/sessions` | the app's live sessions on this server: `[{"id", "user"}]` |
//! | `POST /api/admin/sessions/end` | ends the session `{"id": ".."}`: its tabs are told and start a new session (204) |
//! | `POST /api/admin/sessions/record` | starts (`{"id": "..", "on": true}`) or stops (`"on": false`; what was recorded is dropped) recording the session's inputs (204) |
//! | `POST /api/admin/sessions/recording` | the session's recording so far (`{"id": ".."}`): a [`Recording`](crate::recording::Recording) as JSON, or with `"test": "my_app::App"` a Rust test that replays it (`text/plain`); 404 when it records nothing |
//!
//! Each needs a signed-in administrator (else 401 or 403) and a provider that can do it (else
//! 501 `unsupported`). A change comes from the app's own pages only (the origin check of every
//! sign-in route) and as JSON (`application/json`: another site cannot send it without a
//! preflight this server never grants). Answers never carry a password hash.

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRef, FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use std::sync::Arc;

use super::routes::{AuthPost, CurrentUser, SignIn};
use super::{AuthError, NewUser, UserChanges};
use crate::protocol::{ErrorCode, HttpError};
use crate::registry::Registry;

/// What the session routes read: the sign-in (for [`Admin`]) and the app's sessions.
#[derive(Debug, Clone)]
pub(crate) struct SessionsAdmin {
    pub(crate) sign_in: SignIn,
    pub(crate) registry: Arc<Registry>,
}

impl FromRef<SessionsAdmin> for SignIn {
    fn from_ref(s: &SessionsAdmin) -> Self {
        s.sign_in.clone()
    }
}

/// The routes of one app's sessions, relative to its prefix (each app has its own sessions,
/// where the user routes may be shared by several apps).
pub(crate) fn session_routes() -> Router<SessionsAdmin> {
    Router::new()
        .route("/api/admin/sessions", get(sessions))
        // The id in the body, not the path: request logs keep paths, and ids are secrets.
        .route("/api/admin/sessions/end", axum::routing::post(end_session))
        .route(
            "/api/admin/sessions/record",
            axum::routing::post(record_session),
        )
        .route(
            "/api/admin/sessions/recording",
            axum::routing::post(session_recording),
        )
}

/// One live session, as `GET /api/admin/sessions` lists it.
#[derive(Debug, serde::Serialize)]
struct LiveSession {
    /// Its id (what its tabs hold; on a protected app only its owner can use it).
    id: String,
    /// Its owner's name, on a protected app.
    user: Option<String>,
}

async fn sessions(State(s): State<SessionsAdmin>, _: Admin) -> Response {
    let mut live: Vec<LiveSession> = s
        .registry
        .list()
        .into_iter()
        .map(|(id, user)| LiveSession {
            id: id.to_string(),
            user,
        })
        .collect();
    live.sort_by(|a, b| a.user.cmp(&b.user).then_with(|| a.id.cmp(&b.id)));
    Json(live).into_response()
}

/// `POST /api/admin/sessions/end`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndSession {
    id: String,
}

async fn end_session(
    State(s): State<SessionsAdmin>,
    _: AuthPost,
    Admin(user): Admin,
    json: Result<Json<EndSession>, JsonRejection>,
) -> Response {
    let id = match body(json) {
        Ok(b) => b.id,
        Err(r) => return r,
    };
    if s.registry.end(&id) {
        // Not the id: it is a secret, and never logged.
        tracing::info!(by = %user.username, "ended a session");
        StatusCode::NO_CONTENT.into_response()
    } else {
        no_session()
    }
}

/// `POST /api/admin/sessions/record`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordSession {
    id: String,
    on: bool,
}

async fn record_session(
    State(s): State<SessionsAdmin>,
    _: AuthPost,
    Admin(user): Admin,
    json: Result<Json<RecordSession>, JsonRejection>,
) -> Response {
    let b = match body(json) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if s.registry.record(&b.id, b.on) {
        tracing::info!(by = %user.username, on = b.on, "recording a session");
        StatusCode::NO_CONTENT.into_response()
    } else {
        no_session()
    }
}

/// `POST /api/admin/sessions/recording`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadRecording {
    id: String,
    /// As a Rust test of this app (its path in the app's crate).
    test: Option<String>,
}

async fn session_recording(
    State(s): State<SessionsAdmin>,
    _: AuthPost,
    Admin(user): Admin,
    json: Result<Json<ReadRecording>, JsonRejection>,
) -> Response {
    let b = match body(json) {
        Ok(b) => b,
        Err(r) => return r,
    };
    // Answered between the session's inputs: a long handler that never yields keeps it.
    let asked = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        s.registry.recording(&b.id),
    );
    let Ok(answer) = asked.await else {
        return HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "the session is busy (a handler is running): try again",
        )
        .into_response();
    };
    match answer {
        None => no_session(),
        Some(None) => HttpError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "this session records nothing: start with POST /api/admin/sessions/record",
        )
        .into_response(),
        Some(Some(recording)) => {
            tracing::info!(by = %user.username, steps = recording.steps.len(), "read a session's recording");
            match b.test {
                Some(app) => (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; charset=utf-8",
                    )],
                    recording.to_rust_test(&app, "replay_recorded_session"),
                )
                    .into_response(),
                None => Json(recording).into_response(),
            }
        }
    }
}

fn no_session() -> Response {
    HttpError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "no live session with this id on this server",
    )
    .into_response()
}

/// The routes, relative to the app's prefix.
pub(crate) fn routes() -> Router<SignIn> {
    Router::new()
        .route("/api/admin/users", get(list).post(create))
        .route(
            "/api/admin/users/{username}",
            get(show).patch(update).delete(remove),
        )
}

/// The refusal for a provider's error, in the one error shape.
fn refused(e: AuthError) -> Response {
    let (status, code) = match &e {
        AuthError::UserNotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
        AuthError::UserExists(_) | AuthError::EmailTaken(_) => {
            (StatusCode::CONFLICT, ErrorCode::Exists)
        }
        AuthError::Invalid(_) => (StatusCode::BAD_REQUEST, ErrorCode::InvalidInput),
        AuthError::Unsupported(_) => (StatusCode::NOT_IMPLEMENTED, ErrorCode::Unsupported),
        AuthError::Busy(_) => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Busy),
        _ => {
            tracing::error!("user administration: {e}");
            return HttpError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "that failed; try again later",
            )
            .into_response();
        }
    };
    HttpError::new(status, code, e.to_string()).into_response()
}

/// The administrator making the request: the access token says so, and the provider still
/// does (a demoted, deactivated or deleted administrator's token lasts until it expires; its
/// rights here do not).
struct Admin(CurrentUser);

impl<S: Send + Sync> FromRequestParts<S> for Admin
where
    SignIn: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let s = &SignIn::from_ref(state);
        let user = CurrentUser::from_request_parts(parts, s).await?;
        user.require_admin()?;
        match s.auth.config.provider().user(&user.id).await {
            Ok(Some(now)) if now.is_admin && now.is_active => Ok(Admin(user)),
            Ok(_) => Err(HttpError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "administrators only",
            )
            .into_response()),
            Err(e) => Err(refused(e)),
        }
    }
}

/// A JSON body, or the refusal for one that is not.
#[allow(clippy::result_large_err)]
fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, Response> {
    body.map(|Json(b)| b)
        .map_err(|e| HttpError::from(e).into_response())
}

async fn list(State(s): State<SignIn>, _: Admin) -> Response {
    match s.auth.config.provider().list_users().await {
        Ok(users) => Json(users).into_response(),
        Err(e) => refused(e),
    }
}

async fn show(State(s): State<SignIn>, _: Admin, Path(username): Path<String>) -> Response {
    match s.auth.config.provider().user_by_name(&username).await {
        Ok(Some(found)) => Json(found).into_response(),
        Ok(None) => refused(AuthError::UserNotFound(username)),
        Err(e) => refused(e),
    }
}

/// `POST /api/admin/users`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Create {
    username: String,
    password: String,
    email: Option<String>,
    #[serde(default)]
    is_admin: bool,
    #[serde(default)]
    roles: Vec<String>,
}

async fn create(
    State(s): State<SignIn>,
    _: AuthPost,
    Admin(user): Admin,
    json: Result<Json<Create>, JsonRejection>,
) -> Response {
    let body = match body(json) {
        Ok(body) => body,
        Err(r) => return r,
    };
    let mut new = NewUser::new(body.username, body.password)
        .roles(body.roles)
        .admin(body.is_admin);
    new.email = body.email;
    if let Err(e) = new.validate() {
        return refused(e);
    }
    match s.auth.config.provider().create_user(new).await {
        Ok(created) => {
            tracing::info!(by = %user.username, user = %created.username, "created a user");
            (StatusCode::CREATED, Json(created)).into_response()
        }
        Err(e) => refused(e),
    }
}

/// `PATCH /api/admin/users/{username}`: the fields given change, `"email": null` removes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Update {
    #[serde(default, deserialize_with = "present")]
    email: Option<Option<String>>,
    is_admin: Option<bool>,
    roles: Option<Vec<String>>,
}

/// A field that is there (even as `null`) is `Some`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

async fn update(
    State(s): State<SignIn>,
    _: AuthPost,
    Admin(user): Admin,
    Path(username): Path<String>,
    json: Result<Json<Update>, JsonRejection>,
) -> Response {
    let body = match body(json) {
        Ok(body) => body,
        Err(r) => return r,
    };
    if username == user.username && body.is_admin == Some(false) {
        return refused(AuthError::Invalid(
            "an administrator cannot take their own admin flag here".into(),
        ));
    }
    let mut changes = UserChanges::new();
    changes.email = body.email;
    changes.is_admin = body.is_admin;
    changes.roles = body.roles;
    if changes == UserChanges::new() {
        return refused(AuthError::Invalid(
            "nothing to change: give `email`, `is_admin` or `roles`".into(),
        ));
    }
    match s
        .auth
        .config
        .provider()
        .update_user(&username, changes)
        .await
    {
        Ok(changed) => {
            tracing::info!(by = %user.username, user = %changed.username, "changed a user");
            Json(changed).into_response()
        }
        Err(e) => refused(e),
    }
}

async fn remove(
    State(s): State<SignIn>,
    _: AuthPost,
    Admin(user): Admin,
    Path(username): Path<String>,
) -> Response {
    if username == user.username {
        return refused(AuthError::Invalid(
            "an administrator cannot delete their own account here".into(),
        ));
    }
    // The id, before the user is gone: their access ends with them.
    let id = match s.auth.config.provider().user_by_name(&username).await {
        Ok(Some(found)) => found.id,
        Ok(None) => return refused(AuthError::UserNotFound(username)),
        Err(e) => return refused(e),
    };
    match s.auth.config.provider().delete_user(&username).await {
        Ok(()) => {
            s.auth.user_deleted(&id);
            tracing::info!(by = %user.username, user = %username, "deleted a user");
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => refused(e),
    }
}
