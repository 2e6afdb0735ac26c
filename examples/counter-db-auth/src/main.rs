//! The members' counter, with users in a database: a SQLite file `numerous-auth.db` by default,
//! PostgreSQL when `DATABASE_URL` says so. Create the first user from the command line:
//!
//! ```text
//! cargo run -p example-counter-db-auth -- create-user admin --admin
//! cargo run -p example-counter-db-auth
//! ```

use example_counter_auth::CounterAuth;
use numerous::auth::{Auth, DbProvider};

fn main() {
    let provider = DbProvider::from_env().unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1);
    });
    numerous::run_with::<CounterAuth>(|o| o.auth(Auth::new(provider)));
}
