use numerous::prelude::*;

#[derive(Debug)]
struct Db;

static NEWS: Topic<String> = Topic::new("news");

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
    #[state]
    heard: Vec<String>,
}

#[numerous::handlers]
impl Counter {
    #[on_start]
    fn started(&mut self, ctx: &Session) {
        ctx.subscribe(&NEWS, Self::heard);
    }

    #[on_click(increment)]
    #[blocking]
    fn increment(&mut self, ctx: &Session, db: Res<Db>) {
        let _ = &*db;
        self.counter.value += 1.0;
        ctx.publish(&NEWS, "clicked".to_owned());
        let me = ctx.handle::<Self>();
        ctx.spawn(async move {
            let _ = me.update(|app, _| app.counter.value = 0.0).await;
        });
    }

    // A topic handler takes `&T` for the topic's `T`.
    #[allow(clippy::ptr_arg)]
    fn heard(&mut self, news: &String, _: &Session) {
        self.heard.push(news.clone());
    }
}

pub fn run() {
    let _ = numerous::router::<Counter>(numerous::Options::default().resource(Db));
}
