use numerous::prelude::*;

#[numerous::app(template = "typo.html")]
struct Counter {
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
