use numerous::prelude::*;

#[numerous::app(template = "syntax.html")]
struct Counter {
    counter: Number,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
