//! Bindings split by API area, as Cargo sees them: each area's crate and
//! manifest, and the facade's features and dependencies over them. The
//! checked-in bindings (`cargo xtask codegen`) and a docs tree's corpus
//! (`cargo xtask corpus`) are both written this way.

use std::collections::{BTreeMap, BTreeSet};

use wechatpay_codegen::{AreaCrate, EVENTS_FEATURE};

/// The package of an area's crate: the facade's name and the area's feature
/// (`wechatpay-bindings-v3-bill`).
pub(crate) fn area_package(facade: &str, feature: &str) -> String {
    format!("{facade}-{feature}")
}

/// Where the crates live, which decides how their manifests name what they
/// share.
pub(crate) enum Home {
    /// Members of this workspace: package fields, dependencies and lints
    /// inherited from it.
    Workspace,
    /// A workspace of their own (a corpus in `target/`), the runtime by path.
    Standalone {
        /// The runtime crate's directory.
        runtime: String,
    },
}

impl Home {
    fn package_fields(&self) -> &'static str {
        match self {
            Home::Workspace => {
                "version.workspace = true\nedition.workspace = true\nrust-version.workspace = true\nlicense.workspace = true\npublish.workspace = true\nrepository.workspace = true\n"
            }
            Home::Standalone { .. } => "version = \"0.0.0\"\nedition = \"2024\"\npublish = false\n",
        }
    }

    /// What generated code depends on: the runtime, serde, and schemars for
    /// the `json-schema` feature.
    pub(crate) fn dependencies(&self) -> String {
        match self {
            Home::Workspace => "wechatpay-runtime.workspace = true\nserde.workspace = true\nserde_json.workspace = true\nschemars = { workspace = true, optional = true }\n".to_owned(),
            Home::Standalone { runtime } => format!(
                "wechatpay-runtime = {{ path = {runtime:?} }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\nschemars = {{ version = \"1\", optional = true }}\n"
            ),
        }
    }

    fn lints(&self) -> &'static str {
        match self {
            Home::Workspace => "\n[lints]\nworkspace = true\n",
            Home::Standalone { .. } => "",
        }
    }
}

/// An area crate's `Cargo.toml`.
pub(crate) fn area_manifest(
    home: &Home,
    header: &str,
    facade: &str,
    feature: &str,
    area: &AreaCrate,
) -> String {
    format!(
        r#"{header}
[package]
name = "{package}"
description = "{title} of {facade}, generated from the WeChat Pay docs; enabled by its `{feature}` feature."
{fields}
# Generated code has no tests or doctests of its own: the facade's tests and
# the sandbox's end-to-end tests exercise it.
[lib]
test = false
doctest = false

[features]
json-schema = ["dep:schemars", "wechatpay-runtime/json-schema"]

[dependencies]
{dependencies}{lints}
[package.metadata.docs.rs]
all-features = true
"#,
        package = area_package(facade, feature),
        title = area.title,
        fields = home.package_fields(),
        dependencies = home.dependencies(),
        lints = home.lints(),
    )
}

/// The facade's features over the area crates: one per area enabling its
/// crate, each umbrella over the areas it groups, `events` enabling the
/// events' crate (when `areas` has it), `all-areas`, and
/// `json-schema` passed on to every enabled area. `features` are every area
/// feature of the generated code; one without a crate of its own (its
/// modules in the facade) enables nothing else.
pub(crate) fn facade_features(
    facade: &str,
    features: &BTreeSet<String>,
    areas: &BTreeSet<String>,
    umbrellas: &BTreeMap<String, BTreeSet<String>>,
) -> String {
    let mut enabling: BTreeMap<&String, String> = BTreeMap::new();
    // The events' crate, when there is one, is enabled like an area's.
    for feature in features.iter().chain(areas.get(EVENTS_FEATURE)) {
        let enables = if areas.contains(feature) {
            let package = area_package(facade, feature);
            quoted([format!("dep:{package}")])
        } else {
            String::new()
        };
        enabling.insert(feature, enables);
    }
    for (umbrella, enabled) in umbrellas {
        enabling.insert(umbrella, quoted(enabled));
    }
    let mut lines = String::new();
    for (feature, enables) in enabling {
        lines.push_str(&format!("{feature} = [{enables}]\n"));
    }
    lines.push_str("# Every API area.\n");
    lines.push_str(&format!("all-areas = [{}]\n", quoted(features)));
    lines.push_str(
        "# `schemars::JsonSchema` on every payload type and `json_schemas()`, in\n\
         # every enabled area, for validating payloads against JSON Schema. Off by\n\
         # default: the derives are about half of what the generated code costs to\n\
         # compile.\n",
    );
    let schema = [
        "dep:schemars".to_owned(),
        "wechatpay-runtime/json-schema".to_owned(),
    ]
    .into_iter()
    .chain(
        areas
            .iter()
            .map(|area| format!("{}?/json-schema", area_package(facade, area))),
    );
    lines.push_str(&format!("json-schema = [{}]\n", quoted(schema)));
    lines
}

/// `"a", "b"`: the items of a TOML array.
fn quoted(items: impl IntoIterator<Item = impl std::fmt::Display>) -> String {
    items
        .into_iter()
        .map(|item| format!("\"{item}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The facade's optional dependency on each area crate, at `dir/<feature>`;
/// pinned to `version` (the workspace's) when the crates are published
/// together, so that a facade never meets an area crate of another release.
pub(crate) fn facade_dependencies(
    facade: &str,
    areas: &BTreeSet<String>,
    dir: &str,
    version: Option<&str>,
) -> String {
    let version = version.map_or(String::new(), |v| format!(", version = \"={v}\""));
    areas
        .iter()
        .map(|area| {
            format!(
                "{} = {{ path = \"{dir}/{area}\"{version}, optional = true }}\n",
                area_package(facade, area)
            )
        })
        .collect()
}
