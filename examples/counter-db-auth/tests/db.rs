//! The database provider against SQLite (a file) and a real PostgreSQL server, the user
//! commands of the app binary, and start-up errors.
//!
//! PostgreSQL: set `NUMEROUS_TEST_POSTGRES_URL` (`.ci/run` starts a server and sets it);
//! `NUMEROUS_REQUIRE_POSTGRES=1` makes its absence a failure.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use example_counter_auth::CounterAuth;
use numerous::Options;
use numerous::auth::{Auth, AuthError, AuthProvider, DbProvider, NewUser, UserChanges};
use serde_json::json;
use testkit::{Tab, login, post_json, try_login};

fn temp_db(name: &str) -> (String, std::path::PathBuf) {
    let path = std::env::temp_dir().join(format!(
        "numerous-{name}-{}-{}.db",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    (format!("sqlite://{}?mode=rwc", path.display()), path)
}

/// Removes a test database file (and SQLite's side files) when the test ends.
struct Cleanup(std::path::PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

/// Everything a provider does, with names made unique by `tag` (a shared server keeps them).
async fn exercise(p: &DbProvider, tag: &str) {
    p.init().await.unwrap();
    let ann = format!("ann-{tag}");
    let created = p
        .create_user(NewUser::new(&ann, "ann-password").roles(["editor", "viewer"]))
        .await
        .unwrap();
    assert_eq!(
        created.roles,
        ["editor", "viewer"],
        "roles are created as given"
    );
    assert!(matches!(
        p.create_user(NewUser::new(&ann, "other-password")).await,
        Err(AuthError::UserExists(_))
    ));
    assert!(matches!(
        p.create_user(NewUser::new(format!("short-{tag}"), "1234567"))
            .await,
        Err(AuthError::Invalid(_))
    ));
    let user = p.authenticate(&ann, "ann-password").await.unwrap();
    assert_eq!(
        (user.id.as_str(), user.roles.len()),
        (created.id.as_str(), 2)
    );
    assert!(matches!(
        p.authenticate(&ann, "wrong-password").await,
        Err(AuthError::InvalidCredentials)
    ));
    assert!(matches!(
        p.authenticate(&format!("nobody-{tag}"), "ann-password")
            .await,
        Err(AuthError::InvalidCredentials)
    ));
    assert_eq!(p.user(&created.id).await.unwrap().unwrap().username, ann);
    assert!(
        p.list_users()
            .await
            .unwrap()
            .iter()
            .any(|u| u.username == ann)
    );

    p.set_password(&ann, "new-password").await.unwrap();
    assert!(p.authenticate(&ann, "ann-password").await.is_err());
    p.authenticate(&ann, "new-password").await.unwrap();
    p.set_active(&ann, false).await.unwrap();
    assert!(matches!(
        p.authenticate(&ann, "new-password").await,
        Err(AuthError::Inactive)
    ));
    assert!(matches!(
        p.set_active(&format!("nobody-{tag}"), false).await,
        Err(AuthError::UserNotFound(_))
    ));

    // Refresh tokens: used once; a second use is reported; revoked families are gone.
    use numerous::auth::{RefreshRecord, RefreshUse};
    let now = 1_900_000_000;
    for (id, family) in [("t1", "f1"), ("t2", "f1"), ("t3", "f2")] {
        p.store_refresh(RefreshRecord {
            id: format!("{id}-{tag}"),
            family: format!("{family}-{tag}"),
            user_id: created.id.clone(),
            expires_at: now + 100,
        })
        .await
        .unwrap();
    }
    let t1 = format!("t1-{tag}");
    assert_eq!(
        p.use_refresh(&t1, now).await.unwrap(),
        RefreshUse::Fresh {
            user_id: created.id.clone()
        }
    );
    assert_eq!(
        p.use_refresh(&t1, now + 5).await.unwrap(),
        RefreshUse::Reused { used_at: now }
    );
    p.revoke_family(&format!("f1-{tag}")).await.unwrap();
    assert_eq!(
        p.use_refresh(&format!("t2-{tag}"), now).await.unwrap(),
        RefreshUse::Unknown
    );
    assert_eq!(
        p.use_refresh(&format!("t3-{tag}"), now + 200)
            .await
            .unwrap(),
        RefreshUse::Unknown,
        "expired"
    );
    assert!(matches!(
        p.use_refresh(&format!("t3-{tag}"), now).await.unwrap(),
        RefreshUse::Fresh { .. }
    ));
    // A rotation replaces, it does not accumulate: of a login's used tokens the last is kept
    // (its reuse is caught), the ones before are gone.
    for n in 0..20 {
        p.store_refresh(RefreshRecord {
            id: format!("r{n}-{tag}"),
            family: format!("f4-{tag}"),
            user_id: created.id.clone(),
            expires_at: now + 100,
        })
        .await
        .unwrap();
        assert!(matches!(
            p.use_refresh(&format!("r{n}-{tag}"), now + n)
                .await
                .unwrap(),
            RefreshUse::Fresh { .. }
        ));
    }
    p.store_refresh(RefreshRecord {
        id: format!("r20-{tag}"),
        family: format!("f4-{tag}"),
        user_id: created.id.clone(),
        expires_at: now + 100,
    })
    .await
    .unwrap();
    assert_eq!(
        p.use_refresh(&format!("r19-{tag}"), now + 30)
            .await
            .unwrap(),
        RefreshUse::Reused { used_at: now + 19 }
    );
    assert_eq!(
        p.use_refresh(&format!("r18-{tag}"), now + 30)
            .await
            .unwrap(),
        RefreshUse::Unknown
    );
    // A NUL in a name is nobody (not a database error), and no user can be made with one.
    assert!(matches!(
        p.authenticate("ann\0", "whatever-password").await,
        Err(AuthError::InvalidCredentials)
    ));
    assert!(matches!(
        p.create_user(NewUser::new("nul\0name", "a good password"))
            .await,
        Err(AuthError::Invalid(_))
    ));

    // Administration: a user looked up by name, changed, deleted (with their refresh tokens).
    let eve = format!("eve-{tag}");
    p.create_user(NewUser::new(&eve, "eve-password").roles(["viewer"]))
        .await
        .unwrap();
    let found = p.user_by_name(&eve).await.unwrap().unwrap();
    assert_eq!(
        (found.roles.as_slice(), found.is_admin),
        (&["viewer".to_owned()][..], false)
    );
    assert!(
        p.user_by_name(&format!("nobody-{tag}"))
            .await
            .unwrap()
            .is_none()
    );
    let changed = p
        .update_user(
            &eve,
            UserChanges::new()
                .email(Some(format!("eve-{tag}@example.com")))
                .admin(true)
                .roles(["auditor", "editor"]),
        )
        .await
        .unwrap();
    assert_eq!(changed.email, Some(format!("eve-{tag}@example.com")));
    assert!(changed.is_admin);
    assert_eq!(changed.roles, ["auditor", "editor"]);
    // Only what is set changes; an email another user has is refused, and changes nothing.
    let again = p
        .update_user(&eve, UserChanges::new().roles(Vec::<String>::new()))
        .await
        .unwrap();
    assert_eq!((again.roles.len(), again.is_admin), (0, true));
    assert!(again.email.is_some());
    p.update_user(
        &ann,
        UserChanges::new().email(Some(format!("ann-{tag}@example.com"))),
    )
    .await
    .unwrap();
    assert!(matches!(
        p.update_user(
            &eve,
            UserChanges::new().email(Some(format!("ann-{tag}@example.com")))
        )
        .await,
        Err(AuthError::EmailTaken(_))
    ));
    assert_eq!(
        p.user_by_name(&eve).await.unwrap().unwrap().email,
        Some(format!("eve-{tag}@example.com"))
    );
    assert!(matches!(
        p.update_user(&format!("nobody-{tag}"), UserChanges::new().admin(true))
            .await,
        Err(AuthError::UserNotFound(_))
    ));
    p.delete_user(&eve).await.unwrap();
    assert!(p.user_by_name(&eve).await.unwrap().is_none());
    assert!(matches!(
        p.authenticate(&eve, "eve-password").await,
        Err(AuthError::InvalidCredentials)
    ));
    assert!(matches!(
        p.delete_user(&eve).await,
        Err(AuthError::UserNotFound(_))
    ));
}

#[tokio::test]
async fn the_database_provider_works_on_sqlite() {
    let (url, path) = temp_db("provider");
    let _cleanup = Cleanup(path);
    let p = DbProvider::new(&url).unwrap();
    exercise(&p, "sqlite").await;
    // Migrations run once: a second provider on the same file finds the tables.
    let again = DbProvider::new(&url).unwrap();
    again.init().await.unwrap();
    assert_eq!(again.list_users().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_database_provider_works_on_postgresql() {
    let Some(url) = testkit::postgres_url() else {
        return;
    };
    let p = DbProvider::new(&url).unwrap();
    let tag = format!(
        "{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    exercise(&p, &tag).await;
    // Signing in over HTTP against PostgreSQL, with a refresh.
    p.create_user(NewUser::new(format!("web-{tag}"), "web-password"))
        .await
        .unwrap();
    let auth = Auth::with_provider(Arc::new(p)).secret("a test secret of thirty-two bytes or more");
    let addr = testkit::serve::<CounterAuth>(Options::default().auth(auth)).await;
    let web = login(addr, "", &format!("web-{tag}"), "web-password").await;
    assert_eq!(
        post_json(addr, "/api/auth/refresh", &web.cookie(), "")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_deactivated_user_loses_access_at_the_next_refresh() {
    let (url, path) = temp_db("deactivate");
    let _cleanup = Cleanup(path);
    let p = Arc::new(DbProvider::new(&url).unwrap());
    p.init().await.unwrap();
    p.create_user(NewUser::new("carl", "carl-password"))
        .await
        .unwrap();
    let auth = Auth::with_provider(p.clone()).secret("a test secret of thirty-two bytes or more");
    let addr = testkit::serve::<CounterAuth>(Options::default().auth(auth)).await;
    let carl = login(addr, "", "carl", "carl-password").await;
    let mut tab = Tab::open_at(addr, "/ws", None, &[("cookie", &carl.cookie())]).await;
    p.set_active("carl", false).await.unwrap();
    let r = post_json(addr, "/api/auth/refresh", &carl.cookie(), "").await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(
        try_login(addr, "", "carl", "carl-password").await.status,
        403
    );
    // The socket stays until its access token would expire: at most 15 minutes (documented).
    tab.click("increment").await;
    tab.recv().await;
}

fn app() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_example-counter-db-auth"));
    c.env_remove("NUMEROUS_AUTH_USERS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs the app binary with `args`, `stdin` as its input; (success, stdout, stderr).
fn run(url: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = app().env("DATABASE_URL", url).args(args).spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn users_are_managed_from_the_apps_command_line() {
    let (url, path) = temp_db("cli");
    let _cleanup = Cleanup(path);
    let (ok, out, err) = run(
        &url,
        &["create-user", "admin", "--admin"],
        "admin-password\n",
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("created user `admin`"), "{out}");
    let (ok, _, err) = run(
        &url,
        &["create-user", "ann", "--role", "editor", "--role", "viewer"],
        "ann-password\n",
    );
    assert!(ok, "{err}");
    let (ok, _, err) = run(&url, &["create-user", "ann"], "other-password\n");
    assert!(!ok);
    assert!(err.contains("a user named `ann` exists"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let (ok, _, err) = run(&url, &["create-user", "bob"], "short\n");
    assert!(!ok && err.contains("at least 8 characters"), "{err}");
    let (ok, out, _) = run(&url, &["list-users"], "");
    assert!(ok);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[1].starts_with("admin") && lines[1].contains("yes"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("ann") && lines[2].ends_with("editor,viewer"),
        "{out}"
    );
    assert!(!out.contains("password"), "no hashes shown: {out}");
    let (ok, _, err) = run(&url, &["set-password", "ann"], "brand-new-password\n");
    assert!(ok, "{err}");
    let (ok, _, err) = run(&url, &["deactivate", "admin"], "");
    assert!(ok, "{err}");
    let (ok, _, err) = run(&url, &["deactivate", "nobody"], "");
    assert!(!ok && err.contains("no user named `nobody`"), "{err}");
    // Looked up, changed and deleted from the command line.
    let (ok, _, err) = run(
        &url,
        &["create-user", "zed", "--role", "viewer"],
        "zed-password\n",
    );
    assert!(ok, "{err}");
    let (ok, out, err) = run(
        &url,
        &[
            "update-user",
            "zed",
            "--email",
            "zed@example.com",
            "--admin",
            "--role",
            "editor",
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("email:    zed@example.com") && out.contains("admin:    yes"),
        "{out}"
    );
    assert!(out.contains("roles:    editor"), "{out}");
    let (ok, out, _) = run(&url, &["show-user", "zed"], "");
    assert!(
        ok && out.contains("username: zed") && out.contains("roles:    editor"),
        "{out}"
    );
    let (ok, _, err) = run(&url, &["update-user", "zed"], "");
    assert!(!ok && err.contains("nothing to change"), "{err}");
    let (ok, out, err) = run(&url, &["delete-user", "zed"], "");
    assert!(ok && out.contains("deleted `zed`"), "{out}{err}");
    let (ok, _, err) = run(&url, &["show-user", "zed"], "");
    assert!(!ok && err.contains("no user named `zed`"), "{err}");

    // What the commands did, as the served app sees it.
    let p = DbProvider::new(&url).unwrap();
    let auth = Auth::new(p).secret("a test secret of thirty-two bytes or more");
    let addr = testkit::serve::<CounterAuth>(Options::default().auth(auth)).await;
    assert_eq!(try_login(addr, "", "ann", "ann-password").await.status, 401);
    let ann = login(addr, "", "ann", "brand-new-password").await;
    assert_eq!(
        ann.body["user"]["roles"],
        serde_json::json!(["editor", "viewer"])
    );
    assert_eq!(
        try_login(addr, "", "admin", "admin-password").await.status,
        403
    );
}

#[test]
fn an_unreachable_database_stops_the_start_with_a_clear_message() {
    let mut child = app()
        .env(
            "DATABASE_URL",
            "postgres://numerous:secret-pw@127.0.0.1:1/nothing",
        )
        .args(["--port", "0"])
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the app should stop on its own"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "the auth database at `postgres://numerous:***@127.0.0.1:1/nothing` cannot be used"
        ),
        "{err}"
    );
    assert!(
        !err.contains("secret-pw"),
        "the password is never shown: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// numerous-apps' schema (its SQLAlchemy models, `numerous-apps-spec.md` §10.4), in SQL both
/// SQLite and PostgreSQL take.
const NUMEROUS_APPS_SCHEMA: &[&str] = &[
    "CREATE TABLE users (id VARCHAR(36) PRIMARY KEY, username VARCHAR(255) NOT NULL UNIQUE, \
     email VARCHAR(255) UNIQUE, password_hash VARCHAR(255) NOT NULL, is_admin BOOLEAN DEFAULT FALSE, \
     is_active BOOLEAN DEFAULT TRUE, created_at TIMESTAMP, updated_at TIMESTAMP)",
    "CREATE TABLE roles (id VARCHAR(36) PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE, description VARCHAR(500))",
    "CREATE TABLE user_roles (user_id VARCHAR(36) REFERENCES users(id) ON DELETE CASCADE, \
     role_id VARCHAR(36) REFERENCES roles(id) ON DELETE CASCADE, PRIMARY KEY (user_id, role_id))",
];

/// A numerous-apps database as it makes one: users with bcrypt passwords (its `bcrypt.hashpw`,
/// at a low cost to keep the test quick; the cost is in the hash), roles, memberships.
async fn numerous_apps_database(url: &str, taken: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    for sql in NUMEROUS_APPS_SCHEMA {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    let hash = |p: &str| bcrypt::hash(p, 4).unwrap();
    for (id, name, email, password, admin, active) in [
        (
            "11111111-1111-1111-1111-111111111111",
            "ann",
            Some("ann@example.com"),
            "ann-password",
            true,
            true,
        ),
        (
            "22222222-2222-2222-2222-222222222222",
            "bob",
            None,
            "bob-password",
            false,
            false,
        ),
        (
            "33333333-3333-3333-3333-333333333333",
            taken,
            None,
            "some-password",
            false,
            true,
        ),
    ] {
        sqlx::query(
            "INSERT INTO users (id, username, email, password_hash, is_admin, is_active) \
             VALUES ($1, $2, $3, $4, $5 = 1, $6 = 1)",
        )
        .bind(id)
        .bind(name)
        .bind(email)
        .bind(hash(password))
        .bind(i64::from(admin))
        .bind(i64::from(active))
        .execute(&pool)
        .await
        .unwrap();
    }
    for (id, name) in [("r1", "editor"), ("r2", "viewer")] {
        sqlx::query("INSERT INTO roles (id, name) VALUES ($1, $2)")
            .bind(id)
            .bind(name)
            .execute(&pool)
            .await
            .unwrap();
    }
    for role in ["r1", "r2"] {
        sqlx::query("INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)")
            .bind("11111111-1111-1111-1111-111111111111")
            .bind(role)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
}

/// What an import must give, on either database: ann signs in with her numerous-apps password
/// (her hash then argon2), with her id, email, admin flag and roles; bob stays inactive; a
/// name taken here is skipped; a second import adds nobody.
async fn check_import(p: &DbProvider, report: numerous::auth::ImportReport, taken: &str) {
    assert_eq!(report.imported, ["ann", "bob"], "{report:?}");
    assert_eq!(report.skipped, [taken], "{report:?}");
    let ann = p.authenticate("ann", "ann-password").await.unwrap();
    assert_eq!(ann.id, "11111111-1111-1111-1111-111111111111");
    assert_eq!(ann.email.as_deref(), Some("ann@example.com"));
    assert!(ann.is_admin);
    assert_eq!(ann.roles, ["editor", "viewer"]);
    assert!(matches!(
        p.authenticate("ann", "wrong-password").await,
        Err(AuthError::InvalidCredentials)
    ));
    // The bcrypt hash is gone: argon2 now, and the password still works.
    let pool = p.pool().await.unwrap();
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM numerous_users WHERE username = $1")
            .bind("ann")
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(p.authenticate("ann", "ann-password").await.is_ok());
    assert!(matches!(
        p.authenticate("bob", "bob-password").await,
        Err(AuthError::Inactive)
    ));
}

#[tokio::test]
async fn users_of_a_numerous_apps_database_are_imported_with_their_passwords() {
    let (url, path) = temp_db("import-to");
    let _cleanup = Cleanup(path);
    let (from, from_path) = temp_db("import-from");
    let _cleanup_from = Cleanup(from_path);
    numerous_apps_database(&from, "carol").await;
    // `carol` is here already: skipped, her password here untouched.
    let (ok, _, err) = run(&url, &["create-user", "carol"], "carol-password\n");
    assert!(ok, "{err}");
    // From the app binary's command line, as an operator moving over would.
    let (ok, out, err) = run(&url, &["import-users", "--from", &from], "");
    assert!(ok, "{out}{err}");
    assert!(out.contains("2 users imported, 1 skipped"), "{out}");
    assert!(out.contains("skipped `carol`"), "{out}");
    let p = DbProvider::new(&url).unwrap();
    let report = numerous::auth::ImportReport {
        imported: vec!["ann".into(), "bob".into()],
        skipped: vec!["carol".into()],
    };
    check_import(&p, report, "carol").await;
    assert!(p.authenticate("carol", "carol-password").await.is_ok());
    // Again: nobody twice.
    let again = p.import_numerous_apps(&from).await.unwrap();
    assert!(again.imported.is_empty(), "{again:?}");
}

#[tokio::test]
async fn users_of_a_numerous_apps_postgresql_database_are_imported() {
    let Some(url) = testkit::postgres_url() else {
        return;
    };
    // numerous-apps' tables in a schema of their own (its names are `users`, `roles`..), and
    // numerous's in SQLite: the import reads one database and writes the other.
    let schema = format!("napps_{}", std::process::id());
    sqlx::any::install_default_drivers();
    let admin = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    let from = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    numerous_apps_database(&from, "dave").await;
    let (to, path) = temp_db("import-pg");
    let _cleanup = Cleanup(path);
    let p = DbProvider::new(&to).unwrap();
    p.create_user(NewUser::new("dave", "dave-password"))
        .await
        .unwrap();
    let report = p.import_numerous_apps(&from).await.unwrap();
    check_import(&p, report, "dave").await;
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await
        .unwrap();
}

/// The database at `url` with two users: `root` (an administrator) and `ann`.
async fn root_and_ann(url: &str) -> DbProvider {
    let p = DbProvider::new(url).unwrap();
    p.init().await.unwrap();
    p.create_user(NewUser::new("root", "root-password").admin(true))
        .await
        .unwrap();
    p.create_user(NewUser::new("ann", "ann-password"))
        .await
        .unwrap();
    p
}

/// A request with a method, a `Cookie`, a content type and a body (and any extra header lines).
async fn send(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    cookie: &str,
    content_type: &str,
    body: &str,
    extra: &str,
) -> testkit::Response {
    testkit::http(
        addr,
        &format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: {content_type}\r\nContent-Length: {}{extra}",
            body.len()
        ),
        body.as_bytes(),
    )
    .await
}

/// The administrators' user routes: each needs an administrator, changes come as JSON from
/// the app's own origin, errors have the one shape, answers carry no hash, and the OpenAPI
/// document lists them.
#[tokio::test]
async fn administrators_manage_users_over_http() {
    let (url, path) = temp_db("admin-routes");
    let _cleanup = Cleanup(path);
    let p = root_and_ann(&url).await;
    let auth = Auth::new(p).secret("a test secret of thirty-two bytes or more");
    // A second instance sharing the database and a broker (across processes: `RedisBroker`).
    let broker: Arc<dyn numerous::Broker> = Arc::new(numerous::LocalBroker::default());
    let addr =
        testkit::serve::<CounterAuth>(Options::default().auth(auth).broker(broker.clone())).await;
    let other = Auth::new(DbProvider::new(&url).unwrap())
        .secret("a test secret of thirty-two bytes or more");
    let addr_b = testkit::serve::<CounterAuth>(Options::default().auth(other).broker(broker)).await;
    let root = login(addr, "", "root", "root-password").await.cookie();
    let ann = login(addr, "", "ann", "ann-password").await.cookie();
    let json = "application/json";
    let code = |r: &testkit::Response| -> String {
        serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["error"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    // Who may: an administrator; not a user (403), not a stranger (401).
    let list = testkit::get_with_cookie(addr, "/api/admin/users", &root, "").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let users: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    assert_eq!(users.as_array().unwrap().len(), 2);
    assert!(!list.body.contains("argon2"), "no hash: {}", list.body);
    let r = testkit::get_with_cookie(addr, "/api/admin/users", &ann, "").await;
    assert_eq!((r.status, code(&r)), (403, "forbidden".to_owned()));
    let r = testkit::get_with_cookie(addr, "/api/admin/users", "", "").await;
    assert_eq!(r.status, 401);

    // Create: JSON only, from this origin; a name that exists is a conflict.
    let zoe = r#"{"username": "zoe", "password": "zoe-password", "roles": ["viewer"]}"#;
    let r = send(
        addr,
        "POST",
        "/api/admin/users",
        &root,
        "text/plain",
        zoe,
        "",
    )
    .await;
    assert_eq!(r.status, 415, "{}", r.body);
    let r = send(
        addr,
        "POST",
        "/api/admin/users",
        &root,
        json,
        zoe,
        "\r\nOrigin: http://evil.example",
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let r = send(addr, "POST", "/api/admin/users", &ann, json, zoe, "").await;
    assert_eq!(r.status, 403);
    let r = send(addr, "POST", "/api/admin/users", &root, json, zoe, "").await;
    assert_eq!(r.status, 201, "{}", r.body);
    let made: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        (made["username"].clone(), made["roles"].clone()),
        (json!("zoe"), json!(["viewer"]))
    );
    let r = send(addr, "POST", "/api/admin/users", &root, json, zoe, "").await;
    assert_eq!((r.status, code(&r)), (409, "exists".to_owned()));
    let short = r#"{"username": "yan", "password": "short"}"#;
    let r = send(addr, "POST", "/api/admin/users", &root, json, short, "").await;
    assert_eq!((r.status, code(&r)), (400, "invalid-input".to_owned()));

    // Change only what is given; `null` removes the email; nothing to change is refused.
    let r = send(
        addr,
        "PATCH",
        "/api/admin/users/zoe",
        &root,
        json,
        r#"{"email": "zoe@example.com", "is_admin": true}"#,
        "",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let changed: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(changed["email"], "zoe@example.com");
    assert_eq!(
        (changed["is_admin"].clone(), changed["roles"].clone()),
        (json!(true), json!(["viewer"]))
    );
    // An email another user has: a conflict, and nothing changes.
    let r = send(
        addr,
        "PATCH",
        "/api/admin/users/ann",
        &root,
        json,
        r#"{"email": "zoe@example.com"}"#,
        "",
    )
    .await;
    assert_eq!((r.status, code(&r)), (409, "exists".to_owned()));
    let r = send(
        addr,
        "PATCH",
        "/api/admin/users/zoe",
        &root,
        json,
        r#"{"email": null, "roles": []}"#,
        "",
    )
    .await;
    let changed: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        (changed["email"].clone(), changed["roles"].clone()),
        (json!(null), json!([]))
    );
    let r = send(addr, "PATCH", "/api/admin/users/zoe", &root, json, "{}", "").await;
    assert_eq!((r.status, code(&r)), (400, "invalid-input".to_owned()));
    let r = send(
        addr,
        "PATCH",
        "/api/admin/users/zoe",
        &root,
        json,
        r#"{"password": "x"}"#,
        "",
    )
    .await;
    assert_eq!(r.status, 422, "an unknown field: {}", r.body);
    let r = send(
        addr,
        "PATCH",
        "/api/admin/users/nobody",
        &root,
        json,
        r#"{"is_admin": true}"#,
        "",
    )
    .await;
    assert_eq!((r.status, code(&r)), (404, "not-found".to_owned()));
    let r = testkit::get_with_cookie(addr, "/api/admin/users/zoe", &root, "").await;
    assert!(r.body.contains(r#""is_admin":true"#), "{}", r.body);

    // An administrator who is demoted loses the routes at once, whatever their token says;
    // nobody takes their own admin flag.
    let r = send(
        addr,
        "PATCH",
        "/api/admin/users/root",
        &root,
        json,
        r#"{"is_admin": false}"#,
        "",
    )
    .await;
    assert_eq!((r.status, code(&r)), (400, "invalid-input".to_owned()));
    let zoe_cookie = login(addr, "", "zoe", "zoe-password").await.cookie();
    assert_eq!(
        testkit::get_with_cookie(addr, "/api/admin/users", &zoe_cookie, "")
            .await
            .status,
        200
    );
    let r = send(
        addr,
        "PATCH",
        "/api/admin/users/zoe",
        &root,
        json,
        r#"{"is_admin": false}"#,
        "",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = testkit::get_with_cookie(addr, "/api/admin/users", &zoe_cookie, "").await;
    assert_eq!((r.status, code(&r)), (403, "forbidden".to_owned()));

    // Delete: another user (then gone), not yourself. Signed in with a tab open on each
    // instance, zoe loses both at once: the tabs are closed (4401), her access token stops
    // working on both instances, and so does her refresh token.
    let zoe_login = login(addr, "", "zoe", "zoe-password").await;
    let zoe = zoe_login.cookie();
    let mut zoe_tabs = Vec::new();
    for at in [addr, addr_b] {
        zoe_tabs.push(Tab::open_at(at, "/ws", None, &[("cookie", zoe.as_str())]).await);
        let me = testkit::get_with_cookie(at, "/api/auth/me", &zoe, "").await;
        assert_eq!(me.status, 200, "{}", me.body);
    }
    let r = send(addr, "DELETE", "/api/admin/users/zoe", &root, json, "", "").await;
    assert_eq!(r.status, 204, "{}", r.body);
    for (tab, at) in zoe_tabs.iter_mut().zip([addr, addr_b]) {
        let (code_closed, _) = tab.closed_within(Duration::from_secs(10)).await;
        assert_eq!(code_closed, 4401);
        let me = testkit::get_with_cookie(at, "/api/auth/me", &zoe, "").await;
        assert_eq!(me.status, 401, "{}", me.body);
    }
    let refreshed = post_json(addr, "/api/auth/refresh", &zoe, "{}").await;
    assert_eq!(refreshed.status, 401, "{}", refreshed.body);
    let r = send(addr, "DELETE", "/api/admin/users/zoe", &root, json, "", "").await;
    assert_eq!((r.status, code(&r)), (404, "not-found".to_owned()));
    let r = send(addr, "DELETE", "/api/admin/users/root", &root, json, "", "").await;
    assert_eq!((r.status, code(&r)), (400, "invalid-input".to_owned()));
    assert_eq!(try_login(addr, "", "zoe", "zoe-password").await.status, 401);

    // The app's OpenAPI document lists them.
    let doc = testkit::get_with_cookie(addr, "/api/openapi.json", &root, "").await;
    let doc: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
    for path in ["/api/admin/users", "/api/admin/users/{username}"] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} is not in the document"
        );
    }
    assert!(doc["paths"]["/api/admin/users/{username}"]["delete"].is_object());

    // An environment's users cannot be changed: 501, in the one shape.
    let users = r#"[{"username": "boss", "password": "boss-password", "is_admin": true}]"#;
    let env = Auth::new(numerous::auth::EnvProvider::from_json(users).unwrap())
        .secret("a test secret of thirty-two bytes or more");
    let addr = testkit::serve::<CounterAuth>(Options::default().auth(env)).await;
    let boss = login(addr, "", "boss", "boss-password").await.cookie();
    let r = send(
        addr,
        "PATCH",
        "/api/admin/users/boss",
        &boss,
        json,
        r#"{"roles": ["viewer"]}"#,
        "",
    )
    .await;
    assert_eq!((r.status, code(&r)), (501, "unsupported".to_owned()));
    let r = testkit::get_with_cookie(addr, "/api/admin/users/boss", &boss, "").await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// `my-app end-session ID --url .. --admin ..`: the app binary signs in as the administrator
/// over HTTP and ends the session at the instance that runs it (the first url here runs none);
/// the session's tab is told and closed. A wrong password or an unknown id fails with a clear
/// message, and the binary never prints the id.
#[tokio::test]
async fn the_app_binary_ends_one_session_of_the_running_app() {
    let (url, path) = temp_db("end-session");
    let _cleanup = Cleanup(path);
    root_and_ann(&url).await;
    let secret = "a test secret of thirty-two bytes or more";
    let elsewhere = testkit::serve::<CounterAuth>(
        Options::default().auth(Auth::new(DbProvider::new(&url).unwrap()).secret(secret)),
    )
    .await;
    let addr = testkit::serve::<CounterAuth>(
        Options::default().auth(Auth::new(DbProvider::new(&url).unwrap()).secret(secret)),
    )
    .await;
    let ann = login(addr, "", "ann", "ann-password").await.cookie();
    let mut tab = Tab::open_at(addr, "/ws", None, &[("cookie", ann.as_str())]).await;
    let id = tab.session.clone();
    let end = |args: Vec<String>, stdin: &'static str| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run(&url, &args, stdin)
        })
    };
    let args = |id: &str, password_ok: bool| -> (Vec<String>, &'static str) {
        (
            vec![
                "end-session".into(),
                id.into(),
                "--url".into(),
                format!("http://{elsewhere}"),
                "--url".into(),
                format!("http://{addr}/"),
                "--admin".into(),
                "root".into(),
            ],
            if password_ok {
                "root-password\n"
            } else {
                "wrong-password\n"
            },
        )
    };
    let (a, stdin) = args(&id, false);
    let (ok, out, err) = end(a, stdin).await.unwrap();
    assert!(
        !ok && err.contains("signing in as `root` failed"),
        "{out}{err}"
    );
    let (a, stdin) = args("no-such-session", true);
    let (ok, out, err) = end(a, stdin).await.unwrap();
    assert!(
        !ok && err.contains("no live session with this id"),
        "{out}{err}"
    );
    let (a, stdin) = args(&id, true);
    let (ok, out, err) = end(a, stdin).await.unwrap();
    assert!(ok, "{out}{err}");
    assert_eq!(out.trim(), format!("ended the session at http://{addr}"));
    assert!(
        !out.contains(&id) && !err.contains(&id),
        "the id is never printed"
    );
    let (code, frames) = tab.closed_within(Duration::from_secs(10)).await;
    assert_eq!(code, 1012, "{frames:?}");
}
