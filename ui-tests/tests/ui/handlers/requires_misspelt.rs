use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {
    #[on_click(increment)]
    #[requires(admn)]
    fn increment(&mut self) {
        self.counter.value += 1.0;
    }

    #[on_change(counter)]
    #[requires(editor)]
    fn changed(&mut self) {}
}

fn main() {}
