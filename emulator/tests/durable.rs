//! The real binary through the real SDK: in durable mode acknowledged writes
//! survive `kill -9` and restarts; `--threads` serves from several threads.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue as Av, BillingMode, Delete, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    Projection, ProjectionType, Put, PutRequest, ScalarAttributeType, TransactWriteItem, WriteRequest,
};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod binary;

use binary::Running;

/// Starts the emulator binary on a free port over `dir`; returns it, its endpoint and how long it took.
fn start(dir: &Path) -> (Running, String, Duration) {
    start_with(&["-dbPath".as_ref(), dir.as_os_str()])
}

/// Starts the emulator binary on a free port with `args`; returns it, its endpoint and how long it took.
fn start_with(args: &[&std::ffi::OsStr]) -> (Running, String, Duration) {
    let started = Instant::now();
    let (running, mut found) = binary::start(args, &[binary::ENDPOINT]);
    (running, found.remove(0), started.elapsed())
}

async fn create_table(client: &aws_sdk_dynamodb::Client) {
    let attr = |n: &str| {
        AttributeDefinition::builder().attribute_name(n).attribute_type(ScalarAttributeType::S).build().unwrap()
    };
    let key = |n: &str| KeySchemaElement::builder().attribute_name(n).key_type(KeyType::Hash).build().unwrap();
    client
        .create_table()
        .table_name("durable-sales")
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr("id"))
        .attribute_definitions(attr("eventId"))
        .key_schema(key("id"))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("eventId-index")
                .key_schema(key("eventId"))
                .projection(Projection::builder().projection_type(ProjectionType::All).build())
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("create table");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, endpoint, ready) = start(dir.path());
    println!("binary ready in {ready:?} (empty data directory)");
    let client = harness::client_for(&endpoint);
    create_table(&client).await;
    // A deleted item must stay deleted.
    client
        .put_item()
        .table_name("durable-sales")
        .item("id", Av::S("gone".into()))
        .item("eventId", Av::S("e".into()))
        .send()
        .await
        .unwrap();
    client.delete_item().table_name("durable-sales").key("id", Av::S("gone".into())).send().await.unwrap();

    // Batches and transactions are journaled like any other write.
    let puts: Vec<WriteRequest> = (0..5)
        .map(|i| {
            let item = PutRequest::builder()
                .item("id", Av::S(format!("b{i}")))
                .item("eventId", Av::S("e".into()))
                .build()
                .unwrap();
            WriteRequest::builder().put_request(item).build()
        })
        .collect();
    client.batch_write_item().request_items("durable-sales", puts).send().await.unwrap();
    let put = Put::builder()
        .table_name("durable-sales")
        .item("id", Av::S("t1".into()))
        .item("eventId", Av::S("e".into()))
        .build()
        .unwrap();
    let delete = Delete::builder().table_name("durable-sales").key("id", Av::S("b0".into())).build().unwrap();
    client
        .transact_write_items()
        .transact_items(TransactWriteItem::builder().put(put).build())
        .transact_items(TransactWriteItem::builder().delete(delete).build())
        .send()
        .await
        .unwrap();
    const EARLIER: usize = 5; // b1..b4 and t1

    // Writers put items as fast as they can; each records what was acknowledged.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let client = client.clone();
            let acknowledged = Arc::clone(&acknowledged);
            tokio::spawn(async move {
                for n in 0.. {
                    let id = format!("w{w}-{n}");
                    let put = client
                        .put_item()
                        .table_name("durable-sales")
                        .item("id", Av::S(id.clone()))
                        .item("eventId", Av::S(format!("e{}", n % 7)))
                        .item("quantity", Av::N(n.to_string()))
                        .send()
                        .await;
                    match put {
                        Ok(_) => acknowledged.lock().unwrap().push(id),
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    // Kill it mid-load, without warning.
    let deadline = Instant::now() + Duration::from_secs(10);
    while acknowledged.lock().unwrap().len() < 300 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill_9();
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 300, "only {} writes before the deadline", acknowledged.len());

    let (mut child, endpoint, ready) = start(dir.path());
    println!("binary ready in {ready:?} after reloading {} items", acknowledged.len());
    let client = harness::client_for(&endpoint);
    let table = client.describe_table().table_name("durable-sales").send().await.expect("the table survived");
    let table = table.table().unwrap();
    assert_eq!(table.global_secondary_indexes()[0].index_name(), Some("eventId-index"));
    let count = table.item_count().unwrap_or_default() as usize;
    // Every acknowledged write is there; at most one unacknowledged write per writer may be too.
    let expected = acknowledged.len() + EARLIER;
    assert!(count >= expected && count <= expected + 4, "{count} items for {expected} acknowledged");
    for id in ["b1", "b4", "t1"] {
        let got = client.get_item().table_name("durable-sales").key("id", Av::S(id.into())).send().await.unwrap();
        assert!(got.item().is_some(), "{id} was lost");
    }
    let b0 = client.get_item().table_name("durable-sales").key("id", Av::S("b0".into())).send().await.unwrap();
    assert!(b0.item().is_none(), "the transaction's delete was lost");
    for id in &acknowledged {
        let got = client.get_item().table_name("durable-sales").key("id", Av::S(id.clone())).send().await.unwrap();
        assert!(got.item().is_some(), "acknowledged item {id} was lost");
    }
    let gone = client.get_item().table_name("durable-sales").key("id", Av::S("gone".into())).send().await.unwrap();
    assert!(gone.item().is_none());
    println!("kill -9 after {} acknowledged writes: {count} items after restart, none lost", acknowledged.len());

    // A clean second restart (after compaction) gives the same data.
    child.kill_9();
    let (_child, endpoint, _) = start(dir.path());
    let client = harness::client_for(&endpoint);
    let table = client.describe_table().table_name("durable-sales").send().await.unwrap();
    assert_eq!(table.table().unwrap().item_count().unwrap_or_default() as usize, count);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_on_the_same_directory_refuses_to_start_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (first, endpoint, _) = start(dir.path());
    let client = harness::client_for(&endpoint);
    create_table(&client).await;
    let put = |id: &str| {
        client
            .put_item()
            .table_name("durable-sales")
            .item("id", Av::S(id.into()))
            .item("eventId", Av::S("e1".into()))
            .send()
    };
    put("before").await.unwrap();
    let second = |port: &str| {
        Command::new(env!("CARGO_BIN_EXE_emulator"))
            .args(["--port", port, "-dbPath"])
            .arg(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("run a second emulator")
    };
    // Same directory: refused, naming the process that holds it.
    let refused = second("0");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(said.contains(&format!("in use by another emulator (process {})", first.0.id())), "{said}");
    // Same port (and directory): the port is bound first, so the directory is never touched.
    let port = endpoint.rsplit(':').next().unwrap().to_string();
    let refused = second(&port);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("cannot listen"), "{:?}", refused);
    // The first goes on, and everything it acknowledged is there after a restart.
    put("after").await.unwrap();
    drop(first);
    let (_again, endpoint, _) = start(dir.path());
    let client = harness::client_for(&endpoint);
    let scan = client.scan().table_name("durable-sales").send().await.unwrap();
    assert_eq!(scan.count(), 2);
}

#[tokio::test]
async fn without_a_db_path_nothing_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_emulator"))
        .args(["--port", "0"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    Running(child).kill_9();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "in-memory mode writes no files");
}

#[tokio::test]
async fn several_threads_serve_one_table() {
    let (_child, endpoint, _) = start_with(&["--threads".as_ref(), "2".as_ref()]);
    let client = harness::client_for(&endpoint);
    create_table(&client).await;
    let puts = (0..40).map(|i| {
        client
            .put_item()
            .table_name("durable-sales")
            .item("id", Av::S(format!("sale-{i}")))
            .item("eventId", Av::S(format!("event-{}", i % 4)))
            .send()
    });
    for result in futures_join_all(puts).await {
        result.expect("put");
    }
    let by_event = client
        .query()
        .table_name("durable-sales")
        .index_name("eventId-index")
        .key_condition_expression("eventId = :e")
        .expression_attribute_values(":e", Av::S("event-1".into()))
        .send()
        .await
        .expect("query");
    assert_eq!(by_event.count(), 10);
}

#[test]
fn a_thread_count_must_be_a_number() {
    let output = Command::new(env!("CARGO_BIN_EXE_emulator")).args(["--threads", "two"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("'--threads <N>': must be a whole number"), "{said}");
}

/// Runs the futures concurrently on the test's runtime.
async fn futures_join_all<F: std::future::Future + Send + 'static>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let tasks: Vec<_> = futures.map(tokio::spawn).collect();
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await.expect("task"));
    }
    results
}

/// A client of `endpoint` signing for `region`, which does not retry (a test sees every error).
fn client_in(endpoint: &str, region: &str) -> aws_sdk_dynamodb::Client {
    let config = harness::client_for(endpoint)
        .config()
        .to_builder()
        .region(aws_sdk_dynamodb::config::Region::new(region.to_string()))
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

async fn create_keyed_table(client: &aws_sdk_dynamodb::Client, name: &str) {
    let attr = AttributeDefinition::builder().attribute_name("id").attribute_type(ScalarAttributeType::S).build();
    let key = KeySchemaElement::builder().attribute_name("id").key_type(KeyType::Hash).build();
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attr.unwrap())
        .key_schema(key.unwrap())
        .send()
        .await
        .expect("create table");
}

async fn ids(client: &aws_sdk_dynamodb::Client, table: &str) -> Vec<String> {
    let scanned = client.scan().table_name(table).send().await.expect("scan");
    let mut ids: Vec<String> = scanned.items().iter().map(|i| i["id"].as_s().expect("a string id").clone()).collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_region_keeps_its_own_tables_across_a_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, endpoint, _) = start(dir.path());
    for region in ["us-east-1", "eu-west-1"] {
        let client = client_in(&endpoint, region);
        create_keyed_table(&client, "orders").await;
        client.put_item().table_name("orders").item("id", Av::S(region.into())).send().await.unwrap();
    }
    create_keyed_table(&client_in(&endpoint, "eu-west-1"), "only-in-europe").await;
    child.kill_9();

    let (_child, endpoint, _) = start(dir.path());
    let (home, europe) = (client_in(&endpoint, "us-east-1"), client_in(&endpoint, "eu-west-1"));
    assert_eq!(ids(&home, "orders").await, ["us-east-1"]);
    assert_eq!(ids(&europe, "orders").await, ["eu-west-1"]);
    assert_eq!(home.list_tables().send().await.unwrap().table_names(), ["orders"]);
    assert_eq!(europe.list_tables().send().await.unwrap().table_names(), ["only-in-europe", "orders"]);
}

/// The emulator binary over `dir` with files limited to `max_bytes` (a full
/// disk, reproducibly: writes past the limit fail with EFBIG, SIGXFSZ ignored).
fn start_with_file_limit(dir: &Path, max_bytes: u64) -> (Running, String) {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_emulator"));
    command.arg("--db-path").arg(dir);
    // SAFETY: setrlimit and signal are async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit { rlim_cur: max_bytes, rlim_max: max_bytes };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0
                || libc::signal(libc::SIGXFSZ, libc::SIG_IGN) == libc::SIG_ERR
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let (running, mut found) = binary::start_command(command, &[binary::ENDPOINT]);
    (running, found.remove(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_internal_server_error_and_keeps_the_journal_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, endpoint) = start_with_file_limit(dir.path(), 48 * 1024);
    let client = client_in(&endpoint, "us-east-1");
    create_keyed_table(&client, "notes").await;
    let (mut acknowledged, mut refused) = (Vec::new(), Vec::new());
    for i in 0..600 {
        let id = format!("note-{i:04}-{}", "x".repeat(200));
        match client.put_item().table_name("notes").item("id", Av::S(id.clone())).send().await {
            Ok(_) => acknowledged.push(id),
            Err(error) => {
                let error = error.into_service_error();
                let meta = aws_sdk_dynamodb::error::ProvideErrorMetadata::meta(&error);
                assert_eq!(meta.code(), Some("InternalServerError"), "{error:?}");
                let message = meta.message().unwrap_or_default();
                assert!(
                    message.contains("could not write its journal") && message.contains("File too large"),
                    "{message}"
                );
                refused.push(id);
            }
        }
    }
    assert!(
        !refused.is_empty() && acknowledged.len() > 50,
        "{} acknowledged, {} refused",
        acknowledged.len(),
        refused.len()
    );
    child.kill_9();

    // With room again, the journal opens (nothing damaged) and holds every acknowledged write.
    let (_child, endpoint, _) = start(dir.path());
    let kept = ids(&client_in(&endpoint, "us-east-1"), "notes").await;
    let missing: Vec<&String> = acknowledged.iter().filter(|id| kept.binary_search(id).is_err()).collect();
    assert!(missing.is_empty(), "{} acknowledged writes lost", missing.len());
    let copies = std::fs::read_dir(dir.path()).unwrap().filter_map(Result::ok);
    assert!(copies.map(|e| e.file_name()).all(|n| !n.to_string_lossy().contains("damaged")), "no damaged journal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_keeps_one_set_of_tables_for_every_region_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["-sharedDb".as_ref(), "--db-path".as_ref(), dir.path().as_os_str()];
    let (mut child, endpoint, _) = start_with(&args);
    create_keyed_table(&client_in(&endpoint, "us-east-1"), "orders").await;
    client_in(&endpoint, "eu-west-1")
        .put_item()
        .table_name("orders")
        .item("id", Av::S("a".into()))
        .send()
        .await
        .unwrap();
    child.kill_9();
    let (_child, endpoint, _) = start_with(&args);
    assert_eq!(ids(&client_in(&endpoint, "ap-south-1"), "orders").await, ["a"]);
}

/// Root ignores file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), and
/// the tests run as root: the child's exec is left without them (dropped from
/// its bounding set), so permissions apply to it as to any user. As another
/// user they apply anyway.
fn without_permission_override(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return;
    }
    const CAP_DAC_OVERRIDE: libc::c_ulong = 1;
    const CAP_DAC_READ_SEARCH: libc::c_ulong = 2;
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            for capability in [CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH] {
                if libc::prctl(libc::PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
}

/// The binary over `dir` with `args`, as any user (see [`without_permission_override`]).
fn emulator_without_override(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_emulator"));
    command.arg("--db-path").arg(dir).args(args).env("NO_COLOR", "1");
    without_permission_override(&mut command);
    command
}

/// Runs a start that must be refused: its exit code and what it said (killed, and failing, if it serves).
fn refused_start(mut command: Command) -> (Option<i32>, String) {
    let mut child = command.args(["--port", "0"]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the emulator started on a directory it cannot write");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// Every file in `dir` with its bytes.
fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let entries = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap());
    entries.map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())).collect()
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_directory_or_journal_refuses_to_start_and_changes_nothing() {
    // An empty directory the emulator cannot write in.
    let empty = tempfile::tempdir().unwrap();
    set_mode(empty.path(), 0o555);
    let (code, said) = refused_start(emulator_without_override(empty.path(), &[]));
    set_mode(empty.path(), 0o755);
    assert_eq!(code, Some(1), "{said}");
    let expected = format!("cannot create files in the data directory {}: Permission denied", empty.path().display());
    assert!(said.contains(&expected), "{said}");
    assert!(files(empty.path()).is_empty(), "nothing written: {:?}", files(empty.path()).keys());

    // A directory holding data, made read-only: refused, every file as it was.
    let dir = tempfile::tempdir().unwrap();
    let (mut child, endpoint, _) = start(dir.path());
    let client = client_in(&endpoint, "us-east-1");
    create_keyed_table(&client, "kept").await;
    client.put_item().table_name("kept").item("id", Av::S("one".into())).send().await.unwrap();
    child.kill_9();
    let before = files(dir.path());
    set_mode(dir.path(), 0o555);
    let (code, said) = refused_start(emulator_without_override(dir.path(), &[]));
    set_mode(dir.path(), 0o755);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains(&format!("{}: Permission denied", dir.path().display())), "{said}");
    assert!(files(dir.path()) == before, "a refused start changed the directory");

    // A writable directory with a read-only journal: refused, naming the journal.
    let journal = dir.path().join("emulator-journal.log");
    set_mode(&journal, 0o444);
    let (code, said) = refused_start(emulator_without_override(dir.path(), &[]));
    set_mode(&journal, 0o644);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains(&format!("cannot write the journal {}: Permission denied", journal.display())), "{said}");
    assert!(files(dir.path()) == before, "a refused start changed the directory");

    // A read-only lock file: refused, naming it.
    let lock = dir.path().join("emulator.lock");
    set_mode(&lock, 0o444);
    let (code, said) = refused_start(emulator_without_override(dir.path(), &[]));
    set_mode(&lock, 0o644);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains(&format!("cannot open the lock file {}: Permission denied", lock.display())), "{said}");
    assert!(files(dir.path()) == before, "a refused start changed the directory");

    // Writable again: everything is there.
    let (_child, endpoint, _) = start(dir.path());
    assert_eq!(ids(&client_in(&endpoint, "us-east-1"), "kept").await, ["one"]);
}

/// How many lines of `log` contain `text`.
fn logged(log: &binary::Log, text: &str) -> usize {
    log.lock().unwrap().iter().filter(|line| line.contains(text)).count()
}

/// Waits (up to `within`) until `log` holds a line containing `text`.
async fn wait_for_log(log: &binary::Log, text: &str, within: Duration) {
    let deadline = Instant::now() + within;
    while logged(log, text) == 0 {
        assert!(Instant::now() < deadline, "no log line with {text:?} in {within:?}: {:?}", log.lock().unwrap());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_made_read_only_while_running_keeps_acknowledging_writes_and_backs_off_compacting() {
    let dir = tempfile::tempdir().unwrap();
    // Compacting after every commit: the directory turns read-only in the middle of compactions too.
    let command = emulator_without_override(dir.path(), &["--compact-after", "1"]);
    let (mut child, mut found, log) = binary::start_logged(command, &[binary::ENDPOINT]);
    let client = client_in(&found.remove(0), "us-east-1");
    create_keyed_table(&client, "notes").await;
    let mut acknowledged = Vec::new();
    let mut put = |id: String| {
        let client = client.clone();
        acknowledged.push(id.clone());
        async move { client.put_item().table_name("notes").item("id", Av::S(id)).send().await.map(|_| ()) }
    };
    for i in 0..100 {
        put(format!("before-{i:03}")).await.expect("a write before the directory turned read-only");
    }
    set_mode(dir.path(), 0o555);
    let read_only_since = Instant::now();
    // The journal itself is still writable: every write is acknowledged; compactions fail.
    // Eight writers at once, so a switch that fails at its rename has writes to keep.
    for round in 0..40 {
        let writes = (0..8).map(|i| put(format!("read-only-{round:02}-{i}")));
        for written in futures_join_all(writes.collect::<Vec<_>>().into_iter()).await {
            written.expect("a write while compactions fail");
        }
    }
    let failed = "journal compaction failed (commits go on appending to the journal): cannot ";
    wait_for_log(&log, failed, Duration::from_secs(10)).await;
    let side_file = dir.path().join("emulator-journal.compacting").display().to_string();
    assert!(
        logged(&log, &side_file) > 0 && logged(&log, "Permission denied") > 0 && logged(&log, "next attempt in") > 0,
        "{:?}",
        log.lock().unwrap()
    );
    // Not retried in a tight loop: after 1 s, then 2 s, ... (writes go on meanwhile).
    for i in 0..100 {
        put(format!("backing-off-{i:03}")).await.expect("a write while compactions back off");
    }
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    // Attempts 1 s, 3 s, 7 s, ... after the first: a tight loop would log hundreds.
    let (failures, seconds) = (logged(&log, failed), read_only_since.elapsed().as_secs_f64());
    assert!(failures as f64 <= 2.0 + (1.0 + seconds).log2(), "{failures} failed compactions logged in {seconds:.1} s");
    for line in log.lock().unwrap().iter().filter(|line| line.contains(failed)) {
        println!("{line}");
    }

    // Writable again: the next attempt compacts, and after a kill every acknowledged write is there.
    set_mode(dir.path(), 0o755);
    wait_for_log(&log, "journal upkeep succeeded again", Duration::from_secs(10)).await;
    child.kill_9();
    let (_child, endpoint, _) = start(dir.path());
    let kept = ids(&client_in(&endpoint, "us-east-1"), "notes").await;
    acknowledged.sort();
    assert_eq!(kept.len(), acknowledged.len());
    assert!(kept == acknowledged, "acknowledged writes lost");
}
