//! Each kind of project is generated, built and tested (its own test passes); refusals write
//! nothing.
//!
//! The generated projects build against this repository's numerous, with this repository's
//! `Cargo.lock` (offline: the workspace's own build fetched every crate), in the workspace's
//! target folder with its dev profile, so they reuse the dependencies the workspace built.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::{WORKSPACE_DEV_PROFILE, workspace, workspace_target};

fn generator() -> Command {
    Command::new(env!("CARGO_BIN_EXE_numerous-new"))
}

/// A fresh folder path under the system's temporary folder (not created).
fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("numerous-new-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Removes a folder when the test ends, whatever happens.
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn generate(dir: &Path, args: &[&str]) -> std::process::Output {
    generator()
        .arg(dir)
        .arg("--numerous-path")
        .arg(workspace().join("numerous"))
        .args(args)
        .output()
        .unwrap()
}

fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// `cargo test` in a generated project; panics with its output unless it passes. Returns it.
fn cargo_test(dir: &Path) -> String {
    std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let out = Command::new(env!("CARGO"))
        .args(["test", "--offline"])
        // The workspace's own target folder and dev profile (a generated project has the
        // default one): dependencies built with the same features are reused, not rebuilt.
        .env("CARGO_TARGET_DIR", workspace_target())
        .args(WORKSPACE_DEV_PROFILE.iter().flat_map(|c| ["--config", c]))
        .env_remove("RUSTFLAGS")
        .current_dir(dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "cargo test in {}:\n{text}",
        dir.display()
    );
    assert!(text.contains("test adding_counts ... ok"), "{text}");
    text
}

#[test]
fn every_kind_of_project_is_generated_built_and_tested() {
    for (name, args) in [
        ("plain", &[][..]),
        ("env-auth", &["--with-auth"][..]),
        ("db-auth", &["--with-db-auth"][..]),
    ] {
        let dir = fresh(name);
        let _cleanup = Cleanup(dir.clone());
        let out = generate(&dir, args);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            files(&dir),
            [
                ".gitignore",
                "Cargo.toml",
                "README.md",
                "src/lib.rs",
                "src/main.rs",
                "static/README.md",
                "templates/index.html",
                "tests/app.rs"
            ],
            "{name}"
        );
        assert!(
            said.contains("src/main.rs") && said.contains("cargo run"),
            "{said}"
        );
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        assert!(
            readme.contains("cargo run") && readme.contains("cargo test"),
            "{readme}"
        );
        // One shell comment per line of its commands.
        assert!(
            readme.lines().all(|l| l.matches(" # ").count() <= 1),
            "{readme}"
        );
        let main = std::fs::read_to_string(dir.join("src/main.rs")).unwrap();
        match name {
            "db-auth" => {
                assert!(main.contains("DbProvider") && main.contains("NUMEROUS_ADMIN_PASSWORD"));
                assert!(
                    main.contains("cfg!(debug_assertions)"),
                    "no made-up password in release"
                );
                assert!(!main.contains("\"admin-password\""));
            }
            "env-auth" => assert!(main.contains("Auth::from_env")),
            _ => assert!(!main.contains("auth")),
        }
        cargo_test(&dir);
    }
}

#[test]
fn exported_pages_are_every_internal_page_and_build() {
    // Into a new project: the project and the pages; the app builds with them (checked by its
    // macro) in the build test's way.
    let dir = fresh("export");
    let _cleanup = Cleanup(dir.clone());
    let out = generate(&dir, &["--export-templates"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for page in [
        "login.html",
        "forbidden.html",
        "splash.html",
        "error-modal.html",
        "session-banner.html",
    ] {
        assert!(
            dir.join("templates/numerous").join(page).is_file(),
            "{page}"
        );
    }
    assert!(dir.join("static/numerous.css").is_file());
    // The page links the exported stylesheet, served from the app's own embedded files.
    let main = std::fs::read_to_string(dir.join("src/main.rs")).unwrap();
    assert!(
        main.contains(r#".static_files(Static::get).stylesheet("static/numerous.css")"#),
        "{main}"
    );
    // Into an existing project: the pages only, and not over files already there.
    let other = fresh("export-existing");
    let _cleanup2 = Cleanup(other.clone());
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("Cargo.toml"), "[package]\nname = \"mine\"\n").unwrap();
    let out = generator()
        .arg(&other)
        .arg("--export-templates")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(other.join("templates/numerous/login.html").is_file());
    assert!(!other.join("src").exists(), "only the pages");
    // Again, over a page the user changed: it is kept and said so, the rest written; --force
    // replaces it.
    let login = other.join("templates/numerous/login.html");
    std::fs::write(&login, "mine").unwrap();
    std::fs::remove_file(other.join("templates/numerous/splash.html")).unwrap();
    let out = generator()
        .arg(&other)
        .arg("--export-templates")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("kept templates/numerous/login.html (it exists; --force replaces it)"),
        "{stdout}"
    );
    assert_eq!(std::fs::read_to_string(&login).unwrap(), "mine");
    assert!(other.join("templates/numerous/splash.html").is_file());
    let out = generator()
        .arg(&other)
        .args(["--export-templates", "--force"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_ne!(std::fs::read_to_string(&login).unwrap(), "mine");
    cargo_test(&dir);
}

#[test]
fn refusals_leave_nothing_behind() {
    // --port and --host go where `cargo run` reads them; a bad address is refused.
    let dir = fresh("port");
    let _cleanup_port = Cleanup(dir.clone());
    let out = generate(&dir, &["--port", "8123", "--host", "0.0.0.0"]);
    assert!(out.status.success());
    let env = std::fs::read_to_string(dir.join(".cargo/config.toml")).unwrap();
    assert!(
        env.contains("NUMEROUS_PORT = \"8123\"") && env.contains("NUMEROUS_HOST = \"0.0.0.0\"")
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("http://0.0.0.0:8123"));
    // numerous-apps' flags are taken (they change nothing here); --run-skip contradicts --run.
    let dir = fresh("python-flags");
    let _cleanup_flags = Cleanup(dir.clone());
    assert!(
        generate(&dir, &["--skip-deps", "--run-skip"])
            .status
            .success()
    );
    assert!(dir.join("Cargo.toml").exists());
    let dir = fresh("run-and-skip");
    assert!(!generate(&dir, &["--run", "--run-skip"]).status.success());
    assert!(!dir.exists());
    let bad = fresh("bad-host");
    assert!(!generate(&bad, &["--host", "example com"]).status.success());
    assert!(!bad.exists());
    // Conflicting options: refused before anything is written.
    let dir = fresh("conflict");
    let out = generate(&dir, &["--with-auth", "--with-db-auth"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
    assert!(!dir.exists());
    // A name that cannot name a crate.
    let dir = fresh("bad").join("9lives");
    let out = generate(&dir, &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot name a crate"));
    assert!(!dir.exists());
    // A folder that is not empty: refused, untouched; --force writes.
    let dir = fresh("busy");
    let _cleanup = Cleanup(dir.clone());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let out = generate(&dir, &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not empty"));
    assert_eq!(files(&dir), ["notes.txt"]);
    let out = generate(&dir, &["--force"]);
    assert!(out.status.success());
    assert!(dir.join("Cargo.toml").exists() && dir.join("notes.txt").exists());
}

/// Runs `command`; panics with its output unless it succeeds.
fn run(command: &mut Command) -> String {
    let out = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{command:?}:\n{text}");
    text
}

/// The crates as they would be published: `cargo package` makes each `.crate` (everything a
/// crate embeds must be inside its package: the browser client, the widget modules, the pages,
/// the migrations), the generator is built from its own package, and the project it makes
/// without `--numerous-path` (the version dependency a user gets) builds and passes its test
/// against the unpacked packages through `[patch.crates-io]`, not against this checkout.
#[test]
fn the_packaged_crates_build_a_generated_project() {
    let tmp = fresh("packaged");
    let _cleanup = Cleanup(tmp.clone());
    let packages = tmp.join("target");
    run(Command::new(env!("CARGO"))
        .args([
            "package",
            "--offline",
            "--no-verify",
            "--allow-dirty",
            "--target-dir",
        ])
        .arg(&packages)
        .args([
            "-p",
            "numerous-macros",
            "-p",
            "numerous",
            "-p",
            "numerous-new",
        ])
        .current_dir(workspace()));
    let unpacked = tmp.join("unpacked");
    std::fs::create_dir_all(&unpacked).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    for name in ["numerous-macros", "numerous", "numerous-new"] {
        run(Command::new("tar")
            .arg("xzf")
            .arg(packages.join(format!("package/{name}-{version}.crate")))
            .arg("-C")
            .arg(&unpacked));
    }
    let package = |name: &str| unpacked.join(format!("{name}-{version}"));
    // What numerous embeds is inside its package (the build below would fail otherwise; this
    // says which file).
    for file in [
        "static/numerous.js",
        "static/widgets/button.js",
        "pages/login.html",
    ] {
        assert!(package("numerous").join(file).is_file(), "numerous: {file}");
    }
    assert!(
        package("numerous-new")
            .join("exported/login.html")
            .is_file()
    );
    // The generator, built from its package.
    run(Command::new(env!("CARGO"))
        .args(["build", "--offline", "--manifest-path"])
        .arg(package("numerous-new").join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", tmp.join("generator"))
        .args(WORKSPACE_DEV_PROFILE.iter().flat_map(|c| ["--config", c])));
    let project = tmp.join("hello-db");
    run(Command::new(tmp.join("generator/debug/numerous-new"))
        .arg(&project)
        .arg("--with-db-auth"));
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains(&format!("numerous = {{ version = \"{version}\"")),
        "a version dependency, as published:\n{manifest}"
    );
    std::fs::write(
        project.join("Cargo.toml"),
        format!(
            "{manifest}\n[patch.crates-io]\nnumerous = {{ path = {:?} }}\nnumerous-macros = {{ path = {:?} }}\n",
            package("numerous").display().to_string(),
            package("numerous-macros").display().to_string(),
        ),
    )
    .unwrap();
    let built = cargo_test(&project);
    assert!(
        built.contains(&format!(
            "numerous v{version} ({})",
            package("numerous").display()
        )),
        "numerous came from its package:\n{built}"
    );
}
