//! Every compile error numerous promises, one case each, with its reviewed `.stderr`.
//!
//! Regenerate after a deliberate change with `TRYBUILD=overwrite cargo test -p numerous-ui-tests`
//! and review the diff. The messages come from rustc 1.95 (the toolchain CI uses).

use std::path::{Path, PathBuf};

/// trybuild compiles the cases as a crate under `<target>/tests/trybuild/<crate>/`, and the
/// macros read templates and widget modules relative to that crate: link ours there.
fn link_templates() {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let target = tmp.parent().expect("CARGO_TARGET_TMPDIR is <target>/tmp");
    let project = target.join("tests/trybuild/numerous-ui-tests");
    std::fs::create_dir_all(&project).unwrap();
    for dir in ["templates", "widgets"] {
        link_dir(&project, dir);
    }
}

fn link_dir(project: &Path, dir: &str) {
    let link = project.join(dir);
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let _ = std::fs::remove_file(&link);
    let _ = std::fs::remove_dir_all(&link);
    #[cfg(unix)]
    std::os::unix::fs::symlink(&source, &link).unwrap();
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(&link).unwrap();
        for entry in std::fs::read_dir(&source).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), link.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn ui() {
    link_templates();
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/template/*.rs");
    t.compile_fail("tests/ui/handlers/*.rs");
    t.compile_fail("tests/ui/app/*.rs");
    t.compile_fail("tests/ui/widget/*.rs");
    t.compile_fail("tests/ui/form/*.rs");
}
