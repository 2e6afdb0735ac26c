use numerous::prelude::*;

#[numerous::app(template = "state_list.html")]
struct Todo {
    counter: Number,
    increment: Button,
    #[state]
    items: Vec<String>,
}

#[numerous::handlers]
impl Todo {}

fn main() {}
