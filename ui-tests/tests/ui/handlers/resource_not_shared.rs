use numerous::prelude::*;

// A resource is shared by every session: it must be Send + Sync.
struct Cell(std::cell::RefCell<u32>);

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {
    #[on_click(increment)]
    fn increment(&mut self, cell: Res<Cell>) {
        let _ = cell;
    }
}

fn main() {}
