//! The files of a new project.

/// How the new app signs users in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    None,
    Env,
    Database,
}

/// Every file of the project: path, text.
pub fn project(
    name: &str,
    numerous: &str,
    auth: Auth,
    restyled: bool,
) -> Vec<(&'static str, String)> {
    let module = name.replace('-', "_");
    let db = if auth == Auth::Database {
        ", features = [\"db\"]"
    } else {
        ""
    };
    let numerous_dep = if let Some(inner) = numerous.strip_prefix('{') {
        format!("{{{}{db} }}", inner.trim_end_matches('}').trim_end())
    } else if db.is_empty() {
        numerous.to_owned()
    } else {
        format!("{{ version = {numerous}{db} }}")
    };
    let tokio_dep = if auth == Auth::Database {
        "tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\n"
    } else {
        ""
    };
    let cargo = format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
numerous = {numerous_dep}
{tokio_dep}
[dev-dependencies]
tokio = {{ version = "1", features = ["macros", "rt-multi-thread"] }}
"#
    );
    vec![
        ("Cargo.toml", cargo),
        (
            "src/main.rs",
            main_rs(auth, restyled).replace("app_lib", &module),
        ),
        ("src/lib.rs", lib_rs(auth)),
        ("templates/index.html", INDEX.to_owned()),
        ("static/README.md", STATIC_README.to_owned()),
        (".gitignore", "/target\n*.db\n*.db-*\n".to_owned()),
        ("README.md", readme(name, auth)),
        ("tests/app.rs", test_rs(&module, auth)),
    ]
}

fn lib_rs(auth: Auth) -> String {
    let greet = if auth == Auth::None {
        ""
    } else {
        r#"
    /// Greets the signed-in user.
    #[on_start]
    fn greet(&mut self, ctx: &Session) {
        if let Some(user) = ctx.user() {
            self.greeting.content = format!("Signed in as **{}**.", user.username);
        }
    }
"#
    };
    format!(
        r#"//! The app: one struct of widgets, its handlers, and `templates/index.html` placing them.

use numerous::prelude::*;

/// One browser tab's session.
#[numerous::app(template = "index.html")]
#[derive(Debug)]
pub struct App {{
    #[widget(content = "Hello from numerous.")]
    pub greeting: Markdown,
    #[widget(label = "Count")]
    pub count: Number,
    #[widget(label = "Add one", variant = "primary")]
    pub add: Button,
}}

#[numerous::handlers]
impl App {{{greet}
    #[on_click(add)]
    fn add(&mut self) {{
        self.count.value += 1.0;
    }}
}}
"#
    )
}

/// The app's own files, embedded: put after the `use` lines of every `main.rs`.
const STATIC_FILES: &str = r#"
/// The app's own files (`static/`), embedded in the binary and served at `/static/..`.
#[derive(numerous::rust_embed::Embed)]
#[folder = "static/"]
#[crate_path = "numerous::rust_embed"]
struct Static;
"#;

fn main_rs(auth: Auth, restyled: bool) -> String {
    // With the exported stylesheet (`--export-templates`), the page links it after numerous's.
    let options = if restyled {
        ".static_files(Static::get).stylesheet(\"static/numerous.css\")"
    } else {
        ".static_files(Static::get)"
    };
    let main = match auth {
        Auth::None => r#"use app_lib::App;

fn main() {
    numerous::run_with::<App>(|o| oOPTIONS);
}
"#
        .to_owned(),
        Auth::Env => r#"use app_lib::App;
use numerous::auth::Auth;

fn main() {
    // Users from NUMEROUS_AUTH_USERS (see the README); the signing secret from NUMEROUS_JWT_SECRET.
    let auth = Auth::from_env().unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1);
    });
    numerous::run_with::<App>(|o| o.auth(auth)OPTIONS);
}
"#
        .to_owned(),
        Auth::Database => r#"use std::sync::Arc;

use app_lib::App;
use numerous::auth::{Auth, AuthProvider, DbProvider, NewUser};

#[tokio::main]
async fn main() {
    let cli = numerous::Cli::parse_args();
    numerous::init_tracing();
    if let Err(e) = serve(cli).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn serve(cli: numerous::Cli) -> Result<(), Box<dyn std::error::Error>> {
    // Users in DATABASE_URL, or a SQLite file beside the app.
    let users = Arc::new(DbProvider::from_env()?);
    let provider: Arc<dyn AuthProvider> = users.clone();
    if cli.command.is_none() {
        first_admin(&users).await?;
    }
    let options = cli.options().auth(Auth::with_provider(provider))OPTIONS;
    match &cli.command {
        Some(_) => cli.run_command(options).await?,
        None => cli.serve::<App>(options).await?,
    }
    Ok(())
}

/// With no user yet: an `admin` whose password comes from NUMEROUS_ADMIN_PASSWORD, or, in a
/// debug build only, a random one shown once. A release build never makes up a password.
async fn first_admin(users: &DbProvider) -> Result<(), Box<dyn std::error::Error>> {
    users.init().await?;
    if !users.list_users().await?.is_empty() {
        return Ok(());
    }
    let password = match std::env::var("NUMEROUS_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) if cfg!(debug_assertions) => {
            let p = numerous::auth::random_password();
            eprintln!("created the first user: admin / {p} (shown once; change it with `set-password admin`)");
            p
        }
        Err(_) => {
            eprintln!("no user yet: create one with `create-user admin --admin`, or set NUMEROUS_ADMIN_PASSWORD");
            return Ok(());
        }
    };
    users.create_user(NewUser::new("admin", password).admin(true)).await?;
    Ok(())
}
"#
        .to_owned(),
    };
    // The embedded folder goes after the last `use` line.
    let last_use = main.rfind("\nuse ").map_or(0, |i| i + 1);
    let uses_end = main[last_use..].find('\n').map_or(0, |i| last_use + i + 1);
    let (uses, rest) = main.split_at(uses_end);
    format!("{uses}{STATIC_FILES}{rest}").replace("OPTIONS", options)
}

const INDEX: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>My app</title>
</head>
<body class="numerous-app">
  <main class="numerous-page">
    <h1>My app</h1>
    <section class="numerous-card">
      {{ greeting }}
      <div class="numerous-row">{{ count }} {{ add }}</div>
    </section>
  </main>
</body>
</html>
"#;

const STATIC_README: &str = "The app's own files (a logo, a stylesheet): embedded in the binary \
(`Static` in src/main.rs) and served at `/static/<name>`; name them from the template \
relative to the page (`<img src=\"static/logo.svg\" alt=\"..\">`). This file is served too.\n";

fn readme(name: &str, auth: Auth) -> String {
    let run = match auth {
        Auth::None => "cargo run".to_owned(),
        Auth::Env => "NUMEROUS_AUTH_USERS='[{\"username\":\"admin\",\"password\":\"change-me-please\",\"is_admin\":true}]' \\\n  NUMEROUS_JWT_SECRET=$(openssl rand -hex 32) cargo run".to_owned(),
        Auth::Database => "cargo run".to_owned(),
    };
    // One comment per line: the first run of a database app says more.
    let first_run = match auth {
        Auth::Database => {
            "\n# a debug build's first run creates `admin` with a random password and shows it once"
        }
        _ => "",
    };
    let more = match auth {
        Auth::None => String::new(),
        Auth::Env => "\nSign in with the users of `NUMEROUS_AUTH_USERS`.\n".to_owned(),
        Auth::Database => "\nUsers live in `numerous-auth.db` (or `DATABASE_URL`). Manage them with the app's own \
commands: `cargo run -- create-user NAME [--admin]`, `list-users`, `set-password NAME`, `deactivate NAME`. \
A release build never makes up a password: set `NUMEROUS_ADMIN_PASSWORD` for the first admin, or use \
`create-user`.\n".to_owned(),
    };
    format!(
        "# {name}\n\nA numerous app.\n\n```sh\n{run}    # open http://127.0.0.1:8000{first_run}\ncargo test\n```\n{more}\n\
`src/lib.rs` holds the app (widgets and handlers), `templates/index.html` places the widgets, and \
`tests/app.rs` drives a session in-process. `--help` lists the server's options.\n"
    )
}

fn test_rs(module: &str, auth: Auth) -> String {
    let session = match auth {
        Auth::None => "TestSession::<App>::new()".to_owned(),
        _ => r#"TestSession::<App>::signed_in(User {
        id: "1".into(),
        username: "ann".into(),
        email: None,
        roles: Vec::new(),
        is_admin: false,
        is_active: true,
    })"#
        .to_owned(),
    };
    let greeting = if auth == Auth::None {
        ""
    } else {
        "\n    assert!(tab.app().greeting.content.contains(\"ann\"));"
    };
    let user_use = if auth == Auth::None {
        ""
    } else {
        "use numerous::auth::User;\n"
    };
    format!(
        r#"//! The app's first test: a session in-process, driven by widget.

use {module}::App;
{user_use}use numerous::testing::TestSession;

#[tokio::test]
async fn adding_counts() {{
    let mut tab = {session};
    tab.start().await;{greeting}
    tab.click(|a| &a.add).await;
    tab.click(|a| &a.add).await;
    assert_eq!(tab.app().count.value, 2.0);
}}
"#
    )
}

/// numerous's own internal pages and stylesheet, to restyle (`--export-templates`). `exported/`
/// links to numerous's files in the repository; a package of this crate holds copies.
pub fn exported_pages() -> Vec<(&'static str, String)> {
    vec![
        (
            "templates/numerous/login.html",
            include_str!("../exported/login.html").to_owned(),
        ),
        (
            "templates/numerous/forbidden.html",
            include_str!("../exported/forbidden.html").to_owned(),
        ),
        (
            "templates/numerous/splash.html",
            include_str!("../exported/splash.html").to_owned(),
        ),
        (
            "templates/numerous/error-modal.html",
            include_str!("../exported/error-modal.html").to_owned(),
        ),
        (
            "templates/numerous/session-banner.html",
            include_str!("../exported/session-banner.html").to_owned(),
        ),
        (
            "static/numerous.css",
            include_str!("../exported/numerous.css").to_owned(),
        ),
    ]
}
