//! Two apps in one server and one binary: `/public` for everyone, `/admin` for administrators
//! (users from `NUMEROUS_AUTH_USERS`), a shared static folder, a theme, `/health`, and `/`
//! redirecting to the public app.

use numerous::auth::Auth;
use numerous::prelude::*;
use numerous::{Options, Server};

/// The public app: a counter anyone may click.
#[numerous::app(template = "public.html")]
#[derive(Debug)]
pub struct PublicApp {
    #[widget(label = "Clicks")]
    pub clicks: Metric,
    #[widget(label = "Click", variant = "primary")]
    pub click: Button,
}

#[numerous::handlers]
impl PublicApp {
    #[on_click(click)]
    fn click(&mut self) {
        self.clicks.value = (self.clicks.value.as_f64().unwrap_or(0.0) + 1.0).into();
    }
}

/// The admin app: who is signed in, and a switch only they see.
#[numerous::app(template = "admin.html", pages = "admin_pages")]
#[derive(Debug)]
pub struct AdminApp {
    #[widget(content = "")]
    pub who: Markdown,
    #[widget(label = "Maintenance mode")]
    pub maintenance: Toggle,
}

#[numerous::handlers]
impl AdminApp {
    #[on_start]
    fn hello(&mut self, ctx: &Session) {
        if let Some(user) = ctx.user() {
            self.who.content = format!("Signed in as **{}**.", user.username);
        }
    }
}

/// Files every app may use, at `/shared-static/`.
#[derive(Debug, numerous::rust_embed::Embed)]
#[folder = "static/"]
#[crate_path = "numerous::rust_embed"]
pub struct Shared;

/// The server: the public app, the admin app behind `admin_auth`.
pub fn server(admin_auth: Auth) -> Server {
    Server::new()
        .title("Acme apps")
        .theme_css(include_str!("../static/theme.css"))
        .shared_static(Shared::get)
        .app::<PublicApp>("/public", Options::default().open_to_all())
        .app::<AdminApp>(
            "/admin",
            Options::default().auth(admin_auth.require_admin()),
        )
        .root_redirect("/public")
}
