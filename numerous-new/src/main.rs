//! `numerous-new <dir>`: a new numerous app as its own cargo project.
//!
//! ```text
//! cargo run -p numerous-new -- ../hello --numerous-path numerous   # a counter app in ../hello
//! cargo run -p numerous-new -- ../team --with-auth     # users from NUMEROUS_AUTH_USERS
//! cargo run -p numerous-new -- ../crm --with-db-auth   # users in SQLite, a first admin
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

mod files;

/// Creates a new numerous app as its own cargo project.
#[derive(Debug, Parser)]
#[command(name = "numerous-new", version, about)]
struct Args {
    /// The folder to create the project in (its last part names the crate).
    dir: PathBuf,
    /// The crate's name (default: the folder's name).
    #[arg(long)]
    name: Option<String>,
    /// Depend on numerous at this path instead of a released version.
    #[arg(long, conflicts_with = "numerous_version")]
    numerous_path: Option<PathBuf>,
    /// The numerous version to depend on.
    #[arg(long, default_value = env!("CARGO_PKG_VERSION"))]
    numerous_version: String,
    /// Protect the app with users from NUMEROUS_AUTH_USERS.
    #[arg(long, conflicts_with = "with_db_auth")]
    with_auth: bool,
    /// Protect the app with users in a database (SQLite by default), with a first admin.
    #[arg(long)]
    with_db_auth: bool,
    /// Copy numerous's internal pages (login, splash, error modal, session banner) and its
    /// stylesheet into `templates/numerous/` and `static/`, to restyle them. Into an existing
    /// project (a folder with a Cargo.toml), only these are written.
    #[arg(long)]
    export_templates: bool,
    /// The port `cargo run` serves on (written to `.cargo/config.toml` as NUMEROUS_PORT).
    #[arg(long)]
    port: Option<u16>,
    /// The address `cargo run` listens on (written to `.cargo/config.toml` as NUMEROUS_HOST).
    #[arg(long)]
    host: Option<std::net::IpAddr>,
    /// Write into a folder that is not empty (files of the same name are replaced).
    #[arg(long)]
    force: bool,
    /// Run the app once it is created (`cargo run`).
    #[arg(long, conflicts_with = "run_skip")]
    run: bool,
    /// numerous-apps' flag, accepted so that its scripts run: it skipped `pip install`. Cargo
    /// fetches the dependencies when the project first builds, so there is nothing to skip.
    #[arg(long)]
    skip_deps: bool,
    /// numerous-apps' flag, accepted so that its scripts run: it did not start the server.
    /// Here that is the default (`--run` starts it).
    #[arg(long)]
    run_skip: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match create(&args) {
        Ok(Created { written, kept }) => {
            println!("created {}:", args.dir.display());
            for f in &written {
                println!("  {}", f.display());
            }
            for f in &kept {
                println!("  kept {} (it exists; --force replaces it)", f.display());
            }
            let url = format!(
                "http://{}:{}",
                args.host.map_or("127.0.0.1".to_owned(), |h| h.to_string()),
                args.port.unwrap_or(8000)
            );
            println!(
                "\nnext:\n  cd {}\n  cargo run     # then open {url}\n  cargo test",
                args.dir.display()
            );
            if args.run {
                let status = std::process::Command::new("cargo")
                    .arg("run")
                    .current_dir(&args.dir)
                    .status();
                return match status {
                    Ok(s) if s.success() => ExitCode::SUCCESS,
                    _ => ExitCode::FAILURE,
                };
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What `create` did, relative to the project's folder.
struct Created {
    written: Vec<PathBuf>,
    /// Pages the project had already (`--export-templates` into it, without `--force`).
    kept: Vec<PathBuf>,
}

/// Checks everything, then writes the project.
fn create(args: &Args) -> Result<Created, String> {
    let name = match &args.name {
        Some(n) => n.clone(),
        None => args
            .dir
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("the folder has no name to name the crate after; give --name")?
            .to_owned(),
    };
    check_name(&name)?;
    let existing = args.dir.join("Cargo.toml").is_file();
    if args.export_templates && existing {
        if args.with_auth
            || args.with_db_auth
            || args.name.is_some()
            || args.port.is_some()
            || args.host.is_some()
        {
            return Err(
                "into an existing project, --export-templates writes the pages only: drop the other options"
                    .into(),
            );
        }
        // As numerous-apps does: a page the project has already is kept (and said so), unless
        // --force replaces it.
        let (kept, pages): (Vec<_>, Vec<_>) = files::exported_pages()
            .into_iter()
            .partition(|(p, _)| !args.force && args.dir.join(p).exists());
        return Ok(Created {
            written: write_all(&args.dir, &pages)?,
            kept: kept.into_iter().map(|(p, _)| PathBuf::from(p)).collect(),
        });
    }
    if args.dir.exists() && !args.force {
        let empty = std::fs::read_dir(&args.dir)
            .map_err(|e| format!("cannot read {}: {e}", args.dir.display()))?
            .next()
            .is_none();
        if !empty {
            return Err(format!(
                "{} is not empty; choose another folder, or add --force to write into it",
                args.dir.display()
            ));
        }
    }
    let dependency = match &args.numerous_path {
        Some(p) => {
            let p = std::fs::canonicalize(p)
                .map_err(|e| format!("--numerous-path {}: {e}", p.display()))?;
            if !p.join("Cargo.toml").exists() {
                return Err(format!(
                    "--numerous-path {}: no Cargo.toml there",
                    p.display()
                ));
            }
            format!("{{ path = {:?} }}", p.display().to_string())
        }
        None => format!("\"{}\"", args.numerous_version),
    };
    let auth = if args.with_db_auth {
        files::Auth::Database
    } else if args.with_auth {
        files::Auth::Env
    } else {
        files::Auth::None
    };
    let mut project = files::project(&name, &dependency, auth, args.export_templates);
    if args.export_templates {
        project.extend(files::exported_pages());
    }
    if args.port.is_some() || args.host.is_some() {
        let mut env =
            String::from("# `cargo run` serves here; the variables override it.\n[env]\n");
        if let Some(port) = args.port {
            env.push_str(&format!("NUMEROUS_PORT = \"{port}\"\n"));
        }
        if let Some(host) = args.host {
            env.push_str(&format!("NUMEROUS_HOST = \"{host}\"\n"));
        }
        project.push((".cargo/config.toml", env));
    }
    Ok(Created {
        written: write_all(&args.dir, &project)?,
        kept: Vec::new(),
    })
}

fn write_all(dir: &Path, project: &[(&'static str, String)]) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for (path, text) in project {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&full, text).map_err(|e| format!("cannot write {}: {e}", full.display()))?;
        written.push(PathBuf::from(path));
    }
    Ok(written)
}

/// A crate name: ASCII letters, digits, `-` and `_`, starting with a letter.
fn check_name(name: &str) -> Result<(), String> {
    let ok = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.len() <= 64;
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` cannot name a crate: use letters, digits, `-` and `_`, starting with a letter (or give --name)"
        ))
    }
}
