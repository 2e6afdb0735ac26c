use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    #[widget(label = "a", label = "b")]
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
