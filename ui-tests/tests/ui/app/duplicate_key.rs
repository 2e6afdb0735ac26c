use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
    counter: Number,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
