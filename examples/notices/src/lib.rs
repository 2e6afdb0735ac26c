//! Live notices: whatever one visitor posts, every open page shows at once.
//!
//! - a **topic** (`NOTICES`) carries each notice to every session, in order;
//! - a **resource** (`Board`, shared by all sessions and the HTTP API) keeps the last notices,
//!   so a new page starts with them;
//! - **your own routes** beside the app: `POST /api/notices` posts one, `GET /api/notices` lists;
//! - **background work**: a ticker not tied to any session publishes the time on `TICKS`, and each
//!   session can start a countdown that updates its page until it ends (or the session does);
//! - a **blocking handler** counts primes without holding up other sessions.
//!
//! Run with: `cargo run -p example-notices` and open <http://127.0.0.1:8000> in two windows.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use numerous::axum::Json;
use numerous::axum::routing::get;
use numerous::prelude::*;
use numerous::{Options, Publisher};
use serde::{Deserialize, Serialize};

/// One notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub from: String,
    pub text: String,
}

impl Notice {
    /// A notice from `from`, trimmed and checked: 1 to 200 characters.
    pub fn new(from: &str, text: &str) -> Result<Notice, String> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 200 {
            return Err("a notice has 1 to 200 characters".into());
        }
        let from = from.trim();
        let from = if from.is_empty() { "someone" } else { from };
        Ok(Notice {
            from: from.chars().take(50).collect(),
            text: text.to_owned(),
        })
    }
}

/// Every notice goes to every session.
pub static NOTICES: Topic<Notice> = Topic::new("notices");
/// The server's clock, once a second (or as configured).
pub static TICKS: Topic<u64> = Topic::new("ticks");

/// Shared by every session and the HTTP API: the last notices, and how many countdowns run.
#[derive(Debug, Default)]
pub struct Board {
    notices: Mutex<Vec<Notice>>,
    /// Countdowns running now (they stop with their session).
    pub countdowns: AtomicUsize,
}

/// Notices a new page starts with.
const KEEP: usize = 50;

impl Board {
    /// Records `notice` and publishes it to every session.
    pub fn post(&self, publisher: &Publisher, notice: Notice) -> usize {
        {
            let mut all = self.notices.lock().unwrap_or_else(|e| e.into_inner());
            all.push(notice.clone());
            let over = all.len().saturating_sub(KEEP);
            all.drain(..over);
        }
        publisher.publish(&NOTICES, notice)
    }

    /// The last notices, oldest first.
    pub fn recent(&self) -> Vec<Notice> {
        self.notices
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// One visitor's page.
#[numerous::app(template = "index.html")]
#[derive(Debug)]
pub struct Notices {
    #[widget(label = "Your name", placeholder = "someone")]
    name: TextInput,
    #[widget(label = "Notice", placeholder = "Say something to everyone")]
    text: TextInput,
    #[widget(label = "Post")]
    post: Button,
    #[widget(init = Feed::default().cap(KEEP).markdown(true).newest_first(true))]
    feed: Feed,
    #[widget(label = "Server clock", unit = "s")]
    clock: Metric,
    #[widget(label = "Countdown", unit = "s", value = 10)]
    countdown: Metric,
    #[widget(label = "Start the countdown", variant = "secondary")]
    start: Button,
    #[widget(label = "Count primes below", init = Number::default().value(200_000.0))]
    limit: Number,
    #[widget(label = "Count", variant = "secondary")]
    crunch: Button,
    #[widget(content = "")]
    primes: Markdown,
}

#[numerous::handlers]
impl Notices {
    /// A new page shows the recent notices and hears about new ones and the clock.
    #[on_start]
    fn started(&mut self, ctx: &Session, board: Res<Board>) {
        for notice in board.recent() {
            self.show(&notice);
        }
        ctx.subscribe(&NOTICES, Self::heard);
        ctx.subscribe(&TICKS, |app: &mut Self, t: &u64, _: &Session| {
            app.clock.value = (*t).into();
        });
    }

    #[on_click(post)]
    fn post(&mut self, ctx: &Session, board: Res<Board>) -> Result<(), String> {
        let notice = Notice::new(&self.name.value, &self.text.value)?;
        self.text.value.clear();
        board.post(&ctx.publisher(), notice);
        Ok(())
    }

    /// Runs in this session's task for each notice, in the order they were posted; the page
    /// gets the new line only.
    fn heard(&mut self, notice: &Notice, _: &Session) {
        self.show(notice);
    }

    fn show(&mut self, n: &Notice) {
        self.feed
            .push(format!("**{}**: {}", escape(&n.from), escape(&n.text)));
    }

    /// Counts down in the background, one second at a time, until zero or the session ends.
    #[on_click(start)]
    fn start(&mut self, ctx: &Session, board: Res<Board>) {
        let page = ctx.handle::<Self>();
        let step = ctx
            .resource::<Tick>()
            .map_or(Duration::from_secs(1), |t| t.0);
        ctx.spawn(async move {
            board.countdowns.fetch_add(1, Ordering::SeqCst);
            let _running = Running(board);
            loop {
                tokio::time::sleep(step).await;
                let left = page.update(|app, _| {
                    let left = (app.countdown.value.as_f64().unwrap_or(0.0) - 1.0).max(0.0);
                    app.countdown.value = left.into();
                    left
                });
                match left.await {
                    Ok(left) if left > 0.0 => {}
                    _ => return,
                }
            }
        });
    }

    /// Plain CPU work for seconds: `#[blocking]` keeps other sessions answered meanwhile.
    #[on_click(crunch)]
    #[blocking]
    fn crunch(&mut self) {
        let n = self.limit.value.max(0.0) as usize;
        let count = (2..n).filter(|&k| is_prime(k)).count();
        self.primes.content = format!("{count} primes below {n}.");
    }
}

/// Counts a countdown as running until it ends, however it ends.
struct Running(Res<Board>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.countdowns.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The ticker's and the countdown's step (a resource, so tests can run them fast).
#[derive(Debug, Clone, Copy)]
pub struct Tick(pub Duration);

fn is_prime(n: usize) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

/// Markdown shows raw HTML as text already; this keeps `*`, `_` and friends literal too.
fn escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let special = "\\`*_{}[]()#+-.!<>|".contains(c);
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}

/// The app's options: the shared board, the HTTP API and the ticker, one step per `tick`.
pub fn options(options: Options, tick: Duration) -> Options {
    let api = numerous::axum::Router::new().route("/api/notices", get(list).post(create));
    options
        .resource(Board::default())
        .resource(Tick(tick))
        .routes(api)
        .task(move |cx| async move {
            let mut interval = tokio::time::interval(tick);
            let mut t = 0u64;
            loop {
                interval.tick().await;
                cx.publisher.publish(&TICKS, t);
                t += 1;
            }
        })
}

/// `GET /api/notices`: the recent notices, oldest first.
async fn list(board: Res<Board>) -> Json<Vec<Notice>> {
    Json(board.recent())
}

#[derive(Debug, Deserialize)]
struct NewNotice {
    from: String,
    text: String,
}

/// `POST /api/notices` with `{"from": .., "text": ..}`: posts to every open page.
async fn create(
    board: Res<Board>,
    publisher: Publisher,
    Json(body): Json<NewNotice>,
) -> Result<Json<Reached>, (numerous::axum::http::StatusCode, String)> {
    let notice = Notice::new(&body.from, &body.text)
        .map_err(|e| (numerous::axum::http::StatusCode::UNPROCESSABLE_ENTITY, e))?;
    let reached = board.post(&publisher, notice);
    Ok(Json(Reached { reached }))
}

/// How many pages a posted notice reached.
#[derive(Debug, Serialize)]
pub struct Reached {
    reached: usize,
}
