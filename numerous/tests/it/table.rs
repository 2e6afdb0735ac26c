//! A table as a data app uses it: sorted from the start by the attributes (`sort_by`,
//! `descending`), its rows replaced from a handler keeping the user's sort and page, and every
//! row exported as CSV.

use numerous::json;
use numerous::prelude::*;
use numerous::testing::TestSession;

#[numerous::app(template = "expenses.html")]
struct Expenses {
    #[widget(columns = ["date", "what", "amount"], rows = 2, sort_by = "date", descending = true)]
    expenses: Table,
    #[widget(label = "Add")]
    add: Button,
    #[widget(label = "Export")]
    export: Download,
}

fn rows(n: u32) -> Vec<Vec<numerous::Json>> {
    (1..=n)
        .map(|d| {
            vec![
                json!(format!("2026-12-{d:02}")),
                json!(format!("item {d}, misc")),
                json!(d * 10),
            ]
        })
        .collect()
}

#[numerous::handlers]
impl Expenses {
    #[on_start]
    fn load(&mut self) {
        self.expenses.set_rows(rows(5));
    }

    /// A list re-read from the database: all rows at once.
    #[on_click(add)]
    fn add(&mut self) {
        self.expenses.set_rows(rows(6));
    }

    #[on_click(export)]
    fn export(&mut self) {
        self.export
            .send("expenses.csv", "text/csv", self.expenses.to_csv());
    }
}

#[tokio::test]
async fn a_table_starts_sorted_keeps_the_users_sort_and_exports_every_row() {
    let mut tab = TestSession::<Expenses>::new();
    tab.start().await;
    // Newest first, from the attributes.
    assert_eq!(tab.app().expenses.sort_by.as_deref(), Some("date"));
    assert!(tab.app().expenses.descending);
    let first = tab.app().expenses.page_rows().next().unwrap().clone();
    assert_eq!(first[0], json!("2026-12-05"));

    // The user sorts by amount, ascending, and goes to the second page; new rows keep both.
    tab.update(
        |app| &app.expenses,
        json!({"sort_by": "amount", "descending": false}),
    )
    .await;
    tab.update(|app| &app.expenses, json!({"page": 1})).await;
    tab.click(|app| &app.add).await;
    let t = &tab.app().expenses;
    assert_eq!(
        (t.len(), t.page, t.sort_by.as_deref()),
        (6, 1, Some("amount"))
    );
    assert_eq!(t.page_rows().next().unwrap()[2], json!(30));

    // The export is every row, in the order shown, with the commas in a cell quoted.
    tab.click(|app| &app.export).await;
    let (_, bytes) = tab.app().export.content().unwrap();
    let csv = String::from_utf8(bytes.to_vec()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 7);
    assert_eq!(lines[0], "date,what,amount");
    assert_eq!(lines[1], "2026-12-01,\"item 1, misc\",10");
}
