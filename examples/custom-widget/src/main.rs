//! A custom widget with its own ES module, and custom messages both ways.
//!
//! Run with: `cargo run -p example-custom-widget` and open <http://127.0.0.1:8000>.

fn main() {
    numerous::run::<example_custom_widget::Feedback>();
}
