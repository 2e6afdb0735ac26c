//! Several apps in one server ([`Server`]): each under its prefix with its own sessions, one
//! sign-in for all or one each, a health route, shared static files and a theme.

use std::sync::Arc;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, Redirect};
use axum::routing::get;
use tokio::net::TcpListener;

use crate::app::{App, AppMeta};
use crate::assets::StaticFiles;
use crate::auth::{self, Auth, AuthState};
use crate::error::Error;
use crate::mount::Mounted;
use crate::options::Options;
use crate::serve::ServeFuture;
use crate::{assets, http, serve};

struct Mount {
    prefix: String,
    name: &'static str,
    /// The app brings routes of its own ([`Options::routes`]), maybe with their own fallback.
    own_routes: bool,
    meta: &'static AppMeta,
    options: Options,
}

/// Several apps served together, each under its prefix:
///
/// ```no_run
/// # use numerous::prelude::*;
/// # #[numerous::app(template = "index.html")]
/// # struct Public { #[widget(label = "Counter:")] counter: Number, #[widget(label = "+1")] increment: Button }
/// # #[numerous::handlers] impl Public { #[on_click(increment)] fn inc(&mut self) {} }
/// # type Admin = Public;
/// use numerous::{Options, Server};
///
/// # async fn run() -> Result<(), numerous::Error> {
/// let server = Server::new()
///     .title("Our apps")
///     .app::<Public>("/public", Options::default())
///     .app::<Admin>("/admin", Options::default()) // give it Options::auth(..) to protect it
///     .root_redirect("/public");
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await.unwrap();
/// server.serve(listener).await
/// # }
/// ```
///
/// Each app has its own sessions, template and options. [`Server::auth`] gives every app
/// without its own [`Options::auth`] one sign-in, at the server's root (`/login`,
/// `/api/auth/*`, cookies for the whole site). `GET /health` lists the apps.
#[must_use]
pub struct Server {
    mounts: Vec<Mount>,
    auth: Option<Auth>,
    title: String,
    root_redirect: Option<String>,
    shared_static: Option<StaticFiles>,
    theme: Option<&'static str>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field(
                "apps",
                &self.mounts.iter().map(|m| &m.prefix).collect::<Vec<_>>(),
            )
            .field("title", &self.title)
            .finish_non_exhaustive()
    }
}

impl Default for Server {
    fn default() -> Self {
        Self::new()
    }
}

impl Server {
    /// A server with no app yet.
    pub fn new() -> Self {
        Server {
            mounts: Vec::new(),
            auth: None,
            title: "numerous".into(),
            root_redirect: None,
            shared_static: None,
            theme: None,
        }
    }

    /// Serves app `A` under `prefix` (`"/admin"`, or `""` for the root) with `options` (their
    /// own prefix is replaced).
    pub fn app<A: App>(mut self, prefix: &str, options: Options) -> Self {
        let mut options = options.prefix(prefix);
        if self.theme.is_some() {
            options = options.stylesheet("/numerous-theme.css");
        }
        let prefix = options.prefix.clone();
        self.mounts.push(Mount {
            prefix,
            name: A::SPEC.name,
            own_routes: options.routes.is_some(),
            meta: AppMeta::of::<A>(),
            options,
        });
        self
    }

    /// One sign-in for every app that has none of its own: the login page and the auth
    /// routes at the server's root, cookies valid for every app.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The server's name, on its index page.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// `GET /` redirects to `path` (an app's prefix). Without it, and without an app at the
    /// root, `/` lists the apps.
    pub fn root_redirect(mut self, path: impl Into<String>) -> Self {
        self.root_redirect = Some(path.into());
        self
    }

    /// Serves the files of an embedded folder at `/shared-static/`:
    /// `.shared_static(Shared::get)` for `#[derive(numerous::rust_embed::Embed)]
    /// #[folder = "static/"] #[crate_path = "numerous::rust_embed"] struct Shared;`.
    pub fn shared_static(mut self, files: StaticFiles) -> Self {
        self.shared_static = Some(files);
        self
    }

    /// A stylesheet for every app added after this call (served at `/numerous-theme.css`,
    /// linked after numerous's own): set the CSS variables (`--numerous-color-primary`, ...) once.
    pub fn theme_css(mut self, css: &'static str) -> Self {
        self.theme = Some(css);
        self
    }

    /// The server's router; an error names a misconfiguration (two apps at one prefix, a prefix
    /// that is not a path, a root redirect hidden by an app at the root).
    pub fn router(self) -> Result<Router, Error> {
        self.build().map(|(router, _)| router)
    }

    fn build(mut self) -> Result<(Router, Vec<Mounted>), Error> {
        if self.mounts.is_empty() {
            return Err(config("a server needs at least one app (Server::app)"));
        }
        let mut seen: Vec<&str> = Vec::new();
        for m in &self.mounts {
            check_prefix(&m.prefix)?;
            if seen.contains(&m.prefix.as_str()) {
                return Err(config(format!(
                    "two apps are mounted at `{}`; give each its own prefix",
                    shown(&m.prefix)
                )));
            }
            seen.push(&m.prefix);
        }
        let root_app = self.mounts.iter().any(|m| m.prefix.is_empty());
        // An app at the root with routes of its own may answer any URL (a folder of files):
        // the server's 404 must not take its place.
        let root_routes = self
            .mounts
            .iter()
            .any(|m| m.prefix.is_empty() && m.own_routes);
        if let Some(target) = &self.root_redirect {
            if root_app {
                return Err(config(format!(
                    "an app is mounted at `/`, so a root redirect to `{target}` would hide its page; drop one of them"
                )));
            }
            if !seen.iter().any(|p| !p.is_empty() && target.starts_with(*p)) {
                return Err(config(format!(
                    "the root redirect goes to `{target}`, which is no app's (apps: {})",
                    seen.iter().map(|p| shown(p)).collect::<Vec<_>>().join(", ")
                )));
            }
        }
        let shared = self
            .auth
            .take()
            .map(|a| AuthState::new(a, ""))
            .transpose()?;
        let apps: Vec<String> = self
            .mounts
            .iter()
            .map(|m| shown(&m.prefix).to_owned())
            .collect();
        let mut router = Router::new();
        let mut mounted = Vec::new();
        for m in self.mounts {
            let (routes, app) = serve::build_with(m.meta, m.options, shared.clone(), false)?;
            tracing::debug!(app = m.name, prefix = %shown(&m.prefix), "mounted");
            // Each app's hosts for its routes; the server's (any app's) for the rest, below.
            let routes = routes.route_layer(axum::middleware::from_fn_with_state(
                app.state.http.clone(),
                http::guard,
            ));
            router = router.merge(routes);
            mounted.push(app);
        }
        // The shared sign-in's pages, at the root, with the state of an app that uses it.
        if let Some(shared) = &shared {
            let user = mounted
                .iter()
                .map(|app| &app.state)
                .find(|state| state.auth.as_ref().is_some_and(|a| Arc::ptr_eq(a, shared)));
            if let Some(state) = user
                && let Some(sign_in) = state.sign_in()
            {
                let mut root = auth::auth_routes().merge(auth::admin_routes());
                if !root_app {
                    root = root.route("/numerous-static/{*path}", get(assets::serve));
                }
                router = router.merge(root.with_state(sign_in).layer(
                    axum::middleware::from_fn_with_state(state.clone(), auth::protect),
                ));
            }
        }
        let health = serde_json::json!({ "status": "healthy", "apps": apps });
        router = router.route(
            "/health",
            get(move || {
                let health = health.clone();
                async move { axum::Json(health) }
            }),
        );
        if let Some(files) = self.shared_static {
            router = router.route(
                "/shared-static/{*path}",
                get(
                    move |axum::extract::Path(path): axum::extract::Path<String>| async move {
                        assets::embedded(files, &path)
                    },
                ),
            );
        }
        if let Some(css) = self.theme {
            router =
                router.route(
                    "/numerous-theme.css",
                    get(move || async move {
                        ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], css)
                    }),
                );
        }
        if !root_app {
            router = match self.root_redirect {
                Some(target) => {
                    router.route("/", get(move || async move { Redirect::to(&target) }))
                }
                None => {
                    let index = index_page(&self.title, &apps);
                    router.route("/", get(move || async move { Html(index) }))
                }
            };
        }
        // A URL no app serves is a 404 (for a signed-in user too); every request, the
        // server's own routes and that 404 included, is for a host some app serves.
        let router = if root_routes {
            router
        } else {
            router.fallback(|| async { (StatusCode::NOT_FOUND, "no app serves this URL") })
        };
        let hosts: Vec<_> = mounted.iter().map(|app| app.state.http.clone()).collect();
        let router = router.layer(axum::middleware::from_fn_with_state(
            Arc::new(hosts),
            http::guard_any,
        ));
        Ok((router, mounted))
    }

    /// Serves the apps on `listener` until Ctrl-C or SIGTERM.
    pub fn serve(self, listener: TcpListener) -> ServeFuture {
        self.serve_signal(listener, Box::pin(serve::shutdown_signal()))
    }

    /// Serves the apps on `listener` until `signal` completes; then every tab of every app is
    /// closed with 1001.
    pub fn serve_until(
        self,
        listener: TcpListener,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> ServeFuture {
        self.serve_signal(listener, Box::pin(signal))
    }

    fn serve_signal(self, listener: TcpListener, signal: http::Signal) -> ServeFuture {
        ServeFuture::new(async move {
            let (router, mounted) = self.build()?;
            for app in &mounted {
                serve::start(app, "app").await?;
            }
            let local = listener.local_addr().map_err(Error::Serve)?;
            tracing::info!("{} apps listening on http://{local}/", mounted.len());
            let router = router.layer(crate::http::debug_log());
            let registries: Vec<_> = mounted
                .iter()
                .map(|app| app.state.registry.clone())
                .collect();
            // The connections' timeouts are the first app's.
            http::serve(
                listener,
                router,
                &mounted[0].state.http,
                &registries,
                signal,
            )
            .await
            .map_err(Error::Serve)
        })
    }
}

fn config(message: impl Into<String>) -> Error {
    Error::Config(message.into())
}

fn shown(prefix: &str) -> &str {
    if prefix.is_empty() { "/" } else { prefix }
}

/// A prefix is `""` or `/segment[/segment..]` of URL-safe characters.
fn check_prefix(prefix: &str) -> Result<(), Error> {
    let ok = prefix.is_empty()
        || prefix.split('/').skip(1).all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
        });
    if ok {
        Ok(())
    } else {
        Err(config(format!(
            "`{prefix}` is not a path prefix: use `/name` (letters, digits, `-._~`), or `` for the root"
        )))
    }
}

fn index_page(title: &str, apps: &[String]) -> String {
    let esc = crate::html::escaped;
    let links: String = apps
        .iter()
        .map(|a| format!(r#"<li><a href="{0}/">{0}</a></li>"#, esc(a)))
        .collect();
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{0}</title></head><body><h1>{0}</h1><ul>{links}</ul></body></html>"#,
        esc(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_paths() {
        for good in ["", "/admin", "/a/b", "/x-1_y.z~"] {
            assert!(check_prefix(good).is_ok(), "{good}");
        }
        for bad in ["/a b", "/a/../b", "//", "/a?b", "/é"] {
            assert!(check_prefix(bad).is_err(), "{bad}");
        }
    }
}
