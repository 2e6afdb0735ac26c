//! The counter and the multi-app as one static binary each (README, "One static binary"): built
//! for x86_64-unknown-linux-musl, `ldd` finds no library to load, and each runs alone from an
//! empty folder with an empty environment: the page, the client, the widget modules and the
//! login page answer, a socket session counts clicks, and the counter keeps its sessions in a
//! Redis it reaches by the name `localhost`.

use testkit::static_binary::{Alone, build, ldd};

const USERS: &str = r#"[{"username": "admin", "password": "admin-password", "is_admin": true}]"#;

#[tokio::test]
async fn the_static_binaries_run_alone() {
    let Some(dir) = build(&["example-counter", "example-multi-app"]) else {
        return;
    };
    for bin in ["example-counter", "example-multi-app"] {
        let said = ldd(&dir.join(bin));
        assert!(
            said.contains("statically linked") || said.contains("not a dynamic executable"),
            "{bin}: {said}"
        );
        // The development mode (numerous-dev) is in debug builds only (this one is built
        // without debug assertions, as a release is).
        let bytes = std::fs::read(dir.join(bin)).unwrap();
        for dev in [&b"numerous-dev/events"[..], b"NUMEROUS_DEV"] {
            assert!(
                !bytes.windows(dev.len()).any(|w| w == dev),
                "{bin} (a release build) holds {:?}",
                String::from_utf8_lossy(dev)
            );
        }
    }

    // The counter, with its sessions in Redis named by host name.
    let redis = testkit::redis_url().map(|url| {
        let port = url
            .rsplit(':')
            .next()
            .unwrap()
            .trim_end_matches('/')
            .to_owned();
        format!("redis://localhost:{port}")
    });
    let mut args = vec![];
    if let Some(url) = &redis {
        args.extend(["--session-store", url.as_str()]);
    }
    let counter = Alone::start(&dir.join("example-counter"), &args, &[]);
    assert_eq!(
        counter.files(),
        ["example-counter"],
        "only the binary is there"
    );
    let page = testkit::get_with_cookie(counter.addr, "/", "", "").await;
    assert_eq!(page.status, 200);
    let version = page
        .body
        .split("/numerous-static/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("the page names its assets")
        .to_owned();
    for file in [
        "numerous.js",
        "numerous.css",
        "widgets/button.js",
        "widgets/number.js",
    ] {
        let r = testkit::get_with_cookie(
            counter.addr,
            &format!("/numerous-static/{version}/{file}"),
            "",
            "",
        )
        .await;
        assert_eq!(r.status, 200, "{file}");
        assert!(!r.body.is_empty(), "{file}");
    }
    let mut tab = testkit::Tab::open(counter.addr, None).await;
    tab.click("increment").await;
    let patch = tab.recv().await;
    assert_eq!(patch["state"]["counter"]["value"], 1.0, "{patch}");
    if redis.is_some() {
        // Saved where the store is: a new instance, alone too, resumes the session.
        let session = tab.session.clone();
        tab.close().await;
        counter.stop();
        let again = Alone::start(&dir.join("example-counter"), &args, &[]);
        let tab = testkit::Tab::open(again.addr, Some(&session)).await;
        assert!(tab.resumed, "the session came back from Redis");
        assert_eq!(tab.state["counter"]["value"], 1.0, "{}", tab.state);
    }

    // The multi-app: its users are its only setting.
    let multi = Alone::start(
        &dir.join("example-multi-app"),
        &[],
        &[
            ("NUMEROUS_AUTH_USERS", USERS),
            (
                "NUMEROUS_JWT_SECRET",
                "a signing secret of thirty-two bytes or more",
            ),
        ],
    );
    let page = testkit::get_with_cookie(multi.addr, "/public/", "", "").await;
    assert_eq!(page.status, 200);
    let login = testkit::get_with_cookie(multi.addr, "/admin/login", "", "").await;
    assert_eq!(login.status, 200);
    assert!(login.body.contains("<form"), "{}", login.body);
}
