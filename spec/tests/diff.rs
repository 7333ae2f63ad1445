//! The regenerate-and-diff workflow on the real history of the couponcodes pages
//! (`../shared/docs/history`), and on single-attribute edits of every row.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use wechatpay_docs_parser::{parse_page, parse_tree};
use wechatpay_spec::Spec;
use wechatpay_spec::diff::{Change, ChangeKind, Class, diff};

fn revisions() -> Vec<PathBuf> {
    let mut revisions: Vec<PathBuf> = fs::read_dir(common::shared_dir().join("docs/history"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    revisions.sort();
    revisions
}

fn spec(tree: &std::path::Path) -> Spec {
    let result = parse_tree(tree).unwrap();
    assert_eq!(result.errors().count(), 0, "{}", tree.display());
    result.spec
}

/// (class, kind) -> count.
fn summary(changes: &[Change]) -> BTreeMap<(Class, ChangeKind), usize> {
    let mut counts = BTreeMap::new();
    for change in changes {
        *counts.entry((change.class, change.kind)).or_default() += 1;
    }
    counts
}

#[test]
fn identical_trees_have_no_changes_and_docs_or_specs_give_the_same_diff() {
    let revisions = revisions();
    for tree in &revisions {
        let spec = spec(tree);
        assert!(diff(&spec, &spec).is_empty(), "{}", tree.display());
    }
    let (old, new) = (spec(&revisions[0]), spec(revisions.last().unwrap()));
    let from_docs = diff(&old, &new);
    let through_files = diff(
        &Spec::from_json(&old.to_json()).unwrap(),
        &Spec::from_json(&new.to_json()).unwrap(),
    );
    assert_eq!(from_docs, through_files);
    assert!(!from_docs.is_empty());
}

#[test]
fn every_consecutive_pair_of_revisions() {
    use ChangeKind::*;
    use Class::*;
    let expected: [&[((Class, ChangeKind), usize)]; 8] = [
        // 01 -> 02: the list's `status` gets its enumeration.
        &[((Breaking, EnumChanged), 1)],
        // 02 -> 03: the pages start marking required fields: two request
        // fields break their constructors; the answers' 34 marks reach only
        // the docs (every answer field stays an `Option`), and the two
        // request groups are always there.
        &[
            ((Breaking, RequiredChanged), 2),
            ((NonBreaking, RequiredChanged), 36),
        ],
        // 03 -> 04: empty descriptions are filled in.
        &[((NonBreaking, DocumentationChanged), 8)],
        // 04 -> 05 and 05 -> 06: only whitespace and code samples.
        &[],
        &[],
        // 06 -> 07: the headings are restructured into `{#mix}` pages.
        &[((NonBreaking, DocumentationChanged), 4)],
        // 07 -> 08: new links to the official docs.
        &[((NonBreaking, DocumentationChanged), 1)],
        // 08 -> 09: enumerations documented, `week_day` typed as integers.
        &[
            ((Breaking, EnumChanged), 4),
            ((Breaking, TypeChanged), 1),
            ((NonBreaking, DocumentationChanged), 1),
        ],
    ];
    let revisions = revisions();
    assert_eq!(revisions.len(), expected.len() + 1);
    for (pair, expected) in revisions.windows(2).zip(expected) {
        let changes = diff(&spec(&pair[0]), &spec(&pair[1]));
        let expected: BTreeMap<_, _> = expected.iter().copied().collect();
        assert_eq!(
            summary(&changes),
            expected,
            "{} -> {}:\n{}",
            pair[0].display(),
            pair[1].display(),
            changes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

#[test]
fn from_the_seed_to_today() {
    let shared = common::shared_dir();
    let page = "openapi/v3/marketing/busifavor/stocks/{stock_id}/couponcodes.md";
    let seed_file = fs::read_dir(shared.join("seed"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let seed = Spec::new(parse_page(page, &fs::read_to_string(seed_file).unwrap()).operations);
    let today = Spec::new(
        parse_page(
            page,
            &fs::read_to_string(shared.join("docs/current").join(page)).unwrap(),
        )
        .operations,
    );
    let changes = diff(&seed, &today);
    let find = |location: &str, kind: ChangeKind| {
        changes
            .iter()
            .find(|c| c.location == location && c.kind == kind)
            .unwrap_or_else(|| panic!("no {kind:?} at {location}: {changes:#?}"))
    };
    let upload_request_no = find("body.upload_request_no", ChangeKind::RequiredChanged);
    assert_eq!(upload_request_no.class, Class::Breaking);
    assert!(upload_request_no.reason.contains("constructors take it"));
    for field in ["stock_id", "total_count", "success_count", "success_time"] {
        let change = find(&format!("response.{field}"), ChangeKind::RequiredChanged);
        assert_eq!(change.class, Class::NonBreaking);
        assert!(
            change.reason.contains("answer fields are `Option`"),
            "{change}"
        );
    }
    for field in [
        "body.coupon_code_list",
        "response.success_codes",
        "response.data",
    ] {
        assert_eq!(
            find(field, ChangeKind::DocumentationChanged).class,
            Class::NonBreaking
        );
    }
}

/// One edit of one attribute of one row.
#[derive(Debug, Clone, Copy)]
enum Edit {
    ToggleRequired,
    Describe,
    RetypeStringToInteger,
    AddEnumValue,
    Encrypt,
}

/// Each field row of a page, edited one attribute at a time, is one change of the
/// right class in the diff.
#[test]
fn one_attribute_of_one_row_is_one_change() {
    let shared = common::shared_dir().join("docs/current");
    let pages = [
        "openapi/v3/marketing/busifavor/stocks/{stock_id}/couponcodes.md",
        "openapi/v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}.md",
    ];
    let mut checked = 0;
    for page in pages {
        let text = fs::read_to_string(shared.join(page)).unwrap();
        let original = Spec::new(parse_page(page, &text).operations);
        let lines: Vec<&str> = text.lines().collect();
        let mut in_request = false;
        for (index, line) in lines.iter().enumerate() {
            if line.starts_with("| 请求参数") {
                in_request = true;
            } else if line.starts_with("| 返回字典") {
                in_request = false;
            }
            let Some(row) = FieldRow::read(line) else {
                continue;
            };
            let next_indent = lines
                .get(index + 1)
                .and_then(|l| FieldRow::read(l))
                .map(|r| r.indent);
            let leaf = next_indent.is_none_or(|n| n <= row.indent);
            let block = row.indent == 0
                && ["json", "query", "headers", "body"].contains(&row.name.as_str());
            let path_param = in_request && row.indent == 0 && !block;
            for edit in [
                Edit::ToggleRequired,
                Edit::Describe,
                Edit::RetypeStringToInteger,
                Edit::AddEnumValue,
                Edit::Encrypt,
            ] {
                let applicable = match edit {
                    Edit::ToggleRequired => !path_param,
                    Edit::Describe => !block,
                    Edit::RetypeStringToInteger => {
                        leaf && !block
                            && row.type_cell == "string"
                            && !row.description.contains("枚举值")
                    }
                    Edit::AddEnumValue => row.description.contains("枚举值之一"),
                    Edit::Encrypt => leaf && !block && row.type_cell == "string",
                };
                if !applicable {
                    continue;
                }
                let (edited_line, kind, class) = row.edit(edit, in_request);
                let mut edited_lines = lines.clone();
                edited_lines[index] = &edited_line;
                let edited_text = edited_lines.join("\n");
                let edited = parse_page(page, &edited_text);
                assert!(
                    !edited.has_errors(),
                    "{edit:?} on line {}: {:?}",
                    index + 1,
                    edited.diagnostics
                );
                let changes = diff(&original, &Spec::new(edited.operations));
                assert_eq!(
                    changes.len(),
                    1,
                    "{edit:?} on {page}:{}: {line}\n{changes:#?}",
                    index + 1
                );
                assert_eq!(
                    (changes[0].kind, changes[0].class),
                    (kind, class),
                    "{edit:?} on {page}:{}",
                    index + 1
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 150, "{checked} edits checked");
}

struct FieldRow {
    name: String,
    attrs: String,
    indent: u32,
    type_cell: String,
    description: String,
}

impl FieldRow {
    fn read(line: &str) -> Option<FieldRow> {
        let rest = line.strip_prefix("| ")?;
        if rest.starts_with("---") || rest.starts_with('{') || line.contains("colspan") {
            return None;
        }
        let cells: Vec<&str> = rest.splitn(3, '|').collect();
        if cells.len() < 3 || cells[0].contains("请求参数") || cells[0].contains("返回字典")
        {
            return None;
        }
        let name_cell = cells[0].trim();
        let (name, attrs) = match name_cell.find('{') {
            Some(at) => (name_cell[..at].trim(), name_cell[at..].trim()),
            None => (name_cell, ""),
        };
        let indent = attrs
            .split("data-indent=")
            .nth(1)
            .and_then(|v| {
                v.trim_end_matches('}')
                    .split_whitespace()
                    .next()
                    .map(|n| n.trim_end_matches('}').to_owned())
            })
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        Some(FieldRow {
            name: name.to_owned(),
            attrs: attrs.to_owned(),
            indent,
            type_cell: cells[1].trim().to_owned(),
            description: cells[2].trim().to_owned(),
        })
    }

    fn write(&self, attrs: &str, type_cell: &str, description: &str) -> String {
        let name = if attrs.is_empty() {
            self.name.clone()
        } else {
            format!("{} {attrs}", self.name)
        };
        format!("| {name} | {type_cell} | {description}")
    }

    fn edit(&self, edit: Edit, request: bool) -> (String, ChangeKind, Class) {
        match edit {
            Edit::ToggleRequired => {
                let attrs = if self.attrs.contains("data-required") {
                    let inner = self
                        .attrs
                        .trim_matches(|c| c == '{' || c == '}')
                        .replace("data-required", "");
                    let inner = inner.split_whitespace().collect::<Vec<_>>().join(" ");
                    if inner.is_empty() {
                        String::new()
                    } else {
                        format!("{{{inner}}}")
                    }
                } else if self.attrs.is_empty() {
                    "{data-required}".to_owned()
                } else {
                    self.attrs.replacen('{', "{data-required ", 1)
                };
                // Answer fields are `Option` whatever the mark; request
                // groups are always there.
                let class = if !request
                    || (self.indent == 0
                        && ["json", "query", "headers"].contains(&self.name.as_str()))
                {
                    Class::NonBreaking
                } else {
                    Class::Breaking
                };
                (
                    self.write(&attrs, &self.type_cell, &self.description),
                    ChangeKind::RequiredChanged,
                    class,
                )
            }
            Edit::Describe => (
                self.write(
                    &self.attrs,
                    &self.type_cell,
                    &format!("改{}", self.description),
                ),
                ChangeKind::DocumentationChanged,
                Class::NonBreaking,
            ),
            Edit::RetypeStringToInteger => (
                self.write(&self.attrs, "integer", &self.description),
                ChangeKind::TypeChanged,
                Class::Breaking,
            ),
            Edit::AddEnumValue => (
                self.write(
                    &self.attrs,
                    &self.type_cell,
                    &self
                        .description
                        .replacen("枚举值之一", "\\| `BRAND_NEW` 枚举值之一", 1),
                ),
                ChangeKind::EnumChanged,
                Class::NonBreaking,
            ),
            Edit::Encrypt => (
                self.write(
                    &self.attrs,
                    "string {data-encrypted=by-rsa-pubkey}",
                    &self.description,
                ),
                ChangeKind::EncryptionChanged,
                if request {
                    Class::Breaking
                } else {
                    Class::NonBreaking
                },
            ),
        }
    }
}
