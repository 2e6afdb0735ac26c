//! What one mounted app shares between its sessions: options, dispatch table, page parts and the
//! registry of live sessions. Only connecting touches the registry; the event path stays inside
//! a session's task.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use axum::http::HeaderValue;
use dashmap::DashMap;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::app::{AppMeta, Dispatch};
use crate::auth::{AuthState, User};
use crate::http::HttpConfig;
use crate::options::Options;
use crate::page::PageParts;
use crate::session::{self, Control, Lease, Refusal, SessionConfig, SessionEnv};

/// Inputs queued to one session before its tabs' readers wait (and stop reading their sockets).
const INPUT_QUEUE: usize = 64;

/// Everything one mounted app shares between its sessions.
#[derive(Debug)]
pub(crate) struct Runtime {
    pub(crate) options: Options,
    /// What the app's sessions share (the session layer's whole view of this app).
    pub(crate) env: Arc<SessionEnv>,
    /// What serving HTTP needs of the options.
    pub(crate) http: HttpConfig,
    pub(crate) page: PageParts,
    /// The page's security headers, built once from the options.
    pub(crate) page_headers: Vec<(axum::http::HeaderName, HeaderValue)>,
    sessions: DashMap<Arc<str>, SessionHandle>,
    /// Live sessions per client address.
    clients: DashMap<IpAddr, usize>,
    live: AtomicUsize,
    next_conn: AtomicU64,
    next_session: AtomicU64,
    /// Modules and stylesheets of custom widgets, by file name (`<kind>.js`, `<kind>.css`).
    pub(crate) custom_assets: std::collections::HashMap<String, &'static str>,
    /// Cancelled when the server shuts down (HTTP connections finish; sessions are told
    /// through their control queues, so nothing on the event path polls this).
    pub(crate) shutdown: CancellationToken,
    /// The tabs' connection tasks, so shutdown can wait for them to close.
    pub(crate) tabs: TaskTracker,
    /// Uploads being read.
    pub(crate) uploads: Semaphore,
    /// Fallback-transport tabs opened and waiting for their event stream, by stream token.
    pub(crate) sse_open: DashMap<String, crate::sse::SseTab>,
    /// Fallback-transport tabs, by the token their POSTs carry.
    pub(crate) sse_send: DashMap<Arc<str>, crate::sse::SseTab>,
    /// Sign-in, when the app is protected.
    pub(crate) auth: Option<Arc<AuthState>>,
    /// Live sessions per user, when the app is protected.
    users: DashMap<Arc<str>, usize>,
    /// The sessions' tasks, so shutdown can wait for them to be saved.
    pub(crate) session_tasks: TaskTracker,
}

/// How tabs and uploads reach a session's task.
#[derive(Debug, Clone)]
pub(crate) struct SessionHandle {
    /// Tabs coming and going: never waits, and is handled even while a handler runs.
    pub(crate) control: crate::session::ControlSender,
    /// Frames and uploads, in the order they came: a full queue makes the sender wait.
    pub(crate) inputs: crate::session::InputSender,
    /// The user the session belongs to, when the app is protected: nobody else may join it.
    pub(crate) owner: Option<Arc<User>>,
    /// The session's id (a secret: never logged).
    pub(crate) id: Arc<str>,
}

impl Runtime {
    /// The runtime of app `meta`; what is misconfigured, naming the handler and the type, when
    /// a handler takes a resource the options do not register: at start-up, not at the first
    /// click (the server makes it an `Error::Config`).
    pub(crate) fn new(meta: &'static AppMeta, options: Options) -> Result<Arc<Self>, String> {
        Self::with_auth(meta, options, None)
    }

    /// [`Runtime::new`], protected by `auth`.
    pub(crate) fn with_auth(
        meta: &'static AppMeta,
        options: Options,
        auth: Option<Arc<AuthState>>,
    ) -> Result<Arc<Self>, String> {
        for h in meta.handlers {
            for key in h.resources {
                let (id, name) = key();
                if !options.resources.contains(id) {
                    let registered = options.resources.names();
                    return Err(format!(
                        "app `{}`: handler `{}` takes `Res<{name}>`, but no `{name}` was registered; add it with `Options::resource(..)` (registered: {})",
                        meta.spec.name,
                        h.name,
                        if registered.is_empty() {
                            "none".to_owned()
                        } else {
                            registered.join(", ")
                        },
                    ));
                }
            }
        }
        Ok(Arc::new(Runtime {
            env: Arc::new(SessionEnv {
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
            }),
            http: http_config(&options),
            page: PageParts::new(
                meta.spec,
                &options.prefix,
                auth.is_some(),
                &options.stylesheets,
            ),
            page_headers: page_headers(&options),
            sessions: DashMap::new(),
            clients: DashMap::new(),
            live: AtomicUsize::new(0),
            next_conn: AtomicU64::new(0),
            next_session: AtomicU64::new(0),
            custom_assets: meta
                .spec
                .widgets
                .iter()
                .flat_map(|w| {
                    [
                        w.module.map(|m| (format!("{}.js", w.kind), m)),
                        w.css.map(|c| (format!("{}.css", w.kind), c)),
                    ]
                })
                .flatten()
                .collect(),
            shutdown: CancellationToken::new(),
            tabs: TaskTracker::new(),
            uploads: Semaphore::new(options.max_concurrent_uploads.max(1)),
            sse_open: DashMap::new(),
            sse_send: DashMap::new(),
            auth,
            users: DashMap::new(),
            session_tasks: TaskTracker::new(),
            options,
        }))
    }

    /// A number for a new connection, unique within this app.
    pub(crate) fn next_conn(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// The number the next connection gets.
    pub(crate) fn peek_conn(&self) -> u64 {
        self.next_conn.load(Ordering::Relaxed)
    }

    /// The live session `id`, if any.
    pub(crate) fn session(&self, id: &str) -> Option<SessionHandle> {
        self.sessions
            .get(id)
            .map(|h| h.clone())
            .filter(|h| !h.inputs.is_closed())
    }

    /// Session `id` if this instance runs it, ending or not (it lets go of the store last).
    pub(crate) fn registered(&self, id: &str) -> Option<SessionHandle> {
        self.sessions.get(id).map(|h| h.clone())
    }

    /// The live session `id` if `user` may use it: on a protected app, only its owner may.
    pub(crate) fn session_for(&self, id: &str, user: Option<&User>) -> Option<SessionHandle> {
        self.session(id)
            .filter(|h| h.owner.as_ref().map(|o| &o.id) == user.map(|u| &u.id))
    }

    /// The session `requested` if it is alive (and `user`'s), else a new one for `client` and
    /// `user`, if the limits allow.
    pub(crate) fn attach(
        self: &Arc<Self>,
        requested: Option<&str>,
        client: IpAddr,
        user: Option<&Arc<User>>,
    ) -> Result<(SessionHandle, bool), Refusal> {
        if let Some(handle) = requested.and_then(|id| self.session(id)) {
            if handle.owner.as_ref().map(|o| &o.id) != user.map(|u| &u.id) {
                return Err(Refusal::NotYours);
            }
            return Ok((handle, true));
        }
        // With a session store, a session this instance does not run may be in the store.
        let claim =
            requested.filter(|id| self.options.session_store.is_some() && is_session_id(id));
        // One user cannot fill the server.
        let per_user = self
            .auth
            .as_ref()
            .map_or(0, |a| a.config.max_sessions_per_user);
        let owner: Option<Arc<str>> = user.map(|u| Arc::from(u.id.as_str()));
        if let Some(id) = &owner {
            let mut held = self.users.entry(id.clone()).or_insert(0);
            if per_user > 0 && *held >= per_user {
                let n = *held;
                drop(held);
                self.users.remove_if(id, |_, held| *held == 0);
                return Err(Refusal::User(n));
            }
            *held += 1;
        }
        let max = self.options.max_sessions;
        // The last tenth of the places is kept for clients holding at most one session.
        let reserve = max / 10;
        let per_client = self.options.max_sessions_per_client;
        let admitted = {
            let mut held = self.clients.entry(client).or_insert(0);
            let live = self.live.fetch_add(1, Ordering::AcqRel);
            let refusal = if per_client > 0 && *held >= per_client {
                Some(Refusal::Client(*held))
            } else if live >= max || (live >= max - reserve && *held > 1) {
                Some(Refusal::Full(max))
            } else {
                None
            };
            match refusal {
                Some(r) => {
                    self.live.fetch_sub(1, Ordering::AcqRel);
                    Err(r)
                }
                None => {
                    *held += 1;
                    Ok(())
                }
            }
        };
        if let Err(refusal) = admitted {
            // Leave no entry behind for a client that holds nothing.
            self.clients.remove_if(&client, |_, held| *held == 0);
            if let Some(id) = &owner {
                self.release_user(id);
            }
            return Err(refusal);
        }
        let id: Arc<str> = claim.map_or_else(new_session_id, str::to_owned).into();
        let (control, inputs, control_rx, inputs_rx) = crate::session::mailbox(INPUT_QUEUE);
        let handle = SessionHandle {
            control,
            inputs,
            owner: user.cloned(),
            id: id.clone(),
        };
        match self.sessions.entry(id.clone()) {
            dashmap::Entry::Vacant(v) => {
                v.insert(handle.clone());
            }
            dashmap::Entry::Occupied(o) => {
                // Another tab asked for the same stored session a moment ago: join it, unless
                // it is ending.
                let existing = o.get().clone();
                drop(o);
                self.unadmit(client, owner.as_ref());
                if existing.inputs.is_closed() {
                    return Err(Refusal::Moving);
                }
                if existing.owner.as_ref().map(|o| &o.id) != user.map(|u| &u.id) {
                    return Err(Refusal::NotYours);
                }
                return Ok((existing, true));
            }
        }
        let number = self.next_session.fetch_add(1, Ordering::Relaxed);
        let registered = Registered {
            rt: self.clone(),
            id: id.clone(),
            client,
            user: owner,
            number,
        };
        let origin = if claim.is_some() {
            session::Origin::Claim
        } else {
            session::Origin::New
        };
        self.session_tasks.spawn(session::run(
            self.env.clone(),
            Box::new(registered),
            id,
            control_rx,
            handle.inputs.clone(),
            inputs_rx,
            user.cloned(),
            origin,
        ));
        // A claimed session says whether it was found in its welcome.
        Ok((handle, claim.is_some()))
    }
}

/// What serving HTTP needs of `options`.
pub(crate) fn http_config(options: &Options) -> HttpConfig {
    HttpConfig {
        header_read_timeout: options.header_read_timeout,
        ping_interval: options.ping_interval,
        write_timeout: options.write_timeout,
        trusted_proxies: options.trusted_proxies.clone(),
        allowed_hosts: options.allowed_hosts.clone(),
        allowed_origins: options.allowed_origins.clone(),
    }
}

impl Runtime {
    /// Waits, at shutdown, for what must outlive the tabs: with a session store, every session
    /// saved and let go; what the last handlers published, sent to the other instances.
    pub(crate) async fn finished(&self) {
        if self.options.session_store.is_some() {
            self.session_tasks.wait().await;
        }
        self.options.broker.flushed().await;
    }

    /// Gives back the places a session was admitted to, when it is not started after all.
    fn unadmit(&self, client: IpAddr, user: Option<&Arc<str>>) {
        self.live.fetch_sub(1, Ordering::AcqRel);
        self.clients.remove_if_mut(&client, |_, held| {
            *held = held.saturating_sub(1);
            *held == 0
        });
        if let Some(user) = user {
            self.release_user(user);
        }
    }

    fn release_user(&self, id: &Arc<str>) {
        self.users.remove_if_mut(id, |_, held| {
            *held = held.saturating_sub(1);
            *held == 0
        });
    }

    /// Tells every session that the server is shutting down: each closes its tabs with 1001.
    pub(crate) fn shut_down(&self) {
        self.shutdown.cancel();
        for entry in &self.sessions {
            let _ = entry.control.send(Control::Shutdown);
        }
    }
}

/// A session's place in the registry; leaving it (when the session's task ends, even by a
/// panic) frees the place.
#[derive(Debug)]
pub(crate) struct Registered {
    rt: Arc<Runtime>,
    id: Arc<str>,
    client: IpAddr,
    user: Option<Arc<str>>,
    pub(crate) number: u64,
}

impl Registered {
    /// Moves the session to a new id (it asked for one the store did not know); returns it.
    pub(crate) fn rekey(&mut self) -> Arc<str> {
        let id: Arc<str> = new_session_id().into();
        if let Some((_, mut handle)) = self.rt.sessions.remove(&self.id) {
            handle.id = id.clone();
            self.rt.sessions.insert(id.clone(), handle);
        }
        self.id = id.clone();
        id
    }
}

impl Lease for Registered {
    fn number(&self) -> u64 {
        self.number
    }

    fn rekey(&mut self) -> Arc<str> {
        Registered::rekey(self)
    }

    fn next_conn(&self) -> u64 {
        self.rt.peek_conn()
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.rt.sessions.remove(&self.id);
        self.rt.unadmit(self.client, self.user.as_ref());
        tracing::debug!(session = self.number, "session ended");
    }
}

/// Whether `id` looks like an id this server makes (32 hex digits).
fn is_session_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// 128 random bits, hex: the only secret a tab holds for its session.
fn new_session_id() -> String {
    crate::util::random_hex(16)
}

fn page_headers(o: &Options) -> Vec<(axum::http::HeaderName, HeaderValue)> {
    use axum::http::header;
    let mut headers = vec![(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    )];
    let ancestors = if o.frame_ancestors.is_empty() {
        headers.push((header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")));
        "'none'".to_owned()
    } else {
        o.frame_ancestors.join(" ")
    };
    if let Some(csp) = &o.content_security_policy {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_refused_unless_allowed() {
        let h = page_headers(&Options::default());
        let csp = h
            .iter()
            .find(|(k, _)| k == axum::http::header::CONTENT_SECURITY_POLICY)
            .unwrap();
        assert!(csp.1.to_str().unwrap().ends_with("frame-ancestors 'none'"));
        assert!(
            h.iter()
                .any(|(k, v)| k == axum::http::header::X_FRAME_OPTIONS && v == "DENY")
        );

        let h = page_headers(&Options::default().frame_ancestors(["https://portal.example"]));
        assert!(
            !h.iter()
                .any(|(k, _)| k == axum::http::header::X_FRAME_OPTIONS)
        );
    }
}
