//! [`RedisStore`]: sessions in Redis.
//!
//! Each session is one hash, `numerous:<app>:session:<id>`, with its record (`data`), the
//! latest claim's `fence` and its `owner` (an instance name); it expires `ttl` after the last
//! save. Each instance subscribes to `numerous:<app>:release:<instance>`: a claim for a session
//! another instance owns publishes the id there, in the same script, and takes the session over
//! when nobody received it (the owner's process is gone, and with it its subscription).

use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt as _;
use redis::aio::MultiplexedConnection;
use tokio::sync::mpsc;

use super::{Claim, Fence, SessionStore, StoreError};

/// How long a command may take: frames held for a save ([`Durability::Shown`]) wait this long
/// at the most before they go anyway (Redis is away) and the session is saved when it is back.
///
/// [`Durability::Shown`]: super::Durability::Shown
const SAVE_PATIENCE: Duration = Duration::from_secs(2);

/// Asks the owner to release the session, or takes it: `{0}` unknown, `{1}` busy,
/// `{2, fence, data}` taken.
///
/// A session the store does not have may have been lost by Redis (restarted without its data)
/// while an instance still runs it: for a while after Redis began afresh (`KEYS[2]` holds when
/// that was; `ARGV[6]` seconds), the answer is `{3}` (sought: an instance that runs it saves it
/// and lets it go; claim again). The first claim of a wait (`ARGV[7]` = 1) publishes the id to
/// every instance (`ARGV[5]`), and is sought only if another instance heard it.
const CLAIM: &str = r"
redis.call('SET', KEYS[2], redis.call('TIME')[1], 'NX')
local data = redis.call('HGET', KEYS[1], 'data')
if not data then
  local age = tonumber(redis.call('TIME')[1]) - tonumber(redis.call('GET', KEYS[2]))
  if age >= tonumber(ARGV[6]) then return {0} end
  if ARGV[7] ~= '1' then return {3} end
  if redis.call('PUBLISH', ARGV[5], ARGV[1] .. ' ' .. ARGV[4]) > 1 then return {3} end
  return {0}
end
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= ARGV[1] then
  if redis.call('PUBLISH', ARGV[3] .. owner, ARGV[4]) > 0 then return {1} end
end
local fence = redis.call('HINCRBY', KEYS[1], 'fence', 1)
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'seq', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {2, fence, data}
";

/// Creates a session's record under fence 1 (`ARGV`: data, owner, ttl in ms, seq): 1 done, 0
/// the id is another instance's. A create of ours that came before (its answer was lost) makes
/// this one a save under fence 1: never back to an older state.
const CREATE: &str = r"
local fence = redis.call('HGET', KEYS[1], 'fence')
if not fence then
  redis.call('HSET', KEYS[1], 'data', ARGV[1], 'fence', 1, 'seq', ARGV[4], 'owner', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
if fence ~= '1' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[2] then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') < tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[1], 'data', ARGV[1], 'seq', ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1
";

/// Writes the record if the fence is still the latest: 1 written (or a later save of this
/// owner, `seq` `ARGV[5]`, is there already), 0 not. A record that is gone (Redis restarted
/// without its data, or it expired while nothing changed) is written again: nobody else can have
/// claimed it.
const SAVE: &str = r"
local fence = redis.call('HGET', KEYS[1], 'fence')
if fence and fence ~= ARGV[1] then return 0 end
if not fence then redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'owner', ARGV[4]) end
if tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') >= tonumber(ARGV[5]) then return 1 end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'seq', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
";

/// This instance runs no such session (it was asked for it): if the store still names it the
/// owner, it is not any more (a claim takes the session at once).
const DISOWN: &str = r"
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then redis.call('HDEL', KEYS[1], 'owner') end
return 1
";

/// Lets the session go (`ARGV[2]` = 'release') or forgets it (`'remove'`), under the fence.
const LET_GO: &str = r"
if redis.call('HGET', KEYS[1], 'fence') ~= ARGV[1] then return 0 end
if ARGV[2] == 'remove' then redis.call('DEL', KEYS[1]) else redis.call('HDEL', KEYS[1], 'owner') end
return 1
";

/// Keeps a refresh token (`KEYS[1]`) until it expires, and in its login's record (`KEYS[2]`:
/// the newest token and the one before it) as the newest: the token before last is deleted, so
/// a rotation replaces rather than accumulates. `ARGV`: family, user, expiry, token key prefix,
/// token id.
const STORE_REFRESH: &str = r"
redis.call('HSET', KEYS[1], 'family', ARGV[1], 'user', ARGV[2])
redis.call('EXPIREAT', KEYS[1], ARGV[3])
local before = redis.call('HGET', KEYS[2], 'before')
if before then redis.call('DEL', ARGV[4] .. before) end
local newest = redis.call('HGET', KEYS[2], 'newest')
if newest then redis.call('HSET', KEYS[2], 'before', newest) end
redis.call('HSET', KEYS[2], 'newest', ARGV[5])
redis.call('EXPIREAT', KEYS[2], ARGV[3])
return 1
";

/// Uses a refresh token: `{0}` unknown (or expired, or its login revoked), `{1, user}` fresh (now
/// used), `{2, used_at}` used before.
const USE_REFRESH: &str = r"
local t = redis.call('HMGET', KEYS[1], 'family', 'user', 'used')
if not t[1] then return {0} end
if redis.call('EXISTS', ARGV[2] .. t[1]) == 1 then return {0} end
if t[3] then return {2, tonumber(t[3])} end
redis.call('HSET', KEYS[1], 'used', ARGV[1])
return {1, t[2]}
";

/// Keeps sessions in Redis, so the instances of an app behind a load balancer share them: a tab
/// reconnecting to any instance gets its session back, and at most one instance runs a session
/// at a time. See the [`store`](crate::store) module for the protocol.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let store = numerous::store::RedisStore::connect("redis://127.0.0.1:6379").await?;
/// let options = numerous::Options::default().session_store(store);
/// # Ok(()) }
/// ```
///
/// Or from the command line of any app built with the cargo feature `redis`:
/// `--session-store redis://127.0.0.1:6379`.
#[derive(Clone)]
pub struct RedisStore {
    client: redis::Client,
    link: std::sync::Arc<Link>,
    instance: String,
    create: redis::Script,
    claim: redis::Script,
    save: redis::Script,
    let_go: redis::Script,
    disown: redis::Script,
    store_refresh: redis::Script,
    use_refresh: redis::Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Connects to Redis at `url` (fails at once if it cannot be reached). The connection
    /// reconnects by itself when Redis goes away and comes back.
    pub async fn connect(url: &str) -> Result<std::sync::Arc<Self>, StoreError> {
        let client = redis::Client::open(url).map_err(|e| unreachable(url, &e))?;
        // Once, without retries: a Redis that is not there is a start-up error at once (the
        // connection below retries, for when Redis goes away later).
        let probe = tokio::time::timeout(
            Duration::from_secs(5),
            client.get_multiplexed_async_connection(),
        )
        .await;
        match probe {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(unreachable(url, &e)),
            Err(_) => {
                return Err(StoreError::Unreachable {
                    store: format!("Redis at {}", crate::auth::redact_url(url)),
                    reason: "no answer within 5 s".to_owned(),
                });
            }
        }
        let link = std::sync::Arc::new(Link {
            client: client.clone(),
            current: std::sync::Mutex::new((0, None)),
            connecting: tokio::sync::Mutex::new(()),
            failures: std::sync::atomic::AtomicU64::new(0),
        });
        link.get().await.map_err(|e| unreachable(url, &e))?;
        Ok(std::sync::Arc::new(RedisStore {
            client,
            link,
            instance: crate::util::random_hex(8),
            create: redis::Script::new(CREATE),
            claim: redis::Script::new(CLAIM),
            save: redis::Script::new(SAVE),
            let_go: redis::Script::new(LET_GO),
            disown: redis::Script::new(DISOWN),
            store_refresh: redis::Script::new(STORE_REFRESH),
            use_refresh: redis::Script::new(USE_REFRESH),
        }))
    }
}

/// How long making a connection may take (a paused or blackholed Redis accepts it and says
/// nothing): then the command fails and the next one tries again.
const CONNECT_PATIENCE: Duration = Duration::from_secs(2);

/// The connection every command of a store goes through: one multiplexed connection, made
/// again after it failed. A command that fails with an I/O error or gets no answer within
/// [`SAVE_PATIENCE`] drops the connection (a new one is made for the next command), so a Redis
/// that was killed, restarted, paused or cut off is used again as soon as it answers. (redis'
/// `ConnectionManager` was used before: after Redis was killed under load, its commands hung
/// for good.)
struct Link {
    client: redis::Client,
    /// The connection's number (bumped by each new one) and the connection, if one is made.
    current: std::sync::Mutex<(u64, Option<MultiplexedConnection>)>,
    /// One connection is made at a time.
    connecting: tokio::sync::Mutex<()>,
    /// Connections that could not be made: a command that waited while one failed fails too,
    /// at once, instead of trying again in turn (N waiters would take N times the patience).
    failures: std::sync::atomic::AtomicU64,
}

impl Link {
    fn current(&self) -> std::sync::MutexGuard<'_, (u64, Option<MultiplexedConnection>)> {
        self.current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The connection, made first if there is none.
    async fn get(self: &std::sync::Arc<Self>) -> Result<LinkConn, redis::RedisError> {
        let made = |(n, c): &(u64, Option<MultiplexedConnection>)| {
            c.clone().map(|conn| LinkConn {
                conn,
                number: *n,
                link: self.clone(),
            })
        };
        if let Some(c) = made(&self.current()) {
            return Ok(c);
        }
        let failures = self.failures.load(std::sync::atomic::Ordering::Acquire);
        let _one = self.connecting.lock().await;
        if let Some(c) = made(&self.current()) {
            return Ok(c);
        }
        if self.failures.load(std::sync::atomic::Ordering::Acquire) != failures {
            return Err(redis::RedisError::from(std::io::Error::new(
                std::io::ErrorKind::NotConnected,
                "Redis cannot be reached (a connection failed just now)",
            )));
        }
        let config = redis::AsyncConnectionConfig::new()
            .set_response_timeout(SAVE_PATIENCE)
            .set_connection_timeout(CONNECT_PATIENCE);
        let conn = tokio::time::timeout(
            CONNECT_PATIENCE,
            self.client
                .get_multiplexed_async_connection_with_config(&config),
        )
        .await
        .map_err(|_| {
            redis::RedisError::from(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "no connection within 2 s",
            ))
        })
        .and_then(|made| made)
        .inspect_err(|_| {
            self.failures
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        })?;
        let mut current = self.current();
        current.0 += 1;
        current.1 = Some(conn);
        Ok(made(&current).expect("just made"))
    }

    /// Connection `number` failed: the next command makes a new one.
    fn broken(&self, number: u64) {
        let mut current = self.current();
        if current.0 == number {
            current.1 = None;
        }
    }
}

/// A command's use of the [`Link`]: a failure that means the connection is bad drops it.
struct LinkConn {
    conn: MultiplexedConnection,
    number: u64,
    link: std::sync::Arc<Link>,
}

impl LinkConn {
    fn check<T>(&self, r: redis::RedisResult<T>) -> redis::RedisResult<T> {
        if let Err(e) = &r
            && (e.is_io_error()
                || e.is_timeout()
                || e.is_connection_dropped()
                || e.is_unrecoverable_error())
        {
            self.link.broken(self.number);
        }
        r
    }
}

impl redis::aio::ConnectionLike for LinkConn {
    fn req_packed_command<'a>(
        &'a mut self,
        cmd: &'a redis::Cmd,
    ) -> redis::RedisFuture<'a, redis::Value> {
        Box::pin(async move {
            let r = self.conn.req_packed_command(cmd).await;
            self.check(r)
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        cmd: &'a redis::Pipeline,
        offset: usize,
        count: usize,
    ) -> redis::RedisFuture<'a, Vec<redis::Value>> {
        Box::pin(async move {
            let r = self.conn.req_packed_commands(cmd, offset, count).await;
            self.check(r)
        })
    }

    fn get_db(&self) -> i64 {
        self.conn.get_db()
    }
}

/// The error for a Redis that cannot be reached, without the URL's password.
fn unreachable(url: &str, e: &redis::RedisError) -> StoreError {
    StoreError::Unreachable {
        store: format!("Redis at {}", crate::auth::redact_url(url)),
        reason: e.to_string(),
    }
}

fn key(app: &str, id: &str) -> String {
    format!("numerous:{app}:session:{id}")
}

fn channel_prefix(app: &str) -> String {
    format!("numerous:{app}:release:")
}

/// Where a claim asks every instance for a session the store lost.
fn seek_channel(app: &str) -> String {
    format!("numerous:{app}:seek")
}

/// When Redis began with no data of `app` (seconds, Redis's clock).
fn since_key(app: &str) -> String {
    format!("numerous:{app}:since")
}

/// How long after Redis began afresh a claim of an unknown session asks the instances for it.
const SEEK_WINDOW_S: u64 = 60;

fn failed(e: &redis::RedisError) -> StoreError {
    StoreError::Failed(e.to_string())
}

#[async_trait]
impl SessionStore for RedisStore {
    fn instance(&self) -> &str {
        &self.instance
    }

    async fn listen(&self, app: &str) -> Result<mpsc::UnboundedReceiver<String>, StoreError> {
        let channels = [
            format!("{}{}", channel_prefix(app), self.instance),
            seek_channel(app),
        ];
        let mut pubsub = self
            .client
            .get_async_pubsub()
            .await
            .map_err(|e| failed(&e))?;
        pubsub.subscribe(&channels).await.map_err(|e| failed(&e))?;
        let seek = channels[1].clone();
        let me = format!("{} ", self.instance);
        let (tx, rx) = mpsc::unbounded_channel();
        let client = self.client.clone();
        tokio::spawn(async move {
            let mut stream = pubsub.into_on_message();
            loop {
                while let Some(msg) = stream.next().await {
                    let Ok(payload) = msg.get_payload::<String>() else {
                        continue;
                    };
                    // A seek is "<instance> <id>" (this instance's own are not for it), passed
                    // on as "?<id>".
                    let id = if msg.get_channel_name() == seek {
                        match payload.split_once(' ') {
                            Some(_) if payload.starts_with(&me) => continue,
                            Some((_, id)) => format!("?{id}"),
                            None => continue,
                        }
                    } else {
                        payload
                    };
                    if tx.send(id).is_err() {
                        return;
                    }
                }
                if tx.is_closed() {
                    return;
                }
                // Redis went away: while this instance does not listen, other instances may
                // take its sessions over (its saves are then refused). Subscribe again.
                tracing::warn!("lost the session store's subscription; reconnecting");
                let mut wait = Duration::from_millis(100);
                stream = loop {
                    tokio::time::sleep(wait).await;
                    // Soon: while it is away, seeks and release requests for this instance go
                    // unheard.
                    wait = (wait * 2).min(Duration::from_millis(500));
                    let Ok(mut p) = client.get_async_pubsub().await else {
                        continue;
                    };
                    if p.subscribe(&channels).await.is_ok() {
                        tracing::info!("the session store's subscription is back");
                        break p.into_on_message();
                    }
                };
            }
        });
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
        let mut conn = self.link.get().await.map_err(|e| failed(&e))?;
        let created: i64 = self
            .create
            .key(key(app, id))
            .arg(data)
            .arg(&self.instance)
            .arg(ttl_ms(ttl))
            .arg(seq)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| failed(&e))?;
        Ok(created == 1)
    }

    async fn claim(
        &self,
        app: &str,
        id: &str,
        ttl: Duration,
        ask: bool,
    ) -> Result<Claim, StoreError> {
        let mut conn = self.link.get().await.map_err(|e| failed(&e))?;
        let answer: Vec<redis::Value> = self
            .claim
            .key(key(app, id))
            .key(since_key(app))
            .arg(&self.instance)
            .arg(ttl_ms(ttl))
            .arg(channel_prefix(app))
            .arg(id)
            .arg(seek_channel(app))
            .arg(SEEK_WINDOW_S)
            .arg(u8::from(ask))
            .invoke_async(&mut conn)
            .await
            .map_err(|e| failed(&e))?;
        let int = |v: Option<&redis::Value>| match v {
            Some(redis::Value::Int(n)) => Some(*n),
            _ => None,
        };
        match int(answer.first()) {
            Some(0) => Ok(Claim::Unknown),
            Some(1) => Ok(Claim::Busy),
            Some(3) => Ok(Claim::Sought),
            Some(2) => {
                let fence = int(answer.get(1))
                    .and_then(|f| u64::try_from(f).ok())
                    .ok_or_else(|| StoreError::Failed("a claim without a fence".into()))?;
                let data = match answer.get(2) {
                    Some(redis::Value::BulkString(b)) => b.clone(),
                    _ => return Err(StoreError::Failed("a claim without a record".into())),
                };
                Ok(Claim::Taken { fence, data })
            }
            _ => Err(StoreError::Failed(format!(
                "unexpected answer to a claim: {answer:?}"
            ))),
        }
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
        let mut conn = self.link.get().await.map_err(|e| failed(&e))?;
        let written: i64 = self
            .save
            .key(key(app, id))
            .arg(fence)
            .arg(data)
            .arg(ttl_ms(ttl))
            .arg(&self.instance)
            .arg(seq)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| failed(&e))?;
        Ok(written == 1)
    }

    async fn release(&self, app: &str, id: &str, fence: Fence) -> Result<(), StoreError> {
        self.let_go(app, id, fence, "release").await
    }

    async fn remove(&self, app: &str, id: &str, fence: Fence) -> Result<(), StoreError> {
        self.let_go(app, id, fence, "remove").await
    }

    async fn disown(&self, app: &str, id: &str) -> Result<(), StoreError> {
        let mut conn = self.link.get().await.map_err(|e| failed(&e))?;
        let _: i64 = self
            .disown
            .key(key(app, id))
            .arg(&self.instance)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| failed(&e))?;
        Ok(())
    }

    fn refresh_tokens(&self) -> Option<std::sync::Arc<dyn crate::auth::SharedRefreshTokens>> {
        Some(std::sync::Arc::new(self.clone()))
    }
}

fn auth_failed(e: &redis::RedisError) -> crate::auth::AuthError {
    crate::auth::AuthError::Backend(format!("refresh tokens in Redis: {e}"))
}

const REFRESH: &str = "numerous:auth:refresh:";
const REVOKED: &str = "numerous:auth:revoked:";
const FAMILY: &str = "numerous:auth:family:";

/// Refresh tokens in Redis, for providers that keep theirs in memory: a refresh may reach any
/// instance. Each token is a hash that expires with it; a revoked login is a key that lasts as
/// long as its last token could.
#[async_trait]
impl crate::auth::SharedRefreshTokens for RedisStore {
    async fn store_refresh(
        &self,
        token: crate::auth::RefreshRecord,
    ) -> Result<(), crate::auth::AuthError> {
        let mut conn = self.link.get().await.map_err(|e| auth_failed(&e))?;
        let _: i64 = self
            .store_refresh
            .key(format!("{REFRESH}{}", token.id))
            .key(format!("{FAMILY}{}", token.family))
            .arg(&token.family)
            .arg(&token.user_id)
            .arg(token.expires_at)
            .arg(REFRESH)
            .arg(&token.id)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| auth_failed(&e))?;
        Ok(())
    }

    async fn use_refresh(
        &self,
        id: &str,
        now: i64,
    ) -> Result<crate::auth::RefreshUse, crate::auth::AuthError> {
        use crate::auth::RefreshUse;
        let mut conn = self.link.get().await.map_err(|e| auth_failed(&e))?;
        let answer: Vec<redis::Value> = self
            .use_refresh
            .key(format!("{REFRESH}{id}"))
            .arg(now)
            .arg(REVOKED)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| auth_failed(&e))?;
        Ok(match (answer.first(), answer.get(1)) {
            (Some(redis::Value::Int(1)), Some(redis::Value::BulkString(user))) => {
                RefreshUse::Fresh {
                    user_id: String::from_utf8_lossy(user).into_owned(),
                }
            }
            (Some(redis::Value::Int(2)), Some(redis::Value::Int(used_at))) => {
                RefreshUse::Reused { used_at: *used_at }
            }
            _ => RefreshUse::Unknown,
        })
    }

    async fn revoke_family(&self, family: &str, until: i64) -> Result<(), crate::auth::AuthError> {
        let k = format!("{REVOKED}{family}");
        let mut conn = self.link.get().await.map_err(|e| auth_failed(&e))?;
        redis::pipe()
            .atomic()
            .set(&k, 1)
            .ignore()
            .expire_at(&k, until.max(crate::auth::now() + 1))
            .ignore()
            .query_async::<()>(&mut conn)
            .await
            .map_err(|e| auth_failed(&e))
    }
}

impl RedisStore {
    async fn let_go(&self, app: &str, id: &str, fence: Fence, how: &str) -> Result<(), StoreError> {
        let mut conn = self.link.get().await.map_err(|e| failed(&e))?;
        let _: i64 = self
            .let_go
            .key(key(app, id))
            .arg(fence)
            .arg(how)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| failed(&e))?;
        Ok(())
    }
}

fn ttl_ms(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}
