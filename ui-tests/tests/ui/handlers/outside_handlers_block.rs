use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {}

impl Counter {
    #[on_click(increment)]
    fn increment(&mut self) {}
}

fn main() {}
