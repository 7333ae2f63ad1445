//! Turns a WeChat Pay spec into Rust bindings.
//!
//! For every operation: a request type (path parameters plus body, query and
//! headers), response types, nested types with stable names, open string enums,
//! validation of the documented limits, an `Operation` implementation for the
//! runtime, and pagination for offset/limit lists. One module per path; a typed
//! call path mirroring the URL; friendly methods for operations the overrides
//! file names; JSON Schemas of every payload through schemars.
//!
//! The same [`Generated`] value renders as checked-in files
//! ([`Generated::files`], formatted with prettyplease), as files of a crate per
//! API area behind a facade ([`Generated::area_files`], for a whole docs site),
//! or as one token stream ([`Generated::inline`], for the `wechatpay-macros`
//! proc-macro), so they are the same code.
//!
//! What the generated code costs to compile is kept down on purpose: structs
//! decode through the runtime's `impl_deserialize!` rather than
//! `#[derive(Deserialize)]`, enums through its `open_enum!`, and the
//! `JsonSchema` derives can sit behind a feature
//! ([`Settings::with_json_schema_feature`]).

#![deny(missing_docs)]

mod docs;
mod names;
mod nav;
mod operation;
mod types;

// Only to ask whether we run inside a proc-macro (see `in_parallel`).
extern crate proc_macro;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use wechatpay_spec::Spec;

use crate::names::{Names, ident, snake};
use crate::nav::{NavOperation, Segment, segments};
use crate::operation::{OperationPlan, PlanText, Skip};
use crate::types::TypeBuilder;

/// Why code could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// The spec holds something the generator cannot express.
    #[error("{operation}: {message}")]
    Spec {
        /// The operation id.
        operation: String,
        /// What is wrong.
        message: String,
    },
    /// The generated tokens did not parse (a generator bug).
    #[error("generated code for {module} does not parse: {message}")]
    Parse {
        /// The module.
        module: String,
        /// The parser's message.
        message: String,
    },
}

/// How code is generated.
#[derive(Debug, Clone)]
pub struct Settings {
    runtime: String,
    source: String,
    features: bool,
    json_schema_feature: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            runtime: "::wechatpay_runtime".to_owned(),
            source: "a spec".to_owned(),
            features: false,
            json_schema_feature: false,
        }
    }
}

impl Settings {
    /// Default settings: runtime at `::wechatpay_runtime`, no feature gates.
    pub fn new() -> Self {
        Settings::default()
    }

    /// The path of the runtime crate in generated code.
    pub fn with_runtime(&mut self, path: impl Into<String>) -> &mut Self {
        self.runtime = path.into();
        self
    }

    /// Where the spec came from, named in the `@generated` header.
    pub fn with_source(&mut self, source: impl Into<String>) -> &mut Self {
        self.source = source.into();
        self
    }

    /// Gates every API area behind a Cargo feature (`v3-marketing`, ...), so
    /// users compile only what they use.
    pub fn with_features(&mut self, features: bool) -> &mut Self {
        self.features = features;
        self
    }

    /// Puts the `schemars::JsonSchema` derives and `json_schemas()` behind a
    /// `json-schema` Cargo feature of the generated crate. They are half of what
    /// the generated code costs to compile, and only users validating payloads
    /// need them. Without it they are always there. Either way the runtime's
    /// `json-schema` feature must be on where the derives are.
    pub fn with_json_schema_feature(&mut self, gated: bool) -> &mut Self {
        self.json_schema_feature = gated;
        self
    }
}

/// An operation that was not generated, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `METHOD /path`.
    pub operation: String,
    /// Why.
    pub reason: String,
}

struct Module {
    name: String,
    path: String,
    feature: Option<String>,
    /// The module's items as token text (unformatted).
    source: String,
}

/// The files of bindings split by API area ([`Generated::area_files`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaFiles {
    /// The facade crate's `mod.rs`.
    pub facade: BTreeMap<String, String>,
    /// For each area feature, its crate's files: `lib.rs` and one file per path.
    pub areas: BTreeMap<String, BTreeMap<String, String>>,
}

/// Generated bindings, ready to be written as files or expanded inline.
pub struct Generated {
    modules: Vec<Module>,
    root: TokenStream,
    runtime: String,
    header: String,
    features: BTreeSet<String>,
    skipped: Vec<Skipped>,
    operations: usize,
}

impl std::fmt::Debug for Generated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generated")
            .field("modules", &self.modules.len())
            .field("operations", &self.operations)
            .field("skipped", &self.skipped)
            .finish_non_exhaustive()
    }
}

/// The Cargo feature of a path's API area: `/v3/marketing/...` -> `v3-marketing`.
pub fn area_feature(path: &str) -> String {
    let mut parts = path
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty());
    let version = parts.next().unwrap_or("root");
    let area = parts.next().unwrap_or("root");
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect()
    };
    format!("{}-{}", clean(version), clean(area))
}

/// Generates bindings for every operation of `spec` the runtime supports.
pub fn generate(spec: &Spec, settings: &Settings) -> Result<Generated, CodegenError> {
    let rt = runtime_path(&settings.runtime)?;
    let mut by_path: BTreeMap<&str, Vec<&wechatpay_spec::Operation>> = BTreeMap::new();
    for operation in &spec.operations {
        by_path.entry(&operation.path).or_default().push(operation);
    }
    let mut module_names = Names::default();
    let mut modules = Vec::new();
    let mut jobs = Vec::new();
    let mut skipped = Vec::new();
    let mut features = BTreeSet::new();
    for (path, operations) in by_path {
        let supported: Vec<_> = operations
            .into_iter()
            .filter(|op| match operation::check_supported(op) {
                Ok(()) => true,
                Err(Skip(reason)) => {
                    skipped.push(Skipped {
                        operation: op.id(),
                        reason,
                    });
                    false
                }
            })
            .collect();
        if supported.is_empty() {
            continue;
        }
        let name = module_names.take(&module_name(path));
        let feature = settings.features.then(|| area_feature(path));
        if let Some(feature) = &feature {
            features.insert(feature.clone());
        }
        modules.push(Module {
            name,
            path: path.to_owned(),
            feature,
            source: String::new(),
        });
        jobs.push((path, supported));
    }
    // Modules are independent: each is generated on a worker thread, as text
    // since token streams cannot leave their thread.
    let outputs = in_parallel(&jobs, |(path, operations)| {
        generate_module(path, operations, settings)
    });
    let mut plans: Vec<(String, Option<String>, Vec<OperationPlan>)> = Vec::new();
    for (module, output) in modules.iter_mut().zip(outputs) {
        let (source, module_plans) = output?;
        module.source = source;
        let module_plans = module_plans
            .into_iter()
            .map(OperationPlan::from_text)
            .collect::<Result<_, _>>()?;
        plans.push((module.name.clone(), module.feature.clone(), module_plans));
    }
    let operations = plans.iter().map(|(_, _, p)| p.len()).sum();
    let root = root_items(&rt, settings, &plans, &modules, &skipped);
    Ok(Generated {
        modules,
        root,
        runtime: settings.runtime.clone(),
        header: format!(
            "// @generated by cargo xtask codegen from {}. Do not edit: change the docs pages or the overrides and regenerate.\n\n",
            settings.source
        ),
        features,
        skipped,
        operations,
    })
}

fn runtime_path(runtime: &str) -> Result<TokenStream, CodegenError> {
    runtime.parse().map_err(|_| CodegenError::Spec {
        operation: String::new(),
        message: format!("runtime path {runtime:?} is not a Rust path"),
    })
}

/// One path's module, as source text, and the plans of its operations.
fn generate_module(
    path: &str,
    operations: &[&wechatpay_spec::Operation],
    settings: &Settings,
) -> Result<(String, Vec<PlanText>), CodegenError> {
    let rt = runtime_path(&settings.runtime)?;
    let mut builder = TypeBuilder::new(&rt, settings.json_schema_feature);
    let mut plans = Vec::new();
    for op in operations {
        let plan = operation::generate(op, &mut builder).map_err(|e| match e {
            CodegenError::Spec { message, .. } => CodegenError::Spec {
                operation: op.id(),
                message,
            },
            other => other,
        })?;
        plans.push(plan.to_text());
    }
    let doc = format!(" Operations on `{path}`.");
    let items = builder.items;
    let tokens = quote! {
        #![doc = #doc]
        #(#items)*
    };
    Ok((tokens.to_string(), plans))
}

/// `/v3/marketing/busifavor/stocks/{stock_id}/couponcodes` ->
/// `v3_marketing_busifavor_stocks_stock_id_couponcodes`.
fn module_name(path: &str) -> String {
    let words: Vec<String> = segments(path)
        .iter()
        .map(|segment| match segment {
            Segment::Literal(s) | Segment::Param(s) => snake(s).trim_end_matches('_').to_owned(),
            Segment::Empty => "index".to_owned(),
        })
        .collect();
    snake(&words.join("_"))
}

fn cfg_attr(feature: &Option<String>) -> TokenStream {
    match feature {
        Some(feature) => quote!(#[cfg(feature = #feature)]),
        None => TokenStream::new(),
    }
}

fn root_items(
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
    let (paths, roots) = nav::generate(rt, nav_ops);

    // Friendly methods and the trait carrying them.
    let mut trait_methods = Vec::new();
    let mut impl_methods = Vec::new();
    for (method, struct_name, _) in &roots {
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
            let request = &plan.request;
            let response = &plan.response;
            let response = if response.to_string().starts_with(':') || response.to_string() == "()"
            {
                quote!(#response)
            } else {
                quote!(#module_ident::#response)
            };
            let path_args: Vec<TokenStream> = plan
                .path_params
                .iter()
                .map(|(id, _)| quote!(#id: impl ::std::convert::Into<::std::string::String> + ::std::marker::Send))
                .collect();
            let part_args: Vec<TokenStream> = plan
                .parts
                .iter()
                .map(|(arg, ty)| quote!(#arg: #module_ident::#ty))
                .collect();
            let values = plan
                .path_params
                .iter()
                .map(|(id, _)| id)
                .chain(plan.parts.iter().map(|(arg, _)| arg));
            let public = public_paths
                .get(module)
                .map_or_else(|| module.clone(), |segments| segments.join("::"));
            let doc = format!(
                " {} (`{} {}`): sends a [`{public}::{request}`].",
                plan.summary, plan.method, plan.path
            );
            trait_methods.push(quote! {
                #[doc = #doc]
                #cfg
                fn #method(&self, #(#path_args,)* #(#part_args),*)
                    -> impl ::std::future::Future<Output = ::std::result::Result<#response, #rt::Error>> + ::std::marker::Send + '_;
            });
            impl_methods.push(quote! {
                #cfg
                fn #method(&self, #(#path_args,)* #(#part_args),*)
                    -> impl ::std::future::Future<Output = ::std::result::Result<#response, #rt::Error>> + ::std::marker::Send + '_ {
                    let request = #module_ident::#request::new(#(#values),*);
                    async move { self.execute(&request).await }
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
        " Entry points on a [`Client`]({}::Client): the typed call path (`client.v3()...`)",
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
        #[doc = " and a friendly method for each operation the overrides file names."]
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
                let word = match segment {
                    Segment::Literal(s) | Segment::Param(s) => s.clone(),
                    Segment::Empty => "index".to_owned(),
                };
                let name_text = names.take(&snake(&word));
                let name = ident(&name_text);
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

impl Generated {
    /// The API-area features the code is gated on (empty without feature gates).
    pub fn features(&self) -> &BTreeSet<String> {
        &self.features
    }

    /// Operations not generated, and why.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// How many operations were generated.
    pub fn operation_count(&self) -> usize {
        self.operations
    }

    /// Everything as one token stream, each path an inline module.
    pub fn inline(&self) -> TokenStream {
        let modules = self.modules.iter().map(|module| {
            let name = ident(&module.name);
            let cfg = cfg_attr(&module.feature);
            // Text this crate wrote from tokens always parses back; should it
            // not, the expansion says so instead of panicking in the compiler.
            let tokens = module.source.parse::<TokenStream>().unwrap_or_else(|e| {
                let message = format!(
                    "wechatpay-codegen: module {} does not parse: {e}",
                    module.name
                );
                quote!(::core::compile_error!(#message);)
            });
            // Private: each type's one public path is in the URL tree.
            quote! {
                #cfg
                mod #name {
                    #tokens
                }
            }
        });
        let root = &self.root;
        quote!(#(#modules)* #root)
    }

    /// The files of the checked-in crate: `mod.rs` and one file per path,
    /// formatted with prettyplease, each starting with the `@generated` header.
    pub fn files(&self) -> Result<BTreeMap<String, String>, CodegenError> {
        let declarations = self.modules.iter().map(|module| {
            let name = ident(&module.name);
            let cfg = cfg_attr(&module.feature);
            quote!(#cfg mod #name;)
        });
        let mod_rs = self.mod_rs(declarations);
        let mut sources = vec![("mod.rs".to_owned(), mod_rs.as_str())];
        for module in &self.modules {
            sources.push((format!("{}.rs", module.name), module.source.as_str()));
        }
        let texts = self.render_all(&sources)?;
        Ok(sources
            .into_iter()
            .map(|(file, _)| file)
            .zip(texts)
            .collect())
    }

    /// The files of a crate split by API area (needs
    /// [`Settings::with_features`]): each area's path modules go to a crate of
    /// their own, named by `area_crate(feature)`, so a build with several areas
    /// compiles them in parallel; the facade keeps the typed call path, the
    /// `WechatPayApi` trait and `json_schemas()`, and its `mod.rs` re-exports
    /// each module from its area crate under the area's feature.
    pub fn area_files(
        &self,
        area_crate: impl Fn(&str) -> String,
    ) -> Result<AreaFiles, CodegenError> {
        let mut declarations = Vec::new();
        let mut areas: BTreeMap<&str, Vec<&Module>> = BTreeMap::new();
        for module in &self.modules {
            let feature = module
                .feature
                .as_deref()
                .ok_or_else(|| CodegenError::Spec {
                    operation: module.path.clone(),
                    message: "splitting by area needs feature gates (`Settings::with_features`)"
                        .to_owned(),
                })?;
            let area = ident(&area_crate(feature).replace('-', "_"));
            let name = ident(&module.name);
            declarations.push(quote!(#[cfg(feature = #feature)] use ::#area::#name;));
            areas.entry(feature).or_default().push(module);
        }
        let mod_rs = self.mod_rs(declarations.into_iter());
        let libs: Vec<String> = areas
            .iter()
            .map(|(feature, modules)| {
                let doc = format!(" The path modules of the `{feature}` API area.");
                let names = modules.iter().map(|m| ident(&m.name));
                quote! {
                    #![doc = #doc]
                    #(pub mod #names;)*
                }
                .to_string()
            })
            .collect();
        // Each source with where its text goes: the facade (no area) or an
        // area's file; the label names the file in errors.
        let mut sources = vec![("mod.rs".to_owned(), mod_rs.as_str())];
        let mut destinations = vec![None];
        for ((feature, modules), lib) in areas.iter().zip(&libs) {
            sources.push((format!("{feature}/lib.rs"), lib.as_str()));
            destinations.push(Some((*feature, "lib.rs".to_owned())));
            for module in modules {
                let file = format!("{}.rs", module.name);
                sources.push((format!("{feature}/{file}"), module.source.as_str()));
                destinations.push(Some((*feature, file)));
            }
        }
        let texts = self.render_all(&sources)?;
        let mut split = AreaFiles {
            facade: BTreeMap::new(),
            areas: BTreeMap::new(),
        };
        for (destination, text) in destinations.into_iter().zip(texts) {
            match destination {
                None => {
                    split.facade.insert("mod.rs".to_owned(), text);
                }
                Some((feature, file)) => {
                    split
                        .areas
                        .entry(feature.to_owned())
                        .or_default()
                        .insert(file, text);
                }
            }
        }
        Ok(split)
    }

    /// The root module: `declarations` of the path modules, then the facade,
    /// the typed call path, `WechatPayApi` and `json_schemas()`, as text.
    fn mod_rs(&self, declarations: impl Iterator<Item = TokenStream>) -> String {
        let root = &self.root;
        let doc = " Generated bindings: one module per documented path, the typed call path, and the [`WechatPayApi`] entry points.";
        quote! {
            #![doc = #doc]
            #(#declarations)*
            #root
        }
        .to_string()
    }

    /// Formats every `(file, source)`, in order: parsing and formatting is most
    /// of the time, and every file is independent, so they are done in parallel.
    fn render_all(&self, sources: &[(String, &str)]) -> Result<Vec<String>, CodegenError> {
        let (header, runtime) = (&self.header, &self.runtime);
        in_parallel(sources, |(file, source)| {
            render(file, source, header, runtime)
        })
        .into_iter()
        .collect()
    }

    /// Everything as one formatted file (each path an inline module), with the
    /// `@generated` header: what the proc-macro expands to, readable.
    pub fn single_file(&self) -> Result<String, CodegenError> {
        render(
            "bindings",
            &self.inline().to_string(),
            &self.header,
            &self.runtime,
        )
    }

    /// The module name of each generated path, with its feature.
    pub fn modules(&self) -> impl Iterator<Item = (&str, &str, Option<&str>)> {
        self.modules
            .iter()
            .map(|m| (m.name.as_str(), m.path.as_str(), m.feature.as_deref()))
    }
}

/// One formatted file: parsed, pretty-printed, enums put back in their macro,
/// items spaced, and the `@generated` header on top.
fn render(file: &str, source: &str, header: &str, runtime: &str) -> Result<String, CodegenError> {
    let mut parsed: syn::File = syn::parse_str(source).map_err(|e| CodegenError::Parse {
        module: file.to_owned(),
        message: e.to_string(),
    })?;
    let mut text = if unwrap_macros(&mut parsed.items) {
        rewrap_macros(&prettyplease::unparse(&parsed), runtime)
    } else {
        prettyplease::unparse(&parsed)
    };
    text = space_items(&text);
    Ok(format!("{header}{text}"))
}

/// `work` on every input, on as many threads as the machine has; results in
/// input order. Inputs are taken one at a time, so a big file does not hold
/// up a thread's share of small ones.
fn in_parallel<I: Sync, O: Send>(inputs: &[I], work: impl Fn(&I) -> O + Sync) -> Vec<O> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(inputs.len());
    // Inside a proc-macro, proc-macro2 talks to the compiler, which only
    // answers on the macro's own thread.
    if threads <= 1 || proc_macro::is_available() {
        return inputs.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, O)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(input) = inputs.get(index) else {
                            break done;
                        };
                        done.push((index, work(input)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, output)| output).collect()
}

/// Marks an enum that was the body of an `open_enum!` invocation.
const OPEN_ENUM_MARK: &str = "__wechatpay_open_enum";

/// Marks a constant whose value was the body of an `impl_deserialize!` invocation.
const DESERIALIZE_MARK: &str = "__wechatpay_impl_deserialize";

/// prettyplease leaves macro bodies on long unformatted lines. The body of
/// `open_enum!` parses as an enum (string discriminants are valid syntax) and
/// that of `impl_deserialize!` as a struct expression, so each is swapped for a
/// marked enum or constant, formatted as one, and put back in its macro by
/// [`rewrap_macros`]. Returns whether anything was swapped.
fn unwrap_macros(items: &mut [syn::Item]) -> bool {
    let mut any = false;
    for item in items {
        match item {
            syn::Item::Macro(invocation) => {
                let Some(name) = invocation.mac.path.segments.last().map(|s| &s.ident) else {
                    continue;
                };
                let tokens = invocation.mac.tokens.clone();
                let swapped: Option<syn::Item> = if name == "open_enum" {
                    syn::parse2::<syn::ItemEnum>(tokens).ok().map(|mut body| {
                        let mark = format_ident!("{OPEN_ENUM_MARK}");
                        body.attrs.insert(0, syn::parse_quote!(#[#mark]));
                        syn::Item::Enum(body)
                    })
                } else if name == "impl_deserialize" {
                    syn::parse2::<syn::ExprStruct>(tokens).ok().map(|body| {
                        let mark = format_ident!("{DESERIALIZE_MARK}");
                        syn::parse_quote!(#[#mark] const _: () = #body;)
                    })
                } else {
                    None
                };
                if let Some(swapped) = swapped {
                    *item = swapped;
                    any = true;
                }
            }
            syn::Item::Mod(module) => {
                if let Some((_, items)) = &mut module.content {
                    any |= unwrap_macros(items);
                }
            }
            _ => {}
        }
    }
    any
}

/// Puts each marked item back into its macro (`runtime::open_enum! { ... }`,
/// `runtime::impl_deserialize! { ... }`), indented.
fn rewrap_macros(text: &str, runtime: &str) -> String {
    let enum_mark = format!("#[{OPEN_ENUM_MARK}]");
    let deserialize_mark = format!("#[{DESERIALIZE_MARK}]");
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    // The indentation of the macro being rewritten, and whether it is a struct
    // expression (whose `const _: () = ` and `;` go).
    let mut open: Option<(&str, bool)> = None;
    for line in text.lines() {
        let indent = &line[..line.len() - line.trim_start().len()];
        match open {
            None if line.trim_start() == enum_mark => {
                out.push_str(&format!("{indent}{runtime}::open_enum! {{\n"));
                open = Some((indent, false));
                continue;
            }
            None if line.trim_start() == deserialize_mark => {
                out.push_str(&format!("{indent}{runtime}::impl_deserialize! {{\n"));
                open = Some((indent, true));
                continue;
            }
            None => out.push_str(line),
            Some((outer, expression)) => {
                let mut body = line.to_owned();
                let closes = if expression {
                    // The constant's first line loses `const _: () = `; it closes
                    // with `};` at the macro's indentation, or on its first line.
                    let value = line
                        .get(outer.len()..)
                        .and_then(|rest| rest.strip_prefix("const _: () = "));
                    let first = value.is_some();
                    if let Some(value) = value {
                        body = format!("{outer}{value}");
                    }
                    line.ends_with(';') && (first || line.len() == outer.len() + 2)
                } else {
                    line.len() == outer.len() + 1 && line.ends_with('}')
                };
                if expression && closes {
                    body.pop();
                }
                if !body.is_empty() {
                    out.push_str("    ");
                }
                out.push_str(&body);
                if closes {
                    out.push_str(&format!("\n{outer}}}"));
                    open = None;
                }
            }
        }
        out.push('\n');
    }
    out
}

/// prettyplease puts items right after each other; a blank line after every
/// closing brace of an item or impl member makes the files read like hand-written
/// code.
fn space_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut previous = "";
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let starts_item = [
            "///", "//!", "#[", "pub ", "impl", "fn ", "const ", "mod ", "enum ", "struct ",
        ]
        .iter()
        .any(|p| line[indent..].starts_with(p))
            || line.ends_with("::open_enum! {")
            || line.ends_with("::impl_deserialize! {");
        let closed =
            previous.trim_start() == "}" && previous.len() - previous.trim_start().len() == indent;
        let after_inner_docs = previous.starts_with("//!") && !line.starts_with("//!");
        if (closed && starts_item) || after_inner_docs {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        previous = line;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn macro_bodies_are_formatted_and_put_back_in_their_macros() {
        let source = r#"
            mod inner {
                ::rt::impl_deserialize! { Empty {} }
                ::rt::impl_deserialize! { Pair { first: required(0, "first"), second_field: optional(1, "secondField"), } }
                ::rt::open_enum! { pub enum Kind { A = "A", #[unrecognized] Unrecognized(String), } }
            }
        "#;
        let text = render("test.rs", source, "", "::rt").unwrap();
        let expected = r#"mod inner {
    ::rt::impl_deserialize! {
        Empty {}
    }

    ::rt::impl_deserialize! {
        Pair {
            first: required(0, "first"),
            second_field: optional(1, "secondField"),
        }
    }

    ::rt::open_enum! {
        pub enum Kind {
            A = "A",
            #[unrecognized]
            Unrecognized(String),
        }
    }
}
"#;
        assert_eq!(text, expected);
        // What is put back still parses as the same macro calls.
        let reparsed: syn::File = syn::parse_str(&text).unwrap();
        assert_eq!(reparsed.items.len(), 1);
    }
}
