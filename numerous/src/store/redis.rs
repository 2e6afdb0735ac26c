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
use redis::aio::ConnectionManager;
use tokio::sync::mpsc;

use super::{Claim, Fence, SessionStore, StoreError};

/// How long a command may take: frames held for a save ([`Durability::Shown`]) wait this long
/// at the most before they go anyway (Redis is away) and the session is saved when it is back.
///
/// [`Durability::Shown`]: super::Durability::Shown
const SAVE_PATIENCE: Duration = Duration::from_secs(2);

/// Asks the owner to release the session, or takes it: `{0}` unknown, `{1}` busy,
/// `{2, fence, data}` taken.
const CLAIM: &str = r"
local data = redis.call('HGET', KEYS[1], 'data')
if not data then return {0} end
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= ARGV[1] then
  if redis.call('PUBLISH', ARGV[3] .. owner, ARGV[4]) > 0 then return {1} end
end
local fence = redis.call('HINCRBY', KEYS[1], 'fence', 1)
redis.call('HSET', KEYS[1], 'owner', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {2, fence, data}
";

/// Writes the record if the fence is still the latest: 1 written, 0 not. A record that is gone
/// (Redis restarted without its data, or it expired while nothing changed) is written again:
/// nobody else can have claimed it.
const SAVE: &str = r"
local fence = redis.call('HGET', KEYS[1], 'fence')
if fence and fence ~= ARGV[1] then return 0 end
if not fence then redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'owner', ARGV[4]) end
redis.call('HSET', KEYS[1], 'data', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
";

/// Lets the session go (`ARGV[2]` = 'release') or forgets it (`'remove'`), under the fence.
const LET_GO: &str = r"
if redis.call('HGET', KEYS[1], 'fence') ~= ARGV[1] then return 0 end
if ARGV[2] == 'remove' then redis.call('DEL', KEYS[1]) else redis.call('HDEL', KEYS[1], 'owner') end
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
    conn: ConnectionManager,
    instance: String,
    claim: redis::Script,
    save: redis::Script,
    let_go: redis::Script,
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
                return Err(StoreError(format!(
                    "cannot reach Redis at {}: no answer within 5 s",
                    crate::auth::redact_url(url)
                )));
            }
        }
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_response_timeout(SAVE_PATIENCE)
            .set_connection_timeout(Duration::from_secs(5))
            .set_number_of_retries(2);
        let conn = ConnectionManager::new_with_config(client.clone(), config)
            .await
            .map_err(|e| unreachable(url, &e))?;
        Ok(std::sync::Arc::new(RedisStore {
            client,
            conn,
            instance: crate::runtime::random_hex(8),
            claim: redis::Script::new(CLAIM),
            save: redis::Script::new(SAVE),
            let_go: redis::Script::new(LET_GO),
            use_refresh: redis::Script::new(USE_REFRESH),
        }))
    }
}

/// The error for a Redis that cannot be reached, without the URL's password.
fn unreachable(url: &str, e: &redis::RedisError) -> StoreError {
    StoreError(format!(
        "cannot reach Redis at {}: {e}",
        crate::auth::redact_url(url)
    ))
}

fn key(app: &str, id: &str) -> String {
    format!("numerous:{app}:session:{id}")
}

fn channel_prefix(app: &str) -> String {
    format!("numerous:{app}:release:")
}

fn failed(e: &redis::RedisError) -> StoreError {
    StoreError(e.to_string())
}

#[async_trait]
impl SessionStore for RedisStore {
    fn instance(&self) -> &str {
        &self.instance
    }

    async fn listen(&self, app: &str) -> Result<mpsc::UnboundedReceiver<String>, StoreError> {
        let channel = format!("{}{}", channel_prefix(app), self.instance);
        let mut pubsub = self
            .client
            .get_async_pubsub()
            .await
            .map_err(|e| failed(&e))?;
        pubsub.subscribe(&channel).await.map_err(|e| failed(&e))?;
        let (tx, rx) = mpsc::unbounded_channel();
        let client = self.client.clone();
        tokio::spawn(async move {
            let mut stream = pubsub.into_on_message();
            loop {
                while let Some(msg) = stream.next().await {
                    if let Ok(id) = msg.get_payload::<String>()
                        && tx.send(id).is_err()
                    {
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
                    wait = (wait * 2).min(Duration::from_secs(5));
                    let Ok(mut p) = client.get_async_pubsub().await else {
                        continue;
                    };
                    if p.subscribe(&channel).await.is_ok() {
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
        data: &[u8],
        ttl: Duration,
    ) -> Result<Fence, StoreError> {
        let k = key(app, id);
        let mut conn = self.conn.clone();
        redis::pipe()
            .atomic()
            .hset_multiple(
                &k,
                &[
                    ("data", data),
                    ("fence", b"1".as_slice()),
                    ("owner", self.instance.as_bytes()),
                ],
            )
            .ignore()
            .pexpire(&k, i64::try_from(ttl_ms(ttl)).unwrap_or(i64::MAX))
            .ignore()
            .query_async::<()>(&mut conn)
            .await
            .map_err(|e| failed(&e))?;
        Ok(1)
    }

    async fn claim(&self, app: &str, id: &str, ttl: Duration) -> Result<Claim, StoreError> {
        let mut conn = self.conn.clone();
        let answer: Vec<redis::Value> = self
            .claim
            .key(key(app, id))
            .arg(&self.instance)
            .arg(ttl_ms(ttl))
            .arg(channel_prefix(app))
            .arg(id)
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
            Some(2) => {
                let fence = int(answer.get(1))
                    .and_then(|f| u64::try_from(f).ok())
                    .ok_or_else(|| StoreError("a claim without a fence".into()))?;
                let data = match answer.get(2) {
                    Some(redis::Value::BulkString(b)) => b.clone(),
                    _ => return Err(StoreError("a claim without a record".into())),
                };
                Ok(Claim::Taken { fence, data })
            }
            _ => Err(StoreError(format!(
                "unexpected answer to a claim: {answer:?}"
            ))),
        }
    }

    async fn save(
        &self,
        app: &str,
        id: &str,
        fence: Fence,
        data: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn.clone();
        let written: i64 = self
            .save
            .key(key(app, id))
            .arg(fence)
            .arg(data)
            .arg(ttl_ms(ttl))
            .arg(&self.instance)
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

    fn refresh_tokens(&self) -> Option<std::sync::Arc<dyn crate::auth::SharedRefreshTokens>> {
        Some(std::sync::Arc::new(self.clone()))
    }
}

fn auth_failed(e: &redis::RedisError) -> crate::auth::AuthError {
    crate::auth::AuthError::Backend(format!("refresh tokens in Redis: {e}"))
}

const REFRESH: &str = "numerous:auth:refresh:";
const REVOKED: &str = "numerous:auth:revoked:";

/// Refresh tokens in Redis, for providers that keep theirs in memory: a refresh may reach any
/// instance. Each token is a hash that expires with it; a revoked login is a key that lasts as
/// long as its last token could.
#[async_trait]
impl crate::auth::SharedRefreshTokens for RedisStore {
    async fn store_refresh(
        &self,
        token: crate::auth::RefreshRecord,
    ) -> Result<(), crate::auth::AuthError> {
        let k = format!("{REFRESH}{}", token.id);
        let mut conn = self.conn.clone();
        redis::pipe()
            .atomic()
            .hset_multiple(&k, &[("family", &token.family), ("user", &token.user_id)])
            .ignore()
            .expire_at(&k, token.expires_at)
            .ignore()
            .query_async::<()>(&mut conn)
            .await
            .map_err(|e| auth_failed(&e))
    }

    async fn use_refresh(
        &self,
        id: &str,
        now: i64,
    ) -> Result<crate::auth::RefreshUse, crate::auth::AuthError> {
        use crate::auth::RefreshUse;
        let mut conn = self.conn.clone();
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
        let mut conn = self.conn.clone();
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
        let mut conn = self.conn.clone();
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
