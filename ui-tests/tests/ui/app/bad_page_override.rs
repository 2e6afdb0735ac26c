use numerous::prelude::*;

#[numerous::app(template = "counter.html", pages = "bad_pages")]
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
