//! The servers under test: started as child processes (so their start-up,
//! memory and CPU time are their own), or reached by URL.

use crate::client::Connection;
use crate::procstat;
use bytes::Bytes;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How to reach or start a target.
#[derive(Debug, Clone)]
pub enum Launch {
    /// `program args...` run in `dir`; `{port}` in an argument is replaced by a free port.
    Command { program: PathBuf, args: Vec<String>, dir: Option<PathBuf> },
    /// Already running elsewhere: no start-up, memory or CPU figures.
    Url(SocketAddr),
}

/// A target: a name for the report and how to launch it.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub launch: Launch,
    /// Slow to start and to load (a JVM): fewer start-up runs and fixture
    /// cycles, and no table larger than the main one.
    pub heavy: bool,
}

/// A running server. Dropping it stops the process we started.
pub struct Server {
    pub address: SocketAddr,
    child: Option<Child>,
}

impl Server {
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    pub fn rss_bytes(&self) -> Option<u64> {
        procstat::rss_bytes(self.pid()?)
    }

    pub fn pss_bytes(&self) -> Option<u64> {
        procstat::pss_bytes(self.pid()?)
    }

    /// Where to send requests and whose CPU time to read, as a plain value for load threads.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint { address: self.address, pid: self.pid() }
    }
}

/// A server's address and process: what the load generators need.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    pub address: SocketAddr,
    pid: Option<u32>,
}

impl Endpoint {
    /// CPU time the server process has used (`None` for a target reached by URL).
    pub fn cpu_time(&self) -> Option<Duration> {
        procstat::cpu_time(self.pid?)
    }

    /// The same to the nanosecond, for short spans (live threads only).
    pub fn cpu_time_exact(&self) -> Option<Duration> {
        procstat::cpu_time_exact(self.pid?)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// Starts (or reaches) the target and waits for its first answered
/// `ListTables`. Returns the server and the time from spawning the process
/// to that answer (`None` for a URL target).
pub async fn start(target: &Target) -> Result<(Server, Option<Duration>), String> {
    match &target.launch {
        Launch::Url(address) => {
            let server = Server { address: *address, child: None };
            wait_until_answering(&server, Duration::from_secs(10)).await?;
            Ok((server, None))
        }
        Launch::Command { program, args, dir } => {
            let port = free_port()?;
            let address = SocketAddr::from(([127, 0, 0, 1], port));
            let mut command = Command::new(program);
            command.args(args.iter().map(|a| a.replace("{port}", &port.to_string())));
            command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
            if let Some(dir) = dir {
                command.current_dir(dir);
            }
            let began = Instant::now();
            let child = command.spawn().map_err(|e| format!("cannot start {}: {e}", program.display()))?;
            let mut server = Server { address, child: Some(child) };
            wait_until_answering(&server, Duration::from_secs(120)).await?;
            let took = began.elapsed();
            if let Some(child) = &mut server.child {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(format!("{} exited at start: {status}", target.name));
                }
            }
            Ok((server, Some(took)))
        }
    }
}

/// Polls with `ListTables` until a 200 answer. Sleeps briefly between tries
/// with a blocking sleep: tokio's timer has millisecond granularity, too
/// coarse for a server that starts in a few milliseconds.
async fn wait_until_answering(server: &Server, limit: Duration) -> Result<(), String> {
    let began = Instant::now();
    let mut last_error = String::new();
    while began.elapsed() < limit {
        match Connection::open(server.address).await {
            Ok(mut connection) => match connection.call("ListTables", Bytes::from_static(b"{}")).await {
                Ok(reply) if reply.status == 200 => return Ok(()),
                Ok(reply) => last_error = format!("ListTables answered {}", reply.status),
                Err(e) => last_error = e,
            },
            Err(e) => last_error = e,
        }
        std::thread::sleep(Duration::from_micros(100));
    }
    Err(format!("no answer from {} within {limit:?}: {last_error}", server.address))
}

/// The trivial HTTP server used as the throughput ceiling: hyper on a
/// multi-threaded tokio runtime (as the emulator is), reading each request
/// and answering a fixed JSON body. Runs in a child process started as
/// `bench --serve-fixed PORT` so its CPU time is measured on its own.
pub fn serve_fixed(port: u16) -> Result<(), String> {
    use http_body_util::{BodyExt, Full};
    use hyper::body::Incoming;
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    const BODY: &[u8] = b"{\"TableNames\":[]}";

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| e.to_string())?;
        loop {
            let (stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let service = service_fn(|request: http::Request<Incoming>| async move {
                    let _ = request.into_body().collect().await;
                    http::Response::builder()
                        .header(http::header::CONTENT_TYPE, "application/x-amz-json-1.0")
                        .body(Full::new(Bytes::from_static(BODY)))
                });
                let _ =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    })
}
