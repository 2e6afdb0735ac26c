//! `numerous-dev`: the development loop of a numerous app. Run it in the app's folder (or with
//! `--package`); it builds the app, runs it, and on each change:
//! - of a source, a template or `Cargo.toml`: builds again; a build that works replaces the
//!   running app, and every open tab reconnects to its own session with its state (the app keeps
//!   its sessions in `<target>/numerous-dev/sessions` under this mode), loading the page again
//!   when a template changed; a build that fails is shown in the open tabs (file, line, message)
//!   while the previous app keeps serving;
//! - of a file under `static/` only: no build (under this mode the app serves its `static/` from
//!   disk); the open tabs fetch their stylesheets again, without a reload.
//!
//! The app learns of this mode from `NUMEROUS_DEV` (set here), in debug builds only: nothing of
//! it is in a release binary.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clap::Parser;
use notify::{RecursiveMode, Watcher};

/// Builds and runs a numerous app, again on each change, keeping the open tabs' sessions.
#[derive(Debug, Parser)]
#[command(name = "numerous-dev", version, about)]
struct Cli {
    /// The package to run, in a workspace (`cargo build -p`); by default the one in this folder.
    #[arg(long, short)]
    package: Option<String>,
    /// The binary to run, when the package has several (`cargo build --bin`).
    #[arg(long)]
    bin: Option<String>,
    /// An argument for `cargo build` (repeatable): `--cargo-arg=--offline`.
    #[arg(long = "cargo-arg", allow_hyphen_values = true)]
    cargo_args: Vec<String>,
    /// Arguments for the app, after `--`: `numerous-dev -- --port 9000`.
    #[arg(last = true)]
    app_args: Vec<String>,
    /// The package's `static/` folder (found, not given).
    #[arg(skip)]
    static_dir: Option<PathBuf>,
}

/// What the running app reads from `status.json` (and shows in its tabs).
#[derive(Debug, Default)]
struct Status {
    seq: u64,
    build: &'static str,
    error: String,
    css: u64,
    /// Counts the builds after a template changed: the open pages load again (their session
    /// and state stay), since a page's markup comes from its template.
    reload: u64,
}

impl Status {
    fn write(&mut self, dir: &Path) {
        self.seq += 1;
        let json = serde_json::json!({
            "seq": self.seq, "build": self.build, "error": self.error, "css": self.css,
            "reload": self.reload,
        });
        let tmp = dir.join("status.json.tmp");
        if std::fs::write(&tmp, json.to_string()).is_ok() {
            let _ = std::fs::rename(&tmp, dir.join("status.json"));
        }
    }
}

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    match run(&mut cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("numerous-dev: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The package's folder and the build's target folder, from `cargo metadata`.
fn locate(cli: &Cli) -> Result<(PathBuf, PathBuf), String> {
    let out = Command::new(cargo())
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .args(cli.cargo_args.iter().filter(|a| *a == "--offline"))
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let target = PathBuf::from(meta["target_directory"].as_str().unwrap_or("target"));
    let here = std::env::current_dir().map_err(|e| e.to_string())?;
    let packages = meta["packages"].as_array().cloned().unwrap_or_default();
    let dir_of = |p: &serde_json::Value| {
        Path::new(p["manifest_path"].as_str().unwrap_or_default())
            .parent()
            .map(Path::to_owned)
    };
    let package = match &cli.package {
        Some(name) => packages.iter().find(|p| p["name"] == name.as_str()),
        None => packages
            .iter()
            .find(|p| dir_of(p).is_some_and(|d| d == here))
            .or(packages.first().filter(|_| packages.len() == 1)),
    };
    let dir = package.and_then(dir_of).ok_or_else(|| match &cli.package {
        Some(name) => format!("no package `{name}` in this workspace"),
        None => "no package in this folder: run in the app's folder, or name it with --package"
            .to_owned(),
    })?;
    Ok((dir, target))
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn run(cli: &mut Cli) -> Result<(), String> {
    let (package, target) = locate(cli)?;
    cli.static_dir = Some(package.join("static")).filter(|d| d.is_dir());
    let cli = &*cli;
    let state = target.join("numerous-dev");
    std::fs::create_dir_all(&state).map_err(|e| format!("{}: {e}", state.display()))?;
    let (tx, changes) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && !matches!(event.kind, notify::EventKind::Access(_))
        {
            let _ = tx.send(event.paths);
        }
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    for watched in ["src", "templates", "static", "Cargo.toml", "build.rs"] {
        let path = package.join(watched);
        if path.exists() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| format!("cannot watch {}: {e}", path.display()))?;
        }
    }
    eprintln!(
        "numerous-dev: watching {} (sources, templates, static files)",
        package.display()
    );
    let mut status = Status {
        build: "building",
        ..Status::default()
    };
    status.write(&state);
    let mut app: Option<Child> = None;
    loop {
        let started = Instant::now();
        match build(cli, &package) {
            Ok(exe) => {
                let built = started.elapsed();
                stop(app.take());
                app = Some(start(cli, &exe, &state)?);
                status.build = "ok";
                status.error.clear();
                status.write(&state);
                eprintln!(
                    "numerous-dev: built in {} ms, restarted in {} ms",
                    built.as_millis(),
                    (started.elapsed() - built).as_millis()
                );
            }
            Err(error) => {
                status.build = "failed";
                status.error = error;
                status.write(&state);
                eprintln!(
                    "numerous-dev: the build failed; {}",
                    if app.is_some() {
                        "the previous build keeps serving"
                    } else {
                        "waiting for a change"
                    }
                );
            }
        }
        // Then wait for changes: static files alone are fetched again, anything else builds.
        loop {
            let changed = wait(&changes);
            let rebuild = changed
                .iter()
                .any(|p| !p.starts_with(package.join("static")));
            if changed
                .iter()
                .any(|p| p.starts_with(package.join("templates")))
            {
                status.reload += 1;
            }
            if rebuild {
                status.build = "building";
                status.write(&state);
                break;
            }
            status.css += 1;
            status.write(&state);
            eprintln!("numerous-dev: static files changed; the tabs fetch them again");
        }
    }
}

/// Every path that changed, from the first change until 50 ms pass without another (an editor
/// saves in several steps). Temporary files of editors are left out.
fn wait(changes: &mpsc::Receiver<Vec<PathBuf>>) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let Ok(first) = changes.recv() else {
        return out;
    };
    out.extend(first);
    while let Ok(more) = changes.recv_timeout(Duration::from_millis(50)) {
        out.extend(more);
    }
    out.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        !(name.ends_with('~') || name.starts_with(".#") || name.ends_with(".swp"))
    });
    if out.is_empty() {
        return wait(changes);
    }
    out
}

/// `cargo build`: the binary it made, or the compiler's errors (file, line, message).
fn build(cli: &Cli, package: &Path) -> Result<PathBuf, String> {
    let mut command = Command::new(cargo());
    command
        .args(["build", "--message-format=json"])
        .args(&cli.cargo_args)
        .current_dir(package)
        .stdout(Stdio::piped());
    if let Some(p) = &cli.package {
        command.args(["--package", p]);
    }
    if let Some(b) = &cli.bin {
        command.args(["--bin", b]);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let mut exe = None;
    let mut errors = Vec::new();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let Ok(line) = line else { break };
        let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        match message["reason"].as_str() {
            Some("compiler-artifact") => {
                let is_bin = message["target"]["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == "bin"));
                let named = cli
                    .bin
                    .as_deref()
                    .is_none_or(|b| message["target"]["name"] == b);
                if let Some(path) = message["executable"].as_str()
                    && is_bin
                    && named
                {
                    exe = Some(PathBuf::from(path));
                }
            }
            // The compiler's messages go to the terminal as cargo shows them; the errors to
            // the tabs too.
            Some("compiler-message") => {
                if let Some(text) = message["message"]["rendered"].as_str() {
                    eprint!("{text}");
                    if message["message"]["level"] == "error" {
                        errors.push(text.to_owned());
                    }
                }
            }
            _ => {}
        }
    }
    let ok = child.wait().map_err(|e| e.to_string())?.success();
    match exe {
        Some(exe) if ok => Ok(exe),
        _ if errors.is_empty() => Err("the build failed (see the terminal)".to_owned()),
        _ => Err(errors.join("\n")),
    }
}

/// Starts the app, in the development mode; its process id goes to `<state>/app.pid`.
fn start(cli: &Cli, exe: &Path, state: &Path) -> Result<Child, String> {
    let mut command = Command::new(exe);
    command.args(&cli.app_args).env("NUMEROUS_DEV", state);
    if let Some(files) = &cli.static_dir {
        command.env("NUMEROUS_DEV_STATIC", files);
    }
    let child = command
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let _ = std::fs::write(state.join("app.pid"), child.id().to_string());
    Ok(child)
}

/// Stops the app as an operator would (SIGTERM: its tabs are told, its sessions saved), and
/// kills it if it has not stopped within 5 s.
fn stop(app: Option<Child>) {
    let Some(mut app) = app else { return };
    #[cfg(unix)]
    let _ = Command::new("kill")
        .args(["-TERM", &app.id().to_string()])
        .status();
    #[cfg(not(unix))]
    let _ = app.kill();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = app.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = app.kill();
    let _ = app.wait();
}
