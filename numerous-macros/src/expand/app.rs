//! Output of `#[numerous::app]`: the struct, its `App` impl and its askama template type.
//!
//! Everything generated is a static description (keys, kinds, template name) or a one-line
//! accessor; behaviour lives in the `numerous` runtime.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::parse::{App, WidgetField};
use crate::template::TemplateInfo;

/// `template` is `Some` when the template was read and matches the widgets: only then is the
/// askama template type emitted (otherwise askama would repeat our errors in its own words).
pub fn expand(
    app: &App,
    template: Option<&TemplateInfo>,
    pages: &[(&'static str, String, TemplateInfo)],
) -> TokenStream {
    let item = &app.item;
    let name = &item.ident;
    let p = quote!(::numerous::__private);

    let keys: Vec<String> = app.widgets.iter().map(|w| w.ident.to_string()).collect();
    let docs: Vec<&str> = app.widgets.iter().map(|w| w.doc.as_str()).collect();
    let idents: Vec<_> = app.widgets.iter().map(|w| &w.ident).collect();
    let tys: Vec<_> = app.widgets.iter().map(|w| &w.ty).collect();
    let indices: Vec<usize> = (0..app.widgets.len()).collect();
    let count = app.widgets.len();
    let inits = app.widgets.iter().map(init);
    // Every use that needs `Widget` is spanned on the field's type, so a field that is not a
    // widget is reported where it is written.
    let kinds: Vec<_> = tys
        .iter()
        .map(|ty| quote_spanned!(ty.span()=> <#ty as ::numerous::Widget>::KIND))
        .collect();
    let debounce: Vec<_> = app
        .widgets
        .iter()
        .map(|w| match w.attrs.iter().find(|a| a.key == "debounce") {
            Some(a) => {
                let v = &a.value;
                quote_spanned!(v.span()=> { let __ms: u32 = #v; __ms })
            }
            None => {
                let ty = &w.ty;
                quote_spanned!(ty.span()=> <#ty as ::numerous::Widget>::DEBOUNCE_MS)
            }
        })
        .collect();
    let as_dyn = app.widgets.iter().map(|w| {
        let (ident, ty) = (&w.ident, &w.ty);
        quote_spanned!(ty.span()=> #p::dyn_widget(&self.#ident))
    });
    let as_dyn_mut = app.widgets.iter().map(|w| {
        let (ident, ty) = (&w.ident, &w.ty);
        quote_spanned!(ty.span()=> #p::dyn_widget_mut(&mut self.#ident))
    });
    let template_name = app.template.as_ref().map(|t| t.value()).unwrap_or_default();
    let state_idents: Vec<_> = app.states.iter().map(|s| &s.ident).collect();
    let state_inits = app.states.iter().map(|s| {
        let ty = &s.ty;
        match &s.init {
            Some(v) => quote_spanned!(v.span()=> { let __s: #ty = #v; __s }),
            None => quote_spanned!(ty.span()=> #p::state_default::<#ty>()),
        }
    });
    let state_fns = state_fns(app);
    let state_names = app.states.iter().map(|s| s.ident.to_string());
    let ty_names = tys
        .iter()
        .map(|ty| quote!(#ty).to_string().replace(' ', ""));

    let (template_item, render_body) = match template {
        Some(info) => {
            let files = info.files.iter().map(|f| {
                let f = f.display().to_string();
                quote!(
                    const _: &[u8] = ::core::include_bytes!(#f);
                )
            });
            let tmpl = format_ident!("__NumerousTemplate{}", name);
            // State fields the template shows, rendered (escaped) at page load.
            let shown: Vec<_> = app
                .states
                .iter()
                .filter(|s| info.vars.iter().any(|v| s.ident == v.name))
                .collect();
            let s_idents: Vec<_> = shown.iter().map(|s| &s.ident).collect();
            let s_tys: Vec<_> = shown.iter().map(|s| &s.ty).collect();
            // A state field the template shows must be Display: said at the field.
            let displays = s_tys.iter().map(
                |ty| quote_spanned!(ty.span()=> const _: fn() = || #p::assert_shown::<#ty>();),
            );
            (
                quote! {
                    #(#files)*
                    #(#displays)*
                    #[derive(#p::askama::Template)]
                    #[template(path = #template_name, askama = #p::askama)]
                    struct #tmpl<'__numerous> {
                        #( #idents: #p::Slot<'__numerous, #tys>, )*
                        #( #s_idents: &'__numerous #s_tys, )*
                    }
                },
                quote! {
                    #p::askama::Template::render_into(
                        &#tmpl {
                            #( #idents: #p::Slot::new(#keys, __NUMEROUS_KINDS[#indices], &self.#idents), )*
                            #( #s_idents: &self.#s_idents, )*
                        },
                        __out,
                    )
                },
            )
        }
        None => (quote!(), quote!(::core::result::Result::Ok(()))),
    };

    let (pages_item, login_fn, fragments) = page_overrides(app, pages);
    quote! {
        #item

        const _: () = {
            #[allow(unused_imports)]
            use #p::ProbeFallback as _;
            const __NUMEROUS_KINDS: [&str; #count] = [ #(#kinds,)* ];

            #template_item
            #pages_item

            #[automatically_derived]
            impl ::numerous::App for #name {
                const SPEC: #p::AppSpec = #p::AppSpec {
                    name: ::core::stringify!(#name),
                    template: #template_name,
                    widgets: &[ #( #p::WidgetSpec {
                        key: #keys,
                        kind: __NUMEROUS_KINDS[#indices],
                        ty: #ty_names,
                        doc: #docs,
                        emits: #p::Emits {
                            click: #p::Probe::<#tys>::CLICK,
                            change: #p::Probe::<#tys>::CHANGE,
                            submit: #p::Probe::<#tys>::SUBMIT,
                            message: #p::Probe::<#tys>::MESSAGE,
                        },
                        debounce_ms: #debounce,
                        module: <#tys as ::numerous::Widget>::MODULE,
                        css: <#tys as ::numerous::Widget>::CSS,
                        isolated: <#tys as ::numerous::Widget>::ISOLATED,
                    }, )* ],
                    states: &[ #(#state_names),* ],
                    fragments: &[ #fragments ],
                };

                #login_fn

                fn new() -> Self {
                    Self { #( #idents: #inits, )* #( #state_idents: #state_inits, )* }
                }

                #state_fns

                fn widget(&self, __index: usize) -> ::core::option::Option<&dyn #p::DynWidget> {
                    match __index {
                        #( #indices => ::core::option::Option::Some(#as_dyn), )*
                        _ => ::core::option::Option::None,
                    }
                }

                fn widget_mut(&mut self, __index: usize) -> ::core::option::Option<&mut dyn #p::DynWidget> {
                    match __index {
                        #( #indices => ::core::option::Option::Some(#as_dyn_mut), )*
                        _ => ::core::option::Option::None,
                    }
                }

                fn render_template(&self, __out: &mut ::std::string::String) -> #p::askama::Result<()> {
                    #render_body
                }
            }
        };
    }
}

/// The internal pages the app replaces: the login page as an askama template of the app's
/// crate (so askama checks it too), the fragments as embedded text.
fn page_overrides(
    app: &App,
    pages: &[(&'static str, String, TemplateInfo)],
) -> (TokenStream, TokenStream, TokenStream) {
    let p = quote!(::numerous::__private);
    let name = &app.item.ident;
    let mut item = quote!();
    let mut login = quote!();
    let mut fragments = quote!();
    for (file, template_path, info) in pages {
        let path = info
            .files
            .first()
            .map(|f| f.display().to_string())
            .unwrap_or_default();
        if *file == "login.html" {
            let tmpl = format_ident!("__NumerousLoginPage{}", name);
            item = quote! {
                #item
                const _: &[u8] = ::core::include_bytes!(#path);
                #[derive(#p::askama::Template)]
                #[template(path = #template_path, askama = #p::askama)]
                struct #tmpl<'__n> {
                    title: &'__n str,
                    action: &'__n str,
                    next: &'__n str,
                    csrf: &'__n str,
                    error: ::core::option::Option<&'__n str>,
                    notice: ::core::option::Option<&'__n str>,
                    username: &'__n str,
                    assets: &'__n str,
                    registering: bool,
                    other: ::core::option::Option<&'__n str>,
                }
            };
            login = quote! {
                #login
                fn login_page(__page: &::numerous::auth::LoginPage<'_>) -> ::core::option::Option<::std::string::String> {
                    #p::askama::Template::render(&#tmpl {
                        title: __page.title,
                        action: __page.action,
                        next: __page.next,
                        csrf: __page.csrf,
                        error: __page.error,
                        notice: __page.notice,
                        username: __page.username,
                        assets: __page.assets,
                        registering: __page.registering,
                        other: __page.other,
                    })
                    .ok()
                }
            };
        } else if *file == "forbidden.html" {
            let tmpl = format_ident!("__NumerousForbiddenPage{}", name);
            item = quote! {
                #item
                const _: &[u8] = ::core::include_bytes!(#path);
                #[derive(#p::askama::Template)]
                #[template(path = #template_path, askama = #p::askama)]
                struct #tmpl<'__n> {
                    username: &'__n str,
                    requirement: &'__n str,
                    logout: &'__n str,
                    assets: &'__n str,
                }
            };
            login = quote! {
                #login
                fn forbidden_page(__page: &::numerous::auth::ForbiddenPage<'_>) -> ::core::option::Option<::std::string::String> {
                    #p::askama::Template::render(&#tmpl {
                        username: __page.username,
                        requirement: __page.requirement,
                        logout: __page.logout,
                        assets: __page.assets,
                    })
                    .ok()
                }
            };
        } else {
            let key = format!("fragments/{file}");
            fragments = quote!(#fragments (#key, ::core::include_str!(#path)),);
        }
    }
    (item, login, fragments)
}

/// Saving and restoring the `#[state]` fields, as a JSON object keyed by field name: a field
/// missing from saved state keeps its starting value, an unknown one is ignored. Each field goes
/// through a helper whose bound reports a type that cannot be state at the field.
fn state_fns(app: &App) -> TokenStream {
    if app.states.is_empty() {
        return quote!();
    }
    let p = quote!(::numerous::__private);
    let names: Vec<String> = app.states.iter().map(|s| s.ident.to_string()).collect();
    let saves = app.states.iter().zip(&names).map(|(s, name)| {
        let (ident, ty) = (&s.ident, &s.ty);
        let ops = quote_spanned!(ty.span()=> #p::state::<#ty>());
        quote!(#ops.save(&mut __w, #name, &self.#ident)?;)
    });
    let restores = app.states.iter().zip(&names).map(|(s, name)| {
        let (ident, ty) = (&s.ident, &s.ty);
        let ops = quote_spanned!(ty.span()=> #p::state::<#ty>());
        quote!(if let ::core::option::Option::Some(__v) = __m.get(#name) { self.#ident = #ops.load(__v)?; })
    });
    quote! {
        const HAS_STATE: bool = true;

        fn save_state(&self, __out: &mut ::std::vec::Vec<u8>) -> #p::serde_json::Result<()> {
            let mut __w = #p::StateWriter::new(__out);
            #(#saves)*
            __w.finish();
            ::core::result::Result::Ok(())
        }

        fn restore_state(&mut self, __bytes: &[u8]) -> #p::serde_json::Result<()> {
            let __m = #p::StateMap::parse(__bytes)?;
            #(#restores)*
            ::core::result::Result::Ok(())
        }
    }
}

/// The expression that builds a widget: `Default` (or `init = ..`), then one attribute-trait
/// call per `#[widget(key = value)]`, each spanned on its key so an attribute the widget does not
/// take is reported there.
fn init(w: &WidgetField) -> TokenStream {
    let ty = &w.ty;
    let start = w
        .attrs
        .iter()
        .find(|a| a.key == "init")
        .map(|a| {
            let v = &a.value;
            quote_spanned!(v.span()=> { let __w: #ty = #v; __w })
        })
        .unwrap_or_else(
            || quote_spanned!(ty.span()=> <#ty as ::core::default::Default>::default()),
        );
    let calls = w
        .attrs
        .iter()
        .filter(|a| a.key != "init" && a.key != "debounce")
        .map(|a| {
            let key = &a.key;
            let value = &a.value;
            let tr = format_ident!("{}", trait_name(&key.to_string()), span = key.span());
            quote_spanned!(key.span()=> let __w = ::numerous::attrs::#tr::#key(__w, #value);)
        });
    quote!({ let __w = #start; #(#calls)* __w })
}

/// `options` → `Options`: the trait in `numerous::attrs` that carries the attribute.
fn trait_name(key: &str) -> String {
    match key {
        // `Tabs` is a widget and `Options` the server's options: these traits take other names.
        "tabs" => return "TabList".to_owned(),
        "options" => return "OptionList".to_owned(),
        "max_bytes" => return "MaxBytes".to_owned(),
        "sort_by" => return "SortBy".to_owned(),
        _ => {}
    }
    let mut c = key.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
