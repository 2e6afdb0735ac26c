//! The chat room. Run with: `cargo run -p example-chat` and open <http://127.0.0.1:8000> in two
//! windows. Messages go to `chat.db` (SQLite) unless `DATABASE_URL` names another database.

use example_chat::{Chat, Store, options};

#[tokio::main]
async fn main() {
    let cli = numerous::Cli::parse_args();
    numerous::init_tracing();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://chat.db?mode=rwc".into());
    let result = match Store::connect(&url).await {
        Ok(store) => cli
            .serve::<Chat>(options(cli.options(), store))
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
