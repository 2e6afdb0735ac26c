//! `numerous-dev` on a generated project, through real sockets: a tab's session outlives a
//! rebuild with its state while the new code runs; a failed build is reported (file, line) while
//! the previous app keeps serving; a static file's change needs no build. The times each step
//! took are printed (`cargo test -p numerous-new --test dev -- --nocapture`), never asserted.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::Value;

mod support;
use support::{WORKSPACE_DEV_PROFILE, workspace, workspace_target};

/// Stops `numerous-dev` and the app it runs, and removes the project, whatever happens.
struct Running {
    dev: Child,
    state: PathBuf,
    project: PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.dev.kill();
        let _ = self.dev.wait();
        if let Ok(pid) = std::fs::read_to_string(self.state.join("app.pid")) {
            let _ = Command::new("kill").args(["-KILL", pid.trim()]).status();
        }
        let _ = std::fs::remove_dir_all(&self.project);
    }
}

fn status(state: &Path) -> Value {
    std::fs::read_to_string(state.join("status.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null)
}

/// Waits (up to 3 minutes: the first build) until the status is a build newer than `after`
/// with this outcome.
async fn build_after(state: &Path, after: u64, outcome: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let s = status(state);
        if s["seq"].as_u64().unwrap_or(0) > after && s["build"] == outcome {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "no `{outcome}` build after {after}: {s}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until the app answers (it starts after its build is reported).
async fn listening(addr: std::net::SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(Instant::now() < deadline, "the app did not come back");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A tab on `session` once the app answers (it restarts after a build), with its count.
async fn tab(addr: std::net::SocketAddr, session: Option<&str>) -> testkit::Tab {
    listening(addr).await;
    testkit::Tab::open(addr, session).await
}

/// Clicks Add and waits for the count it shows.
async fn add(tab: &mut testkit::Tab) -> f64 {
    tab.click("add").await;
    loop {
        let patch = tab.recv().await;
        if let Some(v) = patch["state"]["count"]["value"].as_f64() {
            return v;
        }
    }
}

#[tokio::test]
async fn a_rebuild_keeps_each_tab_session_and_a_failed_build_keeps_the_last_app() {
    if cfg!(not(unix)) {
        return;
    }
    let project = std::env::temp_dir().join(format!("numerous-dev-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&project);
    let numerous = format!("--numerous-path={}", workspace().join("numerous").display());
    let made = Command::new(env!("CARGO_BIN_EXE_numerous-new"))
        .arg(&project)
        .arg(&numerous)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    std::fs::copy(workspace().join("Cargo.lock"), project.join("Cargo.lock")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let target = workspace_target();
    // numerous-dev's folder for this package (named as the project's folder).
    let name = project.file_name().unwrap().to_str().unwrap().to_owned();
    let state = target.join("numerous-dev").join(name);
    let _ = std::fs::remove_file(state.join("status.json"));
    let mut dev = Command::new(env!("CARGO_BIN_EXE_numerous-dev"));
    dev.current_dir(&project)
        .env("CARGO_TARGET_DIR", &target)
        .env("NUMEROUS_PORT", port.to_string())
        .env_remove("RUSTFLAGS")
        .arg("--cargo-arg=--offline");
    for c in WORKSPACE_DEV_PROFILE {
        dev.arg("--cargo-arg=--config")
            .arg(format!("--cargo-arg={c}"));
    }
    let running = Running {
        dev: dev.spawn().unwrap(),
        state: state.clone(),
        project: project.clone(),
    };
    let first = build_after(&state, 0, "ok").await;

    // The page follows the build (`"dev":{..}`), from the events route.
    listening(addr).await;
    let page = testkit::http(addr, "GET / HTTP/1.1\r\nHost: 127.0.0.1", b"").await;
    assert!(page.body.contains(r#""dev":{"reload":0}"#), "{}", page.body);

    let mut t = tab(addr, None).await;
    let session = t.session.clone();
    assert_eq!(add(&mut t).await, 1.0);

    // A page in Chromium (when there is one), counting to 2 on its own session.
    let browser = testkit::Browser::start().await;
    let count = "document.querySelector('#count input')?.value";
    if let Some(b) = &browser {
        b.open(&format!("http://{addr}/")).await;
        b.click_button("Add one").await;
        b.click_button("Add one").await;
        b.wait_until(&format!("{count} === '2'")).await;
    }

    // A handler edited: the rebuilt app runs it, on the tab's own session with its count.
    let lib = project.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).unwrap();
    let edited = Instant::now();
    std::fs::write(&lib, source.replace("+= 1.0", "+= 10.0")).unwrap();
    // The open tab answers the server's close at once, as a browser does.
    let closed = tokio::spawn(async move { t.closed_within(Duration::from_secs(60)).await });
    let rebuilt = build_after(&state, first["seq"].as_u64().unwrap(), "ok").await;
    let built_at = edited.elapsed();
    let _ = closed.await;
    let mut t = tab(addr, Some(&session)).await;
    let back_at = edited.elapsed();
    assert_eq!(t.session, session, "the tab has a new session");
    assert_eq!(
        t.state["count"]["value"], 1.0,
        "the state is lost: {}",
        t.state
    );
    assert_eq!(add(&mut t).await, 11.0);
    // The page came back to its session by itself, with its count, running the new code.
    if let Some(b) = &browser {
        b.click_button("Add one").await;
        b.wait_until(&format!("{count} === '12'")).await;
    }
    println!(
        "handler edit: built and restarted after {} ms; the tab back on its session after {} ms",
        built_at.as_millis(),
        back_at.as_millis()
    );

    // A build that fails: the error names the file and line; the last app keeps serving.
    std::fs::write(&lib, source.replace("+= 1.0;", "+= ;")).unwrap();
    let failed = build_after(&state, rebuilt["seq"].as_u64().unwrap(), "failed").await;
    let error = failed["error"].as_str().unwrap();
    assert!(error.contains("src/lib.rs:"), "{error}");
    // The page shows it, over the app that keeps working.
    if let Some(b) = &browser {
        b.wait_until("document.querySelector('.numerous-dev-error[role=alert]')?.textContent.includes('src/lib.rs:')")
            .await;
    }
    assert!(
        add(&mut t).await == 21.0,
        "the previous app stopped serving"
    );

    // Fixed: the tab comes back to its session, running the fixed code.
    std::fs::write(&lib, &source).unwrap();
    let closed = tokio::spawn(async move { t.closed_within(Duration::from_secs(60)).await });
    let fixed = build_after(&state, failed["seq"].as_u64().unwrap(), "ok").await;
    let _ = closed.await;
    let mut t = tab(addr, Some(&session)).await;
    assert_eq!(add(&mut t).await, 22.0);
    if let Some(b) = &browser {
        b.wait_until("document.querySelector('.numerous-dev-error') === null")
            .await;
        b.click_button("Add one").await;
        b.wait_until(&format!("{count} === '13'")).await;
    }

    // A template edited (a stylesheet linked): the page loads again, on its session.
    let index = project.join("templates/index.html");
    let template = std::fs::read_to_string(&index).unwrap();
    std::fs::write(project.join("static/app.css"), "h1 { color: rgb(1, 2, 3) }").unwrap();
    std::fs::write(
        &index,
        template.replace(
            "</head>",
            "<link rel=\"stylesheet\" href=\"static/app.css\"></head>",
        ),
    )
    .unwrap();
    let closed = tokio::spawn(async move { t.closed_within(Duration::from_secs(60)).await });
    let linked = build_after(&state, fixed["seq"].as_u64().unwrap(), "ok").await;
    let _ = closed.await;
    let mut t = tab(addr, Some(&session)).await;
    if let Some(b) = &browser {
        b.wait_until("getComputedStyle(document.querySelector('h1')).color === 'rgb(1, 2, 3)'")
            .await;
        b.wait_until(&format!("{count} === '13'")).await;
        b.run("window.notReloaded = true; return 1").await;
    }
    let fixed = linked;

    // A stylesheet: no build, the tabs are told to fetch it again.
    let css_at = Instant::now();
    std::fs::write(
        project.join("static/app.css"),
        "h1 { color: rgb(200, 0, 0) }",
    )
    .unwrap();
    let css = build_after(&state, fixed["seq"].as_u64().unwrap(), "ok").await;
    let count = |s: &Value, k: &str| s[k].as_u64().unwrap();
    assert_eq!(count(&css, "css"), count(&fixed, "css") + 1, "{css}");
    assert_eq!(
        count(&css, "reload"),
        count(&fixed, "reload"),
        "a stylesheet reloads no page"
    );
    println!(
        "static file edit: the tabs told after {} ms",
        css_at.elapsed().as_millis()
    );
    // The same app still runs: this tab's socket was not closed.
    assert_eq!(add(&mut t).await, 23.0);
    let served = testkit::http(addr, "GET /static/app.css HTTP/1.1\r\nHost: 127.0.0.1", b"").await;
    assert!(served.body.contains("rgb(200, 0, 0)"), "{}", served.body);
    // The open page takes the new stylesheet without loading again.
    if let Some(b) = browser {
        b.wait_until("getComputedStyle(document.querySelector('h1')).color === 'rgb(200, 0, 0)'")
            .await;
        assert_eq!(b.run("return window.notReloaded === true").await, true);
        // The browser says so when a socket or the event stream finds the app restarting;
        // nothing else went wrong in the page.
        let errors = b.console_errors_except("ERR_CONNECTION_REFUSED").await;
        b.close().await;
        assert!(errors.is_empty(), "{errors:#?}");
    }

    // Stopped (as an IDE's stop button does: SIGTERM), numerous-dev stops its app first.
    let mut running = running;
    let app = std::fs::read_to_string(state.join("app.pid")).unwrap();
    let _ = Command::new("kill")
        .args(["-TERM", &running.dev.id().to_string()])
        .status();
    let _ = running.dev.wait();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Path::new(&format!("/proc/{}", app.trim())).exists() {
        assert!(Instant::now() < deadline, "the app outlived numerous-dev");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(running);
}
