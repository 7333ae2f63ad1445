//! `cargo xtask <task>`: the maintainer's workflow from docs to checked-in code.
//!
//! - `spec`: read the docs pages under `spec/docs` into `spec/wechatpay.json`
//!   (or any docs tree, with `--docs`), `--check` for freshness.
//! - `codegen`: generate the bindings (`bindings/src/generated`, a crate per
//!   API area under `bindings/areas`) and `schemas/` from the spec.
//! - `corpus`: generate and compile every operation of a docs tree.
//! - `diff`: changes between two docs trees or specs, classified breaking or not.
//! - `openapi`: an OpenAPI 3.1 document of a docs tree or spec.
//! - `bench`: every figure of `BENCHMARKS.md`, each with its baseline.
//! - `soak`: a million codes through the CLI under faults, a kill and reruns.
//! - `update`: one command per docs change: pages, spec, code, diff, changelog draft.

mod area_crates;
mod bench_task;
mod codegen_task;
mod corpus_task;
mod diff_task;
mod fresh;
mod openapi_task;
mod sandbox_process;
mod soak_task;
mod spec_task;
mod update_task;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Maintainer tasks for the WeChat Pay bindings"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Read a docs tree into a spec file.
    ///
    /// Without `--docs`, reads the pages kept under `spec/docs` (the site's),
    /// applies `spec/overrides.toml` and writes `spec/wechatpay.json` (the whole
    /// API), its couponcodes slice `spec/couponcodes.json`, and
    /// `spec/spec.schema.json`.
    Spec(spec_task::SpecArgs),
    /// Generate the checked-in bindings (`bindings/src/generated` and a crate
    /// per API area under `bindings/areas`) and their JSON Schemas
    /// (`schemas/`) from `spec/wechatpay.json`.
    Codegen(codegen_task::CodegenArgs),
    /// Parse a whole docs tree, generate a crate with every operation into
    /// `target/corpus/`, and `cargo check` it.
    Corpus(corpus_task::CorpusArgs),
    /// What changed between two docs trees or spec files, breaking or not.
    Diff(diff_task::DiffArgs),
    /// An OpenAPI 3.1 document of a docs tree or spec file.
    Openapi(openapi_task::OpenApiArgs),
    /// Reproduce every figure of `BENCHMARKS.md`: `cargo bench`, compile times,
    /// and a bulk upload of a million codes through the CLI and a sandbox process.
    Bench(bench_task::BenchArgs),
    /// Upload a million codes through the released CLI to a sandbox that injects
    /// faults, kill the first run halfway, rerun until done, and check every
    /// summary and the sandbox's store.
    Soak(soak_task::SoakArgs),
    /// Take a new copy of the docs site: replace the pages under `spec/docs`,
    /// rewrite the spec and the generated code, print what changed (breaking
    /// first) and draft the CHANGELOG entry with the version it calls for.
    /// Stops before writing anything if a page has an error; a site with the
    /// kept pages is a no-op.
    Update(update_task::UpdateArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Spec(args) => spec_task::run(args),
        Task::Codegen(args) => codegen_task::run(args),
        Task::Corpus(args) => corpus_task::run(args),
        Task::Diff(args) => diff_task::run(args),
        Task::Openapi(args) => openapi_task::run(args),
        Task::Bench(args) => bench_task::run(args),
        Task::Soak(args) => soak_task::run(args),
        Task::Update(args) => update_task::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root, so tasks work from any directory. `cargo run` (what
/// `cargo xtask` is) says where the manifest is now; the path compiled in is
/// where it was when built, wrong after a checkout moves until cargo rebuilds.
fn workspace_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

/// `[workspace.package] version` of the manifest at `root`: what the crates
/// are released as, together.
fn workspace_version(root: &std::path::Path) -> Result<String, String> {
    let text =
        std::fs::read_to_string(root.join("Cargo.toml")).map_err(|e| format!("Cargo.toml: {e}"))?;
    let manifest: toml::Table = text.parse().map_err(|e| format!("Cargo.toml: {e}"))?;
    manifest
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| "Cargo.toml: no version in [workspace.package]".into())
}

// Codegen allocates millions of small token trees: under perf, glibc's malloc
// and free took a quarter of a thousand-page run; with mimalloc the run is
// about a fifth shorter.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
