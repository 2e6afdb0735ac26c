//! Headless Chromium through chromedriver: a [`Browser`] with its console recorded, closed on
//! every path, and the accessibility audit ([`Browser::audit`]).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::which;
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

pub async fn wait_for_value(client: &Client, css: &str, expected: &str) {
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

pub async fn wait_until_live(client: &Client) {
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

/// A headless Chromium session through chromedriver, with the browser console recorded.
#[allow(missing_debug_implementations)]
pub struct Browser {
    pub client: Client,
    _driver: Driver,
    profile: std::path::PathBuf,
}

impl Drop for Browser {
    /// On every path, a failed assertion included: the browser's processes (found by their
    /// profile folder, which only they use) go, then the folder. After `finish` or `close`
    /// there is nothing left to do.
    fn drop(&mut self) {
        if self.profile.exists() {
            let _ = Command::new("pkill")
                .args(["-KILL", "-f", "--"])
                .arg(format!("--user-data-dir={}", self.profile.display()))
                .status();
            let _ = std::fs::remove_dir_all(&self.profile);
        }
    }
}

impl Browser {
    /// Starts Chromium, or returns `None` (after saying so) where it is not installed; with
    /// `NUMEROUS_REQUIRE_BROWSER=1` (CI) a missing browser fails the test instead.
    pub async fn start() -> Option<Browser> {
        let required = std::env::var("NUMEROUS_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        let (Some(chromium), Some(chromedriver)) = (
            which(&["chromium", "chromium-browser", "google-chrome"]),
            which(&["chromedriver"]),
        ) else {
            assert!(
                !required,
                "NUMEROUS_REQUIRE_BROWSER=1 but chromium or chromedriver is missing"
            );
            eprintln!("skipped: chromium and chromedriver are not installed");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Driver(
            Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts"),
        );
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let profile = std::env::temp_dir().join(format!(
            "numerous-chromium-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
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
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("cannot start a browser session: {e}"),
            }
        };
        Some(Browser {
            client,
            _driver: driver,
            profile,
        })
    }

    /// Opens `url` and waits until the page is connected to its session.
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
        wait_until_live(&self.client).await;
    }

    /// Waits until the element `css` has the property `value` equal to `expected`.
    pub async fn wait_for_value(&self, css: &str, expected: &str) {
        wait_for_value(&self.client, css, expected).await;
    }

    /// Clicks the element `css`.
    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Clicks the button whose text is `text` (a tab of a `Tabs` widget, a pager button).
    pub async fn click_button(&self, text: &str) {
        self.client
            .find(Locator::XPath(&format!("//button[text()='{text}']")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Polls the JavaScript expression until it returns `true`.
    pub async fn wait_until(&self, script: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = self
                .client
                .execute(&format!("return Boolean({script})"), vec![])
                .await
                .unwrap();
            if v == Value::Bool(true) {
                return;
            }
            assert!(Instant::now() < deadline, "never true: {script}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Everything in the browser console so far (each entry's `level` and `message`), read
    /// once: the next call returns what came after.
    pub async fn console(&self) -> Vec<Value> {
        let log = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .expect("the browser log");
        log.as_array().cloned().unwrap_or_default()
    }

    /// The errors in the browser console so far.
    pub async fn console_errors(&self) -> Vec<Value> {
        severe_logs(&self.client).await
    }

    /// The errors in the browser console so far, but those whose message contains `expected`
    /// (a refusal the test caused, a server restarting).
    pub async fn console_errors_except(&self, expected: &str) -> Vec<Value> {
        let mut errors = self.console_errors().await;
        errors.retain(|e| !e["message"].as_str().unwrap_or_default().contains(expected));
        errors
    }

    /// Types `text` into the element `css` names.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }

    /// Focuses the element `css` selects, as a Tab press that reached it would.
    pub async fn focus(&self, css: &str) {
        self.run(&format!(
            "document.querySelector({}).focus()",
            serde_json::to_string(css).unwrap()
        ))
        .await;
    }

    /// Runs a script in the page; its value (`return ..`).
    pub async fn run(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// Opens `url` of an app that asks for sign-in, signs in on its login page and waits until
    /// the app's page (`path`) is live.
    pub async fn open_signed_in(&self, url: &str, path: &str, user: &str, password: &str) {
        self.client.goto(url).await.unwrap();
        self.sign_in(user, password).await;
        self.wait_until(&format!("location.pathname === {path:?}"))
            .await;
        wait_until_live(&self.client).await;
    }

    /// Fills the login form of the page the browser is on (numerous's login page: waits for
    /// it) and sends it; leaves `password` empty for an app that asks for a name only.
    pub async fn sign_in(&self, user: &str, password: &str) {
        self.wait_until("document.querySelector('form input[name=username]')")
            .await;
        self.type_into("input[name=username]", user).await;
        if !password.is_empty() {
            self.type_into("input[name=password]", password).await;
        }
        self.click("button[type=submit]").await;
    }

    /// A PNG of the window as it is now; its width is the emulated width (checked).
    pub async fn screenshot(&self) -> Vec<u8> {
        let png = self.client.screenshot().await.expect("a screenshot");
        assert_eq!(&png[1..4], b"PNG", "a PNG");
        png
    }

    /// A PNG of the element `css` selects, scrolled into view, as the page draws it now (the
    /// DevTools protocol's clipped screenshot: WebDriver's element screenshot times out under
    /// an emulated width).
    pub async fn element_screenshot(&self, css: &str) -> Vec<u8> {
        use base64::Engine as _;
        let rect = self
            .run(&format!(
                "const e = document.querySelector({css:?}); e.scrollIntoView({{block: 'center'}}); \
                 const r = e.getBoundingClientRect(); \
                 return [r.left + scrollX, r.top + scrollY, r.width, r.height]"
            ))
            .await;
        let r: Vec<f64> = serde_json::from_value(rect).expect("the element's box");
        let clip = json!({
            "format": "png",
            "captureBeyondViewport": true,
            "clip": {"x": r[0], "y": r[1], "width": r[2].max(1.0), "height": r[3].max(1.0), "scale": 1},
        });
        let shot = self
            .client
            .issue_cmd(Cdp("Page.captureScreenshot", clip))
            .await
            .expect("a screenshot of the element");
        let data = shot["data"].as_str().expect("a PNG in base64");
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .expect("base64");
        assert_eq!(&png[1..4], b"PNG", "a PNG");
        png
    }

    /// Closes the browser without looking at its console (for tests that expect errors there).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }

    /// Fails if the browser console has an error, then closes the browser.
    pub async fn finish(self) {
        let errors = severe_logs(&self.client).await;
        assert!(errors.is_empty(), "console errors: {errors:#?}");
        let _ = self.client.clone().close().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A colour scheme the system may prefer (`prefers-color-scheme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Light,
    Dark,
}

/// Chromium's DevTools protocol through chromedriver (`goog/cdp/execute`).
#[derive(Debug)]
struct Cdp(&'static str, Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.0, "params": self.1});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// WebDriver's computed accessible name or role of an element (`computedlabel`, `computedrole`):
/// what a screen reader is told, as the browser works it out.
#[derive(Debug)]
struct Computed(fantoccini::elements::ElementRef, &'static str);

impl WebDriverCompatibleCommand for Computed {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/element/{}/{}",
            session.unwrap_or_default(),
            &*self.0,
            self.1
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::GET, None)
    }
}

/// axe-core's script, from the workspace's `node_modules` (`npm ci` at its root installs it), or
/// `None` where it is not installed; with `NUMEROUS_REQUIRE_BROWSER=1` (CI) its absence fails.
fn axe_source() -> Option<&'static str> {
    static AXE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    AXE.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&path).ok();
        if source.is_none() {
            assert!(
                !std::env::var("NUMEROUS_REQUIRE_BROWSER").is_ok_and(|v| v == "1"),
                "NUMEROUS_REQUIRE_BROWSER=1 but axe-core is not installed: run `npm ci` at the \
                 workspace's root ({} is missing)",
                path.display()
            );
            eprintln!("skipped the accessibility audit: run `npm ci` to install axe-core");
        }
        source
    })
    .as_deref()
}

/// Whether the accessibility audit can run here (axe-core is installed: `npm ci`).
pub fn axe_installed() -> bool {
    axe_source().is_some()
}

/// The widths every page is audited at: a laptop and a phone.
pub const AUDIT_WIDTHS: [u32; 2] = [1280, 390];

impl Browser {
    /// Emulates the system's colour scheme for this page and the ones that follow; the page's
    /// styles follow at once, without a reload.
    pub async fn set_color_scheme(&self, scheme: Scheme) {
        let value = match scheme {
            Scheme::Light => "light",
            Scheme::Dark => "dark",
        };
        let features = json!({"features": [{"name": "prefers-color-scheme", "value": value}]});
        self.client
            .issue_cmd(Cdp("Emulation.setEmulatedMedia", features))
            .await
            .expect("the colour scheme is emulated");
    }

    /// Lays the page out at `width` CSS pixels (a phone below 600), without a reload.
    pub async fn set_width(&self, width: u32) {
        let metrics = json!({
            "width": width, "height": 800, "deviceScaleFactor": 1, "mobile": width < 600,
        });
        self.client
            .issue_cmd(Cdp("Emulation.setDeviceMetricsOverride", metrics))
            .await
            .expect("the width is emulated");
    }

    /// The accessible name of the element `css` selects: what a screen reader reads for it.
    pub async fn accessible_name(&self, css: &str) -> String {
        self.computed(css, "computedlabel").await
    }

    /// The accessible role of the element `css` selects (`tab`, `radio`, `group`, ..).
    pub async fn accessible_role(&self, css: &str) -> String {
        self.computed(css, "computedrole").await
    }

    async fn computed(&self, css: &str, what: &'static str) -> String {
        let element = self.client.find(Locator::Css(css)).await.unwrap();
        let value = self
            .client
            .issue_cmd(Computed(element.element_id(), what))
            .await
            .unwrap_or_else(|e| panic!("the {what} of {css}: {e}"));
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Presses `key` (a WebDriver key, such as [`fantoccini::key::Key::Right`]) on the element
    /// the page has focused, as a keyboard would.
    pub async fn press(&self, key: fantoccini::key::Key) {
        let focused = self.client.active_element().await.unwrap();
        focused
            .send_keys(&char::from(key).to_string())
            .await
            .unwrap();
    }

    /// The `data-focus`, id or text of the element the page has focused: where the keyboard is.
    pub async fn focused(&self) -> String {
        let v = self
            .client
            .execute(
                "const e = document.activeElement; \
                 return e.dataset.focus ?? (e.id || `${e.tagName.toLowerCase()}:${e.value ?? ''}:${e.textContent}`)",
                vec![],
            )
            .await
            .unwrap();
        v.as_str().unwrap_or_default().to_owned()
    }

    /// Runs axe-core on the page as it is now; returns its serious and critical violations, one
    /// line per element (rule, impact, element, axe's summary), or nothing where axe-core is not
    /// installed (see [`axe_source`]). `NUMEROUS_AUDIT_ALL=1` adds the moderate and minor ones.
    pub async fn audit(&self) -> Vec<String> {
        let Some(axe) = axe_source() else {
            return Vec::new();
        };
        let loaded = self
            .client
            .execute("return Boolean(window.axe)", vec![])
            .await
            .unwrap();
        if loaded != Value::Bool(true) {
            // Transitions off, so that colours are measured where they end, not on their way.
            let script = format!(
                "{axe}\n;const s = document.createElement('style');\
                 s.textContent = '*, *::before, *::after {{ transition: none !important; \
                 animation: none !important; }}';\
                 document.head.append(s); return true;"
            );
            self.client.execute(&script, vec![]).await.unwrap();
        }
        let found = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1]; const ALL = arguments[0];
                axe.run(document, { resultTypes: ["violations"] }).then((r) => done(
                  r.violations
                    .filter((v) => v.impact === "serious" || v.impact === "critical" || ALL)
                    .flatMap((v) => v.nodes.map((n) =>
                      `${v.id} (${v.impact}) at ${n.target.join(" ")}: ${n.failureSummary.replace(/\s+/g, " ")}`))
                ), (e) => done([`axe failed: ${e}`]));"#,
                vec![Value::Bool(
                    std::env::var("NUMEROUS_AUDIT_ALL").is_ok_and(|v| v == "1"),
                )],
            )
            .await
            .expect("axe runs");
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    /// Audits the page as it is now in light and dark, at each of [`AUDIT_WIDTHS`] (axe-core,
    /// and [`overflow`](Self::overflow)); returns every violation, each prefixed with `what` and
    /// where it was found. Leaves the browser
    /// light, at the first width.
    pub async fn audit_views(&self, what: &str) -> Vec<String> {
        let mut found = Vec::new();
        for scheme in [Scheme::Light, Scheme::Dark] {
            self.set_color_scheme(scheme).await;
            for width in AUDIT_WIDTHS {
                self.set_width(width).await;
                let view = format!("{what} ({scheme:?}, {width} px)");
                found.extend(
                    self.audit()
                        .await
                        .into_iter()
                        .map(|v| format!("{view}: {v}")),
                );
                if let Some(wider) = self.overflow().await {
                    found.push(format!("{view}: {wider}"));
                }
            }
        }
        self.set_color_scheme(Scheme::Light).await;
        self.set_width(AUDIT_WIDTHS[0]).await;
        found
    }

    /// Whether the page is wider than the window (a phone would scroll it sideways, or cut it
    /// off): the elements that stick out, or `None`.
    pub async fn overflow(&self) -> Option<String> {
        let v = self
            .client
            .execute(
                "const w = document.documentElement.clientWidth; \
                 if (document.documentElement.scrollWidth <= w) return null; \
                 const out = [...document.querySelectorAll('body *')].filter((e) => { \
                   const r = e.getBoundingClientRect(); \
                   const style = getComputedStyle(e); \
                   return r.width > 0 && r.right > w + 1 && style.position !== 'fixed' \
                     || e.scrollWidth > e.clientWidth + 1 && style.overflowX === 'visible'; }) \
                   .slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') \
                   + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '')); \
                 return `overflow: the page is ${document.documentElement.scrollWidth} px wide in ${w}: ${out.join(', ')}`;",
                vec![],
            )
            .await
            .unwrap();
        v.as_str().map(str::to_owned)
    }

    /// [`audit_views`](Self::audit_views) of the page, then of each tab of every tab bar on it
    /// (`[role=tab]`, chosen by a click, which the page's session sees like a user's).
    pub async fn audit_page(&self, what: &str) -> Vec<String> {
        let mut found = self.audit_views(what).await;
        // Names first: choosing a tab may draw the bar again, and its elements with it.
        let names = self
            .client
            .execute(
                "return [...document.querySelectorAll('[role=tab]')]\
                 .filter((t) => t.getAttribute('aria-selected') !== 'true')\
                 .map((t) => t.textContent)",
                vec![],
            )
            .await
            .unwrap();
        for name in names.as_array().unwrap() {
            let name = name.as_str().unwrap();
            let tab = format!("//*[@role='tab' and text()={name:?}]");
            self.client
                .find(Locator::XPath(&tab))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            self.wait_until(&format!(
                "[...document.querySelectorAll('[role=tab]')].some((t) => \
                 t.textContent === {name:?} && t.getAttribute('aria-selected') === 'true')"
            ))
            .await;
            found.extend(self.audit_views(&format!("{what}, tab {name:?}")).await);
        }
        found
    }

    /// Fails, listing every violation, unless [`audit_page`](Self::audit_page) finds none.
    pub async fn assert_accessible(&self, what: &str) {
        assert_none(&self.audit_page(what).await);
    }

    /// Fails, listing every violation, unless [`audit_views`](Self::audit_views) finds none:
    /// for a page without tabs, or one state of it.
    pub async fn assert_views_accessible(&self, what: &str) {
        assert_none(&self.audit_views(what).await);
    }
}

fn assert_none(found: &[String]) {
    assert!(
        found.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        found.len(),
        found.join("\n")
    );
}
