use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    #[widget(columns = ["date", "amount"], sort_by = "dat", descending = true)]
    counter: Table,
    increment: Button,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
