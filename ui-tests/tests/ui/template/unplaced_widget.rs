// A widget the template never places is an error: it could never be seen or used.
use numerous::prelude::*;

#[numerous::app(template = "unplaced.html")]
struct Counter {
    counter: Number,
    counter2: Number,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
