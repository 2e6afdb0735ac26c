//! A chat room, the numerous way: what took a browser, Centrifugo, a FastAPI RPC backend and a
//! database (see the README) is one binary.
//!
//! - Sign in with a name (no password, as in the original: names are not secret); the session
//!   knows who you are.
//! - A message (1 to 1000 characters after trimming) is stored, then published on a topic: every
//!   open page shows it at once, in the same order everywhere. Text is shown as text: `<script>`
//!   stays `<script>`.
//! - A new page starts with the last 50 messages from the database (SQLite by default,
//!   PostgreSQL by `DATABASE_URL`).
//! - Changing your display name (1 to 50 characters) is announced to the room.
//! - `GET /api/messages?channel=chat&limit=50` and `GET /health` beside the app.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use numerous::auth::{Auth, AuthError, AuthProvider, CurrentUser, MemoryRefreshTokens, User};
use numerous::axum::extract::Query;
use numerous::axum::http::StatusCode;
use numerous::axum::response::{IntoResponse, Response};
use numerous::axum::routing::get;
use numerous::axum::{Json, Router};
use numerous::prelude::*;
use numerous::{Options, Publisher};
use serde::{Deserialize, Serialize};
use sqlx::{AnyPool, Row};

/// The channels there are.
pub const CHANNELS: &[&str] = &["chat"];
/// Messages a new page starts with, and the most the API returns at once.
pub const HISTORY: usize = 50;

/// One message of the room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    /// Its place in the room's history.
    pub id: i64,
    /// The channel.
    pub channel: String,
    /// Who wrote it.
    pub user_id: String,
    /// Their display name when they wrote it.
    pub username: String,
    /// The text, as written (shown as text, never as HTML).
    pub text: String,
    /// `chat`, or `system` for announcements.
    pub message_type: String,
    /// Milliseconds since the Unix epoch.
    pub timestamp: i64,
}

/// Every message goes to every page, in the order they were stored.
pub static MESSAGES: Topic<ChatMessage> = Topic::new("chat-messages");
/// How many pages are open.
pub static PRESENCE: Topic<usize> = Topic::new("chat-presence");

/// A message's text: trimmed, 1 to 1000 characters.
pub fn message_text(raw: &str) -> Result<&str, String> {
    let text = raw.trim();
    match text.chars().count() {
        0 => Err("a message cannot be empty".into()),
        n if n > 1000 => Err(format!(
            "a message has at most 1000 characters (this one has {n})"
        )),
        _ => Ok(text),
    }
}

/// A display name: trimmed, 1 to 50 characters.
pub fn display_name(raw: &str) -> Result<&str, String> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Err("a name cannot be empty".into()),
        n if n > 50 => Err(format!(
            "a name has at most 50 characters (this one has {n})"
        )),
        _ => Ok(name),
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn db(e: sqlx::Error) -> String {
    format!("database: {e}")
}

/// The room's storage, shared by every session, the API and the sign-in.
#[derive(Debug)]
pub struct Store {
    pool: AnyPool,
    /// Held while a message is stored and published, so the pages see this server's messages
    /// in the order of their ids.
    order: tokio::sync::Mutex<()>,
    /// Who is online on this server: per user, their sessions with a page open. (Session ids
    /// are secrets: they stay in memory, never in a log or an answer.)
    present: std::sync::Mutex<HashMap<String, HashSet<Arc<str>>>>,
}

/// The chat's tables. Other migrations may share the database (numerous's auth tables, your
/// own): each migrator ignores the versions it does not know.
fn migrator() -> sqlx::migrate::Migrator {
    let mut m = sqlx::migrate!("./migrations");
    m.set_ignore_missing(true);
    m
}

impl Store {
    /// Connects to `url` (`sqlite://chat.db?mode=rwc`, `postgres://..`) and creates the tables.
    pub async fn connect(url: &str) -> Result<Store, String> {
        sqlx::any::install_default_drivers();
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        // An in-memory SQLite database lives as long as its one connection.
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(if memory { 1 } else { 8 })
            .min_connections(u32::from(memory))
            .idle_timeout(if memory {
                None
            } else {
                Some(std::time::Duration::from_secs(600))
            })
            .max_lifetime(if memory {
                None
            } else {
                Some(std::time::Duration::from_secs(1800))
            })
            .connect(url)
            .await
            .map_err(|e| format!("cannot open the chat database: {e}"))?;
        migrator()
            .run(&pool)
            .await
            .map_err(|e| format!("cannot prepare the chat database: {e}"))?;
        Ok(Store {
            pool,
            order: tokio::sync::Mutex::new(()),
            present: std::sync::Mutex::default(),
        })
    }

    /// Stores a message and publishes it to every page.
    pub async fn post(
        &self,
        publisher: &Publisher,
        user_id: &str,
        username: &str,
        text: &str,
        message_type: &str,
    ) -> Result<ChatMessage, String> {
        let _order = self.order.lock().await;
        let mut message = ChatMessage {
            id: 0,
            channel: CHANNELS[0].into(),
            user_id: user_id.into(),
            username: username.into(),
            text: text.into(),
            message_type: message_type.into(),
            timestamp: now_ms(),
        };
        // The database numbers messages (several servers may share it): the sequence's row stays
        // locked until the message is stored, so a later number is never stored first.
        let mut tx = self.pool.begin().await.map_err(db)?;
        let row = sqlx::query(
            "UPDATE chat_sequence SET last = last + 1 WHERE name = 'messages' RETURNING last",
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        message.id = row.try_get(0).map_err(db)?;
        sqlx::query(
            "INSERT INTO chat_messages (id, channel, user_id, username, text, kind, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(message.id)
        .bind(&message.channel)
        .bind(&message.user_id)
        .bind(&message.username)
        .bind(&message.text)
        .bind(&message.message_type)
        .bind(message.timestamp)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        publisher.publish(&MESSAGES, message.clone());
        Ok(message)
    }

    /// The last `limit` messages of `channel`, oldest first.
    pub async fn recent(&self, channel: &str, limit: usize) -> Result<Vec<ChatMessage>, String> {
        let rows = sqlx::query(
            "SELECT id, channel, user_id, username, text, kind, created_at FROM chat_messages \
             WHERE channel = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(channel)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mut messages = rows_to_messages(&rows)?;
        messages.reverse();
        Ok(messages)
    }

    /// Messages after `id`, oldest first (at most `limit`): what a page that moved between
    /// servers missed meanwhile.
    pub async fn after(
        &self,
        channel: &str,
        id: i64,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, String> {
        let rows = sqlx::query(
            "SELECT id, channel, user_id, username, text, kind, created_at FROM chat_messages \
             WHERE channel = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(channel)
        .bind(id)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows_to_messages(&rows)
    }

    /// How many messages and users there are.
    pub async fn stats(&self) -> Result<(i64, i64), String> {
        let count = |sql: &'static str| async move {
            sqlx::query(sql)
                .fetch_one(&self.pool)
                .await
                .and_then(|r| r.try_get::<i64, _>(0))
                .map_err(db)
        };
        Ok((
            count("SELECT COUNT(*) FROM chat_messages").await?,
            count("SELECT COUNT(*) FROM chat_users").await?,
        ))
    }

    /// Records a user signing in under `username` (their display name stays as it was).
    async fn sign_in(&self, id: &str, username: &str) -> Result<User, String> {
        sqlx::query(
            "INSERT INTO chat_users (id, username, display_name, created_at) VALUES ($1, $2, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(username)
        .bind(now_ms())
        .execute(&self.pool)
        .await
        .map_err(db)?;
        self.user(id)
            .await?
            .ok_or_else(|| "the user vanished".to_owned())
    }

    async fn user(&self, id: &str) -> Result<Option<User>, String> {
        let row = sqlx::query("SELECT display_name FROM chat_users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(|r| {
            Ok(User {
                id: id.to_owned(),
                username: r.try_get(0).map_err(db)?,
                email: None,
                roles: Vec::new(),
                is_admin: false,
                is_active: true,
            })
        })
        .transpose()
    }

    /// Changes a user's display name.
    pub async fn rename(&self, id: &str, name: &str) -> Result<(), String> {
        sqlx::query("UPDATE chat_users SET display_name = $1 WHERE id = $2")
            .bind(name)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// The people with a page open now (several pages of one person count once).
    pub fn online(&self) -> usize {
        self.present.lock().unwrap().len()
    }

    /// Counts session `session` of `user` in (it has a page open) or out; returns how many
    /// people are online. When that number changes every page hears it, published under the
    /// lock so that they hear the counts in the order they were made.
    fn set_present(&self, publisher: &Publisher, user: &str, session: &str, here: bool) -> usize {
        let mut present = self.present.lock().unwrap();
        let before = present.len();
        if here {
            present
                .entry(user.to_owned())
                .or_default()
                .insert(session.into());
        } else if let Some(sessions) = present.get_mut(user) {
            sessions.remove(session);
            if sessions.is_empty() {
                present.remove(user);
            }
        }
        let n = present.len();
        if n != before {
            publisher.publish(&PRESENCE, n);
        }
        n
    }
}

/// Rows of `SELECT id, channel, user_id, username, text, kind, created_at`, as messages.
fn rows_to_messages(rows: &[sqlx::any::AnyRow]) -> Result<Vec<ChatMessage>, String> {
    rows.iter()
        .map(|r| {
            Ok(ChatMessage {
                id: r.try_get(0)?,
                channel: r.try_get(1)?,
                user_id: r.try_get(2)?,
                username: r.try_get(3)?,
                text: r.try_get(4)?,
                message_type: r.try_get(5)?,
                timestamp: r.try_get(6)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(db)
}

/// Sign-in by name only, as in the original (names are not secret): the user's id is the
/// first 16 hex digits of the SHA-256 of the name in lower case, so a name is one user.
#[derive(Debug)]
pub struct NameOnly {
    store: Arc<Store>,
    tokens: MemoryRefreshTokens,
}

fn user_id(name: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(name.to_lowercase().as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[async_trait::async_trait]
impl AuthProvider for NameOnly {
    fn kind(&self) -> &'static str {
        "name only"
    }

    async fn authenticate(&self, username: &str, _password: &str) -> Result<User, AuthError> {
        let name = display_name(username).map_err(AuthError::Invalid)?;
        self.store
            .sign_in(&user_id(name), name)
            .await
            .map_err(AuthError::Backend)
    }

    async fn user(&self, id: &str) -> Result<Option<User>, AuthError> {
        self.store.user(id).await.map_err(AuthError::Backend)
    }

    fn memory_tokens(&self) -> Option<&MemoryRefreshTokens> {
        Some(&self.tokens)
    }
}

/// One person's page.
#[numerous::app(template = "index.html")]
#[derive(Debug)]
pub struct Chat {
    /// The room: every message with its author and time, and the box to write the next.
    #[widget(
        label = "Messages",
        placeholder = "Say something (Enter sends)",
        init = numerous::widgets::Chat::default().cap(FEED_CAP).empty("No messages yet: say hello.")
    )]
    pub messages: numerous::widgets::Chat,
    #[widget(label = "Display name")]
    pub name: TextInput,
    #[widget(label = "Change name", variant = "secondary")]
    pub rename: Button,
    #[widget(label = "Online")]
    pub online: Metric,
    /// The name this page posts under.
    #[state]
    pub known_as: String,
    /// The ids of the messages shown, oldest first (as many as the chat keeps): a message is
    /// shown once, even when it reaches a page both from the history and live (a page that
    /// moved to another server catches up on what it missed meanwhile).
    #[state]
    pub shown: std::collections::VecDeque<i64>,
    /// The last message of the history the page started with (0: none).
    #[state]
    pub joined_after: i64,
}

/// As many ids as the chat keeps messages.
const FEED_CAP: usize = 500;

#[numerous::handlers]
impl Chat {
    /// A new page: who you are, the last messages, and everything said from now on. A page
    /// that moved from another server (it restarted, or died) keeps what it showed and adds
    /// what was said meanwhile.
    #[on_start]
    async fn join(&mut self, ctx: &Session, store: Res<Store>) -> Result<(), String> {
        // Subscribed first: a message said while the history loads is not missed (and is shown
        // once, by its id).
        ctx.subscribe(&MESSAGES, |app: &mut Self, m: &ChatMessage, _: &Session| {
            app.show(m);
        });
        ctx.subscribe(&PRESENCE, |app: &mut Self, n: &usize, _: &Session| {
            app.online.value = (*n).into();
        });
        // Counted out of who is online when the session ends, however it ends: the guard goes
        // with the session's work (made before anything here can fail).
        let here = Here(store.clone(), ctx.publisher(), who(ctx), ctx.id().into());
        ctx.spawn(async move {
            let _here = here;
            std::future::pending::<()>().await;
        });
        let missed = if ctx.is_restored() {
            // Everything after the oldest message shown (messages from several servers may
            // arrive out of order), or after the history the page started with.
            let from = self
                .shown
                .iter()
                .min()
                .copied()
                .unwrap_or(self.joined_after);
            store.after(CHANNELS[0], from, FEED_CAP).await?
        } else {
            if let Some(user) = ctx.user() {
                self.name.value = user.username.clone();
                self.known_as = user.username.clone();
                self.messages.me = user.username.clone();
            }
            let history = store.recent(CHANNELS[0], HISTORY).await?;
            self.joined_after = history.last().map_or(0, |m| m.id);
            history
        };
        for m in &missed {
            self.show(m);
        }
        Ok(())
    }

    /// A page of this session opened or closed: the session counts as online while it has
    /// one, so a closed page leaves the count at once, not when its session expires.
    #[on_tabs]
    fn presence(&mut self, ctx: &Session, store: Res<Store>) {
        let n = store.set_present(&ctx.publisher(), &who(ctx), ctx.id(), ctx.tabs() > 0);
        self.online.value = n.into();
    }

    /// Shows `m` unless it is shown already.
    fn show(&mut self, m: &ChatMessage) {
        if self.shown.contains(&m.id) {
            return;
        }
        // An announcement has no author: the chat shows it apart.
        let author = if m.message_type == "system" {
            ""
        } else {
            &m.username
        };
        self.messages.push_at(author, &m.text, m.timestamp / 1000);
        self.shown.push_back(m.id);
        if self.shown.len() > FEED_CAP {
            self.shown.pop_front();
        }
    }

    /// Sends what the user wrote in the chat (Enter, or its Send button).
    #[on_submit(messages)]
    async fn send(&mut self, ctx: &Session, store: Res<Store>) -> Result<(), String> {
        let user = ctx.user().ok_or("sign in first")?;
        let sent = self.messages.take_sent().unwrap_or_default();
        let text = message_text(&sent)?.to_owned();
        store
            .post(&ctx.publisher(), &user.id, &self.known_as, &text, "chat")
            .await?;
        Ok(())
    }

    /// Changes the display name, and tells the room.
    #[on_click(rename)]
    async fn rename(&mut self, ctx: &Session, store: Res<Store>) -> Result<(), String> {
        let user = ctx.user().ok_or("sign in first")?;
        let name = display_name(&self.name.value)?.to_owned();
        if name == self.known_as {
            return Ok(());
        }
        store.rename(&user.id, &name).await?;
        let text = format!("{} is now known as {name}", self.known_as);
        store
            .post(&ctx.publisher(), &user.id, &name, &text, "system")
            .await?;
        self.known_as = name.clone();
        self.messages.me = name.clone();
        ctx.toast(format!("You are now {name}"));
        Ok(())
    }
}

/// Who a session is, for presence: its user (several pages of one person count once).
fn who(ctx: &Session) -> String {
    ctx.user()
        .map_or_else(|| ctx.id().to_owned(), |u| u.id.clone())
}

/// A session of the chat (store, publisher, user, session id): counted out of who is online
/// when it ends.
struct Here(Res<Store>, Publisher, String, Arc<str>);

impl Drop for Here {
    fn drop(&mut self) {
        self.0.set_present(&self.1, &self.2, &self.3, false);
    }
}

#[derive(Debug, Deserialize)]
struct MessagesQuery {
    channel: Option<String>,
    limit: Option<String>,
}

fn bad_request(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

/// `GET /api/messages?channel=chat&limit=50`: the last messages, oldest first.
async fn messages(
    _user: CurrentUser,
    store: Res<Store>,
    Query(q): Query<MessagesQuery>,
) -> Response {
    let channel = q.channel.unwrap_or_else(|| CHANNELS[0].into());
    if !CHANNELS.contains(&channel.as_str()) {
        return bad_request(
            StatusCode::NOT_FOUND,
            format!(
                "unknown channel `{channel}`; channels: {}",
                CHANNELS.join(", ")
            ),
        );
    }
    let limit = match q.limit.as_deref().map(str::parse::<usize>) {
        None => HISTORY,
        Some(Ok(n)) if (1..=HISTORY).contains(&n) => n,
        Some(_) => {
            return bad_request(
                StatusCode::BAD_REQUEST,
                format!("`limit` is a number from 1 to {HISTORY}"),
            );
        }
    };
    match store.recent(&channel, limit).await {
        Ok(messages) => Json(serde_json::json!({
            "channel": channel,
            "count": messages.len(),
            "messages": messages,
        }))
        .into_response(),
        Err(e) => bad_request(StatusCode::SERVICE_UNAVAILABLE, e),
    }
}

/// `GET /health`: up, with counts (public).
async fn health(store: Res<Store>) -> Response {
    match store.stats().await {
        Ok((messages, users)) => Json(serde_json::json!({
            "status": "ok",
            "service": "numerous-chat",
            "stats": {"totalMessages": messages, "totalUsers": users, "online": store.online()},
        }))
        .into_response(),
        Err(e) => bad_request(StatusCode::SERVICE_UNAVAILABLE, e),
    }
}

/// The chat's options: its store, its sign-in by name, its API.
pub fn options(options: Options, store: Store) -> Options {
    options_with(options, store, |auth| auth)
}

/// [`options`], with the sign-in adjusted by `adjust` (limits, a fixed secret).
pub fn options_with(options: Options, store: Store, adjust: impl FnOnce(Auth) -> Auth) -> Options {
    let options = options.resource(store);
    let store = options
        .resources
        .get::<Store>()
        .expect("just registered")
        .arc()
        .clone();
    let auth = Auth::new(NameOnly {
        store,
        tokens: MemoryRefreshTokens::default(),
    })
    .public(["/health"])
    // The login page asks for a name only: templates/numerous/login.html replaces numerous's.
    .title("Join the chat");
    options.auth(adjust(auth)).routes(
        Router::new()
            .route("/api/messages", get(messages))
            .route("/health", get(health)),
    )
}
