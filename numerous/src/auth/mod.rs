//! Authentication: users from the environment or a database, JWT access and refresh tokens in
//! cookies, roles, a login page.
//!
//! Give an app an [`Auth`] and everything it serves needs a signed-in user, except what is
//! listed as public (the login page, the client's assets):
//!
//! ```no_run
//! # use numerous::prelude::*;
//! # #[numerous::app(template = "index.html")]
//! # struct Counter { #[widget(label = "Counter:")] counter: Number, #[widget(label = "+1")] increment: Button }
//! # #[numerous::handlers] impl Counter { #[on_click(increment)] fn inc(&mut self) {} }
//! use numerous::auth::Auth;
//!
//! fn main() {
//!     // Users from NUMEROUS_AUTH_USERS, the signing secret from NUMEROUS_JWT_SECRET.
//!     numerous::run_with::<Counter>(|o| o.auth(Auth::from_env().expect("users")));
//! }
//! ```
//!
//! An app whose environment sets `NUMEROUS_AUTH_USERS` is protected by those users even if its
//! code gives no [`Auth`]: a ported app is never served open by mistake.
//!
//! The routes, under the app's prefix: `GET /login`, `POST /api/auth/login` (JSON or a form),
//! `POST /api/auth/refresh`, `POST /api/auth/logout`, `GET /api/auth/me`, `GET /api/auth/check`. Handlers read the user
//! from their session ([`Session::user`](crate::Session::user)); your own axum routes take
//! [`CurrentUser`] or `Option<CurrentUser>`.

mod admin;
mod env;
mod pages;
mod provider;
mod routes;
mod service;
mod tokens;

pub mod cli;
#[cfg(feature = "db")]
mod db;
mod remote;

use std::sync::Arc;
use std::time::Duration;

pub(crate) use admin::{
    SessionsAdmin, routes as admin_routes, session_routes as admin_session_routes,
};
pub use env::{EnvProvider, USERS_VAR};
pub use pages::{ForbiddenPage, LoginPage};
pub use provider::{
    AuthProvider, ImportReport, MIN_PASSWORD_LEN, MemoryRefreshTokens, NewUser, PASSWORD_QUEUE,
    PASSWORD_WORKERS, RefreshRecord, RefreshUse, SharedRefreshTokens, UserChanges, check_password,
    hash_password, needs_rehash, run_password_job, verify_password,
};
pub use routes::CurrentUser;
pub(crate) use routes::{SignIn, check_open, protect, routes as auth_routes};
pub(crate) use service::{AuthState, TabAuth};

#[cfg(feature = "db")]
pub use db::{DATABASE_URL_VAR, DEFAULT_DATABASE_URL, DbProvider};

/// The variable that holds the secret tokens are signed with (32 bytes at least).
pub const SECRET_VAR: &str = "NUMEROUS_JWT_SECRET";
/// Set to `1` to let a release build start with a random per-process secret.
pub const ALLOW_EPHEMERAL_SECRET_VAR: &str = "NUMEROUS_ALLOW_EPHEMERAL_SECRET";
/// The shortest secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// A signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    /// Stable and unique.
    pub id: String,
    /// Unique.
    pub username: String,
    /// Unique when given.
    pub email: Option<String>,
    /// Role names.
    pub roles: Vec<String>,
    /// Administrators pass every role check.
    pub is_admin: bool,
    /// A deactivated user cannot sign in, and loses access at the next token refresh.
    pub is_active: bool,
}

impl User {
    /// Whether the user has `role` (administrators have every role).
    pub fn has_role(&self, role: impl RoleName) -> bool {
        self.is_admin || self.roles.iter().any(|r| r == role.role_name())
    }

    /// Whether the user has one of `roles` (administrators have every role).
    pub fn has_any_role<R: RoleName>(&self, roles: impl IntoIterator<Item = R>) -> bool {
        self.is_admin || roles.into_iter().any(|r| self.has_role(r))
    }

    /// What the page's scripts see of the user (`window.numerousAuth.getUserContext()`).
    pub fn context(&self) -> UserContext {
        UserContext {
            authenticated: true,
            username: Some(self.username.clone()),
            user_id: Some(self.id.clone()),
            roles: self.roles.clone(),
            is_admin: self.is_admin,
        }
    }
}

/// Who is signed in, as scripts see it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct UserContext {
    /// Whether anybody is.
    pub authenticated: bool,
    /// The user's name.
    pub username: Option<String>,
    /// The user's id.
    pub user_id: Option<String>,
    /// Role names.
    pub roles: Vec<String>,
    /// Whether the user is an administrator.
    pub is_admin: bool,
}

/// A role, by name: `"editor"`, or a variant of your own enum with
/// [`#[derive(numerous::Roles)]`](crate::Roles), which makes a misspelt role a build error.
pub trait RoleName {
    /// The role's name as users hold it.
    fn role_name(&self) -> &str;
}

impl RoleName for &str {
    fn role_name(&self) -> &str {
        self
    }
}

impl RoleName for String {
    fn role_name(&self) -> &str {
        self
    }
}

impl<R: RoleName + ?Sized> RoleName for &R {
    fn role_name(&self) -> &str {
        (**self).role_name()
    }
}

/// What may go wrong signing in or managing users.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Unknown user or wrong password (which of the two is not told).
    #[error("invalid username or password")]
    InvalidCredentials,
    /// The user is deactivated.
    #[error("this account is deactivated")]
    Inactive,
    /// A token is missing, malformed, forged, expired, revoked or of the wrong kind.
    #[error("invalid or expired token")]
    InvalidToken,
    /// Too many attempts; try again after this many seconds.
    #[error("too many sign-in attempts; try again in {0} s")]
    TooManyAttempts(u64),
    /// A user with this name or email exists.
    #[error("a user named `{0}` exists")]
    UserExists(String),
    /// Another user has this email address.
    #[error("another user has the email `{0}`")]
    EmailTaken(String),
    /// No user with this name.
    #[error("no user named `{0}`")]
    UserNotFound(String),
    /// Input that cannot be accepted (a short password, an empty name).
    #[error("{0}")]
    Invalid(String),
    /// The provider cannot do this.
    #[error("this provider does not support {0}")]
    Unsupported(&'static str),
    /// The configuration is wrong (the message says what to change).
    #[error("{0}")]
    Config(String),
    /// Too many passwords are being checked at once; try again after this many seconds.
    #[error("the server is busy signing others in; try again in {0} s")]
    Busy(u64),
    /// The backend failed (a database error).
    #[error("authentication backend: {0}")]
    Backend(String),
}

/// Who may use an app at all, once signed in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Requirement {
    /// Any signed-in user.
    #[default]
    SignedIn,
    /// Administrators only.
    Admin,
    /// Users with this role (and administrators).
    Role(String),
}

impl Requirement {
    pub(crate) fn met_by(&self, user: &User) -> bool {
        match self {
            Requirement::SignedIn => true,
            Requirement::Admin => user.is_admin,
            Requirement::Role(r) => user.has_role(r.as_str()),
        }
    }
}

/// Renders the login page ([`Auth::login_page`]).
pub type LoginPageFn = dyn Fn(&LoginPage<'_>) -> String + Send + Sync;

/// How an app is protected: a provider of users, and the rules. Every default is the secure
/// choice.
#[derive(Clone)]
pub struct Auth {
    pub(crate) provider: Arc<dyn AuthProvider>,
    pub(crate) secret: Option<Vec<u8>>,
    pub(crate) access_ttl: Duration,
    pub(crate) refresh_ttl: Duration,
    pub(crate) issuer: String,
    pub(crate) audience: String,
    pub(crate) public: Vec<String>,
    pub(crate) protect_only: Option<Vec<String>>,
    pub(crate) require: Requirement,
    pub(crate) secure_cookies: Option<bool>,
    pub(crate) max_sessions_per_user: usize,
    pub(crate) login_attempts_per_minute: (u32, u32),
    pub(crate) login_page: Option<Arc<LoginPageFn>>,
    pub(crate) title: String,
    pub(crate) reuse_grace: Duration,
    pub(crate) registration: bool,
    pub(crate) on_register: Option<Arc<RegisterHook>>,
}

/// Runs after a user registered ([`Auth::on_register`]).
pub type RegisterHook = dyn Fn(&User, &crate::resources::AppContext) + Send + Sync;

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("Auth")
            .field("provider", &self.provider.kind())
            .field("access_ttl", &self.access_ttl)
            .field("refresh_ttl", &self.refresh_ttl)
            .field("public", &self.public)
            .field("protect_only", &self.protect_only)
            .field("require", &self.require)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// Users from `provider`; the secret from `NUMEROUS_JWT_SECRET`.
    pub fn new(provider: impl AuthProvider) -> Self {
        Self::with_provider(Arc::new(provider))
    }

    /// Users from a provider that is shared (with the command-line tools, say).
    pub fn with_provider(provider: Arc<dyn AuthProvider>) -> Self {
        Auth {
            provider,
            secret: None,
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(7 * 24 * 3600),
            issuer: "numerous".into(),
            audience: "numerous-app".into(),
            public: Vec::new(),
            protect_only: None,
            require: Requirement::SignedIn,
            secure_cookies: None,
            max_sessions_per_user: 20,
            login_attempts_per_minute: (20, 5),
            login_page: None,
            title: "Sign in".into(),
            reuse_grace: Duration::from_secs(10),
            registration: false,
            on_register: None,
        }
    }

    /// Users from `NUMEROUS_AUTH_USERS` ([`EnvProvider`]).
    pub fn from_env() -> Result<Self, AuthError> {
        Ok(Self::new(EnvProvider::from_env()?))
    }

    /// Signs tokens with `secret` (32 bytes at least) instead of `NUMEROUS_JWT_SECRET`.
    pub fn secret(mut self, secret: impl Into<Vec<u8>>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// How long an access token lasts (15 minutes by default). The page refreshes it before
    /// it expires.
    pub fn access_ttl(mut self, ttl: Duration) -> Self {
        self.access_ttl = ttl;
        self
    }

    /// How long a refresh token lasts (7 days by default): a user idle for longer signs in
    /// again.
    pub fn refresh_ttl(mut self, ttl: Duration) -> Self {
        self.refresh_ttl = ttl;
        self
    }

    /// The tokens' audience (`numerous-app` by default): apps with different audiences do not
    /// accept each other's tokens even with the same secret.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = audience.into();
        self
    }

    /// Paths anyone may open, as globs relative to the app's prefix: `/health`,
    /// `/api/public/**`. The login page and the client's assets are always public.
    pub fn public<S: Into<String>>(mut self, patterns: impl IntoIterator<Item = S>) -> Self {
        self.public.extend(patterns.into_iter().map(Into::into));
        self
    }

    /// Protects only these paths (globs relative to the prefix); everything else is public.
    pub fn protect_only<S: Into<String>>(mut self, patterns: impl IntoIterator<Item = S>) -> Self {
        self.protect_only = Some(patterns.into_iter().map(Into::into).collect());
        self
    }

    /// Only administrators may use the app.
    pub fn require_admin(mut self) -> Self {
        self.require = Requirement::Admin;
        self
    }

    /// Only users with `role` (and administrators) may use the app.
    pub fn require_role(mut self, role: impl RoleName) -> Self {
        self.require = Requirement::Role(role.role_name().to_owned());
        self
    }

    /// Marks cookies `Secure` always (`true`) or never (`false`). By default they are `Secure`
    /// when the request came over HTTPS: through a trusted proxy that says so
    /// (`X-Forwarded-Proto: https`).
    pub fn secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = Some(secure);
        self
    }

    /// At most this many live sessions per user (20 by default; 0 for no limit): one user
    /// cannot fill the server.
    pub fn max_sessions_per_user(mut self, n: usize) -> Self {
        self.max_sessions_per_user = n;
        self
    }

    /// Sign-in attempts allowed per minute from one address and for one username (20 and 5
    /// by default); beyond them the answer is 429.
    pub fn login_attempts_per_minute(mut self, per_address: u32, per_user: u32) -> Self {
        self.login_attempts_per_minute = (per_address.max(1), per_user.max(1));
        self
    }

    /// A refresh token used again within this long of its first use is taken as two tabs
    /// refreshing at once, and gets a new token of the same login (10 s by default); used again
    /// later, it revokes its whole login (it was stolen, or the thief was first).
    pub fn refresh_reuse_grace(mut self, grace: Duration) -> Self {
        self.reuse_grace = grace;
        self
    }

    /// Lets visitors create an account with an email address and a password: `GET /register`
    /// (a page linked from the login page) and `POST /api/auth/register` (JSON or a form, with
    /// the login's CSRF and rate-limit protections). The new user is signed in at once. Needs a
    /// provider that creates users (the database provider does).
    pub fn allow_registration(mut self) -> Self {
        self.registration = true;
        self
    }

    /// Runs `hook` after each registration, with the app's resources and topics: to tell open
    /// pages (`cx.publisher.publish(..)`), send a welcome mail, and so on.
    pub fn on_register(
        mut self,
        hook: impl Fn(&User, &crate::resources::AppContext) + Send + Sync + 'static,
    ) -> Self {
        self.on_register = Some(Arc::new(hook));
        self
    }

    /// The login page's heading.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// Replaces the login page: `render` gets what the page must hold (the form's action, the
    /// CSRF token, the `next` path, an error) and returns HTML. Render it with an askama
    /// template of your own; [`LoginPage::render_default`] is the built-in one.
    pub fn login_page(
        mut self,
        render: impl Fn(&LoginPage<'_>) -> String + Send + Sync + 'static,
    ) -> Self {
        self.login_page = Some(Arc::new(render));
        self
    }

    /// The provider.
    pub fn provider(&self) -> &Arc<dyn AuthProvider> {
        &self.provider
    }
}

/// The secret to sign with: `explicit`, else `NUMEROUS_JWT_SECRET`. A missing or short secret
/// is an error in a release build (unless `NUMEROUS_ALLOW_EPHEMERAL_SECRET=1`), and a loud
/// warning with a random per-process secret otherwise.
pub(crate) fn resolve_secret(
    explicit: Option<&[u8]>,
    from_env: Option<String>,
    release: bool,
    allow_ephemeral: bool,
) -> Result<Vec<u8>, AuthError> {
    let given = explicit
        .map(<[u8]>::to_vec)
        .or(from_env.map(String::into_bytes));
    let problem = match &given {
        Some(s) if s.len() >= MIN_SECRET_BYTES => return Ok(given.unwrap_or_default()),
        Some(s) => format!(
            "{SECRET_VAR} is {} bytes long; it needs {MIN_SECRET_BYTES} at least",
            s.len()
        ),
        None => format!("{SECRET_VAR} is not set"),
    };
    if release && !allow_ephemeral {
        return Err(AuthError::Config(format!(
            "{problem}. Set it to a random value (`openssl rand -hex 32`), the same for every \
             instance, or set {ALLOW_EPHEMERAL_SECRET_VAR}=1 to sign with a random secret that \
             dies with the process (everybody signs in again after a restart)"
        )));
    }
    tracing::warn!(
        "{problem}: signing tokens with a random secret for this process only; everybody signs \
         in again after a restart. Set {SECRET_VAR} (`openssl rand -hex 32`) before deploying"
    );
    let mut secret = vec![0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| AuthError::Backend(e.to_string()))?;
    Ok(secret)
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A random password of 20 letters and digits (about 119 bits), for a first user shown once.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// `url` with its password hidden.
#[cfg_attr(not(any(feature = "db", feature = "redis")), allow(dead_code))]
pub(crate) fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_are_shown_without_passwords() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db.internal:5432/app"),
            "postgres://app:***@db.internal:5432/app"
        );
        assert_eq!(redact_url("sqlite://users.db"), "sqlite://users.db");
    }

    use super::*;

    #[test]
    fn a_missing_or_short_secret_stops_a_release_build() {
        let long = "x".repeat(32);
        assert_eq!(
            resolve_secret(None, Some(long.clone()), true, false).unwrap(),
            long.as_bytes()
        );
        let e = resolve_secret(None, None, true, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("NUMEROUS_JWT_SECRET is not set"), "{e}");
        let e = resolve_secret(None, Some("short".into()), true, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("5 bytes"), "{e}");
        assert!(!e.contains("short"), "the secret is never shown: {e}");
        // Allowed, or a debug build: a random secret.
        let a = resolve_secret(None, None, true, true).unwrap();
        let b = resolve_secret(None, Some("short".into()), false, false).unwrap();
        assert_eq!((a.len(), b.len()), (32, 32));
        assert_ne!(a, b);
    }

    #[test]
    fn admins_have_every_role() {
        let mut u = User {
            id: "1".into(),
            username: "a".into(),
            email: None,
            roles: vec!["editor".into()],
            is_admin: false,
            is_active: true,
        };
        assert!(u.has_role("editor") && !u.has_role("viewer"));
        assert!(u.has_any_role(["viewer", "editor"]));
        assert!(!Requirement::Admin.met_by(&u));
        u.is_admin = true;
        assert!(u.has_role("viewer") && Requirement::Admin.met_by(&u));
    }
}
