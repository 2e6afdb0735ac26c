//! `#[derive(numerous::Form)]`: a struct of plain values read at once from several widgets.
//!
//! Parsed into [`Form`] (each field's checks from `#[form(..)]`), every mistake collected as a
//! spanned error, expanded into `<Name>Fields` (a reference to the widget of each field) and a
//! `read` that calls `numerous::form::Reader` once per field. Which widget gives which type, and
//! what each check accepts, the runtime's traits decide (`FormField`, `check::Required`, ..):
//! a mismatch fails the build at the user's token with the runtime's message.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr, Meta, Token, Type};

use crate::errors::Errors;
use crate::parse::closest;

/// The keys `#[form(..)]` takes.
pub const KEYS: &[&str] = &[
    "required", "min", "max", "min_len", "max_len", "check", "message",
];

/// The model of a form.
pub struct Form {
    vis: syn::Visibility,
    ident: Ident,
    fields: Vec<Field>,
}

struct Field {
    ident: Ident,
    ty: Type,
    checks: Vec<Check>,
    message: Option<LitStr>,
}

enum Check {
    Required(proc_macro2::Span),
    Min(Expr),
    Max(Expr),
    MinLen(Expr),
    MaxLen(Expr),
    Custom(syn::Path),
}

pub fn parse(input: &syn::DeriveInput, errors: &mut Errors) -> Option<Form> {
    if !input.generics.params.is_empty() {
        errors.spanned(
            &input.generics,
            "a form cannot have generic parameters: its fields are the values the widgets give",
        );
    }
    let syn::Data::Struct(syn::DataStruct {
        fields: syn::Fields::Named(named),
        ..
    }) = &input.data
    else {
        errors.spanned(
            &input.ident,
            "#[derive(numerous::Form)] goes on a struct with named fields, one per widget: `struct NewExpense { title: String, amount: f64 }`",
        );
        return None;
    };
    let mut fields = Vec::new();
    for f in &named.named {
        let mut field = Field {
            ident: f.ident.clone().expect("named field"),
            ty: f.ty.clone(),
            checks: Vec::new(),
            message: None,
        };
        for attr in f.attrs.iter().filter(|a| a.path().is_ident("form")) {
            let metas = match attr
                .parse_args_with(syn::punctuated::Punctuated::<Meta, Token![,]>::parse_terminated)
            {
                Ok(m) => m,
                Err(e) => {
                    errors.push(syn::Error::new(
                        e.span(),
                        format!("#[form(..)] takes checks: {}", KEYS.join(", ")),
                    ));
                    continue;
                }
            };
            for meta in metas {
                check(&meta, &mut field, errors);
            }
        }
        fields.push(field);
    }
    Some(Form {
        vis: input.vis.clone(),
        ident: input.ident.clone(),
        fields,
    })
}

/// One `#[form(..)]` entry into `field`, or an error at it.
fn check(meta: &Meta, field: &mut Field, errors: &mut Errors) {
    let name = meta
        .path()
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default();
    let seen = |field: &Field| {
        field.checks.iter().any(|c| c.key() == name)
            || (name == "message" && field.message.is_some())
    };
    if KEYS.contains(&name.as_str()) && seen(field) {
        errors.spanned(meta.path(), format!("duplicate check `{name}`"));
        return;
    }
    match (meta, name.as_str()) {
        (Meta::Path(p), "required") => field.checks.push(Check::Required(p.span())),
        (Meta::NameValue(nv), "min" | "max") => match number(&nv.value) {
            Some(e) if name == "min" => field.checks.push(Check::Min(e)),
            Some(e) => field.checks.push(Check::Max(e)),
            None => errors.spanned(
                &nv.value,
                format!("`{name}` takes a number: `{name} = 0.01`"),
            ),
        },
        (Meta::NameValue(nv), "min_len" | "max_len") => match &nv.value {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(_),
                ..
            }) if name == "min_len" => field.checks.push(Check::MinLen(nv.value.clone())),
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(_),
                ..
            }) => field.checks.push(Check::MaxLen(nv.value.clone())),
            other => errors.spanned(
                other,
                format!("`{name}` takes a whole number of characters or items: `{name} = 80`"),
            ),
        },
        (Meta::NameValue(nv), "check") => match &nv.value {
            Expr::Path(p) => field.checks.push(Check::Custom(p.path.clone())),
            other => errors.spanned(
                other,
                "`check` names a function `fn(&T) -> Result<(), impl Display>`: `check = not_in_the_future`",
            ),
        },
        (Meta::NameValue(nv), "message") => match &nv.value {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => field.message = Some(s.clone()),
            other => errors.spanned(
                other,
                "`message` takes a string: what the user sees when any check of this field fails",
            ),
        },
        (_, known) if KEYS.contains(&known) => {
            let form = match known {
                "required" => "`required`".to_owned(),
                "check" => "`check = a_function`".to_owned(),
                "message" => "`message = \"..\"`".to_owned(),
                _ => format!("`{known} = ..`"),
            };
            errors.spanned(meta, format!("write it {form}"));
        }
        _ => {
            let hint = closest(&name, KEYS.iter().copied())
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            errors.spanned(
                meta.path(),
                format!(
                    "unknown check `{name}`{hint} #[form(..)] takes: {}",
                    KEYS.join(", ")
                ),
            );
        }
    }
}

/// `n` (a number literal, possibly negative: see [`number`]) as an `f64` literal, so the user's
/// `max = 10_000` is no cast in their code.
fn as_f64(n: &Expr) -> TokenStream {
    let (negative, lit) = match n {
        Expr::Unary(u) => (true, &*u.expr),
        other => (false, other),
    };
    let digits = match lit {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_digits().to_owned(),
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Float(f),
            ..
        }) => f.base10_digits().to_owned(),
        _ => unreachable!("checked by `number`"),
    };
    let mut value = proc_macro2::Literal::f64_suffixed(digits.parse().unwrap_or(f64::NAN));
    value.set_span(n.span());
    if negative {
        quote!(-#value)
    } else {
        quote!(#value)
    }
}

/// A number literal, possibly negative.
fn number(e: &Expr) -> Option<Expr> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(_) | syn::Lit::Float(_),
            ..
        }) => Some(e.clone()),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => number(&u.expr).map(|_| e.clone()),
        _ => None,
    }
}

impl Check {
    fn key(&self) -> &'static str {
        match self {
            Check::Required(_) => "required",
            Check::Min(_) => "min",
            Check::Max(_) => "max",
            Check::MinLen(_) => "min_len",
            Check::MaxLen(_) => "max_len",
            Check::Custom(_) => "check",
        }
    }

    /// The call that runs it on the value, spanned at the user's key so a type that cannot be
    /// checked so is reported there.
    fn call(&self) -> TokenStream {
        let c = quote!(::numerous::form::check);
        let span = match self {
            Check::Required(span) => *span,
            Check::Min(n) | Check::Max(n) | Check::MinLen(n) | Check::MaxLen(n) => n.span(),
            Check::Custom(p) => p.span(),
        };
        let v = Ident::new("__value", span);
        match self {
            Check::Required(_) => quote_spanned!(span=> #c::required(#v)?;),
            Check::Min(n) => {
                let n = as_f64(n);
                quote_spanned!(span=> #c::min(#v, #n)?;)
            }
            Check::Max(n) => {
                let n = as_f64(n);
                quote_spanned!(span=> #c::max(#v, #n)?;)
            }
            Check::MinLen(n) => quote_spanned!(span=> #c::min_len(#v, #n)?;),
            Check::MaxLen(n) => quote_spanned!(span=> #c::max_len(#v, #n)?;),
            // A call, not a function passed: a `fn(&str)` takes the `&String` by deref.
            Check::Custom(p) => quote_spanned!(span=> #c::custom(#p(#v))?;),
        }
    }
}

pub fn expand(form: &Form) -> TokenStream {
    let Form { vis, ident, fields } = form;
    let fields_ident = format_ident!("{ident}Fields");
    let doc = format!(
        "The widgets a [`{ident}`] is read from, one per field (`#[derive(numerous::Form)]`)."
    );
    let refs = fields.iter().map(|f| {
        let (name, ty) = (&f.ident, &f.ty);
        let doc = format!("The widget field `{name}` is read from.");
        quote_spanned! {ty.span()=>
            #[doc = #doc]
            #vis #name: &'a dyn ::numerous::form::FormField<#ty>,
        }
    });
    let reads = fields.iter().map(|f| {
        let (name, ty) = (&f.ident, &f.ty);
        let key = name.to_string();
        let checks = f.checks.iter().map(Check::call);
        let message = match &f.message {
            Some(m) => quote!(::core::option::Option::Some(#m)),
            None => quote!(::core::option::Option::None),
        };
        let local = format_ident!("__numerous_field_{name}");
        quote! {
            let #local = __numerous_form.field::<#ty, _>(#key, fields.#name, #message, |__value: &#ty| {
                #(#checks)*
                ::core::result::Result::Ok(())
            });
        }
    });
    let names = fields.iter().map(|f| &f.ident);
    let locals = fields
        .iter()
        .map(|f| format_ident!("__numerous_field_{}", f.ident));
    let read_doc = "Reads every field from its widget and checks it: each refused field gets its \
         message under its widget, each accepted one loses an old one. `Err` lists the refused \
         fields.";
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy)]
        #vis struct #fields_ident<'a> {
            #(#refs)*
        }

        impl #ident {
            #[doc = #read_doc]
            #vis fn read<A: ::numerous::App>(
                ctx: &::numerous::Session,
                app: &A,
                fields: #fields_ident<'_>,
            ) -> ::core::result::Result<Self, ::numerous::form::FormErrors> {
                let mut __numerous_form = ::numerous::form::Reader::new(ctx, app);
                #(#reads)*
                __numerous_form.finish()?;
                ::core::result::Result::Ok(Self {
                    #(#names: #locals.expect("a field the reader accepted"),)*
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(src: &str) -> Vec<String> {
        let input: syn::DeriveInput = syn::parse_str(src).unwrap();
        let mut errors = Errors::default();
        parse(&input, &mut errors);
        errors.messages()
    }

    #[test]
    fn every_mistake_is_named() {
        let e = errors_of(
            "struct F { #[form(requird, min = \"a\", max_len = 1.5, check = 3, message = 1, required, required)] a: String }",
        );
        assert!(
            e[0].contains("unknown check `requird`; did you mean `required`?"),
            "{e:?}"
        );
        assert!(e[1].contains("`min` takes a number"), "{e:?}");
        assert!(e[2].contains("`max_len` takes a whole number"), "{e:?}");
        assert!(e[3].contains("`check` names a function"), "{e:?}");
        assert!(e[4].contains("`message` takes a string"), "{e:?}");
        assert!(e[5].contains("duplicate check `required`"), "{e:?}");
        assert_eq!(e.len(), 6, "{e:?}");
        assert!(errors_of("enum F { A }")[0].contains("goes on a struct with named fields"));
        assert!(errors_of("struct F { #[form(min)] a: f64 }")[0].contains("write it `min = ..`"));
        assert!(errors_of("struct F { #[form(min = -1, max = 2.5)] a: f64 }").is_empty());
    }
}
