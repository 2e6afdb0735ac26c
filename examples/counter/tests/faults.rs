//! The durability promise under faults: three counter instances behind nginx, sessions in
//! Redis (default durability, `shown`), and Redis reached through a fault proxy
//! (`testkit::faults::Proxy`). Tabs click under load on both transports while a seeded schedule
//! injects a fault at a random moment; once it healed, every tab connects once more and the
//! checker reads every history (`testkit::faults::check`): no acknowledged click lost, none
//! applied twice, no tab shown an older state, no session back empty unless its record was
//! really lost, and every click answered within 5 s of the heal.
//!
//! `NUMEROUS_FAULT_SEED=<n>` replays a run; `NUMEROUS_FAULT_TABS` (default 40) and
//! `NUMEROUS_FAULT_ROUNDS` (default 1) make the longer run of BENCHMARKS.md.
//! Needs `redis-server` and `nginx` (`.ci/run` installs them).

use std::time::Duration;

use testkit::cluster::{Instance, Nginx, Redis};
use testkit::faults::{Load, Proxy, Rules, assert_held};

const BINARY: &str = env!("CARGO_BIN_EXE_example-counter");
/// A click asked before the heal is answered (a patch, an error frame or a close) at most this
/// long after it; one asked later, this long after it was asked.
const BOUND: Duration = Duration::from_secs(5);

/// One schedule at a time: they measure how long answers take, on two cores.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Rig {
    redis: Redis,
    proxy: Proxy,
    instances: Vec<Instance>,
    nginx: Nginx,
}

/// Seeded choices of a schedule (xorshift).
struct Rng(u64);

impl Rng {
    fn ms(&mut self, from: u64, to: u64) -> Duration {
        Duration::from_millis(from + testkit::faults::next_rand(&mut self.0) % (to - from).max(1))
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn rig(redis_keeps_data: bool) -> Option<Rig> {
    let redis = if redis_keeps_data {
        Redis::start_with_data().await?
    } else {
        Redis::start().await?
    };
    let proxy = Proxy::start(redis.port).await;
    let url = proxy.redis_url();
    let mut instances = Vec::new();
    for _ in 0..3 {
        instances.push(
            Instance::start(
                BINARY,
                &["--session-store", &url, "--max-sessions-per-client", "0"],
            )
            .await,
        );
    }
    let ports: Vec<u16> = instances.iter().map(|i| i.port).collect();
    let nginx = Nginx::start(&ports).await?;
    Some(Rig {
        redis,
        proxy,
        instances,
        nginx,
    })
}

/// Runs `schedule` under load, `NUMEROUS_FAULT_ROUNDS` times; the schedule returns once every
/// fault it injected healed.
async fn run(
    name: &str,
    redis_keeps_data: bool,
    records_may_be_lost: bool,
    schedule: impl AsyncFn(&mut Rig, &mut Rng),
) {
    let _one = ONE_AT_A_TIME.lock().await;
    let tabs = env_or("NUMEROUS_FAULT_TABS", 40) as usize;
    for round in 0..env_or("NUMEROUS_FAULT_ROUNDS", 1) {
        let seed = env_or(
            "NUMEROUS_FAULT_SEED",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64,
        ) | 1;
        eprintln!("{name}: round {round}, seed {seed}");
        let Some(mut rig) = rig(redis_keeps_data).await else {
            return;
        };
        let mut rng = Rng(seed);
        // Every fifth tab on the fallback transport.
        let load = Load::start(rig.nginx.addr(), tabs, 5, seed);
        tokio::time::sleep(rng.ms(1000, 2000)).await;
        schedule(&mut rig, &mut rng).await;
        let healed = load.now();
        tokio::time::sleep(Duration::from_secs(3)).await;
        let histories = load.finish().await;
        assert_held(
            seed,
            name,
            &histories,
            Rules {
                healed,
                bound: BOUND,
                records_may_be_lost,
            },
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_for_2_s_and_restarted_empty() {
    run("redis killed, back empty", false, false, async |rig, _| {
        rig.redis.stop();
        tokio::time::sleep(Duration::from_secs(2)).await;
        rig.redis.restart().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_for_2_s_and_restarted_with_its_data() {
    run(
        "redis killed, back with its data",
        true,
        false,
        async |rig, _| {
            rig.redis.stop();
            tokio::time::sleep(Duration::from_secs(2)).await;
            rig.redis.restart().await;
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_paused_for_3_s() {
    run("redis paused", false, false, async |rig, _| {
        rig.redis.signal("STOP");
        tokio::time::sleep(Duration::from_secs(3)).await;
        rig.redis.signal("CONT");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_200_ms_away_for_5_s() {
    run("200 ms to redis", false, false, async |rig, _| {
        rig.proxy.delay(Duration::from_millis(200));
        tokio::time::sleep(Duration::from_secs(5)).await;
        rig.proxy.resume();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_to_redis_reset_mid_save() {
    run("redis connections reset", false, false, async |rig, rng| {
        for _ in 0..5 {
            rig.proxy.reset();
            tokio::time::sleep(rng.ms(50, 600)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_blackholed_for_3_s() {
    run("redis blackholed", false, false, async |rig, _| {
        rig.proxy.blackhole();
        tokio::time::sleep(Duration::from_secs(3)).await;
        rig.proxy.resume();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_killed_while_redis_is_away() {
    run(
        "an instance killed while redis is away",
        true,
        false,
        async |rig, rng| {
            rig.redis.stop();
            tokio::time::sleep(rng.ms(200, 1500)).await;
            rig.instances[1].kill();
            tokio::time::sleep(Duration::from_millis(500)).await;
            rig.redis.restart().await;
            rig.instances[1].restart().await;
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolling_restart_while_redis_is_slow() {
    run(
        "rolling restart, redis slow",
        false,
        false,
        async |rig, _| {
            rig.proxy.delay(Duration::from_millis(200));
            for i in 0..rig.instances.len() {
                rig.instances[i].terminate().await;
                rig.instances[i].restart().await;
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            rig.proxy.resume();
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_reloaded() {
    run("nginx reloaded", false, false, async |rig, rng| {
        rig.nginx.reload();
        tokio::time::sleep(rng.ms(300, 800)).await;
        rig.nginx.reload();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_paused_while_connections_reset() {
    run("redis paused and reset", false, false, async |rig, rng| {
        rig.redis.signal("STOP");
        tokio::time::sleep(rng.ms(200, 1000)).await;
        rig.proxy.reset();
        tokio::time::sleep(rng.ms(500, 1500)).await;
        rig.redis.signal("CONT");
        rig.proxy.reset();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_paused_for_3_s() {
    run("an instance paused", false, false, async |rig, rng| {
        let i = (rng.ms(0, 3).as_millis() % 3) as usize;
        rig.instances[i].signal("STOP");
        tokio::time::sleep(Duration::from_secs(3)).await;
        rig.instances[i].signal("CONT");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_terminated_and_restarted_with_its_data() {
    run(
        "redis terminated, back with its data",
        true,
        false,
        async |rig, rng| {
            rig.redis.signal("TERM");
            tokio::time::sleep(rng.ms(500, 1500)).await;
            rig.redis.restart().await;
        },
    )
    .await;
}
