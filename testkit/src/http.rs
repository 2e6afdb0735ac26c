//! HTTP over real sockets, as tests see it: raw requests and responses, cookies, signing in,
//! a static page of another site.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};

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
