//! What one app's sessions share, and what a session's task holds of its server: the session
//! layer's whole view of the layers above, built once per app (`mount.rs`).

use std::sync::Arc;

use super::SessionConfig;
use crate::app::{AppMeta, Dispatch};
use crate::resources::Resources;
use crate::store::{Durability, Migration, SessionStore};
use crate::topics::Broker;

/// What every session of one app reads: the app, its dispatch table, its options for sessions,
/// and the services they use.
#[derive(Debug)]
pub(crate) struct SessionEnv {
    /// The app: its widgets, handlers, `new`.
    pub(crate) meta: &'static AppMeta,
    pub(crate) dispatch: Dispatch,
    pub(crate) config: SessionConfig,
    /// Where sessions are kept beyond this process, if anywhere.
    pub(crate) store: Option<Arc<dyn SessionStore>>,
    /// When a tab may be shown what the store does not have yet.
    pub(crate) durability: Durability,
    /// The version of the app's stored sessions, and how older ones are brought to it.
    pub(crate) version: u32,
    pub(crate) migration: Option<Migration>,
    pub(crate) resources: Resources,
    pub(crate) broker: Arc<dyn Broker>,
    /// Every session records its inputs ([`super::recording`]).
    pub(crate) record: Option<super::recording::RecordSessions>,
}

/// A session's place in its server: held by the session's task for its whole life, and given
/// back when dropped (the server's registry implements it).
pub(crate) trait Lease: Send + 'static {
    /// The session's number, for logs (its id is a secret).
    fn number(&self) -> u64;
    /// Moves the session to a new id (it asked for one the store did not know); returns it.
    fn rekey(&mut self) -> Arc<str>;
    /// The number the server's next tab connection gets: tabs numbered below it asked for the
    /// id the session had before [`Lease::rekey`].
    fn next_conn(&self) -> u64;
}

/// Why a tab got no session.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// The server holds as many sessions as it may.
    Full(usize),
    /// This client holds as many sessions as one client may.
    Client(usize),
    /// This user holds as many sessions as one user may.
    User(usize),
    /// The session belongs to another user.
    NotYours,
    /// The session is being saved here to move elsewhere: the tab comes back in a moment.
    Moving,
}

impl Refusal {
    /// What the tab is told.
    pub(crate) fn message(&self) -> String {
        match self {
            Refusal::Full(n) => {
                format!("the server is at its limit of {n} sessions; try again later")
            }
            Refusal::Client(n) => format!(
                "this address holds {n} sessions, as many as one client may; close some tabs or try again later"
            ),
            Refusal::User(n) => format!(
                "you hold {n} sessions, as many as one user may; close some tabs or try again later"
            ),
            Refusal::NotYours => "this session belongs to another user".to_owned(),
            Refusal::Moving => "this session is moving to another server".to_owned(),
        }
    }
}
