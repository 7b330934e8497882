//! The server's own limits, over raw TCP: slow or stalled clients are cut
//! off in time, half-closed clients still get their answer, and past the
//! connection or in-flight limits requests are answered a throttling error
//! rather than left waiting.

use harness::{FaultAction, FaultRule, ServerOptions};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn limits(header_ms: u64, body_ms: u64, connections: usize, in_flight: usize) -> ServerOptions {
    let mut options = ServerOptions::default();
    options.limits.header_timeout = Duration::from_millis(header_ms);
    options.limits.body_timeout = Duration::from_millis(body_ms);
    options.limits.max_connections = connections;
    options.limits.max_in_flight = in_flight;
    options
}

/// A ListTables request with the given body (and Content-Length, when given).
fn request(body: &str, content_length: Option<usize>) -> String {
    let length = content_length.unwrap_or(body.len());
    format!(
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {length}\r\n\r\n{body}"
    )
}

/// Everything the server sends until it closes the connection (or `limit` passes).
async fn read_all(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut out = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&out).into_owned(), true),
            Ok(Ok(n)) => out.extend_from_slice(&buffer[..n]),
            Err(_) => return (String::from_utf8_lossy(&out).into_owned(), false),
        }
    }
}

async fn connect(db: &harness::Emulator) -> TcpStream {
    TcpStream::connect(db.address()).await.unwrap()
}

async fn start(options: ServerOptions) -> harness::Emulator {
    harness::builder().verify_signatures(false).server_options(options).start().await
}

#[tokio::test]
async fn slow_headers_and_idle_connections_are_closed_in_time() {
    let db = start(limits(300, 5_000, 100, 100)).await;
    // Half a request head, then nothing (slowloris).
    let mut slow = connect(&db).await;
    slow.write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Ta").await.unwrap();
    let started = Instant::now();
    let (_, closed) = read_all(&mut slow, Duration::from_secs(5)).await;
    assert!(closed, "the server closes a connection whose headers never finish");
    assert!(started.elapsed() < Duration::from_secs(3), "within the header timeout, not minutes");

    // A keep-alive connection: answered, then closed once idle past the timeout.
    let mut idle = connect(&db).await;
    idle.write_all(request("{}", None).as_bytes()).await.unwrap();
    let (answer, closed) = read_all(&mut idle, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "an idle keep-alive connection is closed");
}

#[tokio::test]
async fn stalled_short_and_half_closed_bodies_are_answered() {
    let db = start(limits(5_000, 300, 100, 100)).await;
    // Headers promise 100 bytes; 2 arrive, then nothing: answered 408 in time.
    let mut stalled = connect(&db).await;
    stalled.write_all(request("{}", Some(100)).as_bytes()).await.unwrap();
    let (answer, _) = read_all(&mut stalled, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("RequestTimeoutException"), "{answer}");

    // 2 of 100 bytes, then the client half-closes: the body is short, not too large.
    let mut short = connect(&db).await;
    short.write_all(request("{}", Some(100)).as_bytes()).await.unwrap();
    short.shutdown().await.unwrap();
    let (answer, _) = read_all(&mut short, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("SerializationException"), "{answer}");

    // A whole request, then the client half-closes: it still gets the answer.
    for _ in 0..20 {
        let mut half = connect(&db).await;
        half.write_all(request("{}", None).as_bytes()).await.unwrap();
        half.shutdown().await.unwrap();
        let (answer, _) = read_all(&mut half, Duration::from_secs(3)).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("TableNames"), "{answer}");
    }
}

#[tokio::test]
async fn past_the_connection_limit_requests_are_throttled_not_dropped() {
    let db = start(limits(5_000, 5_000, 2, 100)).await;
    let mut held = vec![connect(&db).await, connect(&db).await];
    // Both held connections are served.
    for stream in &mut held {
        stream.write_all(request("{}", None).as_bytes()).await.unwrap();
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).await.unwrap();
        assert_eq!(&head, b"HTTP/1.1 200");
    }
    let mut third = connect(&db).await;
    third.write_all(request("{}", None).as_bytes()).await.unwrap();
    let (answer, closed) = read_all(&mut third, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("ThrottlingException"), "{answer}");
    assert!(closed, "the over-limit connection is not kept");
    // Once a held connection goes, a new one is served again.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut fourth = connect(&db).await;
    fourth.write_all(request("{}", None).as_bytes()).await.unwrap();
    let mut head = [0u8; 12];
    fourth.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200");
}

#[tokio::test]
async fn past_the_in_flight_limit_requests_are_throttled() {
    let db = start(limits(5_000, 5_000, 100, 1)).await;
    // Every ListTables takes 500 ms, holding its slot.
    db.faults().add(FaultRule::new(FaultAction::Latency(Duration::from_millis(500))).operation("ListTables"));
    let mut first = connect(&db).await;
    first.write_all(request("{}", None).as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut second = connect(&db).await;
    second.write_all(request("{}", None).as_bytes()).await.unwrap();
    let mut head = [0u8; 12];
    second.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 400", "the second request is throttled at once");
    first.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 200", "the first is answered after its latency");
}
