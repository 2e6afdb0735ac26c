//! An app binary whose environment sets `NUMEROUS_AUTH_USERS` is protected by those users, even
//! though its code asks for no authentication; a malformed value stops it with a clear message.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Kills the app when the test ends, whatever happens.
struct App(Child);

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn counter(users: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_example-counter"));
    c.env("NUMEROUS_AUTH_USERS", users)
        .env_remove("NUMEROUS_JWT_SECRET")
        .env("RUST_LOG", "info")
        .args(["--port", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

#[tokio::test]
async fn the_users_variable_alone_protects_an_app() {
    let users = r#"[{"username": "ann", "password": "ann-password"}]"#;
    let mut app = App(counter(users).spawn().unwrap());
    let mut lines = BufReader::new(app.0.stderr.take().unwrap()).lines();
    let mut log = String::new();
    let mut addr = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        log.push_str(&line);
        log.push('\n');
        if let Some(rest) = line.split("listening on http://").nth(1) {
            addr = Some(rest.trim_end_matches('/').parse().unwrap());
            break;
        }
    }
    let addr = addr.unwrap_or_else(|| panic!("the app did not start: {log}"));
    // Keep reading its log, or a full pipe would stop the app.
    std::thread::spawn(move || lines.for_each(drop));
    assert!(log.contains("NUMEROUS_AUTH_USERS is set"), "{log}");
    assert!(
        log.contains("NUMEROUS_JWT_SECRET is not set"),
        "a loud warning: {log}"
    );
    assert!(!log.contains("ann-password"), "{log}");
    let r = testkit::get_with_cookie(addr, "/", "", "").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/login?next=%2F"));
    let ann = testkit::login(addr, "", "ann", "ann-password").await;
    assert_eq!(
        testkit::get_with_cookie(addr, "/", &ann.cookie(), "")
            .await
            .status,
        200
    );
}

#[test]
fn a_malformed_users_variable_stops_the_start() {
    for (users, says) in [
        ("[{\"username\": \"ann\"", "not a JSON array"),
        (
            r#"[{"username": "ann", "pasword": "x"}]"#,
            "unknown field `pasword`",
        ),
        (
            r#"[{"username": "ann", "password": "hunter22-a"}, {"username": "ann", "password": "hunter22-b"}]"#,
            "listed twice",
        ),
    ] {
        let out = counter(users).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("NUMEROUS_AUTH_USERS"), "{err}");
        assert!(err.contains(says), "{says}: {err}");
        assert!(!err.contains("hunter22"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
