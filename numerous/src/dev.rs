//! The development mode, in debug builds only (nothing of it is in a release binary):
//! `numerous-dev` (from the `numerous-new` package) rebuilds and restarts an app when its
//! sources change, and starts it with `NUMEROUS_DEV=<folder>`. The app then:
//! - keeps its sessions in `<folder>/sessions` ([`DirStore`]; unless the app names a session
//!   store of its own), so every open tab reconnects to its own session, with its state, in the
//!   rebuilt app (through the redeploy migration: a field added or removed is handled; a changed
//!   type starts that session afresh, and the tab is told);
//! - serves the app's `static/` files from disk (`NUMEROUS_DEV_STATIC`), so an edited stylesheet
//!   needs no build, and the page's side of the mode (`GET <prefix>/numerous-dev/client.js`);
//! - serves `GET <prefix>/numerous-dev/events`: the build's status as Server-Sent Events, each
//!   `data:` the JSON `numerous-dev` writes to `<folder>/status.json` (`{"seq", "build":
//!   "ok"|"building"|"failed", "error", "css", "reload"}`), so the page shows a failed build's
//!   errors while the previous binary keeps serving, takes a changed stylesheet without a
//!   reload, and loads again (on its session) after a template changed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt as _};

use crate::store::SessionStore;
use crate::store::dir::DirStore;

/// The environment variable `numerous-dev` sets: the folder of the development mode's state.
pub(crate) const ENV: &str = "NUMEROUS_DEV";

/// The app's `static/` folder, which `numerous-dev` names so edits there are served at once.
const STATIC_ENV: &str = "NUMEROUS_DEV_STATIC";

/// How often the status file is looked at.
const POLL: Duration = Duration::from_millis(50);

/// The development mode's folder, when the app runs in it.
pub(crate) fn dir() -> Option<PathBuf> {
    std::env::var_os(ENV)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
}

/// The page's part of the mode: `{"reload": n}` (`NUMEROUS_DEV_RELOAD`: the template edits
/// this build has, so a page compares the status's count with the build that served it), or
/// `false` outside the mode.
pub(crate) fn page_config() -> serde_json::Value {
    if dir().is_none() {
        return serde_json::Value::Bool(false);
    }
    let reload = std::env::var("NUMEROUS_DEV_RELOAD")
        .ok()
        .and_then(|r| r.parse::<u64>().ok())
        .unwrap_or(0);
    serde_json::json!({ "reload": reload })
}

/// The session store of the development mode.
pub(crate) fn store() -> Option<Result<Arc<dyn SessionStore>, crate::store::StoreError>> {
    let dir = dir()?;
    Some(DirStore::new(dir.join("sessions")).map(|s| Arc::new(s) as Arc<dyn SessionStore>))
}

/// `GET <prefix>/numerous-dev/client.js`: the page's side of the development mode.
pub(crate) async fn client() -> impl axum::response::IntoResponse {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        include_str!("../dev/client.js"),
    )
}

/// The app's own file at `path` from its `static/` folder on disk (`NUMEROUS_DEV_STATIC`, set by
/// `numerous-dev`): an edited stylesheet is served without a build. `None` outside the
/// development mode, or for a path that leaves the folder.
pub(crate) fn static_file(path: &str) -> Option<axum::response::Response> {
    use axum::response::IntoResponse;
    dir()?;
    let root = std::env::var_os(STATIC_ENV).filter(|d| !d.is_empty())?;
    let relative = std::path::Path::new(path);
    if relative
        .components()
        .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return None;
    }
    let bytes = std::fs::read(PathBuf::from(root).join(relative)).ok()?;
    Some(
        (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    crate::assets::content_type(path),
                ),
                (axum::http::header::CACHE_CONTROL, "no-store"),
            ],
            bytes,
        )
            .into_response(),
    )
}

/// `GET <prefix>/numerous-dev/events`: the status file's content now, then each time it changes,
/// until the app shuts down (so a page's open stream never holds a restart).
pub(crate) async fn events(
    axum::extract::State(registry): axum::extract::State<Arc<crate::registry::Registry>>,
) -> Sse<impl Stream<Item = Result<Event, std::convert::Infallible>>> {
    let path = dir().unwrap_or_default().join("status.json");
    let stop = registry.shutdown.clone();
    // The file is a few dozen bytes: compared whole at each look (a time stamp can miss two
    // writes within its granularity).
    let stream =
        futures_util::stream::unfold((path, String::new()), |(path, mut seen)| async move {
            loop {
                if let Ok(text) = std::fs::read_to_string(&path)
                    && text != seen
                    && serde_json::from_str::<serde_json::Value>(&text).is_ok()
                {
                    // The page's stream comes back 100 ms after the app restarts, not the
                    // browser's default seconds.
                    let event = Event::default()
                        .data(text.trim())
                        .retry(Duration::from_millis(100));
                    seen = text;
                    return Some((Ok(event), (path, seen)));
                }
                tokio::time::sleep(POLL).await;
            }
        })
        .take_until(stop.cancelled_owned());
    Sse::new(stream).keep_alive(KeepAlive::default())
}
