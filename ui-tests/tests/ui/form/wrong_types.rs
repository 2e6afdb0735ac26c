use numerous::prelude::*;

#[derive(numerous::Form)]
struct NewExpense {
    #[form(max_len = 80)]
    title: String,
    /// A Number gives numbers, not text.
    amount: String,
    /// `max_len` counts characters, not a number's size.
    #[form(max_len = 3)]
    count: f64,
}

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {
    #[on_click(increment)]
    fn increment(&mut self, ctx: &Session) {
        let _ = NewExpense::read(
            ctx,
            self,
            NewExpenseFields {
                title: &self.increment,
                amount: &self.counter,
                count: &self.counter,
            },
        );
    }
}

fn main() {}
