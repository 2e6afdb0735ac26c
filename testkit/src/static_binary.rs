//! Apps built as one static binary (`x86_64-unknown-linux-musl`, with Debian's `musl-tools` for
//! crates that compile C), run from an empty folder with an empty environment: what the README
//! promises for `FROM scratch` or a machine with another libc.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cluster::{TempDir, free_port};

/// The target the static binaries are built for.
pub const TARGET: &str = "x86_64-unknown-linux-musl";

/// Builds the binaries of `packages` for [`TARGET`] (one cargo run, debug profile without debug
/// assertions, so `cfg(debug_assertions)` code is absent as in a release) in the
/// workspace's target folder and returns the folder they are in; `None` (after saying the test
/// skips) when the toolchain has no musl target. With `NUMEROUS_REQUIRE_STATIC=1` (CI) its
/// absence fails the test.
pub fn build(packages: &[&str]) -> Option<PathBuf> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc runs");
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_owned();
    if !Path::new(&sysroot)
        .join("lib/rustlib")
        .join(TARGET)
        .is_dir()
    {
        assert!(
            !std::env::var("NUMEROUS_REQUIRE_STATIC").is_ok_and(|v| v == "1"),
            "NUMEROUS_REQUIRE_STATIC=1 but the toolchain has no {TARGET} target (rustup target add {TARGET})"
        );
        eprintln!("skipped: rustup target add {TARGET} to test the static binary");
        return None;
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace.join("target"), PathBuf::from);
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo
        .args(["build", "--locked", "--target", TARGET])
        // Without debug assertions, as a release build: what is compiled only into debug
        // builds (numerous-dev's mode, a made-up signing secret) is absent, as when shipped.
        .args(["--config", "profile.dev.debug-assertions=false"])
        .args(packages.iter().flat_map(|p| ["-p", p]))
        .env("CARGO_TARGET_DIR", &target_dir)
        .env_remove("RUSTFLAGS")
        .current_dir(workspace);
    let out = cargo.output().expect("cargo runs");
    assert!(
        out.status.success(),
        "{cargo:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(target_dir.join(TARGET).join("debug"))
}

/// What `ldd` says of `binary`.
pub fn ldd(binary: &Path) -> String {
    let out = Command::new("ldd").arg(binary).output().expect("ldd runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A binary copied alone into an empty folder and started there with nothing in its
/// environment but `envs`; killed (and the folder removed) when dropped.
#[derive(Debug)]
pub struct Alone {
    child: Child,
    pub addr: SocketAddr,
    pub dir: TempDir,
}

impl Alone {
    /// Copies `binary` into a new empty folder and runs it there under `env -i` with `envs`,
    /// `--host 127.0.0.1 --port <free>` and `args`; waits until it answers on its port.
    pub fn start(binary: &Path, args: &[&str], envs: &[(&str, &str)]) -> Alone {
        let dir = TempDir::new("alone");
        let name = binary.file_name().unwrap();
        let copy = dir.0.join(name);
        std::fs::copy(binary, &copy).unwrap();
        let port = free_port();
        let child = Command::new(&copy)
            .env_clear()
            .envs(envs.iter().copied())
            .current_dir(&dir.0)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut alone = Alone {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(alone.addr).is_err() {
            if let Some(status) = alone.child.try_wait().unwrap() {
                panic!("{} exited: {status}", copy.display());
            }
            assert!(
                Instant::now() < deadline,
                "{} does not listen",
                copy.display()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        alone
    }

    /// Stops it as a service manager would (SIGTERM): its sessions are saved and let go.
    pub fn stop(mut self) {
        crate::cluster::send_signal(self.child.id(), "TERM");
        let status = self.child.wait().unwrap();
        assert!(status.success(), "it stopped with {status}");
    }

    /// The files in its folder.
    pub fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Alone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
