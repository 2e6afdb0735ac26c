//! A tab on the fallback transport (server-sent events in, ordered POSTs out): [`SseTab`].

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpStream;

use crate::http;

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
