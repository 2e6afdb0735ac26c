//! Test harness of the numerous workspace (not published): serve an app on a loopback port,
//! drive it as a browser tab over a real WebSocket ([`Tab`]), or in headless Chromium
//! ([`Browser`]).

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

mod browser;
pub mod cluster;
pub mod faults;
pub mod static_binary;

pub use browser::{AUDIT_WIDTHS, Browser, Scheme, axe_installed, wait_for_value, wait_until_live};
pub use fantoccini;
pub use tokio_tungstenite::tungstenite;

/// The Redis server the tests share (`NUMEROUS_TEST_REDIS_URL`, which `.ci/run` starts), or
/// `None` (after saying the test skips); with `NUMEROUS_REQUIRE_REDIS` set (CI) its absence
/// fails the test.
pub fn redis_url() -> Option<String> {
    let url = std::env::var("NUMEROUS_TEST_REDIS_URL").ok();
    if url.is_none() {
        assert!(
            std::env::var("NUMEROUS_REQUIRE_REDIS").is_err(),
            "NUMEROUS_REQUIRE_REDIS is set but NUMEROUS_TEST_REDIS_URL is not"
        );
        eprintln!("skipped: set NUMEROUS_TEST_REDIS_URL to test with Redis");
    }
    url
}

/// Serves app `A` on an ephemeral loopback port.
pub async fn serve<A: numerous::App>(options: numerous::Options) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        if let Err(e) = numerous::serve::<A>(listener, options).await {
            eprintln!("the app stopped: {e}");
        }
    });
    addr
}

/// A client WebSocket.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens a WebSocket to `path` as the browser client does: offering the `numerous`
/// subprotocol, and `numerous.session.<id>` to resume a session.
pub async fn connect(
    addr: SocketAddr,
    path: &str,
    session: Option<&str>,
    headers: &[(&'static str, &str)],
) -> Result<Ws, tungstenite::Error> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let mut req = format!("ws://{addr}{path}").into_client_request()?;
    let protocols = match session {
        Some(s) => format!("numerous, numerous.session.{s}"),
        None => "numerous".to_owned(),
    };
    req.headers_mut()
        .insert("sec-websocket-protocol", protocols.parse().unwrap());
    for (k, v) in headers {
        req.headers_mut().insert(*k, v.parse().unwrap());
    }
    let (ws, _) = tokio_tungstenite::connect_async(req).await?;
    Ok(ws)
}

/// One tab's connection.
#[allow(missing_debug_implementations)]
pub struct Tab {
    pub ws: Ws,
    pub session: String,
    pub resumed: bool,
    /// The full state from the welcome.
    pub state: Value,
    /// How the welcome said widgets are shown besides their state (`view`: hidden, disabled,
    /// an error), or null when every widget is shown as usual.
    pub view: Value,
}

impl Tab {
    /// Opens a connection, resuming `session` if given, and reads the welcome.
    pub async fn open(addr: SocketAddr, session: Option<&str>) -> Tab {
        Tab::open_at(addr, "/ws", session, &[]).await
    }

    /// Opens a connection to `path` with extra request headers, resuming `session` as the
    /// browser client does (in `Sec-WebSocket-Protocol`), and reads the welcome.
    pub async fn open_at(
        addr: SocketAddr,
        path: &str,
        session: Option<&str>,
        headers: &[(&'static str, &str)],
    ) -> Tab {
        let ws = connect(addr, path, session, headers)
            .await
            .expect("the WebSocket opens");
        Tab::welcome(ws).await
    }

    /// An open connection whose welcome the test does not read (one the server refuses).
    pub fn unwelcomed(ws: Ws) -> Tab {
        Tab {
            ws,
            session: String::new(),
            resumed: false,
            state: Value::Null,
            view: Value::Null,
        }
    }

    /// Reads the welcome on an open connection.
    pub async fn welcome(ws: Ws) -> Tab {
        let mut tab = Tab::unwelcomed(ws);
        let welcome = tab.recv().await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        tab.session = welcome["session"].as_str().unwrap().to_owned();
        tab.resumed = welcome["resumed"].as_bool().unwrap();
        tab.state = welcome["state"].clone();
        tab.view = welcome["view"].clone();
        tab
    }

    pub async fn send(&mut self, frame: Value) {
        self.send_text(frame.to_string()).await;
    }

    pub async fn send_text(&mut self, text: String) {
        self.ws.send(Message::Text(text.into())).await.unwrap();
    }

    pub async fn send_raw(&mut self, msg: Message) {
        self.ws.send(msg).await.unwrap();
    }

    pub async fn click(&mut self, widget: &str) {
        self.send(json!({"type": "msg", "widget": widget, "content": {"event": "click"}}))
            .await;
    }

    pub async fn update(&mut self, widget: &str, state: Value) {
        self.send(json!({"type": "update", "widget": widget, "state": state}))
            .await;
    }

    /// The next text frame, as JSON; fails the test after 5 s.
    pub async fn recv(&mut self) -> Value {
        self.recv_within(Duration::from_secs(5)).await
    }

    /// The next text frame, as JSON; fails the test after `limit` (for frames that come after
    /// long work).
    pub async fn recv_within(&mut self, limit: Duration) -> Value {
        loop {
            let msg = tokio::time::timeout(limit, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("a frame within {limit:?}"))
                .expect("the connection is open")
                .expect("a valid frame");
            if let Message::Text(t) = msg {
                return serde_json::from_str(&t).unwrap();
            }
        }
    }

    /// Asserts no frame arrives within `ms` milliseconds.
    pub async fn expect_silence(&mut self, ms: u64) {
        if let Ok(Some(Ok(msg))) =
            tokio::time::timeout(Duration::from_millis(ms), self.ws.next()).await
        {
            panic!("expected no frame, got {msg:?}");
        }
    }

    /// The next error frame (after the patch that shows the server's state again, which
    /// comes first when an update is refused).
    pub async fn recv_error(&mut self) -> Value {
        let mut frame = self.recv().await;
        if frame["type"] == "patch" {
            frame = self.recv().await;
        }
        assert_eq!(frame["type"], "error", "{frame}");
        frame
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }

    /// Reads until the server closes the connection (within `limit`); the close code, and the
    /// text frames that came before it.
    pub async fn closed_within(&mut self, limit: Duration) -> (u16, Vec<Value>) {
        let mut frames = Vec::new();
        loop {
            let msg = tokio::time::timeout(limit, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("a close within {limit:?}; got {frames:?}"));
            match msg {
                Some(Ok(Message::Text(t))) => frames.push(serde_json::from_str(&t).unwrap()),
                Some(Ok(Message::Close(frame))) => {
                    return (frame.map_or(1005, |f| u16::from(f.code)), frames);
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => panic!("the connection failed before a close frame: {e}"),
                None => panic!("the connection ended without a close frame"),
            }
        }
    }

    /// Drops the TCP connection without a closing handshake, as a network failure would.
    pub fn drop_connection(self) {
        drop(self.ws);
    }
}

/// Serves `html` for every request on an ephemeral loopback port: a page of another site.
pub async fn serve_static_page(html: String) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let html = html.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
                    html.len()
                );
                let _ = s.write_all(response.as_bytes()).await;
            });
        }
    });
    addr
}

/// An HTTP response as a test sees it.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Header lines, lower-cased names: `("content-type", "text/html")`.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// The first header `name` (lower case), if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends a raw HTTP/1.1 request over a real socket (`head` without the blank line that ends it)
/// and reads the whole response (the request asks the server to close the connection).
pub async fn http(addr: SocketAddr, head: &str, body: &[u8]) -> Response {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = TcpStream::connect(addr).await.unwrap();
    let request = format!("{}\r\nConnection: close\r\n\r\n", head.trim_end());
    s.write_all(request.as_bytes()).await.unwrap();
    let _ = s.write_all(body).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out))
        .await
        .expect("a response within 10 s");
    parse_response(&out)
}

/// Parses a raw HTTP/1.1 response (not chunked).
pub fn parse_response(raw: &[u8]) -> Response {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_owned(),
    }
}

pub(crate) fn which(names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| {
        Command::new("which")
            .arg(n)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    })
}

/// A tab on the fallback transport (server-sent events in, POSTs out), over real sockets.
#[allow(missing_debug_implementations)]
pub struct SseTab {
    addr: SocketAddr,
    stream: tokio::io::BufReader<TcpStream>,
    send_token: String,
    /// `\r\nCookie: ..` for a signed-in tab, else empty.
    cookie: String,
    pub session: String,
    pub resumed: bool,
    /// The full state from the welcome.
    pub state: Value,
}

/// What the event stream brought.
#[derive(Debug, PartialEq)]
pub enum SseEvent {
    /// A frame, as JSON.
    Frame(Value),
    /// The server closed the tab with this code.
    Close(u16),
}

impl SseTab {
    /// Opens a tab (resuming `session` if given) and reads the welcome.
    pub async fn open(addr: SocketAddr, session: Option<&str>) -> SseTab {
        SseTab::open_as(addr, session, "").await
    }

    /// [`SseTab::open`] for a signed-in user: every request carries `cookie` (a
    /// [`Login::cookie`]).
    pub async fn open_as(addr: SocketAddr, session: Option<&str>, cookie: &str) -> SseTab {
        let cookie = if cookie.is_empty() {
            String::new()
        } else {
            format!("\r\nCookie: {cookie}")
        };
        let extra = session.map_or(String::new(), |s| format!("\r\nX-Numerous-Session: {s}"));
        let r = http(
            addr,
            &format!("POST /sse HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0{extra}{cookie}"),
            b"",
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let tokens: Value = serde_json::from_str(&r.body).unwrap();
        let stream = tokens["stream"].as_str().unwrap().to_owned();
        let send_token = tokens["send"].as_str().unwrap().to_owned();
        let mut tab = SseTab::attach_as(addr, &stream, send_token, cookie)
            .await
            .expect("the stream opens");
        let welcome = tab.recv().await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        tab.session = welcome["session"].as_str().unwrap().to_owned();
        tab.resumed = welcome["resumed"].as_bool().unwrap();
        tab.state = welcome["state"].clone();
        tab
    }

    /// `GET /sse?stream=<token>`: the event stream, or the status it was refused with.
    pub async fn attach(addr: SocketAddr, stream: &str, send_token: String) -> Result<SseTab, u16> {
        SseTab::attach_as(addr, stream, send_token, String::new()).await
    }

    async fn attach_as(
        addr: SocketAddr,
        stream: &str,
        send_token: String,
        cookie: String,
    ) -> Result<SseTab, u16> {
        use tokio::io::AsyncWriteExt;
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(
            format!("GET /sse?stream={stream} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream{cookie}\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
        let mut stream = tokio::io::BufReader::new(s);
        open_event_stream(&mut stream, Duration::from_secs(10)).await?;
        Ok(SseTab {
            addr,
            stream,
            send_token,
            cookie,
            session: String::new(),
            resumed: false,
            state: Value::Null,
        })
    }

    /// The next event (frames and the close; comments skipped); fails the test after 5 s.
    pub async fn next_event(&mut self) -> SseEvent {
        use tokio::io::AsyncBufReadExt;
        let mut kind = String::new();
        let mut data = String::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(Duration::from_secs(5), self.stream.read_line(&mut line))
                .await
                .expect("an event within 5 s")
                .unwrap();
            assert!(n > 0, "the event stream ended");
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(d) = line.strip_prefix("data:") {
                data.push_str(d.trim_start());
            } else if let Some(e) = line.strip_prefix("event:") {
                kind = e.trim().to_owned();
            } else if line.is_empty() && !data.is_empty() {
                return if kind == "close" {
                    SseEvent::Close(data.parse().unwrap())
                } else {
                    SseEvent::Frame(serde_json::from_str(&data).unwrap())
                };
            }
            // chunk sizes of the chunked encoding, comments: skipped
        }
    }

    /// The next frame.
    pub async fn recv(&mut self) -> Value {
        match self.next_event().await {
            SseEvent::Frame(v) => v,
            SseEvent::Close(code) => panic!("closed with {code}"),
        }
    }

    /// Sends frames in one POST; returns the status.
    pub async fn send(&self, frames: &[Value]) -> u16 {
        let body = Value::Array(frames.to_vec()).to_string();
        let head = format!(
            "POST /sse/send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Numerous-Stream: {}\r\nContent-Length: {}{}",
            self.send_token,
            body.len(),
            self.cookie
        );
        http(self.addr, &head, body.as_bytes()).await.status
    }
}

/// Reads the head of an event stream's answer: `Ok` for a 200 (the events follow), else the
/// status it was refused with (0: no answer within `limit` a line, or the connection ended).
pub async fn open_event_stream(
    stream: &mut tokio::io::BufReader<TcpStream>,
    limit: Duration,
) -> Result<(), u16> {
    use tokio::io::AsyncBufReadExt;
    let mut first = true;
    loop {
        let mut line = String::new();
        match tokio::time::timeout(limit, stream.read_line(&mut line)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return Err(0),
        }
        if first {
            first = false;
            let code: u16 = line
                .split(' ')
                .nth(1)
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            if code != 200 {
                return Err(code);
            }
        } else if line.trim().is_empty() {
            return Ok(());
        }
    }
}

/// The value of cookie `name` that a response sets (`Set-Cookie`), if it sets it.
pub fn set_cookie<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
    set_cookie_line(r, name).map(|line| {
        let pair = line.split(';').next().unwrap_or("");
        pair.split_once('=').map_or("", |(_, v)| v)
    })
}

/// The whole `Set-Cookie` line for cookie `name` (value and attributes), if any.
pub fn set_cookie_line<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .map(|(_, v)| v.as_str())
        .find(|v| v.starts_with(&format!("{name}=")))
}

/// A signed-in browser's cookies.
#[derive(Debug, Clone)]
pub struct Login {
    pub access: String,
    pub refresh: String,
    /// The JSON answer of the login.
    pub body: Value,
}

impl Login {
    /// The `Cookie` header a browser would send to the app (both cookies).
    pub fn cookie(&self) -> String {
        format!(
            "numerous_access={}; numerous_refresh={}",
            self.access, self.refresh
        )
    }
}

/// POSTs JSON credentials to `<prefix>/api/auth/login`; the raw response.
pub async fn try_login(addr: SocketAddr, prefix: &str, user: &str, password: &str) -> Response {
    let body = json!({ "username": user, "password": password }).to_string();
    http(
        addr,
        &format!(
            "POST {prefix}/api/auth/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}",
            body.len()
        ),
        body.as_bytes(),
    )
    .await
}

/// Signs in (JSON) and returns the cookies; panics unless the login succeeds.
pub async fn login(addr: SocketAddr, prefix: &str, user: &str, password: &str) -> Login {
    let r = try_login(addr, prefix, user, password).await;
    assert_eq!(r.status, 200, "login of {user}: {}", r.body);
    Login {
        access: set_cookie(&r, "numerous_access").unwrap().to_owned(),
        refresh: set_cookie(&r, "numerous_refresh").unwrap().to_owned(),
        body: serde_json::from_str(&r.body).unwrap(),
    }
}

/// A GET with a `Cookie` header (empty for none).
pub async fn get_with_cookie(addr: SocketAddr, path: &str, cookie: &str, extra: &str) -> Response {
    let cookie = if cookie.is_empty() {
        String::new()
    } else {
        format!("\r\nCookie: {cookie}")
    };
    http(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}{cookie}{extra}"),
        b"",
    )
    .await
}

/// A POST with a `Cookie` header and a JSON body.
pub async fn post_json(addr: SocketAddr, path: &str, cookie: &str, body: &str) -> Response {
    http(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: application/json\r\nContent-Length: {}",
            body.len()
        ),
        body.as_bytes(),
    )
    .await
}
