//! Registration with live notices, rebuilt from the "Auth Notify App" document
//! (`shared/reference/seeds/auth-notify-app.md`):
//!
//! - register with an email and a password (checked; argon2-hashed; a duplicate email gets a
//!   clear message), then sign in: numerous's auth with registration allowed, users in SQL;
//! - a welcome page for signed-in users;
//! - everyone on the welcome page hears at once when someone registers, with their email: the
//!   registration hook publishes on a topic every welcome page listens to;
//! - graceful shutdown closes every socket with a proper code (the pages reconnect by
//!   themselves).

use numerous::Options;
use numerous::auth::{Auth, DbProvider};
use numerous::prelude::*;

/// Each new user's email, to every welcome page.
pub static REGISTRATIONS: Topic<String> = Topic::new("registrations");

/// A signed-in user's welcome page.
#[numerous::app(template = "index.html")]
#[derive(Debug)]
pub struct Welcome {
    #[widget(content = "")]
    pub greeting: Markdown,
    /// How many registered while this page was open.
    #[state]
    pub count: u32,
    #[widget(label = "New users while you were here")]
    pub joined: Metric,
    #[widget(init = Feed::default().cap(100).newest_first(true))]
    pub notices: Feed,
}

#[numerous::handlers]
impl Welcome {
    #[on_start]
    fn welcome(&mut self, ctx: &Session) {
        if let Some(user) = ctx.user() {
            // The page's heading (a page has one `h1`).
            self.greeting.content = format!("# Welcome, {}!", markdown_text(&user.username));
        }
        self.joined.value = 0.0.into();
        ctx.subscribe(&REGISTRATIONS, Self::registered);
    }

    /// Someone registered: a line in the feed and a toast.
    fn registered(&mut self, email: &String, ctx: &Session) {
        self.notices.push(format!("{email} just registered"));
        self.count += 1;
        self.joined.value = f64::from(self.count).into();
        ctx.toast(format!("New user: {email}"));
    }
}

/// `text` shown literally by Markdown.
fn markdown_text(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\`*_{}[]()#+-.!<>|~".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// The app's options: users in `provider`, registration open, new users announced.
pub fn options(options: Options, provider: DbProvider) -> Options {
    options_with(options, provider, |a| a)
}

/// [`options`], with the sign-in adjusted by `adjust` (a fixed secret in tests).
pub fn options_with(
    options: Options,
    provider: DbProvider,
    adjust: impl FnOnce(Auth) -> Auth,
) -> Options {
    let auth = Auth::new(provider)
        .title("Auth Notify")
        .allow_registration()
        .on_register(|user, cx| {
            cx.publisher.publish(&REGISTRATIONS, user.username.clone());
        });
    options.auth(adjust(auth))
}
