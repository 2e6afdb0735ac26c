//! Output of `#[numerous::handlers]`: the impl block and its `Handlers` impl (the dispatch
//! table), plus constants that let rustc check each `#[on_*(widget)]` at the user's token.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::parse::{EventKind, Handlers, Param, Requires};

pub fn expand(h: &Handlers) -> TokenStream {
    let item = &h.item;
    let self_ty = &item.self_ty;
    let (impl_generics, _, where_clause) = item.generics.split_for_impl();
    let p = quote!(::numerous::__private);

    let specs = h.handlers.iter().map(|h| {
        let name = h.method.to_string();
        let widget = h.widget.as_ref().map(ToString::to_string).unwrap_or_default();
        let event = event(h.event);
        let blocking = h.blocking;
        let touches = match &h.touches {
            Some(fields) => quote!(::core::option::Option::Some(&[ #(#fields),* ])),
            None => quote!(::core::option::Option::None),
        };
        let resources = h.params.iter().filter_map(|p| match p {
            Param::Resource(ty) => Some(ty),
            _ => None,
        });
        quote!(#p::HandlerSpec {
            name: #name,
            widget: #widget,
            event: #p::Event::#event,
            blocking: #blocking,
            touches: #touches,
            resources: &[ #( <#resources as #p::FromSession>::key as fn() -> (::core::any::TypeId, &'static str), )* ],
        })
    });

    let arms = h.handlers.iter().enumerate().map(|(i, h)| {
        let method = &h.method;
        let args = h.params.iter().map(|param| match param {
            Param::Ctx(ty) => quote_spanned!(ty.span()=> __ctx),
            Param::Message(ty) => quote_spanned!(ty.span()=> __msg),
            Param::Resource(ty) => {
                quote_spanned!(ty.span()=> <#ty as #p::FromSession>::from_session(__ctx))
            }
        });
        let args = quote!(self #(, #args)*);
        // Spanned on the return type so an unsupported one is reported there.
        let out_span = h.output.as_ref().map_or(h.method.span(), |t| t.span());
        let call = match (h.event == EventKind::Command, h.is_async) {
            (false, true) => {
                quote_spanned!(out_span=> #p::Call::future(async move { Self::#method(#args).await }))
            }
            (false, false) => quote_spanned!(out_span=> #p::Call::ready(Self::#method(#args))),
            (true, true) => quote_spanned!(out_span=> #p::Call::future_reply(async move { Self::#method(#args).await })),
            (true, false) => quote_spanned!(out_span=> #p::Call::reply(Self::#method(#args))),
        };
        let name = h.method.to_string();
        // Checked before the handler starts; a role that does not exist fails to compile here.
        let guard = match &h.requires {
            None => quote!(),
            Some(Requires::Admin(span)) => quote_spanned!(*span=>
                if let ::core::option::Option::Some(__denied) = #p::require_admin(__ctx, #name) {
                    return __denied;
                }
            ),
            Some(Requires::Role(role)) => quote_spanned!(role.span()=>
                if let ::core::option::Option::Some(__denied) = #p::require_role(__ctx, #role, #name) {
                    return __denied;
                }
            ),
        };
        match h.params.iter().find_map(|p| match p {
            Param::Message(ty) => Some(ty),
            Param::Ctx(_) | Param::Resource(_) => None,
        }) {
            Some(ty) => {
                quote_spanned!(ty.span()=> #i => { #guard match #p::decode_message::<#ty>(__content) {
                ::core::result::Result::Ok(__msg) => #call,
                ::core::result::Result::Err(__e) => #p::Call::invalid(__e),
            } },)
            }
            None => quote!(#i => { #guard #call },),
        }
    });

    // Evaluated by the compiler: a name that is not a widget, or a widget that cannot emit the
    // event, fails the build at the name, with the app's widgets that can (see
    // `numerous::__private::handler_widget_error`).
    let checks = h.handlers.iter().filter_map(|h| {
        // `#[on_start]` and `#[on_tabs]` name no widget.
        let w = h.widget.as_ref()?;
        let key = w.to_string();
        let event = event(h.event);
        Some(quote_spanned!(w.span()=>
            const _: () = if let ::core::option::Option::Some(__e) = #p::handler_widget_error(
                &<#self_ty as ::numerous::App>::SPEC, #key, #p::Event::#event,
            ) {
                ::core::panic!("{}", __e.as_str())
            };
        ))
    });

    quote! {
        #item

        #(#checks)*

        const _: () = {
            #[automatically_derived]
            impl #impl_generics ::numerous::Handlers for #self_ty #where_clause {
                const HANDLERS: &'static [#p::HandlerSpec] = &[ #(#specs,)* ];

                fn call<'__a>(
                    &'__a mut self,
                    __index: usize,
                    __ctx: &'__a ::numerous::Session,
                    __content: ::core::option::Option<&'__a #p::RawValue>,
                ) -> #p::Call<'__a> {
                    let _ = (__ctx, __content);
                    match __index {
                        #(#arms)*
                        _ => #p::Call::unknown(__index),
                    }
                }
            }
        };
    }
}

fn event(e: EventKind) -> proc_macro2::Ident {
    let name = match e {
        EventKind::Click => "Click",
        EventKind::Change => "Change",
        EventKind::Message => "Message",
        EventKind::Start => "Start",
        EventKind::Tabs => "Tabs",
        EventKind::Submit => "Submit",
        EventKind::Command => "Command",
    };
    proc_macro2::Ident::new(name, proc_macro2::Span::call_site())
}
