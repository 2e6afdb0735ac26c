//! Entry points: parse, validate, expand; on error, the errors plus the user's item (fail soft).

mod app;
mod handlers;

use proc_macro2::TokenStream;
use quote::quote;

use crate::errors::Errors;
use crate::{custom, parse, validate};

pub fn widget(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: syn::ItemStruct = match syn::parse2(item) {
        Ok(i) => i,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                "#[numerous::widget] goes on a struct: the widget's state",
            )
            .to_compile_error();
        }
    };
    let mut errors = Errors::default();
    let model = custom::parse(args, item, &mut errors);
    let files = custom::validate(&model, &mut errors);
    let out = custom::expand(&model, &files);
    let errs = errors.to_compile_errors();
    quote!(#errs #out)
}

pub fn app(args: TokenStream, item: TokenStream) -> TokenStream {
    let item: syn::ItemStruct = match syn::parse2(item) {
        Ok(i) => i,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                "#[numerous::app] goes on a struct whose fields are the app's widgets",
            )
            .to_compile_error();
        }
    };
    let mut errors = Errors::default();
    let mut model = parse::app(args, item, &mut errors);
    if !matches!(model.item.fields, syn::Fields::Named(_)) {
        // Nothing sensible to generate: the struct and the error, no cascade.
        let (errs, item) = (errors.to_compile_errors(), &model.item);
        return quote!(#errs #item);
    }
    let template = validate::app(&mut model, &mut errors);
    let pages = validate::overrides(&model, &mut errors);
    let out = app::expand(&model, template.as_ref(), &pages);
    let errs = errors.to_compile_errors();
    quote!(#errs #out)
}

pub fn handlers(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    if !args.is_empty() {
        errors.spanned(&args, "#[numerous::handlers] takes no arguments");
    }
    let item: syn::ItemImpl = match syn::parse2(item) {
        Ok(i) => i,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                "#[numerous::handlers] goes on the app's impl block: `impl MyApp { .. }`",
            )
            .to_compile_error();
        }
    };
    let model = parse::handlers(item, &mut errors);
    let out = handlers::expand(&model);
    let errs = errors.to_compile_errors();
    quote!(#errs #out)
}

/// `#[on_click]` used outside an impl block marked `#[numerous::handlers]`.
/// `#[derive(Roles)]`: each unit variant is a role, named in snake case or by `#[role = ".."]`.
pub fn form(item: TokenStream) -> TokenStream {
    let input = match syn::parse2::<syn::DeriveInput>(item) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let mut errors = Errors::default();
    let out = crate::form::parse(&input, &mut errors)
        .map(|model| crate::form::expand(&model))
        .unwrap_or_default();
    let errs = errors.to_compile_errors();
    quote!(#errs #out)
}

pub fn roles(item: TokenStream) -> TokenStream {
    let input = match syn::parse2::<syn::DeriveInput>(item) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let syn::Data::Enum(data) = &input.data else {
        return syn::Error::new_spanned(
            &input.ident,
            "#[derive(Roles)] goes on an enum whose variants are the roles: `enum Role { Editor, Viewer }`",
        )
        .to_compile_error();
    };
    let mut errors = Errors::default();
    let mut arms = Vec::new();
    for v in &data.variants {
        if !matches!(v.fields, syn::Fields::Unit) {
            errors.spanned(
                &v.fields,
                "a role is a unit variant: `Editor`, not `Editor(..)`",
            );
            continue;
        }
        let mut name = snake_case(&v.ident.to_string());
        for a in v.attrs.iter().filter(|a| a.path().is_ident("role")) {
            match &a.meta {
                syn::Meta::NameValue(syn::MetaNameValue {
                    value:
                        syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s),
                            ..
                        }),
                    ..
                }) => name = s.value(),
                _ => errors.spanned(a, "expected `#[role = \"name\"]`"),
            }
        }
        let ident = &v.ident;
        arms.push(quote!(Self::#ident => #name,));
    }
    let errors = errors.to_compile_errors();
    if !errors.is_empty() {
        return errors;
    }
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::numerous::auth::RoleName for #ident #ty_generics #where_clause {
            fn role_name(&self) -> &str {
                match self { #(#arms)* }
            }
        }
    }
}

fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

pub fn misplaced(name: &str, item: TokenStream) -> TokenStream {
    let msg = format!(
        "#[{name}] only works on a method of an impl block marked #[numerous::handlers]; add that attribute to the impl block"
    );
    let span = syn::parse2::<syn::ImplItemFn>(item.clone())
        .map(|f| f.sig.ident.span())
        .unwrap_or_else(|_| proc_macro2::Span::call_site());
    let err = syn::Error::new(span, msg).to_compile_error();
    quote!(#err #item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handlers_expand_to_a_dispatch_table() {
        let out = handlers(
            quote!(),
            quote! {
                impl Counter {
                    #[on_click(increment)]
                    fn increment(&mut self) { self.counter.value += 1.0; }
                }
            },
        )
        .to_string();
        assert!(out.contains("HandlerSpec"));
        assert!(out.contains("Call :: ready"));
        assert!(
            !out.contains("on_click"),
            "event attributes are stripped: {out}"
        );
    }

    #[test]
    fn misplaced_event_attribute_is_an_error() {
        let out = misplaced(
            "on_click",
            quote!(
                fn f(&mut self) {}
            ),
        )
        .to_string();
        assert!(out.contains("compile_error"));
        assert!(out.contains("numerous::handlers"));
    }
}
