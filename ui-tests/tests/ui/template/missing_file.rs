use numerous::prelude::*;

#[numerous::app(template = "nope.html")]
struct Counter {
    counter: Number,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
