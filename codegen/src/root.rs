//! The root module's items: the `WechatPayApi` trait with the typed call
//! path's entry and the friendly names, `json_schemas()` over the whole tree,
//! and the operations not generated.

use proc_macro2::TokenStream;
use quote::quote;

use crate::names::ident;
use crate::nav::{Tree, cfg_of};
use crate::operation::OperationPlan;
use crate::{Module, Settings, Skipped};

pub(crate) fn root_items(
    rt: &TokenStream,
    settings: &Settings,
    tree: &Tree,
    modules: &[Module],
    plans: &[Vec<OperationPlan>],
    skipped: &[Skipped],
) -> TokenStream {
    // The trait: each root of the call path, then the friendly names.
    let mut trait_methods = Vec::new();
    let mut impl_methods = Vec::new();
    for (method, module, struct_name) in &tree.accessors {
        let doc = format!(" The typed call path under `/{method}`.");
        trait_methods.push(quote!(#[doc = #doc] fn #method(&self) -> #module::#struct_name<'_>;));
        impl_methods.push(quote! {
            fn #method(&self) -> #module::#struct_name<'_> {
                #module::#struct_name::new(self)
            }
        });
    }
    for (index, (module, module_plans)) in modules.iter().zip(plans).enumerate() {
        // Generated code names each type by its one public path, as a user would.
        let module_path = &tree.public_paths[&index];
        let cfg = cfg_of(&module.feature.iter().cloned().collect());
        for plan in module_plans {
            let Some(name) = &plan.name else { continue };
            let method = ident(name);
            let (response, _) = plan.call_response(module_path, rt);
            let path_args: Vec<TokenStream> = plan
                .path_params
                .iter()
                .map(|(id, _)| {
                    let id = ident(id);
                    quote!(#id: impl ::std::convert::Into<::std::string::String> + ::std::marker::Send)
                })
                .collect();
            let part_args = plan.part_params(module_path);
            let call = &tree.calls[&(plan.method.to_string(), plan.path.clone())];
            let doc = format!(
                " {} (`{} {}`); also `client{}`.",
                plan.summary, plan.method, plan.path, call.text
            );
            trait_methods.push(quote! {
                #[doc = #doc]
                #cfg
                fn #method(&self, #(#path_args,)* #(#part_args),*)
                    -> impl ::std::future::Future<Output = ::std::result::Result<#response, #rt::Error>> + ::std::marker::Send + '_;
            });
            let call = &call.tokens;
            let conversions = plan.path_params.iter().map(|(id, _)| {
                let id = ident(id);
                quote!(let #id: ::std::string::String = #id.into();)
            });
            // Path parameters are converted before the future, which may not
            // hold the caller's types; without any, an `async fn` says the same.
            impl_methods.push(if plan.path_params.is_empty() {
                quote! {
                    #cfg
                    async fn #method(&self, #(#part_args),*) -> ::std::result::Result<#response, #rt::Error> {
                        self #call.await
                    }
                }
            } else {
                quote! {
                    #cfg
                    fn #method(&self, #(#path_args,)* #(#part_args),*)
                        -> impl ::std::future::Future<Output = ::std::result::Result<#response, #rt::Error>> + ::std::marker::Send + '_ {
                        #(#conversions)*
                        async move { self #call.await }
                    }
                }
            });
        }
    }
    let schema_gate = if settings.json_schema_feature {
        quote!(#[cfg(feature = "json-schema")])
    } else {
        TokenStream::new()
    };
    let roots: Vec<_> = tree.accessors.iter().map(|(_, module, _)| module).collect();
    let schemas_body = match roots.as_slice() {
        [] => quote!(::std::vec::Vec::new()),
        [root] => quote!(#root::json_schemas()),
        roots => quote! {
            let mut schemas = ::std::vec::Vec::new();
            #(schemas.extend(#roots::json_schemas());)*
            schemas
        },
    };
    let api_doc = format!(
        " Entry points on a [`Client`]({}::Client): every operation by its name (the official\n SDKs' where they have one), and the typed call path (`client.v3()...`) spelled like the URL.",
        settings.runtime.trim_start_matches("::")
    );
    let skipped_entries = skipped.iter().map(|s| {
        let (op, reason) = (&s.operation, &s.reason);
        quote!((#op, #reason),)
    });
    let api_doc = api_doc.lines().map(|line| quote!(#[doc = #line]));
    quote! {
        #(#api_doc)*
        pub trait WechatPayApi {
            #(#trait_methods)*
        }

        impl WechatPayApi for #rt::Client {
            #(#impl_methods)*
        }

        /// The JSON Schemas (draft 2020-12) of every request body, query and
        /// response, derived with schemars from the generated types, named
        /// `<operation>.<body|query|response>`.
        #schema_gate
        pub fn json_schemas() -> ::std::vec::Vec<(&'static str, ::schemars::Schema)> {
            #schemas_body
        }

        /// Operations of the spec that are not generated, with the reason.
        pub const SKIPPED_OPERATIONS: &[(&str, &str)] = &[#(#skipped_entries)*];
    }
}
