// The module writes a field that is not `#[input]`.
#[numerous::widget(module = "widgets/writes.js")]
#[derive(Debug, Default)]
struct Tag {
    label: String,
    #[input]
    value: f64,
}

// The same module, unchecked: it builds.
#[numerous::widget(module = "widgets/writes.js", kind = "tag-unchecked", unchecked)]
#[derive(Debug, Default)]
struct Unchecked {
    label: String,
}

fn main() {}
