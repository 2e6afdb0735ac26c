#[numerous::widget(module = "widgets/pill.js", style = "pill.css")]
#[derive(Debug, Default)]
struct Pill {
    label: String,
}

fn main() {}
