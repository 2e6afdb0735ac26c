//! Protected news, rebuilt from the "Robyn Authentication & SSE Template" document
//! (`shared/reference/seeds/robyn-auth-sse-template.md`):
//!
//! - users seeded at start-up (`mark`, `luke`), their passwords hashed (argon2) as the app
//!   starts; or `NUMEROUS_AUTH_USERS`;
//! - sign in and out with the JWT in an HttpOnly cookie;
//! - a protected page that gets a news item pushed every few seconds, over the WebSocket or, where
//!   WebSockets are blocked, over server-sent events (`?numerous_transport=sse`);
//! - signing out stops the stream at once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use numerous::Options;
use numerous::auth::{Auth, AuthError, EnvProvider, USERS_VAR};
use numerous::prelude::*;
use serde::{Deserialize, Serialize};

/// One news item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewsItem {
    /// Counts up from 1.
    pub number: u64,
    pub headline: String,
}

/// Every item goes to every open page.
pub static NEWS: Topic<NewsItem> = Topic::new("news");

/// How often news comes (a resource, so tests can make it fast).
#[derive(Debug, Clone, Copy)]
pub struct Every(pub Duration);

const HEADLINES: &[&str] = &[
    "Local library extends opening hours",
    "New bike lanes open downtown",
    "Rust 2024 edition adopted by the city council's IT team",
    "Weather: sunny spells, light wind",
    "Farmers' market moves to the harbour",
];

/// The users when `NUMEROUS_AUTH_USERS` is not set.
pub const SEED_USERS: &str = r#"[
    {"username": "mark", "password": "mark-password"},
    {"username": "luke", "password": "luke-password"}
]"#;

/// The protected page.
#[numerous::app(template = "index.html")]
#[derive(Debug)]
pub struct News {
    #[widget(content = "")]
    pub greeting: Markdown,
    #[widget(label = "Items received")]
    pub received: Metric,
    #[widget(init = Feed::default().cap(50).newest_first(true))]
    pub items: Feed,
    #[state]
    pub count: u32,
}

#[numerous::handlers]
impl News {
    #[on_start]
    fn open(&mut self, ctx: &Session) {
        if let Some(user) = ctx.user() {
            self.greeting.content =
                format!("Hello, **{}**: news comes as it happens.", user.username);
        }
        self.received.value = 0.0.into();
        ctx.subscribe(&NEWS, |app: &mut Self, item: &NewsItem, _: &Session| {
            app.items
                .push(format!("#{} {}", item.number, item.headline));
            app.count += 1;
            app.received.value = f64::from(app.count).into();
        });
    }
}

/// The users: `NUMEROUS_AUTH_USERS` if set, else the seed users; passwords hashed now.
pub fn users() -> Result<EnvProvider, AuthError> {
    match std::env::var(USERS_VAR) {
        Ok(_) => EnvProvider::from_env(),
        Err(_) => EnvProvider::from_json(SEED_USERS),
    }
}

/// The app's options: `users`, and the news ticker as work that runs while the app does.
pub fn options(options: Options, users: EnvProvider, adjust: impl FnOnce(Auth) -> Auth) -> Options {
    let every = options
        .resources
        .get::<Every>()
        .map_or(Duration::from_secs(3), |e| e.0);
    options
        .auth(adjust(Auth::new(users).title("Protected news")))
        .task(move |cx| async move {
            let n = AtomicU64::new(0);
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                let number = n.fetch_add(1, Ordering::Relaxed) + 1;
                let headline = HEADLINES[(number as usize - 1) % HEADLINES.len()].to_owned();
                cx.publisher.publish(&NEWS, NewsItem { number, headline });
            }
        })
}
