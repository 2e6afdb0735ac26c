//! The auth routes, the middleware that protects an app, and the [`CurrentUser`] extractor.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::pages::{ForbiddenPage, LoginPage};
use super::service::{AuthState, CSRF_COOKIE, Identity, Issued, REFRESH_COOKIE, cookie};
use super::{AuthError, RoleName, User};
use crate::http::{self, ClientAddr, HttpConfig, RequestUser};
use crate::page::PageState;
use crate::protocol::{ErrorCode, HttpError};
use crate::resources::AppContext;

/// The signed-in user of a request, for your own axum routes. Taken as `CurrentUser` it
/// answers 401 when nobody is signed in; as `Option<CurrentUser>` it lets anybody through.
///
/// ```no_run
/// use numerous::auth::CurrentUser;
/// async fn hello(user: CurrentUser) -> String {
///     format!("hello, {}", user.username)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct CurrentUser(pub(crate) Identity);

impl CurrentUser {
    /// The user.
    pub fn user(&self) -> &Arc<User> {
        &self.0.user
    }

    /// `Ok` if the user has `role` (or is an administrator), else a 403 response.
    #[allow(clippy::result_large_err)]
    pub fn require_role(&self, role: impl RoleName) -> Result<(), Response> {
        if self.0.user.has_role(&role) {
            Ok(())
        } else {
            Err(json_error(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                &format!("the role `{}` is required", role.role_name()),
            ))
        }
    }

    /// `Ok` if the user is an administrator, else a 403 response.
    #[allow(clippy::result_large_err)]
    pub fn require_admin(&self) -> Result<(), Response> {
        if self.0.user.is_admin {
            Ok(())
        } else {
            Err(json_error(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "administrators only",
            ))
        }
    }
}

impl std::ops::Deref for CurrentUser {
    type Target = User;
    fn deref(&self) -> &User {
        &self.0.user
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or_else(|| {
                json_error(
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::Unauthenticated,
                    "sign in first",
                )
            })
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for CurrentUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<CurrentUser>().cloned())
    }
}

/// What the sign-in routes read: the sign-in itself, the app's HTTP settings (for the origin
/// check and trusted proxies), its pages (the login page, the security headers) and what the
/// registration hook is given.
#[derive(Debug, Clone)]
pub(crate) struct SignIn {
    pub(crate) auth: Arc<AuthState>,
    pub(crate) http: Arc<HttpConfig>,
    pub(crate) page: Arc<PageState>,
    pub(crate) context: AppContext,
}

impl FromRef<SignIn> for Arc<HttpConfig> {
    fn from_ref(s: &SignIn) -> Self {
        s.http.clone()
    }
}

/// The auth routes, relative to the app's prefix.
pub(crate) fn routes() -> Router<SignIn> {
    Router::new()
        .route("/login", get(login_page))
        .route("/api/auth/login", post(login))
        .route("/api/auth/refresh", post(refresh))
        .route("/api/auth/logout", post(logout))
        .route("/api/auth/me", get(me))
        .route("/api/auth/check", get(check))
        .route("/register", get(register_page))
        .route("/api/auth/register", post(register))
}

fn json_error(status: StatusCode, code: ErrorCode, detail: &str) -> Response {
    HttpError::new(status, code, detail).into_response()
}

/// A same-origin path to go to once signed in, or the app's root: never another site.
pub(crate) fn safe_next(next: Option<&str>, prefix: &str) -> String {
    let home = format!("{prefix}/");
    let Some(next) = next else { return home };
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.len() <= 2048
        && !next.chars().any(char::is_control);
    if ok { next.to_owned() } else { home }
}

/// Protects an app: a request for a protected path needs a valid access token, and the app's
/// requirement (a role, admin). Pages without one go to the login page; API requests, the
/// WebSocket and uploads get 401 JSON.
pub(crate) async fn protect(
    State(auth): State<Option<Arc<AuthState>>>,
    State(http): State<Arc<HttpConfig>>,
    State(page): State<Arc<PageState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(auth) = auth else {
        return next.run(req).await;
    };
    let identity = auth.identify(req.headers());
    // The path as the client asked for it: this guard may run inside the app's nested routes,
    // which see it without the prefix.
    let original = req
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| req.uri().clone(), |o| o.0.clone());
    let path = original.path().to_owned();
    let target = original
        .path_and_query()
        .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned());
    // Patterns are relative to the app's prefix (which is the sign-in's, unless several apps
    // share one sign-in at the server's root).
    let rel = path.strip_prefix(http.prefix.as_str()).unwrap_or(&path);
    let protected = auth.is_protected(rel);
    let own = rel == "/login" || rel.starts_with("/api/auth/");
    let api = is_api(rel, req.headers());
    if let Some(id) = &identity {
        req.extensions_mut().insert(CurrentUser(id.clone()));
    }
    let user = identity
        .as_ref()
        .map(|i| RequestUser(i.user.username.clone()));
    let mut response = if protected {
        guarded(
            &auth,
            identity,
            req,
            next,
            &target,
            PathKind { own, api },
            page.meta.forbidden_page,
        )
        .await
    } else {
        next.run(req).await
    };
    if let Some(user) = user {
        response.extensions_mut().insert(user);
    }
    response
}

/// What kind of path a request is for.
#[derive(Debug, Clone, Copy)]
struct PathKind {
    /// The auth routes and the login page (no app requirement applies).
    own: bool,
    /// Wants data rather than a page.
    api: bool,
}

/// A protected path: the request goes on if `identity` may use the app.
async fn guarded(
    auth: &AuthState,
    identity: Option<Identity>,
    req: Request,
    next: Next,
    target: &str,
    PathKind { own, api }: PathKind,
    forbidden_page: fn(&ForbiddenPage<'_>) -> Option<String>,
) -> Response {
    match identity {
        None if api => json_error(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "Not authenticated",
        ),
        None => {
            let query = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
            let location = format!("{}/login?{query}", auth.prefix);
            (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
        }
        Some(id) if !own && !auth.config.require.met_by(&id.user) => {
            let why = match &auth.config.require {
                super::Requirement::Admin => "administrators only".to_owned(),
                super::Requirement::Role(r) => format!("the role `{r}` is required"),
                super::Requirement::SignedIn => String::new(),
            };
            tracing::info!(user = %id.user.username, "refused: {why}");
            if api {
                json_error(StatusCode::FORBIDDEN, ErrorCode::Forbidden, &why)
            } else {
                let requirement = match &auth.config.require {
                    super::Requirement::Admin => "administrators".to_owned(),
                    super::Requirement::Role(r) => format!("`{r}`"),
                    super::Requirement::SignedIn => String::new(),
                };
                let assets = format!(
                    "{}/numerous-static/{}/",
                    auth.prefix,
                    crate::assets::version()
                );
                let logout = format!("{}/api/auth/logout", auth.prefix);
                let page = ForbiddenPage {
                    username: &id.user.username,
                    requirement: &requirement,
                    logout: &logout,
                    assets: &assets,
                };
                let html = (forbidden_page)(&page).unwrap_or_else(|| {
                    page.render()
                        .unwrap_or_else(|e| crate::html::escaped(&e.to_string()))
                });
                (StatusCode::FORBIDDEN, axum::response::Html(html)).into_response()
            }
        }
        Some(_) => next.run(req).await,
    }
}

/// Whether a request wants data rather than a page.
fn is_api(rel: &str, headers: &HeaderMap) -> bool {
    const API: &[&str] = &[
        "/api/",
        "/ws",
        "/sse",
        "/upload/",
        "/download/",
        "/numerous-widgets/",
    ];
    API.iter().any(|p| rel.starts_with(p))
        || headers.contains_key(header::UPGRADE)
        || headers.contains_key("x-requested-with")
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"))
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    /// `expired`: the page was sent here because its sign-in ended.
    reason: Option<String>,
}

async fn login_page(
    State(s): State<SignIn>,
    client: ClientAddr,
    user: Option<CurrentUser>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let auth = &s.auth;
    let next = safe_next(q.next.as_deref(), &auth.prefix);
    if user.is_some() {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, next)]).into_response();
    }
    let notice = (q.reason.as_deref() == Some("expired"))
        .then_some("Your sign-in has expired; sign in again to go on.");
    render_login(
        &s,
        &headers,
        client,
        &next,
        (None, notice),
        ("", false),
        StatusCode::OK,
    )
}

/// `GET /register`: the registration form (404 unless registration is allowed).
async fn register_page(
    State(s): State<SignIn>,
    client: ClientAddr,
    user: Option<CurrentUser>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let auth = &s.auth;
    if !auth.config.registration {
        return StatusCode::NOT_FOUND.into_response();
    }
    let next = safe_next(q.next.as_deref(), &auth.prefix);
    if user.is_some() {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, next)]).into_response();
    }
    render_login(
        &s,
        &headers,
        client,
        &next,
        (None, None),
        ("", true),
        StatusCode::OK,
    )
}

fn render_login(
    s: &SignIn,
    headers: &HeaderMap,
    client: ClientAddr,
    next: &str,
    (error, notice): (Option<&str>, Option<&str>),
    (username, registering): (&str, bool),
    status: StatusCode,
) -> Response {
    let auth = &s.auth;
    // The form's CSRF token: kept if the browser has one, so several login tabs all work.
    let csrf = cookie(headers, CSRF_COOKIE)
        .filter(|t| t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map_or_else(|| crate::util::random_hex(16), str::to_owned);
    let assets = format!(
        "{}/numerous-static/{}/",
        auth.prefix,
        crate::assets::version()
    );
    let (action, other) = if registering {
        (
            format!("{}/api/auth/register", auth.prefix),
            Some(format!("{}/login", auth.prefix)),
        )
    } else {
        (
            format!("{}/api/auth/login", auth.prefix),
            auth.config
                .registration
                .then(|| format!("{}/register", auth.prefix)),
        )
    };
    let page = LoginPage {
        title: if registering {
            "Create an account"
        } else {
            &auth.config.title
        },
        action: &action,
        next,
        csrf: &csrf,
        error,
        notice,
        username,
        assets: &assets,
        registering,
        other: other.as_deref(),
    };
    // Options' renderer, else the app's own page (templates/numerous/login.html), else ours.
    let html = match auth.login_page_fn() {
        Some(render) => render(&page),
        None => (s.page.meta.login_page)(&page).unwrap_or_else(|| page.render_default()),
    };
    let secure = auth.secure(headers, trusted(&s.http, client));
    let mut response = (status, axum::response::Html(html)).into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&auth.csrf_cookie(&csrf, secure)) {
        h.append(header::SET_COOKIE, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for (name, value) in &s.page.headers {
        h.insert(name.clone(), value.clone());
    }
    response
}

fn trusted(http: &HttpConfig, client: ClientAddr) -> bool {
    client
        .peer
        .is_some_and(|p| http::is_trusted(p, &http.trusted_proxies))
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    csrf: Option<String>,
    /// API clients without cookies: the access token in the answer too.
    #[serde(default)]
    bearer: bool,
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Refuses a POST made by another site's page (CSRF): `Ok` for same-origin pages and for
/// clients that are not browsers (no `Origin`).
#[allow(clippy::result_large_err)]
fn same_origin(http: &HttpConfig, headers: &HeaderMap, client: ClientAddr) -> Result<(), Response> {
    http::check_origin(headers, http, client.peer).map_err(|origin| {
        tracing::info!(%origin, "refused an auth request from another origin");
        json_error(
            StatusCode::FORBIDDEN,
            ErrorCode::CrossOrigin,
            "requests from other sites are refused",
        )
    })
}

/// A POST to an auth route made by a page of this site (or by a client that is not a browser):
/// others are refused with 403 (CSRF). Carries whether cookies are to be `Secure`.
pub(crate) struct AuthPost {
    auth: Arc<AuthState>,
    client: ClientAddr,
    secure: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for AuthPost
where
    SignIn: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let s = &SignIn::from_ref(state);
        let Ok(client) = ClientAddr::from_request_parts(parts, s).await;
        same_origin(&s.http, &parts.headers, client)?;
        let auth = s.auth.clone();
        let secure = auth.secure(&parts.headers, trusted(&s.http, client));
        Ok(AuthPost {
            auth,
            client,
            secure,
        })
    }
}

/// Decodes a JSON or form body; a form must carry the CSRF token its page set (double-submit:
/// another site cannot post it). JSON cannot be sent cross-site without a preflight this
/// server never grants.
#[allow(clippy::result_large_err)]
fn decode_form<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
    csrf: impl FnOnce(&T) -> Option<&str>,
) -> Result<(T, bool), Response> {
    let json = is_json(headers);
    let form: T = if json {
        serde_json::from_slice(body).map_err(|e| e.to_string())
    } else {
        serde_urlencoded::from_bytes(body).map_err(|e| e.to_string())
    }
    .map_err(|e| json_error(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, &e))?;
    if !json {
        let expected = cookie(headers, CSRF_COOKIE);
        if expected.is_none() || expected != csrf(&form) {
            tracing::info!("refused a form without its CSRF token");
            return Err(json_error(
                StatusCode::FORBIDDEN,
                ErrorCode::Csrf,
                "the form is stale or from another site; reload the page",
            ));
        }
    }
    Ok((form, json))
}

/// The answer to a sign-in or a registration: the cookies, and JSON or a redirect to `next`.
fn signed_in(
    auth: &AuthState,
    (user, issued): (User, Issued),
    json: bool,
    bearer: bool,
    next: String,
    secure: bool,
) -> Response {
    let mut response = if json {
        let mut body = serde_json::json!({
            "user": user.context(),
            "expires_in": issued.access_exp - super::now(),
            "next": next,
        });
        if bearer {
            body["access_token"] = issued.access.clone().into();
            body["token_type"] = "bearer".into();
        }
        axum::Json(body).into_response()
    } else {
        (StatusCode::SEE_OTHER, [(header::LOCATION, next)]).into_response()
    };
    set_cookies(response.headers_mut(), &auth.cookies(&issued, secure));
    response
}

/// A refusal that passes says when to try again.
fn retry_after(response: &mut Response, e: &AuthError) {
    if let AuthError::TooManyAttempts(secs) | AuthError::Busy(secs) = e {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(*secs));
    }
}

/// Why a sign-in or a registration failed: the status, a code, and what to show.
fn refusal(e: &AuthError) -> (StatusCode, ErrorCode, String) {
    let (status, code) = match e {
        AuthError::InvalidCredentials => (StatusCode::UNAUTHORIZED, ErrorCode::InvalidCredentials),
        AuthError::Inactive => (StatusCode::FORBIDDEN, ErrorCode::Inactive),
        AuthError::TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
        AuthError::Busy(_) => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Busy),
        AuthError::UserExists(_) => (StatusCode::CONFLICT, ErrorCode::Exists),
        AuthError::Invalid(_) => (StatusCode::BAD_REQUEST, ErrorCode::InvalidInput),
        e => {
            tracing::error!("signing in: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal)
        }
    };
    let detail = match e {
        AuthError::InvalidCredentials => "Invalid username or password".to_owned(),
        AuthError::UserExists(_) => "an account with this email exists; sign in instead".to_owned(),
        AuthError::Backend(_) | AuthError::Unsupported(_) | AuthError::Config(_) => {
            "that failed; try again later".to_owned()
        }
        e => e.to_string(),
    };
    (status, code, detail)
}

async fn login(
    State(s): State<SignIn>,
    AuthPost {
        auth,
        client,
        secure,
    }: AuthPost,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(e) => return HttpError::from(e).into_response(),
    };
    let (creds, json) = match decode_form(&headers, &body, |c: &Credentials| c.csrf.as_deref()) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let next = safe_next(creds.next.as_deref(), &auth.prefix);
    match auth
        .login(&creds.username, &creds.password, client.key)
        .await
    {
        Ok(done) => signed_in(&auth, done, json, creds.bearer, next, secure),
        Err(e) => {
            let (status, code, detail) = refusal(&e);
            let mut response = if json {
                json_error(status, code, &detail)
            } else {
                render_login(
                    &s,
                    &headers,
                    client,
                    &next,
                    (Some(&detail), None),
                    (&creds.username, false),
                    status,
                )
            };
            retry_after(&mut response, &e);
            response
        }
    }
}

#[derive(Deserialize)]
struct Registration {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    csrf: Option<String>,
}

/// `POST /api/auth/register`: creates the user, signs them in, runs the app's hook.
async fn register(
    State(s): State<SignIn>,
    AuthPost {
        auth,
        client,
        secure,
    }: AuthPost,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(e) => return HttpError::from(e).into_response(),
    };
    if !auth.config.registration {
        return json_error(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "this app takes no registrations",
        );
    }
    let (form, json) = match decode_form(&headers, &body, |r: &Registration| r.csrf.as_deref()) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let next = safe_next(form.next.as_deref(), &auth.prefix);
    match auth.register(&form.email, &form.password, client.key).await {
        Ok((user, issued)) => {
            if let Some(hook) = &auth.config.on_register {
                hook(&user, &s.context);
            }
            signed_in(&auth, (user, issued), json, false, next, secure)
        }
        Err(e) => {
            let (status, code, detail) = refusal(&e);
            let mut response = if json {
                json_error(status, code, &detail)
            } else {
                render_login(
                    &s,
                    &headers,
                    client,
                    &next,
                    (Some(&detail), None),
                    (&form.email, true),
                    status,
                )
            };
            retry_after(&mut response, &e);
            response
        }
    }
}

fn set_cookies(headers: &mut HeaderMap, cookies: &[String]) {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            headers.append(header::SET_COOKIE, v);
        }
    }
}

async fn refresh(
    AuthPost {
        auth,
        secure,
        client,
    }: AuthPost,
    headers: HeaderMap,
) -> Response {
    let Some(token) = cookie(&headers, REFRESH_COOKIE) else {
        return json_error(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "no refresh token",
        );
    };
    match auth.refresh(token, client.key).await {
        Ok((user, issued)) => {
            let mut response = axum::Json(token_answer(&user, &issued)).into_response();
            set_cookies(response.headers_mut(), &auth.cookies(&issued, secure));
            response
        }
        Err(e) => {
            let mut response = match e {
                AuthError::Backend(e) => {
                    tracing::error!("refreshing a token: {e}");
                    json_error(
                        StatusCode::SERVICE_UNAVAILABLE,
                        ErrorCode::Internal,
                        "try again later",
                    )
                }
                // Too many: the login stays (its cookies too); try again later.
                AuthError::TooManyAttempts(secs) => {
                    let mut r = json_error(
                        StatusCode::TOO_MANY_REQUESTS,
                        ErrorCode::RateLimited,
                        &AuthError::TooManyAttempts(secs).to_string(),
                    );
                    retry_after(&mut r, &AuthError::TooManyAttempts(secs));
                    return r;
                }
                e => json_error(
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::InvalidToken,
                    &e.to_string(),
                ),
            };
            set_cookies(response.headers_mut(), &auth.clear_cookies(secure));
            response
        }
    }
}

fn token_answer(user: &User, issued: &Issued) -> serde_json::Value {
    serde_json::json!({
        "user": user.context(),
        "expires_in": issued.access_exp - super::now(),
    })
}

async fn logout(
    AuthPost { auth, secure, .. }: AuthPost,
    user: Option<CurrentUser>,
    headers: HeaderMap,
) -> Response {
    auth.logout(
        cookie(&headers, REFRESH_COOKIE),
        user.as_ref().map(|u| &u.0),
    )
    .await;
    if let Some(u) = &user {
        tracing::info!(user = %u.username, "signed out");
    }
    let mut response = if is_json(&headers) || headers.contains_key("x-requested-with") {
        axum::Json(serde_json::json!({ "ok": true, "login": format!("{}/login", auth.prefix) }))
            .into_response()
    } else {
        let login = format!("{}/login", auth.prefix);
        (StatusCode::SEE_OTHER, [(header::LOCATION, login)]).into_response()
    };
    set_cookies(response.headers_mut(), &auth.clear_cookies(secure));
    response
}

/// `GET /api/auth/check`, as numerous-apps has it: who is signed in (`/api/auth/me`'s body
/// without its expiry), or `{"authenticated": false}`; public and never 401, so a page may ask
/// without an error in its console. (numerous-apps also took the token as `?token=`: a token
/// in a URL ends up in logs, so here it comes as the cookie or a Bearer header only.)
/// `GET /api/auth/check` of an app without sign-in: nobody is, ever (a page that asks gets its
/// answer, not a 404).
pub(crate) async fn check_open() -> Response {
    check(None).await
}

async fn check(user: Option<CurrentUser>) -> Response {
    let body = match user {
        Some(user) => serde_json::to_value(user.0.user.context()).unwrap_or_default(),
        None => serde_json::json!({ "authenticated": false }),
    };
    let mut r = axum::Json(body).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn me(user: CurrentUser) -> Response {
    let mut body = serde_json::to_value(user.0.user.context()).unwrap_or_default();
    body["expires_in"] = (user.0.expires_at - super::now()).into();
    let mut r = axum::Json(body).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/a?b=1&c=2"), ""), "/a?b=1&c=2");
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "evil",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(bad), "/app"), "/app/", "{bad}");
        }
        assert_eq!(safe_next(None, ""), "/");
    }

    #[test]
    fn the_login_page_escapes_what_it_shows() {
        let html = LoginPage {
            title: "Sign in",
            action: "/api/auth/login",
            next: "/\"><script>alert(1)</script>",
            csrf: "t",
            error: Some("<b>no</b>"),
            notice: None,
            username: "\"onfocus=alert(1)",
            assets: "/s/",
            registering: false,
            other: None,
        }
        .render_default();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<b>no</b>"));
        assert!(!html.contains("\"onfocus"));
        assert!(html.contains("no") && html.contains("numerous-login-error"));
    }
}
