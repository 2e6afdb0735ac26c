use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: String,
    increment: Button,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
