use numerous::prelude::*;

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Item {
    text: String,
    done: bool,
}

#[numerous::app(template = "state.html")]
struct Todo {
    counter: Number,
    increment: Button,
    #[state]
    items: Vec<Item>,
    #[state(init = "Things".to_owned())]
    title: String,
    #[state]
    clicks: u64,
}

#[numerous::handlers]
impl Todo {
    #[on_click(increment)]
    fn increment(&mut self) {
        self.clicks += 1;
        self.items.push(Item {
            text: self.title.clone(),
            done: false,
        });
        self.counter.value = self.items.iter().filter(|i| !i.done).count() as f64;
    }
}

pub fn run() {}
