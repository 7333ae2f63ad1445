//! Checked-in generated files that cannot go stale (rust-analyzer's pattern).

use std::fs;
use std::path::Path;

/// Writes `contents` to `path`, or in check mode fails when the file differs.
///
/// Returns whether the file changed (or would change).
pub(crate) fn ensure_file_contents(
    path: &Path,
    contents: &str,
    check: bool,
) -> Result<bool, String> {
    let current = fs::read_to_string(path).ok();
    if current.as_deref() == Some(contents) {
        return Ok(false);
    }
    let shown = path
        .strip_prefix(crate::workspace_root())
        .unwrap_or(path)
        .display()
        .to_string();
    if check {
        let what = if current.is_some() {
            "is stale"
        } else {
            "is missing"
        };
        return Err(format!(
            "{shown} {what}: run `cargo xtask {}` and commit the result",
            regenerate_command(&shown)
        ));
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::write(path, contents).map_err(|e| format!("{shown}: {e}"))?;
    eprintln!("updated {shown}");
    Ok(true)
}

/// Makes `dir` hold exactly `files` (name -> contents) among its files ending in
/// `.{extension}`: writes what differs and removes what is no longer generated,
/// or in check mode fails on either.
pub(crate) fn ensure_dir_contents(
    dir: &Path,
    extension: &str,
    files: &std::collections::BTreeMap<String, String>,
    check: bool,
) -> Result<(), String> {
    for (name, contents) in files {
        ensure_file_contents(&dir.join(name), contents, check)?;
    }
    let suffix = format!(".{extension}");
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(&suffix) || files.contains_key(&name) {
            continue;
        }
        let path = entry.path();
        let shown = path
            .strip_prefix(crate::workspace_root())
            .unwrap_or(&path)
            .display()
            .to_string();
        if check {
            return Err(format!(
                "{shown} is no longer generated: run `cargo xtask {}` and commit the result",
                regenerate_command(&shown)
            ));
        }
        fs::remove_file(&path).map_err(|e| format!("{shown}: {e}"))?;
        eprintln!("removed {shown}");
    }
    Ok(())
}

fn regenerate_command(path: &str) -> &'static str {
    if path.starts_with("spec/") {
        "spec"
    } else {
        "codegen"
    }
}
