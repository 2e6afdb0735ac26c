//! `#[derive(numerous::Form)]`: several widgets read and checked at once into one struct. Every
//! refused field gets its message under its widget in the same read (not the first only), each
//! accepted one loses an old message, and the tabs are told.

use numerous::prelude::*;
use numerous::testing::TestSession;

/// A new expense, as a team-expenses app takes it.
#[derive(Debug, PartialEq, numerous::Form)]
struct NewExpense {
    #[form(required, max_len = 20)]
    title: String,
    #[form(min = 0.01, max = 10_000)]
    amount: f64,
    category: String,
    #[form(check = this_century)]
    date: String,
    /// How many receipts: a whole number.
    #[form(message = "Zero or more receipts.")]
    receipts: u64,
    note: Option<String>,
}

fn this_century(date: &str) -> Result<(), &'static str> {
    if date >= "2001-01-01" {
        Ok(())
    } else {
        Err("From 2001 on.")
    }
}

#[numerous::app(template = "expense_form.html")]
#[derive(Debug)]
struct Expenses {
    title: TextInput,
    amount: Number,
    #[widget(options = ["food", "travel"], placeholder = "Pick one")]
    category: DropDown,
    date: DatePicker,
    #[widget(label = "Add")]
    add: Button,
    #[state]
    added: Vec<(String, f64)>,
    #[state]
    last_errors: Vec<(String, String)>,
}

impl Expenses {
    /// The receipts count is not on this page: the amount's widget stands in for it.
    fn read(&self, ctx: &Session) -> Result<NewExpense, numerous::form::FormErrors> {
        NewExpense::read(
            ctx,
            self,
            NewExpenseFields {
                title: &self.title,
                amount: &self.amount,
                category: &self.category,
                date: &self.date,
                receipts: &self.amount,
                note: &self.title,
            },
        )
    }
}

#[numerous::handlers]
impl Expenses {
    #[on_click(add)]
    fn add(&mut self, ctx: &Session) {
        match self.read(ctx) {
            Ok(expense) => {
                self.last_errors.clear();
                self.added.push((expense.title, expense.amount));
            }
            Err(e) => {
                self.last_errors = e
                    .fields()
                    .iter()
                    .map(|(f, m)| ((*f).to_owned(), m.clone()))
                    .collect();
            }
        }
    }
}

#[tokio::test]
async fn every_refused_field_is_named_at_once_and_a_good_form_reaches_the_handler() {
    let mut tab = TestSession::<Expenses>::new();
    tab.start().await;

    // Nothing filled in: every field is refused in one read, each with its own message.
    let frames = tab.click(|a| &a.add).await;
    assert!(
        TestSession::<Expenses>::errors(&frames).is_empty(),
        "{frames:?}"
    );
    assert_eq!(
        tab.app().last_errors,
        [
            ("title".to_owned(), "Required.".to_owned()),
            ("amount".to_owned(), "At least 0.01.".to_owned()),
            ("category".to_owned(), "Choose one.".to_owned()),
            ("date".to_owned(), "Choose a date.".to_owned()),
        ]
    );
    assert_eq!(tab.view(|a| &a.title).error.as_deref(), Some("Required."));
    // The amount's widget also gives the receipts (0, accepted): its first message stays.
    assert_eq!(
        tab.view(|a| &a.amount).error.as_deref(),
        Some("At least 0.01.")
    );
    assert_eq!(
        tab.view(|a| &a.category).error.as_deref(),
        Some("Choose one.")
    );
    assert_eq!(
        tab.view(|a| &a.date).error.as_deref(),
        Some("Choose a date.")
    );
    // The tabs were told of each message.
    for key in ["title", "category", "date"] {
        assert!(
            frames
                .iter()
                .any(|f| f.contains(&format!(r#""type":"view","widget":"{key}""#))),
            "{key}: {frames:?}"
        );
    }
    assert!(tab.app().added.is_empty());

    // Some right, some wrong: the right ones lose their messages, the wrong ones say why (a
    // fraction is no count of receipts).
    tab.set(|a| &a.title, "A title much longer than twenty")
        .await;
    tab.set(|a| &a.amount, 12.5).await;
    tab.set(|a| &a.category, "travel").await;
    tab.set(|a| &a.date, "1999-12-31").await;
    tab.click(|a| &a.add).await;
    let errors = tab.app().last_errors.clone();
    assert_eq!(
        errors,
        [
            ("title".to_owned(), "At most 20 characters.".to_owned()),
            ("date".to_owned(), "From 2001 on.".to_owned()),
            ("receipts".to_owned(), "Zero or more receipts.".to_owned()),
        ]
    );
    assert_eq!(tab.view(|a| &a.category).error, None);
    assert_eq!(
        tab.view(|a| &a.date).error.as_deref(),
        Some("From 2001 on.")
    );

    // All right: the handler gets the typed value, and no message is left.
    tab.set(|a| &a.title, "Train").await;
    tab.set(|a| &a.amount, 42).await;
    tab.set(|a| &a.date, "2026-12-07").await;
    tab.click(|a| &a.add).await;
    assert_eq!(tab.app().last_errors, []);
    assert_eq!(tab.app().added, [("Train".to_owned(), 42.0)]);
    for view in [
        tab.view(|a| &a.title),
        tab.view(|a| &a.amount),
        tab.view(|a| &a.category),
        tab.view(|a| &a.date),
    ] {
        assert_eq!(view.error, None);
    }
}

#[tokio::test]
async fn a_form_reads_what_each_widget_gives() {
    let mut tab = TestSession::<Expenses>::new();
    tab.start().await;
    tab.set(|a| &a.title, "   ").await;
    tab.set(|a| &a.amount, 3).await;
    tab.set(|a| &a.category, "food").await;
    tab.set(|a| &a.date, "2026-01-31").await;
    tab.click(|a| &a.add).await;
    // A blank title is missing; read as an Option it is `None`.
    assert_eq!(
        tab.app().last_errors,
        [("title".to_owned(), "Required.".to_owned())]
    );
    tab.set(|a| &a.title, "Lunch").await;
    tab.click(|a| &a.add).await;
    assert_eq!(tab.app().added, [("Lunch".to_owned(), 3.0)]);
}
