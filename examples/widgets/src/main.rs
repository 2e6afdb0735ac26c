//! A gallery of every built-in widget, each wired to a handler.
//!
//! Run with: `cargo run -p example-widgets` and open <http://127.0.0.1:8000>.

fn main() {
    numerous::run::<example_widgets::Gallery>();
}
