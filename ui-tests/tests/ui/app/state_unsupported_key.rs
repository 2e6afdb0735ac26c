use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
    #[state(default = 3)]
    clicks: u32,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
