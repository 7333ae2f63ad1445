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

/// An operation's call through the typed call path, from the client:
/// `.v3().marketing()….stock_id(stock_id).couponcodes().post(body)`, with the
/// path parameters and parts named as in the operation's plan.
pub(crate) struct Call {
    pub(crate) tokens: TokenStream,
    /// The same call as text, for doc comments.
    pub(crate) text: String,
}

/// Calls keyed by operation: (method, path).
pub(crate) type Calls = BTreeMap<(String, String), Call>;

/// What the call path generates: the `paths` module items, the root accessor
/// methods (`v3()`: method, struct) and every operation's call.
pub(crate) struct CallPaths {
    pub(crate) items: TokenStream,
    pub(crate) roots: Vec<(Ident, Ident)>,
    pub(crate) calls: Calls,
}

/// Builds the `paths` module items, the root accessor methods and the calls.
pub(crate) fn generate(
    rt: &TokenStream,
    operations: Vec<(NavOperation<'_>, Option<String>)>,
) -> CallPaths {
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
    let mut calls = Calls::new();
    for (segment, child) in &root.children {
        let name = ident(&struct_names.take(&camel(&segment.word())));
        let method = ident(&snake(&segment.word()));
        let call = Call {
            tokens: quote!(.#method()),
            text: format!(".{method}()"),
        };
        let mut out = Output {
            struct_names: &mut struct_names,
            items: &mut items,
            calls: &mut calls,
        };
        emit(rt, child, &name, &[], &call, &mut out);
        roots.push((method, name));
    }
    CallPaths {
        items: quote!(#(#items)*),
        roots,
        calls,
    }
}

/// What [`emit`] adds to as it walks the tree.
struct Output<'o> {
    struct_names: &'o mut Names,
    items: &'o mut Vec<TokenStream>,
    calls: &'o mut Calls,
}

fn cfg(feature: &Option<String>) -> TokenStream {
    match feature {
        Some(feature) => quote!(#[cfg(feature = #feature)]),
        None => TokenStream::new(),
    }
}

/// One node's step struct, then its children's; `call` is the call that
/// reaches the node from the client.
fn emit(
    rt: &TokenStream,
    node: &Node<'_>,
    name: &Ident,
    params: &[Ident],
    call: &Call,
    out: &mut Output<'_>,
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
        let child_name = ident(
            &out.struct_names
                .take(&format!("{name}{}", camel(&segment.word()))),
        );
        let mut child_params = params.to_vec();
        let copies = params.iter().map(|p| quote!(#p: self.#p.clone(),));
        let cfg = cfg(&child.feature);
        let doc = format!(" `{}`", segment_doc(segment));
        let (call_tokens, call_text) = (&call.tokens, &call.text);
        let child_call = match segment {
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
                Call {
                    tokens: quote!(#call_tokens.#method(#param_ident)),
                    text: format!("{call_text}.{method}({param_ident})"),
                }
            }
            _ => {
                methods.push(quote! {
                    #[doc = #doc]
                    #cfg
                    pub fn #method(&self) -> #child_name<'a> {
                        #child_name { client: self.client, #(#copies)* }
                    }
                });
                Call {
                    tokens: quote!(#call_tokens.#method()),
                    text: format!("{call_text}.{method}()"),
                }
            }
        };
        children.push((child, child_name, child_params, child_call));
    }
    for operation in &node.operations {
        let plan = operation.plan;
        let module = &operation.module;
        let method = ident(plan.method.lower());
        let request = ident(&plan.request);
        let (response, entry) = plan.call_response(module, rt);
        let args = plan.part_params(module);
        let path_values = plan.path_params.iter().map(|(id, _)| {
            let id = ident(id);
            quote!(self.#id.clone())
        });
        let part_values: Vec<Ident> = plan.parts.iter().map(|(arg, _)| ident(arg)).collect();
        let call_tokens = &call.tokens;
        let arguments = plan
            .parts
            .iter()
            .map(|(arg, _)| arg.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        out.calls.insert(
            (plan.method.to_string(), plan.path.clone()),
            Call {
                tokens: quote!(#call_tokens.#method(#(#part_values),*)),
                text: format!("{}.{method}({arguments})", call.text),
            },
        );
        let doc = format!(" {} (`{} {}`)", plan.summary, plan.method, plan.path);
        methods.push(quote! {
            #[doc = #doc]
            pub async fn #method(&self, #(#args),*) -> ::std::result::Result<#response, #rt::Error> {
                self.client.#entry(&#module::#request::new(#(#path_values,)* #(#part_values),*)).await
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
    out.items.push(quote! {
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
    for (child, child_name, child_params, child_call) in children {
        emit(rt, child, &child_name, &child_params, &child_call, out);
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
