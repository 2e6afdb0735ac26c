use numerous::prelude::*;

/// A custom widget: its module is read from `widgets/pill.js` at compile time.
#[numerous::widget(module = "widgets/pill.js", messages)]
#[derive(Debug, Default)]
struct Pill {
    label: String,
    #[input]
    value: i64,
}

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Pill,
    increment: Button,
}

#[numerous::handlers]
impl Counter {
    #[on_message(counter)]
    fn got(&mut self, ctx: &Session, msg: Vec<u8>) {
        self.counter.value = msg.len() as i64;
        ctx.toast("got it");
    }

    #[on_change(counter)]
    async fn changed(&mut self) {}

    #[on_command(counter)]
    fn double(&mut self, n: i64) -> Result<i64, String> {
        n.checked_mul(2).ok_or_else(|| "too big".to_owned())
    }

    #[on_command(counter)]
    async fn slow(&mut self, ctx: &Session, _n: i64) -> Result<String, std::io::Error> {
        ctx.toast("asked");
        Ok(self.counter.label.clone())
    }
}

pub fn run() {
    let _ = numerous::router::<Counter>(numerous::Options::default());
}
