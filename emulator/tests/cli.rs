//! The binary as people start it: DynamoDB Local's command line, help and
//! version, mistakes named, the start-up banner, the request log, and a
//! graceful stop on SIGTERM/SIGINT that finishes the requests in flight and
//! keeps every acknowledged write (issue 20). Parsing details are unit tests
//! in `src/main.rs`.

use aws_sdk_dynamodb::types::{AttributeDefinition, AttributeValue as Av, BillingMode, KeySchemaElement, KeyType};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// The emulator process; killed when dropped, so a failing test leaves nothing behind.
struct Running {
    child: Child,
    stderr: Receiver<String>,
    endpoint: String,
    /// The stderr lines read so far (banner included).
    seen: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Waits (up to 10 s) for a stderr line containing `text`.
    fn wait_for(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        if let Some(line) = self.seen.iter().find(|l| l.contains(text)) {
            return line.clone();
        }
        while let Ok(line) = self.stderr.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            self.seen.push(line.clone());
            if line.contains(text) {
                return line;
            }
        }
        panic!("no line with {text:?} on stderr; saw {:#?}", self.seen)
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill(2) on the child's own process id.
        assert_eq!(unsafe { libc::kill(self.child.id() as libc::pid_t, signal) }, 0);
    }

    /// Waits (up to 15 s) for the process to end; its exit code.
    fn exit_code(&mut self) -> Option<i32> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the emulator did not stop");
    }
}

/// Starts the binary with `args` and reads its banner for the endpoint.
fn start(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_emulator"))
        .args(args)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the emulator binary");
    let lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let (sender, stderr) = mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let mut running = Running { child, stderr, endpoint: String::new(), seen: Vec::new() };
    let line = running.wait_for("listening on http://");
    let at = line.find("http://").unwrap();
    running.endpoint = line[at..].trim().to_string();
    running
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_emulator")).args(args).output().expect("run the emulator binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn create_table(client: &aws_sdk_dynamodb::Client) {
    client
        .create_table()
        .table_name("orders")
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("id")
                .attribute_type(aws_sdk_dynamodb::types::ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(KeySchemaElement::builder().attribute_name("id").key_type(KeyType::Hash).build().unwrap())
        .send()
        .await
        .expect("create table");
}

/// One of the seeds' DynamoDB Local set-ups, unchanged (with a free port).
#[tokio::test]
async fn a_dynamodb_local_command_line_starts_and_answers() {
    let mut emulator = start(&["-sharedDb", "-inMemory", "-port", "0", "-disableTelemetry"]);
    emulator.wait_for("in memory: data is lost on exit");
    let paste = emulator.wait_for("export AWS_ENDPOINT_URL=");
    assert!(paste.ends_with(&format!("export AWS_ENDPOINT_URL={}", emulator.endpoint)), "{paste}");
    let client = harness::client_for(&emulator.endpoint);
    let tables = client.list_tables().send().await.expect("list tables");
    assert!(tables.table_names().is_empty());
    // Health checks that send HEAD.
    let address = emulator.endpoint.trim_start_matches("http://").to_string();
    let head = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream.write_all(b"HEAD / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    })
    .await
    .unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.ends_with("\r\n\r\n"), "no body: {head}");
}

#[test]
fn help_and_version_print_to_stdout_and_exit_0() {
    for flag in ["--help", "-help", "-h"] {
        let output = run(&[flag]);
        assert_eq!(output.status.code(), Some(0), "{flag}");
        let help = text(&output.stdout);
        assert!(help.contains("Usage: emulator") && help.contains("-delayTransientStatuses"), "{help}");
        assert!(output.stderr.is_empty(), "{flag}: {}", text(&output.stderr));
    }
    for flag in ["--version", "-version"] {
        let output = run(&[flag]);
        assert_eq!(output.status.code(), Some(0));
        assert_eq!(text(&output.stdout).trim(), format!("emulator {}", env!("CARGO_PKG_VERSION")));
    }
}

#[test]
fn mistakes_exit_2_and_say_what_is_wrong() {
    let cases: &[(&[&str], &[&str])] = &[
        (&["-inMemory", "-dbPath", "./data"], &["--in-memory", "--db-path"]),
        (&["--port", "70000"], &["0..=65535"]),
        (&["--port=x"], &["--port"]),
        (&["-frobnicate"], &["'-frobnicate'"]),
        (&["--frobnicate"], &["'--frobnicate'"]),
    ];
    for (args, said) in cases {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let error = text(&output.stderr);
        for part in *said {
            assert!(error.contains(part), "{args:?}: {error}");
        }
        assert!(output.stdout.is_empty());
    }
}

/// SIGTERM (docker stop, systemd) stops as Ctrl-C does: a request in flight is answered, then
/// the journal is committed and the process exits 0; every acknowledged write is there at the
/// next start. The request log names each call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_requests_in_flight_and_keeps_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let slow = r#"{"operation":"PutItem","latencyMs":1500}"#;
    let mut emulator = start(&["--port", "0", "-dbPath", path, "--fault", slow, "--log-requests"]);
    emulator.wait_for(&format!("durable at {}", dir.path().canonicalize().unwrap().display()));
    let client = harness::client_for(&emulator.endpoint);
    create_table(&client).await;
    emulator.wait_for("operation=CreateTable tables=orders status=200 latency=");
    client.list_tables().send().await.expect("list tables");
    emulator.wait_for("operation=ListTables tables=- status=200");
    assert!(client.describe_table().table_name("missing").send().await.is_err());
    emulator.wait_for("operation=DescribeTable tables=missing status=400 error=ResourceNotFoundException latency=");
    let in_flight = tokio::spawn({
        let client = client.clone();
        async move { client.put_item().table_name("orders").item("id", Av::S("in-flight".into())).send().await }
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    emulator.signal(libc::SIGTERM);
    emulator.wait_for("SIGTERM");
    in_flight.await.unwrap().expect("the request in flight is answered");
    assert_eq!(emulator.exit_code(), Some(0));
    emulator.wait_for("operation=PutItem tables=orders status=200");
    emulator.wait_for("journal committed");
    drop(emulator);

    let again = start(&["--port", "0", "--db-path", path]);
    let client = harness::client_for(&again.endpoint);
    let scan = client.scan().table_name("orders").send().await.expect("scan");
    assert_eq!(scan.items().len(), 1);
    assert_eq!(scan.items()[0]["id"], Av::S("in-flight".into()));
}

#[test]
fn sigint_stops_cleanly_too() {
    let mut emulator = start(&["--port", "0"]);
    emulator.signal(libc::SIGINT);
    assert_eq!(emulator.exit_code(), Some(0));
    emulator.wait_for("stopped");
}

#[test]
fn a_non_loopback_address_is_warned_about() {
    let mut emulator = start(&["--host", "0.0.0.0", "--port", "0"]);
    emulator.wait_for("anyone who can reach it can read and write every table");
    emulator.wait_for("export AWS_ENDPOINT_URL=http://127.0.0.1:");
}

/// `--s3-dir DIR`: exports write their files under DIR/<bucket>/.
#[tokio::test]
async fn s3_dir_is_where_exports_write() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::create_dir(dir.path().join("bucket")).expect("bucket");
    let s3 = dir.path().to_str().expect("a UTF-8 path");
    let emulator = start(&["--port", "0", "--s3-dir", s3]);
    let client = harness::client_for(&emulator.endpoint);
    create_table(&client).await;
    let spec = aws_sdk_dynamodb::types::PointInTimeRecoverySpecification::builder()
        .point_in_time_recovery_enabled(true)
        .build()
        .unwrap();
    let pitr = client.update_continuous_backups().table_name("orders").point_in_time_recovery_specification(spec);
    pitr.send().await.expect("enable recovery");
    let export = client
        .export_table_to_point_in_time()
        .table_arn("arn:aws:dynamodb:us-east-1:000000000000:table/orders")
        .s3_bucket("bucket")
        .s3_prefix("nightly")
        .send()
        .await
        .expect("export");
    let arn = export.export_description().and_then(|e| e.export_arn()).expect("export arn");
    let id = arn.rsplit('/').next().unwrap();
    assert!(dir.path().join("bucket/nightly/AWSDynamoDB").join(id).join("manifest-summary.json").is_file());
}
