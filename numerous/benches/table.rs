//! A table of 100,000 rows, as a data app holds one: sort by a number and by a text column,
//! search (a text most rows lack, one most rows have), page, a new row in its place, the rows
//! replaced, and one page serialized for the browser. `cargo bench -p numerous --bench table`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use numerous::json;
use numerous::widgets::Table;
use numerous::{Json, Widget};

const ROWS: u32 = 100_000;

fn rows() -> Vec<Vec<Json>> {
    let cities = [
        "Aarhus", "Berlin", "Cairo", "Delhi", "Espoo", "Fukuoka", "Graz", "Hanoi",
    ];
    (0..ROWS)
        .map(|i| {
            vec![
                json!(i),
                json!(format!(
                    "{} {}",
                    cities[(i as usize * 7) % cities.len()],
                    i % 997
                )),
                json!(f64::from((i * 37) % 4000) / 10.0 - 50.0),
                json!((i * 7919) % 100_000),
            ]
        })
        .collect()
}

fn table() -> Table {
    Table::new(["id", "place", "amount", "visitors"]).with_rows(rows())
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("table_100k");
    g.sample_size(20);
    let base = table();
    // What the browser sends, decoded and applied as a session does.
    let input = |t: &mut Table, json: &str| {
        let input: <Table as Widget>::Input = serde_json::from_str(json).unwrap();
        t.apply(input).unwrap()
    };
    g.bench_function("sort_number", |b| {
        b.iter_batched_ref(
            || base.clone(),
            |t| input(t, r#"{"sort_by": "amount", "descending": true}"#),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("sort_text", |b| {
        b.iter_batched_ref(
            || base.clone(),
            |t| input(t, r#"{"sort_by": "place"}"#),
            BatchSize::LargeInput,
        )
    });
    let searchable = {
        use numerous::attrs::Searchable;
        base.clone().searchable(true)
    };
    g.bench_function("search_rare", |b| {
        b.iter_batched_ref(
            || searchable.clone(),
            |t| input(t, r#"{"search": "graz 99"}"#),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("search_common", |b| {
        b.iter_batched_ref(
            || searchable.clone(),
            |t| input(t, r#"{"search": "a"}"#),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("page", |b| {
        b.iter_batched_ref(
            || base.clone(),
            |t| input(t, r#"{"page": 4000}"#),
            BatchSize::LargeInput,
        )
    });
    let mut sorted = base.clone();
    sorted.sort("amount", false);
    g.bench_function("push_row_sorted", |b| {
        b.iter_batched_ref(
            || sorted.clone(),
            |t| t.push_row(vec![json!(ROWS), json!("new"), json!(12.5), json!(3)]),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("set_rows_sorted", |b| {
        b.iter_batched_ref(
            || (sorted.clone(), rows()),
            |(t, rows)| t.set_rows(std::mem::take(rows)),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("serialize_page", |b| {
        let mut out = Vec::with_capacity(4096);
        b.iter(|| {
            out.clear();
            serde_json::to_writer(&mut out, black_box(&sorted)).unwrap();
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
