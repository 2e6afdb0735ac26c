//! The data of the pages sign-in shows: the login (and registration) page and the page for a
//! signed-in user an app is not for. Rendering them in answer to a request is `routes.rs`'s; an
//! app's own versions (`templates/numerous/login.html`, `forbidden.html`) take these too.

use askama::Template;

/// What the page shown to a signed-in user the app is not for holds
/// (`templates/numerous/forbidden.html` replaces it).
#[derive(Debug, Template)]
#[template(path = "forbidden.html")]
pub struct ForbiddenPage<'a> {
    /// Who is signed in.
    pub username: &'a str,
    /// Whom the app is for: `administrators`, `` `editor` ``.
    pub requirement: &'a str,
    /// Where the sign-out form posts to.
    pub logout: &'a str,
    /// The URL of the client's assets, ending in `/`.
    pub assets: &'a str,
}

/// What a login page holds ([`Auth::login_page`](super::Auth::login_page)). Every field is
/// text to escape (askama does).
#[derive(Debug, Template)]
#[template(path = "login.html")]
pub struct LoginPage<'a> {
    /// The page's heading.
    pub title: &'a str,
    /// Where the form posts to.
    pub action: &'a str,
    /// The hidden `next` field: where to go once signed in (checked again on the server).
    pub next: &'a str,
    /// The hidden `csrf` field: must be posted back.
    pub csrf: &'a str,
    /// Why the last attempt failed.
    pub error: Option<&'a str>,
    /// Why the user is here (the sign-in expired).
    pub notice: Option<&'a str>,
    /// The name last tried, to fill in again.
    pub username: &'a str,
    /// The URL of the client's assets, ending in `/` (`numerous.css` is there).
    pub assets: &'a str,
    /// This is the registration form ([`Auth::allow_registration`](super::Auth::allow_registration)):
    /// it asks for an `email` and a `password`, and posts to `action`.
    pub registering: bool,
    /// The other form's page: the registration page from the login page (when registration
    /// is allowed), the login page from the registration page.
    pub other: Option<&'a str>,
}

impl LoginPage<'_> {
    /// The built-in page.
    pub fn render_default(&self) -> String {
        self.render()
            .unwrap_or_else(|e| format!("login page: {}", crate::html::escaped(&e.to_string())))
    }
}
