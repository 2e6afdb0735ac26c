//! Run with: `cargo run -p example-auth-notify`, open <http://127.0.0.1:8000> in two windows,
//! register in one. Users go to `auth-notify.db` (SQLite) unless `DATABASE_URL` says otherwise.

use example_auth_notify::{Welcome, options};
use numerous::auth::DbProvider;

fn main() {
    let url =
        std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://auth-notify.db?mode=rwc".into());
    let provider = DbProvider::new(&url).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1);
    });
    numerous::run_with::<Welcome>(|o| options(o, provider));
}
