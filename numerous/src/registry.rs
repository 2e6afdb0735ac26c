//! The registry of one app's live sessions: admission (limits per server, per client address,
//! per user), the sessions by id, and their tasks. Only connecting touches it; the event path
//! stays inside a session's task. Every transport (the socket, the fallback, the HTTP API,
//! uploads) reaches sessions through it and nothing else of its app.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use dashmap::DashMap;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::User;
use crate::session::{self, Control, Lease, Refusal, SessionEnv};

/// Inputs queued to one session before its tabs' readers wait (and stop reading their sockets).
const INPUT_QUEUE: usize = 64;

/// How many sessions may live at once, taken from the options when the app is built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Admission {
    /// Sessions on this server, per app.
    pub(crate) max_sessions: usize,
    /// Sessions per client address (0: no limit).
    pub(crate) per_client: usize,
    /// Sessions per signed-in user (0: no limit).
    pub(crate) per_user: usize,
}

/// One app's live sessions.
#[derive(Debug)]
pub(crate) struct Registry {
    /// What the app's sessions share (the session layer's whole view of this app).
    pub(crate) env: Arc<SessionEnv>,
    admission: Admission,
    sessions: DashMap<Arc<str>, SessionHandle>,
    /// Live sessions per client address.
    clients: DashMap<IpAddr, usize>,
    live: AtomicUsize,
    next_conn: AtomicU64,
    next_session: AtomicU64,
    /// Live sessions per user, when the app is protected.
    users: DashMap<Arc<str>, usize>,
    /// Cancelled when the server shuts down (HTTP connections finish; sessions are told
    /// through their control queues, so nothing on the event path polls this).
    pub(crate) shutdown: CancellationToken,
    /// The tabs' connection tasks, so shutdown can wait for them to close.
    pub(crate) tabs: TaskTracker,
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

impl Registry {
    /// An empty registry for the sessions of `env`'s app.
    pub(crate) fn new(env: Arc<SessionEnv>, admission: Admission) -> Arc<Self> {
        Arc::new(Registry {
            env,
            admission,
            sessions: DashMap::new(),
            clients: DashMap::new(),
            live: AtomicUsize::new(0),
            next_conn: AtomicU64::new(0),
            next_session: AtomicU64::new(0),
            users: DashMap::new(),
            shutdown: CancellationToken::new(),
            tabs: TaskTracker::new(),
            session_tasks: TaskTracker::new(),
        })
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

    /// The live sessions on this instance: each one's id and its owner's name (on a protected
    /// app), in no particular order.
    pub(crate) fn list(&self) -> Vec<(Arc<str>, Option<String>)> {
        self.sessions
            .iter()
            .filter(|h| !h.inputs.is_closed())
            .map(|h| (h.id.clone(), h.owner.as_ref().map(|u| u.username.clone())))
            .collect()
    }

    /// Ends the live session `id` (an operator's wish): its tabs are told and start afresh.
    /// `false` when this instance runs no such session.
    pub(crate) fn end(&self, id: &str) -> bool {
        self.session(id)
            .is_some_and(|h| h.control.send(Control::End).is_ok())
    }

    /// Starts (`on`) or stops recording the inputs of the live session `id` (an operator's
    /// wish); `false` when this instance runs no such session. Stopping drops what was
    /// recorded: read it first ([`Registry::recording`]).
    pub(crate) fn record(&self, id: &str, on: bool) -> bool {
        let start = on.then(|| crate::session::recording::Start {
            limit: self
                .env
                .record
                .as_ref()
                .map_or(crate::session::recording::DEFAULT_LIMIT, |r| r.limit),
        });
        self.session(id)
            .is_some_and(|h| h.control.send(Control::Record(start)).is_ok())
    }

    /// The recording so far of the live session `id`: `None` when this instance runs no such
    /// session, `Some(None)` when it records nothing.
    pub(crate) async fn recording(
        &self,
        id: &str,
    ) -> Option<Option<crate::session::recording::Recording>> {
        let handle = self.session(id)?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        handle.control.send(Control::Recording(tx)).ok()?;
        rx.await.ok()
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
        let claim = requested.filter(|id| self.env.store.is_some() && is_session_id(id));
        // One user cannot fill the server.
        let per_user = self.admission.per_user;
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
        let max = self.admission.max_sessions;
        // The last tenth of the places is kept for clients holding at most one session.
        let reserve = max / 10;
        let per_client = self.admission.per_client;
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
            registry: self.clone(),
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

impl Registry {
    /// Waits, at shutdown, for what must outlive the tabs: with a session store, every session
    /// saved and let go; recording sessions into files, every recording written; what the
    /// last handlers published, sent to the other instances.
    pub(crate) async fn finished(&self) {
        let recording = self.env.record.as_ref().is_some_and(|r| r.dir.is_some());
        if self.env.store.is_some() || recording {
            self.session_tasks.wait().await;
        }
        self.env.broker.flushed().await;
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
    registry: Arc<Registry>,
    id: Arc<str>,
    client: IpAddr,
    user: Option<Arc<str>>,
    pub(crate) number: u64,
}

impl Registered {
    /// Moves the session to a new id (it asked for one the store did not know); returns it.
    pub(crate) fn rekey(&mut self) -> Arc<str> {
        let id: Arc<str> = new_session_id().into();
        if let Some((_, mut handle)) = self.registry.sessions.remove(&self.id) {
            handle.id = id.clone();
            self.registry.sessions.insert(id.clone(), handle);
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
        self.registry.peek_conn()
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.registry.sessions.remove(&self.id);
        self.registry.unadmit(self.client, self.user.as_ref());
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
