//! Faults injected under load, and a checker of what every tab was shown.
//!
//! - [`Proxy`]: a TCP proxy of the test's own between app instances and Redis, which can cut
//!   every connection (FIN), reset them (RST), delay every chunk, stop forwarding (blackhole:
//!   bytes wait, as TCP retransmits them, until it resumes) and resume.
//! - [`Load`]: N tabs of the counter app (WebSocket or the fallback transport) clicking through
//!   an address (nginx, or one instance), each recording every click it sent, every value it was
//!   shown, every welcome, error frame and close, with timestamps ([`History`]).
//! - [`check`]: reads those histories after the faults healed and lists every violation of the
//!   durability promise ([`Violation`]): an acknowledged click lost, a click applied twice, a
//!   tab shown an older state than before, a session that came back empty while its record
//!   was not lost, a click or a connection left without an answer for longer than the bound.
//!
//! Process faults are on [`crate::cluster`]: [`Redis::pause`](crate::cluster::Redis::pause),
//! [`Instance::signal`](crate::cluster::Instance::signal), [`Nginx::reload`](crate::cluster::Nginx::reload).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

/// What the proxy does with the bytes it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Forwards every chunk `delay` after it was read.
    Forward { delay: Duration },
    /// Forwards nothing (and connects no new connection upstream) until it resumes; what was
    /// read meanwhile is forwarded then, in order.
    Blackhole,
}

/// A TCP proxy on a free loopback port in front of `127.0.0.1:<upstream>`.
#[derive(Debug)]
pub struct Proxy {
    pub port: u16,
    mode: watch::Sender<Mode>,
    /// Bumped by every cut; `true` when the cut is a reset.
    cuts: watch::Sender<(u64, bool)>,
    accept: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Starts one in front of `upstream`.
    pub async fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (mode, _) = watch::channel(Mode::Forward {
            delay: Duration::ZERO,
        });
        let (cuts, _) = watch::channel((0, false));
        let (m, c) = (mode.clone(), cuts.clone());
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(proxy_one(client, upstream, m.subscribe(), c.subscribe()));
            }
        });
        Proxy {
            port,
            mode,
            cuts,
            accept,
        }
    }

    /// `redis://127.0.0.1:<port>`: Redis through the proxy.
    pub fn redis_url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Closes every open connection (FIN both ways); new ones are forwarded as before.
    pub fn cut(&self) {
        self.cuts.send_modify(|(n, reset)| {
            *n += 1;
            *reset = false;
        });
    }

    /// Resets every open connection (RST both ways), mid-request if one is under way.
    pub fn reset(&self) {
        self.cuts.send_modify(|(n, reset)| {
            *n += 1;
            *reset = true;
        });
    }

    /// Forwards every chunk `delay` after it was read.
    pub fn delay(&self, delay: Duration) {
        self.mode.send_replace(Mode::Forward { delay });
    }

    /// Stops forwarding (see [`Mode::Blackhole`]).
    pub fn blackhole(&self) {
        self.mode.send_replace(Mode::Blackhole);
    }

    /// Forwards at once again.
    pub fn resume(&self) {
        self.delay(Duration::ZERO);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.reset();
    }
}

async fn wait_forwarding(mode: &mut watch::Receiver<Mode>) -> Duration {
    loop {
        if let Mode::Forward { delay } = *mode.borrow_and_update() {
            return delay;
        }
        if mode.changed().await.is_err() {
            return Duration::ZERO;
        }
    }
}

async fn proxy_one(
    mut client: TcpStream,
    upstream: u16,
    mut mode: watch::Receiver<Mode>,
    mut cuts: watch::Receiver<(u64, bool)>,
) {
    cuts.borrow_and_update();
    // A blackholed network connects nothing: the client's connection waits (or times out).
    let connect = async {
        wait_forwarding(&mut mode.clone()).await;
        TcpStream::connect(("127.0.0.1", upstream)).await
    };
    let mut server = tokio::select! {
        s = connect => match s {
            Ok(s) => s,
            Err(_) => return,
        },
        _ = cuts.changed() => {
            let reset = cuts.borrow().1;
            end(&client, None, reset);
            return;
        }
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let reset = {
        let (cr, cw) = client.split();
        let (sr, sw) = server.split();
        let up = pump(cr, sw, mode.clone());
        let down = pump(sr, cw, mode.clone());
        tokio::select! {
            _ = futures_util::future::join(up, down) => false,
            _ = cuts.changed() => cuts.borrow().1,
        }
    };
    mode.borrow_and_update();
    end(&client, Some(&server), reset);
}

/// Closes both sockets: with an RST when `reset` (SO_LINGER 0), else with a FIN.
fn end(client: &TcpStream, server: Option<&TcpStream>, reset: bool) {
    for s in std::iter::once(client).chain(server) {
        if reset {
            let _ = socket2::SockRef::from(s).set_linger(Some(Duration::ZERO));
        } else {
            let _ = socket2::SockRef::from(s).shutdown(std::net::Shutdown::Both);
        }
    }
}

/// Copies `from` to `to`, each chunk `delay` after it was read (the delay in force when it was
/// read), and nothing while the proxy is a blackhole.
async fn pump(
    mut from: tokio::net::tcp::ReadHalf<'_>,
    mut to: tokio::net::tcp::WriteHalf<'_>,
    mode: watch::Receiver<Mode>,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let mut forwarding = mode.clone();
    let read = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match from.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    let delay = match *mode.borrow() {
                        Mode::Forward { delay } => delay,
                        Mode::Blackhole => Duration::ZERO,
                    };
                    if tx
                        .send((Instant::now() + delay, buf[..n].to_vec()))
                        .is_err()
                    {
                        return;
                    }
                }
            }
        }
    };
    let write = async move {
        while let Some((at, bytes)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            wait_forwarding(&mut forwarding).await;
            if to.write_all(&bytes).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    };
    futures_util::future::join(read, write).await;
}

// ---------------------------------------------------------------------------------------------
// The load driver

/// How a tab talks to its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    WebSocket,
    /// Server-sent events in, POSTs out.
    Sse,
}

/// One thing a tab did or saw, at `at` (since the load started).
#[derive(Debug, Clone)]
pub struct Entry {
    pub at: Duration,
    pub event: Event,
}

/// What a tab did or saw.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// It tried to connect (resuming its session if it has one).
    Connecting,
    /// The connection could not be made, or was refused with this HTTP status (0: no answer).
    Refused(u16),
    /// A welcome: the session, whether it was resumed, and its click count.
    Welcome {
        session: String,
        resumed: bool,
        value: u64,
    },
    /// A click went out (the n-th of the tab).
    Sent,
    /// A patch showed this click count.
    Shown(u64),
    /// An error frame.
    Error(String),
    /// The connection closed (with this close code; 1006 without one).
    Closed(u16),
    /// Nothing came for so long that the tab gave up on the connection and reconnects.
    Stalled,
}

/// Everything one tab did and saw.
#[derive(Debug, Clone)]
pub struct History {
    pub tab: usize,
    pub transport: Transport,
    pub entries: Vec<Entry>,
    /// When the tab began its last round (the load stopped): its final welcome comes after.
    pub last_round: Option<Duration>,
}

/// N tabs clicking, each in its own task, until [`Load::finish`].
#[derive(Debug)]
pub struct Load {
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<History>>,
    started: Instant,
}

/// How long a tab waits for anything before it calls its connection stalled and reconnects.
const STALL: Duration = Duration::from_secs(15);

impl Load {
    /// Opens `tabs` tabs on `addr` (every `sse_every`-th on the fallback transport; 0: none),
    /// each clicking the counter's button and waiting for its answer, then pausing a little
    /// (seeded by `seed`).
    pub fn start(addr: SocketAddr, tabs: usize, sse_every: usize, seed: u64) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let tasks = (0..tabs)
            .map(|i| {
                let transport = if sse_every > 0 && i % sse_every == sse_every - 1 {
                    Transport::Sse
                } else {
                    Transport::WebSocket
                };
                let stop = stop.clone();
                let rng = seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                tokio::spawn(run_tab(addr, i, transport, stop, started, rng))
            })
            .collect();
        Load {
            stop,
            tasks,
            started,
        }
    }

    /// Time since the load started (the clock of every [`Entry`]).
    pub fn now(&self) -> Duration {
        self.started.elapsed()
    }

    /// Stops the clicking; every tab then connects once more and records the welcome it gets
    /// (the session's final state). The histories, by tab.
    pub async fn finish(self) -> Vec<History> {
        self.stop.store(true, Ordering::Relaxed);
        let mut out = Vec::new();
        for t in self.tasks {
            out.push(t.await.expect("a tab's task does not panic"));
        }
        out
    }
}

/// A tab's connection, on either transport.
enum Conn {
    Ws(crate::Ws),
    Sse {
        addr: SocketAddr,
        events: tokio::io::BufReader<TcpStream>,
        send: String,
        /// What the stream and the sends name for the load balancer.
        route: String,
    },
}

/// What reading a connection gave.
enum Read {
    Frame(Value),
    Closed(u16),
    Stalled,
}

impl Conn {
    async fn open(
        addr: SocketAddr,
        transport: Transport,
        session: Option<&str>,
    ) -> Result<Conn, u16> {
        match transport {
            Transport::WebSocket => {
                let ws =
                    tokio::time::timeout(STALL, crate::connect(addr, "/ws", session, &[])).await;
                match ws {
                    Ok(Ok(ws)) => Ok(Conn::Ws(ws)),
                    Ok(Err(tokio_tungstenite::tungstenite::Error::Http(r))) => {
                        Err(r.status().as_u16())
                    }
                    _ => Err(0),
                }
            }
            Transport::Sse => {
                // As the browser client does: every request of the tab names a route (its
                // session, or a key of its own), so the load balancer sends them to one instance.
                let route = session.map_or_else(|| format!("{:032x}", fastrand()), str::to_owned);
                let extra =
                    session.map_or(String::new(), |s| format!("\r\nX-Numerous-Session: {s}"));
                let r = tokio::time::timeout(
                    STALL,
                    try_http(
                        addr,
                        &format!(
                            "POST /sse?session={route} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0{extra}"
                        ),
                        b"",
                    ),
                )
                .await
                .map_err(|_| 0u16)?
                .ok_or(0u16)?;
                if r.status != 200 {
                    return Err(r.status);
                }
                let tokens: Value = serde_json::from_str(&r.body).map_err(|_| 0u16)?;
                let (Some(stream), Some(send)) =
                    (tokens["stream"].as_str(), tokens["send"].as_str())
                else {
                    return Err(0);
                };
                let mut s = TcpStream::connect(addr).await.map_err(|_| 0u16)?;
                s.write_all(
                    format!("GET /sse?stream={stream}&session={route} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                        .as_bytes(),
                )
                .await
                .map_err(|_| 0u16)?;
                let mut events = tokio::io::BufReader::new(s);
                crate::open_event_stream(&mut events, STALL).await?;
                Ok(Conn::Sse {
                    addr,
                    events,
                    send: send.to_owned(),
                    route,
                })
            }
        }
    }

    /// Sends a click; false if it could not go out (the connection is gone).
    async fn click(&mut self) -> bool {
        let frame = json!({"type": "msg", "widget": "increment", "content": {"event": "click"}});
        match self {
            Conn::Ws(ws) => ws
                .send(Message::Text(frame.to_string().into()))
                .await
                .is_ok(),
            Conn::Sse {
                addr, send, route, ..
            } => {
                let body = Value::Array(vec![frame]).to_string();
                let head = format!(
                    "POST /sse/send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Numerous-Stream: {send}\r\nX-Numerous-Session: {route}\r\nContent-Length: {}",
                    body.len()
                );
                let r = tokio::time::timeout(STALL, try_http(*addr, &head, body.as_bytes())).await;
                matches!(r, Ok(Some(r)) if r.status < 300)
            }
        }
    }

    async fn read(&mut self) -> Read {
        match self {
            Conn::Ws(ws) => loop {
                match tokio::time::timeout(STALL, ws.next()).await {
                    Err(_) => return Read::Stalled,
                    Ok(Some(Ok(Message::Text(t)))) => {
                        return serde_json::from_str(&t).map_or(Read::Closed(1007), Read::Frame);
                    }
                    Ok(Some(Ok(Message::Close(c)))) => {
                        return Read::Closed(c.map_or(1005, |f| u16::from(f.code)));
                    }
                    Ok(Some(Ok(_))) => {}
                    Ok(Some(Err(_)) | None) => return Read::Closed(1006),
                }
            },
            Conn::Sse { events, .. } => {
                let mut kind = String::new();
                let mut data = String::new();
                loop {
                    let mut line = String::new();
                    match tokio::time::timeout(STALL, events.read_line(&mut line)).await {
                        Err(_) => return Read::Stalled,
                        Ok(Ok(n)) if n > 0 => {}
                        Ok(_) => return Read::Closed(1006),
                    }
                    let line = line.trim_end_matches(['\r', '\n']);
                    if let Some(d) = line.strip_prefix("data:") {
                        data.push_str(d.trim_start());
                    } else if let Some(e) = line.strip_prefix("event:") {
                        e.trim().clone_into(&mut kind);
                    } else if line.is_empty() && !data.is_empty() {
                        if kind == "close" {
                            return Read::Closed(data.parse().unwrap_or(1006));
                        }
                        return serde_json::from_str(&data).map_or(Read::Closed(1007), Read::Frame);
                    }
                }
            }
        }
    }
}

/// A random 128-bit key (for routes; not for secrets).
fn fastrand() -> u128 {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(1);
    let a = h.finish();
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(2);
    (u128::from(a) << 64) | u128::from(h.finish())
}

/// A small xorshift: the pauses between clicks and a schedule's moments, replayable from the
/// seed (which must not be 0).
pub fn next_rand(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn count_of(frame: &Value) -> Option<u64> {
    frame["state"]["counter2"]["value"]
        .as_f64()
        .map(|v| v as u64)
}

async fn run_tab(
    addr: SocketAddr,
    tab: usize,
    transport: Transport,
    stop: Arc<AtomicBool>,
    started: Instant,
    mut rng: u64,
) -> History {
    let mut h = History {
        tab,
        transport,
        entries: Vec::new(),
        last_round: None,
    };
    let log = |h: &mut History, event: Event| {
        h.entries.push(Entry {
            at: started.elapsed(),
            event,
        });
    };
    let mut session: Option<String> = None;
    // Once stopped: one last welcome, then done (a tab never welcomed again gives up after
    // `STALL` twice, and the checker says so).
    let mut last_round: Option<Instant> = None;
    loop {
        if stop.load(Ordering::Relaxed) && last_round.is_none() {
            last_round = Some(Instant::now());
            h.last_round = Some(started.elapsed());
        }
        if last_round.is_some_and(|at| at.elapsed() > STALL * 2) {
            return h;
        }
        log(&mut h, Event::Connecting);
        let mut conn = match Conn::open(addr, transport, session.as_deref()).await {
            Ok(c) => c,
            Err(status) => {
                log(&mut h, Event::Refused(status));
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // The welcome.
        let welcomed = loop {
            match conn.read().await {
                Read::Frame(f) if f["type"] == "welcome" => {
                    let id = f["session"].as_str().unwrap_or_default().to_owned();
                    log(
                        &mut h,
                        Event::Welcome {
                            session: id.clone(),
                            resumed: f["resumed"] == true,
                            value: count_of(&f).unwrap_or(u64::MAX),
                        },
                    );
                    session = Some(id);
                    break true;
                }
                Read::Frame(f) if f["type"] == "error" => {
                    log(
                        &mut h,
                        Event::Error(f["code"].as_str().unwrap_or("?").into()),
                    );
                }
                Read::Frame(_) => {}
                Read::Closed(code) => {
                    log(&mut h, Event::Closed(code));
                    break false;
                }
                Read::Stalled => {
                    log(&mut h, Event::Stalled);
                    break false;
                }
            }
        };
        if !welcomed {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        if last_round.is_some() {
            return h;
        }
        // Clicks, each waiting for its answer.
        'clicks: loop {
            if stop.load(Ordering::Relaxed) {
                break 'clicks;
            }
            log(&mut h, Event::Sent);
            if !conn.click().await {
                log(&mut h, Event::Closed(1006));
                break 'clicks;
            }
            loop {
                match conn.read().await {
                    Read::Frame(f) if f["type"] == "patch" => {
                        if let Some(v) = count_of(&f) {
                            log(&mut h, Event::Shown(v));
                            break;
                        }
                    }
                    Read::Frame(f) if f["type"] == "error" => {
                        log(
                            &mut h,
                            Event::Error(f["code"].as_str().unwrap_or("?").into()),
                        );
                        break;
                    }
                    Read::Frame(_) => {}
                    Read::Closed(code) => {
                        log(&mut h, Event::Closed(code));
                        break 'clicks;
                    }
                    Read::Stalled => {
                        log(&mut h, Event::Stalled);
                        break 'clicks;
                    }
                }
            }
            let pause = 5 + next_rand(&mut rng) % 40;
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
        if let Conn::Ws(mut ws) = conn {
            let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(None)).await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An HTTP exchange that fails softly: `None` when the connection could not be made or the
/// answer was cut.
async fn try_http(addr: SocketAddr, head: &str, body: &[u8]) -> Option<crate::Response> {
    let mut s = TcpStream::connect(addr).await.ok()?;
    s.write_all(format!("{head}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .ok()?;
    s.write_all(body).await.ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.ok()?;
    if raw.is_empty() {
        return None;
    }
    Some(crate::parse_response(&raw))
}

// ---------------------------------------------------------------------------------------------
// The checker

/// A broken promise, with the tab and the moment it shows in.
#[derive(Debug, Clone)]
pub struct Violation {
    pub tab: usize,
    pub at: Duration,
    pub what: String,
}

/// What the checker is told about the run.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// When the last fault healed (on the load's clock).
    pub healed: Duration,
    /// How long after `max(the moment it was asked, healed)` a click or a connection must get
    /// its answer, an error frame or a close.
    pub bound: Duration,
    /// Whether the store may really have lost records (Redis restarted empty *and* the
    /// instance that held a session died): then a session may come back as a new one.
    pub records_may_be_lost: bool,
}

/// Checks every tab's history; every violation found (empty: the promise held).
pub fn check(histories: &[History], rules: Rules) -> Vec<Violation> {
    let mut out = Vec::new();
    for h in histories {
        check_one(h, rules, &mut out);
    }
    out
}

fn check_one(h: &History, rules: Rules, out: &mut Vec<Violation>) {
    let mut v = |at: Duration, what: String| {
        out.push(Violation {
            tab: h.tab,
            at,
            what,
        });
    };
    // Per session: clicks sent, the highest count shown.
    let mut session: Option<String> = None;
    let mut sent: BTreeMap<String, u64> = BTreeMap::new();
    let mut shown: u64 = 0;
    let mut waiting: Option<(Duration, &'static str)> = None;
    let mut final_welcome = None;
    for e in &h.entries {
        // Anything that answers ends the wait: a welcome, a patch, an error, a close.
        let answers = matches!(
            e.event,
            Event::Welcome { .. }
                | Event::Shown(_)
                | Event::Error(_)
                | Event::Closed(_)
                | Event::Refused(_)
        );
        if let Some((asked, what)) = waiting
            && (answers || e.event == Event::Stalled)
        {
            let limit = asked.max(rules.healed) + rules.bound;
            if e.at > limit {
                v(
                    e.at,
                    format!(
                        "{what} asked at {asked:?} got nothing until {:?} (bound: {limit:?})",
                        e.at
                    ),
                );
            }
            waiting = None;
        }
        // Once the faults healed (and the bound passed), nothing is refused any more.
        let refused = match &e.event {
            Event::Refused(status) => Some(format!("refused with {status}")),
            Event::Error(code) => Some(format!("an error frame `{code}`")),
            Event::Closed(1013) => Some("closed with 1013 (try later)".to_owned()),
            _ => None,
        };
        if let Some(what) = refused
            && e.at > rules.healed + rules.bound
        {
            v(e.at, format!("{what} after the faults healed"));
        }
        match &e.event {
            Event::Connecting => waiting = Some((e.at, "a connection")),
            Event::Sent => {
                waiting = Some((e.at, "a click"));
                if let Some(s) = &session {
                    *sent.entry(s.clone()).or_default() += 1;
                }
            }
            Event::Welcome {
                session: id,
                resumed,
                value,
            } => {
                match &session {
                    Some(old) if old != id => {
                        if !rules.records_may_be_lost {
                            v(
                                e.at,
                                format!(
                                    "session {old} came back as a new session {id} (shown {shown})"
                                ),
                            );
                        }
                        shown = 0;
                    }
                    Some(_) if !resumed => {
                        v(
                            e.at,
                            format!("welcomed to its own session {id} as a new one"),
                        );
                    }
                    _ => {}
                }
                if *value < shown {
                    v(
                        e.at,
                        format!("welcomed with {value} after it was shown {shown}: went back"),
                    );
                }
                let s = sent.get(id).copied().unwrap_or(0);
                if *value > s {
                    v(
                        e.at,
                        format!("welcomed with {value} but sent only {s} clicks: applied twice"),
                    );
                }
                shown = shown.max(*value);
                session = Some(id.clone());
                final_welcome = Some((e.at, id.clone(), *value));
            }
            Event::Shown(value) => {
                if *value < shown {
                    v(e.at, format!("shown {value} after {shown}: went back"));
                }
                let s = session
                    .as_ref()
                    .and_then(|id| sent.get(id).copied())
                    .unwrap_or(0);
                if *value > s {
                    v(
                        e.at,
                        format!("shown {value} but sent only {s} clicks: applied twice"),
                    );
                }
                shown = shown.max(*value);
            }
            Event::Error(_) | Event::Closed(_) | Event::Refused(_) | Event::Stalled => {}
        }
    }
    if let Some((asked, what)) = waiting {
        v(
            asked,
            format!("{what} asked at {asked:?} never got an answer"),
        );
    }
    match final_welcome {
        None => v(Duration::ZERO, "never welcomed".into()),
        Some((at, _, _)) if h.last_round.is_some_and(|last| at < last) => v(
            at,
            "not welcomed again once the load stopped (the session's final state is unknown)"
                .into(),
        ),
        Some((at, _, value)) if value < shown => v(
            at,
            format!("ended with {value} after it was shown {shown}: acknowledged clicks lost"),
        ),
        Some(_) => {}
    }
}

/// Prints the run's summary and the first violating history (with `seed`), and fails the test
/// if anything was violated.
pub fn assert_held(seed: u64, name: &str, histories: &[History], rules: Rules) {
    let violations = check(histories, rules);
    let clicks: usize = histories
        .iter()
        .map(|h| {
            h.entries
                .iter()
                .filter(|e| matches!(e.event, Event::Shown(_)))
                .count()
        })
        .sum::<usize>();
    let worst = worst_answer_after(histories, rules.healed);
    eprintln!(
        "{name} (seed {seed}): {} tabs, {clicks} clicks acknowledged, {} violations; slowest answer after the heal {worst:?}",
        histories.len(),
        violations.len()
    );
    if let Some(first) = violations.first() {
        let h = &histories[first.tab];
        let around: Vec<String> = h
            .entries
            .iter()
            .filter(|e| e.at + Duration::from_secs(3) >= first.at)
            .take(40)
            .map(|e| format!("{:>8.3}s {:?}", e.at.as_secs_f64(), e.event))
            .collect();
        let all: Vec<String> = violations
            .iter()
            .take(20)
            .map(|v| format!("tab {} at {:?}: {}", v.tab, v.at, v.what))
            .collect();
        panic!(
            "{name} (seed {seed}): {} violations; the first ones:\n{}\nthe first violating history (tab {}, {:?}), from 3 s before:\n{}",
            violations.len(),
            all.join("\n"),
            h.tab,
            h.transport,
            around.join("\n")
        );
    }
}

/// The longest a click or connection asked before the heal waited past the heal for its
/// answer.
pub fn worst_answer_after(histories: &[History], healed: Duration) -> Duration {
    let mut worst = Duration::ZERO;
    for h in histories {
        let mut asked = None;
        for e in &h.entries {
            match e.event {
                Event::Sent | Event::Connecting => asked = Some(e.at),
                _ => {
                    if let Some(a) = asked.take()
                        && a <= healed
                        && e.at > healed
                    {
                        worst = worst.max(e.at - healed);
                    }
                }
            }
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(events: &[(u64, Event)]) -> History {
        History {
            tab: 0,
            transport: Transport::WebSocket,
            last_round: None,
            entries: events
                .iter()
                .map(|(ms, event)| Entry {
                    at: Duration::from_millis(*ms),
                    event: event.clone(),
                })
                .collect(),
        }
    }

    fn welcome(session: &str, resumed: bool, value: u64) -> Event {
        Event::Welcome {
            session: session.into(),
            resumed,
            value,
        }
    }

    const RULES: Rules = Rules {
        healed: Duration::from_secs(1),
        bound: Duration::from_secs(5),
        records_may_be_lost: false,
    };

    fn whats(events: &[(u64, Event)]) -> Vec<String> {
        check(&[history(events)], RULES)
            .into_iter()
            .map(|v| v.what)
            .collect()
    }

    #[test]
    fn a_clean_history_holds() {
        let h = [
            (0, Event::Connecting),
            (1, welcome("a", false, 0)),
            (2, Event::Sent),
            (3, Event::Shown(1)),
            (4, Event::Sent),
            (5, Event::Closed(1006)),
            (6, Event::Connecting),
            // The click in flight was applied: the welcome shows it.
            (7, welcome("a", true, 2)),
        ];
        assert_eq!(whats(&h), Vec::<String>::new());
    }

    #[test]
    fn an_acknowledged_click_lost_is_found() {
        let h = [
            (0, Event::Connecting),
            (1, welcome("a", false, 0)),
            (2, Event::Sent),
            (3, Event::Shown(1)),
            (4, Event::Closed(1006)),
            (5, Event::Connecting),
            (6, welcome("a", true, 0)),
        ];
        let found = whats(&h);
        assert!(found.iter().any(|w| w.contains("went back")), "{found:?}");
        assert!(
            found.iter().any(|w| w.contains("acknowledged clicks lost")),
            "{found:?}"
        );
    }

    #[test]
    fn a_click_applied_twice_is_found() {
        let h = [
            (0, Event::Connecting),
            (1, welcome("a", false, 0)),
            (2, Event::Sent),
            (3, Event::Shown(2)),
        ];
        assert!(whats(&h)[0].contains("applied twice"));
    }

    #[test]
    fn a_session_back_empty_is_found_unless_records_may_be_lost() {
        let h = [
            (0, Event::Connecting),
            (1, welcome("a", false, 0)),
            (2, Event::Sent),
            (3, Event::Shown(1)),
            (4, Event::Closed(1001)),
            (5, Event::Connecting),
            (6, welcome("b", false, 0)),
        ];
        assert!(whats(&h)[0].contains("came back as a new session"));
        let lenient = Rules {
            records_may_be_lost: true,
            ..RULES
        };
        assert!(check(&[history(&h)], lenient).is_empty());
    }

    #[test]
    fn an_answer_later_than_the_bound_is_found() {
        let h = [
            (0, Event::Connecting),
            (1, welcome("a", false, 0)),
            // Asked before the heal (1 s): due by 6 s.
            (500, Event::Sent),
            (6_500, Event::Shown(1)),
            // Asked after it: due 5 s after it was asked.
            (7_000, Event::Sent),
            (11_000, Event::Shown(2)),
            (12_000, Event::Sent),
        ];
        let found = whats(&h);
        let late: Vec<&String> = found
            .iter()
            .filter(|w| w.contains("got nothing until"))
            .collect();
        assert_eq!(late.len(), 1, "{found:?}");
        assert!(late[0].contains("asked at 500ms"), "{found:?}");
        assert!(
            found.iter().any(|w| w.contains("never got an answer")),
            "{found:?}"
        );
    }
}
