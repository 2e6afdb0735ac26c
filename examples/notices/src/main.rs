//! Live notices. Run with: `cargo run -p example-notices`.

use std::time::Duration;

fn main() {
    numerous::run_with::<example_notices::Notices>(|options| {
        example_notices::options(options, Duration::from_secs(1))
    });
}
