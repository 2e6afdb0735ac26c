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
use std::sync::{Arc, Mutex, PoisonError, mpsc};
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

/// The package's folder, its name and the build's target folder, from `cargo metadata`.
fn locate(cli: &Cli) -> Result<(PathBuf, String, PathBuf), String> {
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
    let name = package
        .and_then(|p| p["name"].as_str())
        .unwrap_or("app")
        .to_owned();
    Ok((dir, name, target))
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn run(cli: &mut Cli) -> Result<(), String> {
    if cfg!(not(unix)) {
        return Err(
            "numerous-dev runs on Linux and macOS for now: it replaces the app's binary \
                    while the previous one runs, and stops it with SIGTERM"
                .to_owned(),
        );
    }
    let (package, name, target) = locate(cli)?;
    cli.static_dir = Some(package.join("static")).filter(|d| d.is_dir());
    let cli = &*cli;
    // One folder per package: two apps of a workspace in development do not mix.
    let state = target.join("numerous-dev").join(&name);
    std::fs::create_dir_all(&state).map_err(|e| format!("{}: {e}", state.display()))?;
    stop_left_over(&state, &target);
    let (tx, changes) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let paths = match event {
            Ok(event) if matches!(event.kind, notify::EventKind::Access(_)) => return,
            Ok(event) => Some(event.paths),
            // Changes the watcher lost: build again to be sure.
            Err(_) => None,
        };
        let _ = tx.send(paths);
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;
    // The package's folder itself, not its files: an editor that saves by renaming replaces
    // `Cargo.toml`, and a watch on the file would end with the old one.
    watcher
        .watch(&package, RecursiveMode::NonRecursive)
        .map_err(|e| format!("cannot watch {}: {e}", package.display()))?;
    for folder in ["src", "templates", "static"] {
        let path = package.join(folder);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| format!("cannot watch {}: {e}", path.display()))?;
        }
    }
    eprintln!(
        "numerous-dev: watching {} (src/, templates/, static/, Cargo.toml, build.rs)",
        package.display()
    );
    // Stops the app when numerous-dev is told to stop (Ctrl-C, SIGTERM, SIGHUP), so no app is
    // left holding the port.
    let app: Arc<Mutex<Option<Child>>> = Arc::default();
    let on_stop = app.clone();
    ctrlc::set_handler(move || {
        stop(
            on_stop
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        std::process::exit(130);
    })
    .map_err(|e| format!("cannot handle signals: {e}"))?;
    let running = |app: &Arc<Mutex<Option<Child>>>| {
        app.lock().unwrap_or_else(PoisonError::into_inner).is_some()
    };
    let mut status = Status {
        build: "building",
        ..Status::default()
    };
    status.write(&state);
    loop {
        let started = Instant::now();
        // The template edits this build has: its pages compare the status with it.
        let reload = status.reload;
        match build(cli, &package) {
            Ok(exe) => {
                let built = started.elapsed();
                let mut slot = app.lock().unwrap_or_else(PoisonError::into_inner);
                stop(slot.take());
                match start(cli, &exe, &state, reload) {
                    Ok(child) => {
                        *slot = Some(child);
                        status.build = "ok";
                        status.error.clear();
                        eprintln!(
                            "numerous-dev: built in {} ms, restarted in {} ms",
                            built.as_millis(),
                            (started.elapsed() - built).as_millis()
                        );
                    }
                    Err(e) => {
                        status.build = "failed";
                        status.error = e;
                    }
                }
                drop(slot);
                status.write(&state);
            }
            Err(error) => {
                status.build = "failed";
                status.error = error;
                status.write(&state);
                eprintln!(
                    "numerous-dev: the build failed; {}",
                    if running(&app) {
                        "the previous build keeps serving"
                    } else {
                        "waiting for a change"
                    }
                );
            }
        }
        // Then wait for changes: static files alone are fetched again, anything else builds.
        loop {
            let changed = wait(&changes, &app, &mut status, &state)?;
            let statics: Vec<&PathBuf> = changed
                .iter()
                .filter(|p| p.starts_with(package.join("static")))
                .collect();
            let rebuild = changed.len() > statics.len();
            if !statics.is_empty() {
                status.css += 1;
            }
            // A page's markup comes from its template, and a script or an image from `static/`
            // is not swapped in place: the page loads again for those.
            let templates = changed
                .iter()
                .any(|p| p.starts_with(package.join("templates")));
            let other_static = statics
                .iter()
                .any(|p| p.extension().is_none_or(|e| e != "css"));
            if templates || other_static {
                status.reload += 1;
            }
            if rebuild {
                status.build = "building";
                status.write(&state);
                break;
            }
            status.write(&state);
            eprintln!("numerous-dev: static files changed; the pages fetch them again");
        }
    }
}

/// An app left running by an earlier numerous-dev that could not stop it (killed with
/// SIGKILL): stopped, if its process is still one of this target folder's binaries (Linux;
/// elsewhere it is left alone).
fn stop_left_over(state: &Path, target: &Path) {
    let Ok(pid) = std::fs::read_to_string(state.join("app.pid")) else {
        return;
    };
    let pid = pid.trim().to_owned();
    let target = target.canonicalize().unwrap_or_else(|_| target.to_owned());
    let ours =
        std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe.starts_with(&target));
    if ours {
        eprintln!("numerous-dev: stopping the app an earlier run left running (pid {pid})");
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + KILL_AFTER;
        while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if Path::new(&format!("/proc/{pid}")).exists() {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        }
    }
    let _ = std::fs::remove_file(state.join("app.pid"));
}

/// Every path that changed, from the first change until 50 ms pass without another (an editor
/// saves in several steps); only the package's sources, templates, static files, `Cargo.toml`
/// and `build.rs`, without editors' temporary files. Meanwhile an app that stops by itself
/// (a panic, a port in use) is reported as a failed start.
fn wait(
    changes: &mpsc::Receiver<Option<Vec<PathBuf>>>,
    app: &Arc<Mutex<Option<Child>>>,
    status: &mut Status,
    state: &Path,
) -> Result<BTreeSet<PathBuf>, String> {
    loop {
        let first = match changes.recv_timeout(Duration::from_millis(200)) {
            Ok(first) => first,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let mut slot = app.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(child) = slot.as_mut()
                    && let Ok(Some(exit)) = child.try_wait()
                {
                    *slot = None;
                    status.build = "failed";
                    status.error = format!("the app stopped by itself ({exit}): see the terminal");
                    status.write(state);
                    eprintln!("numerous-dev: the app stopped ({exit}); waiting for a change");
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err("the file watcher stopped".to_owned());
            }
        };
        let mut out = BTreeSet::new();
        let mut lost = first.is_none();
        out.extend(first.unwrap_or_default());
        while let Ok(more) = changes.recv_timeout(Duration::from_millis(50)) {
            lost |= more.is_none();
            out.extend(more.unwrap_or_default());
        }
        out.retain(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let temporary = name.ends_with('~') || name.starts_with(".#") || name.ends_with(".swp");
            let watched = p
                .components()
                .any(|c| matches!(c.as_os_str().to_str(), Some("src" | "templates" | "static")))
                || matches!(name, "Cargo.toml" | "build.rs");
            watched && !temporary
        });
        if lost {
            // Something changed that the watcher could not say: build.
            out.insert(PathBuf::from("Cargo.toml"));
        }
        if !out.is_empty() {
            return Ok(out);
        }
    }
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
    let mut exes = Vec::new();
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
                    exes.push(PathBuf::from(path));
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
    if !ok {
        return Err(if errors.is_empty() {
            "the build failed (see the terminal)".to_owned()
        } else {
            errors.join("\n")
        });
    }
    match exes.as_slice() {
        [exe] => Ok(exe.clone()),
        [] => Err("the build made no binary to run: is this an app's package?".to_owned()),
        several => Err(format!(
            "the package has {} binaries ({}): name the app's with --bin",
            several.len(),
            several
                .iter()
                .filter_map(|p| p.file_name()?.to_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Starts the app, in the development mode (`reload`: the template edits its build has); its
/// process id goes to `<state>/app.pid`.
fn start(cli: &Cli, exe: &Path, state: &Path, reload: u64) -> Result<Child, String> {
    let mut command = Command::new(exe);
    command
        .args(&cli.app_args)
        .env("NUMEROUS_DEV", state)
        .env("NUMEROUS_DEV_RELOAD", reload.to_string());
    if let Some(files) = &cli.static_dir {
        command.env("NUMEROUS_DEV_STATIC", files);
    }
    let child = command
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let _ = std::fs::write(state.join("app.pid"), child.id().to_string());
    Ok(child)
}

/// Longer than an app's own shutdown grace (5 s): a stop that takes this long is stuck.
const KILL_AFTER: Duration = Duration::from_secs(8);

/// Stops the app as an operator would (SIGTERM: its tabs are told, its sessions saved), and
/// kills it if it has not stopped within [`KILL_AFTER`].
fn stop(app: Option<Child>) {
    let Some(mut app) = app else { return };
    let _ = Command::new("kill")
        .args(["-TERM", &app.id().to_string()])
        .status();
    let deadline = Instant::now() + KILL_AFTER;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = app.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = app.kill();
    let _ = app.wait();
}
