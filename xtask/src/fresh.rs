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
    let shown = shown(path);
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

/// Makes `dir` hold exactly `files` (path relative to `dir`, `/`-separated ->
/// contents) among its files with one of `extensions`, in `dir` and below:
/// writes what differs and removes what is no longer generated (and the
/// directories that leaves empty), or in check mode fails on either.
pub(crate) fn ensure_dir_contents(
    dir: &Path,
    extensions: &[&str],
    files: &std::collections::BTreeMap<String, String>,
    check: bool,
) -> Result<(), String> {
    for (name, contents) in files {
        ensure_file_contents(&dir.join(name), contents, check)?;
    }
    remove_stale(dir, "", extensions, files, check)
}

/// Removes the files below `dir` (at `prefix` from the generated root) that
/// have one of `extensions` and are not in `files`; then `dir` itself if that
/// left it empty.
fn remove_stale(
    dir: &Path,
    prefix: &str,
    extensions: &[&str],
    files: &std::collections::BTreeMap<String, String>,
    check: bool,
) -> Result<(), String> {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let relative = format!("{prefix}{name}");
        if path.is_dir() {
            remove_stale(&path, &format!("{relative}/"), extensions, files, check)?;
            continue;
        }
        let generated_kind = path
            .extension()
            .is_some_and(|e| extensions.iter().any(|x| e == *x));
        if !generated_kind || files.contains_key(&relative) {
            continue;
        }
        let shown = shown(&path);
        if check {
            return Err(format!(
                "{shown} is no longer generated: run `cargo xtask {}` and commit the result",
                regenerate_command(&shown)
            ));
        }
        fs::remove_file(&path).map_err(|e| format!("{shown}: {e}"))?;
        eprintln!("removed {shown}");
    }
    if !prefix.is_empty() && fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none()) {
        fs::remove_dir(dir).map_err(|e| format!("{}: {e}", shown(dir)))?;
    }
    Ok(())
}

/// A path as the messages show it: from the workspace root.
fn shown(path: &Path) -> String {
    path.strip_prefix(crate::workspace_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn regenerate_command(path: &str) -> &'static str {
    if path.starts_with("spec/") {
        "spec"
    } else {
        "codegen"
    }
}
