use numerous::prelude::*;

#[numerous::widget(module = "widgets/pill.js", messages)]
#[derive(Debug, Default)]
struct Pill {
    label: String,
}

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Pill,
    increment: Button,
}

#[numerous::handlers]
impl Counter {
    #[on_command(counter)]
    fn label(&mut self, _ask: i64) -> String {
        self.counter.label.clone()
    }
}

fn main() {}
