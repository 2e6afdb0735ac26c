use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {
    #[on_message(increment)]
    fn got(&mut self, msg: String) {
        let _ = msg;
    }
}

fn main() {}
