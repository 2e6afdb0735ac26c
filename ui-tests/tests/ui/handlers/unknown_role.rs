use numerous::prelude::*;

#[derive(numerous::Roles)]
enum Role {
    Editor,
}

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {
    #[on_click(increment)]
    #[requires(Role::Editr)]
    fn increment(&mut self) {
        self.counter.value += 1.0;
    }
}

fn main() {}
