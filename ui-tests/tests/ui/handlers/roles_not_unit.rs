#[derive(numerous::Roles)]
enum Role {
    Editor,
    Team(String),
}

fn main() {}
