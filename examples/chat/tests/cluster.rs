//! The chat on three instances behind nginx, sessions and topics in Redis, one shared database:
//! 100 signed-in tabs spread over the instances post a message each; one instance is killed
//! with `kill -9`; its tabs reconnect through nginx to the others, and every tab posts again.
//! In the end every tab shows every message exactly once: none lost while its page moved, none
//! twice although it came both from the history and live.
//!
//! Needs `redis-server` and `nginx` (`.ci/run` installs them; `NUMEROUS_REQUIRE_REDIS=1` and
//! `NUMEROUS_REQUIRE_NGINX=1` make their absence a failure). The instances share one SQLite
//! database file.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use testkit::cluster::{Instance, Nginx, Redis, TempDir};
use testkit::tungstenite::Message;
use testkit::{Ws, connect, login};

const BINARY: &str = env!("CARGO_BIN_EXE_example-chat");
const TABS: usize = 100;

/// A marker unique to this run and test: the database may be shared with other tests and
/// earlier runs (PostgreSQL), whose messages are history here.
fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{:x}{nanos:x}", std::process::id())
}
const USERS: usize = 10;

struct Tab {
    ws: Option<Ws>,
    session: Option<String>,
    cookie: String,
    /// Message markers seen in anything the tab was sent.
    seen: HashSet<String>,
}

impl Tab {
    /// Connects (resuming its session) until welcomed.
    async fn connect(&mut self, addr: SocketAddr) -> Value {
        let start = Instant::now();
        let mut last = String::new();
        loop {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "no welcome in 20 s: {last}"
            );
            let headers = [("cookie", self.cookie.as_str())];
            let mut ws = match connect(addr, "/ws", self.session.as_deref(), &headers).await {
                Ok(ws) => ws,
                Err(e) => {
                    last = e.to_string();
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let frame = next(&mut ws).await;
            if let Some(f) = frame.clone().filter(|f| f["type"] == "welcome") {
                if let Some(id) = &self.session {
                    assert_eq!(f["session"], id.as_str(), "the session was lost");
                }
                self.session = Some(f["session"].as_str().unwrap().to_owned());
                self.note(&f);
                self.ws = Some(ws);
                return f;
            } else {
                last = format!("{frame:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Notes the messages a frame shows (in the feed: a welcome's, or a patch's).
    fn note(&mut self, frame: &Value) {
        let feed = frame["state"]["messages"].to_string();
        for part in feed.split(['"', ' ', '\\']) {
            if part.starts_with("msg-") {
                self.seen.insert(part.to_owned());
            }
        }
    }

    /// Posts `text` and waits until the tab shows it. A socket that dies first: the tab
    /// reconnects, and its welcome says whether the message was stored (a page that moved
    /// catches up before it is shown); if not, it posts again.
    async fn post(&mut self, addr: SocketAddr, text: &str) {
        loop {
            if self.ws.is_none() {
                self.connect(addr).await;
            }
            if self.seen.contains(text) {
                return;
            }
            let ws = self.ws.as_mut().unwrap();
            let frames = [json!({"type": "msg", "widget": "messages", "content": {"text": text}})];
            let mut ok = true;
            for f in frames {
                ok &= ws.send(Message::Text(f.to_string().into())).await.is_ok();
            }
            while ok && !self.seen.contains(text) {
                match next(self.ws.as_mut().unwrap()).await {
                    Some(f) => {
                        assert_ne!(f["type"], "error", "{f}");
                        self.note(&f);
                    }
                    None => ok = false,
                }
            }
            if ok {
                return;
            }
            self.ws = None;
        }
    }

    /// Reads until every marker in `wanted` was seen, reconnecting as needed.
    async fn wait_for(&mut self, addr: SocketAddr, wanted: &HashSet<String>) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !wanted.is_subset(&self.seen) {
            assert!(
                Instant::now() < deadline,
                "missing {:?}",
                wanted.difference(&self.seen).take(5).collect::<Vec<_>>()
            );
            if self.ws.is_none() {
                self.connect(addr).await;
                continue;
            }
            match next(self.ws.as_mut().unwrap()).await {
                Some(f) => {
                    assert_ne!(f["type"], "error", "{f}");
                    self.note(&f);
                }
                None => self.ws = None,
            }
        }
    }
}

/// The next text frame as JSON; `None` when the socket closed or failed.
async fn next(ws: &mut Ws) -> Option<Value> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return serde_json::from_str(&t).ok(),
            Ok(Some(Ok(Message::Close(c)))) => {
                eprintln!("closed: {c:?}");
                return None;
            }
            Ok(Some(Err(e))) => {
                eprintln!("failed: {e}");
                return None;
            }
            Ok(None) => return None,
            Err(_) => {
                eprintln!("nothing for 10 s");
                return None;
            }
            Ok(Some(Ok(_))) => {}
        }
    }
}

/// Redis, three chat instances sharing it and one SQLite file, nginx in front; `None` where
/// Redis or nginx is not installed.
struct Cluster {
    nginx: Nginx,
    instances: Vec<Instance>,
    _redis: Redis,
    _dir: TempDir,
}

async fn cluster() -> Option<Cluster> {
    let redis = Redis::start().await?;
    let dir = TempDir::new("chat-cluster");
    // PostgreSQL where there is one (what several instances would share in production), else a
    // SQLite file (whose one writer at a time makes this slower).
    let database = std::env::var("NUMEROUS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", dir.0.join("chat.db").display()));
    let url = redis.url();
    let secret = "a shared secret of thirty-two bytes or more";
    let env = [
        ("DATABASE_URL", database.as_str()),
        ("NUMEROUS_JWT_SECRET", secret),
    ];
    let args = ["--session-store", &url, "--max-sessions-per-client", "0"];
    let mut instances = Vec::new();
    for _ in 0..3 {
        instances.push(Instance::start_with_env(BINARY, &args, &env).await);
    }
    let ports: Vec<u16> = instances.iter().map(|i| i.port).collect();
    let nginx = Nginx::start(&ports).await?;
    Some(Cluster {
        nginx,
        instances,
        _redis: redis,
        _dir: dir,
    })
}

/// `n` signed-in tabs (over `USERS` users), connected through `addr`.
async fn open_tabs(addr: SocketAddr, n: usize) -> Vec<Tab> {
    let mut cookies = Vec::new();
    for u in 0..USERS {
        cookies.push(login(addr, "", &format!("user{u}"), "").await.cookie());
    }
    let mut tabs = Vec::new();
    for i in 0..n {
        let mut tab = Tab {
            ws: None,
            session: None,
            cookie: cookies[i % USERS].clone(),
            seen: HashSet::new(),
        };
        tab.connect(addr).await;
        tabs.push(tab);
    }
    tabs
}

/// Each tab reconnects and counts the markers its page shows: every one of `all`, once.
async fn shown_exactly_once(addr: SocketAddr, tabs: &mut [Tab], all: &HashSet<String>) {
    for tab in tabs {
        tab.ws = None;
        let welcome = tab.connect(addr).await;
        let mut count: HashMap<String, usize> = HashMap::new();
        for line in welcome["state"]["messages"]["messages"].as_array().unwrap() {
            let line = line.to_string();
            for part in line.split(['"', ' ']) {
                if part.starts_with("msg-") {
                    *count.entry(part.to_owned()).or_default() += 1;
                }
            }
        }
        for m in all {
            assert_eq!(count.get(m), Some(&1), "{m} in {welcome}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_reaches_every_tab_exactly_once_across_a_kill_9() {
    let Some(mut c) = cluster().await else {
        return;
    };
    let addr = c.nginx.addr();
    let mut tabs = open_tabs(addr, TABS).await;

    let run = run_id();
    let run = run.as_str();
    let round =
        |r: usize| -> HashSet<String> { (0..TABS).map(|i| format!("msg-{run}-{r}-{i}")).collect() };
    // Round 1: everybody posts; everybody sees all of it.
    let all1 = round(1);
    tabs = futures_util::future::join_all(tabs.into_iter().enumerate().map(|(i, mut tab)| {
        let all = all1.clone();
        async move {
            tab.post(addr, &format!("msg-{run}-1-{i}")).await;
            tab.wait_for(addr, &all).await;
            tab
        }
    }))
    .await;

    c.instances[0].kill();

    // Round 2, while a third of the pages move to the other instances.
    let mut all2 = round(2);
    all2.extend(all1.iter().cloned());
    tabs = futures_util::future::join_all(tabs.into_iter().enumerate().map(|(i, mut tab)| {
        let all = all2.clone();
        async move {
            tab.post(addr, &format!("msg-{run}-2-{i}")).await;
            tab.wait_for(addr, &all).await;
            tab
        }
    }))
    .await;

    // What each page shows in the end: every message, once.
    shown_exactly_once(addr, &mut tabs, &all2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_under_load_loses_no_message_and_shows_no_error() {
    let Some(mut c) = cluster().await else {
        return;
    };
    let addr = c.nginx.addr();
    let tabs = open_tabs(addr, 30).await;
    let run = run_id();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Every tab posts, one message after the other (each until its page shows it), while the
    // instances restart one by one.
    let load: Vec<_> = tabs
        .into_iter()
        .enumerate()
        .map(|(i, mut tab)| {
            let stop = stop.clone();
            let run = run.clone();
            tokio::spawn(async move {
                let mut posted = Vec::new();
                for k in 0..8 {
                    if k > 0 && stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let text = format!("msg-{run}-{i}-{k}");
                    tab.post(addr, &text).await;
                    posted.push(text);
                }
                (tab, posted)
            })
        })
        .collect();
    for i in 0..3 {
        c.instances[i].terminate().await;
        c.instances[i].restart().await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut tabs = Vec::new();
    let mut all = HashSet::new();
    for task in load {
        let (tab, posted) = task.await.unwrap();
        all.extend(posted);
        tabs.push(tab);
    }
    let all = std::sync::Arc::new(all);
    let mut tabs = futures_util::future::join_all(tabs.into_iter().map(|mut tab| {
        let all = all.clone();
        async move {
            tab.wait_for(addr, &all).await;
            tab
        }
    }))
    .await;
    shown_exactly_once(addr, &mut tabs, &all).await;
}
