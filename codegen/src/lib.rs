//! Turns a WeChat Pay spec into Rust bindings.
//!
//! For every operation: a request type (path parameters plus body, query and
//! headers), response types, nested types with stable names, open string enums,
//! validation of the documented limits, an `Operation` implementation for the
//! runtime, and pagination for offset/limit lists. One module per path; every
//! operation a method of the client by its name (`WechatPayApi`); JSON
//! Schemas of every payload through schemars.
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
mod events;
pub use events::EVENTS_FEATURE;
use events::{EVENTS_TITLE, events_crate};
mod multipart;
mod names;
mod nav;
mod operation;
mod parallel;
mod render;
mod root;
mod types;
pub mod wire;

// Only to ask whether we run inside a proc-macro (see `in_parallel`).
extern crate proc_macro;

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;
use wechatpay_spec::Spec;

use crate::names::{Names, snake};
use crate::nav::{Layout, segments};
use crate::operation::{OperationPlan, Skip};
use crate::parallel::in_parallel;
use crate::render::render;
use crate::root::root_items;
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
    /// The modules cannot be laid out as asked (a crate per area needs one
    /// feature per area root).
    #[error("{0}")]
    Layout(String),
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
    split_areas: BTreeSet<String>,
    json_schema_feature: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            runtime: "::wechatpay_runtime".to_owned(),
            source: "a spec".to_owned(),
            features: false,
            split_areas: BTreeSet::new(),
            json_schema_feature: false,
        }
    }
}

impl Settings {
    /// Default settings: runtime at `::wechatpay_runtime`, no feature gates.
    pub fn new() -> Self {
        Settings::default()
    }

    /// The settings the checked-in `wechatpay-bindings` are generated with
    /// (`cargo xtask codegen`), from `source`: a feature per API area, and
    /// `/v3/marketing` a feature per product, since its 14 products and about
    /// 150 operations are too much to compile for one of them; the JSON
    /// Schema derives behind `json-schema`. The tests that compare the
    /// proc-macro with the crate, and the benchmarks, use them too.
    pub fn for_bindings(source: impl Into<String>) -> Self {
        let mut settings = Settings::new();
        settings
            .with_source(source)
            .with_features(true)
            .with_split_area("v3-marketing")
            .with_json_schema_feature(true);
        settings
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

    /// Gives each product of an API area a feature of its own:
    /// `with_split_area("v3-marketing")` gates `/v3/marketing/busifavor/...`
    /// on `v3-marketing-busifavor`, and `v3-marketing` becomes the feature
    /// that enables all of them ([`Generated::umbrella_features`]). For areas
    /// too big to compile whole when one product is used.
    pub fn with_split_area(&mut self, area: impl Into<String>) -> &mut Self {
        self.split_areas.insert(area.into());
        self
    }

    /// The feature of a path's operations under these settings, if gated.
    fn feature(&self, path: &str) -> Option<String> {
        if !self.features {
            return None;
        }
        let area = area_feature(path);
        if !self.split_areas.contains(&area) {
            return Some(area);
        }
        match segments(path).get(2) {
            Some(product) => Some(format!("{area}-{}", feature_word(&product.word()))),
            None => Some(area),
        }
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
    /// The facade crate's generated files: `mod.rs`, `v3.rs`, and the modules
    /// of split areas (`v3/marketing.rs`).
    pub facade: BTreeMap<String, String>,
    /// Each area's crate, by feature, and the events' crate under
    /// [`EVENTS_FEATURE`] when the spec has notifications.
    pub areas: BTreeMap<String, AreaCrate>,
}

/// One API area's crate ([`AreaFiles`]), or the events' crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaCrate {
    /// What the crate holds, for its description: "The `/v3/bill` API
    /// area", "The typed notifications (回调通知)".
    pub title: String,
    /// Its `src` files: `lib.rs`, the area's root module (`generated.rs`,
    /// private and re-exported) and one file per path with operations below
    /// it (`generated/tradebill.rs`).
    pub files: BTreeMap<String, String>,
}

/// Generated bindings, ready to be written as files or expanded inline.
pub struct Generated {
    modules: Vec<Module>,
    /// The URL tree's top modules (`v3`).
    tree: Vec<nav::Node>,
    /// The root module's own items, as text.
    root: String,
    /// The `events` module's items, as text (empty without notifications).
    events: String,
    /// Split areas' features over their products' (`v3-marketing`).
    umbrellas: BTreeMap<String, BTreeSet<String>>,
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
    format!("{}-{}", feature_word(version), feature_word(area))
}

/// A path segment as part of a feature name: lower-case ASCII, `-` for the rest.
fn feature_word(segment: &str) -> String {
    let word = segment.trim_start_matches('{').trim_end_matches('}');
    word.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Generates bindings for every operation of `spec` the runtime supports.
/// Every operation is called by its name: a spec whose operations lack one
/// (read from pages without `cargo xtask spec`) is named by
/// [`wechatpay_spec::names`] first.
pub fn generate(spec: &Spec, settings: &Settings) -> Result<Generated, CodegenError> {
    let named;
    let spec = if spec.operations.iter().any(|op| op.name.is_none()) {
        let mut copy = spec.clone();
        wechatpay_spec::names::assign(&mut copy);
        named = copy;
        &named
    } else {
        spec
    };
    let rt = runtime_path(&settings.runtime)?;
    let ModulePlan {
        mut modules,
        jobs,
        skipped,
        features,
    } = plan_modules(spec, settings);
    // Modules are independent: each is generated on a worker thread, as text
    // (and a plan of plain data) since token streams cannot leave their thread.
    let outputs = in_parallel(&jobs, |(path, operations)| {
        generate_module(path, operations, settings)
    });
    let mut plans: Vec<Vec<OperationPlan>> = Vec::new();
    for (module, output) in modules.iter_mut().zip(outputs) {
        let (source, module_plans) = output?;
        module.source = source;
        plans.push(module_plans);
    }
    let operations = plans.iter().map(Vec::len).sum();
    let schema_gate = if settings.json_schema_feature {
        quote!(#[cfg(feature = "json-schema")])
    } else {
        TokenStream::new()
    };
    let tree = nav::tree(&rt, &schema_gate, &modules, &plans);
    let events = events::events_module(spec, &rt, settings.json_schema_feature)?;
    let root = root_items(&rt, settings, &tree, &modules, &plans, &skipped).to_string();
    Ok(Generated {
        modules,
        tree: tree.roots,
        root,
        events: events.map(|items| items.to_string()).unwrap_or_default(),
        umbrellas: umbrellas(settings, &features),
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

/// What is generated where: a module per documented path with an operation
/// the generator supports, and the operations it does not.
struct ModulePlan<'a> {
    /// The modules, their sources still empty.
    modules: Vec<Module>,
    /// Each module's path and operations, in the order of `modules`.
    jobs: Vec<(&'a str, Vec<&'a wechatpay_spec::Operation>)>,
    skipped: Vec<Skipped>,
    /// The features the modules sit behind.
    features: BTreeSet<String>,
}

fn plan_modules<'a>(spec: &'a Spec, settings: &Settings) -> ModulePlan<'a> {
    let mut by_path: BTreeMap<&str, Vec<&wechatpay_spec::Operation>> = BTreeMap::new();
    for operation in &spec.operations {
        by_path.entry(&operation.path).or_default().push(operation);
    }
    let mut module_names = Names::default();
    let mut plan = ModulePlan {
        modules: Vec::new(),
        jobs: Vec::new(),
        skipped: Vec::new(),
        features: BTreeSet::new(),
    };
    for (path, operations) in by_path {
        let supported: Vec<_> = operations
            .into_iter()
            .filter(|op| match operation::check_supported(op) {
                Ok(()) => true,
                Err(Skip(reason)) => {
                    plan.skipped.push(Skipped {
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
        let feature = settings.feature(path);
        if let Some(feature) = &feature {
            plan.features.insert(feature.clone());
        }
        plan.modules.push(Module {
            name,
            path: path.to_owned(),
            feature,
            source: String::new(),
        });
        plan.jobs.push((path, supported));
    }
    plan
}

/// The features of a split area's crates, by area: `v3-marketing` enables
/// each `v3-marketing-*`.
fn umbrellas(
    settings: &Settings,
    features: &BTreeSet<String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut umbrellas: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for feature in features {
        if let Some(area) = settings
            .split_areas
            .iter()
            .find(|area| feature.starts_with(&format!("{area}-")))
        {
            umbrellas
                .entry(area.clone())
                .or_default()
                .insert(feature.clone());
        }
    }
    umbrellas
}

impl CodegenError {
    /// A spec error named after what was being generated (an operation, a
    /// notification); other errors unchanged.
    pub(crate) fn at(self, operation: String) -> Self {
        match self {
            CodegenError::Spec { message, .. } => CodegenError::Spec { operation, message },
            other => other,
        }
    }
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
) -> Result<(String, Vec<OperationPlan>), CodegenError> {
    let rt = runtime_path(&settings.runtime)?;
    let mut builder = TypeBuilder::new(&rt, settings.json_schema_feature);
    let mut plans = Vec::new();
    for op in operations {
        let plan = operation::generate(op, &mut builder).map_err(|e| e.at(op.id()))?;
        plans.push(plan);
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
        .map(|segment| snake(&segment.word()).trim_end_matches('_').to_owned())
        .collect();
    snake(&words.join("_"))
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

    /// Features that only enable others, each with what it enables: a split
    /// area over its products (`v3-marketing` over `v3-marketing-busifavor`, ...).
    pub fn umbrella_features(&self) -> &BTreeMap<String, BTreeSet<String>> {
        &self.umbrellas
    }

    /// The root module's source: its doc, the top modules' declarations, its
    /// own items, and `events` as `events` says.
    fn root_source(&self, declarations: &str, events: &str) -> String {
        let doc = " Generated bindings: one module per URL segment, each holding its path's types and `json_schemas()`, and [`WechatPayApi`], every operation by its name.";
        format!(
            "{} {declarations} {} {events}",
            quote!(#![doc = #doc]),
            self.root
        )
    }

    /// The `events` module inline, or nothing without notifications.
    fn events_inline(&self) -> String {
        if self.events.is_empty() {
            return String::new();
        }
        let doc = events::EVENTS_DOC;
        format!(
            "pub mod events {{ {} {} }}",
            quote!(#![doc = #doc]),
            self.events
        )
    }

    /// Everything as one token stream, every module inline.
    pub fn inline(&self) -> TokenStream {
        let mut units = nav::Units::default();
        let declarations = nav::place(&self.tree, &self.modules, Layout::Inline, &mut units)
            .unwrap_or_else(|e| {
                let message = format!("wechatpay-codegen: {e}");
                quote!(::core::compile_error!(#message);).to_string()
            });
        // Text this crate wrote from tokens always parses back; should it
        // not, the expansion says so instead of panicking in the compiler.
        format!("{declarations} {} {}", self.root, self.events_inline())
            .parse::<TokenStream>()
            .unwrap_or_else(|e| {
                let message = format!("wechatpay-codegen: the generated code does not parse: {e}");
                quote!(::core::compile_error!(#message);)
            })
    }

    /// The files of the checked-in crate: `mod.rs`, `v3.rs`, a file per area
    /// root and per path with operations (`v3/marketing/busifavor/stocks/stock_id/couponcodes.rs`),
    /// formatted with prettyplease, each starting with the `@generated` header.
    pub fn files(&self) -> Result<BTreeMap<String, String>, CodegenError> {
        let mut units = nav::Units::default();
        let declarations = nav::place(&self.tree, &self.modules, Layout::Files, &mut units)?;
        let mut sources = vec![(
            "mod.rs".to_owned(),
            self.root_source(&declarations, &self.events_inline()),
        )];
        sources.extend(units.files.remove(&None).unwrap_or_default());
        let texts = self.render_all(&sources)?;
        Ok(sources
            .into_iter()
            .map(|(file, _)| file)
            .zip(texts)
            .collect())
    }

    /// The files of bindings split by API area (needs
    /// [`Settings::with_features`]): each area root (`/v3/bill`, or with a
    /// split area each product, `/v3/marketing/busifavor`) is a crate of its
    /// own, named by `area_crate(feature)`, so a build with several areas
    /// compiles them in parallel and none grows with the others. The facade
    /// keeps what is above the areas (`v3` and its step, a split area's own
    /// module and step), re-exports each area crate under its feature where
    /// its module would be, and holds the `WechatPayApi` trait and
    /// `json_schemas()`. Each file below an area's root is byte for byte the
    /// file [`Generated::files`] writes for the same path.
    pub fn area_files(
        &self,
        area_crate: impl Fn(&str) -> String,
    ) -> Result<AreaFiles, CodegenError> {
        if self.features.is_empty() && !self.modules.is_empty() {
            return Err(CodegenError::Layout(
                "splitting by area needs feature gates (`Settings::with_features`)".to_owned(),
            ));
        }
        let mut units = nav::Units::default();
        let declarations = nav::place(
            &self.tree,
            &self.modules,
            Layout::Areas(&area_crate),
            &mut units,
        )?;
        // The events are a crate of their own too, behind the facade's
        // `events` feature: they compile beside the areas, and only for
        // users who receive notifications.
        let events = if self.events.is_empty() {
            String::new()
        } else {
            let package = area_crate(EVENTS_FEATURE).replace('-', "_");
            units
                .files
                .entry(Some(EVENTS_FEATURE.to_owned()))
                .or_default()
                .extend(events_crate(&self.events));
            units
                .area_titles
                .insert(EVENTS_FEATURE.to_owned(), EVENTS_TITLE.to_owned());
            format!(
                "#[cfg(feature = \"{EVENTS_FEATURE}\")] #[doc(inline)] pub use ::{package} as events;"
            )
        };
        let mut sources = vec![(
            None,
            "mod.rs".to_owned(),
            self.root_source(&declarations, &events),
        )];
        let area_titles = units.area_titles;
        for (unit, files) in units.files {
            for (file, source) in files {
                sources.push((unit.clone(), file, source));
            }
        }
        let labelled: Vec<(String, String)> = sources
            .iter()
            .map(|(unit, file, source)| match unit {
                Some(feature) => (format!("{feature}/{file}"), source.clone()),
                None => (file.clone(), source.clone()),
            })
            .collect();
        let texts = self.render_all(&labelled)?;
        let mut split = AreaFiles {
            facade: BTreeMap::new(),
            areas: BTreeMap::new(),
        };
        for ((unit, file, _), text) in sources.into_iter().zip(texts) {
            match unit {
                None => {
                    split.facade.insert(file, text);
                }
                Some(feature) => {
                    let title = area_titles.get(&feature).cloned().unwrap_or_default();
                    split
                        .areas
                        .entry(feature)
                        .or_insert_with(|| AreaCrate {
                            title,
                            files: BTreeMap::new(),
                        })
                        .files
                        .insert(file, text);
                }
            }
        }
        Ok(split)
    }

    /// Formats every `(file, source)`, in order: parsing and formatting is most
    /// of the time, and every file is independent, so they are done in parallel.
    fn render_all(&self, sources: &[(String, String)]) -> Result<Vec<String>, CodegenError> {
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
