//! The harness against other targets: [`connect`] and `HARNESS_TARGET`, so
//! a test suite written with [`crate::start`] runs unchanged against DynamoDB
//! Local or real DynamoDB.
//!
//! `HARNESS_TARGET` is `local` (a DynamoDB Local the harness starts, without
//! `-sharedDb`), `aws` (real DynamoDB: region and credentials from the
//! environment, the SDK's default chain) or an endpoint URL (`http://` with
//! the harness's credentials, `https://` with the default chain). Isolation:
//! with `local` each handle signs with an access key of its own, and DynamoDB
//! Local without `-sharedDb` keeps one database per key, so tests with fixed
//! table names run in parallel as they do on the emulator. Any other target
//! has one set of tables (per account and region; a DynamoDB Local started
//! with `-sharedDb`): tests sharing it need unique table names or
//! `--test-threads=1`.
//! Either way the tables a handle's client created are deleted when it is
//! dropped. What needs the emulator's own state (faults, the clock, fixtures,
//! snapshots, streams read in-process) panics there, naming `HARNESS_TARGET`.

use crate::Emulator;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::interceptors::FinalizerInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Credentials, Intercept, RuntimeComponents, SharedCredentialsProvider};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::create_table::CreateTableOutput;
use aws_sdk_dynamodb::operation::delete_table::DeleteTableOutput;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The environment variable that points [`crate::start`] elsewhere.
pub const TARGET_VARIABLE: &str = "HARNESS_TARGET";

/// `HARNESS_TARGET`'s value when it is set (not empty).
pub fn remote_target() -> Option<String> {
    std::env::var(TARGET_VARIABLE).ok().filter(|v| !v.trim().is_empty())
}

/// For a test that needs the emulator itself (`what`: its clock, fault
/// rules, stream consumer...): true, after saying so on stderr, when
/// `HARNESS_TARGET` points the harness elsewhere, so the test returns early
/// (skipped) instead of failing there.
pub fn skip_on_remote(what: &str) -> bool {
    let Some(target) = remote_target() else { return false };
    eprintln!("skipped: this test needs {what}, which {TARGET_VARIABLE}={target} does not have");
    true
}

/// What a handle on another target keeps: how to reach it, and the tables
/// its client created (deleted on drop).
pub(crate) struct Remote {
    /// `HARNESS_TARGET`'s value, or the URL given to [`connect`].
    pub(crate) target: String,
    config: SdkConfig,
    created: Arc<Mutex<Vec<String>>>,
    /// Plain HTTP with static credentials (not the default chain).
    plain_http: bool,
}

/// A handle on the DynamoDB-compatible endpoint at `url` (this emulator's
/// binary, DynamoDB Local, any URL): an [`Emulator`] whose client and
/// endpoint point there, and whose in-process tools panic. An `http://` URL
/// gets the harness's static credentials ([`crate::sdk_config_for`]); an
/// `https://` URL the SDK's default credential chain and region (us-east-1
/// if none is set). Tables its client creates are deleted when it is dropped.
pub async fn connect(url: &str) -> Emulator {
    let remote = if url.starts_with("https://") {
        Remote::aws(url, Some(url)).await
    } else {
        Remote::plain(url, crate::sdk_config_for(url))
    };
    remote.into_emulator(url)
}

/// The [`Emulator`] `HARNESS_TARGET` asks for, if it is set.
pub(crate) async fn from_env() -> Option<Emulator> {
    let target = remote_target()?;
    Some(match target.as_str() {
        "local" => {
            let local = crate::oracle::isolated_dynamodb_local()
                .await
                .unwrap_or_else(|e| panic!("{TARGET_VARIABLE}=local: DynamoDB Local cannot start: {e}"));
            Remote::isolated(&target, local.endpoint()).into_emulator(local.endpoint())
        }
        "aws" => {
            let remote = Remote::aws(&target, None).await;
            let region = remote.config.region().map_or("us-east-1".to_string(), |r| r.to_string());
            remote.into_emulator(&format!("https://dynamodb.{region}.amazonaws.com"))
        }
        url if url.starts_with("http://") || url.starts_with("https://") => {
            let mut emulator = connect(url).await;
            if let Some(remote) = &mut emulator.remote {
                remote.target = target.clone();
            }
            emulator
        }
        other => panic!("{TARGET_VARIABLE}={other}: expected local, aws or an http(s):// endpoint URL"),
    })
}

/// How long dropping a handle waits for its tables to be deleted.
const CLEANUP_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Access keys handed out in this process, one per handle.
static HANDLES: AtomicUsize = AtomicUsize::new(0);

impl Remote {
    fn plain(target: &str, config: SdkConfig) -> Remote {
        Remote { target: target.to_string(), config, created: Arc::default(), plain_http: true }
    }

    /// Static credentials with an access key of this handle's own.
    fn isolated(target: &str, endpoint: &str) -> Remote {
        let key = format!("harness{}x{}", std::process::id(), HANDLES.fetch_add(1, Ordering::Relaxed));
        let credentials = Credentials::new(&key, "harness-secret", None, None, "harness-target");
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .endpoint_url(endpoint)
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .build();
        Remote::plain(target, config)
    }

    /// The SDK's default chain: credentials and region from the environment.
    async fn aws(target: &str, endpoint: Option<&str>) -> Remote {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(url) = endpoint {
            loader = loader.endpoint_url(url);
        }
        let mut config = loader.load().await;
        if config.region().is_none() {
            config = config.into_builder().region(Region::new("us-east-1")).build();
        }
        Remote { target: target.to_string(), config, created: Arc::default(), plain_http: false }
    }

    fn into_emulator(self, endpoint: &str) -> Emulator {
        let client_config = aws_sdk_dynamodb::config::Builder::from(&self.config)
            .interceptor(CreatedTables(Arc::clone(&self.created)))
            .build();
        let client = aws_sdk_dynamodb::Client::from_conf(client_config);
        let address = address_of(endpoint);
        let (shutdown, _) = tokio::sync::oneshot::channel();
        Emulator {
            address,
            endpoint: endpoint.to_string(),
            state: Arc::default(),
            client,
            _shutdown: shutdown,
            remote: Some(self),
        }
    }

    pub(crate) fn sdk_config(&self) -> SdkConfig {
        self.config.clone()
    }

    /// The panic message for a tool that needs the emulator's own state.
    pub(crate) fn refusal(&self, tool: &str) -> String {
        format!(
            "{tool} needs the in-process emulator, but this handle points at {} ({TARGET_VARIABLE} or \
             harness::connect); skip this test there (`if harness::remote_target().is_some() {{ return; }}`)",
            self.target
        )
    }
}

/// The endpoint's socket address, when its host resolves (0.0.0.0:0 otherwise).
fn address_of(endpoint: &str) -> SocketAddr {
    let authority = endpoint.split("://").nth(1).unwrap_or(endpoint).split('/').next().unwrap_or_default();
    let port = if endpoint.starts_with("https://") { 443 } else { 80 };
    let with_port = if authority.contains(':') { authority.to_string() } else { format!("{authority}:{port}") };
    with_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut all| all.next())
        .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)))
}

impl Drop for Remote {
    /// Deletes the tables this handle's client created. On a thread of its
    /// own with a fresh client: the test's runtime may be the one blocked here
    /// (so an endpoint served by that same runtime, on a current-thread
    /// runtime, is given up on after `CLEANUP_LIMIT`).
    fn drop(&mut self) {
        let tables = std::mem::take(&mut *self.created.lock().unwrap_or_else(|p| p.into_inner()));
        if tables.is_empty() {
            return;
        }
        let (config, plain_http) = (self.config.clone(), self.plain_http);
        let endpoint = config.endpoint_url().map(str::to_string);
        let (done, finished) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            runtime.block_on(async move {
                let mut builder = config.into_builder();
                // A fresh connection pool: the shared one's connections belong to the test's runtime.
                if plain_http {
                    builder.set_http_client(Some(aws_smithy_http_client::Builder::new().build_http()));
                } else {
                    builder.set_http_client(None);
                }
                let client = aws_sdk_dynamodb::Client::new(&builder.build());
                for table in tables {
                    if let Err(e) = client.delete_table().table_name(&table).send().await {
                        let e = aws_sdk_dynamodb::error::DisplayErrorContext(e);
                        eprintln!("harness: could not delete table {table} on {endpoint:?}: {e}");
                    }
                }
            });
            let _ = done.send(());
        });
        if finished.recv_timeout(CLEANUP_LIMIT).is_err() {
            eprintln!("harness: tables created on {} not deleted within {CLEANUP_LIMIT:?}", self.target);
        }
    }
}

/// Notes each table a successful CreateTable made, and forgets each one a DeleteTable removed.
#[derive(Debug)]
struct CreatedTables(Arc<Mutex<Vec<String>>>);

impl Intercept for CreatedTables {
    fn name(&self) -> &'static str {
        "harness::CreatedTables"
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(Ok(output)) = context.output_or_error() else { return Ok(()) };
        let mut created = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(name) = output.downcast_ref::<CreateTableOutput>().and_then(|o| o.table_description()?.table_name())
        {
            created.push(name.to_string());
        }
        if let Some(name) = output.downcast_ref::<DeleteTableOutput>().and_then(|o| o.table_description()?.table_name())
        {
            created.retain(|n| n != name);
        }
        Ok(())
    }
}
