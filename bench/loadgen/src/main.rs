//! Load generator for numerous apps.
//!
//! Opens N sessions over real WebSockets on loopback, each clicking a button in a closed loop
//! (optionally with think time), and reports click → update latency percentiles, clicks per
//! second, failures, and the server's resident memory (from `/proc/<pid>/status`).
//!
//! `--floor` runs the same client against a bare tokio WebSocket echo server started in this
//! process, the floor every figure is compared with. See BENCHMARKS.md for the commands.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

#[derive(Debug, Parser)]
#[command(about = "Drive a numerous app with real WebSocket sessions")]
struct Args {
    /// Client threads: 1 (the default) runs the load generator on one thread, so its own
    /// cross-thread wake-ups do not pad the figures; more for throughput runs.
    #[arg(long, global = true, default_value_t = 1)]
    threads: usize,
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Debug, Clone, clap::Args)]
struct Target {
    /// The app's WebSocket URL (loopback only).
    #[arg(long, default_value = "ws://127.0.0.1:8000/ws")]
    url: String,
    /// Widget to click.
    #[arg(long, default_value = "increment")]
    widget: String,
    /// Server process id, for its memory and CPU; without it they are not reported.
    #[arg(long)]
    pid: Option<u32>,
    /// Skip the bare echo floor (by default every run also measures it, in a separate process).
    #[arg(long)]
    no_floor: bool,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// N sessions clicking in a closed loop for a while.
    Run {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 1)]
        sessions: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Pause between a session's clicks, in milliseconds.
        #[arg(long, default_value_t = 0)]
        think_ms: u64,
    },
    /// Adds sessions step by step until errors or p99 above the limit.
    Ramp {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 50)]
        start: usize,
        #[arg(long, default_value_t = 20_000)]
        max: usize,
        #[arg(long, default_value_t = 5)]
        step_seconds: u64,
        #[arg(long, default_value_t = 100.0)]
        p99_limit_ms: f64,
    },
    /// Opens N sessions that stay idle, and reports the server's memory and CPU per session.
    Idle {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 1000)]
        sessions: usize,
        /// Connections opened at once.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// Then keep them open this many seconds, reading (so pings are answered, as a browser
        /// does), and report the server's CPU per idle session per second: its timers.
        #[arg(long, default_value_t = 0)]
        hold: u64,
    },
    /// `GET /` latency over keep-alive connections, and the bytes the page loads before it is
    /// interactive (the page plus every asset it links).
    Page {
        #[arg(long, default_value = "127.0.0.1:8000")]
        addr: SocketAddr,
        #[arg(long, default_value = "/")]
        path: String,
        #[arg(long, default_value_t = 20_000)]
        requests: usize,
    },
    /// New tabs, one after another, as a browser opens them: `GET /` on a new connection
    /// (asking for brotli or gzip), the assets the page links (a first visit; a returning
    /// browser has them cached), then the WebSocket until its welcome. Each part is run N times
    /// on its own, and the server's CPU time from `/proc` is divided by N: CPU per new tab.
    Tabs {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 2000)]
        tabs: usize,
    },
    /// Time from starting the server binary to its first `200` on `GET /`.
    Startup {
        /// The app binary (started with `--port`).
        #[arg(long)]
        bin: String,
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Sessions that each write N clicks at once, then read: are all N applied, with no error?
    Burst {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 1)]
        sessions: usize,
        #[arg(long, default_value_t = 2000)]
        clicks: usize,
        /// The widget whose `value` counts the clicks.
        #[arg(long, default_value = "counter2")]
        count_widget: String,
    },
    /// Clients that click without ever reading: the server's memory while they are stuck, and
    /// how long until it cuts each off.
    Stuck {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 20)]
        clients: usize,
        /// Give up after this long.
        #[arg(long, default_value_t = 120)]
        seconds: u64,
    },
    /// Clients that open a session and then neither read nor write: how long until the server
    /// closes each.
    Silent {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 40)]
        clients: usize,
        /// Give up after this long.
        #[arg(long, default_value_t = 120)]
        seconds: u64,
    },
    /// N sessions of the notices example, each subscribed to its topic; one notice is posted
    /// through its HTTP API M times: deliveries per second and publish → receipt latency.
    Fanout {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 1000)]
        sessions: usize,
        #[arg(long, default_value_t = 20)]
        messages: usize,
        /// Connections opened at once.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
    },
    /// N tabs (through a load balancer in front of instances sharing a session store) click
    /// once each; then process `--kill-pid` gets SIGKILL. Every tab clicks again, reconnecting
    /// with its session where its socket died: the time from the kill to each reconnected tab's
    /// welcome, and whether each resumed with the counter it was last shown.
    Failover {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 100)]
        tabs: usize,
        /// The instance to kill.
        #[arg(long)]
        kill_pid: u32,
        /// The widget whose `value` the click changes.
        #[arg(long, default_value = "counter")]
        count_widget: String,
    },
    /// Internal: the floor of `tabs` (HTTP bodies of asked sizes, a WebSocket with a welcome).
    /// Prints its port.
    HttpFloor {
        #[arg(long, default_value_t = 1024)]
        welcome_bytes: usize,
    },
    /// Internal: the bare WebSocket echo server of the floor. Prints its port.
    Echo,
    /// Internal: the raw TCP ping-pong floor (the same byte counts, no WebSocket). Prints its port.
    TcpEcho,
}

#[derive(Debug, Default)]
struct Outcome {
    /// Round trips in nanoseconds.
    samples: Vec<u64>,
    failures: usize,
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(url: &str) -> Result<Ws, String> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| e.to_string())?;
    match ws.next().await {
        Some(Ok(Message::Text(_))) => Ok(ws),
        other => Err(format!("no welcome: {other:?}")),
    }
}

/// One session clicking until `until`.
async fn clicker(url: String, widget: String, until: Instant, think: Duration) -> Outcome {
    let mut out = Outcome::default();
    let mut ws = match open(&url).await {
        Ok(ws) => ws,
        Err(_) => {
            out.failures += 1;
            return out;
        }
    };
    let click = click_frame(&widget);
    while Instant::now() < until {
        let t0 = Instant::now();
        if ws.send(Message::Text(click.clone().into())).await.is_err() {
            out.failures += 1;
            break;
        }
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) if !t.contains("\"type\":\"error\"") => {
                out.samples.push(t0.elapsed().as_nanos() as u64);
            }
            _ => {
                out.failures += 1;
                break;
            }
        }
        if !think.is_zero() {
            tokio::time::sleep(think).await;
        }
    }
    let _ = ws.close(None).await;
    out
}

struct BurstOutcome {
    lost: usize,
    errors: usize,
    elapsed: Duration,
}

/// Writes `clicks` clicks without reading, then reads until the count shows them all (or no
/// frame comes for 5 s).
async fn burst(
    url: &str,
    widget: &str,
    count: &str,
    clicks: usize,
) -> Result<BurstOutcome, String> {
    let mut ws = open(url).await?;
    let click = click_frame(widget);
    let t0 = Instant::now();
    for _ in 0..clicks {
        ws.send(Message::Text(click.clone().into()))
            .await
            .map_err(|e| format!("send: {e}"))?;
    }
    let (mut seen, mut errors) = (0usize, 0usize);
    while seen < clicks {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => {
                let v: serde_json::Value = serde_json::from_str(&t).unwrap_or_default();
                if v["type"] == "error" {
                    errors += 1;
                }
                if let Some(n) = v["state"][count]["value"].as_f64() {
                    seen = n as usize;
                }
            }
            Ok(Some(Ok(_))) => {}
            _ => break,
        }
    }
    let elapsed = t0.elapsed();
    let _ = ws.close(None).await;
    Ok(BurstOutcome {
        lost: clicks.saturating_sub(seen),
        errors,
        elapsed,
    })
}

/// Clicks as fast as it can, never reading, until a send fails; returns how long that took.
async fn stuck(url: &str, widget: &str, deadline: Instant) -> Option<Duration> {
    let mut ws = open(url).await.ok()?;
    let click = click_frame(widget);
    let t0 = Instant::now();
    while Instant::now() < deadline {
        let sent = tokio::time::timeout_at(
            deadline.into(),
            ws.send(Message::Text(click.clone().into())),
        )
        .await;
        match sent {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Some(t0.elapsed()),
            Err(_) => return None,
        }
    }
    None
}

/// Opens a session, then reads raw bytes (never answering pings) until the server closes the
/// socket; returns how long that took.
async fn silent(url: &str, deadline: Instant) -> Option<Duration> {
    use tokio::io::AsyncReadExt;
    let ws = open(url).await.ok()?;
    let t0 = Instant::now();
    let mut tcp = match ws.into_inner() {
        tokio_tungstenite::MaybeTlsStream::Plain(tcp) => tcp,
        _ => return None,
    };
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout_at(deadline.into(), tcp.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return Some(t0.elapsed()),
            Ok(Ok(_)) => {}
            Err(_) => return None,
        }
    }
}

/// Opens `sessions` tabs, then posts `messages` notices one after the other (each once every
/// tab has the previous one) and measures publish → receipt for every tab.
async fn fanout(url: &str, sessions: usize, messages: usize, concurrency: usize) {
    use std::sync::Arc;
    use tokio::sync::{Barrier, watch};
    let host = url
        .split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or("127.0.0.1:8000")
        .to_owned();
    let results: Vec<_> = futures_util::stream::iter((0..sessions).map(|_| open(url)))
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let failures = results.iter().filter(|r| r.is_err()).count();
    let tabs: Vec<Ws> = results.into_iter().filter_map(Result::ok).collect();
    let n = tabs.len();
    // Each round: the publisher stamps the time, every tab waits for the notice.
    let (round_tx, round_rx) = watch::channel((0usize, Instant::now()));
    let done = Arc::new(Barrier::new(n + 1));
    let readers: Vec<_> = tabs
        .into_iter()
        .map(|mut ws| {
            let mut round_rx = round_rx.clone();
            let done = done.clone();
            tokio::spawn(async move {
                let mut samples = Vec::with_capacity(messages);
                for m in 0..messages {
                    let needle = format!("fanout-{m}-");
                    let (_, started) = loop {
                        let r = *round_rx.borrow_and_update();
                        if r.0 == m {
                            break r;
                        }
                        if round_rx.changed().await.is_err() {
                            return samples;
                        }
                    };
                    loop {
                        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
                            Ok(Some(Ok(Message::Text(t)))) if t.contains(&needle) => {
                                samples.push(started.elapsed().as_nanos() as u64);
                                break;
                            }
                            Ok(Some(Ok(_))) => {}
                            _ => {
                                done.wait().await;
                                return samples;
                            }
                        }
                    }
                    done.wait().await;
                }
                samples
            })
        })
        .collect();
    let started = Instant::now();
    for m in 0..messages {
        let body = format!(r#"{{"from":"bench","text":"fanout-{m}-"}}"#);
        let t0 = Instant::now();
        round_tx.send_replace((m, t0));
        let mut conn = connect_http(host.parse().expect("host:port")).await;
        post_json(&mut conn, "/api/notices", &body).await;
        done.wait().await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut all = Vec::new();
    for r in readers {
        all.extend(r.await.unwrap_or_default());
    }
    all.sort_unstable();
    println!(
        "fanout sessions={n} (failed to open: {failures}) messages={messages} deliveries={} ({:.0}/s over the rounds) publish→receipt p50={:.1} ms p99={:.1} ms max={:.1} ms",
        all.len(),
        all.len() as f64 / elapsed,
        percentile(&all, 0.5) / 1000.0,
        percentile(&all, 0.99) / 1000.0,
        all.last().map_or(f64::NAN, |v| *v as f64 / 1e6),
    );
}

/// A tab that keeps its session id and the counter it was last shown.
struct FailoverTab {
    ws: Option<Ws>,
    session: String,
    shown: f64,
}

/// Opens a WebSocket resuming `session` (if any), as the browser client does.
async fn open_session(url: &str, session: Option<&str>) -> Result<(Ws, serde_json::Value), String> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let mut req = url.into_client_request().map_err(|e| e.to_string())?;
    let protocols = match session {
        Some(s) => format!("numerous, numerous.session.{s}"),
        None => "numerous".to_owned(),
    };
    req.headers_mut()
        .insert("sec-websocket-protocol", protocols.parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .map_err(|e| e.to_string())?;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => {
                let v: serde_json::Value = serde_json::from_str(&t).map_err(|e| e.to_string())?;
                if v["type"] == "welcome" {
                    return Ok((ws, v));
                }
                return Err(format!("not a welcome: {t}"));
            }
            Some(Ok(_)) => {}
            other => return Err(format!("no welcome: {other:?}")),
        }
    }
}

/// Clicks and waits for the patch; `None` when the socket died first.
async fn click_once(ws: &mut Ws, widget: &str, count: &str) -> Option<f64> {
    ws.send(Message::Text(click_frame(widget).into()))
        .await
        .ok()?;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => {
                let v: serde_json::Value = serde_json::from_str(&t).ok()?;
                if v["type"] == "patch"
                    && let Some(n) = v["state"][count]["value"].as_f64()
                {
                    return Some(n);
                }
            }
            Some(Ok(Message::Close(_)) | Err(_)) | None => return None,
            Some(Ok(_)) => {}
        }
    }
}

async fn failover(url: &str, widget: &str, count: &str, tabs: usize, kill_pid: u32) {
    let mut open = Vec::new();
    for _ in 0..tabs {
        let (mut ws, welcome) = open_session(url, None).await.expect("a tab opens");
        let session = welcome["session"].as_str().unwrap().to_owned();
        let shown = click_once(&mut ws, widget, count).await.expect("a click");
        open.push(FailoverTab {
            ws: Some(ws),
            session,
            shown,
        });
    }
    std::process::Command::new("kill")
        .args(["-9", &kill_pid.to_string()])
        .status()
        .expect("kill runs");
    let killed = Instant::now();
    let results = futures_util::future::join_all(open.into_iter().map(|mut tab| async move {
        let mut resumed_after = None;
        let mut lost = false;
        loop {
            if let Some(ws) = &mut tab.ws {
                match click_once(ws, widget, count).await {
                    Some(n) => {
                        lost |= n != tab.shown + 1.0;
                        return (resumed_after, lost);
                    }
                    None => tab.ws = None,
                }
            }
            match open_session(url, Some(&tab.session)).await {
                Ok((ws, welcome)) => {
                    resumed_after.get_or_insert(killed.elapsed());
                    let n = welcome["state"][count]["value"]
                        .as_f64()
                        .unwrap_or(f64::NAN);
                    lost |= welcome["session"] != tab.session.as_str() || n != tab.shown;
                    tab.ws = Some(ws);
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
            assert!(
                killed.elapsed() < Duration::from_secs(30),
                "a tab never resumed"
            );
        }
    }))
    .await;
    let mut times: Vec<u64> = results
        .iter()
        .filter_map(|(t, _)| t.map(|t| t.as_nanos() as u64))
        .collect();
    times.sort_unstable();
    let lost = results.iter().filter(|(_, l)| *l).count();
    println!(
        "failover tabs={tabs} reconnected={} lost-state={lost} kill→welcome p50={:.0} ms p99={:.0} ms max={:.0} ms",
        times.len(),
        percentile(&times, 0.5) / 1000.0,
        percentile(&times, 0.99) / 1000.0,
        times.last().map_or(f64::NAN, |t| *t as f64 / 1e6),
    );
}

/// One HTTP/1.1 POST of JSON on a keep-alive connection; the answer is read and dropped.
async fn post_json(
    stream: &mut tokio::io::BufReader<tokio::net::TcpStream>,
    path: &str,
    body: &str,
) {
    use tokio::io::AsyncWriteExt;
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.get_mut().write_all(req.as_bytes()).await.unwrap();
    read_response(stream, path)
        .await
        .expect("the notice is posted");
}

/// A bare tokio WebSocket server answering every text frame with a patch-sized frame.
async fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                    return;
                };
                let welcome = r#"{"type":"welcome","session":"echo","resumed":false,"state":{}}"#;
                if ws.send(Message::Text(welcome.into())).await.is_err() {
                    return;
                }
                while let Some(Ok(msg)) = ws.next().await {
                    if msg.is_text() && ws.send(Message::Text(CLICK_REPLY.into())).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// The click frame a client sends, and the patch the echo floors answer with (the counter's).
const CLICK_REPLY: &str = r#"{"type":"patch","state":{"counter":{"label":"Counter:","value":1.0},"counter2":{"label":"Counter 2:","value":1.0}}}"#;

fn click_frame(widget: &str) -> String {
    format!(r#"{{"type":"msg","widget":"{widget}","content":{{"event":"click"}}}}"#)
}

/// Bytes on the wire for a text frame of `len` bytes: header (2, +2 from 126 bytes), and the
/// 4-byte mask a client adds.
fn ws_wire(len: usize, masked: bool) -> usize {
    len + if len < 126 { 2 } else { 4 } + if masked { 4 } else { 0 }
}

/// A raw TCP server that answers every `request` bytes with `reply` bytes: the floor without
/// any WebSocket, single-threaded.
async fn tcp_echo_server(request: usize, reply: usize) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let _ = tcp.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = vec![0u8; request];
                let out = vec![b'x'; reply];
                while tcp.read_exact(&mut buf).await.is_ok() {
                    if tcp.write_all(&out).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// One raw TCP client in a closed loop, as `clicker` but without WebSocket framing.
async fn tcp_clicker(addr: String, widget: String, until: Instant, think: Duration) -> Outcome {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut out = Outcome::default();
    let Ok(mut tcp) = tokio::net::TcpStream::connect(addr).await else {
        out.failures += 1;
        return out;
    };
    let _ = tcp.set_nodelay(true);
    let request = vec![b'x'; ws_wire(click_frame(&widget).len(), true)];
    let mut reply = vec![0u8; ws_wire(CLICK_REPLY.len(), false)];
    while Instant::now() < until {
        let t0 = Instant::now();
        if tcp.write_all(&request).await.is_err() || tcp.read_exact(&mut reply).await.is_err() {
            out.failures += 1;
            break;
        }
        out.samples.push(t0.elapsed().as_nanos() as u64);
        if !think.is_zero() {
            tokio::time::sleep(think).await;
        }
    }
    out
}

/// A floor in its own process (this binary, single-threaded), like the app it is compared to.
struct Floor {
    child: std::process::Child,
    url: String,
}

impl Floor {
    /// The bare WebSocket echo (`echo`) or the raw TCP ping-pong (`tcp-echo`).
    fn start(mode: &str) -> Floor {
        Self::start_with(mode, &[])
    }

    /// A floor of `mode`, with more arguments.
    fn start_with(mode: &str, args: &[&str]) -> Floor {
        use std::io::BufRead;
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--threads", "1", mode])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the floor starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = match mode {
            "tcp-echo" => format!("tcp://{}", line.trim()),
            _ => format!("ws://{}/ws", line.trim()),
        };
        Floor { child, url }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Floor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Report {
    sessions: usize,
    clicks: usize,
    failures: usize,
    per_sec: f64,
    p50: f64,
    p90: f64,
    p99: f64,
}

async fn run(url: &str, widget: &str, sessions: usize, seconds: u64, think: Duration) -> Report {
    // Connect everyone first, then measure only the steady state.
    let start = Instant::now() + Duration::from_millis(200 + sessions as u64 / 2);
    let until = start + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..sessions)
        .map(|_| {
            let (url, widget) = (url.to_owned(), widget.to_owned());
            tokio::spawn(async move {
                tokio::time::sleep_until(start.into()).await;
                match url.strip_prefix("tcp://") {
                    Some(addr) => tcp_clicker(addr.to_owned(), widget, until, think).await,
                    None => clicker(url, widget, until, think).await,
                }
            })
        })
        .collect();
    let mut all = Outcome::default();
    for t in tasks {
        let o = t.await.unwrap_or_default();
        all.samples.extend(o.samples);
        all.failures += o.failures;
    }
    let elapsed = Instant::now()
        .saturating_duration_since(start)
        .as_secs_f64()
        .max(1e-9);
    all.samples.sort_unstable();
    Report {
        sessions,
        clicks: all.samples.len(),
        failures: all.failures,
        per_sec: all.samples.len() as f64 / elapsed,
        p50: percentile(&all.samples, 0.50),
        p90: percentile(&all.samples, 0.90),
        p99: percentile(&all.samples, 0.99),
    }
}

fn print(label: &str, r: &Report) {
    println!(
        "{label:>6} sessions={:<6} clicks={:<8} failures={:<4} clicks/s={:<9.0} p50={:.1}µs p90={:.1}µs p99={:.1}µs",
        r.sessions, r.clicks, r.failures, r.per_sec, r.p50, r.p90, r.p99
    );
}

fn print_ratio(app: &Report, floor: &Report) {
    println!(
        " ratio app/floor: clicks/s {:.2}  p50 {:.2}  p90 {:.2}  p99 {:.2}",
        app.per_sec / floor.per_sec,
        app.p50 / floor.p50,
        app.p90 / floor.p90,
        app.p99 / floor.p99
    );
}

/// CPU microseconds per message between two readings.
fn per_message(before: Option<u64>, after: Option<u64>, messages: usize) -> Option<f64> {
    Some(after?.saturating_sub(before?) as f64 / messages.max(1) as f64)
}

/// Total CPU time (user + system) of a process, in microseconds.
fn cpu_us(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(ticks * 10_000)
}

/// The server's CPU per new tab, each part of opening one measured on its own; then the same
/// for the floor: a minimal single-threaded server answering the same paths with bodies of the
/// same sizes, and the socket with a welcome of the same size.
async fn new_tabs(target: &Target, tabs: usize) {
    let Some(pid) = target.pid else {
        eprintln!("error: `tabs` measures the server's CPU: give its --pid");
        std::process::exit(2);
    };
    let rest = target.url.split("://").nth(1).unwrap_or(&target.url);
    let (authority, ws_path) = rest.split_once('/').unwrap_or((rest, "ws"));
    let addr: SocketAddr = authority
        .replace("localhost", "127.0.0.1")
        .parse()
        .expect("a loopback address with its port");
    // The page is served from where the socket is, one level up.
    let page_path = match ws_path.rsplit_once('/') {
        Some((prefix, _)) => format!("/{prefix}/"),
        None => "/".to_owned(),
    };
    let mut conn = connect_http(addr).await;
    let page = http_get_with(&mut conn, &page_path, "")
        .await
        .expect("the page");
    let assets = linked_assets(&String::from_utf8_lossy(&page));
    // What a browser receives (compressed), for the floor to send as much; the first load
    // also compresses what is served compressed, once.
    let page_len = http_get_with(&mut conn, &page_path, BROWSER)
        .await
        .expect("the page")
        .len();
    let mut asset_lens = Vec::new();
    for asset in &assets {
        asset_lens.push(
            http_get_with(&mut conn, asset, BROWSER)
                .await
                .expect("an asset")
                .len(),
        );
    }
    drop(conn);
    let (_ws, welcome) = open_session(&target.url, None).await.expect("a welcome");
    let welcome_len = welcome.to_string().len();

    let app = tab_parts(addr, &page_path, &assets, &target.url, pid, tabs).await;
    let floor = if target.no_floor {
        None
    } else {
        let floor = Floor::start_with("http-floor", &["--welcome-bytes", &welcome_len.to_string()]);
        let floor_addr: SocketAddr = floor.url["ws://".len()..]
            .trim_end_matches("/ws")
            .parse()
            .unwrap();
        let sized = |n: usize| format!("/bytes/{n}");
        let floor_assets: Vec<String> = asset_lens.iter().map(|&n| sized(n)).collect();
        let parts = tab_parts(
            floor_addr,
            &sized(page_len),
            &floor_assets,
            &floor.url,
            floor.pid(),
            tabs,
        )
        .await;
        Some(parts)
    };

    println!("# {tabs} tabs, one after another; server CPU from /proc (10 ms ticks), µs per tab");
    println!("| part | numerous CPU | floor CPU | ratio | numerous wall | floor wall |");
    println!("|---|---|---|---|---|---|");
    let labels = [
        "page, on a new connection".to_owned(),
        format!(
            "its {} assets, on one connection (first visit)",
            assets.len()
        ),
        "WebSocket until its welcome".to_owned(),
    ];
    for (i, label) in labels.iter().enumerate() {
        let (cpu, wall) = app[i];
        match &floor {
            Some(f) => println!(
                "| {label} | {cpu:.1} | {:.1} | {:.2}× | {wall:.1} | {:.1} |",
                f[i].0,
                cpu / f[i].0,
                f[i].1
            ),
            None => println!("| {label} | {cpu:.1} | | | {wall:.1} | |"),
        }
    }
    let returning = |p: &[(f64, f64)]| p[0].0 + p[2].0;
    let first = |p: &[(f64, f64)]| p[0].0 + p[1].0 + p[2].0;
    match &floor {
        Some(f) => println!(
            "a returning browser's new tab (page + socket): {:.1} µs (floor {:.1}); a first visit (page + assets + socket): {:.1} µs (floor {:.1})",
            returning(&app),
            returning(f),
            first(&app),
            first(f)
        ),
        None => println!(
            "a returning browser's new tab (page + socket): {:.1} µs; a first visit (page + assets + socket): {:.1} µs",
            returning(&app),
            first(&app)
        ),
    }
}

/// Request headers of a browser loading a page.
const BROWSER: &str = "Accept-Encoding: gzip, deflate, br\r\nAccept: text/html\r\n";

/// The three parts of opening `tabs` tabs, each run `tabs` times: (server CPU µs, wall µs) per tab.
async fn tab_parts(
    addr: SocketAddr,
    page_path: &str,
    assets: &[String],
    ws_url: &str,
    pid: u32,
    tabs: usize,
) -> Vec<(f64, f64)> {
    let mut parts = Vec::new();
    let mut measure = |c0: Option<u64>, t0: Instant| {
        let cpu = per_message(c0, cpu_us(pid), tabs).unwrap_or(f64::NAN);
        parts.push((cpu, t0.elapsed().as_secs_f64() * 1e6 / tabs as f64));
    };
    let (c0, t0) = (cpu_us(pid), Instant::now());
    for _ in 0..tabs {
        let mut conn = connect_http(addr).await;
        http_get_with(&mut conn, page_path, BROWSER)
            .await
            .expect("the page");
    }
    measure(c0, t0);
    let (c0, t0) = (cpu_us(pid), Instant::now());
    for _ in 0..tabs {
        let mut conn = connect_http(addr).await;
        for asset in assets {
            http_get_with(&mut conn, asset, BROWSER)
                .await
                .expect("an asset");
        }
    }
    measure(c0, t0);
    let (c0, t0) = (cpu_us(pid), Instant::now());
    for _ in 0..tabs {
        let (mut ws, _) = open_session(ws_url, None).await.expect("a welcome");
        let _ = ws.close(None).await;
        while let Some(Ok(_)) = ws.next().await {}
    }
    measure(c0, t0);
    parts
}

/// Answers a WebSocket handshake with the subprotocol the client asks for, as the app does.
// The error type is tungstenite's.
#[allow(clippy::result_large_err)]
fn with_subprotocol(
    _: &tokio_tungstenite::tungstenite::handshake::server::Request,
    mut response: tokio_tungstenite::tungstenite::handshake::server::Response,
) -> Result<
    tokio_tungstenite::tungstenite::handshake::server::Response,
    tokio_tungstenite::tungstenite::handshake::server::ErrorResponse,
> {
    response
        .headers_mut()
        .insert("sec-websocket-protocol", "numerous".parse().unwrap());
    Ok(response)
}

/// The floor of `tabs`: HTTP/1.1 keep-alive, `GET /bytes/N` answered with N bytes, and a
/// WebSocket on `/ws` that sends a welcome of `welcome` bytes. Single-threaded, no framework.
async fn http_floor(welcome: usize) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // A welcome the client takes for one, as long as the app's.
    let head = r#"{"type":"welcome","pad":""#;
    let pad = welcome.saturating_sub(head.len() + 2);
    let text = format!("{head}{}\"}}", "x".repeat(pad));
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let text = text.clone();
            tokio::spawn(async move {
                let mut head = [0u8; 1024];
                let Ok(n) = tcp.peek(&mut head).await else {
                    return;
                };
                if head[..n]
                    .windows(9)
                    .any(|w| w.eq_ignore_ascii_case(b"websocket"))
                {
                    let Ok(mut ws) =
                        tokio_tungstenite::accept_hdr_async(tcp, with_subprotocol).await
                    else {
                        return;
                    };
                    if ws.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                    while let Some(Ok(_)) = ws.next().await {}
                    return;
                }
                let mut buf = Vec::with_capacity(1024);
                let mut chunk = [0u8; 1024];
                loop {
                    let end = loop {
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                        match tcp.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let request = String::from_utf8_lossy(&buf[..end]).into_owned();
                    buf.drain(..end);
                    let len: usize = request
                        .split_whitespace()
                        .nth(1)
                        .and_then(|p| p.strip_prefix("/bytes/"))
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0);
                    let mut reply =
                        format!("HTTP/1.1 200 OK\r\ncontent-length: {len}\r\n\r\n").into_bytes();
                    reply.resize(reply.len() + len, b'x');
                    if tcp.write_all(&reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

/// One HTTP/1.1 GET on a keep-alive connection; returns the body.
async fn http_get(
    stream: &mut tokio::io::BufReader<tokio::net::TcpStream>,
    path: &str,
) -> std::io::Result<Vec<u8>> {
    use tokio::io::AsyncWriteExt;
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
    stream.get_mut().write_all(req.as_bytes()).await?;
    read_response(stream, path).await
}

/// [`http_get`] with more request headers (each line ending in CRLF).
async fn http_get_with(
    stream: &mut tokio::io::BufReader<tokio::net::TcpStream>,
    path: &str,
    headers: &str,
) -> std::io::Result<Vec<u8>> {
    use tokio::io::AsyncWriteExt;
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}\r\n");
    stream.get_mut().write_all(req.as_bytes()).await?;
    read_response(stream, path).await
}

/// Reads one HTTP/1.1 response with a `Content-Length`; its body, or an error unless it is 200.
async fn read_response(
    stream: &mut tokio::io::BufReader<tokio::net::TcpStream>,
    path: &str,
) -> std::io::Result<Vec<u8>> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt};
    let mut len = 0usize;
    let mut status = String::new();
    stream.read_line(&mut status).await?;
    if !status.contains(" 200 ") {
        return Err(std::io::Error::other(format!("{path}: {}", status.trim())));
    }
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await?;
        let l = line.trim().to_ascii_lowercase();
        if l.is_empty() {
            break;
        }
        if let Some(v) = l.strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; len];
    stream.read_exact(&mut body).await?;
    Ok(body)
}

async fn connect_http(addr: SocketAddr) -> tokio::io::BufReader<tokio::net::TcpStream> {
    tokio::io::BufReader::new(tokio::net::TcpStream::connect(addr).await.unwrap())
}

/// The `href`/`src` URLs of the stylesheets, module preloads and scripts a page links.
fn linked_assets(page: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for part in page.split(attr).skip(1) {
            if let Some(url) = part.split('"').next()
                && url.contains("numerous-static/")
                && !out.iter().any(|u| u == url)
            {
                out.push(url.to_owned());
            }
        }
    }
    out
}

/// The load generator drives servers on this machine only.
fn is_loopback(url: &str) -> bool {
    let rest = url.split("://").nth(1).unwrap_or(url);
    let host = rest.split('/').next().unwrap_or_default();
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn main() {
    let args = Args::parse();
    let rt = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(args.threads);
        b
    }
    .enable_all()
    .build()
    .expect("a tokio runtime");
    rt.block_on(run_mode(args));
}

async fn run_mode(args: Args) {
    if !matches!(
        args.mode,
        Mode::Echo | Mode::TcpEcho | Mode::HttpFloor { .. }
    ) {
        println!("# client: {} thread(s)", args.threads);
    }
    let target = match &args.mode {
        Mode::Run { target, .. }
        | Mode::Ramp { target, .. }
        | Mode::Idle { target, .. }
        | Mode::Burst { target, .. }
        | Mode::Stuck { target, .. }
        | Mode::Silent { target, .. }
        | Mode::Fanout { target, .. }
        | Mode::Failover { target, .. }
        | Mode::Tabs { target, .. } => Some(target.url.clone()),
        Mode::Page { addr, .. } => Some(format!("http://{addr}/")),
        _ => None,
    };
    if let Some(url) = target
        && !is_loopback(&url)
    {
        eprintln!("error: {url} is not a loopback address; loadgen only drives local servers");
        std::process::exit(2);
    }
    match args.mode {
        Mode::Echo => {
            let addr = echo_server().await;
            println!("{addr}");
            std::future::pending::<()>().await;
        }
        Mode::HttpFloor { welcome_bytes } => {
            let addr = http_floor(welcome_bytes).await;
            println!("{addr}");
            std::future::pending::<()>().await;
        }
        Mode::TcpEcho => {
            let request = ws_wire(click_frame("increment").len(), true);
            let addr = tcp_echo_server(request, ws_wire(CLICK_REPLY.len(), false)).await;
            println!("{addr}");
            std::future::pending::<()>().await;
        }
        Mode::Run {
            target,
            sessions,
            seconds,
            think_ms,
        } => {
            let think = Duration::from_millis(think_ms);
            let before = target.pid.and_then(rss_kib);
            let cpu0 = target.pid.and_then(cpu_us);
            let app = run(&target.url, &target.widget, sessions, seconds, think).await;
            print("app", &app);
            let app_cpu = per_message(cpu0, target.pid.and_then(cpu_us), app.clicks);
            if let (Some(b), Some(a)) = (before, target.pid.and_then(rss_kib)) {
                println!("server RSS: {b} KiB before, {a} KiB after");
            }
            if let Some(c) = app_cpu {
                println!("   app server CPU per click: {c:.1} µs");
            }
            if !target.no_floor {
                for (label, mode) in [("ws", "echo"), ("tcp", "tcp-echo")] {
                    let floor = Floor::start(mode);
                    let cpu0 = cpu_us(floor.pid());
                    let f = run(&floor.url, &target.widget, sessions, seconds, think).await;
                    let cpu = per_message(cpu0, cpu_us(floor.pid()), f.clicks);
                    print(label, &f);
                    if let Some(c) = cpu {
                        println!("   {label} floor CPU per message: {c:.1} µs");
                    }
                    print_ratio(&app, &f);
                    if let (Some(a), Some(f)) = (app_cpu, cpu) {
                        println!(" ratio app/{label} floor: CPU per message {:.2}", a / f);
                    }
                }
            }
        }
        Mode::Ramp {
            target,
            start,
            max,
            step_seconds,
            p99_limit_ms,
        } => {
            let mut n = start;
            while n <= max {
                let r = run(&target.url, &target.widget, n, step_seconds, Duration::ZERO).await;
                print("ramp", &r);
                if r.failures > 0 || r.p99 / 1000.0 > p99_limit_ms {
                    println!(
                        "stopped at {n} sessions: failures={} p99={:.1} ms",
                        r.failures,
                        r.p99 / 1000.0
                    );
                    return;
                }
                n *= 2;
            }
            println!("reached {max} sessions without errors");
        }
        Mode::Idle {
            target,
            sessions,
            concurrency,
            hold,
        } => {
            let pid = target.pid.expect("--pid of the server");
            let (rss0, cpu0) = (rss_kib(pid).unwrap_or(0), cpu_us(pid).unwrap_or(0));
            let results: Vec<_> =
                futures_util::stream::iter((0..sessions).map(|_| open(&target.url)))
                    .buffer_unordered(concurrency.max(1))
                    .collect()
                    .await;
            let failures = results.iter().filter(|r| r.is_err()).count();
            let open_ws: Vec<_> = results.into_iter().filter_map(Result::ok).collect();
            tokio::time::sleep(Duration::from_secs(1)).await;
            let (rss1, cpu1) = (rss_kib(pid).unwrap_or(0), cpu_us(pid).unwrap_or(0));
            let n = open_ws.len().max(1) as f64;
            println!(
                "idle sessions={} failures={failures} server RSS {rss0} KiB -> {rss1} KiB: {:.1} KiB per session; server CPU {:.0} µs per session (connect + WebSocket handshake + session)",
                open_ws.len(),
                rss1.saturating_sub(rss0) as f64 / n,
                cpu1.saturating_sub(cpu0) as f64 / n,
            );
            if hold > 0 {
                // Each tab reads its socket (answering the server's pings) and does nothing else.
                let readers: Vec<_> = open_ws
                    .into_iter()
                    .map(|mut ws| {
                        tokio::spawn(async move { while let Some(Ok(_)) = ws.next().await {} })
                    })
                    .collect();
                let cpu0 = cpu_us(pid).unwrap_or(0);
                tokio::time::sleep(Duration::from_secs(hold)).await;
                let cpu1 = cpu_us(pid).unwrap_or(0);
                let ended = readers.iter().filter(|r| r.is_finished()).count();
                println!(
                    "held {hold} s: server CPU {:.3} µs per idle session per second (pings, timers); {ended} sockets closed meanwhile",
                    cpu1.saturating_sub(cpu0) as f64 / n / hold as f64,
                );
            }
        }
        Mode::Tabs { target, tabs } => new_tabs(&target, tabs).await,
        Mode::Page {
            addr,
            path,
            requests,
        } => {
            let mut conn = connect_http(addr).await;
            let page = http_get(&mut conn, &path).await.expect("the page");
            let text = String::from_utf8_lossy(&page).into_owned();
            let mut total = page.len();
            let assets = linked_assets(&text);
            for asset in &assets {
                total += http_get(&mut conn, asset).await.expect("an asset").len();
            }
            println!(
                "page {} bytes + {} assets = {total} bytes before interactive (uncompressed)",
                page.len(),
                assets.len()
            );
            let mut samples = Vec::with_capacity(requests);
            for _ in 0..requests {
                let t0 = Instant::now();
                http_get(&mut conn, &path).await.expect("the page");
                samples.push(t0.elapsed().as_nanos() as u64);
            }
            samples.sort_unstable();
            println!(
                "GET {path}: {requests} requests, p50={:.1}µs p90={:.1}µs p99={:.1}µs",
                percentile(&samples, 0.5),
                percentile(&samples, 0.9),
                percentile(&samples, 0.99)
            );
        }
        Mode::Burst {
            target,
            sessions,
            clicks,
            count_widget,
        } => {
            let tasks: Vec<_> = (0..sessions)
                .map(|_| {
                    let (url, widget, count) = (
                        target.url.clone(),
                        target.widget.clone(),
                        count_widget.clone(),
                    );
                    tokio::spawn(async move { burst(&url, &widget, &count, clicks).await })
                })
                .collect();
            let mut times = Vec::new();
            let (mut lost, mut errors) = (0, 0);
            for t in tasks {
                match t.await.expect("a burst task") {
                    Ok(b) => {
                        lost += b.lost;
                        errors += b.errors;
                        times.push(b.elapsed.as_nanos() as u64);
                    }
                    Err(e) => {
                        println!("burst failed: {e}");
                        lost += clicks;
                    }
                }
            }
            times.sort_unstable();
            println!(
                "burst sessions={sessions} clicks each={clicks} lost={lost} error frames={errors} all applied in p50={:.1} ms max={:.1} ms",
                percentile(&times, 0.5) / 1000.0,
                times.last().map_or(f64::NAN, |t| *t as f64 / 1e6)
            );
        }
        Mode::Stuck {
            target,
            clients,
            seconds,
        } => {
            let pid = target.pid.expect("--pid of the server");
            let rss0 = rss_kib(pid).unwrap_or(0);
            let t0 = Instant::now();
            let deadline = t0 + Duration::from_secs(seconds);
            let tasks: Vec<_> = (0..clients)
                .map(|_| {
                    let (url, widget) = (target.url.clone(), target.widget.clone());
                    tokio::spawn(async move { stuck(&url, &widget, deadline).await })
                })
                .collect();
            let mut peak = rss0;
            while tasks.iter().any(|t| !t.is_finished()) {
                peak = peak.max(rss_kib(pid).unwrap_or(0));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let mut cut: Vec<u64> = Vec::new();
            let mut never = 0;
            for t in tasks {
                match t.await.expect("a stuck task") {
                    Some(after) => cut.push(after.as_nanos() as u64),
                    None => never += 1,
                }
            }
            cut.sort_unstable();
            tokio::time::sleep(Duration::from_secs(2)).await;
            let rss1 = rss_kib(pid).unwrap_or(0);
            let fresh = open(&target.url).await.is_ok();
            println!(
                "stuck clients={clients} cut off={} never={never} after p50={:.1} s max={:.1} s; server RSS {rss0} KiB, peak {peak} KiB (+{:.0} KiB per stuck client), {rss1} KiB after; a new session afterwards: {}",
                cut.len(),
                percentile(&cut, 0.5) / 1e6,
                cut.last().map_or(f64::NAN, |t| *t as f64 / 1e9),
                peak.saturating_sub(rss0) as f64 / clients.max(1) as f64,
                if fresh { "ok" } else { "FAILED" }
            );
        }
        Mode::Silent {
            target,
            clients,
            seconds,
        } => {
            let deadline = Instant::now() + Duration::from_secs(seconds);
            let tasks: Vec<_> = (0..clients)
                .map(|_| {
                    let url = target.url.clone();
                    tokio::spawn(async move { silent(&url, deadline).await })
                })
                .collect();
            let mut cut = Vec::new();
            let mut never = 0;
            for t in tasks {
                match t.await.expect("a silent task") {
                    Some(after) => cut.push(after.as_nanos() as u64),
                    None => never += 1,
                }
            }
            cut.sort_unstable();
            println!(
                "silent clients={clients} closed by the server={} never={never} after p50={:.1} s max={:.1} s",
                cut.len(),
                percentile(&cut, 0.5) / 1e6,
                cut.last().map_or(f64::NAN, |t| *t as f64 / 1e9),
            );
        }
        Mode::Fanout {
            target,
            sessions,
            messages,
            concurrency,
        } => fanout(&target.url, sessions, messages, concurrency).await,
        Mode::Failover {
            target,
            tabs,
            kill_pid,
            count_widget,
        } => failover(&target.url, &target.widget, &count_widget, tabs, kill_pid).await,
        Mode::Startup { bin, runs } => {
            let mut samples = Vec::new();
            for _ in 0..runs {
                let port = std::net::TcpListener::bind("127.0.0.1:0")
                    .unwrap()
                    .local_addr()
                    .unwrap()
                    .port();
                let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
                let t0 = Instant::now();
                let mut child = std::process::Command::new(&bin)
                    .args(["--port", &port.to_string()])
                    .env("RUST_LOG", "warn")
                    .spawn()
                    .expect("the app starts");
                loop {
                    if let Ok(s) = tokio::net::TcpStream::connect(addr).await {
                        let mut conn = tokio::io::BufReader::new(s);
                        if http_get(&mut conn, "/").await.is_ok() {
                            break;
                        }
                    }
                    tokio::time::sleep(Duration::from_micros(200)).await;
                    assert!(
                        t0.elapsed() < Duration::from_secs(10),
                        "the app never answered"
                    );
                }
                samples.push(t0.elapsed().as_nanos() as u64);
                let _ = child.kill();
                let _ = child.wait();
            }
            samples.sort_unstable();
            println!(
                "start to first 200: {runs} runs, p50={:.2} ms min={:.2} ms max={:.2} ms",
                percentile(&samples, 0.5) / 1000.0,
                samples[0] as f64 / 1e6,
                samples[samples.len() - 1] as f64 / 1e6
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets() {
        assert!(is_loopback("ws://127.0.0.1:8000/ws"));
        assert!(is_loopback("ws://localhost:8000/ws"));
        assert!(is_loopback("ws://[::1]:8000/ws"));
        assert!(!is_loopback("ws://10.0.0.1:8000/ws"));
        assert!(!is_loopback("ws://example.com/ws"));
    }

    #[test]
    fn percentiles() {
        let s: Vec<u64> = (1..=100).map(|n| n * 1000).collect();
        assert_eq!(percentile(&s, 0.5), 51.0);
        assert_eq!(percentile(&s, 0.99), 99.0);
    }

    #[test]
    fn finds_linked_assets() {
        let page = r#"<link href="/numerous-static/v/a.css"><script src="/numerous-static/v/b.js"></script><a href="/x">"#;
        assert_eq!(
            linked_assets(page),
            ["/numerous-static/v/a.css", "/numerous-static/v/b.js"]
        );
    }
}
