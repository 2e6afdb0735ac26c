//! Three instances of the counter binary behind nginx, sessions in Redis (`--session-store`):
//! every process is real and on loopback, started and stopped by the test. One instance is
//! killed with `kill -9` mid-run; all are restarted one by one under load; Redis itself is
//! restarted under a tab. Tabs are real WebSocket clients that reconnect as the browser
//! client does.
//!
//! Needs `redis-server` and `nginx` (`.ci/run` installs them; `NUMEROUS_REQUIRE_REDIS=1` and
//! `NUMEROUS_REQUIRE_NGINX=1` make their absence a failure).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use testkit::cluster::{Instance, Nginx, Redis};
use testkit::tungstenite::Message;
use testkit::{Ws, connect};

const BINARY: &str = env!("CARGO_BIN_EXE_example-counter");

/// A tab as the browser client is: it keeps its session id and reconnects when its socket
/// closes, and it remembers the counter it was last shown.
struct Tab {
    ws: Option<Ws>,
    session: Option<String>,
    shown: f64,
    /// A click was sent and its patch not seen yet (it may or may not have been applied).
    pending: bool,
    errors: Vec<Value>,
}

/// What reading a tab's socket gave.
enum Read {
    Frame(Value),
    Closed,
}

impl Tab {
    fn new() -> Tab {
        Tab {
            ws: None,
            session: None,
            shown: 0.0,
            pending: false,
            errors: Vec::new(),
        }
    }

    /// Connects (resuming its session) until welcomed; checks the welcome shows what the tab
    /// was last shown (or one more click, if one was in flight: then it counts as shown).
    /// Returns the time it took.
    async fn connect(&mut self, addr: SocketAddr) -> Duration {
        let start = Instant::now();
        loop {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no welcome within 20 s"
            );
            let Ok(ws) = connect(addr, "/ws", self.session.as_deref(), &[]).await else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            self.ws = Some(ws);
            match self.read().await {
                Read::Frame(f) if f["type"] == "welcome" => {
                    let value = f["state"]["counter"]["value"].as_f64().unwrap();
                    if let Some(id) = &self.session {
                        assert_eq!(f["session"], id.as_str(), "the session was lost: {f}");
                        assert_eq!(f["resumed"], true);
                        let ok = value == self.shown || (self.pending && value == self.shown + 1.0);
                        assert!(
                            ok,
                            "shown {} (pending {}), welcomed with {value}",
                            self.shown, self.pending
                        );
                    }
                    self.session = Some(f["session"].as_str().unwrap().to_owned());
                    self.shown = value;
                    self.pending = false;
                    return start.elapsed();
                }
                Read::Frame(f) => {
                    // Told to retry (the session is moving): the socket closes next.
                    self.errors.push(f);
                    self.ws = None;
                }
                Read::Closed => self.ws = None,
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn read(&mut self) -> Read {
        let Some(ws) = &mut self.ws else {
            return Read::Closed;
        };
        loop {
            match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => {
                    return Read::Frame(serde_json::from_str(&t).unwrap());
                }
                Ok(Some(Ok(Message::Close(_)) | Err(_)) | None) => return Read::Closed,
                Ok(Some(Ok(_))) => {}
                Err(_) => panic!("a tab got nothing for 10 s"),
            }
        }
    }

    /// Clicks once and waits for the patch, reconnecting (through `addr`) as often as needed:
    /// the counter ends one higher than before, never more.
    async fn click(&mut self, addr: SocketAddr) {
        let target = self.shown + 1.0;
        loop {
            if self.ws.is_none() {
                self.connect(addr).await;
                if self.shown == target {
                    return;
                }
            }
            let frame =
                json!({"type": "msg", "widget": "increment", "content": {"event": "click"}});
            let sent = self
                .ws
                .as_mut()
                .unwrap()
                .send(Message::Text(frame.to_string().into()))
                .await;
            if sent.is_err() {
                self.ws = None;
                continue;
            }
            self.pending = true;
            loop {
                match self.read().await {
                    Read::Frame(f) if f["type"] == "patch" => {
                        let value = f["state"]["counter"]["value"].as_f64().unwrap();
                        assert_eq!(value, self.shown + 1.0, "{f}");
                        self.shown = value;
                        self.pending = false;
                        return;
                    }
                    Read::Frame(f) => self.errors.push(f),
                    Read::Closed => {
                        // Reconnect; the welcome says whether the click was applied.
                        self.ws = None;
                        break;
                    }
                }
            }
        }
    }
}

struct Cluster {
    nginx: Nginx,
    instances: Vec<Instance>,
    redis: Redis,
}

async fn cluster(durability: &str) -> Option<Cluster> {
    let redis = Redis::start().await?;
    let url = redis.url();
    let mut instances = Vec::new();
    for _ in 0..3 {
        instances.push(
            Instance::start(
                BINARY,
                &["--session-store", &url, "--session-durability", durability],
            )
            .await,
        );
    }
    let ports: Vec<u16> = instances.iter().map(|i| i.port).collect();
    let nginx = Nginx::start(&ports).await?;
    Some(Cluster {
        nginx,
        instances,
        redis,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_an_instance_loses_no_session() {
    let Some(mut c) = cluster("shown").await else {
        return;
    };
    let addr = c.nginx.addr();
    // 100 tabs spread over the instances, each clicking a few times.
    let tabs = futures_util::future::join_all((0..100).map(|i| async move {
        let mut tab = Tab::new();
        tab.connect(addr).await;
        for _ in 0..(i % 5 + 1) {
            tab.click(addr).await;
        }
        tab
    }))
    .await;
    c.instances[0].kill();
    let killed = Instant::now();
    // Every tab clicks again: those on the dead instance find their socket gone, reconnect
    // through nginx to another instance and resume with the counter they were last shown.
    let results = futures_util::future::join_all(tabs.into_iter().map(|mut tab| async move {
        let before = tab.shown;
        tab.click(addr).await;
        assert_eq!(tab.shown, before + 1.0);
        assert!(tab.errors.is_empty(), "{:?}", tab.errors);
        tab
    }))
    .await;
    let all = killed.elapsed();
    assert_eq!(results.len(), 100);
    eprintln!("kill -9: all 100 tabs clicked again within {all:?}");
    drop(c.redis);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_under_load_shows_no_error_and_loses_no_state() {
    let Some(mut c) = cluster("shown").await else {
        return;
    };
    let addr = c.nginx.addr();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load: Vec<_> = (0..30)
        .map(|_| {
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut tab = Tab::new();
                tab.connect(addr).await;
                let mut clicks = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    tab.click(addr).await;
                    clicks += 1;
                }
                (tab, clicks)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    for i in 0..3 {
        let took = c.instances[i].terminate().await;
        assert!(took < Duration::from_secs(6), "SIGTERM took {took:?}");
        c.instances[i].restart().await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in load {
        let (mut tab, clicks) = task.await.unwrap();
        assert!(clicks > 0);
        assert!(tab.errors.is_empty(), "error frames: {:?}", tab.errors);
        // Reconnecting once more shows exactly what the tab was last shown.
        tab.ws = None;
        tab.connect(addr).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarted_under_a_tab_loses_nothing_it_was_shown() {
    let Some(mut redis) = Redis::start().await else {
        return;
    };
    let url = redis.url();
    let mut a = Instance::start(BINARY, &["--session-store", &url]).await;
    let b = Instance::start(BINARY, &["--session-store", &url]).await;
    let on_a = SocketAddr::from(([127, 0, 0, 1], a.port));
    let on_b = SocketAddr::from(([127, 0, 0, 1], b.port));
    let mut tab = Tab::new();
    tab.connect(on_a).await;
    tab.click(on_a).await;
    // Redis goes away (and comes back empty after a second): the click's answer waits for it
    // (nothing the store does not have is shown), then the tab goes on as before.
    redis.stop();
    let away = Instant::now();
    let back = async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        redis.restart().await;
    };
    let clicks = async {
        tab.click(on_a).await;
        let answered = away.elapsed();
        tab.click(on_a).await;
        answered
    };
    let ((), answered) = tokio::join!(back, clicks);
    assert!(
        answered >= Duration::from_secs(1),
        "shown after {answered:?}, before the store had it"
    );
    assert_eq!(tab.shown, 3.0);
    // Once Redis is back the session is saved again (and the instance listens again): a kill
    // of its instance then loses nothing.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        tab.click(on_a).await;
        if redis_has_session(&url, tab.session.as_deref().unwrap()).await {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the session was never saved again"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    a.kill();
    tab.ws = None;
    tab.connect(on_b).await;
    assert_eq!(tab.errors, Vec::<Value>::new());
    tab.click(on_b).await;
}

/// Whether Redis holds the session's record (read with the plain protocol).
async fn redis_has_session(url: &str, id: &str) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let port = url.rsplit(':').next().unwrap();
    let Ok(mut s) = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await else {
        return false;
    };
    let key = format!("numerous:Counter:session:{id}");
    let cmd = format!("*2\r\n$6\r\nEXISTS\r\n${}\r\n{key}\r\n", key.len());
    if s.write_all(cmd.as_bytes()).await.is_err() {
        return false;
    }
    let mut buf = [0u8; 16];
    let n = s.read(&mut buf).await.unwrap_or(0);
    &buf[..n] == b":1\r\n"
}

#[test]
fn a_store_that_cannot_be_reached_is_a_clear_start_up_error() {
    let port = testkit::cluster::free_port();
    let out = std::process::Command::new(BINARY)
        .args(["--port", "0", "--session-store"])
        .arg(format!("redis://:hunter2@127.0.0.1:{port}"))
        .output()
        .expect("the app runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot reach Redis at redis://:***@127.0.0.1"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    let out = std::process::Command::new(BINARY)
        .args(["--port", "0", "--session-store", "memcached://127.0.0.1:1"])
        .output()
        .expect("the app runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a Redis URL"), "{err}");
}
