//! Typed messages between sessions: publish on a [`Topic`], and every session subscribed to it
//! runs its handler for the message in its own task, in publish order.
//!
//! The [`Broker`] carries messages by topic name. [`LocalBroker`] (the default) keeps them in this
//! process; the trait lets another broker carry them between processes without changing apps
//! (every message is also serializable for that).

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use dashmap::DashMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::broadcast;

/// Messages a topic holds for a subscriber that has not taken them yet. A subscriber further
/// behind skips what it missed (logged with the count): publishers never wait for subscribers, and
/// a slow one never holds memory beyond this.
pub const TOPIC_BUFFER: usize = 1024;

/// A named channel of messages of type `T`.
///
/// ```
/// # #[derive(Clone, serde::Serialize, serde::Deserialize)] struct News { title: String }
/// static NEWS: numerous::Topic<News> = numerous::Topic::new("news");
/// let room = numerous::Topic::<String>::named(format!("chat/{}", "rust"));
/// assert_eq!(room.name(), "chat/rust");
/// ```
pub struct Topic<T> {
    name: Cow<'static, str>,
    _message: PhantomData<fn() -> T>,
}

impl<T> Topic<T> {
    /// A topic with a fixed name (usable in a `static`).
    pub const fn new(name: &'static str) -> Self {
        Topic {
            name: Cow::Borrowed(name),
            _message: PhantomData,
        }
    }

    /// A topic whose name is made at run time (a chat room, a user's channel).
    pub fn named(name: impl Into<String>) -> Self {
        Topic {
            name: Cow::Owned(name.into()),
            _message: PhantomData,
        }
    }

    /// The topic's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl<T> Clone for Topic<T> {
    fn clone(&self) -> Self {
        Topic {
            name: self.name.clone(),
            _message: PhantomData,
        }
    }
}

impl<T> fmt::Debug for Topic<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Topic({:?})", self.name)
    }
}

/// What a message must be: shared between sessions (and serializable, for brokers that carry
/// it between processes).
pub trait Message: Serialize + DeserializeOwned + Send + Sync + 'static {}

impl<T: Serialize + DeserializeOwned + Send + Sync + 'static> Message for T {}

/// A published message, type-erased.
#[derive(Clone)]
pub struct Envelope {
    value: Arc<dyn Any + Send + Sync>,
    json: fn(&(dyn Any + Send + Sync)) -> Option<String>,
    /// A message that came from another process, as JSON: decoded by each `get`.
    remote: Option<Arc<str>>,
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Envelope(..)")
    }
}

impl Envelope {
    /// Wraps a message.
    pub fn new<T: Message>(value: T) -> Self {
        Envelope {
            value: Arc::new(value),
            json: |v| {
                v.downcast_ref::<T>()
                    .and_then(|v| serde_json::to_string(v).ok())
            },
            remote: None,
        }
    }

    /// A message that came from another process as JSON (a broker between processes makes
    /// these); `get::<T>` decodes it.
    pub fn from_json(json: impl Into<Arc<str>>) -> Self {
        Envelope {
            value: Arc::new(()),
            json: |_| None,
            remote: Some(json.into()),
        }
    }

    /// The message, if it is a `T`.
    pub fn get<T: Message>(&self) -> Option<Arc<T>> {
        match &self.remote {
            Some(json) => serde_json::from_str::<T>(json).ok().map(Arc::new),
            None => self.value.clone().downcast::<T>().ok(),
        }
    }

    /// The message as JSON (for brokers between processes).
    pub fn to_json(&self) -> Option<String> {
        match &self.remote {
            Some(json) => Some(json.to_string()),
            None => (self.json)(&*self.value),
        }
    }
}

/// Carries messages by topic name.
pub trait Broker: Send + Sync + fmt::Debug + 'static {
    /// Sends `message` to every current subscriber of `topic`; returns how many there were.
    fn publish(&self, topic: &str, message: Envelope) -> usize;
    /// A new subscription to `topic`: messages published from now on, in order.
    fn subscribe(&self, topic: &str) -> broadcast::Receiver<Envelope>;

    /// Completes once every message published so far has left this process (a broker between
    /// processes queues them): the server waits for it before it exits. Nothing to wait for by
    /// default.
    fn flushed(&self) -> futures_util::future::BoxFuture<'static, ()> {
        Box::pin(std::future::ready(()))
    }
}

/// The broker of one process (the default).
#[derive(Debug, Default)]
pub struct LocalBroker {
    topics: DashMap<String, broadcast::Sender<Envelope>>,
}

impl Broker for LocalBroker {
    fn publish(&self, topic: &str, message: Envelope) -> usize {
        let Some(tx) = self.topics.get(topic).map(|t| t.clone()) else {
            return 0;
        };
        match tx.send(message) {
            Ok(n) => n,
            Err(_) => {
                // Nobody listens any more: forget the topic.
                self.topics
                    .remove_if(topic, |_, tx| tx.receiver_count() == 0);
                0
            }
        }
    }

    fn subscribe(&self, topic: &str) -> broadcast::Receiver<Envelope> {
        self.topics
            .entry(topic.to_owned())
            .or_insert_with(|| broadcast::channel(TOPIC_BUFFER).0)
            .subscribe()
    }
}

/// Publishes on the app's broker from anywhere: a handler (`ctx.publisher()`), a background task,
/// your own routes (`Publisher` is an axum extractor there), a test.
#[derive(Clone, Debug)]
pub struct Publisher(pub(crate) Arc<dyn Broker>);

impl Publisher {
    /// A publisher on `broker`.
    pub fn new(broker: Arc<dyn Broker>) -> Self {
        Publisher(broker)
    }

    /// Sends `message` to every session subscribed to `topic`; returns how many subscriptions
    /// there were.
    pub fn publish<T: Message>(&self, topic: &Topic<T>, message: T) -> usize {
        self.0.publish(topic.name(), Envelope::new(message))
    }

    /// The broker.
    pub fn broker(&self) -> &Arc<dyn Broker> {
        &self.0
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Publisher {
    type Rejection = (axum::http::StatusCode, &'static str);

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Publisher>().cloned().ok_or((
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "no publisher: serve this route with the app (Options::routes)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn messages_reach_subscribers_in_order() {
        let broker = LocalBroker::default();
        let topic = Topic::<u32>::new("n");
        assert_eq!(broker.publish(topic.name(), Envelope::new(0u32)), 0);
        let mut a = broker.subscribe("n");
        let mut b = broker.subscribe("n");
        for i in 1..=3u32 {
            assert_eq!(broker.publish("n", Envelope::new(i)), 2);
        }
        for rx in [&mut a, &mut b] {
            for i in 1..=3u32 {
                assert_eq!(*rx.recv().await.unwrap().get::<u32>().unwrap(), i);
            }
        }
        assert_eq!(Envelope::new(7u32).to_json().as_deref(), Some("7"));
        assert!(Envelope::new(7u32).get::<String>().is_none());
        let remote = Envelope::from_json(Envelope::new(7u32).to_json().unwrap());
        assert_eq!(*remote.get::<u32>().unwrap(), 7);
        assert!(remote.get::<String>().is_none());
    }
}
