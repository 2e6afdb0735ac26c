//! A counter only signed-in users may use. Everybody can count; only editors may reset.
//!
//! Run with the two users the README shows:
//!
//! ```text
//! NUMEROUS_AUTH_USERS='[{"username":"admin","password":"admin-password","is_admin":true},
//!   {"username":"ann","password":"ann-password","roles":["editor"]},
//!   {"username":"bob","password":"bob-password"}]' cargo run -p example-counter-auth
//! ```

use numerous::prelude::*;

/// The roles this app knows: `#[requires(Role::Editr)]` would not compile.
#[derive(Debug, Clone, Copy, numerous::Roles)]
pub enum Role {
    /// May reset the counter.
    Editor,
}

/// One signed-in user's session.
#[numerous::app(template = "index.html")]
#[derive(Debug)]
pub struct CounterAuth {
    #[widget(content = "")]
    greeting: Markdown,
    #[widget(label = "Counter:")]
    counter: Number,
    #[widget(label = "Increment", variant = "primary")]
    increment: Button,
    #[widget(label = "Reset (editors only)")]
    reset: Button,
}

#[numerous::handlers]
impl CounterAuth {
    /// Greets the user the session belongs to.
    #[on_start]
    fn greet(&mut self, ctx: &Session) {
        if let Some(user) = ctx.user() {
            let roles = if user.roles.is_empty() {
                "no roles".to_owned()
            } else {
                user.roles.join(", ")
            };
            self.greeting.content = format!("Signed in as **{}** ({roles}).", user.username);
        }
    }

    #[on_click(increment)]
    fn increment(&mut self) {
        self.counter.value += 1.0;
    }

    /// Only editors (and administrators) get here; others get an error, and nothing changes.
    #[on_click(reset)]
    #[requires(Role::Editor)]
    fn reset(&mut self) {
        self.counter.value = 0.0;
    }
}
