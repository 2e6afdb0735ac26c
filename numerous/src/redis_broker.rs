//! Topics between server instances, through a Redis stream ([`RedisBroker`]).

use std::sync::Arc;
use std::time::Duration;

use dashmap::DashMap;
use redis::streams::StreamReadReply;
use tokio::sync::{broadcast, mpsc};

use crate::topics::{Broker, Envelope, TOPIC_BUFFER};

/// Entries kept in the stream (about): how far an instance that lost Redis for a while can
/// catch up.
const KEEP: usize = 100_000;

/// What the publishing task is given.
#[derive(Debug)]
enum Outgoing {
    /// A message for `topic`, as JSON.
    Message(String, String),
    /// Answered once every message queued before it is in Redis.
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// Carries topic messages between every instance of an app (several servers behind a load
/// balancer) through one Redis stream, so a message published on one instance reaches the
/// sessions of all of them, **in the same order everywhere** (the stream's), and an instance
/// that loses Redis for a while catches up on what it missed when it is back (within the last
/// 100,000 messages). Messages travel as JSON.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let broker = numerous::RedisBroker::connect("redis://127.0.0.1:6379", "myapp").await?;
/// let options = numerous::Options::default().broker(broker);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct RedisBroker {
    topics: DashMap<String, broadcast::Sender<Envelope>>,
    outgoing: mpsc::UnboundedSender<Outgoing>,
}

impl RedisBroker {
    /// Connects to Redis at `url`; `name` names the stream (`numerous:<name>:topics`): the
    /// instances of one app share a name, different apps use different ones.
    pub async fn connect(url: &str, name: &str) -> Result<Arc<Self>, redis::RedisError> {
        let client = redis::Client::open(url)?;
        // Connections that reconnect by themselves when Redis goes away and comes back; an
        // answer takes 5 s at most (a read blocks 1 s), so a dead link is noticed.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_response_timeout(Duration::from_secs(5))
            .set_connection_timeout(Duration::from_secs(5));
        let mut writer =
            redis::aio::ConnectionManager::new_with_config(client.clone(), config.clone()).await?;
        let mut reader = redis::aio::ConnectionManager::new_with_config(client, config).await?;
        let stream = format!("numerous:{name}:topics");
        // Messages from now on: the id of the stream's last entry, if any.
        let last: Vec<(String, Vec<(String, String)>)> = redis::cmd("XREVRANGE")
            .arg(&stream)
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut reader)
            .await?;
        let mut last_id = last.first().map_or("0-0".to_owned(), |(id, _)| id.clone());
        let (outgoing, mut queue) = mpsc::unbounded_channel::<Outgoing>();
        let broker = Arc::new(RedisBroker {
            topics: DashMap::new(),
            outgoing,
        });

        // Publishing: in order; a message waits (and retries) while Redis is away, never lost.
        let write_stream = stream.clone();
        tokio::spawn(async move {
            while let Some(out) = queue.recv().await {
                let (topic, json) = match out {
                    Outgoing::Message(topic, json) => (topic, json),
                    // Everything queued before it is in Redis.
                    Outgoing::Flush(done) => {
                        let _ = done.send(());
                        continue;
                    }
                };
                let mut wait = Duration::from_millis(50);
                loop {
                    let added: Result<String, _> = redis::cmd("XADD")
                        .arg(&write_stream)
                        .arg("MAXLEN")
                        .arg("~")
                        .arg(KEEP)
                        .arg("*")
                        .arg("topic")
                        .arg(&topic)
                        .arg("json")
                        .arg(&json)
                        .query_async(&mut writer)
                        .await;
                    match added {
                        Ok(_) => break,
                        // Redis is away: wait for it, keeping this message and the ones after.
                        Err(e)
                            if e.is_io_error() || e.is_connection_dropped() || e.is_timeout() =>
                        {
                            tracing::warn!("publishing to Redis: {e}; trying again");
                            tokio::time::sleep(wait).await;
                            wait = (wait * 2).min(Duration::from_secs(5));
                        }
                        // Redis refused it (the stream's key holds something else, say): trying
                        // again would hold up every later message.
                        Err(e) => {
                            tracing::error!(
                                topic,
                                "Redis refused a topic message: {e}; it is dropped"
                            );
                            break;
                        }
                    }
                }
            }
        });

        // Delivering: everything in the stream after the last entry seen, to local subscribers.
        let weak = Arc::downgrade(&broker);
        tokio::spawn(async move {
            let mut wait = Duration::from_millis(50);
            loop {
                let read: Result<Option<StreamReadReply>, _> = redis::cmd("XREAD")
                    .arg("BLOCK")
                    .arg(1000)
                    .arg("COUNT")
                    .arg(512)
                    .arg("STREAMS")
                    .arg(&stream)
                    .arg(&last_id)
                    .query_async(&mut reader)
                    .await;
                let Some(broker) = weak.upgrade() else { return };
                match read {
                    Ok(Some(reply)) => {
                        wait = Duration::from_millis(50);
                        for key in reply.keys {
                            for entry in key.ids {
                                let topic: Option<String> = entry.get("topic");
                                let json: Option<String> = entry.get("json");
                                if let (Some(topic), Some(json)) = (topic, json) {
                                    broker.deliver(&topic, Envelope::from_json(json));
                                }
                                last_id = entry.id;
                            }
                        }
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!("reading topics from Redis: {e}; trying again");
                        drop(broker);
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(Duration::from_secs(5));
                    }
                }
            }
        });
        Ok(broker)
    }

    fn deliver(&self, topic: &str, message: Envelope) {
        let Some(tx) = self.topics.get(topic).map(|t| t.clone()) else {
            return;
        };
        if tx.send(message).is_err() {
            self.topics
                .remove_if(topic, |_, tx| tx.receiver_count() == 0);
        }
    }
}

impl Broker for RedisBroker {
    /// Waits until every message published so far is in Redis (while Redis is away, until it
    /// is back): a server shutting down publishes nothing it then drops.
    fn flushed(&self) -> futures_util::future::BoxFuture<'static, ()> {
        let (done, flushed) = tokio::sync::oneshot::channel();
        let _ = self.outgoing.send(Outgoing::Flush(done));
        Box::pin(async move {
            let _ = flushed.await;
        })
    }

    /// Queues `message` for every instance (this one included: it is delivered when it comes
    /// back from the stream, so every instance sees one order). Returns this instance's
    /// subscribers to `topic`.
    fn publish(&self, topic: &str, message: Envelope) -> usize {
        let Some(json) = message.to_json() else {
            tracing::warn!(
                topic,
                "a topic message that does not serialize was not published"
            );
            return 0;
        };
        let _ = self
            .outgoing
            .send(Outgoing::Message(topic.to_owned(), json));
        self.topics.get(topic).map_or(0, |t| t.receiver_count())
    }

    fn subscribe(&self, topic: &str) -> broadcast::Receiver<Envelope> {
        self.topics
            .entry(topic.to_owned())
            .or_insert_with(|| broadcast::channel(TOPIC_BUFFER).0)
            .subscribe()
    }
}
