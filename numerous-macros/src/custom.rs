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
    /// Its name in what the module gets (`#[serde(rename)]`, else the struct's `rename_all`
    /// applied); `None` when it is not sent (`skip_serializing`).
    pub read: Option<String>,
    /// The names the browser may write it under: `#[input]` fields that are read, their
    /// name when received and its aliases.
    pub write: Vec<String>,
    pub ty: Type,
    pub doc: String,
    /// `skip_serializing_if`: it may be missing.
    pub optional: bool,
}

impl ModelField {
    /// The name the declaration and messages use.
    pub fn name(&self) -> &str {
        self.read
            .as_deref()
            .or(self.write.first().map(String::as_str))
            .unwrap_or_default()
    }

    /// The browser may write it.
    pub fn input(&self) -> bool {
        !self.write.is_empty()
    }
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
                    (_, known) if KEYS.contains(&known) => {
                        let usage = match known {
                            "kind" => "`kind = \"my-kind\"`",
                            "module" => "`module = \"widgets/my_widget.js\"`",
                            "css" => "`css = \"widgets/my_widget.css\"`",
                            "types" => "`types` or `types = \"folder\"`",
                            _ => "without a value",
                        };
                        errors.spanned(&meta, format!("`{known}` is written {usage}"));
                    }
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
    let outer = serde_of(&item.attrs);
    let rename_all = outer.rename_all.clone();
    if outer.unknown {
        model.names_known = false;
    }
    // `#[serde(tag = "..")]` sends the struct's name under that key.
    let tag = outer.tag.clone();
    match &mut item.fields {
        Fields::Named(named) => {
            for field in &mut named.named {
                let before = field.attrs.len();
                field.attrs.retain(|a| !a.path().is_ident("input"));
                let input = field.attrs.len() != before;
                let mut serde_attrs: Vec<syn::Attribute> = field
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
                let own = ident.to_string().trim_start_matches("r#").to_owned();
                let ruled = |rule: &Option<String>| match rule {
                    Some(rule) => rename_field(&own, rule),
                    None => Some(own.clone()),
                };
                let (Some(read_ruled), Some(write_ruled)) =
                    (ruled(&rename_all.serialize), ruled(&rename_all.deserialize))
                else {
                    model.names_known = false;
                    continue;
                };
                let read = serde.rename_ser.clone().unwrap_or(read_ruled);
                let write = serde.rename_de.clone().unwrap_or(write_ruled);
                if input {
                    // What the browser writes is read by a struct of its own, which has not
                    // the struct's attributes: the name `rename_all` gives goes on the field.
                    if serde.rename_de.is_none() && rename_all.deserialize.is_some() {
                        serde_attrs.push(syn::parse_quote!(#[serde(rename = #write)]));
                    }
                    // `null` written to an `Option` field is a value, not "not written".
                    if !serde.with {
                        serde_attrs.push(syn::parse_quote!(
                            #[serde(deserialize_with = "::numerous::__private::written")]
                        ));
                    }
                    model
                        .inputs
                        .push((ident.clone(), field.ty.clone(), serde_attrs));
                }
                if serde.flatten {
                    continue;
                }
                let mut writes = Vec::new();
                if input && !serde.skip_de {
                    writes.push(write);
                    writes.extend(serde.aliases.iter().cloned());
                }
                let field_model = ModelField {
                    read: (!serde.skip_ser).then_some(read),
                    write: writes,
                    ty: field.ty.clone(),
                    doc: crate::parse::doc_of(&field.attrs),
                    optional: serde.optional,
                };
                if field_model.read.is_none() && !field_model.input() {
                    continue;
                }
                if let Some(other) = model.fields.iter().find(|f| {
                    f.read.is_some() && f.read == field_model.read
                        || f.write.iter().any(|w| field_model.write.contains(w))
                }) {
                    errors.spanned(
                        &ident,
                        format!(
                            "two fields are `{}` in JSON (this one and `{}`'s): the module could not tell them apart",
                            field_model.name(),
                            other.name()
                        ),
                    );
                    continue;
                }
                model.fields.push(field_model);
            }
        }
        other => errors.spanned(other, "a widget's state is a struct with named fields"),
    }
    if let Some(tag) = tag {
        model.fields.push(ModelField {
            read: Some(tag),
            write: Vec::new(),
            ty: syn::parse_quote!(String),
            doc: "The struct's name (`#[serde(tag)]`).".to_owned(),
            optional: false,
        });
    }
    model.item = item;
    model
}

/// What the `#[serde(..)]` attributes of a field or of the struct say about names.
#[derive(Default)]
struct SerdeNames {
    /// `rename = ".."` or `rename(serialize = "..")`.
    rename_ser: Option<String>,
    /// `rename = ".."` or `rename(deserialize = "..")`.
    rename_de: Option<String>,
    aliases: Vec<String>,
    /// The struct's `rename_all`, per direction.
    rename_all: PerDirection,
    tag: Option<String>,
    skip_ser: bool,
    skip_de: bool,
    flatten: bool,
    optional: bool,
    /// Something that decides names this macro does not follow: the JSON names are not
    /// all known here.
    unknown: bool,
    /// Its own `with` or `deserialize_with`.
    with: bool,
}

/// A `rename_all` rule per direction.
#[derive(Default, Clone)]
struct PerDirection {
    serialize: Option<String>,
    deserialize: Option<String>,
}

fn serde_of(attrs: &[syn::Attribute]) -> SerdeNames {
    let mut out = SerdeNames::default();
    let text = |value: &Expr| match value {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    };
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let parsed = a.parse_nested_meta(|m| {
            let key = m
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            if m.input.peek(Token![=]) {
                let value: Expr = m.value()?.parse()?;
                let value = text(&value);
                match key.as_str() {
                    "rename" => {
                        out.rename_ser.clone_from(&value);
                        out.rename_de = value;
                    }
                    "rename_all" => {
                        out.rename_all = PerDirection {
                            serialize: value.clone(),
                            deserialize: value,
                        };
                    }
                    "alias" => out.aliases.extend(value),
                    "tag" => out.tag = value,
                    "skip_serializing_if" => out.optional = true,
                    "with" | "deserialize_with" => out.with = true,
                    // `content` (with `tag`, for enums), `remote`, `from`, `into`, ...: the
                    // names are not this macro's to know.
                    "content" | "remote" | "from" | "try_from" | "into" => out.unknown = true,
                    _ => {}
                }
            } else if m.input.peek(syn::token::Paren) {
                let mut both = PerDirection::default();
                m.parse_nested_meta(|inner| {
                    let value: Expr = inner.value()?.parse()?;
                    if inner.path.is_ident("serialize") {
                        both.serialize = text(&value);
                    } else if inner.path.is_ident("deserialize") {
                        both.deserialize = text(&value);
                    }
                    Ok(())
                })?;
                match key.as_str() {
                    "rename" => {
                        out.rename_ser = both.serialize;
                        out.rename_de = both.deserialize;
                    }
                    "rename_all" => out.rename_all = both,
                    _ => {}
                }
            } else {
                match key.as_str() {
                    "skip" => (out.skip_ser, out.skip_de) = (true, true),
                    "skip_serializing" => out.skip_ser = true,
                    "skip_deserializing" => out.skip_de = true,
                    "flatten" => {
                        out.flatten = true;
                        out.unknown = true;
                    }
                    "transparent" | "untagged" => out.unknown = true,
                    _ => {}
                }
            }
            Ok(())
        });
        if parsed.is_err() {
            out.unknown = true;
        }
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
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
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
                .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
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
        && errors.is_empty()
        // Only into the crates being built on purpose: not a dependency's source (the
        // registry's, a vendored one), which may be read-only and is not yours to change.
        && std::env::var_os("CARGO_PRIMARY_PACKAGE").is_some()
    {
        write_types(model, types, &root, &module.value(), errors);
    }
    files
}

/// Writes the declaration of the model, when it differs from the file's (an unchanged file
/// is not touched): never over a file it did not write, nor over another widget's.
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
    let mut refuse = |message: String| match types {
        Types::BesideModule(key) => errors.spanned(key, message),
        Types::Folder(dir) => errors.spanned(dir, message),
    };
    if let Ok(old) = std::fs::read_to_string(&path) {
        let old = old.replace("\r\n", "\n");
        if old == text {
            return;
        }
        match crate::typescript::written_for(&old) {
            None => {
                return refuse(format!(
                    "`{}` exists and was not written by #[numerous::widget(types)]: it is left as it is; `types = \"folder\"` writes the declaration elsewhere",
                    path.display()
                ));
            }
            Some(other) if model.item.ident != other => {
                return refuse(format!(
                    "`{}` is the declaration of `{other}`'s model, whose module this is too: give one of them `types = \"folder\"`",
                    path.display()
                ));
            }
            Some(_) => {}
        }
    }
    // Written beside, then moved: an editor never reads half a file.
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&tmp, &text))
        .and_then(|()| std::fs::rename(&tmp, &path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        refuse(format!(
            "cannot write the model's declaration to `{}`: {e}",
            path.display()
        ));
    }
}

/// Reports each name the module uses that the struct does not have, each write of a field
/// the browser may not write, and messages sent to a widget that takes none: at the module's
/// path, with the module's line and column.
fn check_module(model: &CustomWidget, lit: &LitStr, source: &str, errors: &mut Errors) {
    let name = &model.item.ident;
    let fields = || {
        let mut names: Vec<&str> = Vec::new();
        for f in &model.fields {
            for n in f.read.iter().chain(&f.write) {
                if !names.contains(&n.as_str()) {
                    names.push(n);
                }
            }
        }
        names
    };
    let off = "— `unchecked` in #[numerous::widget(..)] turns this check off";
    let unknown = |what: String, field: &str| {
        let hint = match crate::parse::closest(field, fields()) {
            Some(close) => format!("did you mean `{close}`?"),
            None if model.fields.is_empty() => format!("`{name}` has no fields"),
            None => format!("its fields: {}", crate::parse::list(&fields())),
        };
        format!("{what}, which is not a field of `{name}`: {hint} {off}")
    };
    let readable = |field: &str| {
        model
            .fields
            .iter()
            .any(|f| f.read.as_deref() == Some(field))
    };
    let writable = |field: &str| {
        model
            .fields
            .iter()
            .any(|f| f.write.iter().any(|w| w == field))
    };
    let mut sent = false;
    for u in crate::js::model_uses(source) {
        let at = format!("`{}:{}:{}`", lit.value(), u.line, u.column);
        let message = match u.access {
            Access::Listen => {
                let Some(field) = u.name.strip_prefix("change:") else {
                    continue;
                };
                if field.contains(char::is_whitespace) {
                    format!(
                        "{at}: the module listens to `{}`: numerous's `model.on` takes one event at a time (`model.on(\"change:a\", f); model.on(\"change:b\", f)`) {off}",
                        u.name
                    )
                } else if readable(field) || !model.names_known {
                    continue;
                } else {
                    unknown(format!("{at}: the module listens to `{}`", u.name), field)
                }
            }
            Access::Send => {
                if model.messages || std::mem::replace(&mut sent, true) {
                    continue;
                }
                format!(
                    "{at}: the module sends messages (`model.send`), which `{name}` does not take: add `messages` to #[numerous::widget(..)] and handle them with #[on_message] {off}"
                )
            }
            Access::Get => {
                if readable(&u.name) || !model.names_known {
                    continue;
                }
                unknown(format!("{at}: the module reads `{}`", u.name), &u.name)
            }
            Access::Set if writable(&u.name) => continue,
            Access::Set if readable(&u.name) => {
                let inputs: Vec<&str> = model
                    .fields
                    .iter()
                    .flat_map(|f| f.write.iter().map(String::as_str))
                    .collect();
                let may = if inputs.is_empty() {
                    format!("`{name}` has none")
                } else {
                    format!("it may write {}", crate::parse::list(&inputs))
                };
                format!(
                    "{at}: the module writes `{}`, which the browser may not write: mark the field `#[input]` ({may}) {off}",
                    u.name
                )
            }
            Access::Set => {
                if !model.names_known {
                    continue;
                }
                unknown(format!("{at}: the module writes `{}`", u.name), &u.name)
            }
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
    let documented = || {
        model
            .fields
            .iter()
            .filter(|f| f.input() && !f.doc.is_empty())
    };
    let doc_names: Vec<_> = documented().map(|f| &f.write[0]).collect();
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

    #[test]
    fn reads_and_writes_follow_serde_both_ways() {
        let item: ItemStruct = parse_quote! {
            #[serde(rename_all = "camelCase", tag = "type")]
            struct W {
                #[input] max_value: f64,
                #[input] #[serde(skip_serializing)] secret: String,
                #[input] #[serde(skip_deserializing)] shown: String,
                #[input] #[serde(alias = "old_name")] new_name: String,
                #[serde(rename(serialize = "out", deserialize = "in"))] both: u8,
            }
        };
        let m = checked(
            item,
            quote!(module = "w.js"),
            "model.set('maxValue', 1); model.set('secret', 'x'); model.get('shown'); \
             model.set('old_name', 'y'); model.set('newName', 'z'); model.get('out'); model.get('type'); \
             model.set('shown', 'no'); model.get('secret'); model.get('in');",
        );
        assert_eq!(m.len(), 3, "{m:#?}");
        assert!(
            m[0].contains("writes `shown`, which the browser may not write"),
            "{}",
            m[0]
        );
        assert!(m[1].contains("reads `secret`"), "{}", m[1]);
        assert!(m[2].contains("reads `in`"), "{}", m[2]);
    }

    #[test]
    fn two_fields_of_one_json_name_and_keys_in_the_wrong_form_are_refused() {
        let mut errors = Errors::default();
        let item: ItemStruct = parse_quote! {
            struct W { a: u8, #[serde(rename = "a")] b: u8 }
        };
        parse(
            quote!(module = "w.js", types("d"), unchecked = true),
            item,
            &mut errors,
        );
        let m = errors.messages();
        assert_eq!(m.len(), 3, "{m:#?}");
        assert_eq!(m[0], "`types` is written `types` or `types = \"folder\"`");
        assert_eq!(m[1], "`unchecked` is written without a value");
        assert!(m[2].starts_with("two fields are `a` in JSON"), "{}", m[2]);
    }

    #[test]
    fn events_are_one_at_a_time() {
        let item: ItemStruct = parse_quote!(
            struct W {
                a: u8,
                b: u8,
            }
        );
        let m = checked(
            item,
            quote!(module = "w.js"),
            "model.on('change:a change:b', f);",
        );
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("takes one event at a time"), "{}", m[0]);
    }

    #[test]
    fn a_declaration_is_written_only_over_its_own() {
        let dir = std::env::temp_dir().join(format!("numerous-types-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("w")).unwrap();
        let widget = |name: &str| {
            let mut errors = Errors::default();
            let item: ItemStruct = syn::parse_str(&format!("struct {name} {{ a: u8 }}")).unwrap();
            let w = parse(quote!(module = "w/x.mjs", types), item, &mut errors);
            assert!(errors.is_empty());
            w
        };
        let write = |w: &CustomWidget| {
            let mut errors = Errors::default();
            write_types(w, w.types.as_ref().unwrap(), &dir, "w/x.mjs", &mut errors);
            errors.messages()
        };
        let path = dir.join("w/x.d.mts");
        let first = widget("First");
        assert!(write(&first).is_empty());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("// The model of the `first` widget (`First`)"));
        // Unchanged: not touched (a read-only file stays as it is).
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&path, perms.clone()).unwrap();
        assert!(write(&first).is_empty());
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(&path, perms).unwrap();
        // Another widget of the same module: refused, the file kept.
        let m = write(&widget("Second"));
        assert!(
            m[0].contains("is the declaration of `First`'s model"),
            "{m:?}"
        );
        // A file of someone else's: refused, kept.
        std::fs::write(&path, "export type Mine = 1;\n").unwrap();
        let m = write(&first);
        assert!(
            m[0].contains("was not written by #[numerous::widget(types)]"),
            "{m:?}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "export type Mine = 1;\n"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
