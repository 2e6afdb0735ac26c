use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
    #[state]
    clicks: u32,
}

#[numerous::handlers]
impl Counter {
    #[on_click(clicks)]
    fn count(&mut self) {
        self.clicks += 1;
    }
}

fn main() {}
