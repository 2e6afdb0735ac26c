//! [`DirStore`]: sessions kept in a folder, one file each, for the development mode
//! (`numerous-dev`): an app rebuilt and started again finds its tabs' sessions there. Compiled
//! into debug builds only.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::{Claim, Fence, SessionStore, StoreError};

/// A [`SessionStore`] in a folder, for one instance at a time (the app the development mode
/// runs, then the one rebuilt after it): the store protocol's fences are kept in memory, and a
/// record found on disk is this instance's to take. Saves are written in the order the session
/// makes them (one process, synchronous writes), so `seq` needs no check. Not for production:
/// nothing is synced to disk, and two processes on one folder are not fenced from each other.
#[derive(Debug)]
pub(crate) struct DirStore {
    dir: PathBuf,
    /// The latest fence of each session this process took or made, by (app, id).
    fences: Mutex<HashMap<(String, String), Fence>>,
    /// Kept so the release requests' channel stays open (none come: one instance).
    listeners: Mutex<Vec<mpsc::UnboundedSender<String>>>,
}

impl DirStore {
    /// A store in `dir` (made if missing). What an earlier run left half-written (`*.tmp`)
    /// goes, and so do records not saved for a day (a session's idle timeout is shorter).
    pub(crate) fn new(dir: impl Into<PathBuf>) -> Result<DirStore, StoreError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::Unreachable {
            store: dir.display().to_string(),
            reason: e.to_string(),
        })?;
        let apps = std::fs::read_dir(&dir).into_iter().flatten().flatten();
        for file in apps.flat_map(|app| {
            std::fs::read_dir(app.path())
                .into_iter()
                .flatten()
                .flatten()
        }) {
            let path = file.path();
            let old = file
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > Duration::from_secs(24 * 3600));
            if old || path.extension().is_some_and(|e| e == "tmp") {
                let _ = std::fs::remove_file(path);
            }
        }
        Ok(DirStore {
            dir,
            fences: Mutex::default(),
            listeners: Mutex::default(),
        })
    }

    /// The record's file: `<dir>/<app>/<id>`, with anything but letters, digits, `-` and `_`
    /// replaced (ids are random hex; app names are Rust identifiers).
    fn path(&self, app: &str, id: &str) -> PathBuf {
        let safe = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect()
        };
        self.dir.join(safe(app)).join(safe(id))
    }

    fn fences(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Fence>> {
        self.fences.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes the record whole or not at all (a temporary file, renamed over it).
    fn write(&self, app: &str, id: &str, seq: u64, data: &[u8]) -> Result<(), StoreError> {
        let path = self.path(app, id);
        let failed = |e: std::io::Error| StoreError::Failed(format!("{}: {e}", path.display()));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(failed)?;
        }
        let tmp = path.with_extension(format!("{seq}.tmp"));
        std::fs::write(&tmp, data).map_err(failed)?;
        std::fs::rename(&tmp, &path).map_err(failed)
    }

    /// The record, if it is there and was saved within `ttl`.
    fn read(path: &Path, ttl: Duration) -> Option<Vec<u8>> {
        let meta = std::fs::metadata(path).ok()?;
        let age = SystemTime::now()
            .duration_since(meta.modified().ok()?)
            .unwrap_or_default();
        if age > ttl {
            let _ = std::fs::remove_file(path);
            return None;
        }
        std::fs::read(path).ok()
    }
}

fn key(app: &str, id: &str) -> (String, String) {
    (app.to_owned(), id.to_owned())
}

#[async_trait]
impl SessionStore for DirStore {
    fn instance(&self) -> &str {
        "dev"
    }

    async fn listen(&self, _app: &str) -> Result<mpsc::UnboundedReceiver<String>, StoreError> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(tx);
        Ok(rx)
    }

    async fn create(
        &self,
        app: &str,
        id: &str,
        seq: u64,
        data: &[u8],
        _ttl: Duration,
    ) -> Result<bool, StoreError> {
        self.write(app, id, seq, data)?;
        self.fences().entry(key(app, id)).or_insert(1);
        Ok(true)
    }

    async fn claim(
        &self,
        app: &str,
        id: &str,
        ttl: Duration,
        _ask: bool,
    ) -> Result<Claim, StoreError> {
        let Some(data) = Self::read(&self.path(app, id), ttl) else {
            return Ok(Claim::Unknown);
        };
        // A record this process did not make was left by the app before this build: taken.
        let mut fences = self.fences();
        let fence = fences.entry(key(app, id)).or_insert(1);
        *fence += 1;
        Ok(Claim::Taken {
            fence: *fence,
            data,
        })
    }

    async fn save(
        &self,
        app: &str,
        id: &str,
        fence: Fence,
        seq: u64,
        data: &[u8],
        _ttl: Duration,
    ) -> Result<bool, StoreError> {
        if self
            .fences()
            .get(&key(app, id))
            .is_some_and(|f| *f != fence)
        {
            return Ok(false);
        }
        self.write(app, id, seq, data)?;
        Ok(true)
    }

    async fn release(&self, _app: &str, _id: &str, _fence: Fence) -> Result<(), StoreError> {
        Ok(())
    }

    async fn remove(&self, app: &str, id: &str, fence: Fence) -> Result<(), StoreError> {
        let mut fences = self.fences();
        if fences.get(&key(app, id)).is_none_or(|f| *f == fence) {
            fences.remove(&key(app, id));
            let _ = std::fs::remove_file(self.path(app, id));
        }
        Ok(())
    }

    async fn disown(&self, _app: &str, _id: &str) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_record_outlives_the_store_that_wrote_it() {
        let dir = std::env::temp_dir().join(format!("numerous-dir-store-{}", std::process::id()));
        let ttl = Duration::from_secs(60);
        let first = DirStore::new(&dir).unwrap();
        assert!(first.create("app", "s1", 1, b"one", ttl).await.unwrap());
        assert!(first.save("app", "s1", 1, 2, b"two", ttl).await.unwrap());
        // Another process (the app rebuilt) takes it, under a fence of its own.
        let second = DirStore::new(&dir).unwrap();
        let Claim::Taken { fence, data } = second.claim("app", "s1", ttl, true).await.unwrap()
        else {
            panic!("not taken");
        };
        assert_eq!((fence, data.as_slice()), (2, &b"two"[..]));
        assert!(!second.save("app", "s1", 1, 3, b"stale", ttl).await.unwrap());
        assert!(second.save("app", "s1", 2, 1, b"three", ttl).await.unwrap());
        assert!(matches!(
            second.claim("app", "nope/../x", ttl, true).await.unwrap(),
            Claim::Unknown
        ));
        // An ended session is gone from the folder.
        second.remove("app", "s1", 2).await.unwrap();
        assert!(matches!(
            DirStore::new(&dir)
                .unwrap()
                .claim("app", "s1", ttl, true)
                .await
                .unwrap(),
            Claim::Unknown
        ));
        let _ = std::fs::remove_dir_all(dir);
    }
}
