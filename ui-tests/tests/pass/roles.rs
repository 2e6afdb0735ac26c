//! Handlers restricted to a role of an enum, to a role by name, and to administrators.
use numerous::auth::RoleName;
use numerous::prelude::*;

#[derive(numerous::Roles)]
enum Role {
    Editor,
    #[role = "read-only"]
    ReadOnly,
    SalesManager,
}

#[numerous::app(template = "counter.html")]
struct Counter {
    counter: Number,
    increment: Button,
}

#[numerous::handlers]
impl Counter {
    #[on_click(increment)]
    #[requires(Role::Editor)]
    fn increment(&mut self) {
        self.counter.value += 1.0;
    }

    #[on_change(counter)]
    #[requires(admin)]
    fn changed(&mut self) {}

    #[on_start]
    #[requires("viewer")]
    fn start(&mut self) {}
}

pub fn run() {
    assert_eq!(Role::Editor.role_name(), "editor");
    assert_eq!(Role::ReadOnly.role_name(), "read-only");
    assert_eq!(Role::SalesManager.role_name(), "sales_manager");
}
