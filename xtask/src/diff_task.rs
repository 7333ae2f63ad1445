//! `cargo xtask diff OLD NEW`: what changed between two docs trees or spec files,
//! and whether it breaks users of the generated crate or of the JSON Schemas.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;
use wechatpay_spec::Spec;
use wechatpay_spec::diff::{Class, diff, has_breaking};

use crate::spec_task::read_docs;

#[derive(Args)]
pub(crate) struct DiffArgs {
    /// The old side: a docs tree (directory) or a spec file (`.json`).
    old: PathBuf,
    /// The new side: a docs tree or a spec file.
    new: PathBuf,
    /// Print the changes as JSON.
    #[arg(long)]
    json: bool,
    /// Exit with status 1 when any change is breaking.
    #[arg(long)]
    fail_on_breaking: bool,
}

/// A spec from a docs tree (as read, without overrides) or from a spec file.
pub(crate) fn load(side: &Path) -> Result<Spec, String> {
    if side.is_dir() {
        let mut spec = read_docs(side, false)?;
        wechatpay_spec::names::assign(&mut spec);
        Ok(spec)
    } else {
        let text = fs::read_to_string(side).map_err(|e| format!("{}: {e}", side.display()))?;
        Spec::from_json(&text).map_err(|e| format!("{}: {e}", side.display()))
    }
}

pub(crate) fn run(args: DiffArgs) -> Result<(), String> {
    let old = load(&args.old)?;
    let new = load(&args.new)?;
    let changes = diff(&old, &new);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&changes).map_err(|e| e.to_string())?
        );
    } else if changes.is_empty() {
        println!("no changes");
    } else {
        let breaking = changes
            .iter()
            .filter(|c| c.class == Class::Breaking)
            .count();
        println!(
            "{} changes, {breaking} breaking for users of the generated crate or the JSON Schemas:",
            changes.len()
        );
        for change in &changes {
            println!("  {change}");
        }
    }
    if args.fail_on_breaking && has_breaking(&changes) {
        return Err("breaking changes (see above)".into());
    }
    Ok(())
}
