//! The HTTP side of serving: the accept loop (timeouts, TCP keepalive, graceful shutdown), the
//! client's address, and the checks every request passes (`Host`, `Origin`).

use std::convert::Infallible;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use ipnet::IpNet;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

use crate::protocol::{ErrorCode, HttpError};
use crate::registry::Registry;

/// What serving HTTP needs of an app's options, taken from them once, when the app is built
/// (`mount.rs`): every route reads its timeouts, limits and checks here.
#[derive(Debug, Clone)]
pub(crate) struct HttpConfig {
    /// The path the app is mounted at (`""`: the root).
    pub(crate) prefix: String,
    /// The largest frame a tab may send (socket, fallback transport, HTTP API).
    pub(crate) max_message_bytes: usize,
    /// What may wait in one tab's outbox before the tab is dropped as too slow.
    pub(crate) max_queued_bytes: usize,
    /// How long a request's headers may take to arrive.
    pub(crate) header_read_timeout: Duration,
    /// Pings on sockets and event streams, and the TCP keepalive's first probe.
    pub(crate) ping_interval: Duration,
    /// How long a write to a connection may wait.
    pub(crate) write_timeout: Duration,
    /// Proxies whose `X-Forwarded-*` headers are believed.
    pub(crate) trusted_proxies: Vec<IpNet>,
    /// Host names served besides IP addresses and localhost.
    pub(crate) allowed_hosts: Vec<String>,
    /// Other sites whose pages may open the socket.
    pub(crate) allowed_origins: Vec<String>,
}

/// How long shutdown waits for open tabs to take their close frame.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A shutdown signal, boxed where it is made: the accept loop is compiled once, here.
pub(crate) type Signal = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// Serves `router` on `listener` with the timeouts of `http` until `signal` completes, then
/// closes every tab of the apps whose sessions are in `registries` with 1001 and waits (briefly)
/// for them to go.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    http: &HttpConfig,
    registries: &[Arc<Registry>],
    mut signal: Signal,
) -> std::io::Result<()> {
    let stop = tokio_util::sync::CancellationToken::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(http.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(http.ping_interval));
    let builder = Arc::new(builder);
    let connections = tokio_util::task::TaskTracker::new();
    let mut reserve = reserve_descriptor();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) if out_of_descriptors(&e) && reserve.is_some() => {
                    // Let the reserve go: one descriptor to accept the connection waiting and
                    // tell it why it is refused, rather than leave it hanging in the backlog.
                    tracing::warn!("out of file descriptors: refusing new connections ({e})");
                    drop(reserve.take());
                    refuse_one(&listener).await;
                    reserve = reserve_descriptor();
                    continue;
                }
                Err(e) => {
                    // Still out of descriptors, or another failure: wait instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    reserve = reserve.or_else(reserve_descriptor);
                    continue;
                }
            },
            () = &mut signal => break,
        };
        configure(&stream, http);
        let stream = WriteDeadline::new(stream, http.write_timeout);
        let service = router
            .clone()
            .map_request(move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req.map(axum::body::Body::new)
            });
        let builder = builder.clone();
        let shutdown = stop.clone();
        connections.spawn(async move {
            let conn = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(service),
            );
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = shutdown.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, conn).await;
                }
            }
        });
    }
    drop(listener);
    tracing::info!("shutting down: closing every tab");
    stop.cancel();
    for registry in registries {
        registry.shut_down();
        registry.tabs.close();
        registry.session_tasks.close();
    }
    connections.close();
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async {
        for registry in registries {
            registry.tabs.wait().await;
            registry.finished().await;
        }
        connections.wait().await;
    })
    .await;
    Ok(())
}

/// What a connection is told when the process has no file descriptor left for it.
const OUT_OF_DESCRIPTORS: &str =
    "the server has as many connections open as it may; try again shortly";

/// A file descriptor held back for the moment the process runs out: let go, it lets the accept
/// loop take one more connection and refuse it in words.
fn reserve_descriptor() -> Option<std::fs::File> {
    std::fs::File::open(if cfg!(windows) { "NUL" } else { "/dev/null" }).ok()
}

/// Whether `e` says the process (or the system) has no file descriptor left.
fn out_of_descriptors(e: &std::io::Error) -> bool {
    // EMFILE and ENFILE on Linux and macOS (not in std's `ErrorKind`).
    cfg!(unix) && matches!(e.raw_os_error(), Some(23 | 24))
}

/// Accepts the connection waiting, answers it `503` with the one error shape and `Retry-After`,
/// and closes it. Nothing waits on the client: what the socket's buffer takes at once is sent.
async fn refuse_one(listener: &TcpListener) {
    let Ok(Ok((stream, _))) =
        tokio::time::timeout(Duration::from_millis(10), listener.accept()).await
    else {
        return;
    };
    let body = crate::protocol::HttpError::body(
        crate::protocol::ErrorCode::Unavailable,
        OUT_OF_DESCRIPTORS,
    );
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.try_write(answer.as_bytes());
}

/// A connection whose writes must make progress: a write (or flush) that the peer does not take
/// within `limit` fails with `TimedOut`, and the connection ends. Every response gets it: the
/// event stream of a tab that does not read (its outbox is bounded, but the socket's buffers and
/// the stream would stay), a download nobody reads, a socket after its upgrade.
#[derive(Debug)]
struct WriteDeadline<S> {
    inner: S,
    limit: Duration,
    /// Set while a write waits for the peer: when it fails.
    stalled: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl<S> WriteDeadline<S> {
    fn new(inner: S, limit: Duration) -> Self {
        WriteDeadline {
            inner,
            limit,
            stalled: None,
        }
    }

    /// After a write returned `poll`: progress clears the deadline; waiting starts it (once)
    /// and fails once it passed.
    fn check<T>(
        &mut self,
        cx: &mut std::task::Context<'_>,
        poll: std::task::Poll<std::io::Result<T>>,
    ) -> std::task::Poll<std::io::Result<T>> {
        use std::task::Poll;
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let limit = self.limit;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the peer took nothing within the write timeout",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for WriteDeadline<S> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for WriteDeadline<S> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let poll = std::pin::Pin::new(&mut self.inner).poll_write(cx, buf);
        self.check(cx, poll)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let poll = std::pin::Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.check(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let poll = std::pin::Pin::new(&mut self.inner).poll_flush(cx);
        self.check(cx, poll)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let poll = std::pin::Pin::new(&mut self.inner).poll_shutdown(cx);
        self.check(cx, poll)
    }
}

/// TCP keepalive finds peers that vanished without a word; no delay for small frames.
fn configure(stream: &tokio::net::TcpStream, options: &HttpConfig) {
    let _ = stream.set_nodelay(true);
    let keepalive = socket2::TcpKeepalive::new()
        .with_time(options.ping_interval.max(Duration::from_secs(1)))
        .with_interval(Duration::from_secs(5));
    #[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
    let keepalive = keepalive.with_retries(3);
    let _ = socket2::SockRef::from(stream).set_tcp_keepalive(&keepalive);
}

/// The client's address for limits: the peer, or behind a trusted proxy the address the proxy
/// saw; IPv6 clients count by their /64.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientAddr {
    /// The client, as limits count it.
    pub(crate) key: IpAddr,
    /// The TCP peer (a proxy, maybe), when known.
    pub(crate) peer: Option<IpAddr>,
}

impl<S> FromRequestParts<S> for ClientAddr
where
    Arc<HttpConfig>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let http = Arc::<HttpConfig>::from_ref(state);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let ip = forwarded_client(
            peer.unwrap_or(IpAddr::from([0, 0, 0, 0])),
            &parts.headers,
            &http.trusted_proxies,
        );
        Ok(ClientAddr {
            key: limit_key(ip),
            peer,
        })
    }
}

pub(crate) fn is_trusted(ip: IpAddr, trusted: &[IpNet]) -> bool {
    let ip = ip.to_canonical();
    trusted.iter().any(|net| net.contains(&ip))
}

/// The rightmost address of `X-Forwarded-For` that is not a trusted proxy, if `peer` is one.
fn forwarded_client(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    if !is_trusted(peer, trusted) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop.trim()) else {
            break;
        };
        client = ip;
        if !is_trusted(ip, trusted) {
            break;
        }
    }
    client
}

/// `1.2.3.4`, `1.2.3.4:5678`, `::1` or `[::1]:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    hop.parse::<SocketAddr>().ok().map(|a| a.ip())
}

/// IPv4 as is; IPv6 by its /64 (one subscriber's network).
fn limit_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let mask = u128::MAX << 64;
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
        v4 => v4,
    }
}

/// Who made a request, noted on its response (by the sign-in guard) for the request log.
#[derive(Debug, Clone)]
pub(crate) struct RequestUser(pub(crate) String);

/// `path` as a log may keep it: the session id of the HTTP API's paths
/// (`<prefix>/api/sessions/{id}/..`) is a secret, so it is left out.
pub(crate) fn logged_path(path: &str) -> std::borrow::Cow<'_, str> {
    const SESSIONS: &str = "/api/sessions/";
    let Some(at) = path.find(SESSIONS) else {
        return path.into();
    };
    let start = at + SESSIONS.len();
    let end = path[start..].find('/').map_or(path.len(), |i| start + i);
    format!("{}…{}", &path[..start], &path[end..]).into()
}

/// The debug log of every request (tower-http's), with [`logged_path`] for its path.
pub(crate) fn debug_log() -> tower_http::trace::TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    impl Fn(&Request) -> tracing::Span + Clone,
> {
    tower_http::trace::TraceLayer::new_for_http().make_span_with(|req: &Request| {
        tracing::debug_span!(
            "request",
            method = %req.method(),
            path = %logged_path(req.uri().path()),
            version = ?req.version(),
        )
    })
}

/// Logs each request at `info` (target `numerous::request`): method, path, the signed-in user
/// (which the auth layer inside notes on the response), status and duration; the path as [`logged_path`] gives it.
#[allow(clippy::type_complexity)]
pub(crate) fn request_log() -> tower_http::trace::TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    impl Fn(&Request) -> tracing::Span + Clone,
    tower_http::trace::DefaultOnRequest,
    impl Fn(&Response, std::time::Duration, &tracing::Span) + Clone,
> {
    tower_http::trace::TraceLayer::new_for_http()
        .make_span_with(|req: &Request| {
            tracing::info_span!(
                target: "numerous::request",
                "request",
                method = %req.method(),
                path = %logged_path(req.uri().path()),
            )
        })
        .on_response(
            |res: &Response, latency: std::time::Duration, _: &tracing::Span| {
                let user = res
                    .extensions()
                    .get::<RequestUser>()
                    .map_or("-", |u| u.0.as_str());
                tracing::info!(
                    target: "numerous::request",
                    user,
                    status = res.status().as_u16(),
                    ms = latency.as_secs_f64() * 1000.0,
                    "served"
                );
            },
        )
}

/// Refuses requests for host names the app does not serve (DNS rebinding), and marks every
/// response `nosniff`.
pub(crate) async fn guard(
    State(http): State<Arc<HttpConfig>>,
    req: Request,
    next: Next,
) -> Response {
    if let Some(refused) = refused_host(&req, |host| host_allowed(host, &http.allowed_hosts)) {
        return refused;
    }
    nosniff(next.run(req).await)
}

/// [`guard`] for the routes of a [`Server`](crate::Server) that are no app's (and its 404): a
/// host any of its apps serves.
pub(crate) async fn guard_any(
    State(apps): State<Arc<Vec<Arc<HttpConfig>>>>,
    req: Request,
    next: Next,
) -> Response {
    if let Some(refused) = refused_host(&req, |host| {
        apps.iter()
            .any(|http| host_allowed(host, &http.allowed_hosts))
    }) {
        return refused;
    }
    nosniff(next.run(req).await)
}

/// The refusal of a request for a host `allowed` does not take, else `None`.
fn refused_host(req: &Request, allowed: impl Fn(&str) -> bool) -> Option<Response> {
    let host = request_host(req)?;
    if allowed(host) {
        return None;
    }
    tracing::info!(host, "refused a request for a host this app does not serve");
    Some(
        HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::UnknownHost,
            format!("this server does not serve the host `{host}` (allow it with --allowed-hosts)"),
        )
        .into_response(),
    )
}

fn nosniff(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn request_host(req: &Request) -> Option<&str> {
    req.uri().host().or_else(|| {
        let host = req.headers().get(header::HOST)?.to_str().ok()?;
        Some(strip_port(host))
    })
}

/// `example.com:80` → `example.com`; `[::1]:80` → `[::1]`.
fn strip_port(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority
            .find(']')
            .map_or(authority, |end| &authority[..=end]);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

/// IP addresses and `localhost` always; names only when allowed.
fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let host = host.trim_end_matches('.');
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<IpAddr>().is_ok() {
        return true;
    }
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    allowed.iter().any(|a| {
        let a = a.trim().trim_end_matches('.').to_ascii_lowercase();
        a == "*" || a == host || (a.starts_with('.') && (host.ends_with(&a) || host == a[1..]))
    })
}

/// `Ok` unless the request comes from a browser page of another origin than the app's (or an
/// allowed one); the error names the origin.
pub(crate) fn check_origin(
    headers: &HeaderMap,
    options: &HttpConfig,
    peer: Option<IpAddr>,
) -> Result<(), String> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        // Not a browser (browsers always send Origin with a WebSocket).
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("").trim_end_matches('/');
    let allowed = options
        .allowed_origins
        .iter()
        .any(|a| a == "*" || a.trim_end_matches('/').eq_ignore_ascii_case(origin));
    if allowed {
        return Ok(());
    }
    let Some((scheme, authority)) = origin.split_once("://") else {
        return Err(origin.to_owned());
    };
    // The page's scheme is this server's: plain HTTP when the tab reaches it directly; behind
    // a trusted proxy the one it forwards (X-Forwarded-Proto), or either when it says none (it
    // may end TLS).
    let trusted = peer.filter(|p| is_trusted(*p, &options.trusted_proxies));
    let proto = match trusted {
        Some(_) => headers
            .get("x-forwarded-proto")
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.split(',').next())
            .map(str::trim),
        None => Some("http"),
    };
    if proto.is_some_and(|p| !scheme.eq_ignore_ascii_case(p)) {
        return Err(origin.to_owned());
    }
    let own = |host: &str| same_authority(scheme, authority, host);
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    // Behind a trusted proxy the page's host may be in X-Forwarded-Host.
    let forwarded = trusted
        .and_then(|_| headers.get("x-forwarded-host"))
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split(',').next())
        .map(str::trim);
    if host.is_some_and(own) || forwarded.is_some_and(own) {
        Ok(())
    } else {
        Err(origin.to_owned())
    }
}

/// Whether `scheme://authority` and a `Host` header name the same host and port.
fn same_authority(scheme: &str, authority: &str, host: &str) -> bool {
    let default = match scheme.to_ascii_lowercase().as_str() {
        "http" => "80",
        "https" => "443",
        _ => return false,
    };
    let norm = |a: &str| {
        let a = a.to_ascii_lowercase();
        let host = strip_port(&a).to_owned();
        let port = a[host.len()..].trim_start_matches(':').to_owned();
        let port = if port.is_empty() {
            default.to_owned()
        } else {
            port
        };
        (host, port)
    };
    norm(authority) == norm(host)
}

#[cfg(test)]
mod logged_path_tests {
    use super::logged_path;

    #[test]
    fn a_session_id_never_reaches_a_log() {
        assert_eq!(
            logged_path("/api/sessions/abc123/widgets/x/click"),
            "/api/sessions/…/widgets/x/click"
        );
        assert_eq!(
            logged_path("/sales/api/sessions/abc123"),
            "/sales/api/sessions/…"
        );
        assert_eq!(logged_path("/api/sessions"), "/api/sessions");
        assert_eq!(logged_path("/ws"), "/ws");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let allowed = vec!["example.com".to_owned(), ".example.org".to_owned()];
        for ok in [
            "127.0.0.1",
            "[::1]",
            "localhost",
            "app.localhost",
            "example.com",
            "EXAMPLE.com.",
            "example.org",
            "a.example.org",
            "10.1.2.3",
        ] {
            assert!(host_allowed(ok, &allowed), "{ok}");
        }
        for bad in [
            "evil.example",
            "example.com.evil",
            "xexample.org",
            "localhost.evil",
        ] {
            assert!(!host_allowed(bad, &allowed), "{bad}");
        }
        assert!(host_allowed("anything", &["*".to_owned()]));
        assert_eq!(strip_port("[::1]:8000"), "[::1]");
        assert_eq!(strip_port("a.b:80"), "a.b");
        assert_eq!(strip_port("a.b"), "a.b");
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn origins() {
        let config = |o: &crate::options::Options| crate::mount::http_config(o);
        let options = crate::options::Options::default();
        let o = config(&options);
        let same = headers(&[
            ("origin", "http://127.0.0.1:8000"),
            ("host", "127.0.0.1:8000"),
        ]);
        assert!(check_origin(&same, &o, None).is_ok());
        // The scheme counts: a plain-HTTP server's page is http://; behind a trusted proxy
        // (loopback by default) the one it forwards.
        let https = headers(&[
            ("origin", "https://app.example"),
            ("host", "app.example:443"),
        ]);
        assert!(check_origin(&https, &o, None).is_err());
        let proxy = Some(IpAddr::from([127, 0, 0, 1]));
        let mut forwarded = https.clone();
        forwarded.insert("x-forwarded-proto", "https".parse().unwrap());
        assert!(check_origin(&forwarded, &o, proxy).is_ok());
        assert!(check_origin(&forwarded, &o, Some(IpAddr::from([10, 0, 0, 9]))).is_err());
        forwarded.insert("x-forwarded-proto", "http".parse().unwrap());
        assert!(check_origin(&forwarded, &o, proxy).is_err());
        // A trusted proxy that names no scheme may end TLS: either is the page's.
        assert!(check_origin(&https, &o, proxy).is_ok());
        let cross = headers(&[
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:8000"),
        ]);
        assert_eq!(
            check_origin(&cross, &o, None),
            Err("http://evil.example".into())
        );
        let other_port = headers(&[
            ("origin", "http://127.0.0.1:9000"),
            ("host", "127.0.0.1:8000"),
        ]);
        assert!(check_origin(&other_port, &o, None).is_err());
        let null = headers(&[("origin", "null"), ("host", "127.0.0.1:8000")]);
        assert!(check_origin(&null, &o, None).is_err());
        assert!(check_origin(&headers(&[("host", "x")]), &o, None).is_ok());
        let allowed = config(&options.clone().allow_origins(["http://evil.example"]));
        assert!(check_origin(&cross, &allowed, None).is_ok());
        // a trusted proxy's X-Forwarded-Host counts; an untrusted peer's does not
        let proxied = headers(&[
            ("origin", "https://app.example"),
            ("host", "127.0.0.1:8000"),
            ("x-forwarded-host", "app.example"),
        ]);
        assert!(check_origin(&proxied, &o, Some([127, 0, 0, 1].into())).is_ok());
        assert!(check_origin(&proxied, &o, Some([203, 0, 113, 9].into())).is_err());
    }

    #[test]
    fn clients_behind_trusted_proxies() {
        let trusted = crate::options::Options::default().trusted_proxies;
        let h = headers(&[("x-forwarded-for", "198.51.100.7, 203.0.113.9")]);
        let local: IpAddr = [127, 0, 0, 1].into();
        // loopback is trusted: the last untrusted hop is the client
        assert_eq!(
            forwarded_client(local, &h, &trusted),
            IpAddr::from([203, 0, 113, 9])
        );
        // an untrusted peer's header is ignored
        let peer: IpAddr = [192, 0, 2, 1].into();
        assert_eq!(forwarded_client(peer, &h, &trusted), peer);
        // garbage stops the walk
        let h = headers(&[("x-forwarded-for", "nonsense")]);
        assert_eq!(forwarded_client(local, &h, &trusted), local);
        let h = headers(&[("x-forwarded-for", "[2001:db8::1]:443")]);
        assert_eq!(
            limit_key(forwarded_client(local, &h, &trusted)),
            "2001:db8::".parse::<IpAddr>().unwrap()
        );
    }
}
