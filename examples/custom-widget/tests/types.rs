//! The declarations `#[numerous::widget(types)]` writes type the example's modules: TypeScript
//! accepts the modules as they are, and refuses a copy that reads a field the struct does not
//! have or writes one the browser may not write.
//!
//! Needs node and `npm ci` at the workspace's root (TypeScript); CI requires them.

use std::path::{Path, PathBuf};

fn widgets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("widgets")
}

#[test]
fn the_build_writes_a_declaration_beside_each_module() {
    let text = std::fs::read_to_string(widgets().join("reactions.d.ts")).unwrap();
    for part in [
        "export interface State {",
        "  /** How often each was picked. */\n  counts: Record<string, number>;",
        "  choices: string[];",
        "export interface Input {\n  /** A note the browser may write. */\n  note: string;\n}",
        "send(content: unknown",
    ] {
        assert!(text.contains(part), "{part:?} is not in:\n{text}");
    }
    let badge = std::fs::read_to_string(widgets().join("badge.d.ts")).unwrap();
    assert!(badge.contains("export interface Input {\n}"), "{badge}");
    assert!(
        !badge.contains("send("),
        "a badge takes no messages: {badge}"
    );
    let sampler = std::fs::read_to_string(widgets().join("sampler.d.ts")).unwrap();
    assert!(
        sampler.contains("samples: DataView | ArrayBuffer | ArrayBufferView;"),
        "{sampler}"
    );
}

#[test]
fn typescript_accepts_the_modules_and_finds_a_typo() {
    let Some(tsc) = testkit::typescript::Tsc::find() else {
        return;
    };
    let dir = widgets();
    let modules = ["reactions.js", "badge.js", "sampler.js"].map(|m| dir.join(m));
    tsc.check_js(&modules.iter().map(PathBuf::as_path).collect::<Vec<_>>())
        .unwrap_or_else(|report| panic!("TypeScript refused the example's modules:\n{report}"));

    // A copy with two mistakes, beside the same declaration.
    let tmp = testkit::cluster::TempDir::new("types");
    let source = std::fs::read_to_string(dir.join("reactions.js")).unwrap();
    let wrong = source
        .replacen("model.get(\"counts\")", "model.get(\"count\")", 1)
        .replacen(
            "model.set(\"note\", note.value);",
            "model.set(\"choices\", [note.value]);",
            1,
        );
    assert_ne!(wrong, source);
    std::fs::write(tmp.0.join("reactions.js"), wrong).unwrap();
    std::fs::copy(dir.join("reactions.d.ts"), tmp.0.join("reactions.d.ts")).unwrap();
    let report = tsc
        .check_js(&[&tmp.0.join("reactions.js")])
        .expect_err("TypeScript accepted a module with a misspelt field");
    assert!(report.contains("\"count\""), "{report}");
    assert!(report.contains("\"choices\""), "{report}");
}

/// The declarations in the repository are the ones the build writes (it rewrites a stale one,
/// which `git` then shows): regenerate with `cargo build -p example-custom-widget` and commit.
#[test]
fn the_committed_declarations_are_current() {
    let dir = widgets();
    let Ok(out) = std::process::Command::new("git")
        .args(["diff", "--exit-code", "--", "*.d.ts"])
        .current_dir(&dir)
        .output()
    else {
        return; // no git here
    };
    if out.status.code() == Some(1) {
        panic!(
            "the build rewrote the declarations of the example's widgets: commit them\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
