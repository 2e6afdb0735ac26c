//! A to-do list with its items in a `Vec`. Run with: `cargo run -p example-todo`.

fn main() {
    numerous::run::<example_todo::Todo>();
}
