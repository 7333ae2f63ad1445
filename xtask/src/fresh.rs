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

fn regenerate_command(path: &str) -> &'static str {
    if path.starts_with("spec/") {
        "spec"
    } else {
        "codegen"
    }
}
