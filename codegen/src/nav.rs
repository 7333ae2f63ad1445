//! The URL tree: one module per path segment, so that every generated type has
//! one public path spelled like its URL
//! (`v3::marketing::busifavor::stocks::stock_id::couponcodes::UploadCouponCodesBody`),
//! with `json_schemas()` of the payloads under it. Operations are called by
//! their names (`root`), not through the tree.
//!
//! The same tree is written out three ways ([`Layout`]): every module inline
//! (the proc-macro), a file per module with operations (the checked-in crate),
//! or each API area a crate of its own behind a facade (a whole docs site).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::names::{Names, ident, snake};
use crate::operation::OperationPlan;
use crate::{CodegenError, Module};

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

    /// The segment as the URL spells it: `/stocks`, `/{stock_id}`, `/`.
    fn url(&self) -> String {
        match self {
            Segment::Literal(s) => format!("/{s}"),
            Segment::Param(p) => format!("/{{{p}}}"),
            Segment::Empty => "/".to_owned(),
        }
    }
}

/// A module of the URL tree, its items generated.
pub(crate) struct Node {
    /// The module's name in its parent.
    name: String,
    /// `#[cfg(...)]` when the node needs fewer API-area features than its
    /// parent (an area root), else empty.
    cfg: TokenStream,
    /// The area features the node is gated on, when `cfg` is not empty.
    gate: BTreeSet<String>,
    /// `#[allow(clippy::module_inception)]` when the URL repeats its parent's segment.
    inception: TokenStream,
    /// The path module's types (source text, inner doc first), if operations
    /// live here.
    module: Option<usize>,
    /// The inner doc of a module without operations.
    doc: String,
    /// The node's whole URL (`/v3/bill`).
    url: String,
    /// `json_schemas()`, as text.
    items: String,
    children: Vec<Node>,
}

/// The URL tree with everything the root module needs to name into it.
pub(crate) struct Tree {
    pub(crate) roots: Vec<Node>,
    /// The top modules (`v3`).
    pub(crate) top: Vec<Ident>,
    /// Each path module's public path from the root (`v3::marketing::…`).
    pub(crate) public_paths: BTreeMap<usize, TokenStream>,
}

/// What a node of the tree is built from before names are given.
#[derive(Default)]
struct Draft<'a> {
    children: BTreeMap<Segment, Draft<'a>>,
    module: Option<usize>,
    plans: &'a [OperationPlan],
    features: BTreeSet<String>,
}

/// What every node needs to know of the generation.
struct Context<'a> {
    rt: &'a TokenStream,
    schema_gate: &'a TokenStream,
    modules: &'a [Module],
    public_paths: BTreeMap<usize, TokenStream>,
}

/// Where a node sits, and what it inherits.
struct Parent<'p> {
    url: String,
    module_path: Vec<Ident>,
    features: Option<&'p BTreeSet<String>>,
}

/// Builds the URL tree of `modules`, each with its operations' plans.
pub(crate) fn tree(
    rt: &TokenStream,
    schema_gate: &TokenStream,
    modules: &[Module],
    plans: &[Vec<OperationPlan>],
) -> Tree {
    let mut root = Draft::default();
    for (index, (module, module_plans)) in modules.iter().zip(plans).enumerate() {
        let mut node = &mut root;
        for segment in segments(&module.path) {
            node = node.children.entry(segment).or_default();
            node.features.extend(module.feature.clone());
        }
        node.module = Some(index);
        node.plans = module_plans;
    }
    let mut context = Context {
        rt,
        schema_gate,
        modules,
        public_paths: BTreeMap::new(),
    };
    let mut module_names = Names::default();
    let mut roots = Vec::new();
    let mut top = Vec::new();
    for (segment, draft) in &root.children {
        let module = module_names.take(&snake(&segment.word()));
        // A top module is always there, whatever areas are enabled.
        let parent = Parent {
            url: String::new(),
            module_path: Vec::new(),
            features: Some(&draft.features),
        };
        top.push(ident(&module));
        roots.push(build(segment, draft, module, &parent, &mut context));
    }
    Tree {
        roots,
        top,
        public_paths: context.public_paths,
    }
}

/// `#[cfg(feature = ...)]` over the features any of which enables a node.
pub(crate) fn cfg_of(features: &BTreeSet<String>) -> TokenStream {
    match features.len() {
        0 => TokenStream::new(),
        1 => {
            let feature = features.first();
            quote!(#[cfg(feature = #feature)])
        }
        _ => {
            let features = features.iter();
            quote!(#[cfg(any(#(feature = #features),*))])
        }
    }
}

/// One node and, below it, its children, with `json_schemas()`.
fn build(
    segment: &Segment,
    draft: &Draft<'_>,
    name: String,
    parent: &Parent<'_>,
    context: &mut Context<'_>,
) -> Node {
    let rt = context.rt;
    let url = format!("{}{}", parent.url, segment.url());
    let gate = match parent.features {
        Some(features) if *features == draft.features => BTreeSet::new(),
        _ => draft.features.clone(),
    };
    let inception = if parent.module_path.last().is_some_and(|last| *last == name) {
        quote!(#[allow(clippy::module_inception, reason = "the URL repeats the segment")])
    } else {
        TokenStream::new()
    };
    let mut module_path = parent.module_path.clone();
    module_path.push(ident(&name));
    if let Some(module) = draft.module {
        context
            .public_paths
            .insert(module, quote!(#(#module_path)::*));
    }

    let mut module_names = Names::default();
    let mut schema_children = Vec::new();
    let mut children = Vec::new();
    for (child_segment, child) in &draft.children {
        let module = module_names.take(&snake(&child_segment.word()));
        let child_cfg = if child.features != draft.features {
            cfg_of(&child.features)
        } else {
            TokenStream::new()
        };
        schema_children.push((ident(&module), child_cfg));
        let child_parent = Parent {
            url: url.clone(),
            module_path: module_path.clone(),
            features: Some(&draft.features),
        };
        children.push(build(child_segment, child, module, &child_parent, context));
    }

    let mut schema_entries = Vec::new();
    for plan in draft.plans {
        let module = draft.module.map(|m| context.modules[m].name.as_str());
        let prefix = plan
            .name
            .clone()
            .unwrap_or_else(|| format!("{}_{}", plan.method.lower(), module.unwrap_or("")));
        for (role, ty) in &plan.schemas {
            let file = format!("{prefix}.{role}");
            let ty = ident(ty);
            schema_entries.push(quote!((#file, #rt::json_schema_for::<#ty>())));
        }
    }
    let schemas_doc = format!(
        " The JSON Schemas (draft 2020-12) of the payloads under `{url}`, named `<operation>.<body|query|response>`."
    );
    let schemas_body = json_schemas_body(&schema_entries, &schema_children);
    let schema_gate = context.schema_gate;
    let items = quote! {
        #[doc = #schemas_doc]
        #schema_gate
        pub fn json_schemas() -> ::std::vec::Vec<(&'static str, ::schemars::Schema)> {
            #schemas_body
        }
    };
    Node {
        name,
        cfg: cfg_of(&gate),
        gate,
        inception,
        module: draft.module,
        doc: format!(" `{}`", segment.url()),
        url,
        items: items.to_string(),
        children,
    }
}

/// The body of a node's `json_schemas()`: its own payloads' schemas, then
/// each child's. A child gated on fewer features may be compiled out, and
/// then so may every `extend`.
fn json_schemas_body(own: &[TokenStream], children: &[(Ident, TokenStream)]) -> TokenStream {
    match (own, children) {
        (_, []) => return quote!(::std::vec::Vec::from([#(#own),*])),
        // Nothing here, one child always there: the child's list is this one.
        ([], [(only, cfg)]) if cfg.is_empty() => return quote!(#only::json_schemas()),
        _ => {}
    }
    let start = if own.is_empty() {
        quote!(::std::vec::Vec::new())
    } else {
        quote!(::std::vec::Vec::from([#(#own),*]))
    };
    let every_child_gated = children.iter().all(|(_, cfg)| !cfg.is_empty());
    let allow = every_child_gated
        .then(|| quote!(#[allow(unused_mut, reason = "every area below may be compiled out")]));
    let children = children.iter().map(|(module, cfg)| {
        quote! {
            #cfg
            schemas.extend(#module::json_schemas());
        }
    });
    quote! {
        #allow
        let mut schemas = #start;
        #(#children)*
        schemas
    }
}

/// How the tree is written out.
#[derive(Clone, Copy)]
pub(crate) enum Layout<'a> {
    /// Every module inline, in one token stream (the proc-macro).
    Inline,
    /// A file per module with operations, per area root and for `v3` itself;
    /// modules without operations inline in their parent's file.
    Files,
    /// Each area root (a node gated on one feature) a crate of its own, named
    /// by the function from its feature, and laid out as [`Layout::Files`]
    /// inside; what is above the areas is the facade, laid out the same way.
    Areas(&'a dyn Fn(&str) -> String),
}

/// What a tree is written to.
#[derive(Default)]
pub(crate) struct Units {
    /// The files of the main unit (`None`: the crate's `generated/`
    /// directory, or the facade) and of each area crate's `src`, by feature:
    /// file name to unformatted source.
    pub(crate) files: BTreeMap<Option<String>, BTreeMap<String, String>>,
    /// Each area crate's URL (`/v3/bill`), by feature.
    pub(crate) area_titles: BTreeMap<String, String>,
}

/// Writes the modules of `roots` into `units`: each file's source text, and
/// for the root, the declarations that go before its own items.
pub(crate) fn place(
    roots: &[Node],
    modules: &[Module],
    layout: Layout<'_>,
    units: &mut Units,
) -> Result<String, CodegenError> {
    let mut declarations = String::new();
    for node in roots {
        let place = Place {
            depth: 0,
            dir: String::new(),
            unit: None,
        };
        declarations.push_str(&place_node(node, &place, modules, layout, units)?);
    }
    Ok(declarations)
}

/// Where a node is written: its depth in the tree, the directory of its file
/// within its unit, and the unit (the main one, or an area crate's).
struct Place {
    depth: usize,
    dir: String,
    unit: Option<String>,
}

/// Writes one node (its file, or its crate) and returns its declaration in
/// the parent: `pub mod x { … }`, `pub mod x;` or `pub use ::crate as x;`.
fn place_node(
    node: &Node,
    place: &Place,
    modules: &[Module],
    layout: Layout<'_>,
    units: &mut Units,
) -> Result<String, CodegenError> {
    let (cfg, inception, name) = (&node.cfg, &node.inception, &node.name);
    let attributes = quote!(#cfg #inception).to_string();
    let content = |children: &Place, units: &mut Units| {
        let mut text = match node.module {
            Some(module) => modules[module].source.clone(),
            None => {
                let doc = &node.doc;
                quote!(#![doc = #doc]).to_string()
            }
        };
        text.push('\n');
        text.push_str(&node.items);
        for child in &node.children {
            text.push('\n');
            text.push_str(&place_node(child, children, modules, layout, units)?);
        }
        Ok::<String, CodegenError>(text)
    };
    if let Layout::Areas(area_crate) = layout
        && place.unit.is_none()
        && let Some(feature) = single(&node.gate)
    {
        // The crate's root module is private, its items re-exported, so that
        // its files can carry `#[rustfmt::skip]` (an inner `#![rustfmt::skip]`
        // is unstable); it is named apart from every child module.
        let mut names = Names::default();
        for child in &node.children {
            names.try_take(&child.name);
        }
        let private = names.take("generated");
        let area = Some(feature.to_owned());
        let children = Place {
            depth: place.depth + 1,
            dir: format!("{private}/"),
            unit: area.clone(),
        };
        let text = content(&children, units)?;
        let root = area_crate_root(node, feature, &private);
        let files = units.files.entry(area).or_default();
        files.insert(format!("{private}.rs"), text);
        files.insert("lib.rs".to_owned(), root);
        units
            .area_titles
            .insert(feature.to_owned(), format!("The `{}` API area", node.url));
        let package = area_crate(feature).replace('-', "_");
        // Inline, the docs show the area where its URL puts it, not as a
        // re-export of a crate named after a feature.
        return Ok(format!(
            "{attributes} #[doc(inline)] pub use ::{package} as {name};"
        ));
    }
    let own_file = match layout {
        Layout::Inline => false,
        Layout::Files | Layout::Areas(_) => {
            place.depth <= 1 || node.module.is_some() || !node.gate.is_empty()
        }
    };
    let children = Place {
        depth: place.depth + 1,
        dir: format!("{}{name}/", place.dir),
        unit: place.unit.clone(),
    };
    let text = content(&children, units)?;
    if own_file {
        units
            .files
            .entry(place.unit.clone())
            .or_default()
            .insert(format!("{}{name}.rs", place.dir), text);
        Ok(format!("{attributes} pub mod {name};"))
    } else {
        Ok(format!("{attributes} pub mod {name} {{ {text} }}"))
    }
}

/// The one element of a set of one.
fn single(set: &BTreeSet<String>) -> Option<&str> {
    let mut items = set.iter();
    match (items.next(), items.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// An area crate's `lib.rs`: the area's doc, and its root module, private and
/// re-exported whole.
fn area_crate_root(node: &Node, feature: &str, private: &str) -> String {
    let doc = format!(
        " The `{}` API area of the WeChat Pay bindings: its operations' types and `json_schemas()`, from `{}` down, generated from the docs. The bindings enable it with their `{feature}` feature and name it by its URL.",
        node.url, node.url
    );
    let private = ident(private);
    quote! {
        #![doc = #doc]
        #![deny(missing_docs)]
        #[rustfmt::skip]
        mod #private;
        pub use #private::*;
    }
    .to_string()
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
