//! A counter for signed-in users; the users come from `NUMEROUS_AUTH_USERS`.
//!
//! Run with: see the README's "Authentication" section.

use example_counter_auth::CounterAuth;
use numerous::auth::Auth;

fn main() {
    let auth = Auth::from_env().unwrap_or_else(|e| {
        eprintln!(
            "error: {e}\nset NUMEROUS_AUTH_USERS, e.g. \
             '[{{\"username\":\"ann\",\"password\":\"ann-password\",\"roles\":[\"editor\"]}}]'"
        );
        std::process::exit(1);
    });
    numerous::run_with::<CounterAuth>(|o| o.auth(auth));
}
