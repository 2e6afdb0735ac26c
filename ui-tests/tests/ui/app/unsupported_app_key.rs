use numerous::prelude::*;

#[numerous::app(template = "counter.html", title = "Counter")]
struct Counter {
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
