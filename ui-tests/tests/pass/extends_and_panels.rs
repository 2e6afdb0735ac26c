// Widgets placed through `extends`/blocks count as placed; loop variables are not widgets.
use numerous::prelude::*;

#[numerous::app(template = "extends.html")]
struct Tabbed {
    #[widget(tabs = ["One", "Two"])]
    tabs: Tabs,
    counter: Number,
    #[widget(init = Button::default().label("Go"))]
    increment: Button,
}

#[numerous::handlers]
impl Tabbed {}

pub fn run() {
    let _ = numerous::router::<Tabbed>(numerous::Options::default());
}
