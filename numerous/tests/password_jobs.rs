//! Password checks are bounded (their own process: the pool is global): past the workers and
//! their queue a sign-in is told at once that the server is busy, and the pool goes on.

use std::sync::{Arc, Barrier};

use numerous::auth::{AuthError, PASSWORD_QUEUE, PASSWORD_WORKERS, run_password_job};

#[tokio::test]
async fn a_burst_past_the_queue_is_told_busy_and_the_pool_goes_on() {
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, PASSWORD_WORKERS);
    // Jobs that hold every worker until the test lets them go.
    let gate = Arc::new(Barrier::new(workers + 1));
    let mut held = Vec::new();
    for _ in 0..workers {
        let gate = gate.clone();
        held.push(tokio::spawn(run_password_job(move || {
            gate.wait();
        })));
    }
    // Let the workers take them, then fill the queue.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let queued: Vec<_> = (0..workers * PASSWORD_QUEUE)
        .map(|n| tokio::spawn(run_password_job(move || n)))
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    // One more: busy, at once.
    match run_password_job(|| ()).await {
        Err(AuthError::Busy(secs)) => assert!(secs >= 1),
        other => panic!("expected busy, got {other:?}"),
    }
    gate.wait();
    for h in held {
        h.await.unwrap().unwrap();
    }
    for (n, q) in queued.into_iter().enumerate() {
        assert_eq!(q.await.unwrap().unwrap(), n);
    }
    // And it takes work again.
    assert_eq!(run_password_job(|| 7).await.unwrap(), 7);
}
