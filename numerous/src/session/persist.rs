//! Saving a session to the store as it changes, and holding back what the tabs would be shown
//! until it is saved ([`Durability::Shown`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use super::Session;
use super::tabs::TabSync;
use crate::spec::AppSpec;
use crate::store::{Durability, Fence, SAVE_DEADLINE, SessionStore, StoreError, record};

/// The longest wait between two tries of a failed save: a store that came back has the
/// session at most this long after (the tabs' held answers with it).
const RETRY_MAX: Duration = Duration::from_secs(1);
/// How long a session that ends or moves keeps trying to save itself (within the 5 s a
/// stopping server waits for its sessions).
const FLUSH_PATIENCE: Duration = Duration::from_secs(3);

type Saving = Pin<Box<dyn Future<Output = Result<Fence, Saved>> + Send>>;

/// Why a save did not go through.
enum Saved {
    /// Another instance claimed the session since: it is not ours any more.
    Lost,
    Failed(StoreError),
}

/// Keeps one session saved: at most one save in flight, each with the latest state.
pub(crate) struct Saver {
    store: Arc<dyn SessionStore>,
    app: &'static str,
    id: Arc<str>,
    /// `None` until the store has the session (a new one is created by its first save).
    pub(super) fence: Option<Fence>,
    /// The number of the last save started under `fence` (the store keeps the highest).
    seq: u64,
    ttl: Duration,
    version: u32,
    user: Option<String>,
    durability: Durability,
    /// The save under way, and the mark of the held frames it covers.
    in_flight: Option<(Saving, u64)>,
    retry: Option<Pin<Box<tokio::time::Sleep>>>,
    /// When the record is saved again even if nothing changed, so the store does not let it
    /// expire while the session lives here (half its time to live after the last save).
    keep_alive: Pin<Box<tokio::time::Sleep>>,
    backoff: Duration,
    /// A save was refused: another instance owns the session now.
    pub(super) lost: bool,
    reported: bool,
    /// The app: the record names its widgets.
    spec: &'static AppSpec,
}

impl std::fmt::Debug for Saver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Saver")
            .field("fence", &self.fence)
            .field("lost", &self.lost)
            .finish_non_exhaustive()
    }
}

impl Saver {
    pub(super) fn new(
        env: &super::SessionEnv,
        store: Arc<dyn SessionStore>,
        id: Arc<str>,
        fence: Option<Fence>,
        user: Option<String>,
    ) -> Self {
        Saver {
            store,
            app: env.meta.spec.name,
            id,
            fence,
            seq: 0,
            ttl: env.config.idle_timeout,
            version: env.version,
            user,
            durability: env.durability,
            in_flight: None,
            retry: None,
            keep_alive: Box::pin(tokio::time::sleep(env.config.idle_timeout / 2)),
            backoff: Duration::from_millis(100),
            lost: false,
            reported: false,
            spec: env.meta.spec,
        }
    }

    /// Whether frames wait for saves.
    pub(super) fn holds(&self) -> bool {
        self.durability == Durability::Shown
    }

    /// Starts a save if something changed and none is in flight.
    fn start(&mut self, session: &Session) {
        let (data, covered) = {
            let mut s = session.lock();
            if !s.dirty || self.in_flight.is_some() || self.lost {
                return;
            }
            s.dirty = false;
            s.saving = true;
            let mut data = Vec::with_capacity(64 + s.snapshot.iter().map(Vec::len).sum::<usize>());
            encode(self.spec, &s, &mut data, self.version, self.user.as_deref());
            (data, s.held_mark())
        };
        let store = self.store.clone();
        // `create` writes save 1.
        self.seq += 1;
        let (app, id, ttl, fence, seq) =
            (self.app, self.id.clone(), self.ttl, self.fence, self.seq);
        let saving: Saving = Box::pin(async move {
            let save = async {
                match fence {
                    None => match store.create(app, &id, seq, &data, ttl).await {
                        Ok(true) => Ok(1),
                        Ok(false) => Err(Saved::Lost),
                        Err(e) => Err(Saved::Failed(e)),
                    },
                    Some(fence) => match store.save(app, &id, fence, seq, &data, ttl).await {
                        Ok(true) => Ok(fence),
                        Ok(false) => Err(Saved::Lost),
                        Err(e) => Err(Saved::Failed(e)),
                    },
                }
            };
            // A store that does not answer (paused, or unreachable without a reset) must not
            // hold the session: the save counts as failed and is tried again.
            tokio::time::timeout(SAVE_DEADLINE, save)
                .await
                .unwrap_or(Err(Saved::Failed(StoreError::Timeout(SAVE_DEADLINE))))
        });
        self.in_flight = Some((saving, covered));
    }

    /// Polls the save in flight, if any, and once it is done acts on what came of it: the
    /// frames it covers go out; a refusal (another instance has the session) ends the session
    /// here; a failure lets the tabs go on and schedules another try. Pending while it runs.
    fn poll_in_flight(&mut self, cx: &mut Context<'_>, session: &Session) -> Poll<()> {
        let Some((saving, covered)) = &mut self.in_flight else {
            return Poll::Ready(());
        };
        let covered = *covered;
        let Poll::Ready(done) = saving.as_mut().poll(cx) else {
            return Poll::Pending;
        };
        self.in_flight = None;
        session.lock().saving = false;
        match done {
            Ok(fence) => {
                self.fence = Some(fence);
                self.backoff = Duration::from_millis(100);
                self.keep_alive
                    .as_mut()
                    .reset(tokio::time::Instant::now() + self.ttl / 2);
                let mut s = session.lock();
                s.hold = self.holds();
                s.release_held_to(covered);
            }
            Err(Saved::Lost) => {
                tracing::warn!(
                    session = session.number,
                    "another instance took the session over; its tabs reconnect there"
                );
                self.lost = true;
                session.lock().drop_held();
                session.close_all(crate::protocol::CloseCode::GoingAway, "the session moved");
            }
            Err(Saved::Failed(e)) => {
                tracing::warn!(
                    session = session.number,
                    "cannot save the session (retrying in {:?}): {e}",
                    self.backoff
                );
                // Saved when the store is back. With `Shown`, what the tabs would be shown waits
                // for that (nothing the store does not have is ever shown: a crash of this
                // instance meanwhile loses nothing a tab saw); with `Fast` it went out already.
                session.lock().dirty = true;
                self.retry = Some(Box::pin(tokio::time::sleep(self.backoff)));
                self.backoff = (self.backoff * 2).min(RETRY_MAX);
            }
        }
        Poll::Ready(())
    }

    /// Drives the saves: completes once, when the session was lost to another instance;
    /// otherwise stays pending (the session's `select!` polls it beside its other work).
    pub(super) fn drive(&mut self, cx: &mut Context<'_>, session: &Session) -> Poll<()> {
        loop {
            if self.lost {
                if self.reported {
                    return Poll::Pending;
                }
                self.reported = true;
                return Poll::Ready(());
            }
            if self.poll_in_flight(cx, session).is_pending() {
                return Poll::Pending;
            }
            if self.lost {
                continue;
            }
            if let Some(retry) = &mut self.retry {
                if retry.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.retry = None;
            }
            if self.keep_alive.as_mut().poll(cx).is_ready() {
                // Nothing changed for long: saved again all the same, to stay in the store.
                self.keep_alive
                    .as_mut()
                    .reset(tokio::time::Instant::now() + self.ttl / 2);
                if self.fence.is_some() {
                    session.lock().dirty = true;
                }
            }
            {
                let mut s = session.lock();
                if !s.dirty {
                    // Frames held behind the last save that show nothing newer (a welcome, a
                    // toast, an error): the store has everything they show.
                    if !s.held.is_empty() {
                        let all = s.held.len();
                        s.release_held(all);
                    }
                    return Poll::Pending;
                }
            }
            self.start(session);
        }
    }

    /// Saves what is left and waits for it (the session is about to end or move); false if the
    /// store did not take it. A failure is tried again for a while (the first command after
    /// Redis came back fails as the connection is made again).
    pub(super) async fn flush(&mut self, session: &Session) -> bool {
        let give_up = tokio::time::Instant::now() + FLUSH_PATIENCE;
        self.retry = None;
        loop {
            if self.lost {
                return false;
            }
            if self.in_flight.is_none() {
                if !session.lock().dirty {
                    return true;
                }
                self.start(session);
            }
            std::future::poll_fn(|cx| self.poll_in_flight(cx, session)).await;
            if let Some(retry) = self.retry.take() {
                // It failed: try again shortly, while there is time.
                if tokio::time::Instant::now() + self.backoff >= give_up {
                    return false;
                }
                retry.await;
            }
        }
    }

    /// Lets the session go (it moves to another instance), or forgets it (it ended).
    pub(super) async fn finish(&mut self, remove: bool) {
        let Some(fence) = self.fence.filter(|_| !self.lost) else {
            return;
        };
        let done = if remove {
            self.store.remove(self.app, &self.id, fence).await
        } else {
            self.store.release(self.app, &self.id, fence).await
        };
        if let Err(e) = done {
            tracing::warn!("cannot let the session go in the store: {e}");
        }
    }
}

fn encode(spec: &AppSpec, s: &TabSync, out: &mut Vec<u8>, version: u32, user: Option<&str>) {
    record::encode(spec, out, version, user, &s.snapshot, &s.state, &s.extras);
}

/// Drives `saver` beside other work: completes once, when the session was lost.
pub(super) async fn drive(saver: Option<&mut Saver>, session: &Session) {
    match saver {
        Some(saver) => std::future::poll_fn(|cx| saver.drive(cx, session)).await,
        None => std::future::pending().await,
    }
}
