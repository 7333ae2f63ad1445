//! `cargo xtask update --site DIR`: one command per docs change.
//!
//! Reads the site's pages first and stops, having written nothing, if a page
//! has an error. Otherwise it makes `spec/docs` hold exactly the site's pages,
//! rewrites the spec and the generated code (`spec`, then `codegen`), prints
//! what changed for users with the breaking changes first, and drafts the
//! `CHANGELOG.md` entry with the version the changes call for. A site whose
//! pages are the ones already kept is a no-op: nothing is rewritten.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;
use wechatpay_spec::Spec;
use wechatpay_spec::diff::{Change, ChangeKind, Class, diff};

use crate::codegen_task::{self, CodegenArgs, Schemas};
use crate::fresh::ensure_dir_contents;
use crate::spec_task::{self, SpecArgs, WHOLE_SPEC, read_docs};
use crate::workspace_root;

#[derive(Args)]
pub(crate) struct UpdateArgs {
    /// A copy of the docs site (or any folder laid out like it): its
    /// `openapi/` and `webhook/` pages replace those under `spec/docs`.
    #[arg(long)]
    site: PathBuf,
}

/// The folders of a site that hold the pages the spec is read from.
const PAGE_DIRS: &[&str] = &["openapi", "webhook"];
/// Where the kept copy of the site's pages lives.
const KEPT: &str = "spec/docs";

/// What an update did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The site's pages are the kept ones.
    Unchanged,
    /// Pages changed; the spec and code were rewritten.
    Updated {
        /// The version the changes call for.
        next_version: String,
        breaking: usize,
        other: usize,
    },
}

pub(crate) fn run(args: UpdateArgs) -> Result<(), String> {
    let today = today();
    match run_in(&workspace_root(), &args.site, &today, Schemas::Write)? {
        Outcome::Unchanged => println!(
            "{KEPT} already holds the pages of {}: nothing to do",
            args.site.display()
        ),
        Outcome::Updated {
            next_version,
            breaking,
            other,
        } => println!(
            "updated: {breaking} breaking and {other} other changes; next version {next_version}. \
             The draft is at the top of CHANGELOG.md: edit it, run `cargo test --workspace`, commit."
        ),
    }
    Ok(())
}

/// [`run`] on the workspace at `root`, dating the draft `today`.
pub(crate) fn run_in(
    root: &Path,
    site: &Path,
    today: &str,
    schemas: Schemas,
) -> Result<Outcome, String> {
    let pages = pages(site)?;
    if pages.is_empty() {
        return Err(format!(
            "{}: no pages under {}: is this a copy of the docs site?",
            site.display(),
            PAGE_DIRS.join("/ or ")
        ));
    }
    let kept = root.join(KEPT);
    if pages == self::pages(&kept)? {
        return Ok(Outcome::Unchanged);
    }
    // Every page is read before anything is written: an error stops the
    // update with the page and line, and the workspace as it was.
    read_docs(site, false).map_err(|e| {
        format!("{e}\nnothing was changed: fix the page or add an override, then run again")
    })?;
    let old = load_spec(root)?;

    ensure_dir_contents(&kept, &["md"], &pages, false)?;
    spec_task::run_in(root, SpecArgs::default())?;
    let new = load_spec(root)?;
    codegen_task::run_in(root, CodegenArgs::default(), schemas)?;

    // `diff` orders the changes breaking ones first.
    let changes = diff(&old, &new);
    for change in &changes {
        println!("  {change}");
    }
    let version = crate::workspace_version(root)?;
    let next_version = next_version(&version, &changes)?;
    let changelog = root.join("CHANGELOG.md");
    let text = fs::read_to_string(&changelog).map_err(|e| format!("CHANGELOG.md: {e}"))?;
    let entry = changelog_entry(today, &version, &next_version, &changes);
    fs::write(&changelog, insert_entry(&text, &entry)?)
        .map_err(|e| format!("CHANGELOG.md: {e}"))?;
    let breaking = changes
        .iter()
        .filter(|change| change.class == Class::Breaking)
        .count();
    Ok(Outcome::Updated {
        next_version,
        breaking,
        other: changes.len() - breaking,
    })
}

/// Every `.md` page under the site's [`PAGE_DIRS`], by path from the site.
fn pages(site: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut pages = BTreeMap::new();
    for dir in PAGE_DIRS {
        collect(&site.join(dir), dir, &mut pages)?;
    }
    Ok(pages)
}

fn collect(dir: &Path, prefix: &str, pages: &mut BTreeMap<String, String>) -> Result<(), String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = entry.path();
        let name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
        if path.is_dir() {
            collect(&path, &name, pages)?;
        } else if name.ends_with(".md") {
            let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            pages.insert(name, text);
        }
    }
    Ok(())
}

fn load_spec(root: &Path) -> Result<Spec, String> {
    let path = root.join(WHOLE_SPEC);
    let text = fs::read_to_string(&path).map_err(|e| format!("{WHOLE_SPEC}: {e}"))?;
    Spec::from_json(&text).map_err(|e| format!("{WHOLE_SPEC}: {e}"))
}

/// The version after `version` that `changes` call for, by Cargo's reading
/// of semver (below 1.0 the minor number is the breaking one).
fn next_version(version: &str, changes: &[Change]) -> Result<String, String> {
    let parts: Vec<u64> = version
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| format!("version {version} is not MAJOR.MINOR.PATCH"))?;
    let [major, minor, patch] = parts[..] else {
        return Err(format!("version {version} is not MAJOR.MINOR.PATCH"));
    };
    let breaking = changes.iter().any(|c| c.class == Class::Breaking);
    let additive = changes
        .iter()
        .any(|c| c.kind != ChangeKind::DocumentationChanged);
    Ok(match (major, breaking, additive) {
        (0, true, _) => format!("0.{}.0", minor + 1),
        (0, false, _) => format!("0.{minor}.{}", patch + 1),
        (_, true, _) => format!("{}.0.0", major + 1),
        (_, false, true) => format!("{major}.{}.0", minor + 1),
        (_, false, false) => format!("{major}.{minor}.{}", patch + 1),
    })
}

/// The drafted entry: why the version, then the changes, breaking first.
fn changelog_entry(today: &str, version: &str, next: &str, changes: &[Change]) -> String {
    let (breaking, other): (Vec<&Change>, Vec<&Change>) =
        changes.iter().partition(|c| c.class == Class::Breaking);
    let why = if !breaking.is_empty() {
        format!("{} breaking change(s): {version} -> {next}", breaking.len())
    } else if other.is_empty() {
        format!("the pages changed but not what is generated from them: {version} -> {next}")
    } else {
        format!("no breaking change: {version} -> {next}")
    };
    let mut entry = format!(
        "### Docs update of {today} (drafted by `cargo xtask update`: edit before release)\n\n{why}.\n"
    );
    for (title, list) in [("Breaking", &breaking), ("Other", &other)] {
        if list.is_empty() {
            continue;
        }
        entry.push_str(&format!("\n{title}:\n\n"));
        for change in list.iter() {
            entry.push_str(&format!("- `{}` {}", change.operation, describe(change)));
            entry.push('\n');
        }
    }
    entry.push('\n');
    entry
}

fn describe(change: &Change) -> String {
    let mut text = String::new();
    if !change.location.is_empty() {
        text.push_str(&format!("`{}`: ", change.location));
    }
    text.push_str(&format!("{:?}", change.kind));
    match (change.before.as_deref(), change.after.as_deref()) {
        (Some("") | None, Some(after)) if !after.is_empty() => {
            text.push_str(&format!(" (now {after})"));
        }
        (Some(before), Some("") | None) if !before.is_empty() => {
            text.push_str(&format!(" (was {before})"));
        }
        (Some(before), Some(after)) => text.push_str(&format!(" ({before} -> {after})")),
        _ => {}
    }
    text.push_str(&format!("; {}", change.reason));
    text
}

/// `changelog` with `entry` at the top of its `## Unreleased` section.
fn insert_entry(changelog: &str, entry: &str) -> Result<String, String> {
    const UNRELEASED: &str = "## Unreleased\n";
    let at = changelog
        .find(UNRELEASED)
        .ok_or("CHANGELOG.md has no `## Unreleased` section to draft the entry in")?
        + UNRELEASED.len();
    Ok(format!(
        "{}\n{entry}{}",
        &changelog[..at],
        changelog[at..].trim_start_matches('\n')
    ))
}

/// Today's date (UTC), `YYYY-MM-DD`.
fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HISTORY: &str = "../shared/docs/history";
    const COUPONCODES_PAGES: [&str; 2] = [
        "openapi/v3/marketing/busifavor/stocks/{stock_id}/couponcodes.md",
        "openapi/v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}.md",
    ];

    fn write_pages(dir: &Path, pages: &BTreeMap<String, String>) {
        for (name, text) in pages {
            let path = dir.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
    }

    /// A scratch workspace holding what the update reads and writes: the kept
    /// pages (`pages`), the overrides, the manifests and a changelog, with the
    /// spec and code generated from those pages.
    fn scratch(pages: &BTreeMap<String, String>) -> tempfile::TempDir {
        let root = workspace_root();
        let dir = tempfile::tempdir().unwrap();
        write_pages(&dir.path().join(KEPT), pages);
        for file in ["spec/overrides.toml", "Cargo.toml", "bindings/Cargo.toml"] {
            let to = dir.path().join(file);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(root.join(file), to).unwrap();
        }
        fs::write(
            dir.path().join("CHANGELOG.md"),
            "# Changelog\n\n## Unreleased\n\n- an entry already there\n",
        )
        .unwrap();
        spec_task::run_in(dir.path(), SpecArgs::default()).unwrap();
        codegen_task::run_in(dir.path(), CodegenArgs::default(), Schemas::Skip).unwrap();
        dir
    }

    #[test]
    fn the_kept_site_is_a_no_op() {
        let root = workspace_root();
        let outcome = run_in(&root, &root.join(KEPT), "2026-01-01", Schemas::Skip).unwrap();
        assert_eq!(outcome, Outcome::Unchanged);
    }

    /// The last revision of the couponcodes pages (2025-07-30) made two fields
    /// enums and `week_day` integers: taken by `update` on a workspace that
    /// kept the one before, it yields exactly the checked-in spec and code,
    /// calls the change breaking, and drafts 0.2.0. A second run is a no-op.
    #[test]
    fn a_docs_revision_rewrites_spec_code_and_changelog() {
        let root = workspace_root();
        let site = pages(&root.join(KEPT)).unwrap();
        let mut before = site.clone();
        let revision = root.join(HISTORY).join("08-2025-04-26-8c7e16a");
        for page in COUPONCODES_PAGES {
            before.insert(
                page.to_owned(),
                fs::read_to_string(revision.join(page)).unwrap(),
            );
        }
        assert_ne!(before, site, "the revision differs from the kept pages");
        let workspace = scratch(&before);
        let site_dir = tempfile::tempdir().unwrap();
        write_pages(site_dir.path(), &site);

        let outcome = run_in(
            workspace.path(),
            site_dir.path(),
            "2026-12-07",
            Schemas::Skip,
        )
        .unwrap();
        let Outcome::Updated {
            next_version,
            breaking,
            ..
        } = outcome
        else {
            panic!("{outcome:?}")
        };
        assert_eq!(next_version, "0.2.0");
        assert!(breaking >= 1);

        let same = |file: &str| {
            assert_eq!(
                fs::read_to_string(workspace.path().join(file)).unwrap(),
                fs::read_to_string(root.join(file)).unwrap(),
                "{file}"
            );
        };
        same(WHOLE_SPEC);
        same("spec/couponcodes.json");
        same("bindings/Cargo.toml");
        same(
            "bindings/areas/v3-marketing-busifavor/src/generated/stocks/stock_id/couponcodes/coupon_code.rs",
        );
        for page in COUPONCODES_PAGES {
            same(&format!("{KEPT}/{page}"));
        }

        let changelog = fs::read_to_string(workspace.path().join("CHANGELOG.md")).unwrap();
        let draft = changelog
            .find("### Docs update of 2026-12-07")
            .expect("drafted");
        assert!(
            draft < changelog.find("an entry already there").unwrap(),
            "on top"
        );
        assert!(changelog.contains("0.1.0 -> 0.2.0"), "{changelog}");
        assert!(changelog.contains("week_day"), "{changelog}");

        let again = run_in(
            workspace.path(),
            site_dir.path(),
            "2026-12-08",
            Schemas::Skip,
        )
        .unwrap();
        assert_eq!(again, Outcome::Unchanged);
        assert!(
            !fs::read_to_string(workspace.path().join("CHANGELOG.md"))
                .unwrap()
                .contains("2026-12-08")
        );
    }

    #[test]
    fn a_page_with_an_error_stops_the_update_before_anything_is_written() {
        let root = workspace_root();
        let mut site = pages(&root.join(KEPT)).unwrap();
        let workspace = tempfile::tempdir().unwrap();
        // Only what the check before writing reads: the kept pages.
        write_pages(&workspace.path().join(KEPT), &site);
        site.insert(
            "openapi/v3/broken.md".into(),
            "# {{ $frontmatter.title }} {#get}\n".into(),
        );
        let site_dir = tempfile::tempdir().unwrap();
        write_pages(site_dir.path(), &site);

        let error = run_in(
            workspace.path(),
            site_dir.path(),
            "2026-12-07",
            Schemas::Skip,
        )
        .unwrap_err();
        assert!(error.contains("openapi/v3/broken.md:1"), "{error}");
        assert!(error.contains("nothing was changed"), "{error}");
        assert!(
            !workspace
                .path()
                .join(KEPT)
                .join("openapi/v3/broken.md")
                .exists()
        );
        assert!(!workspace.path().join(WHOLE_SPEC).exists());
    }

    #[test]
    fn versions_follow_cargo_semver() {
        let change = |class, kind| Change {
            class,
            operation: "GET /v3/x".into(),
            location: String::new(),
            kind,
            reason: String::new(),
            before: None,
            after: None,
        };
        let breaking = [change(Class::Breaking, ChangeKind::FieldRemoved)];
        let added = [change(Class::NonBreaking, ChangeKind::FieldAdded)];
        let docs = [change(Class::NonBreaking, ChangeKind::DocumentationChanged)];
        assert_eq!(next_version("0.1.3", &breaking).unwrap(), "0.2.0");
        assert_eq!(next_version("0.1.3", &added).unwrap(), "0.1.4");
        assert_eq!(next_version("1.4.2", &breaking).unwrap(), "2.0.0");
        assert_eq!(next_version("1.4.2", &added).unwrap(), "1.5.0");
        assert_eq!(next_version("1.4.2", &docs).unwrap(), "1.4.3");
        assert!(next_version("1.4", &docs).is_err());
    }
}
