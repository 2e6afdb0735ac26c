use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    #[widget(options = ["1", "2"])]
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
