//! The typed call path: one small struct per URL segment, so that every endpoint
//! is reachable the way the docs and the PHP SDK spell it —
//! `client.v3().marketing().busifavor().stocks().stock_id("98065001").couponcodes().post(body)`
//! mirrors `$instance->v3->marketing->busifavor->stocks->_stock_id_->couponcodes->post()`.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::names::{Names, camel, ident, snake};
use crate::operation::OperationPlan;

/// A URL segment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Segment {
    Literal(String),
    Param(String),
    /// The empty last segment of a path with a trailing slash (`index.md` pages).
    Empty,
}

pub(crate) fn segments(path: &str) -> Vec<Segment> {
    let trimmed = path.trim_start_matches('/');
    let mut out: Vec<Segment> = trimmed
        .split('/')
        .filter(|s| !s.is_empty())
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Segment::Param(name.to_owned()),
                None => Segment::Literal(s.to_owned()),
            },
        )
        .collect();
    if trimmed.ends_with('/') {
        out.push(Segment::Empty);
    }
    out
}

impl Segment {
    /// The word a segment is named by in generated code (module names, call
    /// path steps): the literal or the parameter's name, and `index` for the
    /// empty segment of a path with a trailing slash.
    pub(crate) fn word(&self) -> String {
        match self {
            Segment::Literal(s) | Segment::Param(s) => s.clone(),
            Segment::Empty => "index".to_owned(),
        }
    }
}

/// An operation reachable at a node, with where its types live.
pub(crate) struct NavOperation<'a> {
    pub(crate) plan: &'a OperationPlan,
    /// Path from the `paths` module to the operation's module (`super::v3_x`).
    pub(crate) module: TokenStream,
}

#[derive(Default)]
struct Node<'a> {
    children: BTreeMap<Segment, Node<'a>>,
    operations: Vec<NavOperation<'a>>,
    feature: Option<String>,
}

/// Builds the `paths` module items and the root accessor methods.
pub(crate) fn generate(
    rt: &TokenStream,
    operations: Vec<(NavOperation<'_>, Option<String>)>,
) -> (TokenStream, Vec<(Ident, Ident, Option<String>)>) {
    let mut root = Node::default();
    for (operation, feature) in operations {
        let mut node = &mut root;
        for (depth, segment) in segments(&operation.plan.path).into_iter().enumerate() {
            node = node.children.entry(segment).or_default();
            if depth >= 1 {
                node.feature = feature.clone();
            }
        }
        node.operations.push(operation);
    }
    let mut struct_names = Names::default();
    let mut items = Vec::new();
    let mut roots = Vec::new();
    for (segment, child) in &root.children {
        let name = ident(&struct_names.take(&camel(&segment.word())));
        emit(rt, child, &name, &[], &mut struct_names, &mut items);
        roots.push((ident(&snake(&segment.word())), name, None));
    }
    (quote!(#(#items)*), roots)
}

fn cfg(feature: &Option<String>) -> TokenStream {
    match feature {
        Some(feature) => quote!(#[cfg(feature = #feature)]),
        None => TokenStream::new(),
    }
}

fn emit(
    rt: &TokenStream,
    node: &Node<'_>,
    name: &Ident,
    params: &[Ident],
    struct_names: &mut Names,
    items: &mut Vec<TokenStream>,
) {
    let mut methods = Vec::new();
    let mut children = Vec::new();
    let mut method_names = Names::default();
    for operation in &node.operations {
        method_names.try_take(operation.plan.method.lower());
    }
    for (segment, child) in &node.children {
        let preferred = snake(&segment.word());
        let method = if method_names.try_take(&preferred) {
            preferred
        } else {
            method_names.take(&format!("{preferred}_path"))
        };
        let method = ident(&method);
        let child_name = ident(&struct_names.take(&format!("{name}{}", camel(&segment.word()))));
        let mut child_params = params.to_vec();
        let copies = params.iter().map(|p| quote!(#p: self.#p.clone(),));
        let cfg = cfg(&child.feature);
        let doc = format!(" `{}`", segment_doc(segment));
        match segment {
            Segment::Param(param) => {
                let param_ident = ident(&snake(param));
                child_params.push(param_ident.clone());
                methods.push(quote! {
                    #[doc = #doc]
                    #cfg
                    pub fn #method(&self, #param_ident: impl ::std::convert::Into<::std::string::String>) -> #child_name<'a> {
                        #child_name { client: self.client, #(#copies)* #param_ident: #param_ident.into() }
                    }
                });
            }
            _ => methods.push(quote! {
                #[doc = #doc]
                #cfg
                pub fn #method(&self) -> #child_name<'a> {
                    #child_name { client: self.client, #(#copies)* }
                }
            }),
        }
        children.push((child, child_name, child_params));
    }
    for operation in &node.operations {
        let plan = operation.plan;
        let module = &operation.module;
        let method = ident(plan.method.lower());
        let request = &plan.request;
        let response = &plan.response;
        let response = if response.to_string().starts_with(':') || response.to_string() == "()" {
            quote!(#response)
        } else {
            quote!(#module::#response)
        };
        let args = plan
            .parts
            .iter()
            .map(|(arg, ty)| quote!(#arg: #module::#ty));
        let path_values = plan
            .path_params
            .iter()
            .map(|(id, _)| quote!(self.#id.clone()));
        let part_values = plan.parts.iter().map(|(arg, _)| quote!(#arg));
        let doc = format!(" {} (`{} {}`)", plan.summary, plan.method, plan.path);
        methods.push(quote! {
            #[doc = #doc]
            pub async fn #method(&self, #(#args),*) -> ::std::result::Result<#response, #rt::Error> {
                self.client.execute(&#module::#request::new(#(#path_values,)* #(#part_values),*)).await
            }
        });
    }
    if params.is_empty() {
        methods.insert(
            0,
            quote! {
                /// Starts a call path on `client`.
                pub fn new(client: &'a #rt::Client) -> Self {
                    #name { client }
                }
            },
        );
    }
    let cfg = cfg(&node.feature);
    let fields = params.iter().map(|p| quote!(#p: ::std::string::String,));
    let doc = format!(" The `{name}` step of the typed call path.");
    items.push(quote! {
        #[doc = #doc]
        #cfg
        #[derive(Debug, Clone)]
        pub struct #name<'a> {
            client: &'a #rt::Client,
            #(#fields)*
        }

        #cfg
        impl<'a> #name<'a> {
            #(#methods)*
        }
    });
    // Parents before children, so the file reads from the root down.
    for (child, child_name, child_params) in children {
        emit(rt, child, &child_name, &child_params, struct_names, items);
    }
}

fn segment_doc(segment: &Segment) -> String {
    match segment {
        Segment::Literal(s) => format!("/{s}"),
        Segment::Param(p) => format!("/{{{p}}}"),
        Segment::Empty => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_of_paths() {
        assert_eq!(
            segments("/v3/a/{id}/b"),
            [
                Segment::Literal("v3".into()),
                Segment::Literal("a".into()),
                Segment::Param("id".into()),
                Segment::Literal("b".into())
            ]
        );
        assert_eq!(segments("/v3/a/").last(), Some(&Segment::Empty));
    }
}
