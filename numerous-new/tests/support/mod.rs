//! What the tests of generated projects share: where the workspace and its target folder are,
//! and the workspace's dev profile a generated project must build with to reuse its builds.

use std::path::{Path, PathBuf};

/// The repository's workspace (this crate's parent folder).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// The target folder of the build running this test (`CARGO_TARGET_DIR` honoured).
pub fn workspace_target() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is <target>/tmp")
        .to_owned()
}

/// The workspace's `[profile.dev]` (Cargo.toml), which a generated project does not inherit;
/// keep the two alike, or the projects rebuild every dependency.
pub const WORKSPACE_DEV_PROFILE: &[&str] = &[
    "profile.dev.debug=\"line-tables-only\"",
    "profile.dev.package.\"*\".debug=false",
    "profile.dev.package.argon2.opt-level=3",
    "profile.dev.package.blake2.opt-level=3",
];
