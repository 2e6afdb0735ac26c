#[numerous::widget(module = "widgets/relative.js")]
#[derive(Debug, Default)]
pub struct Chart {
    pub points: Vec<f64>,
}

fn main() {}
