//! A browser tab over a real WebSocket: [`Tab`], as numerous.js speaks to the server.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

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
