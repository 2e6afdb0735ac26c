//! Serving apps: the axum router of an app, the server loop and the command line.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;

use crate::app::{App, AppMeta};
use crate::auth::{self, AuthState};
use crate::error::Error;
use crate::mount::{AppState, Mounted};
use crate::options::{Cli, Options};
use crate::{api, assets, connection, http, page, sse, upload};

/// The router of one app, with every route under `options.prefix`: the page, the WebSocket,
/// uploads and the client's assets. Merge it with your own routes, or serve it with [`serve`].
///
/// Served some other way than by [`serve`], give the router the client's address
/// (`into_make_service_with_connect_info::<SocketAddr>()`), or every client counts as one for
/// [`Options::max_sessions_per_client`].
///
/// # Panics
///
/// If the app's [`Options::auth`] is misconfigured (see [`try_router`]).
pub fn router<A: App>(options: Options) -> Router {
    router_of(AppMeta::of::<A>(), options)
}

fn router_of(meta: &'static AppMeta, options: Options) -> Router {
    match build(meta, options) {
        Ok((router, _)) => router,
        Err(e) => panic!("app `{}`: {e}", meta.spec.name),
    }
}

/// [`router`], with an error instead of a panic when authentication is misconfigured (a short
/// secret in a release build, a malformed `NUMEROUS_AUTH_USERS`).
pub fn try_router<A: App>(options: Options) -> Result<Router, Error> {
    build(AppMeta::of::<A>(), options).map(|(router, _)| router)
}

/// The app's protection: the one its options give, or the users of `NUMEROUS_AUTH_USERS` when
/// that is set, so an app is never served open by mistake.
fn resolve_auth(options: &mut Options) -> Result<Option<Arc<AuthState>>, Error> {
    match auth_config(options)? {
        Some(auth) => Ok(Some(AuthState::new(auth, &options.prefix)?)),
        None => Ok(None),
    }
}

fn auth_config(options: &mut Options) -> Result<Option<auth::Auth>, Error> {
    let auth = match options.auth.take() {
        Some(auth) => auth,
        None if !options.open_to_all && std::env::var_os(crate::auth::USERS_VAR).is_some() => {
            let auth = crate::auth::Auth::from_env()?;
            tracing::info!(
                "{} is set: the app is protected by its users",
                crate::auth::USERS_VAR
            );
            auth
        }
        None => return Ok(None),
    };
    Ok(Some(auth))
}

/// The router of app `A` served alone: every request (an unknown URL's 404 included) passes
/// the host guard.
fn build(meta: &'static AppMeta, options: Options) -> Result<(Router, Mounted), Error> {
    let (router, app) = build_with(meta, options, None, true)?;
    let router = router.layer(axum::middleware::from_fn_with_state(
        app.state.http.clone(),
        http::guard,
    ));
    Ok((router, app))
}

/// The router and the mounted state of app `A`, without the host guard (its caller adds it: over the
/// whole router for an app alone, over the app's routes in a [`Server`](crate::Server)). With
/// `shared` sign-in (several apps in one server), an app without its own uses it, and its
/// routes are the server's, not the app's.
///
/// The app's sign-in guard covers what is under its prefix, an unknown URL there included (a
/// signed-out visitor is sent to sign in and learns nothing of which URLs exist; then 404), and
/// nothing else: in a `Server`, a URL no app serves is the server's 404. An app `alone` at the
/// root covers every URL.
pub(crate) fn build_with(
    meta: &'static AppMeta,
    mut options: Options,
    shared: Option<Arc<AuthState>>,
    alone: bool,
) -> Result<(Router, Mounted), Error> {
    // Under `numerous-dev`, sessions outlive the process: the rebuilt app takes them over.
    #[cfg(debug_assertions)]
    if options.session_store.is_none()
        && let Some(store) = crate::dev::store()
    {
        options.session_store = Some(store?);
    }
    let own_auth = options.auth.is_some() || shared.is_none();
    let auth = match shared {
        Some(shared) if options.auth.is_none() => Some(shared),
        _ => resolve_auth(&mut options)?,
    };
    let app = Mounted::new(meta, options, auth)?;
    let state = app.state.clone();
    let prefix = app.options.prefix.clone();
    // The page and the assets are compressed once and kept (assets::negotiate, PageParts); the
    // WebSocket and files are left alone.
    let compressed = Router::new()
        .route("/", get(page::page))
        .route("/numerous-static/{*path}", get(assets::serve))
        .route("/numerous-widgets/{file}", get(assets::serve_custom));
    let mut routes: Router<AppState> = Router::new()
        .route("/ws", get(connection::endpoint))
        .route("/upload/{widget}", post(upload::upload))
        .route("/download/{widget}", get(upload::download))
        .route("/sse", post(sse::open).get(sse::stream))
        .route("/sse/send", post(sse::send))
        .merge(api::routes())
        .merge(compressed);
    match state.sign_in() {
        Some(sign_in) => {
            if own_auth {
                routes = routes.merge(
                    auth::auth_routes()
                        .merge(auth::admin_routes())
                        .with_state(sign_in.clone()),
                );
            }
            // Each app has its own sessions, even when apps share their sign-in.
            routes = routes.merge(
                auth::admin_session_routes().with_state(auth::SessionsAdmin {
                    sign_in,
                    registry: state.registry.clone(),
                }),
            );
        }
        None => routes = routes.route("/api/auth/check", get(auth::check_open)),
    }
    if let Some(files) = app.options.static_files {
        routes = routes.route(
            "/static/{*path}",
            get(
                move |axum::extract::Path(path): axum::extract::Path<String>| async move {
                    #[cfg(debug_assertions)]
                    if let Some(file) = crate::dev::static_file(&path) {
                        return file;
                    }
                    assets::embedded(files, &path)
                },
            ),
        );
    }
    #[cfg(debug_assertions)]
    if crate::dev::dir().is_some() {
        routes = routes
            .route("/numerous-dev/events", get(crate::dev::events))
            .route("/numerous-dev/client.js", get(crate::dev::client));
    }
    let mut routes: Router = routes.with_state(state.clone());
    // Routes of the app's own may bring their own fallback (a folder of files): theirs, and
    // guarded as the rest.
    let user_routes = app.options.routes.clone();
    let has_user_routes = user_routes.is_some();
    if let Some(user) = user_routes {
        routes = routes.merge(user);
    }
    if (!prefix.is_empty() || alone) && !has_user_routes {
        routes = routes.fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "not found") });
    }
    // Inside the host guard: a request for a foreign host is refused before anything.
    let protect = axum::middleware::from_fn_with_state(state.clone(), auth::protect);
    let routes = routes.layer(protect.clone());
    let routes = if prefix.is_empty() {
        routes
    } else {
        // `nest` serves `/sales`; the page is at `/sales/` too.
        Router::new()
            .route(&format!("{prefix}/"), get(page::page))
            .route_layer(protect)
            .with_state(state.clone())
            .nest(&prefix, routes)
    };
    let mut router = routes
        .layer(axum::Extension(state.context.resources.clone()))
        .layer(axum::Extension(state.context.publisher.clone()));
    if app.options.log_requests {
        router = router.layer(http::request_log());
    }
    Ok((router, app))
}

/// A server at work: what [`serve`], [`serve_until`], [`Cli::serve`] and
/// [`Server::serve`](crate::Server::serve) return. Completes when the server has stopped (its
/// signal came and its tabs are closed), or at once with the error that kept it from starting.
///
/// Built inside numerous, so the server's code is compiled once, in numerous, not in every
/// binary that serves an app (as axum's `serve` returns its `ServeFuture`).
#[must_use = "a server does nothing unless it is awaited or spawned"]
pub struct ServeFuture(Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>);

impl ServeFuture {
    pub(crate) fn new(future: impl Future<Output = Result<(), Error>> + Send + 'static) -> Self {
        ServeFuture(Box::pin(future))
    }
}

impl Future for ServeFuture {
    type Output = Result<(), Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

impl fmt::Debug for ServeFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServeFuture(..)")
    }
}

/// Serves app `A` on `listener` until Ctrl-C or SIGTERM.
pub fn serve<A: App>(listener: TcpListener, options: Options) -> ServeFuture {
    serve_app(
        AppMeta::of::<A>(),
        listener,
        options,
        Box::pin(shutdown_signal()),
    )
}

/// Serves app `A` on `listener` until `signal` completes. Then it takes no new connection,
/// closes every tab with code 1001 (the browser reconnects at once, to this server's successor),
/// and returns when they are closed (5 s at the most).
pub fn serve_until<A: App>(
    listener: TcpListener,
    options: Options,
    signal: impl Future<Output = ()> + Send + 'static,
) -> ServeFuture {
    serve_app(AppMeta::of::<A>(), listener, options, Box::pin(signal))
}

fn serve_app(
    meta: &'static AppMeta,
    listener: TcpListener,
    options: Options,
    signal: http::Signal,
) -> ServeFuture {
    ServeFuture::new(async move {
        let name = meta.spec.name;
        let (router, app) = build(meta, options)?;
        start(&app, name).await?;
        let local: SocketAddr = listener.local_addr().map_err(Error::Serve)?;
        tracing::info!("{name} listening on http://{local}/");
        let router = router.layer(http::debug_log());
        let registries = [app.state.registry.clone()];
        http::serve(listener, router, &app.state.http, &registries, signal)
            .await
            .map_err(Error::Serve)
    })
}

/// Prepares a built app to serve: its sign-in backend (connected, migrated), and its work not
/// tied to a session (running until shutdown).
pub(crate) async fn start(app: &Mounted, name: &str) -> Result<(), Error> {
    let (state, options) = (&app.state, &app.options);
    if let Some(auth) = &state.auth {
        auth.share_sign_outs(options.broker.clone());
        if let Some(tokens) = options
            .session_store
            .as_ref()
            .and_then(|s| s.refresh_tokens())
        {
            auth.share_refresh_tokens(tokens);
        }
        let provider = auth.config.provider();
        provider.init().await?;
        tracing::info!(
            "{name}: only signed-in users may use it ({} users)",
            provider.kind()
        );
    }
    if let Some(store) = &options.session_store {
        // Other instances ask for this instance's sessions here (a tab of one reached them).
        let mut asked = store.listen(state.registry.env.meta.spec.name).await?;
        let sessions = state.registry.clone();
        tokio::spawn(async move {
            while let Some(asked) = asked.recv().await {
                // A seek ("?<id>": the store lost the record) concerns only an instance that
                // runs the session; a release request for one this instance does not run (any
                // more) clears its name from the store.
                let (id, seek) = match asked.strip_prefix('?') {
                    Some(id) => (id.to_owned(), true),
                    None => (asked, false),
                };
                if let Some(session) = sessions.registered(&id) {
                    // One that is ending lets go by itself.
                    let _ = session.control.send(crate::session::Control::Release);
                } else if seek {
                } else if let Some(store) = &sessions.env.store {
                    // Not here (any more): the store may still name this instance its owner.
                    let (store, app) = (store.clone(), sessions.env.meta.spec.name);
                    tokio::spawn(async move {
                        if let Err(e) = store.disown(app, &id).await {
                            tracing::warn!("cannot let a session go in the store: {e}");
                        }
                    });
                }
            }
        });
        tracing::info!(
            "{name}: sessions are kept in the session store (instance {}, {:?})",
            store.instance(),
            options.session_durability
        );
    }
    for task in &options.tasks {
        let work = (task.0)(state.context.clone());
        let stop = state.registry.shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = work => {}
                () = stop.cancelled() => {}
            }
        });
    }
    Ok(())
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Runs app `A` as a program: reads the command line, logs through `tracing` (`RUST_LOG`),
/// serves until Ctrl-C. Exits the process with an error message if it cannot start.
pub fn run<A: App>() {
    run_with::<A>(|options| options);
}

/// [`run`], with the options from the command line passed through `configure` first: to add
/// resources, routes and tasks (`numerous::run_with::<App>(|o| o.resource(config))`). For set-up
/// that awaits (a database pool), use [`Cli::serve`] from your own `#[tokio::main]`.
pub fn run_with<A: App>(configure: impl FnOnce(Options) -> Options) {
    let mut configure = Some(configure);
    run_configured(AppMeta::of::<A>(), &mut |options| match configure.take() {
        Some(configure) => configure(options),
        None => options,
    });
}

/// [`run_with`], compiled once: the caller's part is the two lines above.
fn run_configured(meta: &'static AppMeta, configure: &mut dyn FnMut(Options) -> Options) {
    let cli = Cli::parse_args();
    init_tracing();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Serve)
        .and_then(|rt| {
            rt.block_on(async {
                let options = configure(cli.options());
                match &cli.command {
                    Some(command) => user_command(command, options).await,
                    None => cli.serve_app(meta, options).await,
                }
            })
        });
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// Runs a user-management command against the app's provider.
async fn user_command(command: &auth::cli::UserCommand, mut options: Options) -> Result<(), Error> {
    let Some(auth) = auth_config(&mut options)? else {
        return Err(Error::Auth(auth::AuthError::Config(format!(
            "this app has no users to manage: give it `Options::auth(..)`, or set {}",
            auth::USERS_VAR
        ))));
    };
    let provider = auth.provider().clone();
    provider.init().await?;
    auth::cli::run(command, provider.as_ref(), &mut std::io::stdout()).await?;
    Ok(())
}

impl Cli {
    /// Runs the user-management command of this command line (`create-user`, ...) against
    /// the provider `options` give (for a `main` of your own; [`run_with`] does it for you).
    /// Does nothing without a command.
    pub async fn run_command(&self, options: Options) -> Result<(), Error> {
        match &self.command {
            Some(command) => user_command(command, options).await,
            None => Ok(()),
        }
    }

    /// The command line of this process (exits with a usage message if it is wrong).
    pub fn parse_args() -> Cli {
        <Cli as clap::Parser>::parse()
    }

    /// Binds `--host`:`--port` and serves app `A` with `options` until Ctrl-C or SIGTERM.
    pub fn serve<A: App>(&self, options: Options) -> ServeFuture {
        self.serve_app(AppMeta::of::<A>(), options)
    }

    fn serve_app(&self, meta: &'static AppMeta, options: Options) -> ServeFuture {
        let cli = self.clone();
        ServeFuture::new(async move {
            let addr = format!("{}:{}", cli.host, cli.port);
            let options = cli.connect_store(options, meta.spec.name).await?;
            let listener = TcpListener::bind(&addr)
                .await
                .map_err(|e| Error::Bind(addr.clone(), e))?;
            serve_app(meta, listener, options, Box::pin(shutdown_signal())).await
        })
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`), in colour only on a terminal. Does
/// nothing if a subscriber is set.
pub fn init_tracing() {
    use std::io::IsTerminal as _;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
