//! Sessions kept in a session store and served by several instances: a tab reconnecting to
//! another instance gets its session back, a session has one owner at a time, and a redeploy
//! keeps sessions. Each instance is a real server on its own loopback port; the store is the
//! in-process `MemoryStore`, and Redis as well for the tests marked so (when
//! `NUMEROUS_TEST_REDIS_URL` names a server; `NUMEROUS_REQUIRE_REDIS=1` makes its absence a
//! failure). `cluster.rs` runs the instances as processes.

use std::sync::Arc;
use std::time::Duration;

use crate::support::Counter;
use numerous::Options;
use numerous::store::{MemoryStore, SessionStore};
use testkit::{Tab, serve};

fn instance(store: &MemoryStore, name: &str) -> Options {
    let store: Arc<dyn SessionStore> = Arc::new(store.instance_of(name));
    Options::default().session_store(store)
}

/// Two instances' stores: in memory, or on the test Redis (`None`: skipped).
async fn two_stores(redis: bool) -> Option<[Options; 2]> {
    if !redis {
        let store = MemoryStore::new();
        return Some([instance(&store, "a"), instance(&store, "b")]);
    }
    let url = testkit::redis_url()?;
    let mut out = Vec::new();
    for _ in 0..2 {
        let store = crate::support::redis_store(&url).await;
        out.push(Options::default().session_store(store));
    }
    out.try_into().ok()
}

async fn click(tab: &mut Tab) -> f64 {
    tab.click("increment").await;
    let patch = tab.recv().await;
    assert_eq!(patch["type"], "patch", "{patch}");
    patch["state"]["counter"]["value"].as_f64().unwrap()
}

#[tokio::test]
async fn a_session_moves_to_another_instance_with_its_state() {
    moves(false).await;
}

#[tokio::test]
async fn a_session_moves_to_another_instance_with_its_state_in_redis() {
    moves(true).await;
}

async fn moves(redis: bool) {
    let Some([a, b]) = two_stores(redis).await else {
        return;
    };
    let a = serve::<Counter>(a).await;
    let b = serve::<Counter>(b).await;
    let mut on_a = Tab::open(a, None).await;
    for n in 1..=3 {
        assert_eq!(click(&mut on_a).await, f64::from(n));
    }
    // The same session on B: A saves it, closes its tab with 1001 (reconnect at once) and
    // lets it go; B resumes it with its state.
    let mut on_b = Tab::open(b, Some(&on_a.session)).await;
    assert!(on_b.resumed);
    assert_eq!(on_b.session, on_a.session);
    assert_eq!(on_b.state["counter"]["value"], 3.0);
    let (code, frames) = on_a.closed_within(Duration::from_secs(5)).await;
    assert_eq!(code, 1001, "{frames:?}");
    assert!(frames.iter().all(|f| f["type"] != "error"), "{frames:?}");
    assert_eq!(click(&mut on_b).await, 4.0);
}

#[tokio::test]
async fn a_new_tab_on_any_instance_finds_a_stored_session_and_an_unknown_id_gets_a_new_one() {
    let store = MemoryStore::new();
    let a = serve::<Counter>(instance(&store, "a")).await;
    let b = serve::<Counter>(instance(&store, "b")).await;
    let mut tab = Tab::open(a, None).await;
    click(&mut tab).await;
    let id = tab.session.clone();
    tab.close().await;
    // A's session has no tab now; a reload that reaches B takes it over.
    let back = Tab::open(b, Some(&id)).await;
    assert!(back.resumed);
    assert_eq!(back.state["counter"]["value"], 1.0);
    // An id the store does not know (expired, or made up) gets a new session with a new id:
    // a client never chooses its session's id.
    let made_up = "0123456789abcdef0123456789abcdef";
    let fresh = Tab::open(b, Some(made_up)).await;
    assert!(!fresh.resumed);
    assert_ne!(fresh.session, made_up);
    assert_eq!(fresh.state["counter"]["value"], 0.0);
}

#[tokio::test]
async fn an_instance_that_vanished_is_taken_over_and_its_late_changes_are_refused() {
    let store = MemoryStore::new();
    let a_store = store.instance_of("a");
    let a = serve::<Counter>(Options::default().session_store(Arc::new(a_store.clone()))).await;
    let b = serve::<Counter>(instance(&store, "b")).await;
    let mut on_a = Tab::open(a, None).await;
    assert_eq!(click(&mut on_a).await, 1.0);
    assert_eq!(click(&mut on_a).await, 2.0);
    // A stops answering release requests, as if its process had died (or lost the store):
    // B takes the session over at once, with what A saved.
    a_store.vanish();
    let mut on_b = Tab::open(b, Some(&on_a.session)).await;
    assert!(on_b.resumed);
    assert_eq!(on_b.state["counter"]["value"], 2.0);
    assert_eq!(click(&mut on_b).await, 3.0);
    // A still runs its copy: the handler runs, but its save is refused (an older fence), so its
    // tab is never shown the change and is sent to reconnect instead.
    on_a.click("increment").await;
    let (code, frames) = on_a.closed_within(Duration::from_secs(5)).await;
    assert_eq!(code, 1001);
    assert!(frames.iter().all(|f| f["type"] != "patch"), "{frames:?}");
    // Only B's changes count.
    assert_eq!(click(&mut on_b).await, 4.0);
}

#[tokio::test]
async fn tabs_of_one_session_on_two_instances_see_one_state() {
    one_state(false).await;
}

#[tokio::test]
async fn tabs_of_one_session_on_two_instances_see_one_state_in_redis() {
    one_state(true).await;
}

/// Two instances never run one session at once: provoked with the same session on both.
async fn one_state(redis: bool) {
    let Some([a, b]) = two_stores(redis).await else {
        return;
    };
    let a = serve::<Counter>(a).await;
    let b = serve::<Counter>(b).await;
    let mut first = Tab::open(a, None).await;
    let id = first.session.clone();
    assert_eq!(click(&mut first).await, 1.0);
    let mut second = Tab::open(b, Some(&id)).await;
    assert_eq!(second.state["counter"]["value"], 1.0);
    assert_eq!(first.closed_within(Duration::from_secs(5)).await.0, 1001);
    assert_eq!(click(&mut second).await, 2.0);
    // The first tab reconnects to its instance: B lets the session go (after holding it a
    // moment) and A resumes it with B's changes.
    let mut first = Tab::open(a, Some(&id)).await;
    assert!(first.resumed);
    assert_eq!(first.state["counter"]["value"], 2.0);
    assert_eq!(second.closed_within(Duration::from_secs(5)).await.0, 1001);
    assert_eq!(click(&mut first).await, 3.0);
}

#[tokio::test]
async fn shutting_down_saves_every_session_for_the_next_instance() {
    let store = MemoryStore::new();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a = listener.local_addr().unwrap();
    let a_options = instance(&store, "a");
    let server = tokio::spawn(numerous::serve_until::<Counter>(
        listener,
        a_options,
        async {
            let _ = stop_rx.await;
        },
    ));
    let mut tabs = Vec::new();
    for n in 1..=5 {
        let mut tab = Tab::open(a, None).await;
        for _ in 0..n {
            click(&mut tab).await;
        }
        tabs.push(tab);
    }
    stop_tx.send(()).unwrap();
    for tab in &mut tabs {
        let (code, frames) = tab.closed_within(Duration::from_secs(5)).await;
        assert_eq!(code, 1001);
        assert!(frames.iter().all(|f| f["type"] != "error"), "{frames:?}");
    }
    server.await.unwrap().unwrap();
    // The successor has every session, as its tabs were last shown it.
    let b = serve::<Counter>(instance(&store, "b")).await;
    for (n, tab) in (1..=5).zip(&tabs) {
        let back = Tab::open(b, Some(&tab.session)).await;
        assert!(back.resumed);
        assert_eq!(back.state["counter"]["value"], f64::from(n));
    }
}

/// A store whose saves wait for the test's go-ahead.
#[derive(Debug)]
struct Gated {
    inner: MemoryStore,
    gate: Arc<tokio::sync::Semaphore>,
}

#[async_trait::async_trait]
impl SessionStore for Gated {
    fn instance(&self) -> &str {
        self.inner.instance()
    }
    async fn listen(
        &self,
        app: &str,
    ) -> Result<tokio::sync::mpsc::UnboundedReceiver<String>, numerous::store::StoreError> {
        self.inner.listen(app).await
    }
    async fn create(
        &self,
        app: &str,
        id: &str,
        seq: u64,
        data: &[u8],
        ttl: Duration,
    ) -> Result<bool, numerous::store::StoreError> {
        self.inner.create(app, id, seq, data, ttl).await
    }
    async fn claim(
        &self,
        app: &str,
        id: &str,
        ttl: Duration,
        ask: bool,
    ) -> Result<numerous::store::Claim, numerous::store::StoreError> {
        self.inner.claim(app, id, ttl, ask).await
    }
    async fn save(
        &self,
        app: &str,
        id: &str,
        fence: u64,
        seq: u64,
        data: &[u8],
        ttl: Duration,
    ) -> Result<bool, numerous::store::StoreError> {
        self.gate.acquire().await.unwrap().forget();
        self.inner.save(app, id, fence, seq, data, ttl).await
    }
    async fn release(
        &self,
        app: &str,
        id: &str,
        fence: u64,
    ) -> Result<(), numerous::store::StoreError> {
        self.inner.release(app, id, fence).await
    }
    async fn remove(
        &self,
        app: &str,
        id: &str,
        fence: u64,
    ) -> Result<(), numerous::store::StoreError> {
        self.inner.remove(app, id, fence).await
    }
    async fn disown(&self, app: &str, id: &str) -> Result<(), numerous::store::StoreError> {
        self.inner.disown(app, id).await
    }
}

#[tokio::test]
async fn a_change_is_shown_only_once_the_store_has_it_and_nothing_waits_longer() {
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let store = Gated {
        inner: MemoryStore::new(),
        gate: gate.clone(),
    };
    let addr = serve::<Counter>(Options::default().session_store(Arc::new(store))).await;
    let mut first = Tab::open(addr, None).await;
    first.click("increment").await;
    // The save waits: so does the patch.
    first.expect_silence(200).await;
    // A second tab of the session arrives meanwhile: its welcome waits behind the save too.
    let ws = testkit::connect(addr, "/ws", Some(&first.session), &[])
        .await
        .unwrap();
    gate.add_permits(1);
    let patch = first.recv().await;
    assert_eq!(patch["state"]["counter"]["value"], 1.0);
    // Nothing newer to save: the welcome goes as soon as the save is done, without a save of
    // its own.
    let second = Tab::welcome(ws).await;
    assert_eq!(second.state["counter"]["value"], 1.0);
}

#[tokio::test]
async fn redis_fences_out_an_owner_that_lost_its_session() {
    let Some(url) = testkit::redis_url() else {
        return;
    };
    use numerous::store::Claim;
    let a = crate::support::redis_store(&url).await;
    let b = crate::support::redis_store(&url).await;
    let _b_listens = b.listen("Fencing").await.unwrap();
    let ttl = Duration::from_secs(60);
    let id = format!("{:032x}", std::process::id() as u128 * 7919 + 1);
    assert!(
        a.create("Fencing", &id, 1, b"{\"v\":0}", ttl)
            .await
            .unwrap()
    );
    // A does not listen for release requests (as if its process were gone): B takes over.
    let Claim::Taken { fence, data } = b.claim("Fencing", &id, ttl, true).await.unwrap() else {
        panic!("B should take the session over");
    };
    assert_eq!((fence, data.as_slice()), (2, b"{\"v\":0}".as_slice()));
    // A's late save and release are refused; B's go through.
    assert!(
        !a.save("Fencing", &id, 1, 2, b"{\"v\":1}", ttl)
            .await
            .unwrap()
    );
    a.release("Fencing", &id, 1).await.unwrap();
    assert!(
        b.save("Fencing", &id, 2, 1, b"{\"v\":2}", ttl)
            .await
            .unwrap()
    );
    // A live owner (B listens) is asked, not overrun.
    assert!(matches!(
        a.claim("Fencing", &id, ttl, true).await.unwrap(),
        Claim::Busy
    ));
    b.remove("Fencing", &id, 2).await.unwrap();
    assert!(matches!(
        a.claim("Fencing", &id, ttl, true).await.unwrap(),
        Claim::Unknown
    ));
}

#[tokio::test]
async fn a_late_save_never_takes_a_record_back() {
    // A save sent over a connection that was given up on (Redis paused, say) may reach the store
    // after a later one: it writes nothing.
    let memory = Arc::new(MemoryStore::new());
    let mut stores: Vec<(Arc<dyn SessionStore>, Arc<dyn SessionStore>)> =
        vec![(memory.clone(), Arc::new(memory.instance_of("b")))];
    if let Some(url) = testkit::redis_url() {
        let a = crate::support::redis_store(&url).await;
        let b = crate::support::redis_store(&url).await;
        stores.push((a, b));
    }
    let ttl = Duration::from_secs(60);
    for (a, b) in stores {
        let id = format!("{:032x}", rand_id());
        assert!(a.create("Late", &id, 1, b"1", ttl).await.unwrap());
        // A create whose answer was lost comes again, later than a save: it is a save.
        assert!(a.save("Late", &id, 1, 3, b"3", ttl).await.unwrap());
        assert!(a.create("Late", &id, 2, b"2", ttl).await.unwrap());
        assert!(a.save("Late", &id, 1, 2, b"2", ttl).await.unwrap());
        // A does not listen: B takes the session over and reads what A saved last.
        let numerous::store::Claim::Taken { fence, data } =
            b.claim("Late", &id, ttl, true).await.unwrap()
        else {
            panic!("B should take the session");
        };
        assert_eq!(data, b"3");
        // A's create that comes now (very late) is refused: the session is B's.
        assert!(!a.create("Late", &id, 9, b"9", ttl).await.unwrap());
        // The new owner's saves count from 1 again.
        assert!(b.save("Late", &id, fence, 1, b"4", ttl).await.unwrap());
        b.remove("Late", &id, fence).await.unwrap();
    }
}

#[tokio::test]
async fn redis_asks_the_instances_for_a_session_it_lost_and_a_stale_owner_disowns() {
    let Some(url) = testkit::redis_url() else {
        return;
    };
    use numerous::store::Claim;
    // An app name of its own: Redis "began" for it just now (the seek window is open).
    let app = format!("Seek{}", rand_id());
    let a = crate::support::redis_store(&url).await;
    let b = crate::support::redis_store(&url).await;
    let mut a_asked = a.listen(&app).await.unwrap();
    let mut b_asked = b.listen(&app).await.unwrap();
    let ttl = Duration::from_secs(60);
    // A runs a session whose record Redis lost: B's claim asks the instances for it.
    let id = format!("{:032x}", rand_id());
    assert!(matches!(
        b.claim(&app, &id, ttl, true).await.unwrap(),
        Claim::Sought
    ));
    let asked = tokio::time::timeout(Duration::from_secs(5), a_asked.recv()).await;
    assert_eq!(asked.unwrap(), Some(format!("?{id}")));
    // Claims that follow look again without asking again.
    assert!(matches!(
        b.claim(&app, &id, ttl, false).await.unwrap(),
        Claim::Sought
    ));
    assert!(
        tokio::time::timeout(Duration::from_millis(200), a_asked.recv())
            .await
            .is_err()
    );
    // B does not hear its own question.
    assert!(
        tokio::time::timeout(Duration::from_millis(200), b_asked.recv())
            .await
            .is_err()
    );
    // A saves it again (the record is back, A its owner): B's next claim asks A to let go.
    assert!(a.save(&app, &id, 1, 5, b"5", ttl).await.unwrap());
    assert!(matches!(
        b.claim(&app, &id, ttl, true).await.unwrap(),
        Claim::Busy
    ));
    // A no longer runs it (it ended there while the store was away): it disowns it, and the
    // claim takes it at once.
    a.disown(&app, &id).await.unwrap();
    let Claim::Taken { fence, data } = b.claim(&app, &id, ttl, true).await.unwrap() else {
        panic!("B should take the session");
    };
    assert_eq!(data, b"5");
    b.remove(&app, &id, fence).await.unwrap();
}

/// An id no other test run uses.
fn rand_id() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        ^ (u128::from(std::process::id()) << 64)
}

#[tokio::test]
async fn a_session_that_lives_on_without_changes_stays_in_the_store() {
    // Records expire a time to live after their last save (the idle timeout, 1 s here); a
    // session still running is saved again before that even when nothing changed.
    let store = MemoryStore::new();
    let short = |o: Options| o.idle_timeout(Duration::from_secs(1));
    let a = serve::<Counter>(short(instance(&store, "a"))).await;
    let b = serve::<Counter>(short(instance(&store, "b"))).await;
    let mut tab = Tab::open(a, None).await;
    assert_eq!(click(&mut tab).await, 1.0);
    // Three times the time to live, with the tab open and nothing changing.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let moved = Tab::open(b, Some(&tab.session)).await;
    assert!(moved.resumed);
    assert_eq!(moved.state["counter"]["value"], 1.0);
}

mod rows {
    use numerous::prelude::*;

    #[numerous::app(template = "rows.html")]
    pub struct Rows {
        #[widget(columns = ["player", "score"], rows = 2)]
        pub scores: Table,
        pub add: Button,
    }

    #[numerous::handlers]
    impl Rows {
        #[on_click(add)]
        fn add(&mut self) {
            let n = self.scores.len();
            self.scores.push_row(vec![
                numerous::json!(format!("p{n}")),
                numerous::json!(n * 10),
            ]);
        }
    }
}

#[tokio::test]
async fn what_a_widget_holds_besides_what_it_sends_moves_too() {
    // A table sends one page (2 rows here); all its rows move with the session.
    let store = MemoryStore::new();
    let a = serve::<rows::Rows>(instance(&store, "a")).await;
    let b = serve::<rows::Rows>(instance(&store, "b")).await;
    let mut tab = Tab::open(a, None).await;
    for _ in 0..5 {
        tab.click("add").await;
        tab.recv().await;
    }
    let moved = Tab::open(b, Some(&tab.session)).await;
    assert!(moved.resumed);
    let table = &moved.state["scores"];
    assert_eq!(table["total"], 5, "{table}");
    assert_eq!(table["rows"][0][0], "p0", "{table}");
    let mut moved = moved;
    moved.click("add").await;
    let patch = moved.recv().await;
    assert_eq!(patch["state"]["scores"]["total"], 6, "{patch}");
}

#[tokio::test]
async fn frames_waiting_for_a_slow_store_are_bounded() {
    // The saves never complete here; after a thousand frames or so the session holds no more:
    // the tab is closed with 1013, and is shown nothing the store does not have.
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let store = Gated {
        inner: MemoryStore::new(),
        gate: gate.clone(),
    };
    let addr = serve::<Counter>(Options::default().session_store(Arc::new(store))).await;
    let mut tab = Tab::open(addr, None).await;
    for _ in 0..1100 {
        tab.click("increment").await;
    }
    let (code, frames) = tab.closed_within(Duration::from_secs(10)).await;
    assert_eq!(code, 1013);
    assert_eq!(frames, Vec::<serde_json::Value>::new());
    // Once the store takes saves again, the tab comes back to its session with the clicks
    // handled before it was closed (those still unread on its socket went with it).
    gate.add_permits(10_000);
    let back = Tab::open(addr, Some(&tab.session)).await;
    assert!(back.resumed);
    let clicks = back.state["counter2"]["value"].as_f64().unwrap();
    assert!((1025.0..=1100.0).contains(&clicks), "{clicks}");
}
