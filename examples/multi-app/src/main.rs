//! Run with (an administrator from the environment):
//!
//! ```sh
//! NUMEROUS_AUTH_USERS='[{"username":"admin","password":"admin-password","is_admin":true}]' \
//!   cargo run -p example-multi-app
//! ```
//!
//! Then open <http://127.0.0.1:8000/public/> and <http://127.0.0.1:8000/admin/>.

use numerous::auth::Auth;

#[tokio::main]
async fn main() {
    numerous::init_tracing();
    let cli = numerous::Cli::parse_args();
    let result = async {
        let auth = Auth::from_env()?;
        let addr = format!("{}:{}", cli.host, cli.port);
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|e| numerous::Error::Bind(addr, e))?;
        example_multi_app::server(auth).serve(listener).await
    }
    .await;
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
