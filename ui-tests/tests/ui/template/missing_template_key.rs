use numerous::prelude::*;

#[numerous::app]
struct Counter {
    counter: Number,
}

#[numerous::handlers]
impl Counter {}

fn main() {}
