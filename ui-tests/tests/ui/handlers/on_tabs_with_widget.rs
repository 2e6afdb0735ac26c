use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {
    #[on_tabs(increment)]
    fn tabs_changed(&mut self) {}
}

fn main() {}
