//! The numerous-apps bootstrap app, rebuilt: tabs, two counters, a button and a drop-down.
//!
//! Run with: `cargo run -p example-counter` and open <http://127.0.0.1:8000>.

use example_counter::Counter;

fn main() {
    numerous::run::<Counter>();
}
