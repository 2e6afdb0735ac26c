//! Several processes on loopback, started and stopped by a test: a Redis server, nginx in front
//! of several instances of an app, and the instances themselves. Each is killed when dropped,
//! on every path (a failed assertion included), and its files removed.

use std::net::SocketAddr;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::which;

/// A port free on loopback now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether a test that needs `what` (found by `binaries`) may be skipped where it is missing:
/// not when `require_var` is `1` (CI).
fn find(binaries: &[&str], require_var: &str, what: &str) -> Option<String> {
    let found = which(binaries);
    if found.is_none() {
        assert!(
            !std::env::var(require_var).is_ok_and(|v| v == "1"),
            "{require_var}=1 but {what} is not installed"
        );
        eprintln!("skipped: {what} is not installed");
    }
    found
}

/// A temporary folder, removed when dropped.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "numerous-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Waits until something listens on `port` (or fails the test after `limit`).
pub async fn wait_for_port(port: u16, limit: Duration) {
    let deadline = Instant::now() + limit;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "nothing listens on port {port}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until `child` listens on `port`. Fails the test with what `died` says if the process
/// exits first, or after `limit` if `name` never listens.
async fn wait_listening(
    child: &mut Child,
    port: u16,
    limit: Duration,
    name: &str,
    died: impl FnOnce(&mut Child, std::process::ExitStatus) -> String,
) {
    let deadline = Instant::now() + limit;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{}", died(child, status));
        }
        assert!(
            Instant::now() < deadline,
            "{name} does not listen on port {port}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A Redis server of the test's own, on a free loopback port: keeping nothing on disk
/// ([`Redis::start`]), or every write in an append-only file of its own folder
/// ([`Redis::start_with_data`]: a restart after `kill -9` has all of it).
#[derive(Debug)]
pub struct Redis {
    binary: String,
    pub port: u16,
    child: Option<Child>,
    /// Where it keeps its data, when it keeps any.
    dir: Option<TempDir>,
}

/// Sends `signal` (`"STOP"`, `"CONT"`, `"TERM"`, ...) to process `pid`.
pub(crate) fn send_signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status();
}

impl Redis {
    /// Starts one, or returns `None` where `redis-server` is not installed (a failure with
    /// `NUMEROUS_REQUIRE_REDIS=1`).
    pub async fn start() -> Option<Redis> {
        let binary = find(&["redis-server"], "NUMEROUS_REQUIRE_REDIS", "redis-server")?;
        let mut redis = Redis {
            binary,
            port: free_port(),
            child: None,
            dir: None,
        };
        redis.restart().await;
        Some(redis)
    }

    /// [`Redis::start`], keeping every write on disk at once (`appendfsync always`): after
    /// [`Redis::stop`] (`kill -9`), [`Redis::restart`] brings all of it back.
    pub async fn start_with_data() -> Option<Redis> {
        let binary = find(&["redis-server"], "NUMEROUS_REQUIRE_REDIS", "redis-server")?;
        let mut redis = Redis {
            binary,
            port: free_port(),
            child: None,
            dir: Some(TempDir::new("redis")),
        };
        redis.restart().await;
        Some(redis)
    }

    /// Sends a signal to the server (`"STOP"` pauses it, `"CONT"` resumes it).
    pub fn signal(&self, signal: &str) {
        if let Some(c) = &self.child {
            send_signal(c.id(), signal);
        }
    }

    /// Kills it and starts it again with nothing (whatever it kept on disk removed).
    pub async fn restart_empty(&mut self) {
        self.stop();
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(&dir.0);
            std::fs::create_dir_all(&dir.0).unwrap();
        }
        self.restart().await;
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (`kill -9`; without [`Redis::start_with_data`] its data is gone).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port (with its data, if it keeps any; after a `kill -9`).
    pub async fn restart(&mut self) {
        self.stop();
        let mut command = Command::new(&self.binary);
        command.args(["--bind", "127.0.0.1", "--save", ""]);
        match &self.dir {
            Some(dir) => command
                .args(["--appendonly", "yes", "--appendfsync", "always", "--dir"])
                .arg(&dir.0),
            None => command.args(["--appendonly", "no"]),
        };
        let child = command
            .arg("--port")
            .arg(self.port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let port = self.port;
        let child = self.child.insert(child);
        wait_listening(
            child,
            port,
            Duration::from_secs(20),
            "redis-server",
            |_, status| format!("redis-server exited before it listened (port {port}): {status}"),
        )
        .await;
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// nginx on a free loopback port, balancing over `upstreams` as the README's example
/// configuration does: a tab's session id (in `Sec-WebSocket-Protocol`) picks its instance, so
/// tabs of one session meet on one; new tabs spread; a dead instance's tabs go to the others.
#[derive(Debug)]
pub struct Nginx {
    pub port: u16,
    child: Child,
    dir: TempDir,
}

impl Nginx {
    /// Starts it, or returns `None` where nginx is not installed (a failure with
    /// `NUMEROUS_REQUIRE_NGINX=1`).
    pub async fn start(upstreams: &[u16]) -> Option<Nginx> {
        let binary = find(
            &["nginx", "/usr/sbin/nginx"],
            "NUMEROUS_REQUIRE_NGINX",
            "nginx",
        )?;
        let dir = TempDir::new("nginx");
        let port = free_port();
        let servers: String = upstreams
            .iter()
            .map(|p| format!("    server 127.0.0.1:{p} max_fails=0;\n"))
            .collect();
        let d = dir.0.display();
        let conf = include_str!("../../deploy/nginx.conf")
            .replace("{dir}", &d.to_string())
            .replace("{port}", &port.to_string())
            .replace("{servers}", &servers);
        let path = dir.0.join("nginx.conf");
        std::fs::write(&path, conf).unwrap();
        let mut child = Command::new(binary)
            .arg("-p")
            .arg(&dir.0)
            .arg("-c")
            .arg(&path)
            .arg("-e")
            .arg(dir.0.join("error.log"))
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // Its own process group: its workers go with it when it is killed.
            .process_group(0)
            .spawn()
            .expect("nginx starts");
        wait_listening(
            &mut child,
            port,
            Duration::from_secs(20),
            "nginx",
            |child, status| {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    use std::io::Read as _;
                    let _ = e.read_to_string(&mut err);
                }
                let log = std::fs::read_to_string(dir.0.join("error.log")).unwrap_or_default();
                format!("nginx exited ({status}): {err}{log}")
            },
        )
        .await;
        Some(Nginx { port, child, dir })
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// `nginx -s reload`, as an operator does: new workers take new connections, the old ones
    /// finish theirs (tabs' sockets stay open until they close).
    pub fn reload(&self) {
        send_signal(self.child.id(), "HUP");
    }
}

impl Drop for Nginx {
    /// Kills the master and its workers (the whole process group): a worker outliving its
    /// master would keep the port.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
        // NUMEROUS_NGINX_LOG=1 shows what nginx logged (its errors with the upstreams).
        if std::env::var("NUMEROUS_NGINX_LOG").is_ok_and(|v| v == "1") {
            let log = std::fs::read_to_string(self.dir.0.join("error.log")).unwrap_or_default();
            eprintln!("nginx error.log:\n{log}");
        }
    }
}

/// One instance of an app binary, on its own port.
#[derive(Debug)]
pub struct Instance {
    binary: PathBuf,
    args: Vec<String>,
    envs: Vec<(String, String)>,
    pub port: u16,
    child: Option<Child>,
}

impl Instance {
    /// Starts `binary --host 127.0.0.1 --port <free> <args>` and waits until it listens.
    pub async fn start(binary: impl Into<PathBuf>, args: &[&str]) -> Instance {
        Instance::start_with_env(binary, args, &[]).await
    }

    /// [`Instance::start`] with environment variables.
    pub async fn start_with_env(
        binary: impl Into<PathBuf>,
        args: &[&str],
        envs: &[(&str, &str)],
    ) -> Instance {
        let mut i = Instance {
            binary: binary.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            envs: envs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            port: free_port(),
            child: None,
        };
        i.restart().await;
        i
    }

    /// Starts it again on the same port (after [`Instance::kill`] or [`Instance::terminate`]).
    pub async fn restart(&mut self) {
        let child = Command::new(&self.binary)
            .args(["--host", "127.0.0.1", "--port"])
            .arg(self.port.to_string())
            .args(&self.args)
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or("warn".into()),
            )
            .stdout(Stdio::null())
            .spawn()
            .expect("the app starts");
        let port = self.port;
        let binary = self.binary.display().to_string();
        let child = self.child.insert(child);
        wait_listening(
            child,
            port,
            Duration::from_secs(30),
            "the app",
            |_, status| format!("{binary} exited before it listened: {status}"),
        )
        .await;
    }

    /// `kill -9`: the process ends at once, saving nothing.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Sends a signal to the process (`"STOP"` pauses it, `"CONT"` resumes it).
    pub fn signal(&self, signal: &str) {
        if let Some(c) = &self.child {
            send_signal(c.id(), signal);
        }
    }

    /// SIGTERM, then waits for the process to end (a graceful shutdown); how long it took.
    pub async fn terminate(&mut self) -> Duration {
        let start = Instant::now();
        let Some(mut c) = self.child.take() else {
            return Duration::ZERO;
        };
        send_signal(c.id(), "TERM");
        tokio::task::spawn_blocking(move || c.wait())
            .await
            .unwrap()
            .unwrap();
        start.elapsed()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}
