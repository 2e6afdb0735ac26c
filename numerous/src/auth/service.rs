//! The running side of [`Auth`]: signing in, refreshing, signing out, and who a request is.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, header};
use dashmap::DashMap;
use globset::{Glob, GlobSet, GlobSetBuilder};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::watch;

use super::tokens::{Claims, Keys, Kind, LEEWAY};
use super::{Auth, AuthError, RefreshRecord, RefreshUse, User, now};
use crate::auth::LoginPageFn;

/// The access token's cookie.
pub(crate) const ACCESS_COOKIE: &str = "numerous_access";
/// The refresh token's cookie (sent only to the auth routes).
pub(crate) const REFRESH_COOKIE: &str = "numerous_refresh";
/// The login form's CSRF token.
pub(crate) const CSRF_COOKIE: &str = "numerous_csrf";

/// Paths always public, relative to the prefix.
const ALWAYS_PUBLIC: &[&str] = &[
    "/login",
    "/api/auth/login",
    "/api/auth/refresh",
    "/api/auth/logout",
    "/api/auth/check",
    "/numerous-static/**",
    "/favicon.ico",
];

/// Everything a signed-in request carries.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub(crate) user: Arc<User>,
    /// The login the token descends from.
    pub(crate) family: Arc<str>,
    /// When the access token expires.
    pub(crate) expires_at: i64,
}

/// A new pair of tokens.
#[derive(Debug)]
pub(crate) struct Issued {
    pub(crate) access: String,
    pub(crate) access_exp: i64,
    pub(crate) refresh: String,
}

/// What keeps a tab's socket authorised: its login's latest access expiry, moved by every
/// refresh and set to 0 by a sign-out.
#[derive(Debug)]
pub(crate) struct TabAuth {
    rx: watch::Receiver<i64>,
    family: Arc<str>,
    state: Arc<AuthState>,
}

impl TabAuth {
    /// Completes when the tab's login has expired (not refreshed in time) or was revoked.
    pub(crate) async fn expired(&mut self) {
        loop {
            let exp = *self.rx.borrow_and_update();
            let left = exp + LEEWAY as i64 - now();
            if left <= 0 {
                return;
            }
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(left as u64)) => {}
                changed = self.rx.changed() => {
                    if changed.is_err() {
                        std::future::pending::<()>().await;
                    }
                }
            }
        }
    }
}

impl Drop for TabAuth {
    fn drop(&mut self) {
        let family = self.family.clone();
        // Our receiver is still counted here; the entry goes with the last tab.
        self.state
            .families
            .remove_if(&family, |_, (tx, _)| tx.receiver_count() <= 1);
    }
}

/// [`Auth`], running.
pub(crate) struct AuthState {
    pub(crate) config: Auth,
    keys: Keys,
    pub(crate) prefix: String,
    public: GlobSet,
    protected: Option<GlobSet>,
    /// Logins with open tabs: their latest access expiry, and whose login it is.
    families: DashMap<Arc<str>, (watch::Sender<i64>, Arc<str>)>,
    /// Users deleted here, until their refresh tokens would have expired: their access tokens
    /// stop working at once.
    gone: DashMap<Arc<str>, i64>,
    /// Logins signed out or revoked here, until their refresh tokens would expire: their
    /// access tokens stop working at once, not when they expire.
    revoked: DashMap<Arc<str>, i64>,
    by_address: DefaultKeyedRateLimiter<IpAddr>,
    by_user: DefaultKeyedRateLimiter<String>,
    /// Refreshes per login ([`REFRESHES_PER_MINUTE`]) and per address (that many times the
    /// address's sign-ins): a client that rotates its token in a loop is stopped.
    refresh_by_family: DefaultKeyedRateLimiter<String>,
    refresh_by_address: DefaultKeyedRateLimiter<IpAddr>,
    /// Where sign-outs are announced to the other instances of the app (its broker).
    announce: std::sync::OnceLock<crate::topics::Publisher>,
    /// Refresh tokens shared by the instances, for a provider that keeps its own in memory.
    shared_tokens: std::sync::OnceLock<Arc<dyn super::SharedRefreshTokens>>,
}

/// A login signed out on some instance: `family` refused until `until` (seconds since the epoch).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct SignedOut {
    family: String,
    until: i64,
    /// A deleted user (then `family` is empty): all their logins.
    #[serde(default)]
    user: Option<String>,
}

/// Sign-outs, between the instances of an app (through its broker: with `RedisBroker`, every
/// instance refuses a signed-out login's access tokens at once, not when they expire).
static SIGNED_OUT: crate::topics::Topic<SignedOut> =
    crate::topics::Topic::new("numerous.auth.signed-out");

impl std::fmt::Debug for AuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthState")
            .field("config", &self.config)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn globs(patterns: &[impl AsRef<str>]) -> Result<GlobSet, AuthError> {
    let mut set = GlobSetBuilder::new();
    for p in patterns {
        let p = p.as_ref();
        if !p.starts_with('/') {
            return Err(AuthError::Config(format!(
                "route pattern `{p}` must start with `/` (it is relative to the app's prefix)"
            )));
        }
        let glob =
            Glob::new(p).map_err(|e| AuthError::Config(format!("route pattern `{p}`: {e}")))?;
        set.add(glob);
    }
    set.build()
        .map_err(|e| AuthError::Config(format!("route patterns: {e}")))
}

/// Refreshes one login may make a minute (its tabs share its refresh token; each refreshes
/// once per access token's life, and concurrent ones count once each).
pub(crate) const REFRESHES_PER_MINUTE: u32 = 10;

/// The wait a limiter's refusal asks for, in whole seconds (at least 1).
fn wait_secs(not_until: &governor::NotUntil<governor::clock::QuantaInstant>) -> u64 {
    not_until
        .wait_time_from(governor::clock::Clock::now(
            &governor::clock::DefaultClock::default(),
        ))
        .as_secs()
        .max(1)
}

fn quota(per_minute: u32) -> Quota {
    let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(n)
}

impl AuthState {
    pub(crate) fn new(config: Auth, prefix: &str) -> Result<Arc<Self>, AuthError> {
        let secret = super::resolve_secret(
            config.secret.as_deref(),
            std::env::var(super::SECRET_VAR).ok(),
            !cfg!(debug_assertions),
            std::env::var(super::ALLOW_EPHEMERAL_SECRET_VAR).is_ok_and(|v| v == "1"),
        )?;
        if config.access_ttl < Duration::from_secs(10) || config.refresh_ttl < config.access_ttl {
            return Err(AuthError::Config(
                "the access token must last 10 seconds at least, and the refresh token as long"
                    .into(),
            ));
        }
        let mut public: Vec<String> = ALWAYS_PUBLIC.iter().map(|s| (*s).to_owned()).collect();
        if config.registration {
            public.extend(["/register".to_owned(), "/api/auth/register".to_owned()]);
        }
        public.extend(config.public.iter().cloned());
        let protected = config.protect_only.as_deref().map(globs).transpose()?;
        let (per_address, per_user) = config.login_attempts_per_minute;
        Ok(Arc::new(AuthState {
            keys: Keys::new(&secret, &config.issuer, &config.audience),
            prefix: prefix.to_owned(),
            public: globs(&public)?,
            protected,
            families: DashMap::new(),
            gone: DashMap::new(),
            revoked: DashMap::new(),
            by_address: RateLimiter::keyed(quota(per_address)),
            by_user: RateLimiter::keyed(quota(per_user)),
            refresh_by_family: RateLimiter::keyed(quota(REFRESHES_PER_MINUTE)),
            refresh_by_address: RateLimiter::keyed(quota(
                per_address.saturating_mul(REFRESHES_PER_MINUTE),
            )),
            announce: std::sync::OnceLock::new(),
            shared_tokens: std::sync::OnceLock::new(),
            config,
        }))
    }

    /// Keeps refresh tokens in `tokens` (shared by the instances) when the provider would keep
    /// them in this process's memory.
    pub(crate) fn share_refresh_tokens(&self, tokens: Arc<dyn super::SharedRefreshTokens>) {
        if self.config.provider.memory_tokens().is_some() {
            let _ = self.shared_tokens.set(tokens);
        }
    }

    /// Hears sign-outs from the other instances sharing `broker`, and announces this one's
    /// there. Done once; later calls (several apps sharing this sign-in) do nothing.
    pub(crate) fn share_sign_outs(self: &Arc<Self>, broker: Arc<dyn crate::topics::Broker>) {
        if self
            .announce
            .set(crate::topics::Publisher::new(broker.clone()))
            .is_err()
        {
            return;
        }
        let mut heard = broker.subscribe(SIGNED_OUT.name());
        let me = Arc::downgrade(self);
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                let envelope = match heard.recv().await {
                    Ok(e) => e,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return,
                };
                let (Some(out), Some(me)) = (envelope.get::<SignedOut>(), me.upgrade()) else {
                    continue;
                };
                if let Some(user) = &out.user {
                    me.refuse_user(user, out.until);
                    continue;
                }
                me.refuse(&out.family, out.until);
                // Shared refresh tokens were revoked by the instance that signed it out.
                if me.shared_tokens.get().is_none()
                    && let Err(e) = me.config.provider.revoke_family(&out.family).await
                {
                    tracing::debug!("a sign-out from another instance: {e}");
                }
            }
        });
    }

    pub(crate) fn login_page_fn(&self) -> Option<&Arc<LoginPageFn>> {
        self.config.login_page.as_ref()
    }

    /// Whether `path` (relative to the prefix) needs a signed-in user.
    pub(crate) fn is_protected(&self, path: &str) -> bool {
        let path = if path.is_empty() { "/" } else { path };
        if self.public.is_match(path) {
            return false;
        }
        match &self.protected {
            Some(set) => set.is_match(path),
            None => true,
        }
    }

    /// Who sent `headers`: a valid access token from the cookie or an `Authorization: Bearer`
    /// header, not revoked.
    pub(crate) fn identify(&self, headers: &HeaderMap) -> Option<Identity> {
        let token = bearer(headers).or_else(|| cookie(headers, ACCESS_COOKIE))?;
        let claims = self.keys.check(token, Kind::Access, now()).ok()?;
        if self.revoked.contains_key(claims.fam.as_str())
            || self.gone.contains_key(claims.sub.as_str())
        {
            return None;
        }
        Some(identity(claims))
    }

    /// `Ok` while `client` and `username` are within their attempts per minute.
    fn within_limits(&self, username: &str, client: IpAddr) -> Result<(), AuthError> {
        let key: String = username.to_lowercase().chars().take(255).collect();
        for check in [
            self.by_address.check_key(&client),
            self.by_user.check_key(&key),
        ] {
            if let Err(not_until) = check {
                return Err(AuthError::TooManyAttempts(wait_secs(&not_until)));
            }
        }
        if self.by_user.len() > 100_000 {
            self.by_user.retain_recent();
            self.by_address.retain_recent();
        }
        Ok(())
    }

    /// Creates a user with `email` as their name (within the rate limits) and signs them in.
    pub(crate) async fn register(
        &self,
        email: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<(User, Issued), AuthError> {
        self.within_limits(email, client)?;
        let email = email.trim().to_lowercase();
        check_email(&email)?;
        let new = super::NewUser::new(email.clone(), password).email(email);
        new.validate()?;
        let user = self.config.provider.create_user(new).await?;
        let issued = self.issue(&user, &crate::util::random_hex(16)).await?;
        tracing::info!(user = %user.username, "registered");
        Ok((user, issued))
    }

    /// Checks the credentials (within the rate limits) and signs the user in.
    pub(crate) async fn login(
        &self,
        username: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<(User, Issued), AuthError> {
        self.within_limits(username, client)?;
        let user = self
            .config
            .provider
            .authenticate(username, password)
            .await?;
        let issued = self.issue(&user, &crate::util::random_hex(16)).await?;
        tracing::info!(user = %user.username, "signed in");
        Ok((user, issued))
    }

    /// Rotates a refresh token: the old one is used up, a new pair is issued in the same
    /// family. A token used twice revokes its family (it was stolen, or the thief was first).
    pub(crate) async fn refresh(
        &self,
        token: &str,
        client: IpAddr,
    ) -> Result<(User, Issued), AuthError> {
        let now = now();
        let claims = self.keys.check(token, Kind::Refresh, now)?;
        if self.revoked.contains_key(claims.fam.as_str()) {
            return Err(AuthError::InvalidToken);
        }
        for check in [
            self.refresh_by_address.check_key(&client),
            self.refresh_by_family.check_key(&claims.fam),
        ] {
            if let Err(not_until) = check {
                return Err(AuthError::TooManyAttempts(wait_secs(&not_until)));
            }
        }
        if self.refresh_by_family.len() > 100_000 {
            self.refresh_by_family.retain_recent();
            self.refresh_by_address.retain_recent();
        }
        let provider = &self.config.provider;
        let used = match self.shared_tokens.get() {
            Some(shared) => shared.use_refresh(&claims.jti, now).await?,
            None => provider.use_refresh(&claims.jti, now).await?,
        };
        match used {
            RefreshUse::Fresh { user_id } if user_id == claims.sub => {}
            RefreshUse::Reused { used_at }
                if now - used_at < self.config.reuse_grace.as_secs() as i64 => {}
            RefreshUse::Reused { .. } => {
                tracing::warn!(
                    user = %claims.sub,
                    "a refresh token was used twice: its whole family is revoked"
                );
                self.revoke(&claims.fam, claims.exp).await?;
                return Err(AuthError::InvalidToken);
            }
            // Unknown: expired, revoked, or (a rotation keeps a login's newest token and the one
            // it replaced) used before and forgotten since. Not counted as a reuse: tabs that
            // refresh at once, or a store that restarted empty, would end logins nobody stole.
            RefreshUse::Fresh { .. } | RefreshUse::Unknown => return Err(AuthError::InvalidToken),
        }
        let user = match provider.user(&claims.sub).await? {
            Some(u) if u.is_active => u,
            _ => {
                self.revoke(&claims.fam, claims.exp).await?;
                return Err(AuthError::Inactive);
            }
        };
        let issued = self.issue(&user, &claims.fam).await?;
        if let Some(login) = self.families.get(claims.fam.as_str()) {
            login.0.send_replace(issued.access_exp);
        }
        Ok((user, issued))
    }

    /// Signs out the login of `refresh` (or of the access token's family): its refresh tokens
    /// are revoked, its access tokens refused, its open tabs closed.
    pub(crate) async fn logout(&self, refresh: Option<&str>, identity: Option<&Identity>) {
        let now = now();
        // An expired refresh token still names its family.
        let family = refresh
            .and_then(|t| self.keys.check(t, Kind::Refresh, now).ok())
            .map(|c| (Arc::<str>::from(c.fam), c.exp))
            .or_else(|| {
                identity.map(|i| {
                    (
                        i.family.clone(),
                        now + self.config.refresh_ttl.as_secs() as i64,
                    )
                })
            });
        if let Some((family, until)) = family
            && let Err(e) = self.revoke(&family, until).await
        {
            tracing::warn!("signing out: {e}");
        }
    }

    async fn revoke(&self, family: &str, until: i64) -> Result<(), AuthError> {
        self.refuse(family, until);
        if let Some(announce) = self.announce.get() {
            announce.publish(
                &SIGNED_OUT,
                SignedOut {
                    family: family.to_owned(),
                    until,
                    user: None,
                },
            );
        }
        match self.shared_tokens.get() {
            Some(shared) => shared.revoke_family(family, until).await,
            None => self.config.provider.revoke_family(family).await,
        }
    }

    /// Refuses the access tokens of login `family` from now until `until`, and closes its tabs.
    fn refuse(&self, family: &str, until: i64) {
        let now = now();
        self.revoked.retain(|_, until| *until > now);
        self.revoked.insert(family.into(), until);
        if let Some(login) = self.families.get(family) {
            login.0.send_replace(0);
        }
    }

    /// A user was deleted: their access tokens are refused from now on (until their refresh
    /// tokens would have expired) and every tab of theirs is closed at once (4401; the client's
    /// refresh then fails, as their refresh tokens went with them), on every instance.
    pub(crate) fn user_deleted(&self, user_id: &str) {
        let until = now() + self.config.refresh_ttl.as_secs() as i64;
        self.refuse_user(user_id, until);
        if let Some(announce) = self.announce.get() {
            announce.publish(
                &SIGNED_OUT,
                SignedOut {
                    family: String::new(),
                    until,
                    user: Some(user_id.to_owned()),
                },
            );
        }
    }

    fn refuse_user(&self, user_id: &str, until: i64) {
        let now = now();
        self.gone.retain(|_, until| *until > now);
        self.gone.insert(user_id.into(), until);
        for login in self.families.iter().filter(|l| &*l.value().1 == user_id) {
            login.value().0.send_replace(0);
        }
    }

    async fn issue(&self, user: &User, family: &str) -> Result<Issued, AuthError> {
        let now = now();
        let c = &self.config;
        let (access, a) = self.keys.issue(
            Kind::Access,
            user,
            family,
            now,
            c.access_ttl.as_secs() as i64,
        )?;
        let (refresh, r) = self.keys.issue(
            Kind::Refresh,
            user,
            family,
            now,
            c.refresh_ttl.as_secs() as i64,
        )?;
        let record = RefreshRecord {
            id: r.jti,
            family: family.to_owned(),
            user_id: user.id.clone(),
            expires_at: r.exp,
        };
        match self.shared_tokens.get() {
            Some(shared) => shared.store_refresh(record).await?,
            None => c.provider.store_refresh(record).await?,
        }
        Ok(Issued {
            access,
            access_exp: a.exp,
            refresh,
        })
    }

    /// Keeps a tab's socket authorised while its login is refreshed.
    pub(crate) fn watch_tab(self: &Arc<Self>, identity: &Identity) -> TabAuth {
        let login = self
            .families
            .entry(identity.family.clone())
            .or_insert_with(|| {
                (
                    watch::channel(identity.expires_at).0,
                    identity.user.id.as_str().into(),
                )
            });
        let tx = &login.0;
        tx.send_if_modified(|exp| {
            let later = identity.expires_at > *exp && *exp != 0;
            if later {
                *exp = identity.expires_at;
            }
            later
        });
        TabAuth {
            rx: tx.subscribe(),
            family: identity.family.clone(),
            state: self.clone(),
        }
    }

    /// Cookie attributes: `Secure` as configured, or when the request came over HTTPS
    /// through a trusted proxy.
    pub(crate) fn secure(&self, headers: &HeaderMap, trusted_proxy: bool) -> bool {
        self.config.secure_cookies.unwrap_or_else(|| {
            trusted_proxy
                && headers
                    .get("x-forwarded-proto")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
        })
    }

    /// `Set-Cookie` values for a new pair of tokens.
    pub(crate) fn cookies(&self, issued: &Issued, secure: bool) -> [String; 2] {
        let c = &self.config;
        [
            set_cookie(
                ACCESS_COOKIE,
                &issued.access,
                &self.cookie_path(""),
                c.access_ttl.as_secs(),
                secure,
                "Lax",
            ),
            set_cookie(
                REFRESH_COOKIE,
                &issued.refresh,
                &self.cookie_path("/api/auth"),
                c.refresh_ttl.as_secs(),
                secure,
                "Lax",
            ),
        ]
    }

    /// `Set-Cookie` values that remove both tokens.
    pub(crate) fn clear_cookies(&self, secure: bool) -> [String; 2] {
        [
            set_cookie(ACCESS_COOKIE, "", &self.cookie_path(""), 0, secure, "Lax"),
            set_cookie(
                REFRESH_COOKIE,
                "",
                &self.cookie_path("/api/auth"),
                0,
                secure,
                "Lax",
            ),
        ]
    }

    /// A login form's CSRF cookie.
    pub(crate) fn csrf_cookie(&self, token: &str, secure: bool) -> String {
        set_cookie(
            CSRF_COOKIE,
            token,
            &self.cookie_path("/api/auth"),
            3600,
            secure,
            "Strict",
        )
    }

    pub(crate) fn cookie_path(&self, under: &str) -> String {
        let p = format!("{}{under}", self.prefix);
        if p.is_empty() { "/".into() } else { p }
    }
}

/// `Ok` for a plausible email address: one `@`, a name before it, a domain with a dot after it.
pub(crate) fn check_email(email: &str) -> Result<(), AuthError> {
    let ok = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if ok {
        Ok(())
    } else {
        Err(AuthError::Invalid(format!(
            "`{email}` is not an email address"
        )))
    }
}

fn identity(claims: Claims) -> Identity {
    Identity {
        user: Arc::new(User {
            id: claims.sub,
            username: claims.name.unwrap_or_default(),
            email: None,
            roles: claims.roles,
            is_admin: claims.adm,
            is_active: true,
        }),
        family: claims.fam.into(),
        expires_at: claims.exp,
    }
}

fn set_cookie(
    name: &str,
    value: &str,
    path: &str,
    max_age: u64,
    secure: bool,
    same_site: &str,
) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite={same_site}{secure}"
    )
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The value of cookie `name`, if the request carries it.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::EnvProvider;

    fn state(auth: Auth) -> Arc<AuthState> {
        AuthState::new(auth.secret("0123456789abcdef0123456789abcdef"), "/app").unwrap()
    }

    const LOCAL: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    fn env() -> EnvProvider {
        EnvProvider::from_json(r#"[{"username":"ann","password":"ann-password"}]"#).unwrap()
    }

    #[test]
    fn everything_is_protected_but_what_is_public() {
        let s = state(Auth::new(env()).public(["/api/public/**", "/health"]));
        for p in ["/", "", "/ws", "/api/auth/me", "/mine", "/api/publicity"] {
            assert!(s.is_protected(p), "{p}");
        }
        for p in [
            "/login",
            "/health",
            "/api/public/x/y",
            "/numerous-static/v/numerous.js",
        ] {
            assert!(!s.is_protected(p), "{p}");
        }
        let s = state(Auth::new(env()).protect_only(["/admin/**", "/admin"]));
        assert!(s.is_protected("/admin") && s.is_protected("/admin/x"));
        assert!(!s.is_protected("/") && !s.is_protected("/login"));
        let bad = AuthState::new(
            Auth::new(env()).public(["health"]).secret("x".repeat(32)),
            "",
        );
        assert!(bad.unwrap_err().to_string().contains("must start with `/`"));
    }

    #[tokio::test]
    async fn refresh_rotates_and_reuse_revokes_the_family() {
        let s = state(Auth::new(env()));
        let ip = IpAddr::from([127, 0, 0, 1]);
        let (_, first) = s.login("ann", "ann-password", ip).await.unwrap();
        let (_, second) = s.refresh(&first.refresh, LOCAL).await.unwrap();
        assert_ne!(first.refresh, second.refresh);
        // The second use of `first` within the grace period (two tabs at once) is tolerated.
        let (_, third) = s.refresh(&first.refresh, LOCAL).await.unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            format!("{ACCESS_COOKIE}={}", third.access).parse().unwrap(),
        );
        assert!(s.identify(&headers).is_some());
        s.logout(Some(&third.refresh), None).await;
        assert!(
            s.identify(&headers).is_none(),
            "signed out: the access token is dead"
        );
        assert!(s.refresh(&second.refresh, LOCAL).await.is_err());
        assert!(
            s.refresh(&first.access, LOCAL).await.is_err(),
            "an access token is not a refresh token"
        );
    }

    #[tokio::test]
    async fn logins_are_rate_limited() {
        let s = state(Auth::new(env()).login_attempts_per_minute(100, 3));
        let ip = IpAddr::from([10, 0, 0, 1]);
        for _ in 0..3 {
            assert!(matches!(
                s.login("ann", "wrong", ip).await,
                Err(AuthError::InvalidCredentials)
            ));
        }
        assert!(matches!(
            s.login("Ann", "ann-password", ip).await,
            Err(AuthError::TooManyAttempts(_))
        ));
    }

    #[test]
    fn emails_are_checked() {
        for good in ["ann@example.com", "a.b+c@mail.example.org"] {
            assert!(check_email(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "ann",
            "@example.com",
            "ann@",
            "ann@example",
            "ann@@example.com",
            "a nn@example.com",
            "ann@example.com.",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cookies_follow_the_prefix() {
        let s = state(Auth::new(env()));
        let issued = Issued {
            access: "a".into(),
            access_exp: 0,
            refresh: "r".into(),
        };
        let [a, r] = s.cookies(&issued, true);
        assert_eq!(
            a,
            "numerous_access=a; Path=/app; Max-Age=900; HttpOnly; SameSite=Lax; Secure"
        );
        assert!(r.starts_with("numerous_refresh=r; Path=/app/api/auth; Max-Age=604800; HttpOnly"));
    }
}
