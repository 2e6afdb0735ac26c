//! The counter example in headless Chromium: open the page, click, see the number change, reload
//! and keep it, with no console errors.
//!
//! Needs `chromium` and `chromedriver` (Debian packages `chromium`, `chromium-driver`). Where they
//! are missing the test says so and passes, unless `NUMEROUS_REQUIRE_BROWSER=1` (set by CI), which
//! turns their absence into a failure.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use example_counter::Counter;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

fn find(names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| {
        Command::new("which")
            .arg(n)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    })
}

/// Kills chromedriver when the test ends, whatever happens.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The browser's console log (chromedriver's log endpoint).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

async fn severe_logs(client: &Client) -> Vec<Value> {
    let log = client.issue_cmd(BrowserLog).await.expect("the browser log");
    log.as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e["level"] == "SEVERE")
        .collect()
}

async fn wait_for_value(client: &Client, css: &str, expected: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let value = client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        if value == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{css} shows {value:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_until_live(client: &Client) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let live = client
            .execute(
                "return Boolean(window.numerous && window.numerous.client.ready)",
                vec![],
            )
            .await
            .unwrap();
        if live == Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "the page never connected");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn click_in_chromium_changes_the_number() {
    let required = std::env::var("NUMEROUS_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let (Some(chromium), Some(chromedriver)) = (
        find(&["chromium", "chromium-browser", "google-chrome"]),
        find(&["chromedriver"]),
    ) else {
        assert!(
            !required,
            "NUMEROUS_REQUIRE_BROWSER=1 but chromium or chromedriver is missing"
        );
        eprintln!("skipped: chromium and chromedriver are not installed");
        return;
    };

    let addr = common::serve::<Counter>(numerous::Options::default()).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile = std::env::temp_dir().join(format!("numerous-chromium-{}", std::process::id()));
    let caps = json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--window-size=1000,800",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
        "goog:loggingPrefs": { "browser": "ALL" },
    });
    let caps: serde_json::Map<String, Value> = caps.as_object().unwrap().clone();
    let deadline = Instant::now() + Duration::from_secs(20);
    let client = loop {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => break c,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a browser session: {e}"),
        }
    };

    client.goto(&format!("http://{addr}/")).await.unwrap();
    wait_until_live(&client).await;
    wait_for_value(&client, "#counter input", "0").await;
    let splash = client.find(Locator::Css("#numerous-splash")).await.unwrap();
    assert!(
        splash
            .attr("class")
            .await
            .unwrap()
            .unwrap()
            .contains("numerous-hidden")
    );

    client
        .find(Locator::Css("#increment button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_value(&client, "#counter input", "1").await;
    client
        .find(Locator::Css("#increment button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_value(&client, "#counter input", "2").await;
    wait_for_value(&client, "#counter2 input", "2").await;

    // Tabs switch their panels in the page.
    let about = client
        .find(Locator::Css("[data-numerous-tab=\"About\"]"))
        .await
        .unwrap();
    assert_eq!(about.attr("hidden").await.unwrap().as_deref(), Some("true"));
    client
        .find(Locator::XPath("//button[text()='About']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while about.attr("hidden").await.unwrap().is_some() {
        assert!(Instant::now() < deadline, "the About panel never showed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A reload in the same tab keeps the session and its state.
    client.refresh().await.unwrap();
    wait_until_live(&client).await;
    wait_for_value(&client, "#counter input", "2").await;

    let errors = severe_logs(&client).await;
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    client.close().await.unwrap();
    let _ = std::fs::remove_dir_all(profile);
}
