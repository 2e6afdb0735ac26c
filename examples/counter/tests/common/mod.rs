//! A real WebSocket client for the tests: a browser tab as the server sees it.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Serves app `A` on an ephemeral loopback port.
pub async fn serve<A: numerous::App>(options: numerous::Options) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(numerous::serve::<A>(listener, options));
    addr
}

/// One tab's connection.
pub struct Tab {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pub session: String,
    pub resumed: bool,
    /// The full state from the welcome.
    pub state: Value,
}

impl Tab {
    /// Opens a connection, resuming `session` if given, and reads the welcome.
    pub async fn open(addr: SocketAddr, session: Option<&str>) -> Tab {
        let url = match session {
            Some(s) => format!("ws://{addr}/ws?session={s}"),
            None => format!("ws://{addr}/ws"),
        };
        let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let mut tab = Tab {
            ws,
            session: String::new(),
            resumed: false,
            state: Value::Null,
        };
        let welcome = tab.recv().await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        tab.session = welcome["session"].as_str().unwrap().to_owned();
        tab.resumed = welcome["resumed"].as_bool().unwrap();
        tab.state = welcome["state"].clone();
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
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(5), self.ws.next())
                .await
                .expect("a frame within 5 s")
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

    /// The next error frame.
    pub async fn recv_error(&mut self) -> Value {
        let frame = self.recv().await;
        assert_eq!(frame["type"], "error", "{frame}");
        frame
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }

    /// Drops the TCP connection without a closing handshake, as a network failure would.
    pub fn drop_connection(self) {
        drop(self.ws);
    }
}
