use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter(Number, Button);

fn main() {}
