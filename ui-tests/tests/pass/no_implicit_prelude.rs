// Generated code uses absolute paths only: no prelude, and local items that shadow common names.
#![no_implicit_prelude]

#[allow(dead_code)]
struct Result;
#[allow(dead_code)]
struct Option;
#[allow(dead_code)]
struct String;

#[::numerous::app(template = "counter.html")]
struct Counter {
    #[widget(label = "Counter:")]
    counter: ::numerous::widgets::Number,
    increment: ::numerous::widgets::Button,
}

#[::numerous::handlers]
impl Counter {
    #[on_click(increment)]
    fn increment(&mut self) {
        self.counter.value += 1.0;
    }
}

pub fn run() {
    let _ =
        ::numerous::router::<Counter>(<::numerous::Options as ::core::default::Default>::default());
}
