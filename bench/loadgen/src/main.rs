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
    /// Server process id, for its memory; without it memory is not reported.
    #[arg(long)]
    pid: Option<u32>,
    /// Measure the bare echo floor instead of the app (starts an echo server in this process).
    #[arg(long)]
    floor: bool,
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
    /// Opens N sessions that stay idle, and reports the server's memory per session.
    Idle {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value_t = 1000)]
        sessions: usize,
    },
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
    let click = format!(r#"{{"type":"msg","widget":"{widget}","content":{{"event":"click"}}}}"#);
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
                let reply = r#"{"type":"patch","state":{"counter":{"label":"Counter:","value":1.0},"counter2":{"label":"Counter 2:","value":1.0}}}"#;
                while let Some(Ok(msg)) = ws.next().await {
                    if msg.is_text() && ws.send(Message::Text(reply.into())).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

async fn resolve(target: &Target) -> String {
    if target.floor {
        format!("ws://{}/ws", echo_server().await)
    } else {
        target.url.clone()
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
                clicker(url, widget, until, think).await
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

#[tokio::main]
async fn main() {
    let args = Args::parse();
    match args.mode {
        Mode::Run {
            target,
            sessions,
            seconds,
            think_ms,
        } => {
            let url = resolve(&target).await;
            let before = target.pid.and_then(rss_kib);
            let r = run(
                &url,
                &target.widget,
                sessions,
                seconds,
                Duration::from_millis(think_ms),
            )
            .await;
            print(if target.floor { "floor" } else { "app" }, &r);
            if let (Some(b), Some(a)) = (before, target.pid.and_then(rss_kib)) {
                println!("server RSS: {b} KiB before, {a} KiB after");
            }
        }
        Mode::Ramp {
            target,
            start,
            max,
            step_seconds,
            p99_limit_ms,
        } => {
            let url = resolve(&target).await;
            let mut n = start;
            while n <= max {
                let r = run(&url, &target.widget, n, step_seconds, Duration::ZERO).await;
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
        Mode::Idle { target, sessions } => {
            let url = resolve(&target).await;
            let pid = target.pid.unwrap_or_else(std::process::id);
            let before = rss_kib(pid).unwrap_or(0);
            let mut open_ws = Vec::with_capacity(sessions);
            let mut failures = 0;
            for _ in 0..sessions {
                match open(&url).await {
                    Ok(ws) => open_ws.push(ws),
                    Err(_) => failures += 1,
                }
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            let after = rss_kib(pid).unwrap_or(0);
            let per = (after.saturating_sub(before)) as f64 * 1024.0 / open_ws.len().max(1) as f64;
            println!(
                "idle sessions={} failures={failures} server RSS {before} KiB -> {after} KiB: {:.1} KiB per session",
                open_ws.len(),
                per / 1024.0
            );
        }
    }
}
