//! Turns the syn items the attributes are placed on into a plain model, keeping every span.
//!
//! Parsing collects every error it can instead of stopping at the first one, so a user sees all
//! of them in one build.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens as _;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Fields, FnArg, Ident, ImplItem, ItemImpl, ItemStruct, LitStr, Meta, Token, Type};

use crate::errors::Errors;

/// The attribute keys `#[widget(..)]` accepts. Each one (but `init`) calls the method of the
/// same name of a trait in `numerous::attrs`, which the widget type implements or not.
pub const WIDGET_ATTRS: &[&str] = &[
    "label",
    "value",
    "options",
    "tabs",
    "min",
    "max",
    "step",
    "placeholder",
    "content",
    "disabled",
    "unit",
    "variant",
    "rows",
    "max_bytes",
    "accept",
    "multiple",
    "src",
    "columns",
    "sort_by",
    "descending",
    "searchable",
    "select",
    "key",
    "formats",
    "init",
    "debounce",
];

/// `#[numerous::app(..)]` on a struct.
#[derive(Debug)]
pub struct App {
    /// The struct, with the attributes numerous consumes removed.
    pub item: ItemStruct,
    /// `template = "..."`.
    pub template: Option<LitStr>,
    /// `pages = "..."`: the folder under `templates/` holding replaced internal pages
    /// (default `numerous`).
    pub pages: Option<LitStr>,
    pub widgets: Vec<WidgetField>,
    /// Fields marked `#[state]`: plain per-session state, never sent to the browser.
    pub states: Vec<StateField>,
}

/// One `#[state]` field of the app struct.
#[derive(Debug)]
pub struct StateField {
    pub ident: Ident,
    pub ty: Type,
    /// `#[state(init = ..)]`; `Default` otherwise.
    pub init: Option<Expr>,
}

/// One widget field of the app struct.
#[derive(Debug)]
pub struct WidgetField {
    pub ident: Ident,
    pub ty: Type,
    pub attrs: Vec<WidgetAttr>,
    /// The field's doc comment (`///` lines, joined), for the app's description.
    pub doc: String,
}

/// One `key = value` of `#[widget(..)]`.
#[derive(Debug)]
pub struct WidgetAttr {
    pub key: Ident,
    pub value: Expr,
}

/// `#[numerous::handlers]` on an impl block.
#[derive(Debug)]
pub struct Handlers {
    /// The impl block, with the event attributes removed.
    pub item: ItemImpl,
    pub handlers: Vec<Handler>,
}

/// The browser events a handler can be attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Click,
    Change,
    Message,
    /// `#[on_start]`: the session was created.
    Start,
    /// `#[on_tabs]`: the number of the session's open tabs changed.
    Tabs,
    Submit,
    /// `#[on_command]`: the module called `experimental.invoke`; the handler answers.
    Command,
}

impl EventKind {
    fn from_attr(name: &str) -> Option<Self> {
        match name {
            "on_click" => Some(Self::Click),
            "on_change" => Some(Self::Change),
            "on_message" => Some(Self::Message),
            "on_start" => Some(Self::Start),
            "on_tabs" => Some(Self::Tabs),
            "on_submit" => Some(Self::Submit),
            "on_command" => Some(Self::Command),
            _ => None,
        }
    }

    pub fn attr(self) -> &'static str {
        match self {
            Self::Click => "on_click",
            Self::Change => "on_change",
            Self::Message => "on_message",
            Self::Start => "on_start",
            Self::Tabs => "on_tabs",
            Self::Submit => "on_submit",
            Self::Command => "on_command",
        }
    }
}

/// A handler parameter after `self`.
#[derive(Debug)]
pub enum Param {
    /// `ctx: &Session` (any reference type; rustc checks it is `&Session`).
    Ctx(Type),
    /// The typed content of a custom message (`#[on_message]` only).
    Message(Type),
    /// A shared resource, `Res<T>`, built from the session for each call.
    Resource(Type),
}

/// One handler method and the event it answers.
#[derive(Debug)]
pub struct Handler {
    pub method: Ident,
    pub event: EventKind,
    /// The widget whose event it answers; `None` for `#[on_start]`.
    pub widget: Option<Ident>,
    pub is_async: bool,
    /// The parameters after `self`, in order.
    pub params: Vec<Param>,
    /// The declared return type, or `None` for `()`.
    pub output: Option<Type>,
    /// `#[blocking]`: run where it cannot hold up other sessions.
    pub blocking: bool,
    /// `#[requires(..)]`: who may run it.
    pub requires: Option<Requires>,
    /// The fields the body reaches as `self.<field>`, when that is all it does with `self`;
    /// `None` when it uses `self` otherwise (a method call, passing it on).
    pub touches: Option<Vec<String>>,
}

/// Who may run a handler.
#[derive(Debug, Clone)]
pub enum Requires {
    /// `#[requires(admin)]`.
    Admin(proc_macro2::Span),
    /// `#[requires(Role::Editor)]`, `#[requires("editor")]`: any `RoleName`.
    Role(syn::Expr),
}

/// Whether handlers of `event` take the message the module sent.
fn takes_message(event: EventKind) -> bool {
    matches!(event, EventKind::Message | EventKind::Command)
}

/// Whether `ty` is `Res<..>` (by its last path segment, so `numerous::Res<T>` works too).
fn is_resource(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => {
            p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Res")
        }
        _ => false,
    }
}

pub fn app_args(args: TokenStream, errors: &mut Errors) -> (Option<LitStr>, Option<LitStr>) {
    let metas = match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args) {
        Ok(m) => m,
        Err(e) => {
            errors.push(e);
            return (None, None);
        }
    };
    let mut template = None;
    let mut pages = None;
    for meta in metas {
        match &meta {
            Meta::NameValue(nv) if nv.path.is_ident("pages") => match &nv.value {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) if !s.value().is_empty()
                    && !s.value().contains("..")
                    && !s.value().starts_with('/') =>
                {
                    pages = Some(s.clone());
                }
                other => errors.spanned(
                    other,
                    "`pages` takes a folder under `templates/` as a string literal, e.g. `pages = \"admin_pages\"`",
                ),
            },
            Meta::NameValue(nv) if nv.path.is_ident("template") => match &nv.value {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => {
                    if template.is_some() {
                        errors.spanned(&nv.path, "duplicate attribute key `template`");
                    }
                    template = Some(s.clone());
                }
                other => errors.spanned(
                    other,
                    "`template` takes a string literal: the file name under `templates/`",
                ),
            },
            other => errors.spanned(
                other.path(),
                format!(
                    "unsupported attribute key `{}`; #[numerous::app] supports: `template`, `pages`",
                    path_name(other.path())
                ),
            ),
        }
    }
    if template.is_none() {
        errors.push(syn::Error::new(
            Span::call_site(),
            "missing `template = \"...\"`: #[numerous::app(template = \"index.html\")] names the layout under `templates/`",
        ));
    }
    (template, pages)
}

pub fn app(args: TokenStream, mut item: ItemStruct, errors: &mut Errors) -> App {
    let (template, pages) = app_args(args, errors);
    if !item.generics.params.is_empty() {
        errors.spanned(
            &item.generics,
            "an app struct cannot have generic parameters: each session holds one concrete app",
        );
    }
    let mut widgets = Vec::new();
    let mut states = Vec::new();
    match &mut item.fields {
        Fields::Named(named) => {
            for field in &mut named.named {
                let mut attrs = Vec::new();
                let mut widget_attr = None;
                let mut state_attr = None;
                field.attrs.retain(|a| {
                    if a.path().is_ident("widget") {
                        attrs.extend(widget_attrs(a, errors));
                        widget_attr = Some(a.path().clone());
                        false
                    } else if a.path().is_ident("state") {
                        state_attr = Some(a.clone());
                        false
                    } else {
                        true
                    }
                });
                let ident = field.ident.clone().expect("named field");
                let doc = doc_of(&field.attrs);
                match (state_attr, widget_attr) {
                    (Some(_), Some(widget)) => {
                        errors.spanned(
                            &widget,
                            format!("`{ident}` cannot be both a widget and #[state]: a widget is already kept per session; remove one of the attributes"),
                        );
                        // Go on as a widget, so no other error follows from this one.
                        widgets.push(WidgetField {
                            ident,
                            ty: field.ty.clone(),
                            attrs,
                            doc,
                        });
                    }
                    (Some(state), None) => states.push(StateField {
                        ident,
                        ty: field.ty.clone(),
                        init: state_init(&state, errors),
                    }),
                    (None, _) => widgets.push(WidgetField {
                        ident,
                        ty: field.ty.clone(),
                        attrs,
                        doc,
                    }),
                }
            }
        }
        Fields::Unnamed(f) => errors.spanned(
            f,
            "an app needs named fields: each field name is the widget's key in the template",
        ),
        Fields::Unit => errors.spanned(
            &item.ident,
            "an app needs at least one widget field, e.g. `counter: Number`",
        ),
    }
    App {
        item,
        template,
        pages,
        widgets,
        states,
    }
}

/// `#[state]` or `#[state(init = expr)]`.
fn state_init(attr: &syn::Attribute, errors: &mut Errors) -> Option<Expr> {
    if matches!(attr.meta, Meta::Path(_)) {
        return None;
    }
    let metas = match attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
        Ok(m) => m,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    let mut init = None;
    for meta in metas {
        match meta {
            Meta::NameValue(nv) if nv.path.is_ident("init") && init.is_none() => {
                init = Some(nv.value);
            }
            other => errors.spanned(
                other.path(),
                "#[state] takes only `init = <expr>` (the starting value; `Default` without it)",
            ),
        }
    }
    init
}

fn widget_attrs(attr: &syn::Attribute, errors: &mut Errors) -> Vec<WidgetAttr> {
    if matches!(attr.meta, Meta::Path(_)) {
        return Vec::new();
    }
    let metas = match attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
        Ok(m) => m,
        Err(e) => {
            errors.push(e);
            return Vec::new();
        }
    };
    let mut out: Vec<WidgetAttr> = Vec::new();
    for meta in metas {
        let (path, value) = match meta {
            Meta::NameValue(nv) => (nv.path, nv.value),
            Meta::Path(p) => {
                let t = syn::parse_quote_spanned!(p.span()=> true);
                (p, t)
            }
            Meta::List(l) => {
                errors.spanned(&l, "expected `key = value`");
                continue;
            }
        };
        let Some(key) = path.get_ident().cloned() else {
            errors.spanned(&path, "expected a plain attribute key");
            continue;
        };
        let name = key.to_string();
        if !WIDGET_ATTRS.contains(&name.as_str()) {
            let mut msg = format!(
                "unsupported attribute key `{name}`; #[widget] supports: {}",
                list(WIDGET_ATTRS)
            );
            if let Some(close) = closest(&name, WIDGET_ATTRS.iter().copied()) {
                msg.push_str(&format!("; did you mean `{close}`?"));
            }
            errors.spanned(&key, msg);
            continue;
        }
        if out.iter().any(|a| a.key == key) {
            errors.spanned(&key, format!("duplicate attribute key `{name}`"));
            continue;
        }
        out.push(WidgetAttr { key, value });
    }
    out
}

pub fn handlers(mut item: ItemImpl, errors: &mut Errors) -> Handlers {
    if let Some((_, path, _)) = &item.trait_ {
        errors.spanned(
            path,
            "#[numerous::handlers] goes on an inherent impl block (`impl MyApp { .. }`), not a trait impl",
        );
    }
    let mut handlers = Vec::new();
    for impl_item in &mut item.items {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        let mut events = Vec::new();
        let mut blocking = None;
        let mut requires = None;
        method.attrs.retain(|a| {
            let Some(ident) = a.path().get_ident() else {
                return true;
            };
            if ident == "blocking" {
                blocking = Some(a.clone());
                return false;
            }
            if ident == "requires" {
                requires = Some(a.clone());
                return false;
            }
            match EventKind::from_attr(&ident.to_string()) {
                Some(kind) => {
                    events.push((kind, a.clone()));
                    false
                }
                None => true,
            }
        });
        let had_events = !events.is_empty();
        let requires = requires.and_then(|attr| match attr.parse_args::<syn::Expr>() {
            Ok(syn::Expr::Path(p)) if p.path.is_ident("admin") => {
                Some((attr.clone(), Requires::Admin(p.path.segments[0].ident.span())))
            }
            // A lone snake_case name is neither `admin` nor a role (a role is a string or an
            // enum's variant; a constant would be UPPER_CASE): say what #[requires] takes,
            // rather than let rustc say only "cannot find value".
            Ok(syn::Expr::Path(p))
                if p.qself.is_none()
                    && p.path.get_ident().is_some_and(|i| {
                        let name = i.to_string();
                        name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    }) =>
            {
                let name = p.path.segments[0].ident.to_string();
                let hint = closest(&name, ["admin"])
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                errors.spanned(
                    &p,
                    format!(
                        "`{name}` is not something #[requires] takes{hint}: it takes `admin` (administrators only), a role's name as a string (`#[requires(\"{name}\")]`), or a variant of an enum with #[derive(numerous::Roles)] (`#[requires(Role::Editor)]`)"
                    ),
                );
                None
            }
            Ok(e) => Some((attr.clone(), Requires::Role(e))),
            Err(_) => {
                errors.spanned(
                    &attr,
                    "expected `#[requires(admin)]` or a role: `#[requires(Role::Editor)]`, `#[requires(\"editor\")]`",
                );
                None
            }
        });
        if let (Some((attr, _)), false) = (&requires, had_events) {
            errors.spanned(
                attr,
                "#[requires] goes on a handler: a method with #[on_click], #[on_change], #[on_submit], #[on_message] or #[on_command]",
            );
        }
        for (event, attr) in events {
            let widget = match attr.parse_args::<Ident>() {
                _ if matches!(event, EventKind::Start | EventKind::Tabs) => {
                    if !matches!(attr.meta, Meta::Path(_)) {
                        let when = if event == EventKind::Start {
                            "when a session starts"
                        } else {
                            "when one of the session's tabs opens or closes"
                        };
                        errors.spanned(
                            &attr,
                            format!("#[{}] takes no widget: it runs {when}", event.attr()),
                        );
                        continue;
                    }
                    None
                }
                Ok(w) => Some(w),
                Err(_) => {
                    errors.spanned(
                        &attr,
                        format!(
                            "expected one widget name: `#[{}(widget_field)]`",
                            event.attr()
                        ),
                    );
                    continue;
                }
            };
            if let Some(mut h) = handler(method, event, widget, errors) {
                if let Some(attr) = &blocking {
                    if h.is_async {
                        errors.spanned(
                            attr,
                            "#[blocking] is for a plain `fn` that computes or blocks; an `async fn` should await instead (or call tokio::task::spawn_blocking)",
                        );
                    }
                    h.blocking = true;
                }
                h.requires = requires.as_ref().map(|(_, r)| r.clone());
                handlers.push(h);
            }
        }
        if let (Some(attr), false) = (&blocking, had_events) {
            errors.spanned(
                attr,
                "#[blocking] goes on a handler: a method with #[on_click], #[on_change] or #[on_message]",
            );
        }
    }
    Handlers { item, handlers }
}

fn handler(
    method: &syn::ImplItemFn,
    event: EventKind,
    widget: Option<Ident>,
    errors: &mut Errors,
) -> Option<Handler> {
    let sig = &method.sig;
    let expected = "a handler looks like `fn name(&mut self)` or `async fn name(&mut self, ctx: &Session)`, optionally returning `Result<(), E>`";
    let mut ok = true;
    if !sig.generics.params.is_empty() {
        errors.spanned(
            &sig.generics,
            format!("a handler cannot be generic; {expected}"),
        );
        ok = false;
    }
    if let Some(c) = &sig.constness {
        errors.spanned(c, format!("a handler cannot be `const`; {expected}"));
        ok = false;
    }
    let mut inputs = sig.inputs.iter();
    match inputs.next() {
        Some(FnArg::Receiver(r)) if r.reference.is_some() => {}
        Some(FnArg::Receiver(r)) => {
            errors.spanned(
                r,
                format!("a handler borrows the app: use `&mut self`; {expected}"),
            );
            ok = false;
        }
        Some(FnArg::Typed(t)) => {
            errors.spanned(
                t,
                format!("a handler is a method: its first parameter is `&mut self`; {expected}"),
            );
            ok = false;
        }
        None => {
            errors.spanned(
                &sig.ident,
                format!("a handler is a method: it needs `&mut self`; {expected}"),
            );
            ok = false;
        }
    }
    let mut params = Vec::new();
    for input in inputs {
        let FnArg::Typed(t) = input else { continue };
        let ty = (*t.ty).clone();
        if is_resource(&ty) {
            params.push(Param::Resource(ty));
            continue;
        }
        let is_ref = matches!(ty, Type::Reference(_));
        let has_ctx = params.iter().any(|p| matches!(p, Param::Ctx(_)));
        let has_msg = params.iter().any(|p| matches!(p, Param::Message(_)));
        if is_ref && !has_ctx {
            params.push(Param::Ctx(ty));
        } else if !is_ref && takes_message(event) && !has_msg {
            params.push(Param::Message(ty));
        } else if !is_ref && !takes_message(event) {
            errors.spanned(
                t,
                format!(
                    "a handler cannot take `{}`: besides `self` it takes the session context `ctx: &Session`, shared resources `Res<T>` (and, with #[on_message], the message); {expected}",
                    quote::ToTokens::to_token_stream(&ty).to_string().replace(' ', "")
                ),
            );
            ok = false;
        } else {
            let what = if takes_message(event) {
                "besides `self`, a message handler takes the session context `&Session` and the message (any type that implements Deserialize)"
            } else {
                "a handler takes at most one parameter besides `self`, the session context `&Session`"
            };
            errors.spanned(t, format!("{what}; {expected}"));
            ok = false;
        }
    }
    let output = match &sig.output {
        syn::ReturnType::Default => None,
        syn::ReturnType::Type(_, ty) => Some((**ty).clone()),
    };
    ok.then(|| Handler {
        method: sig.ident.clone(),
        event,
        widget,
        is_async: sig.asyncness.is_some(),
        params,
        output,
        blocking: false,
        requires: None,
        touches: touched_fields(method.block.to_token_stream()),
    })
}

/// The fields a handler body reaches through `self.<field>` (not followed by `(`: a method
/// call). `None` as soon as `self` appears any other way (`self.method()`, `f(self)`,
/// `&mut *self`), since then anything may change. Macro arguments are scanned as tokens too.
pub fn touched_fields(body: TokenStream) -> Option<Vec<String>> {
    fn walk(tokens: TokenStream, fields: &mut Vec<String>) -> bool {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                TokenTree::Ident(id) if id == "self" => {
                    let dot = matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '.' && p.spacing() == proc_macro2::Spacing::Alone);
                    let field = match tokens.get(i + 2) {
                        Some(TokenTree::Ident(f)) if dot => Some(f.to_string()),
                        _ => None,
                    };
                    let call = matches!(tokens.get(i + 3), Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Parenthesis);
                    let turbofish = matches!(tokens.get(i + 3), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                    match field {
                        Some(f) if !call && !turbofish => {
                            if !fields.contains(&f) {
                                fields.push(f);
                            }
                            i += 3;
                            continue;
                        }
                        _ => return false,
                    }
                }
                TokenTree::Group(g) if !walk(g.stream(), fields) => return false,
                _ => {}
            }
            i += 1;
        }
        true
    }
    let mut fields = Vec::new();
    walk(body, &mut fields).then_some(fields)
}

fn path_name(p: &syn::Path) -> String {
    p.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

/// `a`, `b`, `c` for messages.
pub fn list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The text of `///` comments among `attrs`, one line each, trimmed; empty without any.
pub fn doc_of(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, c)| *d <= (c.len().max(name.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;
    use syn::parse_quote;

    #[test]
    fn a_handler_touches_the_fields_it_names_through_self() {
        let t = |body: TokenStream| touched_fields(body);
        assert_eq!(
            t(quote!({
                self.counter.value += 1.0;
                let x = self.step;
                format!("{}", self.label.value);
            })),
            Some(vec![
                "counter".to_owned(),
                "step".to_owned(),
                "label".to_owned()
            ])
        );
        assert_eq!(
            t(quote!({
                self.table.push_row(1);
            })),
            Some(vec!["table".to_owned()])
        );
        for anything in [
            quote!({
                self.show(1);
            }),
            quote!({
                ctx.push(self);
            }),
            quote!({
                let me = &mut *self;
            }),
            quote!({ Self::helper(self) }),
            quote!({
                self.generic::<u8>();
            }),
            quote!({
                if x {
                    helper!(self)
                }
            }),
        ] {
            assert_eq!(t(anything.clone()), None, "{anything}");
        }
    }

    #[test]
    fn parses_app_model() {
        let mut errors = Errors::default();
        let item: ItemStruct = parse_quote! {
            struct Counter {
                #[widget(label = "Counter:")]
                counter: Number,
                #[widget(label = "Go", disabled)]
                go: Button,
            }
        };
        let app = app(quote!(template = "index.html"), item, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(app.template.unwrap().value(), "index.html");
        assert_eq!(app.widgets.len(), 2);
        assert_eq!(app.widgets[1].attrs[1].key, "disabled");
        // the consumed attributes are gone from the item
        assert!(app.item.fields.iter().all(|f| f.attrs.is_empty()));
    }

    #[test]
    fn rejects_unknown_and_duplicate_keys() {
        let mut errors = Errors::default();
        let item: ItemStruct = parse_quote! {
            struct A { #[widget(labl = "x", value = 1, value = 2)] n: Number }
        };
        app(quote!(template = "i.html", colour = 1), item, &mut errors);
        let messages = errors.messages();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("`colour`"));
        assert!(messages[1].contains("did you mean `label`"));
        assert!(messages[2].contains("duplicate attribute key `value`"));
    }

    #[test]
    fn parses_handlers() {
        let mut errors = Errors::default();
        let item: ItemImpl = parse_quote! {
            impl Counter {
                #[on_click(increment)]
                fn increment(&mut self) {}
                #[on_change(selection)]
                async fn selected(&mut self, ctx: &Session) -> Result<(), String> { Ok(()) }
                fn helper(&self) {}
            }
        };
        let h = handlers(item, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(h.handlers.len(), 2);
        assert_eq!(h.handlers[0].event, EventKind::Click);
        assert!(h.handlers[1].is_async && matches!(h.handlers[1].params[..], [Param::Ctx(_)]));
        assert!(h.handlers[1].output.is_some());
    }

    #[test]
    fn rejects_bad_signatures() {
        let mut errors = Errors::default();
        let item: ItemImpl = parse_quote! {
            impl Counter {
                #[on_click(a)] fn by_value(self) {}
                #[on_click(a)] fn no_self() {}
                #[on_click(a)] fn too_many(&mut self, a: &Session, b: u8) {}
                #[on_click(a)] fn generic<T>(&mut self) {}
            }
        };
        let h = handlers(item, &mut errors);
        assert_eq!(h.handlers.len(), 0);
        assert_eq!(errors.messages().len(), 4);
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(closest("countr", ["counter", "increment"]), Some("counter"));
        assert_eq!(closest("zzz", ["counter", "increment"]), None);
    }
}
