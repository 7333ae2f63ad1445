//! Names a person would say, unique and stable: every operation of the
//! checked-in spec has one (the official SDKs' or the rule's, see
//! `wechatpay_spec::names`), listed in `tests/names.txt` so that a rename
//! shows in review (and `cargo xtask diff` calls it breaking); the types
//! generated from them are unique in their API area and of a length a
//! careful person would write.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use wechatpay_spec::Spec;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The longest operation name allowed (`get_deposit_shipping_cost_compensation_bill_by_out_bill_no`
/// is 58: the docs' own nouns are long).
const MAX_NAME: usize = 64;

/// The longest generated type name allowed (the call path's step types,
/// named after whole URLs, excepted).
const MAX_TYPE: usize = 80;

#[test]
fn every_operation_has_a_unique_name() {
    let text = std::fs::read_to_string(root().join("spec/wechatpay.json")).unwrap();
    let spec = Spec::from_json(&text).unwrap();
    let mut seen = BTreeMap::new();
    let mut list = String::from(
        "# Every APIv3 operation's name: the official SDKs' where spec/overrides.toml gives one (*), else the rule's.\n",
    );
    for operation in spec
        .operations
        .iter()
        .filter(|o| o.path.starts_with("/v3/"))
    {
        let name = operation
            .name
            .as_deref()
            .unwrap_or_else(|| panic!("{} has no name", operation.id()));
        assert!(
            name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !name.contains("__")
                && !name.ends_with('_'),
            "{name} is not snake_case"
        );
        assert!(
            name.len() <= MAX_NAME,
            "{name} is {} characters",
            name.len()
        );
        if let Some(other) = seen.insert(name, operation.id()) {
            panic!("{name} names both {other} and {}", operation.id());
        }
        let reviewed = if operation.overridden.contains_key("name") {
            " *"
        } else {
            ""
        };
        list.push_str(&format!(
            "{} {} {name}{reviewed}\n",
            operation.method, operation.path
        ));
    }
    expectorate::assert_contents("tests/names.txt", &list);
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

#[test]
fn generated_types_are_unique_in_their_area_and_not_too_long() {
    let areas = root().join("bindings/areas");
    let mut problems = Vec::new();
    for area in std::fs::read_dir(&areas).unwrap() {
        let area = area.unwrap().path();
        let mut files = Vec::new();
        rust_files(&area.join("src"), &mut files);
        let mut names = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for line in text.lines() {
                let line = line.trim_start();
                let Some(rest) = line
                    .strip_prefix("pub struct ")
                    .or_else(|| line.strip_prefix("pub enum "))
                else {
                    continue;
                };
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if name.starts_with("V3") {
                    continue; // a step of the call path
                }
                if !names.insert(name.clone()) {
                    problems.push(format!("{}: {name} twice", area.display()));
                }
                if name.len() > MAX_TYPE {
                    problems.push(format!(
                        "{}: {name} is {} characters",
                        area.display(),
                        name.len()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
