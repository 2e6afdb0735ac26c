//! Where users and refresh tokens live: the [`AuthProvider`] trait, and the pieces a provider of
//! your own can reuse (password hashing, an in-memory refresh-token store).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use super::{AuthError, User};

/// The shortest password a provider accepts for a new user or a new password.
pub const MIN_PASSWORD_LEN: usize = 8;

/// A user to create ([`AuthProvider::create_user`]).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct NewUser {
    /// Unique, 1 to 255 characters.
    pub username: String,
    /// At least [`MIN_PASSWORD_LEN`] characters.
    pub password: String,
    /// Unique when given.
    pub email: Option<String>,
    /// Role names.
    pub roles: Vec<String>,
    /// Whether the user is an administrator.
    pub is_admin: bool,
}

impl NewUser {
    /// A user with no roles who is not an administrator.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        NewUser {
            username: username.into(),
            password: password.into(),
            ..NewUser::default()
        }
    }

    /// With these roles.
    pub fn roles<S: Into<String>>(mut self, roles: impl IntoIterator<Item = S>) -> Self {
        self.roles = roles.into_iter().map(Into::into).collect();
        self
    }

    /// An administrator.
    pub fn admin(mut self, is_admin: bool) -> Self {
        self.is_admin = is_admin;
        self
    }

    /// With an email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// `Ok` when the name and the password are acceptable.
    pub fn validate(&self) -> Result<(), AuthError> {
        let name = self.username.trim();
        if name.is_empty() || name.len() > 255 || name != self.username {
            return Err(AuthError::Invalid(
                "a username is 1 to 255 characters, without spaces around it".into(),
            ));
        }
        if self.username.chars().any(char::is_control)
            || self
                .email
                .as_deref()
                .is_some_and(|e| e.chars().any(char::is_control))
        {
            return Err(AuthError::Invalid(
                "a username or email has no control characters".into(),
            ));
        }
        check_roles(&self.roles)?;
        check_password(&self.password)
    }
}

/// `Ok` when every role name is 1 to 255 characters, without spaces around it or control
/// characters.
fn check_roles(roles: &[String]) -> Result<(), AuthError> {
    for role in roles {
        if role.trim() != role
            || role.is_empty()
            || role.len() > 255
            || role.chars().any(char::is_control)
        {
            return Err(AuthError::Invalid(format!("`{role}` is not a role name")));
        }
    }
    Ok(())
}

/// `Ok` when `password` is long enough.
pub fn check_password(password: &str) -> Result<(), AuthError> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AuthError::Invalid(format!(
            "a password has at least {MIN_PASSWORD_LEN} characters"
        )));
    }
    Ok(())
}

/// A refresh token as a provider stores it: never the token itself, only its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRecord {
    /// The token's unique id (its `jti` claim).
    pub id: String,
    /// The chain of tokens it belongs to: one login, rotated at each refresh.
    pub family: String,
    /// Whose token it is.
    pub user_id: String,
    /// When it expires, in seconds since the Unix epoch.
    pub expires_at: i64,
}

/// Refresh tokens kept where every instance of an app sees them: providers that keep theirs in
/// memory ([`AuthProvider::memory_tokens`]) use this instead when the app has one, so a refresh
/// may reach any instance. [`RedisStore`](crate::store::RedisStore) is one
/// ([`SessionStore::refresh_tokens`](crate::store::SessionStore::refresh_tokens)).
#[async_trait::async_trait]
pub trait SharedRefreshTokens: std::fmt::Debug + Send + Sync {
    /// See [`AuthProvider::store_refresh`].
    async fn store_refresh(&self, token: RefreshRecord) -> Result<(), AuthError>;
    /// See [`AuthProvider::use_refresh`].
    async fn use_refresh(&self, id: &str, now: i64) -> Result<RefreshUse, AuthError>;
    /// See [`AuthProvider::revoke_family`]; `until` is when its last token expires.
    async fn revoke_family(&self, family: &str, until: i64) -> Result<(), AuthError>;
}

/// What using a refresh token found ([`AuthProvider::use_refresh`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshUse {
    /// The token was unused; it is now used.
    Fresh {
        /// Whose token it is.
        user_id: String,
    },
    /// The token was used before, at `used_at`: it may have been stolen.
    Reused {
        /// When it was first used, in seconds since the Unix epoch.
        used_at: i64,
    },
    /// No such token, or it is revoked or expired.
    Unknown,
}

/// Where users and refresh tokens live. The framework does the rest: tokens, cookies, routes,
/// rate limits. Implement it for a backend of your own; the management methods are optional
/// (their defaults answer [`AuthError::Unsupported`]).
#[async_trait::async_trait]
pub trait AuthProvider: Send + Sync + 'static {
    /// A short name for logs: `env`, `database`.
    fn kind(&self) -> &'static str;

    /// Prepares the backend (connects, creates its tables); called once before the app is
    /// served and before a user command runs. An error stops the start with its message.
    async fn init(&self) -> Result<(), AuthError> {
        Ok(())
    }

    /// The user with these credentials. An unknown user and a wrong password both give
    /// [`AuthError::InvalidCredentials`] (and take as long); a deactivated user
    /// [`AuthError::Inactive`].
    async fn authenticate(&self, username: &str, password: &str) -> Result<User, AuthError>;

    /// The user with this id, active or not.
    async fn user(&self, id: &str) -> Result<Option<User>, AuthError>;

    /// Where refresh tokens are kept when the provider keeps them in memory: returning
    /// `Some` makes the three refresh-token methods below work with no more code (what
    /// [`EnvProvider`](super::EnvProvider) does). A provider with storage of its own overrides
    /// those methods instead.
    fn memory_tokens(&self) -> Option<&MemoryRefreshTokens> {
        None
    }

    /// Keeps a new refresh token.
    async fn store_refresh(&self, token: RefreshRecord) -> Result<(), AuthError> {
        let tokens = self
            .memory_tokens()
            .ok_or(AuthError::Unsupported("refresh tokens"))?;
        tokens.store(token, super::now());
        Ok(())
    }

    /// Marks refresh token `id` used at `now` (seconds since the Unix epoch), atomically: of two
    /// concurrent uses, one is [`RefreshUse::Fresh`].
    async fn use_refresh(&self, id: &str, now: i64) -> Result<RefreshUse, AuthError> {
        let tokens = self
            .memory_tokens()
            .ok_or(AuthError::Unsupported("refresh tokens"))?;
        Ok(tokens.use_token(id, now))
    }

    /// Revokes every refresh token of `family`.
    async fn revoke_family(&self, family: &str) -> Result<(), AuthError> {
        let tokens = self
            .memory_tokens()
            .ok_or(AuthError::Unsupported("refresh tokens"))?;
        tokens.revoke_family(family);
        Ok(())
    }

    /// Creates a user.
    async fn create_user(&self, user: NewUser) -> Result<User, AuthError> {
        let _ = user;
        Err(AuthError::Unsupported("creating users"))
    }

    /// Every user, by name.
    async fn list_users(&self) -> Result<Vec<User>, AuthError> {
        Err(AuthError::Unsupported("listing users"))
    }

    /// Sets a user's password.
    async fn set_password(&self, username: &str, password: &str) -> Result<(), AuthError> {
        let _ = (username, password);
        Err(AuthError::Unsupported("setting passwords"))
    }

    /// The user named `username`, if any (by default: from [`AuthProvider::list_users`]).
    async fn user_by_name(&self, username: &str) -> Result<Option<User>, AuthError> {
        Ok(self
            .list_users()
            .await?
            .into_iter()
            .find(|u| u.username == username))
    }

    /// Changes a user's email, admin flag or roles (what `changes` sets; roles are replaced
    /// as a whole) and returns the user as they are now. A user who is no longer an
    /// administrator, or lost a role, has it at the next token refresh.
    async fn update_user(&self, username: &str, changes: UserChanges) -> Result<User, AuthError> {
        let _ = (username, changes);
        Err(AuthError::Unsupported("changing users"))
    }

    /// Deletes a user: their refresh tokens go with them, so they are signed out at their next
    /// token refresh (an access token's lifetime at most).
    async fn delete_user(&self, username: &str) -> Result<(), AuthError> {
        let _ = username;
        Err(AuthError::Unsupported("deleting users"))
    }

    /// Copies the users of a numerous-apps database at `from` (its `users`, `roles`,
    /// `user_roles`) into this provider, keeping their bcrypt hashes (`import-users`).
    async fn import_numerous_apps(&self, from: &str) -> Result<ImportReport, AuthError> {
        let _ = from;
        Err(AuthError::Unsupported("importing users"))
    }

    /// Activates or deactivates a user; a deactivated user's refresh tokens are revoked.
    async fn set_active(&self, username: &str, active: bool) -> Result<(), AuthError> {
        let _ = (username, active);
        Err(AuthError::Unsupported("deactivating users"))
    }
}

/// What [`AuthProvider::update_user`] changes: only what is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserChanges {
    /// A new email address (`Some(None)`: none).
    pub email: Option<Option<String>>,
    /// Whether the user is an administrator.
    pub is_admin: Option<bool>,
    /// The user's roles, all of them.
    pub roles: Option<Vec<String>>,
}

impl UserChanges {
    /// No change yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the email address (`None`: removes it).
    pub fn email(mut self, email: Option<impl Into<String>>) -> Self {
        self.email = Some(email.map(Into::into));
        self
    }

    /// Makes the user an administrator, or not.
    pub fn admin(mut self, is_admin: bool) -> Self {
        self.is_admin = Some(is_admin);
        self
    }

    /// Replaces the user's roles.
    pub fn roles<S: Into<String>>(mut self, roles: impl IntoIterator<Item = S>) -> Self {
        self.roles = Some(roles.into_iter().map(Into::into).collect());
        self
    }

    /// Checks the new values as [`NewUser::validate`] does.
    pub fn validate(&self) -> Result<(), AuthError> {
        if let Some(Some(email)) = &self.email
            && (email.len() > 255 || email.chars().any(char::is_control))
        {
            return Err(AuthError::Invalid(
                "an email is at most 255 characters, without control characters".into(),
            ));
        }
        self.roles.as_deref().map_or(Ok(()), check_roles)
    }
}

/// What [`AuthProvider::import_numerous_apps`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The users copied, by name.
    pub imported: Vec<String>,
    /// The users left alone because a user of that name (or email) is here already.
    pub skipped: Vec<String>,
}

/// Hashes `password` with argon2id and a random salt (PHC string). Takes tens of
/// milliseconds: call it off the async threads (`tokio::task::spawn_blocking`).
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AuthError::Backend(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AuthError::Backend(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Backend(e.to_string()))
}

/// Whether `password` matches `hash` (a PHC string from [`hash_password`]); constant-time.
/// Given `None` (no such user) it checks against a fixed hash, so an unknown user takes as
/// long as a wrong password.
///
/// Each thread that checks passwords keeps one argon2 work area (19 MiB with the default
/// parameters) and reuses it: allocated and freed per check, the C allocator kept a new one for
/// every sign-in (its threshold for giving large blocks back rises after the first). numerous
/// checks passwords on a few threads of its own ([`run_password_job`]).
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    let hash = hash.unwrap_or_else(|| dummy_hash());
    // A bcrypt hash, as numerous-apps stores them (imported with `import-users`).
    #[cfg(feature = "db")]
    if is_bcrypt(hash) {
        return bcrypt::verify(password, hash).unwrap_or(false);
    }
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let ok = verify_in_place(password.as_bytes(), &parsed).unwrap_or_else(|| {
        // Not argon2 (or parameters the work area cannot take): the general path.
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    });
    ok && !std::ptr::eq(hash, dummy_hash())
}

/// Whether `hash` is bcrypt's (`$2a$`, `$2b$`, `$2y$`: numerous-apps' passwords).
#[cfg(feature = "db")]
fn is_bcrypt(hash: &str) -> bool {
    ["$2a$", "$2b$", "$2y$"].iter().any(|p| hash.starts_with(p))
}

/// Whether a stored hash should be replaced by [`hash_password`]'s at the next successful
/// sign-in: any hash that is not argon2id (an imported bcrypt one).
pub fn needs_rehash(hash: &str) -> bool {
    !hash.starts_with("$argon2id$")
}

/// Verifies an argon2 hash in this thread's work area; `None` if `parsed` is not one.
fn verify_in_place(password: &[u8], parsed: &PasswordHash<'_>) -> Option<bool> {
    thread_local! {
        static WORK_AREA: std::cell::RefCell<Vec<argon2::Block>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let algorithm = argon2::Algorithm::try_from(parsed.algorithm).ok()?;
    let version = match parsed.version {
        Some(v) => argon2::Version::try_from(v).ok()?,
        None => argon2::Version::default(),
    };
    let params = argon2::Params::try_from(parsed).ok()?;
    let expected = parsed.hash?;
    let mut salt = [0u8; 64];
    let salt = parsed.salt?.decode_b64(&mut salt).ok()?;
    let mut out = [0u8; 64];
    let out = out.get_mut(..expected.len())?;
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    let hashed = WORK_AREA.with_borrow_mut(|area| {
        if area.len() < blocks {
            area.resize(blocks, argon2::Block::default());
        }
        argon.hash_password_into_with_memory(password, salt, out, &mut area[..blocks])
    });
    // `Output`'s comparison takes constant time.
    Some(hashed.is_ok() && argon2::password_hash::Output::new(out).is_ok_and(|o| o == expected))
}

/// Password hashing and checking off the async threads, bounded: argon2 takes 19 MiB and tens
/// of milliseconds each, so a burst of sign-ins must neither take memory without limit nor
/// keep it (each thread's allocator arena keeps what argon2 used). A few threads of their own
/// ([`PASSWORD_WORKERS`] at most) do all of it, each job waiting in a queue of
/// [`PASSWORD_QUEUE`] per worker; past that the answer is [`AuthError::Busy`] at once (503 with
/// `Retry-After`), for a known user or not alike.
pub async fn run_password_job<T: Send + 'static>(
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AuthError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: PasswordJob = Box::new(move || {
        let _ = tx.send(job());
    });
    match password_pool().try_send(job) {
        Ok(()) => {}
        Err(std::sync::mpsc::TrySendError::Full(_)) => return Err(AuthError::Busy(1)),
        Err(std::sync::mpsc::TrySendError::Disconnected(_)) => {
            return Err(AuthError::Backend("the password workers stopped".into()));
        }
    }
    rx.await
        .map_err(|_| AuthError::Backend("a password check failed".into()))
}

/// At most this many passwords are hashed or checked at once (19 MiB each).
pub const PASSWORD_WORKERS: usize = 4;
/// Jobs that may wait per worker before a sign-in is answered "busy" (about 2 s of work with
/// the default parameters on this project's 2-core test machine).
pub const PASSWORD_QUEUE: usize = 64;

type PasswordJob = Box<dyn FnOnce() + Send>;

fn password_pool() -> &'static std::sync::mpsc::SyncSender<PasswordJob> {
    static POOL: std::sync::OnceLock<std::sync::mpsc::SyncSender<PasswordJob>> =
        std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let workers = std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .clamp(1, PASSWORD_WORKERS);
        let (tx, rx) = std::sync::mpsc::sync_channel::<PasswordJob>(workers * PASSWORD_QUEUE);
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for n in 0..workers {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("numerous-password-{n}"))
                .spawn(move || {
                    loop {
                        let job = {
                            let rx = rx.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                            rx.recv()
                        };
                        match job {
                            // A panic in a job (none expected) must not take the worker.
                            Ok(job) => {
                                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                            }
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("cannot start a password worker: {e}");
            }
        }
        tx
    })
}

fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("numerous: no such user").unwrap_or_default())
}

/// Refresh tokens in memory: for providers whose users do not change at run time (they are
/// forgotten on restart, which signs everybody out).
#[derive(Debug, Default)]
pub struct MemoryRefreshTokens {
    tokens: Mutex<Tokens>,
}

/// The tokens, and per login (family) its newest token and the one it replaced: a rotation
/// replaces, it does not accumulate (the token before the one it replaced is forgotten, so it
/// reads as unknown rather than reused).
#[derive(Debug, Default)]
struct Tokens {
    by_id: HashMap<String, MemoryToken>,
    /// Family -> (newest token, the one before it).
    families: HashMap<String, (String, Option<String>)>,
    /// When expired tokens are next swept out (seconds since the epoch).
    next_sweep: i64,
}

#[derive(Debug)]
struct MemoryToken {
    family: String,
    user_id: String,
    expires_at: i64,
    used_at: Option<i64>,
    revoked: bool,
}

impl MemoryRefreshTokens {
    /// Keeps `token`; forgets its family's token before last, and (once a minute) expired ones.
    pub fn store(&self, token: RefreshRecord, now: i64) {
        let mut guard = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        let t = &mut *guard;
        if now >= t.next_sweep {
            t.by_id.retain(|_, tok| tok.expires_at > now);
            let by_id = &t.by_id;
            t.families
                .retain(|_, (newest, _)| by_id.contains_key(newest));
            t.next_sweep = now + 60;
        }
        let replaced = match t.families.get_mut(&token.family) {
            Some((newest, before)) => before.replace(std::mem::replace(newest, token.id.clone())),
            None => {
                t.families
                    .insert(token.family.clone(), (token.id.clone(), None));
                None
            }
        };
        if let Some(old) = replaced {
            t.by_id.remove(&old);
        }
        t.by_id.insert(
            token.id,
            MemoryToken {
                family: token.family,
                user_id: token.user_id,
                expires_at: token.expires_at,
                used_at: None,
                revoked: false,
            },
        );
    }

    /// How many tokens are kept (expired ones until the next sweep included).
    pub fn len(&self) -> usize {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .by_id
            .len()
    }

    /// Whether no token is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// See [`AuthProvider::use_refresh`].
    pub fn use_token(&self, id: &str, now: i64) -> RefreshUse {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        match tokens.by_id.get_mut(id) {
            Some(t) if t.revoked || t.expires_at <= now => RefreshUse::Unknown,
            Some(t) => match t.used_at {
                Some(used_at) => RefreshUse::Reused { used_at },
                None => {
                    t.used_at = Some(now);
                    RefreshUse::Fresh {
                        user_id: t.user_id.clone(),
                    }
                }
            },
            None => RefreshUse::Unknown,
        }
    }

    /// See [`AuthProvider::revoke_family`].
    pub fn revoke_family(&self, family: &str) {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        for t in tokens.by_id.values_mut().filter(|t| t.family == family) {
            t.revoked = true;
        }
    }

    /// Revokes every token of `user_id`.
    pub fn revoke_user(&self, user_id: &str) {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        for t in tokens.by_id.values_mut().filter(|t| t.user_id == user_id) {
            t.revoked = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", Some(&h)));
        assert!(!verify_password("wrong horse", Some(&h)));
        assert!(!verify_password("correct horse", None));
        assert!(!verify_password("x", Some("not a hash")));
        // Checked in the thread's reused work area, not by the general path.
        let parsed = PasswordHash::new(&h).unwrap();
        assert_eq!(verify_in_place(b"correct horse", &parsed), Some(true));
        assert_eq!(verify_in_place(b"correct horsf", &parsed), Some(false));
        // Salted: the same password hashes differently.
        assert_ne!(h, hash_password("correct horse").unwrap());
    }

    #[test]
    fn a_refresh_token_is_used_once() {
        let m = MemoryRefreshTokens::default();
        m.store(
            RefreshRecord {
                id: "t1".into(),
                family: "f".into(),
                user_id: "u".into(),
                expires_at: 100,
            },
            0,
        );
        assert_eq!(
            m.use_token("t1", 10),
            RefreshUse::Fresh {
                user_id: "u".into()
            }
        );
        assert_eq!(m.use_token("t1", 11), RefreshUse::Reused { used_at: 10 });
        assert_eq!(m.use_token("t2", 11), RefreshUse::Unknown);
        m.revoke_family("f");
        assert_eq!(m.use_token("t1", 12), RefreshUse::Unknown);
        assert_eq!(m.use_token("t1", 200), RefreshUse::Unknown);
    }

    #[test]
    fn a_rotation_replaces_its_token_before_last() {
        let m = MemoryRefreshTokens::default();
        for n in 0..1000 {
            let id = format!("t{n}");
            m.store(
                RefreshRecord {
                    id: id.clone(),
                    family: "f".into(),
                    user_id: "u".into(),
                    expires_at: 100,
                },
                0,
            );
            assert!(matches!(m.use_token(&id, 1), RefreshUse::Fresh { .. }));
        }
        // The newest and the one it replaced (a reuse of which is still caught).
        assert_eq!(m.len(), 2);
        assert_eq!(m.use_token("t998", 2), RefreshUse::Reused { used_at: 1 });
        assert_eq!(m.use_token("t997", 2), RefreshUse::Unknown);
        // Another login keeps its own.
        m.store(
            RefreshRecord {
                id: "g0".into(),
                family: "g".into(),
                user_id: "u".into(),
                expires_at: 100,
            },
            0,
        );
        assert_eq!(m.len(), 3);
        // Expired ones go with the next sweep.
        m.store(
            RefreshRecord {
                id: "h0".into(),
                family: "h".into(),
                user_id: "u".into(),
                expires_at: 500,
            },
            200,
        );
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn new_users_are_checked() {
        assert!(NewUser::new("ann", "12345678").validate().is_ok());
        assert!(NewUser::new("ann", "1234567").validate().is_err());
        assert!(NewUser::new("", "12345678").validate().is_err());
        assert!(NewUser::new(" ann", "12345678").validate().is_err());
    }
}
