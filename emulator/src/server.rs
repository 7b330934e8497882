//! The HTTP server: hyper's HTTP/1 connections on tokio, each request handed
//! straight to one handler (every path is the protocol's to answer). It
//! refuses requests addressed to a Host it does not answer to (DNS
//! rebinding), reads each body up to the limit, attaches who sent it and the
//! server's policy ([`protocol::Served`]), and hands it to
//! [`crate::protocol::respond`].
//!
//! No client can hold the server's resources ([`Limits`]): headers and bodies
//! must arrive in time (a slow client is cut off), idle keep-alive
//! connections close, and past the connection or in-flight request limits a
//! request is answered DynamoDB's `ThrottlingException` (which SDKs retry)
//! rather than left waiting. A client that half-closes after sending its
//! request still gets the answer.

use crate::error::{ApiError, ErrorKind};
use crate::protocol::{self, Cors, Policy, Served, MAX_BODY_BYTES};
use crate::state::State;
use bytes::Bytes;
use http::{header, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How the server treats what browsers can send (the command line's choices).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// CORS and the admin token, applied by [`protocol`].
    pub policy: Policy,
    pub hosts: Hosts,
    pub limits: Limits,
    /// Serve HTTPS with this configuration (`--tls-cert`/`--tls-key`, `--tls-self-signed`).
    pub tls: Option<crate::tls::Tls>,
}

/// What one client may hold of the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// A request's headers must arrive within this long after it starts, and a
    /// keep-alive connection idle this long is closed.
    pub header_timeout: Duration,
    /// A request's body must arrive within this long after its headers.
    pub body_timeout: Duration,
    /// Connections served at once; past it, each request is answered a
    /// throttling error and the connection closed.
    pub max_connections: usize,
    /// Requests handled at once; past it, a request is answered a throttling error.
    pub max_in_flight: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            max_connections: 4096,
            max_in_flight: 1024,
        }
    }
}

/// Which `Host` headers are answered.
///
/// A web page can make its own domain name resolve to 127.0.0.1 (DNS
/// rebinding) and then talk to a local server as if same-origin; the Host
/// header still carries the page's name, so a server that answers only
/// names it knows is out of reach. IP addresses are always answered: rebinding
/// needs a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hosts {
    /// IP addresses, `localhost` (and `*.localhost`), this machine's name, and these names.
    Checked(Vec<String>),
    /// Any Host (`--allow-any-host`).
    Any,
}

impl Options {
    /// These options with CORS for `cors` (`Cors::Any`: as DynamoDB answers browsers).
    pub fn cors(self, cors: Cors) -> Options {
        Options { policy: Policy { cors, ..self.policy }, ..self }
    }
}

impl Default for Hosts {
    fn default() -> Self {
        Hosts::Checked(Vec::new())
    }
}

/// [`Hosts`] made ready for every request: names lowercased, the machine's name added.
struct HostCheck {
    names: Option<Vec<String>>,
}

impl HostCheck {
    fn new(hosts: &Hosts) -> HostCheck {
        let Hosts::Checked(extra) = hosts else { return HostCheck { names: None } };
        let mut names: Vec<String> = extra.iter().map(|h| h.trim_end_matches('.').to_ascii_lowercase()).collect();
        names.push("localhost".into());
        names.extend(machine_name());
        HostCheck { names: Some(names) }
    }

    /// `Err(message)` for a Host this server does not answer to.
    fn check(&self, host: Option<&str>) -> Result<(), String> {
        let (Some(names), Some(host)) = (&self.names, host) else { return Ok(()) };
        let name = host_name(host);
        if name.starts_with('[') || name.parse::<std::net::Ipv4Addr>().is_ok() {
            return Ok(());
        }
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if name.ends_with(".localhost") || names.contains(&name) {
            return Ok(());
        }
        Err(format!(
            "This emulator does not answer requests for Host '{host}' (a guard against DNS rebinding). \
             Start it with --allow-host {name} (or --allow-any-host) to allow it."
        ))
    }
}

/// The Host header without its port.
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// This machine's host name (what `hostname` prints), if it has one.
fn machine_name() -> Option<String> {
    #[cfg(unix)]
    {
        let mut buffer = [0u8; 256];
        // SAFETY: the buffer is writable for its whole length, which is passed.
        let status = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) };
        let end = buffer.iter().position(|&b| b == 0)?;
        let name = std::str::from_utf8(&buffer[..end]).ok()?;
        (status == 0 && !name.is_empty()).then(|| name.to_ascii_lowercase())
    }
    #[cfg(not(unix))]
    None
}

/// What every request of a server shares.
struct Shared {
    state: Arc<State>,
    hosts: HostCheck,
    policy: Arc<Policy>,
    body_timeout: Duration,
    in_flight: Semaphore,
}

fn throttled() -> http::Response<Bytes> {
    let error = ApiError::new(ErrorKind::Throttling, "Rate of requests exceeds the allowed throughput.");
    protocol::refused(StatusCode::BAD_REQUEST, &error)
}

impl Shared {
    /// One request from `peer`; `over_limit`: its connection came past the connection limit.
    async fn serve_one(
        &self,
        request: hyper::Request<Incoming>,
        peer: SocketAddr,
        over_limit: bool,
    ) -> http::Response<Bytes> {
        let host = request.headers().get(header::HOST).and_then(|v| v.to_str().ok());
        if let Err(message) = self.hosts.check(host) {
            return protocol::forbidden(&message);
        }
        let Ok(_permit) = self.in_flight.try_acquire() else { return throttled() };
        if over_limit {
            return throttled();
        }
        let (mut parts, body) = request.into_parts();
        parts.extensions.insert(Served { peer, policy: Arc::clone(&self.policy) });
        // Read at most the limit, in time: an oversized body is refused without
        // being buffered whole, a stalled one is not waited for.
        let read = tokio::time::timeout(self.body_timeout, Limited::new(body, MAX_BODY_BYTES).collect()).await;
        let bytes = match read {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => return protocol::body_too_large(),
            // The client stopped before its Content-Length (or broke the chunked encoding).
            Ok(Err(_)) => {
                let error = ApiError::serialization("The request body ended before its declared length");
                return protocol::refused(StatusCode::BAD_REQUEST, &error);
            }
            Err(_) => {
                let error = ApiError::new(
                    ErrorKind::RequestTimeout,
                    format!("The request body did not arrive within {} s", self.body_timeout.as_secs()),
                );
                return protocol::refused(StatusCode::REQUEST_TIMEOUT, &error);
            }
        };
        protocol::respond(&self.state, http::Request::from_parts(parts, bytes)).await
    }
}

/// Serves with the default [`Options`] (no CORS, Host checked, admin API on loopback) until
/// `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, Options::default(), shutdown).await
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve_with(
    listener: TcpListener,
    state: Arc<State>,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    // Other regions' namespaces (global tables' replicas) are reached through this state.
    state.serve_regions();
    let shared = Arc::new(Shared {
        state,
        hosts: HostCheck::new(&options.hosts),
        policy: Arc::new(options.policy.clone()),
        body_timeout: options.limits.body_timeout,
        in_flight: Semaphore::new(options.limits.max_in_flight),
    });
    let connections = Arc::new(Semaphore::new(options.limits.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(options.limits.header_timeout).half_close(true);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Responses go out at once rather than waiting to be coalesced (Nagle).
        let _ = stream.set_nodelay(true);
        let permit = Arc::clone(&connections).try_acquire_owned().ok();
        let over_limit = permit.is_none();
        let connection_shared = Arc::clone(&shared);
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let shared = Arc::clone(&connection_shared);
            async move {
                let response = shared.serve_one(request, peer, over_limit).await;
                Ok::<_, std::convert::Infallible>(response.map(Full::new))
            }
        });
        let mut builder = http.clone();
        builder.keep_alive(!over_limit);
        match &options.tls {
            None => {
                let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    let _ = connection.await;
                    drop(permit);
                });
            }
            Some(tls) => {
                // The handshake runs on the connection's own task, in time, so a
                // slow one holds up nobody.
                let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&tls.0));
                let (handshake_limit, watcher) = (options.limits.header_timeout, graceful.watcher());
                tokio::spawn(async move {
                    let Ok(Ok(stream)) = tokio::time::timeout(handshake_limit, acceptor.accept(stream)).await else {
                        return;
                    };
                    let _ = watcher.watch(builder.serve_connection(TokioIo::new(stream), service)).await;
                    drop(permit);
                });
            }
        }
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_answered_by_default() {
        let check = HostCheck::new(&Hosts::default());
        for host in ["127.0.0.1:8000", "127.0.0.1", "localhost:8000", "LOCALHOST", "[::1]:8000", "[::1]", "10.1.2.3:80"]
        {
            assert_eq!(check.check(Some(host)), Ok(()), "{host}");
        }
        assert_eq!(check.check(Some("app.localhost:8000")), Ok(()));
        assert_eq!(check.check(None), Ok(()), "HTTP/1.0 without Host: no browser sends that");
        if let Some(name) = machine_name() {
            assert_eq!(check.check(Some(&format!("{name}:8000"))), Ok(()));
        }
        let refused = check.check(Some("rebind.evil.example:8000")).unwrap_err();
        assert!(refused.contains("'rebind.evil.example:8000'"), "{refused}");
        assert!(refused.contains("--allow-host rebind.evil.example "), "{refused}");
        assert!(check.check(Some("localhost.evil.example")).is_err());
    }

    #[test]
    fn hosts_allowed_by_name_or_all() {
        let check = HostCheck::new(&Hosts::Checked(vec!["DynamoDB".into()]));
        assert_eq!(check.check(Some("dynamodb:8000")), Ok(()));
        assert!(check.check(Some("other:8000")).is_err());
        let any = HostCheck::new(&Hosts::Any);
        assert_eq!(any.check(Some("anything.example")), Ok(()));
    }
}
