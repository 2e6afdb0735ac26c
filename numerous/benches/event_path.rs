//! The event path in-process (no sockets): decode a frame, run the handler, diff, encode the
//! patch. For a counter app and for an app with 50 widgets. `cargo bench -p numerous`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use numerous::prelude::*;
use numerous::testing::TestSession;

#[numerous::app(template = "bench_counter.html")]
#[derive(Debug)]
struct Counter {
    #[widget(label = "Counter:")]
    counter: Number,
    #[widget(label = "Counter 2:")]
    counter2: Number,
    #[widget(label = "Increment Counter")]
    increment: Button,
    #[widget(label = "Select Value", options = ["1", "2", "3"])]
    selection: DropDown,
}

#[numerous::handlers]
impl Counter {
    #[on_click(increment)]
    fn increment(&mut self) {
        self.counter.value += 1.0;
        self.counter2.value += 1.0;
    }

    #[on_change(selection)]
    fn selected(&mut self) {
        self.counter2.value = 0.0;
    }
}

/// 50 widgets; a click changes one of them.
#[numerous::app(template = "bench_wide.html")]
#[derive(Debug)]
struct Wide {
    #[widget(label = "Number 0")]
    n0: Number,
    #[widget(label = "Number 1")]
    n1: Number,
    #[widget(label = "Number 2")]
    n2: Number,
    #[widget(label = "Number 3")]
    n3: Number,
    #[widget(label = "Number 4")]
    n4: Number,
    #[widget(label = "Number 5")]
    n5: Number,
    #[widget(label = "Number 6")]
    n6: Number,
    #[widget(label = "Number 7")]
    n7: Number,
    #[widget(label = "Number 8")]
    n8: Number,
    #[widget(label = "Number 9")]
    n9: Number,
    #[widget(label = "Number 10")]
    n10: Number,
    #[widget(label = "Number 11")]
    n11: Number,
    #[widget(label = "Number 12")]
    n12: Number,
    #[widget(label = "Number 13")]
    n13: Number,
    #[widget(label = "Number 14")]
    n14: Number,
    #[widget(label = "Number 15")]
    n15: Number,
    #[widget(label = "Number 16")]
    n16: Number,
    #[widget(label = "Number 17")]
    n17: Number,
    #[widget(label = "Number 18")]
    n18: Number,
    #[widget(label = "Number 19")]
    n19: Number,
    #[widget(label = "Number 20")]
    n20: Number,
    #[widget(label = "Number 21")]
    n21: Number,
    #[widget(label = "Number 22")]
    n22: Number,
    #[widget(label = "Number 23")]
    n23: Number,
    #[widget(label = "Number 24")]
    n24: Number,
    #[widget(label = "Text 0", value = "some text in field 0")]
    t0: TextInput,
    #[widget(label = "Text 1", value = "some text in field 1")]
    t1: TextInput,
    #[widget(label = "Text 2", value = "some text in field 2")]
    t2: TextInput,
    #[widget(label = "Text 3", value = "some text in field 3")]
    t3: TextInput,
    #[widget(label = "Text 4", value = "some text in field 4")]
    t4: TextInput,
    #[widget(label = "Text 5", value = "some text in field 5")]
    t5: TextInput,
    #[widget(label = "Text 6", value = "some text in field 6")]
    t6: TextInput,
    #[widget(label = "Text 7", value = "some text in field 7")]
    t7: TextInput,
    #[widget(label = "Text 8", value = "some text in field 8")]
    t8: TextInput,
    #[widget(label = "Text 9", value = "some text in field 9")]
    t9: TextInput,
    #[widget(label = "Text 10", value = "some text in field 10")]
    t10: TextInput,
    #[widget(label = "Text 11", value = "some text in field 11")]
    t11: TextInput,
    #[widget(label = "Text 12", value = "some text in field 12")]
    t12: TextInput,
    #[widget(label = "Text 13", value = "some text in field 13")]
    t13: TextInput,
    #[widget(label = "Text 14", value = "some text in field 14")]
    t14: TextInput,
    #[widget(label = "Slider 0")]
    s0: Slider,
    #[widget(label = "Slider 1")]
    s1: Slider,
    #[widget(label = "Slider 2")]
    s2: Slider,
    #[widget(label = "Slider 3")]
    s3: Slider,
    #[widget(label = "Slider 4")]
    s4: Slider,
    #[widget(label = "Slider 5")]
    s5: Slider,
    #[widget(label = "Slider 6")]
    s6: Slider,
    #[widget(label = "Slider 7")]
    s7: Slider,
    #[widget(label = "Slider 8")]
    s8: Slider,
    #[widget(label = "Go")]
    go: Button,
}

#[numerous::handlers]
impl Wide {
    #[on_click(go)]
    fn go(&mut self) {
        self.n0.value += 1.0;
    }
}

const CLICK: &str = r#"{"type":"msg","widget":"increment","content":{"event":"click"},"seq":7}"#;
const WIDE_CLICK: &str = r#"{"type":"msg","widget":"go","content":{"event":"click"},"seq":7}"#;

fn event_path(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();

    c.bench_function("decode click frame", |b| {
        b.iter(|| numerous::__private::decode_frame(black_box(CLICK)))
    });

    let mut counter = TestSession::<Counter>::new();
    c.bench_function("counter: click (decode, handler, diff, encode)", |b| {
        b.iter(|| rt.block_on(counter.send(black_box(CLICK))))
    });
    let mut updates = ["1", "2", "3"].iter().cycle();
    c.bench_function(
        "counter: dropdown update (decode, validate, handler, diff, encode)",
        |b| {
            b.iter(|| {
                let frame = format!(
                    r#"{{"type":"update","widget":"selection","state":{{"value":"{}"}}}}"#,
                    updates.next().unwrap()
                );
                rt.block_on(counter.send(&frame))
            })
        },
    );
    c.bench_function("counter: diff with nothing changed", |b| {
        b.iter(|| counter.push())
    });

    let mut wide = TestSession::<Wide>::new();
    c.bench_function("50 widgets: click (decode, handler, diff, encode)", |b| {
        b.iter(|| rt.block_on(wide.send(black_box(WIDE_CLICK))))
    });
    c.bench_function("50 widgets: diff with nothing changed", |b| {
        b.iter(|| wide.push())
    });
}

criterion_group!(benches, event_path);
criterion_main!(benches);
