//! Test harness of the numerous workspace (not published): serve an app on a loopback port,
//! drive it as a browser tab over a real WebSocket ([`Tab`], `ws.rs`), on the fallback transport
//! ([`SseTab`], `sse.rs`), over plain HTTP (`http.rs`), or in headless Chromium ([`Browser`],
//! `browser.rs`); clusters of real servers (`cluster`), fault schedules (`faults`) and static
//! binaries (`static_binary`).

use std::net::SocketAddr;
use std::process::Command;

use tokio::net::TcpListener;

mod browser;
pub mod cluster;
pub mod faults;
mod http;
mod sse;
pub mod static_binary;
pub mod typescript;
mod ws;

pub use browser::{AUDIT_WIDTHS, Browser, Scheme, axe_installed, wait_for_value, wait_until_live};
pub use fantoccini;
pub use http::{
    Login, Response, get_with_cookie, http, login, parse_response, post_json, serve_static_page,
    set_cookie, set_cookie_line, try_login,
};
pub use sse::{SseEvent, SseTab, open_event_stream};
pub use tokio_tungstenite::tungstenite;
pub use ws::{Tab, Ws, connect};

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

/// The PostgreSQL server the tests share (`NUMEROUS_TEST_POSTGRES_URL`, which `.ci/run` starts),
/// or `None` (after saying the test skips); with `NUMEROUS_REQUIRE_POSTGRES` set (CI) its
/// absence fails the test.
pub fn postgres_url() -> Option<String> {
    let url = std::env::var("NUMEROUS_TEST_POSTGRES_URL").ok();
    if url.is_none() {
        assert!(
            std::env::var("NUMEROUS_REQUIRE_POSTGRES").is_err(),
            "NUMEROUS_REQUIRE_POSTGRES is set but NUMEROUS_TEST_POSTGRES_URL is not"
        );
        eprintln!("skipped: set NUMEROUS_TEST_POSTGRES_URL to test against PostgreSQL");
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
