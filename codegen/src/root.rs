//! The root module's items: the URL tree that gives every generated type its one
//! public path, the typed call path, the `WechatPayApi` trait with the friendly
//! names, and `json_schemas()`.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::names::{Names, ident, snake};
use crate::nav::{self, NavOperation, Segment, segments};
use crate::operation::OperationPlan;
use crate::{Module, Settings, Skipped, cfg_attr};

pub(crate) fn root_items(
    rt: &TokenStream,
    settings: &Settings,
    plans: &[(String, Option<String>, Vec<OperationPlan>)],
    modules: &[Module],
    skipped: &[Skipped],
) -> TokenStream {
    // The facade: modules nested like the URL, re-exporting the private path modules.
    let (facade, public_paths) = facade(modules);

    // The typed call path.
    // Generated code names each type by its one public path, as a user would.
    let public_path = |module: &str| -> TokenStream {
        match public_paths.get(module) {
            Some(segments) => {
                let segments = segments.iter().map(|s| ident(s));
                quote!(#(#segments)::*)
            }
            None => {
                let module = ident(module);
                quote!(#module)
            }
        }
    };
    let mut nav_ops = Vec::new();
    for (module, feature, module_plans) in plans {
        let module_path = public_path(module);
        for plan in module_plans {
            nav_ops.push((
                NavOperation {
                    plan,
                    module: quote!(super::#module_path),
                },
                feature.clone(),
            ));
        }
    }
    let call_paths = nav::generate(rt, nav_ops);
    let paths = &call_paths.items;

    // Friendly methods and the trait carrying them.
    let mut trait_methods = Vec::new();
    let mut impl_methods = Vec::new();
    for (method, struct_name) in &call_paths.roots {
        let doc = format!(" The typed call path under `/{method}`.");
        trait_methods.push(quote!(#[doc = #doc] fn #method(&self) -> paths::#struct_name<'_>;));
        impl_methods.push(
            quote!(fn #method(&self) -> paths::#struct_name<'_> { paths::#struct_name::new(self) }),
        );
    }
    let mut schema_entries = Vec::new();
    for (module, feature, module_plans) in plans {
        let module_ident = public_path(module);
        let cfg = cfg_attr(feature);
        let mut entries = Vec::new();
        for plan in module_plans {
            let schema_prefix = plan
                .name
                .clone()
                .unwrap_or_else(|| format!("{}_{module}", plan.method.lower()));
            for (role, ty) in &plan.schemas {
                let file = format!("{schema_prefix}.{role}");
                let ty = ident(ty);
                entries.push(quote!((#file, #rt::json_schema_for::<#module_ident::#ty>())));
            }
        }
        if !entries.is_empty() {
            schema_entries.push(quote! {
                #cfg
                schemas.extend([#(#entries),*]);
            });
        }
        for plan in module_plans {
            let Some(name) = &plan.name else { continue };
            let method = ident(name);
            let (response, _) = plan.call_response(&module_ident, rt);
            let path_args: Vec<TokenStream> = plan
                .path_params
                .iter()
                .map(|(id, _)| {
                    let id = ident(id);
                    quote!(#id: impl ::std::convert::Into<::std::string::String> + ::std::marker::Send)
                })
                .collect();
            let part_args = plan.part_params(&module_ident);
            let call = &call_paths.calls[&(plan.method.to_string(), plan.path.clone())];
            let doc = format!(
                " {} (`{} {}`): the same call as `client{}`.",
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
    let schemas_body = if schema_entries.is_empty() {
        quote!(::std::vec::Vec::new())
    } else {
        quote! {
            let mut schemas = ::std::vec::Vec::new();
            #(#schema_entries)*
            schemas
        }
    };
    let api_doc = format!(
        " Entry points on a [`Client`]({}::Client): the typed call path (`client.v3()...`), the one\n way to call every operation, and, where the overrides file names an operation, that name\n as an alias of the same call.",
        settings.runtime.trim_start_matches("::")
    );
    let skipped_entries = skipped.iter().map(|s| {
        let (op, reason) = (&s.operation, &s.reason);
        quote!((#op, #reason),)
    });
    quote! {
        #facade

        /// The typed call path: one step per URL segment, ending in the HTTP method.
        pub mod paths {
            #paths
        }

        #[doc = #api_doc]
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

/// Nested modules mirroring the URL (`v3::marketing::...::couponcodes`), each
/// re-exporting its path's private module: the one public path of every
/// generated type. Also returns each module's public path, for doc links.
fn facade(modules: &[Module]) -> (TokenStream, BTreeMap<String, Vec<String>>) {
    #[derive(Default)]
    struct Node {
        children: BTreeMap<Segment, Node>,
        module: Option<String>,
        feature: Option<String>,
    }
    let mut root = Node::default();
    for module in modules {
        let mut node = &mut root;
        for (depth, segment) in segments(&module.path).into_iter().enumerate() {
            node = node.children.entry(segment).or_default();
            // The area root (`v3::marketing`) carries the feature; what is
            // inside it needs no gate of its own.
            if depth == 1 {
                node.feature = module.feature.clone();
            }
        }
        node.module = Some(module.name.clone());
    }
    fn emit(
        node: &Node,
        depth: usize,
        prefix: &[String],
        public: &mut BTreeMap<String, Vec<String>>,
    ) -> TokenStream {
        let mut names = Names::default();
        let children: Vec<TokenStream> = node
            .children
            .iter()
            .map(|(segment, child)| {
                let name_text = names.take(&snake(&segment.word()));
                let name = ident(&name_text);
                let inception = (prefix.last() == Some(&name_text)).then(|| {
                    quote!(#[allow(clippy::module_inception, reason = "the URL repeats the segment")])
                });
                let mut path = prefix.to_vec();
                path.push(name_text);
                let inner = emit(child, depth + 1, &path, public);
                let cfg = cfg_attr(&child.feature);
                let doc = match segment {
                    Segment::Literal(s) => format!(" `/{s}`"),
                    Segment::Param(p) => format!(" `/{{{p}}}`"),
                    Segment::Empty => " `/` (the path with a trailing slash)".to_owned(),
                };
                quote! {
                    #cfg
                    #inception
                    pub mod #name {
                        #![doc = #doc]
                        #inner
                    }
                }
            })
            .collect();
        let reexport = node.module.as_ref().map(|module| {
            public.insert(module.clone(), prefix.to_owned());
            let module = ident(module);
            let supers = (0..depth).map(|_| quote!(super::));
            quote!(pub use #(#supers)* #module::*;)
        });
        quote!(#reexport #(#children)*)
    }
    let mut public = BTreeMap::new();
    let tokens = emit(&root, 0, &[], &mut public);
    (tokens, public)
}
