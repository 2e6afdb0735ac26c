//! Handlers that fail or panic: the tab that caused it gets an error, the session keeps its last
//! good state, and the server and every other session go on.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use numerous::Options;
use numerous::prelude::*;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

#[numerous::app(template = "failing.html")]
#[derive(Debug)]
struct Failing {
    count: Number,
    ok: Button,
    fail: Button,
    boom: Button,
    slow_boom: Button,
}

#[numerous::handlers]
impl Failing {
    #[on_click(ok)]
    fn ok(&mut self) {
        self.count.value += 1.0;
    }

    #[on_click(fail)]
    fn fail(&mut self) -> Result<(), String> {
        self.count.value = 100.0;
        Err("the database is down".into())
    }

    #[on_click(boom)]
    fn boom(&mut self) {
        self.count.value = 666.0;
        panic!("handler bug");
    }

    #[on_click(slow_boom)]
    async fn slow_boom(&mut self, ctx: &Session) {
        self.count.value += 10.0;
        ctx.push(self);
        tokio::time::sleep(Duration::from_millis(10)).await;
        self.count.value = -1.0;
        panic!("async handler bug");
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn recv(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame in time")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

async fn click(ws: &mut Ws, widget: &str) {
    let frame = json!({"type":"msg","widget":widget,"content":{"event":"click"}});
    ws.send(Message::Text(frame.to_string().into()))
        .await
        .unwrap();
}

async fn open(addr: std::net::SocketAddr) -> Ws {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    assert_eq!(recv(&mut ws).await["type"], "welcome");
    ws
}

#[tokio::test]
async fn failing_and_panicking_handlers_roll_back_and_leave_others_alone() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(numerous::serve::<Failing>(listener, Options::default()));

    let mut a = open(addr).await;
    let mut b = open(addr).await;
    click(&mut a, "ok").await;
    assert_eq!(recv(&mut a).await["state"]["count"]["value"], 1.0);
    click(&mut b, "ok").await;
    assert_eq!(recv(&mut b).await["state"]["count"]["value"], 1.0);

    click(&mut a, "fail").await;
    let err = recv(&mut a).await;
    assert_eq!(err["code"], "handler-failed", "{err}");
    assert_eq!(err["message"], "`fail` failed: the database is down");

    click(&mut a, "boom").await;
    let err = recv(&mut a).await;
    assert_eq!(err["code"], "handler-panicked", "{err}");
    assert!(err["message"].as_str().unwrap().contains("handler bug"));

    // The async handler's pushed progress (11) is the last good state it rolls back to.
    click(&mut a, "slow_boom").await;
    assert_eq!(recv(&mut a).await["state"]["count"]["value"], 11.0);
    let err = recv(&mut a).await;
    assert_eq!(err["code"], "handler-panicked", "{err}");

    // `a` kept its last good state: the next click counts from 11, not from 100, 666 or -1.
    click(&mut a, "ok").await;
    assert_eq!(recv(&mut a).await["state"]["count"]["value"], 12.0);
    // `b` never saw any of it, and goes on.
    click(&mut b, "ok").await;
    assert_eq!(recv(&mut b).await["state"]["count"]["value"], 2.0);
    // the server still takes new sessions
    let mut c = open(addr).await;
    click(&mut c, "ok").await;
    assert_eq!(recv(&mut c).await["state"]["count"]["value"], 1.0);
}

/// Log lines written while a test runs, for asserting what logs hold.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_never_hold_the_session_id() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .finish();
    // Global, not scoped to this thread: tracing caches per call site whether anybody listens,
    // and a scoped subscriber can lose that race against the other test of this binary.
    tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(numerous::serve::<Failing>(listener, Options::default()));
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    let welcome = recv(&mut ws).await;
    let session = welcome["session"].as_str().unwrap().to_owned();
    click(&mut ws, "fail").await;
    assert_eq!(recv(&mut ws).await["code"], "handler-failed");
    click(&mut ws, "boom").await;
    assert_eq!(recv(&mut ws).await["code"], "handler-panicked");

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("the database is down"), "{text}");
    assert!(
        !text.contains(&session),
        "the session id is in the logs:\n{text}"
    );
}

/// What a handler needs but the server was not given.
#[derive(Debug)]
struct Config;

#[numerous::app(template = "failing.html")]
#[derive(Debug)]
struct NeedsConfig {
    count: Number,
    ok: Button,
    fail: Button,
    boom: Button,
    slow_boom: Button,
}

#[numerous::handlers]
impl NeedsConfig {
    #[on_click(ok)]
    fn ok(&mut self, _config: Res<Config>) {}
}

/// A resource a handler takes but nobody registered stops the start with a configuration
/// error naming the handler and the type (`run` prints it and exits with 1), not a panic.
#[tokio::test]
async fn a_resource_nobody_registered_is_a_clean_start_up_error() {
    let e = numerous::try_router::<NeedsConfig>(Options::default()).unwrap_err();
    assert!(matches!(e, numerous::Error::Config(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "configuration: app `NeedsConfig`: handler `ok` takes `Res<it::failures::Config>`, but no `it::failures::Config` was registered; add it with `Options::resource(..)` (registered: none)"
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let served = numerous::serve::<NeedsConfig>(listener, Options::default()).await;
    assert!(
        matches!(served, Err(numerous::Error::Config(_))),
        "{served:?}"
    );
}
