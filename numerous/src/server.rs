//! Serving apps: options, the axum router, the WebSocket endpoint and the command line.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use dashmap::DashMap;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::app::{App, Dispatch};
use crate::page::{self, PageParts};
use crate::protocol::{self, ErrorCode};
use crate::session::{self, Command};
use crate::{Error, assets};

/// Frames queued to one tab before it counts as too slow to follow.
const OUTBOUND_QUEUE: usize = 64;
/// Commands queued to one session before the tabs' readers wait.
const INBOUND_QUEUE: usize = 64;
/// Bytes read from a socket at a time.
const READ_BUFFER: usize = 4096;

/// How an app is served. The defaults suit one app on a developer's machine.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Where the app is mounted, e.g. `/sales`; empty for the root.
    pub prefix: String,
    /// A session without any open tab ends after this long, and its memory is freed.
    pub idle_timeout: Duration,
    /// At most this many live sessions; a new tab beyond it gets a clear error.
    pub max_sessions: usize,
    /// The largest WebSocket message a tab may send; larger ones get an error and are ignored.
    pub max_message_bytes: usize,
    /// The largest file a tab may upload; each `FileUpload` may set a lower limit.
    pub max_upload_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            prefix: String::new(),
            idle_timeout: Duration::from_secs(30 * 60),
            max_sessions: 10_000,
            max_message_bytes: 64 * 1024,
            max_upload_bytes: 10 * 1024 * 1024,
        }
    }
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

    /// Sets [`Options::idle_timeout`].
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Sets [`Options::max_sessions`].
    pub fn max_sessions(mut self, max: usize) -> Self {
        self.max_sessions = max;
        self
    }

    /// Sets [`Options::max_upload_bytes`].
    pub fn max_upload_bytes(mut self, max: usize) -> Self {
        self.max_upload_bytes = max;
        self
    }

    /// Sets [`Options::max_message_bytes`].
    pub fn max_message_bytes(mut self, max: usize) -> Self {
        self.max_message_bytes = max;
        self
    }
}

/// Everything one mounted app shares between its sessions. Only the connect path touches the
/// registry; the event path stays inside a session's task.
#[derive(Debug)]
pub(crate) struct Runtime {
    pub(crate) options: Options,
    pub(crate) dispatch: Dispatch,
    pub(crate) page: PageParts,
    pub(crate) sessions: DashMap<Arc<str>, mpsc::Sender<Command>>,
    pub(crate) live: AtomicUsize,
    next_conn: AtomicU64,
    /// Modules and stylesheets of custom widgets, by file name (`<kind>.js`, `<kind>.css`).
    pub(crate) custom_assets: std::collections::HashMap<String, &'static str>,
}

/// The router of one app, with every route under `options.prefix`: the page, the WebSocket
/// and the client's assets. Merge it with your own routes, or serve it with [`serve`].
pub fn router<A: App>(options: Options) -> Router {
    let rt = Runtime::new::<A>(options);
    let prefix = rt.options.prefix.clone();
    // The page and the assets are gzipped for clients that accept it; the WebSocket and
    // uploads are left alone.
    let compressed = Router::new()
        .route("/", get(page::page::<A>))
        .route("/numerous-static/{*path}", get(assets::serve))
        .route("/numerous-widgets/{file}", get(assets::serve_custom))
        .layer(tower_http::compression::CompressionLayer::new());
    let routes = Router::new()
        .route("/ws", get(ws::<A>))
        .route("/upload/{widget}", axum::routing::post(upload))
        .merge(compressed);
    if prefix.is_empty() {
        routes.with_state(rt)
    } else {
        // `nest` serves `/sales`; the page is at `/sales/` too.
        Router::new()
            .route(
                &format!("{prefix}/"),
                get(page::page::<A>).layer(tower_http::compression::CompressionLayer::new()),
            )
            .nest(&prefix, routes)
            .with_state(rt)
    }
}

/// Serves app `A` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve<A: App>(listener: TcpListener, options: Options) -> Result<(), Error> {
    let app = router::<A>(options).layer(tower_http::trace::TraceLayer::new_for_http());
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(Error::Serve)
}

async fn shutdown_signal() {
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
    tracing::info!("shutting down");
}

/// The command line of an app binary (`--host`, `--port`, ...), each also read from the
/// environment.
#[derive(Debug, Clone, clap::Parser)]
#[command(about = "Serve a numerous app", long_about = None)]
pub struct Cli {
    /// Address to listen on.
    #[arg(long, env = "NUMEROUS_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "NUMEROUS_PORT", default_value_t = 8000)]
    pub port: u16,
    /// Seconds a session without open tabs is kept.
    #[arg(long, env = "NUMEROUS_SESSION_IDLE_TIMEOUT", default_value_t = 1800)]
    pub session_idle_timeout: u64,
    /// Most sessions alive at once.
    #[arg(long, env = "NUMEROUS_MAX_SESSIONS", default_value_t = 10_000)]
    pub max_sessions: usize,
    /// Largest WebSocket message accepted from a browser, in bytes.
    #[arg(long, env = "NUMEROUS_MAX_MESSAGE_BYTES", default_value_t = 65_536)]
    pub max_message_bytes: usize,
    /// Largest file upload accepted, in bytes.
    #[arg(long, env = "NUMEROUS_MAX_UPLOAD_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_upload_bytes: usize,
}

impl Cli {
    /// The serving options these arguments ask for.
    pub fn options(&self) -> Options {
        Options::default()
            .idle_timeout(Duration::from_secs(self.session_idle_timeout))
            .max_sessions(self.max_sessions)
            .max_message_bytes(self.max_message_bytes)
            .max_upload_bytes(self.max_upload_bytes)
    }
}

/// Runs app `A` as a program: reads the command line, logs through `tracing` (`RUST_LOG`),
/// serves until Ctrl-C. Exits the process with an error message if it cannot start.
pub fn run<A: App>() {
    use clap::Parser as _;
    let cli = Cli::parse();
    init_tracing();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Serve)
        .and_then(|rt| {
            rt.block_on(async {
                let addr = format!("{}:{}", cli.host, cli.port);
                let listener = TcpListener::bind(&addr)
                    .await
                    .map_err(|e| Error::Bind(addr.clone(), e))?;
                let local: SocketAddr = listener.local_addr().map_err(Error::Serve)?;
                tracing::info!("{} listening on http://{local}/", A::SPEC.name);
                serve::<A>(listener, cli.options()).await
            })
        });
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`). Does nothing if a subscriber is set.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

#[derive(Debug, Deserialize)]
struct UploadQuery {
    session: String,
    name: String,
}

/// `POST /upload/{widget}?session=<id>&name=<file name>`: the request body is the file. It goes
/// to the session's task like any browser event; the answer says whether the widget took it.
async fn upload(
    State(rt): State<Arc<Runtime>>,
    axum::extract::Path(widget): axum::extract::Path<String>,
    Query(q): Query<UploadQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let reply = |status: StatusCode, error: String| {
        (status, axum::Json(serde_json::json!({ "error": error }))).into_response()
    };
    let Some(session) = rt.sessions.get(q.session.as_str()).map(|s| s.clone()) else {
        return reply(StatusCode::NOT_FOUND, "unknown or expired session".into());
    };
    let Some(index) = rt.dispatch.widget(&widget) else {
        return reply(StatusCode::NOT_FOUND, format!("unknown widget `{widget}`"));
    };
    let max = rt.options.max_upload_bytes;
    let bytes = match axum::body::to_bytes(body, max).await {
        Ok(b) => b,
        Err(_) => {
            return reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the file is over the server's upload limit of {max} bytes"),
            );
        }
    };
    let mime = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let file = crate::widget::Upload {
        name: q.name,
        mime,
        bytes: bytes.to_vec(),
    };
    let (done, outcome) = tokio::sync::oneshot::channel();
    if session
        .send(Command::Upload {
            widget: index,
            file,
            done,
        })
        .await
        .is_err()
    {
        return reply(StatusCode::NOT_FOUND, "the session ended".into());
    }
    match outcome.await {
        Ok(Ok(())) => axum::Json(serde_json::json!({ "ok": true })).into_response(),
        Ok(Err(e)) => reply(StatusCode::UNPROCESSABLE_ENTITY, e),
        Err(_) => reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the session ended".into(),
        ),
    }
}

#[derive(Debug, Deserialize)]
struct WsQuery {
    session: Option<String>,
}

/// `GET /ws?session=<id>`: a tab's live connection to its session.
async fn ws<A: App>(
    State(rt): State<Arc<Runtime>>,
    Query(q): Query<WsQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    // The transport's hard limit is above ours, so a message between the two gets a clear error
    // frame instead of a dropped connection.
    let hard_limit = rt.options.max_message_bytes.saturating_mul(4);
    upgrade
        .max_message_size(hard_limit)
        .max_frame_size(hard_limit)
        // tungstenite's defaults (128 KiB each) would dominate an idle session's memory;
        // frames here are small, and each is flushed as soon as it is written.
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .on_upgrade(move |socket| connection::<A>(rt, socket, q.session))
}

impl Runtime {
    pub(crate) fn new<A: App>(options: Options) -> Arc<Self> {
        Arc::new(Runtime {
            dispatch: Dispatch::new(&A::SPEC, A::HANDLERS),
            page: PageParts::new::<A>(&options.prefix),
            sessions: DashMap::new(),
            live: AtomicUsize::new(0),
            next_conn: AtomicU64::new(0),
            custom_assets: A::SPEC
                .widgets
                .iter()
                .flat_map(|w| {
                    [
                        w.module.map(|m| (format!("{}.js", w.kind), m)),
                        w.css.map(|c| (format!("{}.css", w.kind), c)),
                    ]
                })
                .flatten()
                .collect(),
            options,
        })
    }

    /// The session `requested` if it is alive, else a new one (if the limit allows).
    fn attach<A: App>(
        self: &Arc<Self>,
        requested: Option<&str>,
    ) -> Option<(mpsc::Sender<Command>, bool)> {
        if let Some(tx) = requested.and_then(|id| self.sessions.get(id))
            && !tx.is_closed()
        {
            return Some((tx.clone(), true));
        }
        if self.live.fetch_add(1, Ordering::AcqRel) >= self.options.max_sessions {
            self.live.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        let id: Arc<str> = new_session_id().into();
        let (tx, rx) = mpsc::channel(INBOUND_QUEUE);
        self.sessions.insert(id.clone(), tx.clone());
        tokio::spawn(session::run::<A>(self.clone(), id, rx));
        Some((tx, false))
    }
}

/// 128 random bits, hex: the only secret a tab holds for its session.
fn new_session_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn connection<A: App>(rt: Arc<Runtime>, mut socket: WebSocket, requested: Option<String>) {
    let Some((session, resumed)) = rt.attach::<A>(requested.as_deref()) else {
        let msg = format!(
            "the server is at its limit of {} sessions; try again later",
            rt.options.max_sessions
        );
        let _ = socket
            .send(Message::Text(
                protocol::error(ErrorCode::SessionLimit, &msg, None).into(),
            ))
            .await;
        let _ = socket
            .send(Message::Close(Some(CloseFrame {
                code: 1013, // try again later
                reason: "session limit".into(),
            })))
            .await;
        return;
    };
    let conn = rt.next_conn.fetch_add(1, Ordering::Relaxed);
    let (out_tx, mut out_rx) = mpsc::channel(OUTBOUND_QUEUE);
    if session
        .send(Command::Connect {
            conn,
            tx: out_tx,
            resumed,
        })
        .await
        .is_err()
    {
        // The session ended as we attached; the tab reconnects and gets a new one.
        return;
    }
    let (mut sink, mut stream) = socket.split();
    let max = rt.options.max_message_bytes;
    loop {
        tokio::select! {
            out = out_rx.recv() => match out {
                Some(frame) => if sink.send(frame).await.is_err() { break },
                None => break,
            },
            msg = stream.next() => match msg {
                Some(Ok(Message::Text(text))) if text.len() > max => {
                    let m = format!("message of {} bytes is over the limit of {max} bytes; ignored", text.len());
                    if sink.send(Message::Text(protocol::error(ErrorCode::TooLarge, &m, None).into())).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Text(text))) => {
                    if session.send(Command::Frame { conn, text }).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    let m = "binary frames are not supported; send JSON text";
                    if sink.send(Message::Text(protocol::error(ErrorCode::BadFrame, m, None).into())).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            },
        }
    }
    let _ = session.send(Command::Disconnect { conn }).await;
}
