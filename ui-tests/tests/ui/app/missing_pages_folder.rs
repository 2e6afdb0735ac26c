use numerous::prelude::*;

#[numerous::app(template = "counter.html", pages = "no_such_pages")]
struct Counter {
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {
    #[on_click(increment)]
    fn increment(&mut self) {}
}

fn main() {}
