//! The errors that stop a server, in one vocabulary for every layer that starts one.

/// Errors that stop a server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address could not be bound.
    #[error("cannot listen on {0}: {1}{hint}", hint = bind_hint(.1))]
    Bind(String, #[source] std::io::Error),
    /// Serving failed.
    #[error("server error: {0}")]
    Serve(#[source] std::io::Error),
    /// Authentication is misconfigured, or its backend cannot be reached.
    #[error("authentication: {0}")]
    Auth(#[from] crate::auth::AuthError),
    /// The session store cannot be reached, or is misconfigured.
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    /// The server is misconfigured (two apps at one prefix, a prefix that is not a path).
    #[error("configuration: {0}")]
    Config(String),
}

fn bind_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            " (another program uses this port: choose another with --port or NUMEROUS_PORT)"
        }
        _ => "",
    }
}
