//! A tabbed home page with per-user data, rebuilt from the "FastAPI + Gradio Session Template"
//! document (`shared/reference/seeds/fastapi-gradio-session-template.md`):
//!
//! - a protected home page with three tabs (Profile, Counter, Notes), each with its widgets;
//! - each user's data in a store behind a trait ([`UserStore`]; in memory by default, swap in
//!   Redis or SQL by implementing it), loaded when a page opens and saved on every change, so
//!   it survives reloads, new tabs and new sessions;
//! - request logging (`--log-requests`: method, path, user, status, duration through tower-http
//!   and tracing), `GET /healthz`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use numerous::Options;
use numerous::auth::{Auth, EnvProvider};
use numerous::axum::routing::get;
use numerous::prelude::*;
use serde::{Deserialize, Serialize};

/// One user's data, whatever page or session they use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserData {
    pub display_name: String,
    pub bio: String,
    pub count: f64,
    pub notes: String,
}

/// Where users' data lives. In memory by default; implement it for Redis, SQL, files.
#[async_trait::async_trait]
pub trait UserStore: Send + Sync + 'static {
    /// The data of `user`, if any was saved.
    async fn load(&self, user: &str) -> Option<UserData>;
    /// Keeps `data` for `user`.
    async fn save(&self, user: &str, data: UserData);
}

/// [`UserStore`] in this process's memory.
#[derive(Debug, Default)]
pub struct InMemory(Mutex<HashMap<String, UserData>>);

#[async_trait::async_trait]
impl UserStore for InMemory {
    async fn load(&self, user: &str) -> Option<UserData> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(user)
            .cloned()
    }

    async fn save(&self, user: &str, data: UserData) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user.to_owned(), data);
    }
}

/// The store the app uses (a resource).
#[derive(Clone)]
pub struct Store(pub Arc<dyn UserStore>);

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store(..)")
    }
}

/// The home page.
#[numerous::app(template = "index.html")]
#[derive(Debug)]
pub struct Home {
    #[widget(tabs = ["Profile", "Counter", "Notes"])]
    pub tabs: Tabs,
    #[widget(content = "")]
    pub hello: Markdown,
    #[widget(label = "Display name")]
    pub display_name: TextInput,
    #[widget(label = "About you", rows = 3)]
    pub bio: TextArea,
    #[widget(label = "Count")]
    pub count: Number,
    #[widget(label = "+1", variant = "primary")]
    pub increment: Button,
    #[widget(label = "Notes", rows = 8)]
    pub notes: TextArea,
}

#[numerous::handlers]
impl Home {
    /// Loads the user's data into the tabs.
    #[on_start]
    async fn load(&mut self, ctx: &Session, store: Res<Store>) {
        let Some(user) = ctx.user() else { return };
        self.hello.content = format!("Signed in as **{}**.", user.username);
        let data = store
            .0
            .load(&user.username)
            .await
            .unwrap_or_else(|| UserData {
                display_name: user.username.clone(),
                ..UserData::default()
            });
        self.display_name.value = data.display_name;
        self.bio.value = data.bio;
        self.count.value = data.count;
        self.notes.value = data.notes;
    }

    #[on_click(increment)]
    async fn increment(&mut self, ctx: &Session, store: Res<Store>) {
        self.count.value += 1.0;
        self.save(ctx, &store).await;
    }

    /// Any field the user edits is saved.
    #[on_change(display_name)]
    #[on_change(bio)]
    #[on_change(count)]
    #[on_change(notes)]
    async fn edited(&mut self, ctx: &Session, store: Res<Store>) {
        self.save(ctx, &store).await;
    }

    async fn save(&self, ctx: &Session, store: &Store) {
        if let Some(user) = ctx.user() {
            let data = UserData {
                display_name: self.display_name.value.clone(),
                bio: self.bio.value.clone(),
                count: self.count.value,
                notes: self.notes.value.clone(),
            };
            store.0.save(&user.username, data).await;
        }
    }
}

/// The users when `NUMEROUS_AUTH_USERS` is not set.
pub const SEED_USERS: &str = r#"[
    {"username": "ada", "password": "ada-password"},
    {"username": "alan", "password": "alan-password"}
]"#;

/// The app's options: `users`, the store, `/healthz`, and request logging on.
pub fn options(options: Options, users: EnvProvider, store: Arc<dyn UserStore>) -> Options {
    options
        .resource(Store(store))
        .auth(Auth::new(users).public(["/healthz"]).title("Home"))
        .routes(numerous::axum::Router::new().route("/healthz", get(|| async { "ok" })))
        .log_requests(true)
}
