//! A redeploy with a changed app keeps its sessions: build 1 saves them (on shutdown), build 2
//! loads them. A widget added starts at its starting value, one removed is dropped, and a
//! `#[state]` field whose type changed goes through the app's migration; without one, the
//! session starts afresh with a notice instead of failing.

use std::sync::Arc;
use std::time::Duration;

use numerous::Options;
use numerous::store::{MemoryStore, SessionStore};
use testkit::Tab;

mod build1 {
    use numerous::prelude::*;

    #[numerous::app(template = "redeploy1.html")]
    pub struct Shop {
        pub total: Number,
        pub add: Button,
        /// Gone in build 2.
        pub note: TextInput,
        /// Text in build 1, a number in build 2.
        #[state]
        pub visits: String,
    }

    #[numerous::handlers]
    impl Shop {
        #[on_click(add)]
        fn add(&mut self) {
            self.total.value += 1.0;
            let n: u32 = self.visits.parse().unwrap_or(0);
            self.visits = (n + 1).to_string();
            self.note.value = format!("{n} visits");
        }
    }
}

mod build2 {
    use numerous::prelude::*;

    #[numerous::app(template = "redeploy2.html")]
    pub struct Shop {
        pub total: Number,
        pub add: Button,
        /// New in build 2.
        #[widget(value = "none yet")]
        pub comment: TextInput,
        #[state]
        pub visits: u32,
    }

    #[numerous::handlers]
    impl Shop {
        #[on_click(add)]
        fn add(&mut self) {
            self.total.value += 1.0;
            self.visits += 1;
            self.comment.value = format!("{} visits", self.visits);
        }
    }
}

/// Serves build 1 on `store` as instance `a`, clicks `clicks` times in a new session, shuts the
/// server down (which saves the session); returns the session's id.
/// Where the builds keep sessions: one `MemoryStore`, or the test Redis.
enum Store {
    Memory(MemoryStore),
    Redis(String),
}

impl Store {
    /// The test Redis, if there is one (`None`: skipped).
    fn redis() -> Option<Store> {
        testkit::redis_url().map(Store::Redis)
    }

    async fn instance(&self, name: &str) -> Arc<dyn SessionStore> {
        match self {
            Store::Memory(m) => Arc::new(m.instance_of(name)),
            Store::Redis(url) => crate::support::redis_store(url).await,
        }
    }
}

async fn saved_by_build1(store: &Store, clicks: u32) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let a = store.instance("build1").await;
    let server = tokio::spawn(numerous::serve_until::<build1::Shop>(
        listener,
        Options::default().session_store(a),
        async {
            let _ = stopped.await;
        },
    ));
    let mut tab = Tab::open(addr, None).await;
    for _ in 0..clicks {
        tab.click("add").await;
        tab.recv().await;
    }
    stop.send(()).unwrap();
    assert_eq!(tab.closed_within(Duration::from_secs(5)).await.0, 1001);
    server.await.unwrap().unwrap();
    tab.session
}

async fn build2(store: &Store, options: Options) -> Options {
    let b = store.instance("build2").await;
    options.session_store(b)
}

#[tokio::test]
async fn a_migration_carries_sessions_across_a_changed_type() {
    migrates(Store::Memory(MemoryStore::new())).await;
}

#[tokio::test]
async fn a_migration_carries_sessions_across_a_changed_type_in_redis() {
    if let Some(store) = Store::redis() {
        migrates(store).await;
    }
}

async fn migrates(store: Store) {
    let id = saved_by_build1(&store, 3).await;
    let options = Options::default().migrate_sessions(2, |from, record| {
        if from < 2 {
            let visits = &mut record["state"]["visits"];
            let n: u32 = visits
                .as_str()
                .unwrap_or("0")
                .parse()
                .map_err(|e| format!("visits: {e}"))?;
            *visits = numerous::json!(n);
        }
        Ok(())
    });
    let addr = testkit::serve::<build2::Shop>(build2(&store, options).await).await;
    let mut tab = Tab::open(addr, Some(&id)).await;
    assert!(tab.resumed);
    assert_eq!(tab.state["total"]["value"], 3.0);
    // Added: its starting value; removed: gone.
    assert_eq!(tab.state["comment"]["value"], "none yet");
    assert!(tab.state.get("note").is_none());
    // The migrated state field goes on counting.
    tab.click("add").await;
    let patch = tab.recv().await;
    assert_eq!(patch["state"]["comment"]["value"], "4 visits", "{patch}");
    assert_eq!(patch["state"]["total"]["value"], 4.0);
}

#[tokio::test]
async fn without_a_migration_an_incompatible_session_starts_afresh_with_a_notice() {
    let store = Store::Memory(MemoryStore::new());
    let id = saved_by_build1(&store, 2).await;
    let addr = testkit::serve::<build2::Shop>(build2(&store, Options::default()).await).await;
    let mut tab = Tab::open(addr, Some(&id)).await;
    assert_eq!(tab.session, id);
    // Told that what it had is gone: the page drops what it queued for the old state.
    assert!(!tab.resumed);
    assert_eq!(tab.state["total"]["value"], 0.0);
    let notice = tab.recv().await;
    assert_eq!(notice["type"], "toast", "{notice}");
    assert_eq!(notice["level"], "warning");
    assert!(
        notice["message"].as_str().unwrap().contains("updated"),
        "{notice}"
    );
    // It works from there, and what it saves now is build 2's.
    tab.click("add").await;
    assert_eq!(tab.recv().await["state"]["total"]["value"], 1.0);
}
