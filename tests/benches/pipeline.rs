//! Docs -> spec -> formatted Rust for the whole docs site (`spec/docs`) and for
//! a thousand copies of `../shared/docs/current` under distinct paths, each
//! against merely reading the files.

use std::fs;
use std::path::{Path, PathBuf};

use wechatpay_bench::{median, pages, row, thousand_page_tree};
use wechatpay_codegen::{Settings, generate};
use wechatpay_docs_parser::parse_tree;

// The allocator `cargo xtask` runs the generator with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    // The real site, as the bindings are generated from it: uneven areas,
    // pages of every size, /v3/marketing split by product, a crate per area.
    let site = root.join("spec/docs");
    measure(
        "the docs site kept under `spec/docs`",
        &site,
        &Settings::for_bindings("spec/docs"),
    );
    let docs = root.join("../shared/docs/current");
    let tree = tempfile::tempdir().unwrap();
    thousand_page_tree(&docs, tree.path()).unwrap();
    let mut settings = Settings::new();
    settings.with_features(true).with_json_schema_feature(true);
    measure("copies of `../shared/docs/current`", tree.path(), &settings);
}

fn measure(what: &str, tree: &Path, settings: &Settings) {
    let files = pages(tree).unwrap();
    let count = files.len();
    let read = median(7, || {
        for file in &files {
            std::hint::black_box(fs::read_to_string(file).unwrap());
        }
    });
    let mut operations = 0;
    let parse = median(7, || {
        let result = parse_tree(tree).unwrap();
        operations = result.spec.operations.len();
    });
    let mut lines = 0;
    let pipeline = median(5, || {
        let result = parse_tree(tree).unwrap();
        let split = generate(&result.spec, settings)
            .unwrap()
            .area_files(|feature| format!("wechatpay-bindings-{feature}"))
            .unwrap();
        let area_files = split.areas.values().flat_map(|area| area.files.values());
        lines = split
            .facade
            .values()
            .chain(area_files)
            .map(|f| f.lines().count())
            .sum();
    });
    let per_thousand = |d: std::time::Duration| d.as_secs_f64() * 1000.0 / count as f64 * 1000.0;
    println!(
        "\n## docs -> spec -> Rust: {what} ({count} pages, {operations} operations, {lines} generated lines)\n"
    );
    row(&[
        "step".into(),
        "ms per 1000 pages".into(),
        "ratio to reading the files".into(),
    ]);
    row(&["---".into(), "---".into(), "---".into()]);
    row(&[
        "read the files (baseline)".into(),
        format!("{:.1}", per_thousand(read)),
        "1.0".into(),
    ]);
    row(&[
        "parse into a spec".into(),
        format!("{:.1}", per_thousand(parse)),
        format!("{:.1}", parse.as_secs_f64() / read.as_secs_f64()),
    ]);
    row(&[
        "parse, generate and format Rust".into(),
        format!("{:.1}", per_thousand(pipeline)),
        format!("{:.1}", pipeline.as_secs_f64() / read.as_secs_f64()),
    ]);
}
