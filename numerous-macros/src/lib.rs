//! Procedural macros of [numerous](https://docs.rs/numerous). Use them through the `numerous`
//! crate, which re-exports them and everything the generated code needs.
//!
//! Each macro parses its item into a model (`parse`), checks it as a whole (`validate`), and
//! writes thin code that calls into the runtime (`expand`). Every error is a `syn::Error`
//! spanned on the token that caused it; all errors are reported in one build.

mod custom;
mod errors;
mod expand;
mod form;
mod js;
mod parse;
mod tables;
mod template;
mod typescript;
mod validate;

use proc_macro::TokenStream;

/// Turns a struct of widgets into a numerous app. See `numerous::app`.
#[proc_macro_attribute]
pub fn app(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::app(args.into(), item.into()).into()
}

/// Registers the event handlers of an app. See `numerous::handlers`.
#[proc_macro_attribute]
pub fn handlers(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::handlers(args.into(), item.into()).into()
}

/// Declares a custom widget with its own ES module. See `numerous::widget`.
#[proc_macro_attribute]
pub fn widget(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::widget(args.into(), item.into()).into()
}

/// Marks a click handler; only valid inside `#[numerous::handlers]`.
#[proc_macro_attribute]
pub fn on_click(_: TokenStream, item: TokenStream) -> TokenStream {
    expand::misplaced("on_click", item.into()).into()
}

/// Marks a custom-message handler; only valid inside `#[numerous::handlers]`.
#[proc_macro_attribute]
pub fn on_message(_: TokenStream, item: TokenStream) -> TokenStream {
    expand::misplaced("on_message", item.into()).into()
}

/// Marks a value-change handler; only valid inside `#[numerous::handlers]`.
#[proc_macro_attribute]
pub fn on_change(_: TokenStream, item: TokenStream) -> TokenStream {
    expand::misplaced("on_change", item.into()).into()
}

/// Marks a submit handler (Enter in a `TextInput`); only valid inside `#[numerous::handlers]`.
#[proc_macro_attribute]
pub fn on_submit(_: TokenStream, item: TokenStream) -> TokenStream {
    expand::misplaced("on_submit", item.into()).into()
}

/// Marks a handler run when a session starts; only valid inside `#[numerous::handlers]`.
#[proc_macro_attribute]
pub fn on_start(_: TokenStream, item: TokenStream) -> TokenStream {
    expand::misplaced("on_start", item.into()).into()
}

/// Marks a handler run when the number of the session's open tabs changes (one opened, one
/// closed); `ctx.tabs()` says how many. Only valid inside `#[numerous::handlers]`.
#[proc_macro_attribute]
pub fn on_tabs(_: TokenStream, item: TokenStream) -> TokenStream {
    expand::misplaced("on_tabs", item.into()).into()
}

/// Restricts a handler to users with a role, or to administrators; only valid inside
/// `#[numerous::handlers]`.
#[proc_macro_attribute]
pub fn requires(_: TokenStream, item: TokenStream) -> TokenStream {
    expand::misplaced("requires", item.into()).into()
}

/// Makes a unit-variant enum a set of role names (`RoleName`): `Editor` is `"editor"`,
/// `#[role = "name"]` names a variant otherwise. See `numerous::Roles`.
/// Reads several widgets at once into one typed struct; see `numerous::form`.
#[proc_macro_derive(Form, attributes(form))]
pub fn form(item: TokenStream) -> TokenStream {
    expand::form(item.into()).into()
}

#[proc_macro_derive(Roles, attributes(role))]
pub fn roles(item: TokenStream) -> TokenStream {
    expand::roles(item.into()).into()
}

/// Marks a command handler (anywidget's `experimental.invoke`); only valid inside
/// `#[numerous::handlers]`.
#[proc_macro_attribute]
pub fn on_command(_: TokenStream, item: TokenStream) -> TokenStream {
    expand::misplaced("on_command", item.into()).into()
}
