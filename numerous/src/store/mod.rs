//! Where sessions are kept beyond the memory of one process: the [`SessionStore`] trait, the
//! in-process [`MemoryStore`], and (cargo feature `redis`) [`RedisStore`].
//!
//! Without a store (the default) a session lives and dies in the process that started it. With
//! one, every instance of an app behind a load balancer can serve every session:
//!
//! - **Saved when it changes.** A session's widgets and `#[state]` fields are written to the
//!   store after every input that changed them, as one JSON record.
//! - **One owner.** An instance *claims* a session before it runs it; each claim takes the next
//!   *fence* number, and a save is accepted only under the latest fence. An instance that lost
//!   a session (it was away from the store and another instance took over) finds its saves
//!   refused, stops the session and sends its tabs to reconnect: at most one instance's changes
//!   are ever kept, and a tab never keeps showing changes that were not.
//! - **Handing over.** A claim for a session that a live instance owns asks that instance to
//!   release it (it saves, closes its tabs with 1001 and lets go) and waits; an owner that is
//!   gone (its process died: it no longer listens for such requests) is taken over at once;
//!   an instance asked for a session it does not run any more disowns it at once.
//! - **Nothing shown is lost.** With [`Durability::Shown`] a tab is shown a change only once the
//!   store has it; while the store is away, saves are retried (each has a deadline,
//!   `SAVE_DEADLINE`) and the tabs' answers wait for them. A store that lost its data (Redis
//!   restarted empty) gets every session written again by the instance that runs it; a claim
//!   that finds nothing meanwhile asks the instances for it ([`Claim::Sought`]).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;

#[cfg(debug_assertions)]
pub(crate) mod dir;
mod memory;
pub(crate) mod record;
#[cfg(feature = "redis")]
mod redis;

#[cfg(feature = "redis")]
pub use self::redis::RedisStore;
pub use memory::MemoryStore;
pub use record::Migration;

/// The number of a claim: each claim of a session takes the next one, and the store accepts a
/// save only under the latest.
pub type Fence = u64;

/// What claiming a session found.
#[derive(Debug)]
pub enum Claim {
    /// The session is this instance's now, under `fence`; `data` is its last saved record.
    Taken {
        /// The claim's number, which every save must carry.
        fence: Fence,
        /// The record last saved ([`SessionStore::save`]).
        data: Vec<u8>,
    },
    /// A live instance runs it and was asked to release it: claim again shortly.
    Busy,
    /// The store does not know the session, but may have lost it lately (Redis began again
    /// without its data): the instances were asked for it, and one that runs it saves it and
    /// lets it go. Claim again shortly (numerous waits 2 s at most).
    Sought,
    /// The store does not know the session (it expired, or never existed).
    Unknown,
}

/// Why the session store failed an operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store cannot be reached: `store` names it (a URL without its password), `reason`
    /// says what happened.
    #[error("session store: cannot reach {store}: {reason}")]
    Unreachable {
        /// The store, as the options named it (its password masked).
        store: String,
        /// What connecting failed with.
        reason: String,
    },
    /// The store took no answer within the time allowed (paused, or a network that drops
    /// packets): the operation may or may not have happened.
    #[error("session store: no answer within {0:?}")]
    Timeout(std::time::Duration),
    /// The store answered with an error, or with something this version does not expect.
    #[error("session store: {0}")]
    Failed(String),
    /// The options name a store that is not one, or that this build cannot use.
    #[error("session store: {0}")]
    Config(String),
}

/// Keeps sessions beyond one process, so several instances of an app can serve them
/// ([`Options::session_store`](crate::Options::session_store)). See the [module
/// documentation](self) for the protocol; [`RedisStore`] is the production implementation and
/// [`MemoryStore`] runs several instances in one process (tests).
///
/// `app` names the app (several can share a store) and `id` the session. Records expire `ttl`
/// after they were last saved.
#[async_trait]
pub trait SessionStore: fmt::Debug + Send + Sync + 'static {
    /// Names this instance (unique among the instances sharing the store).
    fn instance(&self) -> &str;

    /// Starts listening for requests to release sessions of `app`: each session id received
    /// asks this instance to save that session and let it go; `?<id>` asks the same of an
    /// instance that runs it, when the store lost its record ([`Claim::Sought`]). Called once
    /// per app, before any claim.
    async fn listen(&self, app: &str) -> Result<mpsc::UnboundedReceiver<String>, StoreError>;

    /// Records a new session owned by this instance under fence 1, as save `seq` of it. A
    /// create that comes again (the answer to the first was lost) is a save under fence 1, so
    /// a late one never takes the record back. `Ok(false)`: the id is another's (claimed since).
    async fn create(
        &self,
        app: &str,
        id: &str,
        seq: u64,
        data: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError>;

    /// Claims session `id` for this instance: taken (it was free, its owner is gone, or this
    /// instance owned it), busy (its live owner was asked to release it), sought or unknown.
    /// `ask` says whether a store that may have lost the record asks the instances for it
    /// (the first claim of a wait does; the ones that follow only look again).
    async fn claim(
        &self,
        app: &str,
        id: &str,
        ttl: Duration,
        ask: bool,
    ) -> Result<Claim, StoreError>;

    /// Saves the session's record under `fence`. `Ok(false)`: another claim came since, and
    /// nothing was written. A record the store lost (it restarted empty, or the record expired)
    /// is written again.
    ///
    /// `seq` numbers the owner's saves under one fence (the record [`create`](Self::create)
    /// writes is 1, the saves after a claim start above 0): a save that reaches the store after a
    /// later one (sent over a connection that was given up on) writes nothing and counts as done,
    /// so the record never goes back to an older state.
    async fn save(
        &self,
        app: &str,
        id: &str,
        fence: Fence,
        seq: u64,
        data: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError>;

    /// Lets the session go (it stays stored, for the next claim), if `fence` is still the
    /// latest.
    async fn release(&self, app: &str, id: &str, fence: Fence) -> Result<(), StoreError>;

    /// Forgets the session (it ended), if `fence` is still the latest.
    async fn remove(&self, app: &str, id: &str, fence: Fence) -> Result<(), StoreError>;

    /// This instance was asked for session `id` and does not run it (it ended here, or moved
    /// while the store was away): if the store still names this instance its owner, it does
    /// not any more, so the claim that asked takes it at once.
    async fn disown(&self, app: &str, id: &str) -> Result<(), StoreError>;

    /// Refresh tokens shared by the instances, for sign-in providers that keep theirs in
    /// memory (so a refresh may reach any instance); `None` if this store keeps none.
    fn refresh_tokens(&self) -> Option<std::sync::Arc<dyn crate::auth::SharedRefreshTokens>> {
        None
    }
}

/// When a change reaches the store, relative to the tabs seeing it
/// ([`Options::session_durability`](crate::Options::session_durability)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Durability {
    /// A tab is shown a change only once the store has it: whatever any tab was shown survives
    /// the instance being killed. Each input that changes something waits one store round trip
    /// before its frames leave (other sessions do not wait).
    #[default]
    Shown,
    /// Frames leave at once and the save follows (one at a time per session, the latest state
    /// each time): killing the instance loses at most the changes of the last round trip.
    Fast,
}

/// How long one save may take before it counts as failed and is tried again: a store that
/// stopped answering never holds a session. A backstop: the Redis store's own limits (a
/// connection within 2 s, an answer within 2 s, after which the connection is made again)
/// come first.
pub(crate) const SAVE_DEADLINE: Duration = Duration::from_secs(5);

/// How long a claimant waits for a live owner to release a session before the tab is told to
/// retry.
pub(crate) const HANDOVER_WAIT: Duration = Duration::from_secs(5);
/// How long a claimant waits for a session the store lost to be saved again by the instance
/// that runs it ([`Claim::Sought`]) before it starts a new one.
pub(crate) const SEEK_WAIT: Duration = Duration::from_secs(2);
/// How often a claimant asks again while it waits.
pub(crate) const HANDOVER_POLL: Duration = Duration::from_millis(20);
/// A session claimed less than this long ago is released only when it has had this long: two
/// tabs of one session pinned to two instances hand it back and forth at most this often.
pub(crate) const MIN_HOLD: Duration = Duration::from_secs(1);
