use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    #[widget(labl = "Counter:")]
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
