use numerous::prelude::*;

#[numerous::app(template = "counter.html")]
struct Counter {
    #[widget(label = "Counter:", min = 0, max = 10, step = 1)]
    counter: Number,
    #[widget(label = "Increment", disabled)]
    increment: Button,
}

#[numerous::handlers]
impl Counter {
    #[on_click(increment)]
    fn increment(&mut self) {
        self.counter.value += 1.0;
    }

    #[on_change(counter)]
    async fn changed(&mut self, ctx: &Session) -> Result<(), std::io::Error> {
        ctx.push(self);
        Ok(())
    }

    /// Methods without event attributes stay ordinary methods.
    #[allow(dead_code)]
    fn helper(&self) -> f64 {
        self.counter.value
    }
}

pub fn run() {
    let _ = numerous::router::<Counter>(numerous::Options::default());
}
