//! Fan-out: one message published to N subscribed sessions, in-process (no sockets): how many
//! deliveries per second, and how long from publish to each session's handler running.
//!
//! `cargo bench -p numerous --bench fanout` (sizes: `-- 1000 10000`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use numerous::prelude::*;
use numerous::testing::TestServer;
use numerous::{Options, Topic};

static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
static NEWS: Topic<u64> = Topic::new("news");

/// Latencies in nanoseconds, and how many arrived.
#[derive(Debug, Default)]
struct Record {
    latencies: Mutex<Vec<u64>>,
    arrived: AtomicUsize,
}

#[numerous::app(template = "bench_fanout.html")]
struct Sub {
    received: Number,
}

#[numerous::handlers]
impl Sub {
    #[on_start]
    fn start(&mut self, ctx: &Session) {
        ctx.subscribe(&NEWS, Self::got);
    }

    fn got(&mut self, sent_at: &u64, ctx: &Session) {
        let now = START.get().unwrap().elapsed().as_nanos() as u64;
        self.received.value += 1.0;
        if let Some(r) = ctx.resource::<Record>() {
            r.latencies.lock().unwrap().push(now - sent_at);
            r.arrived.fetch_add(1, Ordering::Release);
        }
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize] as f64 / 1e6
}

async fn run(n: usize, messages: usize) {
    let options = Options::default()
        .max_sessions(n + 10)
        .unused_session_timeout(Duration::from_secs(600))
        .resource(Record::default());
    let record = options.resources.get::<Record>().unwrap();
    let server = TestServer::<Sub>::new(options);
    let sessions: Vec<_> = (0..n).map(|_| server.session()).collect();
    // every session has run its `#[on_start]` (subscribed) once it answers
    for s in &sessions {
        s.update(|_, _| ()).await.unwrap();
    }
    let publisher = server.publisher();
    let start = START.get_or_init(Instant::now);
    let mut busy = Duration::ZERO;
    for m in 1..=messages {
        let t0 = Instant::now();
        let reached = publisher.publish(&NEWS, start.elapsed().as_nanos() as u64);
        assert_eq!(reached, n);
        while record.arrived.load(Ordering::Acquire) < n * m {
            tokio::task::yield_now().await;
        }
        busy += t0.elapsed();
    }
    let mut lat = std::mem::take(&mut *record.latencies.lock().unwrap());
    lat.sort_unstable();
    println!(
        "fan-out to {n:>6} sessions, {messages} messages: {:>9.0} deliveries/s, publish → handler p50 {:.1} ms, p99 {:.1} ms",
        (n * messages) as f64 / busy.as_secs_f64(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
    );
    record.arrived.store(0, Ordering::Release);
    drop(sessions);
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1000, 10_000]
    } else {
        sizes
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for n in sizes {
        rt.block_on(run(n, 20));
    }
}
