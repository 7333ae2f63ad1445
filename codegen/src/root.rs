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
    // The trait: every operation by its name.
    let mut trait_methods = Vec::new();
    let mut impl_methods = Vec::new();
    for (index, (module, module_plans)) in modules.iter().zip(plans).enumerate() {
        // Generated code names each type by its one public path, as a user would.
        let module_path = &tree.public_paths[&index];
        let cfg = cfg_of(&module.feature.iter().cloned().collect());
        for plan in module_plans {
            if let Some((declared, implemented)) = api_method(rt, module_path, &cfg, plan) {
                trait_methods.push(declared);
                impl_methods.push(implemented);
            }
        }
    }
    let api_doc = format!(
        " Every operation as a method of a [`Client`]({}::Client), by its name: the official SDKs'\n where they have one, else one derived from its method and path.",
        settings.runtime.trim_start_matches("::")
    );
    let api_doc = api_doc.lines().map(|line| quote!(#[doc = #line]));
    let json_schemas = json_schemas_fn(settings, tree);
    let skipped_entries = skipped.iter().map(|s| {
        let (op, reason) = (&s.operation, &s.reason);
        quote!((#op, #reason),)
    });
    quote! {
        #(#api_doc)*
        pub trait WechatPayApi {
            #(#trait_methods)*
        }

        impl WechatPayApi for #rt::Client {
            #(#impl_methods)*
        }

        #json_schemas

        /// Operations of the spec that are not generated, with the reason.
        pub const SKIPPED_OPERATIONS: &[(&str, &str)] = &[#(#skipped_entries)*];
    }
}

/// One operation's method of `WechatPayApi`: its declaration in the trait
/// and its definition for the client. `None` for an operation without a name.
fn api_method(
    rt: &TokenStream,
    module_path: &TokenStream,
    cfg: &TokenStream,
    plan: &OperationPlan,
) -> Option<(TokenStream, TokenStream)> {
    let method = ident(plan.name.as_ref()?);
    let (response, entry) = plan.call_response(module_path, rt);
    let request = {
        let request = ident(&plan.request);
        quote!(#module_path::#request)
    };
    let path_args: Vec<TokenStream> = plan
        .path_params
        .iter()
        .map(|(id, _)| {
            let id = ident(id);
            quote!(#id: impl ::std::convert::Into<::std::string::String>)
        })
        .collect();
    let part_args = plan.part_params(module_path);
    let doc = format!(
        " {} (`{} {}`): sends [`{}`]({}).",
        plan.summary,
        plan.method,
        plan.path,
        plan.request,
        request.to_string().replace(' ', "")
    );
    let declared = quote! {
        #[doc = #doc]
        #cfg
        fn #method(&self, #(#path_args,)* #(#part_args),*) -> #rt::Call<'_, #response>;
    };
    let path_ids = plan.path_params.iter().map(|(id, _)| ident(id));
    let part_ids = plan.parts.iter().map(|(arg, _)| ident(arg));
    // The request is built before the future, which then holds no
    // caller's types; every method shares the runtime's one future
    // type, checked once rather than a thousand times.
    let implemented = quote! {
        #cfg
        fn #method(&self, #(#path_args,)* #(#part_args),*) -> #rt::Call<'_, #response> {
            #rt::__private::call::#entry(self, #request::new(#(#path_ids,)* #(#part_ids),*))
        }
    };
    Some((declared, implemented))
}

/// `json_schemas()`: every top module's schemas, behind the `json-schema`
/// feature when there is one.
fn json_schemas_fn(settings: &Settings, tree: &Tree) -> TokenStream {
    let schema_gate = if settings.json_schema_feature {
        quote!(#[cfg(feature = "json-schema")])
    } else {
        TokenStream::new()
    };
    let roots: Vec<_> = tree.top.iter().collect();
    let schemas_body = match roots.as_slice() {
        [] => quote!(::std::vec::Vec::new()),
        [root] => quote!(#root::json_schemas()),
        roots => quote! {
            let mut schemas = ::std::vec::Vec::new();
            #(schemas.extend(#roots::json_schemas());)*
            schemas
        },
    };
    quote! {
        /// The JSON Schemas (draft 2020-12) of every request body, query and
        /// response, derived with schemars from the generated types, named
        /// `<operation>.<body|query|response>`.
        #schema_gate
        pub fn json_schemas() -> ::std::vec::Vec<(&'static str, ::schemars::Schema)> {
            #schemas_body
        }
    }
}
