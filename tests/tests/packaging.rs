//! The crates a user depends on can be published as they stand: every one
//! carries the metadata a registry and docs.rs need, depends on the other
//! workspace crates by a version pinned to the workspace's own (they version
//! together: generated code calls the runtime's hidden items), and never on a
//! crate that is not published. `cargo package` in `.ci/run` builds the
//! archives; this test says which manifest line is wrong when it would fail.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn metadata() -> Value {
    cargo_metadata(&["--no-deps"])
}

fn cargo_metadata(extra: &[&str]) -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(extra)
        .current_dir(&root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON")
}

/// `publish = false` shows as an empty registry list.
fn is_published(package: &Value) -> bool {
    !matches!(&package["publish"], Value::Array(registries) if registries.is_empty())
}

fn text<'a>(package: &'a Value, key: &str) -> Option<&'a str> {
    package[key]
        .as_str()
        .filter(|value| !value.trim().is_empty())
}

#[test]
fn published_crates_are_complete_and_pinned() {
    let metadata = metadata();
    let packages = metadata["packages"].as_array().expect("packages");
    let members: BTreeMap<&str, &Value> = packages
        .iter()
        .map(|package| (package["name"].as_str().unwrap(), package))
        .collect();
    let version = members["wechatpay-runtime"]["version"].as_str().unwrap();
    let pin = format!("={version}");

    let mut problems = Vec::new();
    let mut published = 0;
    for (name, package) in &members {
        if !is_published(package) {
            continue;
        }
        published += 1;
        for key in ["description", "license", "repository"] {
            if text(package, key).is_none() {
                problems.push(format!("{name}: no `{key}`"));
            }
        }
        if package["version"].as_str() != Some(version) {
            problems.push(format!(
                "{name}: version {} is not the workspace's {version}",
                package["version"]
            ));
        }
        if package["metadata"]["docs"]["rs"].is_null() {
            problems.push(format!(
                "{name}: no [package.metadata.docs.rs] (docs.rs would show the default features only)"
            ));
        }
        for dependency in package["dependencies"].as_array().unwrap() {
            let dependency_name = dependency["name"].as_str().unwrap();
            // Dev-dependencies without a version are dropped from the
            // published manifest, which is what a dependency cycle needs.
            let kind = dependency["kind"].as_str();
            if kind == Some("dev") && dependency["req"] == "*" {
                continue;
            }
            let Some(target) = members.get(dependency_name) else {
                continue;
            };
            if !is_published(target) {
                problems.push(format!(
                    "{name}: depends on `{dependency_name}`, which is not published"
                ));
            } else if dependency["req"].as_str() != Some(pin.as_str()) {
                problems.push(format!(
                    "{name}: depends on `{dependency_name}` as {}, not {pin}",
                    dependency["req"]
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Every crate a user depends on is among them: the facade, its areas
    // and events, the runtime and the tool.
    let areas = members
        .keys()
        .filter(|name| name.starts_with("wechatpay-bindings-v"))
        .count();
    assert!(areas > 50, "{areas} area crates");
    for name in [
        "wechatpay-bindings",
        "wechatpay-bindings-events",
        "wechatpay-runtime",
        "wechatpay-macros",
        "couponcodes",
    ] {
        assert!(is_published(members[name]), "{name} is not published");
    }
    // The facade, its events, the runtime, macros, codegen, spec, parser,
    // sandbox and the tool.
    assert_eq!(published, areas + 9, "published crates: {published}");
}

#[test]
fn the_facade_enables_every_area_by_a_feature_of_its_name() {
    let metadata = metadata();
    let packages = metadata["packages"].as_array().expect("packages");
    let facade = packages
        .iter()
        .find(|package| package["name"] == "wechatpay-bindings")
        .unwrap();
    let features = facade["features"].as_object().unwrap();
    let mut missing = Vec::new();
    for package in packages {
        let name = package["name"].as_str().unwrap();
        let Some(area) = name.strip_prefix("wechatpay-bindings-") else {
            continue;
        };
        let enables = features
            .get(area)
            .and_then(Value::as_array)
            .is_some_and(|enabled| enabled.iter().any(|entry| entry == &format!("dep:{name}")));
        if !enables {
            missing.push(area.to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "areas without a facade feature: {missing:?}"
    );
}

/// No second toolchain is installed here, so the minimum Rust is held to what
/// decides it: the declared `rust-version` is the highest any dependency of a
/// published crate declares (on any target), neither a promise the
/// dependencies break nor a floor higher than they need.
#[test]
fn the_declared_rust_version_is_the_dependencies_floor() {
    let metadata = cargo_metadata(&[]);
    let packages: BTreeMap<&str, &Value> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| (package["id"].as_str().unwrap(), package))
        .collect();
    let nodes: BTreeMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| (node["id"].as_str().unwrap(), node))
        .collect();
    let members: Vec<&str> = metadata["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap())
        .collect();
    let version = |id: &str| -> Option<(u64, u64)> {
        let text = packages[id]["rust_version"].as_str()?;
        let mut parts = text.split('.').map(|part| part.parse::<u64>().unwrap());
        Some((parts.next()?, parts.next().unwrap_or(0)))
    };
    let declared = version(members[0]).expect("the workspace declares rust-version");

    // Everything a user's build compiles: normal and build dependencies.
    let mut stack: Vec<&str> = members
        .iter()
        .copied()
        .filter(|id| is_published(packages[id]))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dependency in nodes[id]["deps"].as_array().unwrap() {
            let built = dependency["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|kind| kind["kind"].is_null() || kind["kind"] == "build");
            if built {
                stack.push(dependency["pkg"].as_str().unwrap());
            }
        }
    }
    let highest = seen
        .iter()
        .filter(|id| !members.contains(id))
        .filter_map(|id| Some((version(id)?, packages[id]["name"].as_str().unwrap())))
        .max()
        .expect("dependencies declare a rust-version");
    assert_eq!(
        declared, highest.0,
        "the workspace declares rust-version {declared:?}; the highest of its dependencies is {} ({:?})",
        highest.1, highest.0
    );
}
