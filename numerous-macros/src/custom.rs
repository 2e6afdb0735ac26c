//! `#[numerous::widget(..)]`: a custom widget declared in the user's crate, with its own ES
//! module and stylesheet embedded at compile time.
//!
//! Parsed into [`CustomWidget`], checked (files exist), expanded into serde derives and a
//! `Widget` impl whose `Input` holds the fields marked `#[input]`.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, Fields, Ident, ItemStruct, LitStr, Meta, Token, Type};

use crate::errors::Errors;
use crate::js::Access;

const KEYS: &[&str] = &[
    "kind",
    "module",
    "css",
    "messages",
    "isolated",
    "unchecked",
    "types",
];

/// The model of a custom widget.
#[derive(Debug)]
pub struct CustomWidget {
    pub item: ItemStruct,
    pub kind: String,
    pub module: Option<LitStr>,
    pub css: Option<LitStr>,
    pub messages: bool,
    /// Rendered in a shadow root, its stylesheet inside it.
    pub isolated: bool,
    /// The module's use of the model is not checked against the fields (`unchecked`).
    pub unchecked: bool,
    /// Where to write the TypeScript declaration of the model (`types`, `types = "dir"`).
    pub types: Option<Types>,
    /// Fields marked `#[input]`, with their `#[serde(..)]` attributes (a `rename` must hold
    /// for what the browser writes too).
    pub inputs: Vec<(Ident, Type, Vec<syn::Attribute>)>,
    /// The state as the module sees it, in declaration order.
    pub fields: Vec<ModelField>,
    /// Whether `fields` names every field as serde does (not with `flatten`, or a rename
    /// that differs between directions).
    pub names_known: bool,
}

/// Where the declaration of a custom widget's model goes.
#[derive(Debug)]
pub enum Types {
    /// `types`: beside the module, as `<module stem>.d.ts`.
    BesideModule(Ident),
    /// `types = "dir"`: as `dir/<kind>.d.ts`.
    Folder(LitStr),
}

/// One field of a custom widget's state, as its module sees it.
#[derive(Debug)]
pub struct ModelField {
    /// Its name in JSON: `#[serde(rename)]`, else the struct's `rename_all` applied.
    pub name: String,
    pub ty: Type,
    /// Marked `#[input]`: the browser may write it.
    pub input: bool,
    pub doc: String,
    /// `skip_serializing_if`: it may be missing.
    pub optional: bool,
}

pub fn parse(args: TokenStream, mut item: ItemStruct, errors: &mut Errors) -> CustomWidget {
    let mut model = CustomWidget {
        kind: kebab(&item.ident.to_string()),
        module: None,
        css: None,
        messages: false,
        isolated: false,
        unchecked: false,
        types: None,
        inputs: Vec::new(),
        fields: Vec::new(),
        names_known: true,
        item: item.clone(),
    };
    match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args) {
        Ok(metas) => {
            for meta in metas {
                let name = meta
                    .path()
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                match (&meta, name.as_str()) {
                    (Meta::Path(_), "messages") => model.messages = true,
                    (Meta::Path(_), "isolated") => model.isolated = true,
                    (Meta::Path(_), "unchecked") => model.unchecked = true,
                    (Meta::Path(p), "types") => {
                        model.types = p.get_ident().cloned().map(Types::BesideModule);
                    }
                    (Meta::NameValue(nv), "kind" | "module" | "css" | "types") => match &nv.value {
                        Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s),
                            ..
                        }) => match name.as_str() {
                            "kind" => model.kind = s.value(),
                            "module" => model.module = Some(s.clone()),
                            "types" => model.types = Some(Types::Folder(s.clone())),
                            _ => model.css = Some(s.clone()),
                        },
                        other => errors.spanned(other, format!("`{name}` takes a string literal")),
                    },
                    _ => errors.spanned(
                        meta.path(),
                        format!(
                            "unsupported attribute key `{name}`; #[numerous::widget] supports: {}",
                            crate::parse::list(KEYS)
                        ),
                    ),
                }
            }
        }
        Err(e) => errors.push(e),
    }
    if model.module.is_none() {
        errors.spanned(
            &item.ident,
            "a custom widget needs its ES module: #[numerous::widget(module = \"widgets/my_widget.js\")]",
        );
    }
    let rename_all = serde_of(&item.attrs).rename_all;
    if rename_all == Some(None) {
        model.names_known = false;
    }
    match &mut item.fields {
        Fields::Named(named) => {
            for field in &mut named.named {
                let before = field.attrs.len();
                field.attrs.retain(|a| !a.path().is_ident("input"));
                let input = field.attrs.len() != before;
                let serde_attrs: Vec<syn::Attribute> = field
                    .attrs
                    .iter()
                    .filter(|a| a.path().is_ident("serde"))
                    .cloned()
                    .collect();
                let ident = field.ident.clone().expect("named");
                let serde = serde_of(&serde_attrs);
                if serde.unknown {
                    model.names_known = false;
                }
                if input {
                    model
                        .inputs
                        .push((ident.clone(), field.ty.clone(), serde_attrs));
                }
                if serde.skip {
                    continue;
                }
                let own = ident.to_string().trim_start_matches("r#").to_owned();
                let name = match (serde.rename, rename_all.clone().flatten()) {
                    (Some(name), _) => name,
                    (None, Some(rule)) => rename_field(&own, &rule).unwrap_or_else(|| {
                        model.names_known = false;
                        own.clone()
                    }),
                    (None, None) => own,
                };
                model.fields.push(ModelField {
                    name,
                    ty: field.ty.clone(),
                    input,
                    doc: crate::parse::doc_of(&field.attrs),
                    optional: serde.optional,
                });
            }
        }
        other => errors.spanned(other, "a widget's state is a struct with named fields"),
    }
    model.item = item;
    model
}

/// What the `#[serde(..)]` attributes of a field or of the struct say about names.
#[derive(Default)]
struct SerdeNames {
    rename: Option<String>,
    /// The struct's `rename_all`: `Some(None)` when it differs between directions.
    rename_all: Option<Option<String>>,
    skip: bool,
    optional: bool,
    /// `flatten`, or a `rename(..)` per direction: the JSON names are not known here.
    unknown: bool,
}

fn serde_of(attrs: &[syn::Attribute]) -> SerdeNames {
    let mut out = SerdeNames::default();
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|m| {
            let key = m
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            if m.input.peek(Token![=]) {
                let value: Expr = m.value()?.parse()?;
                let text = match &value {
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => Some(s.value()),
                    _ => None,
                };
                match key.as_str() {
                    "rename" => out.rename = text,
                    "rename_all" => out.rename_all = Some(text),
                    "skip_serializing_if" => out.optional = true,
                    _ => {}
                }
            } else if m.input.peek(syn::token::Paren) {
                let inner;
                syn::parenthesized!(inner in m.input);
                let _: TokenStream = inner.parse()?;
                match key.as_str() {
                    "rename" => out.unknown = true,
                    "rename_all" => out.rename_all = Some(None),
                    _ => {}
                }
            } else {
                match key.as_str() {
                    "skip" | "skip_serializing" => out.skip = true,
                    "flatten" => out.unknown = true,
                    _ => {}
                }
            }
            Ok(())
        });
    }
    out
}

/// A snake_case field name under serde's `rename_all` rule, as serde spells it.
fn rename_field(field: &str, rule: &str) -> Option<String> {
    let pascal = || {
        field
            .split('_')
            .map(|part| {
                let mut c = part.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<String>()
    };
    Some(match rule {
        "lowercase" | "snake_case" => field.to_owned(),
        "UPPERCASE" | "SCREAMING_SNAKE_CASE" => field.to_ascii_uppercase(),
        "PascalCase" => pascal(),
        "camelCase" => {
            let p = pascal();
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_lowercase().chain(c).collect())
                .unwrap_or_default()
        }
        "kebab-case" => field.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => field.replace('_', "-").to_ascii_uppercase(),
        _ => return None,
    })
}

/// Reads each file named by the widget, reporting a missing one at its path literal.
pub fn validate(model: &CustomWidget, errors: &mut Errors) -> Vec<(LitStr, PathBuf)> {
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    let mut files = Vec::new();
    for lit in model.module.iter().chain(&model.css) {
        let path = root.join(lit.value());
        if path.is_file() {
            if model.module.as_ref() == Some(lit)
                && let Ok(source) = std::fs::read_to_string(&path)
            {
                if let Some(spec) = relative_import(&source) {
                    errors.spanned(
                        lit,
                        format!(
                            "the module imports `{spec}`, a file beside it, which the browser cannot fetch: a custom widget is one embedded file; bundle it first (esbuild --bundle --format=esm), or import from a full URL"
                        ),
                    );
                }
                if !model.unchecked {
                    check_module(model, lit, &source, errors);
                }
            }
            files.push((lit.clone(), path));
        } else {
            errors.spanned(
                lit,
                format!(
                    "file not found: looked for `{}` next to the crate's Cargo.toml",
                    lit.value()
                ),
            );
        }
    }
    if let (Some(types), Some(module)) = (&model.types, &model.module)
        && files.iter().any(|(lit, _)| lit == module)
    {
        write_types(model, types, &root, &module.value(), errors);
    }
    files
}

/// Writes the declaration of the model, when it differs from the file's (an unchanged file
/// is not touched, so a read-only checkout builds).
fn write_types(
    model: &CustomWidget,
    types: &Types,
    root: &std::path::Path,
    module: &str,
    errors: &mut Errors,
) {
    let Some(path) = crate::typescript::path(model, root, module) else {
        return;
    };
    let import_as = match types {
        Types::BesideModule(_) => format!(
            "./{}",
            path.file_name()
                .map(|f| f
                    .to_string_lossy()
                    .replace(".d.mts", ".mjs")
                    .replace(".d.ts", ".js"))
                .unwrap_or_default()
        ),
        Types::Folder(_) => format!("<path to {}>.js", model.kind),
    };
    let text = crate::typescript::declaration(model, &import_as);
    if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
        return;
    }
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&path, &text));
    if let Err(e) = written {
        let message = format!(
            "cannot write the model's declaration to `{}`: {e}",
            path.display()
        );
        match types {
            Types::BesideModule(key) => errors.spanned(key, message),
            Types::Folder(dir) => errors.spanned(dir, message),
        }
    }
}

/// Reports each name the module uses that the struct does not have, each write of a field
/// the browser may not write, and messages sent to a widget that takes none: at the module's
/// path, with the module's line and column.
fn check_module(model: &CustomWidget, lit: &LitStr, source: &str, errors: &mut Errors) {
    let name = &model.item.ident;
    let fields = || model.fields.iter().map(|f| f.name.as_str());
    let off = "— `unchecked` in #[numerous::widget(..)] turns this check off";
    let unknown = |what: String, field: &str| {
        let hint = match crate::parse::closest(field, fields()) {
            Some(close) => format!("did you mean `{close}`?"),
            None if model.fields.is_empty() => format!("`{name}` has no fields"),
            None => format!(
                "its fields: {}",
                crate::parse::list(&fields().collect::<Vec<_>>())
            ),
        };
        format!("{what}, which is not a field of `{name}`: {hint} {off}")
    };
    let mut sent = false;
    for u in crate::js::model_uses(source) {
        let at = format!("`{}:{}:{}`", lit.value(), u.line, u.column);
        let field = match u.access {
            Access::Listen => match u.name.strip_prefix("change:") {
                Some(field) => field,
                None => continue,
            },
            Access::Send => {
                if !model.messages && !sent {
                    sent = true;
                    errors.spanned(
                        lit,
                        format!(
                            "{at}: the module sends messages (`model.send`), which `{name}` does not take: add `messages` to #[numerous::widget(..)] and handle them with #[on_message] {off}"
                        ),
                    );
                }
                continue;
            }
            Access::Get | Access::Set => u.name.as_str(),
        };
        let known = model.fields.iter().find(|f| f.name == field);
        let message = match (u.access, known) {
            (_, None) if !model.names_known => continue,
            (Access::Get, None) => unknown(format!("{at}: the module reads `{field}`"), field),
            (Access::Set, None) => unknown(format!("{at}: the module writes `{field}`"), field),
            (Access::Listen, None) => {
                unknown(format!("{at}: the module listens to `{}`", u.name), field)
            }
            (Access::Set, Some(f)) if !f.input => {
                let writable: Vec<&str> = model
                    .fields
                    .iter()
                    .filter(|f| f.input)
                    .map(|f| f.name.as_str())
                    .collect();
                let may = if writable.is_empty() {
                    format!("`{name}` has none")
                } else {
                    format!("it may write {}", crate::parse::list(&writable))
                };
                format!(
                    "{at}: the module writes `{field}`, which the browser may not write: mark the field `#[input]` ({may}) {off}"
                )
            }
            _ => continue,
        };
        errors.spanned(lit, message);
    }
}

/// The first `./` or `../` module a module imports (statically or with `import()`), if any.
fn relative_import(source: &str) -> Option<String> {
    crate::js::imports(source)
        .into_iter()
        .find(|spec| spec.starts_with("./") || spec.starts_with("../"))
}

pub fn expand(model: &CustomWidget, files: &[(LitStr, PathBuf)]) -> TokenStream {
    let p = quote!(::numerous::__private);
    let item = &model.item;
    let name = &item.ident;
    let kind = &model.kind;
    let text = |lit: &Option<LitStr>| match lit
        .as_ref()
        .and_then(|l| files.iter().find(|(f, _)| f.value() == l.value()))
    {
        Some((lit, path)) => {
            let path = path.display().to_string();
            quote_spanned!(lit.span()=> ::core::option::Option::Some(::core::include_str!(#path)))
        }
        None => quote!(::core::option::Option::None),
    };
    let isolated = model.isolated;
    let module = text(&model.module);
    let css = text(&model.css);
    let input = format_ident!("__Numerous{}Input", name);
    let in_idents: Vec<_> = model.inputs.iter().map(|(i, _, _)| i).collect();
    let in_tys: Vec<_> = model.inputs.iter().map(|(_, t, _)| t).collect();
    let in_attrs: Vec<_> = model.inputs.iter().map(|(_, _, a)| a).collect();
    let documented = || model.fields.iter().filter(|f| f.input && !f.doc.is_empty());
    let doc_names: Vec<_> = documented().map(|f| &f.name).collect();
    let doc_texts: Vec<_> = documented().map(|f| &f.doc).collect();
    let message = model.messages.then(|| {
        quote! {
            fn message(
                &mut self,
                _content: &#p::RawValue,
            ) -> ::core::result::Result<::core::option::Option<::numerous::Event>, ::numerous::InputError> {
                ::core::result::Result::Ok(::core::option::Option::Some(::numerous::Event::Message))
            }
        }
    });
    let emits_change =
        (!model.inputs.is_empty()).then(|| quote!(impl ::numerous::EmitsChange for #name {}));
    let emits_message = model
        .messages
        .then(|| quote!(impl ::numerous::EmitsMessage for #name {}));
    let serde = quote!(#p::serde);
    let serde_path = format!("{}", quote!(#p::serde)).replace(' ', "");
    quote! {
        #[derive(#serde::Serialize, #serde::Deserialize)]
        #[serde(crate = #serde_path, default)]
        #item

        const _: () = {
            #[derive(#serde::Deserialize)]
            #[serde(crate = #serde_path, deny_unknown_fields)]
            #[doc(hidden)]
            pub struct #input {
                #( #(#in_attrs)* #[serde(default)] #in_idents: ::core::option::Option<#in_tys>, )*
            }

            #[automatically_derived]
            impl ::numerous::Widget for #name {
                const KIND: &'static str = #kind;
                const MODULE: ::core::option::Option<&'static str> = #module;
                const CSS: ::core::option::Option<&'static str> = #css;
                const ISOLATED: bool = #isolated;
                const FIELD_DOCS: &'static [(&'static str, &'static str)] = &[ #( (#doc_names, #doc_texts), )* ];
                type Input = #input;

                fn apply(&mut self, __input: #input) -> ::core::result::Result<(), ::numerous::InputError> {
                    #( if let ::core::option::Option::Some(__v) = __input.#in_idents { self.#in_idents = __v; } )*
                    ::core::result::Result::Ok(())
                }

                #message
            }

            #emits_change
            #emits_message
        };
    }
}

/// `ChatBox` → `chat-box`: the default kind.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_relative_imports() {
        assert_eq!(
            relative_import("import { a } from \"./util.js\";\nexport default {}"),
            Some("./util.js".into())
        );
        assert_eq!(
            relative_import("const m = await import('../x.js');"),
            Some("../x.js".into())
        );
        assert_eq!(
            relative_import("import * as d3 from \"https://esm.sh/d3\";"),
            None
        );
        assert_eq!(relative_import("export default { render() {} }"), None);
    }
    use syn::parse_quote;

    #[test]
    fn parses_a_custom_widget() {
        let mut errors = Errors::default();
        let item: ItemStruct = parse_quote! {
            struct ChatBox { title: String, #[input] draft: String }
        };
        let w = parse(quote!(module = "w.js", messages), item, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(w.kind, "chat-box");
        assert!(w.messages);
        assert_eq!(w.inputs.len(), 1);
        assert!(w.item.fields.iter().all(|f| f.attrs.is_empty()));
    }

    #[test]
    fn needs_a_module_and_known_keys() {
        let mut errors = Errors::default();
        let item: ItemStruct = parse_quote!(
            struct W {
                a: u8,
            }
        );
        parse(quote!(modul = "w.js"), item, &mut errors);
        let m = errors.messages();
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].contains("unsupported attribute key `modul`"));
    }

    fn checked(item: ItemStruct, args: TokenStream, module: &str) -> Vec<String> {
        let mut errors = Errors::default();
        let w = parse(args, item, &mut errors);
        assert!(errors.is_empty(), "{:?}", errors.messages());
        check_module(
            &w,
            &LitStr::new("w.js", proc_macro2::Span::call_site()),
            module,
            &mut errors,
        );
        errors.messages()
    }

    #[test]
    fn a_module_is_checked_against_the_fields() {
        let item: ItemStruct = parse_quote! {
            struct Knob { value: f64, label: String, #[input] note: String }
        };
        let m = checked(
            item,
            quote!(module = "w.js"),
            "model.get(\"valeu\");\nmodel.set(\"label\", 1);\nmodel.on(\"change:nothing_like\", f);\nmodel.send({});\nmodel.set(\"note\", 2); model.on(\"msg:custom\", g); model.get(name);",
        );
        assert_eq!(m.len(), 4, "{m:#?}");
        assert!(m[0].starts_with("`w.js:1:11`: the module reads `valeu`, which is not a field of `Knob`: did you mean `value`?"), "{}", m[0]);
        assert!(m[1].starts_with("`w.js:2:11`: the module writes `label`, which the browser may not write: mark the field `#[input]` (it may write `note`)"), "{}", m[1]);
        assert!(m[2].starts_with("`w.js:3:10`: the module listens to `change:nothing_like`, which is not a field of `Knob`: its fields: `value`, `label`, `note`"), "{}", m[2]);
        assert!(
            m[3].starts_with("`w.js:4:7`: the module sends messages"),
            "{}",
            m[3]
        );
    }

    #[test]
    fn names_follow_serde() {
        let item: ItemStruct = parse_quote! {
            #[serde(rename_all = "camelCase")]
            struct W {
                max_value: f64,
                #[serde(rename = "lbl")] label: String,
                #[serde(skip)] cache: u8,
                #[input] #[serde(rename = "x-y")] x_y: u8,
            }
        };
        let m = checked(
            item,
            quote!(module = "w.js", messages),
            "model.get('maxValue'); model.get('lbl'); model.set('x-y', 1); model.send(1); model.get('cache'); model.get('max_value');",
        );
        assert_eq!(m.len(), 2, "{m:#?}");
        assert!(m[0].contains("reads `cache`"));
        assert!(
            m[1].contains(
                "reads `max_value`, which is not a field of `W`: did you mean `maxValue`?"
            ),
            "{}",
            m[1]
        );
        // With `flatten`, names not among the fields are not known to be wrong.
        let item: ItemStruct = parse_quote! {
            struct F { a: u8, #[serde(flatten)] rest: Other }
        };
        assert!(
            checked(
                item,
                quote!(module = "w.js"),
                "model.get('b'); model.set('a', 1);"
            )
            .len()
                == 1
        );
    }
}
