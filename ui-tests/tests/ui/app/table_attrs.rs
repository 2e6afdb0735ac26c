use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    #[widget(
        columns = ["id", "amount", "when"],
        select = "several",
        key = "ID",
        formats = [("amount", "currency:eur"), ("when", "dat"), ("amont", "number:2")]
    )]
    counter: Table,
    increment: Button,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
