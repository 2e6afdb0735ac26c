//! What the macros must accept: each module is an app (or roles, a custom widget) as a user
//! writes it, and its `run` builds its router or checks what was generated.
//!
//! These are compiled by cargo with the rest of the workspace, not by trybuild: trybuild then
//! only checks the failing cases (`tests/ui.rs`), and checking their dependencies needs no code
//! generation, which roughly halves the first `cargo test` of this crate.

mod counter;
mod custom_widget;
mod extends_and_panels;
mod no_implicit_prelude;
mod resources_and_topics;
mod roles;
mod state;
mod third_party;

#[test]
fn counter() {
    counter::run();
}

#[test]
fn custom_widget() {
    custom_widget::run();
}

#[test]
fn extends_and_panels() {
    extends_and_panels::run();
}

#[test]
fn no_implicit_prelude() {
    no_implicit_prelude::run();
}

#[test]
fn resources_and_topics() {
    resources_and_topics::run();
}

#[test]
fn roles() {
    roles::run();
}

#[test]
fn state() {
    state::run();
}

#[test]
fn third_party_modules() {
    third_party::run();
}
