//! Run with: `cargo run -p example-tabs-session`, open <http://127.0.0.1:8000> and sign in as
//! `ada` / `ada-password` (or `alan` / `alan-password`, or users from `NUMEROUS_AUTH_USERS`).

use std::sync::Arc;

use example_tabs_session::{Home, InMemory, SEED_USERS, options};
use numerous::auth::{EnvProvider, USERS_VAR};

fn main() {
    let users = match std::env::var(USERS_VAR) {
        Ok(_) => EnvProvider::from_env(),
        Err(_) => EnvProvider::from_json(SEED_USERS),
    }
    .unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1);
    });
    numerous::run_with::<Home>(|o| options(o, users, Arc::new(InMemory::default())));
}
