use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    #[widget(label = "n")]
    #[state]
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
