//! `GET /`: the app's template with the client, its styles and the initial state put in.
//!
//! The widgets' initial state is inlined, so the first paint needs no round trip. Everything
//! that does not depend on the request is computed once per app ([`PageParts`]).

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use axum::http::{HeaderName, HeaderValue};

use crate::app::AppMeta;
use crate::assets;
use crate::spec::AppSpec;

/// What the app's pages (its own, the sign-in pages, the forbidden page) are made of: the app,
/// the parts of its page, and the security headers every page carries.
#[derive(Debug)]
pub(crate) struct PageState {
    pub(crate) meta: &'static AppMeta,
    pub(crate) parts: PageParts,
    /// The page's security headers, built once ([`security_headers`]).
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

/// The security headers of a page that may be framed by `frame_ancestors` (none: by no site)
/// and that carries `csp` as its Content-Security-Policy, if any.
pub(crate) fn security_headers(
    frame_ancestors: &[String],
    csp: Option<&str>,
) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    )];
    let ancestors = if frame_ancestors.is_empty() {
        headers.push((header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")));
        "'none'".to_owned()
    } else {
        frame_ancestors.join(" ")
    };
    if let Some(csp) = csp {
        let policy = format!(
            "{}; frame-ancestors {ancestors}",
            csp.trim_end_matches([';', ' '])
        );
        match HeaderValue::from_str(&policy) {
            Ok(v) => headers.push((header::CONTENT_SECURITY_POLICY, v)),
            Err(_) => tracing::error!(
                "the Content-Security-Policy is not a valid header value; none is sent"
            ),
        }
    }
    headers
}

/// The parts of the page that are the same for every request.
#[derive(Debug)]
pub(crate) struct PageParts {
    /// Goes before `</head>`: styles and module preloads.
    head: String,
    /// Goes before `</body>`, up to the state object.
    tail_start: String,
    /// Closes what `tail_start` opened.
    tail_end: String,
    /// The last page served.
    kept: std::sync::Mutex<Option<Kept>>,
}

impl PageParts {
    pub(crate) fn new(spec: &AppSpec, prefix: &str, auth: bool, stylesheets: &[String]) -> Self {
        let assets = format!("{prefix}/numerous-static/{}/", assets::version());
        let mut kinds: Vec<&str> = spec
            .widgets
            .iter()
            .filter(|w| w.module.is_none())
            .map(|w| w.kind)
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        // Custom widgets' modules and styles, served from the app itself.
        let mut modules = serde_json::Map::new();
        let mut custom_css = String::new();
        // Several widget kinds may share one stylesheet (a library's): link it once.
        let mut linked: Vec<&str> = Vec::new();
        // Kinds drawn in a shadow root, with the URL of their stylesheet (linked in there).
        let mut isolated = serde_json::Map::new();
        for w in spec.widgets {
            let Some(module) = w.module else { continue };
            if modules.contains_key(w.kind) {
                continue;
            }
            let v = assets::fnv_hex(&[module.as_bytes(), w.css.unwrap_or("").as_bytes()]);
            modules.insert(
                w.kind.to_owned(),
                format!("{prefix}/numerous-widgets/{}.js?v={v}", w.kind).into(),
            );
            if w.isolated {
                let css = w
                    .css
                    .map(|_| format!("{prefix}/numerous-widgets/{}.css?v={v}", w.kind));
                isolated.insert(w.kind.to_owned(), css.into());
            } else if let Some(css) = w.css
                && !linked.contains(&css)
            {
                linked.push(css);
                let _ = write!(
                    custom_css,
                    r#"<link rel="stylesheet" href="{prefix}/numerous-widgets/{}.css?v={v}">"#,
                    w.kind
                );
            }
        }
        let rates: serde_json::Map<String, serde_json::Value> = spec
            .widgets
            .iter()
            .filter(|w| w.debounce_ms > 0)
            .map(|w| (w.key.to_owned(), w.debounce_ms.into()))
            .collect();

        let mut head = format!(
            r#"<link rel="icon" href="{assets}favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="{assets}numerous.css">"#
        );
        for kind in &kinds {
            if assets::get(&format!("widgets/{kind}.css")).is_some() {
                let _ = write!(
                    head,
                    r#"<link rel="stylesheet" href="{assets}widgets/{kind}.css">"#
                );
            }
        }
        head.push_str(&custom_css);
        for url in stylesheets {
            let url = url.replace('"', "%22").replace('<', "%3C");
            let _ = write!(head, r#"<link rel="stylesheet" href="{url}">"#);
        }
        let _ = write!(
            head,
            r#"<link rel="modulepreload" href="{assets}numerous.js"><link rel="modulepreload" href="{assets}widgets/field.js">"#
        );
        for url in modules.values().filter_map(|u| u.as_str()) {
            let _ = write!(head, r#"<link rel="modulepreload" href="{url}">"#);
        }
        for kind in &kinds {
            let _ = write!(
                head,
                r#"<link rel="modulepreload" href="{assets}widgets/{kind}.js">"#
            );
        }

        let mut tail_start = String::new();
        for fragment in [
            "fragments/splash.html",
            "fragments/error-modal.html",
            "fragments/session-banner.html",
        ] {
            // The app's own version (templates/numerous/<name>), else ours.
            match spec.fragments.iter().find(|(name, _)| *name == fragment) {
                Some((_, html)) => tail_start.push_str(html),
                None => {
                    let file = assets::get(fragment).expect("fragments are embedded");
                    tail_start
                        .push_str(std::str::from_utf8(&file.data).expect("fragments are UTF-8"));
                }
            }
        }
        let widgets: serde_json::Map<String, serde_json::Value> = spec
            .widgets
            .iter()
            .map(|w| (w.key.to_owned(), w.kind.into()))
            .collect();
        let config = serde_json::json!({
            "base": prefix,
            "assets": assets,
            "widgets": widgets,
            "modules": modules,
            "isolated": isolated,
            "rates": rates,
            "auth": auth,
            "dev": dev_mode(),
        })
        .to_string();
        // Open the config object and leave room for `"state":{..}`.
        let _ = write!(
            tail_start,
            r#"<script type="application/json" id="numerous-config">{},"state":"#,
            script_safe(&config[..config.len() - 1])
        );
        let tail_end =
            format!(r#"}}</script><script type="module" src="{assets}numerous.js"></script>"#);
        PageParts {
            head,
            tail_start,
            tail_end,
            kept: std::sync::Mutex::new(None),
        }
    }

    /// The page for a fresh app's `body` and `state`: the one kept when they are what they
    /// were last time (the usual case: a fresh app is the same every time), so a page load
    /// neither assembles nor compresses anything. Compressed forms are made (quickly, not at
    /// the smallest) when a client first asks for them.
    fn page(&self, body: String, state: String, coding: Option<&str>) -> axum::body::Bytes {
        let mut kept = self
            .kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let same = kept
            .as_ref()
            .is_some_and(|k| k.body == body && k.state == state);
        if !same {
            let mut tail = String::with_capacity(self.tail_start.len() + state.len() + 128);
            tail.push_str(&self.tail_start);
            tail.push_str(&script_safe(&state));
            tail.push_str(&self.tail_end);
            let html = inject(&body, &self.head, &tail);
            *kept = Some(Kept {
                body,
                state,
                html: html.into(),
                encoded: None,
            });
        }
        let k = kept.as_mut().expect("kept above");
        match coding {
            None => k.html.clone(),
            Some(coding) => k
                .encoded
                .get_or_insert_with(|| {
                    assets::Encoded::with(&k.html, 9, flate2::Compression::default())
                })
                .get(coding),
        }
    }
}

/// The last page served, with what it was made of.
#[derive(Debug)]
struct Kept {
    body: String,
    state: String,
    html: axum::body::Bytes,
    encoded: Option<assets::Encoded>,
}

/// `GET /`.
///
/// A fresh app is rendered for each request (it is usually the same every time); the page made
/// of it, and its compressed forms, are kept and reused while it stays the same.
pub(crate) async fn page(
    State(page): State<Arc<PageState>>,
    request_headers: axum::http::HeaderMap,
) -> Response {
    match render(page.meta) {
        Ok((body, state)) => {
            let coding = assets::accepted(&request_headers);
            let html = page.parts.page(body, state, coding);
            let mut response =
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
            if let Some(coding) = coding {
                response.headers_mut().insert(
                    header::CONTENT_ENCODING,
                    header::HeaderValue::from_static(coding),
                );
            }
            let headers = response.headers_mut();
            headers.insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            headers.insert(
                header::VARY,
                header::HeaderValue::from_static("accept-encoding"),
            );
            for (name, value) in &page.headers {
                headers.insert(name.clone(), value.clone());
            }
            response
        }
        Err(e) => {
            tracing::error!(app = page.meta.spec.name, "cannot render the page: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><title>Error</title><h1>This page could not be rendered</h1><p>The error is in the server log.</p>"),
            )
                .into_response()
        }
    }
}

/// A fresh app's template output and state object.
pub(crate) fn render(meta: &AppMeta) -> askama::Result<(String, String)> {
    let app = (meta.new)();
    let mut body = String::with_capacity(4096);
    app.render_template(&mut body)?;

    let mut state = Vec::with_capacity(512);
    state.push(b'{');
    for (i, w) in meta.spec.widgets.iter().enumerate() {
        if i > 0 {
            state.push(b',');
        }
        state.push(b'"');
        state.extend_from_slice(w.key.as_bytes());
        state.extend_from_slice(b"\":");
        if let Some(widget) = app.widget(i) {
            widget
                .write_state(&mut state)
                .map_err(|e| askama::Error::Custom(Box::new(e)))?;
        }
    }
    state.push(b'}');
    let state = String::from_utf8(state).unwrap_or_default();
    Ok((body, state))
}

/// JSON made safe inside `<script>`: `<` can only occur in strings, where `\u003c` means the same.
fn script_safe(json: &str) -> std::borrow::Cow<'_, str> {
    if json.contains('<') {
        json.replace('<', "\\u003c").into()
    } else {
        json.into()
    }
}

/// Puts `head` before the last `</head>` and `tail` before the last `</body>`, matching tags
/// in any case. Without `</head>`, `head` starts the document; without `</body>`, `tail` ends it.
pub(crate) fn inject(html: &str, head: &str, tail: &str) -> String {
    let mut out = String::with_capacity(html.len() + head.len() + tail.len());
    let head_at = rfind_ascii_ci(html, "</head>");
    let body_at = rfind_ascii_ci(html, "</body>").filter(|b| head_at.is_none_or(|h| *b > h));
    match head_at {
        Some(h) => {
            out.push_str(&html[..h]);
            out.push_str(head);
            match body_at {
                Some(b) => {
                    out.push_str(&html[h..b]);
                    out.push_str(tail);
                    out.push_str(&html[b..]);
                }
                None => {
                    out.push_str(&html[h..]);
                    out.push_str(tail);
                }
            }
        }
        None => {
            out.push_str(head);
            match body_at {
                Some(b) => {
                    out.push_str(&html[..b]);
                    out.push_str(tail);
                    out.push_str(&html[b..]);
                }
                None => {
                    out.push_str(html);
                    out.push_str(tail);
                }
            }
        }
    }
    out
}

fn rfind_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?)
        .rev()
        .find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Under `numerous-dev` (a debug build started with `NUMEROUS_DEV`), what the page needs to
/// follow the build: `{"reload": <template edits this build has>}`; otherwise `false`.
fn dev_mode() -> serde_json::Value {
    #[cfg(debug_assertions)]
    {
        crate::dev::page_config()
    }
    #[cfg(not(debug_assertions))]
    {
        serde_json::Value::Bool(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_refused_unless_allowed() {
        let h = security_headers(&[], Some("default-src 'self'"));
        let csp = h
            .iter()
            .find(|(k, _)| k == header::CONTENT_SECURITY_POLICY)
            .unwrap();
        assert!(csp.1.to_str().unwrap().ends_with("frame-ancestors 'none'"));
        assert!(
            h.iter()
                .any(|(k, v)| k == header::X_FRAME_OPTIONS && v == "DENY")
        );

        let h = security_headers(&["https://portal.example".to_owned()], None);
        assert!(!h.iter().any(|(k, _)| k == header::X_FRAME_OPTIONS));
    }

    #[test]
    fn injects_before_closing_tags() {
        let out = inject(
            "<html><head><title>x</title></HEAD><body><p>hi</p></Body></html>",
            "H",
            "T",
        );
        assert_eq!(
            out,
            "<html><head><title>x</title>H</HEAD><body><p>hi</p>T</Body></html>"
        );
    }

    #[test]
    fn injects_into_fragments() {
        assert_eq!(inject("<p>hi</p>", "H", "T"), "H<p>hi</p>T");
        assert_eq!(inject("<p>hi</p></body>", "H", "T"), "H<p>hi</p>T</body>");
    }

    #[test]
    fn uses_the_last_closing_tag() {
        let out = inject(
            "<head></head><body><pre>&lt;/body&gt; </body></pre></body>",
            "H",
            "T",
        );
        assert!(out.ends_with("</pre>T</body>"), "{out}");
    }

    #[test]
    fn script_safe_escapes_tags() {
        assert_eq!(
            script_safe(r#"{"a":"</script>"}"#),
            r#"{"a":"\u003c/script>"}"#
        );
    }
}
