use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {
    #[requires(admin)]
    fn helper(&mut self) {}
}

fn main() {}
