//! One app as it is mounted: its [`Options`] split, once, into what each layer reads (tokio's
//! `Builder` into its drivers' configs), and the state of its routes composed of each route
//! module's own (axum's `FromRef` sub-states). A route takes only the part it needs:
//!
//! | part | defined in | read by |
//! |---|---|---|
//! | `Arc<Registry>` | registry.rs | the socket, the fallback, the HTTP API, uploads |
//! | `Arc<HttpConfig>` | http.rs | every route (timeouts, limits, the host and origin checks) |
//! | `Arc<PageState>` | page.rs | the page, the sign-in pages, the forbidden page |
//! | `Arc<CustomAssets>` | assets.rs | custom widgets' modules |
//! | `Arc<SseTabs>` | sse.rs | the fallback transport |
//! | `Arc<Uploads>` | upload.rs | uploads |
//! | `Option<Arc<AuthState>>` | auth/ | the guard, and the transports (a tab ends with its sign-in) |
//! | `SignIn` | auth/routes.rs | the sign-in routes (built here from the parts above) |

use std::sync::Arc;

use axum::extract::FromRef;

use crate::app::{AppMeta, Dispatch};
use crate::assets::CustomAssets;
use crate::auth::{AuthState, SignIn};
use crate::error::Error;
use crate::http::HttpConfig;
use crate::options::Options;
use crate::page::{PageParts, PageState, security_headers};
use crate::registry::{Admission, Registry};
use crate::resources::AppContext;
use crate::session::{SessionConfig, SessionEnv};
use crate::sse::SseTabs;
use crate::topics::Publisher;
use crate::upload::Uploads;

/// The state of one app's routes: each field is a route module's own part.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    pub(crate) registry: Arc<Registry>,
    pub(crate) http: Arc<HttpConfig>,
    pub(crate) page: Arc<PageState>,
    custom: Arc<CustomAssets>,
    sse: Arc<SseTabs>,
    uploads: Arc<Uploads>,
    /// Sign-in, when the app is protected.
    pub(crate) auth: Option<Arc<AuthState>>,
    /// What work outside sessions (tasks, the registration hook) reaches.
    pub(crate) context: AppContext,
}

macro_rules! parts {
    ($($field:ident: $ty:ty),* $(,)?) => {$(
        impl FromRef<AppState> for $ty {
            fn from_ref(state: &AppState) -> Self {
                state.$field.clone()
            }
        }
    )*};
}

parts! {
    registry: Arc<Registry>,
    http: Arc<HttpConfig>,
    page: Arc<PageState>,
    custom: Arc<CustomAssets>,
    sse: Arc<SseTabs>,
    uploads: Arc<Uploads>,
    auth: Option<Arc<AuthState>>,
    context: AppContext,
}

impl AppState {
    /// The state of the sign-in routes, when the app is protected.
    pub(crate) fn sign_in(&self) -> Option<SignIn> {
        Some(SignIn {
            auth: self.auth.clone()?,
            http: self.http.clone(),
            page: self.page.clone(),
            context: self.context.clone(),
        })
    }
}

/// An app built from its options: the state of its routes, and the options the assembly still
/// reads (its own routes, its tasks, logging).
#[derive(Debug)]
pub(crate) struct Mounted {
    pub(crate) state: AppState,
    pub(crate) options: Options,
}

impl Mounted {
    /// App `meta` served with `options`, protected by `auth`; an `Error::Config` naming the
    /// handler and the type when a handler takes a resource the options do not register: at
    /// start-up, not at the first click.
    pub(crate) fn new(
        meta: &'static AppMeta,
        options: Options,
        auth: Option<Arc<AuthState>>,
    ) -> Result<Self, Error> {
        let env = session_env(meta, &options)?;
        let admission = Admission {
            max_sessions: options.max_sessions,
            per_client: options.max_sessions_per_client,
            per_user: auth.as_ref().map_or(0, |a| a.config.max_sessions_per_user),
        };
        let state = AppState {
            registry: Registry::new(env, admission),
            http: Arc::new(http_config(&options)),
            page: Arc::new(PageState {
                meta,
                parts: PageParts::new(
                    meta.spec,
                    &options.prefix,
                    auth.is_some(),
                    &options.stylesheets,
                ),
                headers: security_headers(
                    &options.frame_ancestors,
                    options.content_security_policy.as_deref(),
                ),
            }),
            custom: Arc::new(CustomAssets::of(meta.spec)),
            sse: Arc::default(),
            uploads: Arc::new(Uploads {
                permits: tokio::sync::Semaphore::new(options.max_concurrent_uploads.max(1)),
                max_bytes: options.max_upload_bytes,
                grace: options.header_read_timeout,
            }),
            auth,
            context: AppContext {
                resources: options.resources.clone(),
                publisher: Publisher::new(options.broker.clone()),
            },
        };
        Ok(Mounted { state, options })
    }
}

/// What the sessions of app `meta` share, from `options`; an error when a handler takes a
/// resource `options` does not register.
pub(crate) fn session_env(
    meta: &'static AppMeta,
    options: &Options,
) -> Result<Arc<SessionEnv>, Error> {
    for h in meta.handlers {
        for key in h.resources {
            let (id, name) = key();
            if !options.resources.contains(id) {
                let registered = options.resources.names();
                return Err(Error::Config(format!(
                    "app `{}`: handler `{}` takes `Res<{name}>`, but no `{name}` was registered; add it with `Options::resource(..)` (registered: {})",
                    meta.spec.name,
                    h.name,
                    if registered.is_empty() {
                        "none".to_owned()
                    } else {
                        registered.join(", ")
                    },
                )));
            }
        }
    }
    Ok(Arc::new(SessionEnv {
        meta,
        dispatch: Dispatch::new(meta.spec, meta.handlers),
        config: SessionConfig {
            idle_timeout: options.idle_timeout,
            unused_timeout: options.unused_session_timeout,
            max_tabs: options.max_tabs_per_session,
        },
        store: options.session_store.clone(),
        durability: options.session_durability,
        version: options.session_version,
        migration: options.session_migration.clone(),
        resources: options.resources.clone(),
        broker: options.broker.clone(),
        record: options.record_sessions.clone(),
    }))
}

/// What serving HTTP needs of `options`.
pub(crate) fn http_config(options: &Options) -> HttpConfig {
    HttpConfig {
        prefix: options.prefix.clone(),
        max_message_bytes: options.max_message_bytes,
        max_queued_bytes: options.max_queued_bytes,
        header_read_timeout: options.header_read_timeout,
        ping_interval: options.ping_interval,
        write_timeout: options.write_timeout,
        trusted_proxies: options.trusted_proxies.clone(),
        allowed_hosts: options.allowed_hosts.clone(),
        allowed_origins: options.allowed_origins.clone(),
    }
}
