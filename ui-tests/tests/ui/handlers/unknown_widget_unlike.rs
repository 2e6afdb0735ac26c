use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {
    #[on_click(ad)]
    fn increment(&mut self) {
        self.counter.value += 1.0;
    }
}

fn main() {}
