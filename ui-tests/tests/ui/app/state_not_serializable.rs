use numerous::prelude::*;

struct Connection;

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
    #[state]
    db: Connection,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
