//! The runtime's own integration tests: one test binary (as cargo's own testsuite), with the
//! apps the network tests serve in `support.rs` and their templates in `numerous/templates/`.
//! Apart, in binaries of their own: `password_jobs.rs` (the password pool is global to the
//! process), `docs.rs` and `layers.rs` (checks of the source, not of the runtime). The examples
//! keep the tests of what they show (their app in a browser, the counter behind nginx in a
//! cluster, faults under load).

mod admin_sessions;
mod api;
mod assets;
mod background;
mod connection;
mod custom_assets;
mod diff;
mod failures;
mod feed;
mod form;
mod recording;
mod redeploy;
mod renamed_keys;
mod sse;
mod store;
mod support;
mod table;
mod uploads;
mod view;
mod websocket;
