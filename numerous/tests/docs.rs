//! The crate's documentation builds without a warning: every intra-doc link resolves (with every
//! feature, as docs.rs builds it: `[package.metadata.docs.rs]`), and every public item is
//! documented (`#![deny(missing_docs)]`).

use std::path::Path;
use std::process::Command;

#[test]
fn the_documentation_builds_without_warnings() {
    // The workspace's own target folder: the dependencies' metadata is built once and kept.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is <target>/tmp");
    let out = Command::new(env!("CARGO"))
        .args([
            "doc",
            "--offline",
            "-p",
            "numerous",
            "--no-deps",
            "--all-features",
        ])
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTDOCFLAGS", "-D warnings")
        .env_remove("RUSTFLAGS")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo doc:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
