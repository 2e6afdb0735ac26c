//! [`MemoryStore`]: the store protocol in one process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{Claim, Fence, SessionStore, StoreError};

#[derive(Debug, Default)]
struct Shared {
    /// By (app, id).
    records: HashMap<(String, String), Entry>,
    /// Who listens for release requests, by (app, instance).
    listeners: HashMap<(String, String), mpsc::UnboundedSender<String>>,
}

#[derive(Debug)]
struct Entry {
    data: Vec<u8>,
    fence: Fence,
    /// The owner's last save under `fence` ([`SessionStore::save`]).
    seq: u64,
    owner: Option<String>,
    expires: Instant,
}

impl Entry {
    /// Writes save `seq` of the owner, unless a later one is here already.
    fn write(&mut self, seq: u64, data: &[u8], ttl: Duration) {
        if self.seq < seq {
            self.data.clear();
            self.data.extend_from_slice(data);
            self.seq = seq;
            self.expires = Instant::now() + ttl;
        }
    }
}

/// A [`SessionStore`] in this process's memory, with the same protocol (claims, fences,
/// release requests) as [`RedisStore`](super::RedisStore): several instances of an app in one
/// process share one through [`MemoryStore::instance_of`]. Meant for tests; nothing survives
/// the process.
#[derive(Debug, Clone)]
pub struct MemoryStore {
    shared: Arc<Mutex<Shared>>,
    instance: String,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore {
            shared: Arc::default(),
            instance: "memory-1".to_owned(),
        }
    }
}

impl MemoryStore {
    /// A store with one instance.
    pub fn new() -> Self {
        Self::default()
    }

    /// Another instance on the same records, named `instance`.
    pub fn instance_of(&self, instance: &str) -> MemoryStore {
        MemoryStore {
            shared: self.shared.clone(),
            instance: instance.to_owned(),
        }
    }

    /// Stops this instance listening for release requests, as if its process had died: its
    /// sessions are taken over by the next claim.
    pub fn vanish(&self) {
        self.lock()
            .listeners
            .retain(|(_, i), _| *i != self.instance);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn key(app: &str, id: &str) -> (String, String) {
    (app.to_owned(), id.to_owned())
}

#[async_trait]
impl SessionStore for MemoryStore {
    fn instance(&self) -> &str {
        &self.instance
    }

    async fn listen(&self, app: &str) -> Result<mpsc::UnboundedReceiver<String>, StoreError> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.lock()
            .listeners
            .insert((app.to_owned(), self.instance.clone()), tx);
        Ok(rx)
    }

    async fn create(
        &self,
        app: &str,
        id: &str,
        seq: u64,
        data: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut shared = self.lock();
        match shared.records.get_mut(&key(app, id)) {
            None => {
                shared.records.insert(
                    key(app, id),
                    Entry {
                        data: data.to_vec(),
                        fence: 1,
                        seq,
                        owner: Some(self.instance.clone()),
                        expires: Instant::now() + ttl,
                    },
                );
                Ok(true)
            }
            Some(e) if e.fence == 1 && e.owner.as_deref() == Some(self.instance.as_str()) => {
                e.write(seq, data, ttl);
                Ok(true)
            }
            Some(_) => Ok(false),
        }
    }

    async fn claim(
        &self,
        app: &str,
        id: &str,
        ttl: Duration,
        _ask: bool,
    ) -> Result<Claim, StoreError> {
        let mut shared = self.lock();
        let shared = &mut *shared;
        let k = key(app, id);
        if shared
            .records
            .get(&k)
            .is_some_and(|e| e.expires <= Instant::now())
        {
            shared.records.remove(&k);
        }
        let Some(entry) = shared.records.get_mut(&k) else {
            return Ok(Claim::Unknown);
        };
        if let Some(owner) = &entry.owner
            && *owner != self.instance
        {
            // Ask the owner; one that no longer listens is gone.
            let asked = shared
                .listeners
                .get(&(app.to_owned(), owner.clone()))
                .is_some_and(|tx| tx.send(id.to_owned()).is_ok());
            if asked {
                return Ok(Claim::Busy);
            }
        }
        entry.fence += 1;
        entry.seq = 0;
        entry.owner = Some(self.instance.clone());
        entry.expires = Instant::now() + ttl;
        Ok(Claim::Taken {
            fence: entry.fence,
            data: entry.data.clone(),
        })
    }

    async fn save(
        &self,
        app: &str,
        id: &str,
        fence: Fence,
        seq: u64,
        data: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut shared = self.lock();
        match shared.records.get_mut(&key(app, id)) {
            Some(e) if e.fence == fence => {
                e.write(seq, data, ttl);
                Ok(true)
            }
            Some(_) => Ok(false),
            // Gone (expired): nobody else claimed it, so it is written again.
            None => {
                shared.records.insert(
                    key(app, id),
                    Entry {
                        data: data.to_vec(),
                        fence,
                        seq,
                        owner: Some(self.instance.clone()),
                        expires: Instant::now() + ttl,
                    },
                );
                Ok(true)
            }
        }
    }

    async fn release(&self, app: &str, id: &str, fence: Fence) -> Result<(), StoreError> {
        if let Some(e) = self.lock().records.get_mut(&key(app, id))
            && e.fence == fence
        {
            e.owner = None;
        }
        Ok(())
    }

    async fn disown(&self, app: &str, id: &str) -> Result<(), StoreError> {
        if let Some(e) = self.lock().records.get_mut(&key(app, id))
            && e.owner.as_deref() == Some(self.instance.as_str())
        {
            e.owner = None;
        }
        Ok(())
    }

    async fn remove(&self, app: &str, id: &str, fence: Fence) -> Result<(), StoreError> {
        let mut shared = self.lock();
        let k = key(app, id);
        if shared.records.get(&k).is_some_and(|e| e.fence == fence) {
            shared.records.remove(&k);
        }
        Ok(())
    }
}
