#[numerous::widget(module = "widgets/nope.js")]
#[derive(Debug, Default)]
struct Pill {
    label: String,
}

fn main() {}
