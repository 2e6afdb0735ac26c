//! Work a session starts ends with the session, even work that never touches it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use numerous::Options;
use numerous::prelude::*;
use numerous::testing::TestServer;

#[numerous::app(template = "feed.html")]
#[derive(Debug)]
struct Chat {
    log: Feed,
    say: Button,
    clear: Button,
}

#[numerous::handlers]
impl Chat {}

/// Set when the work is dropped (aborted).
struct Guard(Arc<AtomicBool>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn background_work_stops_when_its_session_ends() {
    let server = TestServer::<Chat>::new(
        Options::default()
            .unused_session_timeout(Duration::from_millis(50))
            .idle_timeout(Duration::from_millis(50)),
    );
    let session = server.session();
    let stopped = Arc::new(AtomicBool::new(false));
    let flag = stopped.clone();
    session
        .update(move |_, ctx| {
            ctx.spawn(async move {
                let _guard = Guard(flag);
                // never ends by itself, never touches the session
                std::future::pending::<()>().await;
            });
        })
        .await
        .unwrap();
    assert!(!stopped.load(Ordering::SeqCst));
    // No tab: the session ends after its timeout, and its work with it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !stopped.load(Ordering::SeqCst) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the work outlived its session"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(session.is_ended());
    assert_eq!(
        session.update(|_, _| ()).await,
        Err(numerous::UpdateError::Ended)
    );
}
