//! TypeScript's compiler, from the workspace's `node_modules` (`npm ci` at its root installs
//! it): tests check JavaScript modules against the declarations numerous writes.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `tsc`, run by `node`.
#[derive(Debug)]
pub struct Tsc {
    node: PathBuf,
    script: PathBuf,
}

impl Tsc {
    /// The compiler, or `None` (after saying the test skips) where node or TypeScript is not
    /// installed; with `NUMEROUS_REQUIRE_BROWSER=1` (CI, which installs the npm packages the
    /// browser tests need) their absence fails.
    pub fn find() -> Option<Tsc> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../node_modules/typescript/bin/tsc")
            .canonicalize()
            .ok();
        let node = Command::new("node")
            .arg("--version")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|_| PathBuf::from("node"));
        match (node, script) {
            (Some(node), Some(script)) => Some(Tsc { node, script }),
            _ => {
                assert!(
                    !std::env::var("NUMEROUS_REQUIRE_BROWSER").is_ok_and(|v| v == "1"),
                    "NUMEROUS_REQUIRE_BROWSER=1 but node or TypeScript is missing: install node \
                     and run `npm ci` at the workspace's root"
                );
                eprintln!("skipped: TypeScript is not installed (install node, run `npm ci`)");
                None
            }
        }
    }

    /// Type-checks the JavaScript `files` (`// @ts-check` ones) as ES modules for a browser;
    /// `Err` holds the compiler's report.
    pub fn check_js(&self, files: &[&Path]) -> Result<(), String> {
        let out = Command::new(&self.node)
            .arg(&self.script)
            .args([
                "--noEmit",
                "--allowJs",
                "--checkJs",
                "--target",
                "es2022",
                "--module",
                "esnext",
                "--moduleResolution",
                "bundler",
                "--lib",
                "es2022,dom,dom.iterable",
                "--pretty",
                "false",
            ])
            .args(files)
            .output()
            .map_err(|e| format!("cannot run tsc: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }
}
