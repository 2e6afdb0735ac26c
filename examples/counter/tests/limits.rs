//! When the process runs out of file descriptors, a new tab gets a clear refusal (`503` with the
//! one error shape and `Retry-After`), not a connection left hanging, and the server goes on:
//! once tabs close, new ones connect. The app runs with a low limit (`ulimit -n`).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// Kills the app when the test ends, whatever happens.
struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(unix)]
#[tokio::test]
async fn out_of_descriptors_a_new_tab_is_refused_in_words_and_the_server_goes_on() {
    let mut child = Command::new("sh")
        .args([
            "-c",
            "ulimit -n 64 && exec \"$0\" --port 0",
            env!("CARGO_BIN_EXE_example-counter"),
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let app = App(child);
    // The address it listens on, from its log.
    let mut lines = BufReader::new(stderr).lines();
    let addr: std::net::SocketAddr = loop {
        let line = lines
            .next()
            .expect("the app logs where it listens")
            .unwrap();
        if let Some(at) = line.split("listening on http://").nth(1) {
            break at.trim_end_matches('/').parse().unwrap();
        }
    };
    std::thread::spawn(move || for _ in lines {});

    // Tabs until the server has no descriptor left for one.
    let mut tabs = Vec::new();
    let refusal = loop {
        assert!(tabs.len() < 200, "64 descriptors held 200 tabs");
        let attempt = testkit::connect(addr, "/ws", None, &[]);
        match tokio::time::timeout(std::time::Duration::from_secs(5), attempt).await {
            Ok(Ok(ws)) => tabs.push(ws),
            Ok(Err(e)) => break e,
            Err(_) => panic!("tab {} was left hanging, not refused", tabs.len() + 1),
        }
    };
    let testkit::tungstenite::Error::Http(answer) = refusal else {
        panic!("a refusal in words, not {refusal:?}");
    };
    assert_eq!(answer.status(), 503);
    assert_eq!(answer.headers()["retry-after"], "1");
    let body: Value = serde_json::from_slice(answer.body().as_deref().unwrap()).unwrap();
    assert_eq!(body["error"], "unavailable", "{body}");
    assert!(
        tabs.len() >= 20,
        "only {} tabs before the refusal",
        tabs.len()
    );

    // The server went on: with tabs closed, a new one connects and works.
    tabs.truncate(tabs.len() / 2);
    let mut attempts = 0;
    let mut tab = loop {
        // Each refused attempt is answered at once: this waits on the server, not on time.
        attempts += 1;
        assert!(attempts < 1000, "no tab connects after half of them closed");
        if let Ok(ws) = testkit::connect(addr, "/ws", None, &[]).await {
            break testkit::Tab::welcome(ws).await;
        }
    };
    tab.click("increment").await;
    assert_eq!(tab.recv().await["state"]["counter"]["value"], 1.0);
    drop(app);
}
