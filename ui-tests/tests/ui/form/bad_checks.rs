#[derive(numerous::Form)]
struct NewExpense {
    #[form(requird, max_len = 1.5)]
    title: String,
    #[form(min = "zero", message = 3)]
    amount: f64,
    #[form(check = |d: &String| d.is_empty(), required, required)]
    date: String,
}

#[derive(numerous::Form)]
enum NotAStruct {
    A,
}

fn main() {}
