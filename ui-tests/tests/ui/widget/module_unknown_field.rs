// The module reads and listens to names the struct does not have, and sends messages to a
// widget that takes none.
#[numerous::widget(module = "widgets/typo.js")]
#[derive(Debug, Default)]
struct Tag {
    label: String,
    value: f64,
}

fn main() {}
