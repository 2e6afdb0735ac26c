//! How an app is served: limits, timeouts and protections, each with a default that is safe for
//! a public server, and the command line that sets them.

use std::fmt;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;

use crate::resources::{AppContext, Resources};
use crate::store::{Durability, SessionStore};
use crate::topics::{Broker, LocalBroker};

/// The Content-Security-Policy of the page unless [`Options::content_security_policy`] replaces
/// it. The client and the widget modules need no inline script (the page's configuration is a
/// JSON block, which is not executed); styles may be inline because widgets set them.
pub const DEFAULT_CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src * data: blob:; media-src * data: blob:; \
     font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; \
     form-action 'self'";

/// How an app is served. The defaults suit a public server as well as a developer's machine.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Where the app is mounted, e.g. `/sales`; empty for the root.
    pub prefix: String,
    /// A session without any open tab ends after this long at the most, and its memory is
    /// freed. A session that was used only briefly ends sooner: see
    /// [`Options::unused_session_timeout`].
    pub idle_timeout: Duration,
    /// A session whose tabs never sent an event ends this long after its last tab left. A
    /// session that was used is kept ten times as long as it had tabs open, at least this long
    /// and at most [`Options::idle_timeout`]: a tab opened and closed at once cannot hold a
    /// slot for half an hour, and a reload always finds its session.
    pub unused_session_timeout: Duration,
    /// At most this many live sessions; a new tab beyond it gets a clear error. The last tenth
    /// is kept for clients that hold at most one session, so one client cannot take the last
    /// places.
    pub max_sessions: usize,
    /// At most this many live sessions per client address (an IPv6 client counts by its /64);
    /// 0 for no limit. Behind a proxy, see [`Options::trusted_proxies`].
    pub max_sessions_per_client: usize,
    /// Peers whose `X-Forwarded-For` header is believed: the client is the last address in it
    /// that is not itself a trusted proxy. Loopback by default (a proxy on the same machine).
    pub trusted_proxies: Vec<IpNet>,
    /// At most this many tabs may share one session (a duplicated tab joins its session).
    pub max_tabs_per_session: usize,
    /// The largest WebSocket message a tab may send; larger ones get an error and are ignored,
    /// and those over four times this close the connection with code 1009.
    pub max_message_bytes: usize,
    /// The most bytes of frames waiting for one tab (its socket does not take them) before it
    /// is closed as too slow; it reconnects to the current state. Patches waiting for a tab are
    /// merged, so this bounds the memory a stuck tab can hold.
    pub max_queued_bytes: usize,
    /// A tab that sent nothing for this long is pinged; one that still sends nothing (not even
    /// the pong) for as long again is closed.
    pub ping_interval: Duration,
    /// A tab whose socket does not take a frame within this long is closed.
    pub write_timeout: Duration,
    /// The largest file a tab may upload; each `FileUpload` may set a lower limit.
    pub max_upload_bytes: usize,
    /// At most this many uploads are read at once; others wait up to 10 s, then get 503.
    pub max_concurrent_uploads: usize,
    /// A request whose headers are not complete within this long is closed (slow clients
    /// holding connections open). An upload's body may take this long, and beyond it must
    /// arrive at 1 KiB/s at least.
    pub header_read_timeout: Duration,
    /// The app is meant for anybody: `NUMEROUS_AUTH_USERS` does not protect it
    /// ([`Options::open_to_all`]).
    pub open_to_all: bool,
    /// Stylesheets the page links after numerous's own (a theme): URLs.
    pub stylesheets: Vec<String>,
    /// The app's own files, served at `<prefix>/static/<path>` ([`Options::static_files`]).
    pub static_files: Option<crate::assets::StaticFiles>,
    /// Logs every HTTP request at `info` (target `numerous::request`): method, path, the
    /// signed-in user, status and duration.
    pub log_requests: bool,
    /// Host names the app answers to, besides IP addresses and `localhost`: `example.com`, or
    /// `.example.com` for it and every subdomain, or `*` for any. A request for any other host
    /// gets 400, which defeats DNS rebinding against a server on a private address.
    pub allowed_hosts: Vec<String>,
    /// Origins besides the page's own whose pages may open the app's WebSocket, as
    /// `https://example.com` (or `*` for any). Others get 403: another site's page cannot drive
    /// a user's session.
    pub allowed_origins: Vec<String>,
    /// Origins that may show the app in a frame (`frame-ancestors`); empty (the default) for
    /// none, `'self'` for the app's own pages.
    pub frame_ancestors: Vec<String>,
    /// The page's Content-Security-Policy, `None` for none.
    /// [`DEFAULT_CONTENT_SECURITY_POLICY`] by default; `frame-ancestors` is added from
    /// [`Options::frame_ancestors`].
    pub content_security_policy: Option<String>,
    /// Shared resources, by type ([`Options::resource`]).
    pub resources: Resources,
    /// Carries topic messages between sessions; one per process by default. Give apps served
    /// together the same broker to let them talk.
    pub broker: Arc<dyn Broker>,
    /// Your own routes, served under the app's prefix with its resources.
    pub routes: Option<axum::Router>,
    /// Work not tied to a session, started when the app is served and stopped on shutdown.
    pub tasks: Vec<AppTask>,
    /// Who may use the app ([`Options::auth`]); `None` serves it to anybody, unless
    /// `NUMEROUS_AUTH_USERS` is set.
    pub auth: Option<crate::auth::Auth>,
    /// Where sessions are kept beyond this process ([`Options::session_store`]); `None` (the
    /// default): in this process's memory only.
    pub session_store: Option<Arc<dyn SessionStore>>,
    /// When a change reaches the session store relative to the tabs seeing it.
    pub session_durability: Durability,
    /// The version of the app's session state, saved with each session
    /// ([`Options::migrate_sessions`]).
    pub session_version: u32,
    /// Rewrites sessions saved under an older [`Options::session_version`].
    pub session_migration: Option<crate::store::Migration>,
    /// Every session's inputs are recorded ([`Options::record_sessions`]); `None` (the
    /// default): only those an administrator asks for.
    pub record_sessions: Option<crate::recording::RecordSessions>,
    /// The app chose its broker (a session store then does not replace it).
    pub(crate) broker_chosen: bool,
}

/// Work not tied to a session, as it is started.
type StartTask = dyn Fn(AppContext) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync;

/// Starts work not tied to a session ([`Options::task`]).
#[derive(Clone)]
pub struct AppTask(pub(crate) Arc<StartTask>);

impl fmt::Debug for AppTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppTask(..)")
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            prefix: String::new(),
            idle_timeout: Duration::from_secs(30 * 60),
            unused_session_timeout: Duration::from_secs(30),
            max_sessions: 10_000,
            max_sessions_per_client: 200,
            trusted_proxies: vec![
                IpNet::from(IpAddr::from([127, 0, 0, 1])),
                IpNet::from(IpAddr::from(std::net::Ipv6Addr::LOCALHOST)),
            ],
            max_tabs_per_session: 32,
            max_message_bytes: 64 * 1024,
            max_queued_bytes: 1024 * 1024,
            ping_interval: Duration::from_secs(15),
            write_timeout: Duration::from_secs(10),
            max_upload_bytes: 10 * 1024 * 1024,
            max_concurrent_uploads: 8,
            header_read_timeout: Duration::from_secs(10),
            log_requests: false,
            open_to_all: false,
            stylesheets: Vec::new(),
            static_files: None,
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            frame_ancestors: Vec::new(),
            content_security_policy: Some(DEFAULT_CONTENT_SECURITY_POLICY.to_owned()),
            resources: Resources::default(),
            broker: Arc::new(LocalBroker::default()),
            routes: None,
            tasks: Vec::new(),
            auth: None,
            session_store: None,
            session_durability: Durability::default(),
            session_version: 0,
            session_migration: None,
            record_sessions: None,
            broker_chosen: false,
        }
    }
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty),* $(,)?) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: $ty) -> Self {
                self.$name = value;
                self
            }
        )*
    };
}

impl Options {
    /// Mounts the app at `prefix` (`"/sales"`; `""` or `"/"` for the root).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        let p = prefix.into();
        self.prefix = p.trim_end_matches('/').to_owned();
        if !self.prefix.is_empty() && !self.prefix.starts_with('/') {
            self.prefix.insert(0, '/');
        }
        self
    }

    setters! {
        /// Sets [`Options::log_requests`].
        log_requests: bool,
        /// Sets [`Options::idle_timeout`].
        idle_timeout: Duration,
        /// Sets [`Options::unused_session_timeout`].
        unused_session_timeout: Duration,
        /// Sets [`Options::max_sessions`].
        max_sessions: usize,
        /// Sets [`Options::max_sessions_per_client`] (0: no limit).
        max_sessions_per_client: usize,
        /// Sets [`Options::trusted_proxies`].
        trusted_proxies: Vec<IpNet>,
        /// Sets [`Options::max_tabs_per_session`].
        max_tabs_per_session: usize,
        /// Sets [`Options::max_message_bytes`].
        max_message_bytes: usize,
        /// Sets [`Options::max_queued_bytes`].
        max_queued_bytes: usize,
        /// Sets [`Options::ping_interval`].
        ping_interval: Duration,
        /// Sets [`Options::write_timeout`].
        write_timeout: Duration,
        /// Sets [`Options::max_upload_bytes`].
        max_upload_bytes: usize,
        /// Sets [`Options::max_concurrent_uploads`].
        max_concurrent_uploads: usize,
        /// Sets [`Options::header_read_timeout`].
        header_read_timeout: Duration,
    }

    /// Adds host names the app answers to ([`Options::allowed_hosts`]).
    pub fn allow_hosts<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        self.allowed_hosts.extend(hosts.into_iter().map(Into::into));
        self
    }

    /// Adds origins whose pages may open the WebSocket ([`Options::allowed_origins`]).
    pub fn allow_origins<S: Into<String>>(mut self, origins: impl IntoIterator<Item = S>) -> Self {
        self.allowed_origins
            .extend(origins.into_iter().map(Into::into));
        self
    }

    /// Lets these origins show the app in a frame ([`Options::frame_ancestors`]).
    pub fn frame_ancestors<S: Into<String>>(
        mut self,
        origins: impl IntoIterator<Item = S>,
    ) -> Self {
        self.frame_ancestors = origins.into_iter().map(Into::into).collect();
        self
    }

    /// Registers a resource shared by every session: handlers take it as a `Res<T>` parameter,
    /// your routes as a `Res<T>` extractor. One value per type; a second replaces the first.
    pub fn resource<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.resources.insert(value);
        self
    }

    /// Uses `broker` for topics (to share one between apps, or to carry them between processes).
    pub fn broker(mut self, broker: Arc<dyn Broker>) -> Self {
        self.broker = broker;
        self.broker_chosen = true;
        self
    }

    /// Keeps sessions in `store` (see [`crate::store`]): several instances of the app behind a
    /// load balancer then serve every session, a tab reconnecting to any of them gets its
    /// session back, and a restart or a crash loses no session.
    pub fn session_store(mut self, store: Arc<dyn SessionStore>) -> Self {
        self.session_store = Some(store);
        self
    }

    /// Sets [`Options::session_durability`].
    pub fn session_durability(mut self, durability: Durability) -> Self {
        self.session_durability = durability;
        self
    }

    /// Declares that the sessions this build saves are at `version`, and how to bring one
    /// saved at an older version up to date: `migrate(from_version, record)` rewrites `record`,
    /// `{"widgets": {<key>: <state>, ..}, "state": {<field>: <value>, ..}}`, in place.
    ///
    /// Widgets and `#[state]` fields are matched by name, so adding or removing one needs no
    /// migration (an added one starts at its starting value). A change of a field's type does:
    /// without a migration (or when it fails) such a session starts afresh and its tabs are
    /// told so.
    ///
    /// ```
    /// // Version 1 kept `total` as text; version 2 keeps a number.
    /// let options = numerous::Options::default().migrate_sessions(2, |from, record| {
    ///     if from < 2 {
    ///         let total = &mut record["state"]["total"];
    ///         let n: f64 = total.as_str().unwrap_or("0").parse().map_err(|_| "not a number")?;
    ///         *total = numerous::json!(n);
    ///     }
    ///     Ok(())
    /// });
    /// ```
    pub fn migrate_sessions<F>(mut self, version: u32, migrate: F) -> Self
    where
        F: Fn(u32, &mut serde_json::Value) -> Result<(), String> + Send + Sync + 'static,
    {
        self.session_version = version;
        self.session_migration = Some(crate::store::Migration(Arc::new(migrate)));
        self
    }

    /// Records the inputs of every session of the app, to replay one as a test
    /// ([`crate::recording`], [`crate::testing::replay`]): each session's recording is held in
    /// memory with it, up to `record.limit` bytes, and written as a JSON file into
    /// `record.dir` (if set) when the session ends. Off by default; an administrator can also
    /// record one session (`POST /api/admin/sessions/record`).
    ///
    /// ```no_run
    /// let options = numerous::Options::default()
    ///     .record_sessions(numerous::recording::RecordSessions::to_dir("recordings"));
    /// ```
    pub fn record_sessions(mut self, record: crate::recording::RecordSessions) -> Self {
        self.record_sessions = Some(record);
        self
    }

    /// Links the stylesheet at `url` from the page, after numerous's own: to restyle the app
    /// (its CSS variables: `--numerous-color-primary`, `--numerous-color-surface`, ...).
    pub fn stylesheet(mut self, url: impl Into<String>) -> Self {
        self.stylesheets.push(url.into());
        self
    }

    /// Serves the app's own files (a logo, a stylesheet) at `<prefix>/static/<path>`, from a
    /// folder embedded in the binary: `Options::default().static_files(Static::get)` for
    /// `#[derive(numerous::rust_embed::Embed)] #[folder = "static/"]
    /// #[crate_path = "numerous::rust_embed"] struct Static;`. The page's template names them
    /// relative to itself (`<img src="static/logo.svg">`); they are protected like the page.
    pub fn static_files(mut self, files: crate::assets::StaticFiles) -> Self {
        self.static_files = Some(files);
        self
    }

    /// Serves the app to anybody, on purpose: without this, an app whose environment sets
    /// `NUMEROUS_AUTH_USERS` is protected by those users (a public app beside a protected one
    /// in a [`Server`](crate::Server), say).
    pub fn open_to_all(mut self) -> Self {
        self.open_to_all = true;
        self
    }

    /// Protects the app: only signed-in users may use it (see [`crate::auth`]).
    pub fn auth(mut self, auth: crate::auth::Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Serves your own axum routes (a JSON API, a form post, a webhook) under the app's prefix,
    /// with the same checks, and with `Res<T>` and [`Publisher`](crate::topics::Publisher) extractors. With
    /// [`Options::auth`] they are protected like the page, and take
    /// [`CurrentUser`](crate::auth::CurrentUser).
    pub fn routes(mut self, routes: axum::Router) -> Self {
        self.routes = Some(match self.routes.take() {
            Some(r) => r.merge(routes),
            None => routes,
        });
        self
    }

    /// Runs `task` when the app is served (a ticker that publishes news); it is stopped when
    /// the server shuts down.
    pub fn task<F, Fut>(mut self, task: F) -> Self
    where
        F: Fn(AppContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.tasks
            .push(AppTask(Arc::new(move |cx| Box::pin(task(cx)))));
        self
    }

    /// Replaces the page's Content-Security-Policy; `None` sends none.
    pub fn content_security_policy(mut self, policy: Option<impl Into<String>>) -> Self {
        self.content_security_policy = policy.map(Into::into);
        self
    }
}

/// The command line of an app binary (`--host`, `--port`, ...), each also read from the
/// environment.
#[derive(Debug, Clone, clap::Parser)]
#[command(about = "Serve a numerous app", long_about = None)]
pub struct Cli {
    /// Manage the app's users instead of serving it.
    #[command(subcommand)]
    pub command: Option<crate::auth::cli::UserCommand>,
    /// Address to listen on.
    #[arg(long, env = "NUMEROUS_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "NUMEROUS_PORT", default_value_t = 8000)]
    pub port: u16,
    /// Seconds a session without open tabs is kept at the most.
    #[arg(long, env = "NUMEROUS_SESSION_IDLE_TIMEOUT", default_value_t = 1800)]
    pub session_idle_timeout: u64,
    /// Seconds a session whose tabs never sent an event is kept after they left.
    #[arg(long, env = "NUMEROUS_UNUSED_SESSION_TIMEOUT", default_value_t = 30)]
    pub unused_session_timeout: u64,
    /// Most sessions alive at once.
    #[arg(long, env = "NUMEROUS_MAX_SESSIONS", default_value_t = 10_000)]
    pub max_sessions: usize,
    /// Most sessions alive at once per client address (0: no limit).
    #[arg(long, env = "NUMEROUS_MAX_SESSIONS_PER_CLIENT", default_value_t = 200)]
    pub max_sessions_per_client: usize,
    /// Proxies whose X-Forwarded-For is believed: addresses or networks, comma-separated.
    #[arg(
        long,
        env = "NUMEROUS_TRUSTED_PROXIES",
        value_delimiter = ',',
        default_value = "127.0.0.1/32,::1/128"
    )]
    pub trusted_proxies: Vec<IpNet>,
    /// Most tabs sharing one session.
    #[arg(long, env = "NUMEROUS_MAX_TABS_PER_SESSION", default_value_t = 32)]
    pub max_tabs_per_session: usize,
    /// Largest WebSocket message accepted from a browser, in bytes.
    #[arg(long, env = "NUMEROUS_MAX_MESSAGE_BYTES", default_value_t = 65_536)]
    pub max_message_bytes: usize,
    /// Most bytes waiting for one tab before it is closed as too slow.
    #[arg(long, env = "NUMEROUS_MAX_QUEUED_BYTES", default_value_t = 1024 * 1024)]
    pub max_queued_bytes: usize,
    /// Seconds of silence before a tab is pinged (and as many again before it is closed).
    #[arg(long, env = "NUMEROUS_PING_INTERVAL", default_value_t = 15)]
    pub ping_interval: u64,
    /// Seconds a tab's socket may take to accept a frame before the tab is closed.
    #[arg(long, env = "NUMEROUS_WRITE_TIMEOUT", default_value_t = 10)]
    pub write_timeout: u64,
    /// Largest file upload accepted, in bytes.
    #[arg(long, env = "NUMEROUS_MAX_UPLOAD_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_upload_bytes: usize,
    /// Host names served besides IP addresses and localhost (`.example.com` for subdomains,
    /// `*` for any), comma-separated.
    #[arg(long, env = "NUMEROUS_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Log every HTTP request (method, path, user, status, duration).
    #[arg(long, env = "NUMEROUS_LOG_REQUESTS")]
    pub log_requests: bool,
    /// Other origins whose pages may open the WebSocket, comma-separated.
    #[arg(long, env = "NUMEROUS_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// Origins that may show the app in a frame, comma-separated (default: none).
    #[arg(long, env = "NUMEROUS_FRAME_ANCESTORS", value_delimiter = ',')]
    pub frame_ancestors: Vec<String>,
    /// Keep sessions in this store, shared by every instance of the app:
    /// `redis://host:port[/db]` (apps built with the cargo feature `redis`). Topics then travel
    /// through it too, unless the app chose its own broker.
    #[arg(long, env = "NUMEROUS_SESSION_STORE", value_name = "URL")]
    pub session_store: Option<String>,
    /// With a session store: `shown` (a tab is shown only what the store has) or `fast` (saved
    /// right after it is shown).
    #[arg(
        long,
        env = "NUMEROUS_SESSION_DURABILITY",
        value_enum,
        default_value = "shown"
    )]
    pub session_durability: Durability,
    /// Record every session's inputs and write each recording into this folder (as JSON,
    /// readable by the server's user only) when its session ends, to replay as a test
    /// (`numerous::testing::replay`). Recordings hold what users typed: keep the folder private.
    #[arg(long, env = "NUMEROUS_RECORD_SESSIONS", value_name = "DIR")]
    pub record_sessions: Option<std::path::PathBuf>,
}

impl Cli {
    /// The serving options these arguments ask for.
    pub fn options(&self) -> Options {
        let mut allowed_hosts = self.allowed_hosts.clone();
        // Serving on a name (not an address) allows that name.
        if self.host.parse::<IpAddr>().is_err() {
            allowed_hosts.push(self.host.clone());
        }
        let options = Options::default()
            .idle_timeout(Duration::from_secs(self.session_idle_timeout))
            .unused_session_timeout(Duration::from_secs(self.unused_session_timeout))
            .max_sessions(self.max_sessions)
            .max_sessions_per_client(self.max_sessions_per_client)
            .trusted_proxies(self.trusted_proxies.clone())
            .max_tabs_per_session(self.max_tabs_per_session)
            .max_message_bytes(self.max_message_bytes)
            .max_queued_bytes(self.max_queued_bytes)
            .ping_interval(Duration::from_secs(self.ping_interval.max(1)))
            .write_timeout(Duration::from_secs(self.write_timeout.max(1)))
            .max_upload_bytes(self.max_upload_bytes)
            .allow_hosts(allowed_hosts)
            .allow_origins(self.allowed_origins.clone())
            .frame_ancestors(self.frame_ancestors.clone())
            .log_requests(self.log_requests)
            .session_durability(self.session_durability);
        match &self.record_sessions {
            Some(dir) => options.record_sessions(crate::recording::RecordSessions::to_dir(dir)),
            None => options,
        }
    }

    /// Connects the session store `--session-store` names, if any (and routes the app's
    /// topics through it unless it chose a broker): a store that cannot be reached is an error.
    pub async fn connect_store(
        &self,
        options: Options,
        app: &str,
    ) -> Result<Options, crate::error::Error> {
        let Some(url) = &self.session_store else {
            return Ok(options);
        };
        connect_store(url, options, app).await
    }
}

#[cfg(feature = "redis")]
async fn connect_store(
    url: &str,
    mut options: Options,
    app: &str,
) -> Result<Options, crate::error::Error> {
    use crate::store::StoreError;
    if !(url.starts_with("redis://")
        || url.starts_with("rediss://")
        || url.starts_with("redis+unix://"))
    {
        return Err(StoreError::Config(format!(
            "--session-store: `{}` is not a Redis URL (redis://host:port)",
            crate::auth::redact_url(url)
        ))
        .into());
    }
    let store = crate::store::RedisStore::connect(url).await?;
    if !options.broker_chosen {
        let broker = crate::redis_broker::RedisBroker::connect(url, app)
            .await
            .map_err(|e| StoreError::Unreachable {
                store: format!("Redis at {} for topics", crate::auth::redact_url(url)),
                reason: e.to_string(),
            })?;
        options = options.broker(broker);
    }
    Ok(options.session_store(store))
}

#[cfg(not(feature = "redis"))]
async fn connect_store(_: &str, _: Options, _: &str) -> Result<Options, crate::error::Error> {
    Err(crate::store::StoreError::Config(
        "--session-store needs Redis support: build the app with numerous's cargo feature `redis`"
            .to_owned(),
    )
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    #[test]
    fn the_command_line_sets_the_options() {
        let cli = Cli::parse_from([
            "app",
            "--host",
            "app.internal",
            "--allowed-hosts",
            "example.com,.example.org",
            "--trusted-proxies",
            "10.0.0.0/8",
            "--max-sessions-per-client",
            "0",
        ]);
        let o = cli.options();
        assert_eq!(
            o.allowed_hosts,
            ["example.com", ".example.org", "app.internal"]
        );
        assert_eq!(o.trusted_proxies, ["10.0.0.0/8".parse::<IpNet>().unwrap()]);
        assert_eq!(o.max_sessions_per_client, 0);
        assert!(o.content_security_policy.is_some());
    }

    #[test]
    fn defaults_trust_only_loopback() {
        let cli = Cli::parse_from(["app"]);
        assert_eq!(
            cli.options().trusted_proxies,
            Options::default().trusted_proxies
        );
    }
}
