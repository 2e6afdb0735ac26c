//! Run with: `cargo run -p example-protected-news`, open <http://127.0.0.1:8000> and sign in as
//! `mark` / `mark-password` (or `luke` / `luke-password`).

use example_protected_news::{News, options, users};

fn main() {
    let users = users().unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1);
    });
    numerous::run_with::<News>(|o| options(o, users, |a| a));
}
