//! Helpers shared by the integration tests.

use std::path::PathBuf;

/// `../shared`, the read-only material beside the project (present in CI too).
pub fn shared_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    assert!(
        dir.join("docs").is_dir(),
        "{} is missing: the tests read the docs pages from ../shared",
        dir.display()
    );
    dir
}
