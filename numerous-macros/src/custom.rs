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

const KEYS: &[&str] = &["kind", "module", "css", "messages", "isolated"];

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
    /// Fields marked `#[input]`, with their `#[serde(..)]` attributes (a `rename` must hold
    /// for what the browser writes too).
    pub inputs: Vec<(Ident, Type, Vec<syn::Attribute>)>,
    /// The doc comments of the `#[input]` fields, by the name the browser writes.
    pub input_docs: Vec<(String, String)>,
}

pub fn parse(args: TokenStream, mut item: ItemStruct, errors: &mut Errors) -> CustomWidget {
    let mut model = CustomWidget {
        kind: kebab(&item.ident.to_string()),
        module: None,
        css: None,
        messages: false,
        isolated: false,
        inputs: Vec::new(),
        input_docs: Vec::new(),
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
                    (Meta::NameValue(nv), "kind" | "module" | "css") => match &nv.value {
                        Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s),
                            ..
                        }) => match name.as_str() {
                            "kind" => model.kind = s.value(),
                            "module" => model.module = Some(s.clone()),
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
    match &mut item.fields {
        Fields::Named(named) => {
            for field in &mut named.named {
                let before = field.attrs.len();
                field.attrs.retain(|a| !a.path().is_ident("input"));
                if field.attrs.len() != before {
                    let serde_attrs: Vec<syn::Attribute> = field
                        .attrs
                        .iter()
                        .filter(|a| a.path().is_ident("serde"))
                        .cloned()
                        .collect();
                    let ident = field.ident.clone().expect("named");
                    let doc = crate::parse::doc_of(&field.attrs);
                    if !doc.is_empty() {
                        model
                            .input_docs
                            .push((json_name(&ident, &serde_attrs), doc));
                    }
                    model.inputs.push((ident, field.ty.clone(), serde_attrs));
                }
            }
        }
        other => errors.spanned(other, "a widget's state is a struct with named fields"),
    }
    model.item = item;
    model
}

/// The name a field has in JSON: its `#[serde(rename = "..")]`, else its own (without `r#`).
/// A struct-wide `rename_all` is not followed (the doc of such a field is then not matched).
fn json_name(ident: &Ident, serde_attrs: &[syn::Attribute]) -> String {
    let mut name = ident.to_string().trim_start_matches("r#").to_owned();
    for a in serde_attrs {
        let _ = a.parse_nested_meta(|m| {
            if m.path.is_ident("rename") && m.input.peek(Token![=]) {
                let s: LitStr = m.value()?.parse()?;
                name = s.value();
            } else if m.input.peek(Token![=]) {
                let _: Expr = m.value()?.parse()?;
            } else if m.input.peek(syn::token::Paren) {
                let inner;
                syn::parenthesized!(inner in m.input);
                let _: proc_macro2::TokenStream = inner.parse()?;
            }
            Ok(())
        });
    }
    name
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
                && let Some(spec) = std::fs::read_to_string(&path)
                    .ok()
                    .and_then(|src| relative_import(&src))
            {
                errors.spanned(
                    lit,
                    format!(
                        "the module imports `{spec}`, a file beside it, which the browser cannot fetch: a custom widget is one embedded file; bundle it first (esbuild --bundle --format=esm), or import from a full URL"
                    ),
                );
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
    files
}

/// The first `./` or `../` module a module imports (statically or with `import()`), if any.
fn relative_import(source: &str) -> Option<String> {
    for marker in ["from", "import"] {
        let mut rest = source;
        while let Some(at) = rest.find(marker) {
            let after = rest[at + marker.len()..].trim_start();
            let after = after.strip_prefix('(').unwrap_or(after).trim_start();
            if let Some(quote) = after
                .chars()
                .next()
                .filter(|c| matches!(c, '"' | '\'' | '`'))
            {
                let spec: String = after[1..].chars().take_while(|c| *c != quote).collect();
                if spec.starts_with("./") || spec.starts_with("../") {
                    return Some(spec);
                }
            }
            rest = &rest[at + marker.len()..];
        }
    }
    None
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
    let doc_names: Vec<_> = model.input_docs.iter().map(|(n, _)| n).collect();
    let doc_texts: Vec<_> = model.input_docs.iter().map(|(_, d)| d).collect();
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
}
