//! Docs -> spec -> Rust for a thousand pages, against merely reading the files.
//!
//! The thousand pages are copies of `../shared/docs/current` under distinct
//! paths, so every copy is its own set of operations.

use std::fs;
use std::path::{Path, PathBuf};

use wechatpay_codegen::{Settings, generate};
use wechatpay_docs_parser::parse_tree;
use wechatpay_e2e::bench::{median, row};

const PAGES: usize = 1000;

// The allocator `cargo xtask` runs the generator with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn pages(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            pages(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// A docs tree of at least `PAGES` pages, built from the current pages.
pub fn thousand_page_tree() -> (tempfile::TempDir, usize) {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/docs/current");
    let mut originals = Vec::new();
    pages(&source, &mut originals);
    let dir = tempfile::tempdir().unwrap();
    let mut written = 0;
    let mut copy = 0;
    while written < PAGES {
        for page in &originals {
            let relative = page.strip_prefix(source.join("openapi/v3")).unwrap();
            let target = dir
                .path()
                .join(format!("openapi/v3/copy{copy}"))
                .join(relative);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::copy(page, &target).unwrap();
            written += 1;
        }
        copy += 1;
    }
    (dir, written)
}

fn main() {
    let (tree, count) = thousand_page_tree();
    let mut files = Vec::new();
    pages(tree.path(), &mut files);
    let read = median(7, || {
        for file in &files {
            std::hint::black_box(fs::read_to_string(file).unwrap());
        }
    });
    let mut operations = 0;
    let parse = median(7, || {
        let result = parse_tree(tree.path()).unwrap();
        operations = result.spec.operations.len();
    });
    let mut lines = 0;
    let pipeline = median(5, || {
        let result = parse_tree(tree.path()).unwrap();
        let mut settings = Settings::new();
        settings.with_features(true).with_json_schema_feature(true);
        let files = generate(&result.spec, &settings).unwrap().files().unwrap();
        lines = files.values().map(|f| f.lines().count()).sum();
    });
    let per_thousand = |d: std::time::Duration| d.as_secs_f64() * 1000.0 / count as f64 * 1000.0;
    println!(
        "\n## docs -> spec -> Rust ({count} pages, {operations} operations, {lines} generated lines)\n"
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
        "parse and generate Rust".into(),
        format!("{:.1}", per_thousand(pipeline)),
        format!("{:.1}", pipeline.as_secs_f64() / read.as_secs_f64()),
    ]);
}
