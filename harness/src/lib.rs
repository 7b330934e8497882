//! Test harness: isolated DynamoDB emulators for tests, each with a ready
//! `aws_sdk_dynamodb::Client`.
//!
//! Two ways to run one:
//! - [`start`]: a real HTTP server on a loopback port (for `AWS_ENDPOINT_URL`,
//!   other languages, raw HTTP checks);
//! - [`embedded`]: no socket at all; the client's HTTP layer calls the
//!   emulator's protocol handler directly (same bytes, same code path).
//!
//! ```no_run
//! # async fn demo() {
//! let db = harness::embedded();
//! let tables = db.client().list_tables().send().await.unwrap();
//! assert!(tables.table_names().is_empty());
//! # }
//! ```

mod cli;
mod embedded;
mod fixture;
pub mod fixtures;
mod oracle;
mod sdk;
mod signing;
mod streams;
mod target;

pub use cli::{aws_cli, python_package, AwsCli};
pub use embedded::InProcessClient;
pub use emulator::faults::{FaultAction, FaultRule, Faults, Trigger};
pub use emulator::protocol::{Cors, Policy};
pub use emulator::server::{Hosts, Options as ServerOptions};
pub use emulator::state::Clock;
pub use emulator::state::Snapshot;
pub use emulator::ErrorKind;
pub use fixture::Fixture;
pub use fixtures::{FixtureError, ItemFormat, TemplateOptions};
pub use oracle::{
    dynamodb_local, ensure_installed as install_dynamodb_local, install_dir as dynamodb_local_dir, try_dynamodb_local,
    DynamoDbLocal,
};
pub use sdk::{client_for, sdk_config_for};
pub use signing::{emulator_credentials, Signer, ACCESS_KEY, SECRET_KEY};
pub use streams::{DeliveryFailed, StartingPosition, StreamConsumer};
pub use target::{connect, remote_target, skip_on_remote, TARGET_VARIABLE};

use emulator::State;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

/// A running emulator on a loopback port. Dropping it stops the server.
pub struct Emulator {
    address: SocketAddr,
    endpoint: String,
    state: Arc<State>,
    client: aws_sdk_dynamodb::Client,
    _shutdown: oneshot::Sender<()>,
    /// Set when `HARNESS_TARGET` or [`connect`] points this handle at another endpoint.
    remote: Option<target::Remote>,
}

/// Starts a fresh, empty emulator on an OS-chosen port of 127.0.0.1. It
/// verifies Signature Version 4 with the harness's credentials
/// ([`ACCESS_KEY`]/[`SECRET_KEY`], which its clients, [`Signer`] and the
/// AWS CLI use), so every test exercises signing; [`builder`] turns that off.
///
/// With `HARNESS_TARGET` set (`local`, `aws` or a URL), it points at that
/// target instead (see [`connect`]); the emulator's own tools then panic,
/// naming the variable.
///
/// Must be called inside a tokio runtime; the server runs as a task on it.
pub async fn start() -> Emulator {
    if let Some(remote) = target::from_env().await {
        return remote;
    }
    builder().start().await
}

/// Starts a server over existing state (for fixtures prepared in advance),
/// verifying signatures as [`start`] does unless the state already has credentials.
pub async fn start_with_state(state: Arc<State>) -> Emulator {
    builder().state(state).start().await
}

/// Starts a fresh emulator served as the binary is with `--cors`,
/// `--allow-host` or `--admin-token`: `harness::start_with_options(ServerOptions::default().cors(Cors::Any))`
/// answers browsers as DynamoDB does. [`start`] serves as the binary does by default: no CORS, the
/// Host header checked, the admin API on loopback.
pub async fn start_with_options(options: ServerOptions) -> Emulator {
    builder().server_options(options).start().await
}

/// Options for [`start`]: `harness::builder().verify_signatures(false).start().await`.
pub fn builder() -> Builder {
    Builder {
        state: None,
        verify_signatures: true,
        options: ServerOptions::default(),
        s3_dir: None,
        replication_delay: None,
    }
}

/// See [`builder`].
pub struct Builder {
    state: Option<Arc<State>>,
    verify_signatures: bool,
    options: ServerOptions,
    s3_dir: Option<std::path::PathBuf>,
    replication_delay: Option<std::time::Duration>,
}

impl Builder {
    /// Serve this state rather than a fresh one.
    pub fn state(self, state: Arc<State>) -> Builder {
        Builder { state: Some(state), ..self }
    }

    /// Whether API calls must be signed with the harness's credentials
    /// (default: yes). Off, the emulator serves unsigned requests as the
    /// binary does without `--verify-signatures`.
    pub fn verify_signatures(self, on: bool) -> Builder {
        Builder { verify_signatures: on, ..self }
    }

    /// The directory standing for Amazon S3 (the binary's `--s3-dir`): exports
    /// write and imports read `dir/<bucket>/<key>`.
    pub fn s3_dir(self, dir: impl Into<std::path::PathBuf>) -> Builder {
        Builder { s3_dir: Some(dir.into()), ..self }
    }

    /// Global tables: how long a write takes to reach the other replicas, on
    /// the emulator's clock (the binary's `--replication-delay-ms`; default:
    /// delivered right after the call that made it).
    pub fn replication_delay(self, delay: std::time::Duration) -> Builder {
        Builder { replication_delay: Some(delay), ..self }
    }

    /// Serve as the binary does with `--cors`, `--allow-host` or `--admin-token`.
    pub fn server_options(self, options: ServerOptions) -> Builder {
        Builder { options, ..self }
    }

    pub async fn start(self) -> Emulator {
        let state = self.state.unwrap_or_default();
        if self.verify_signatures {
            state.verify_signatures(emulator_credentials());
        }
        if let Some(dir) = self.s3_dir {
            state.transfers.set_s3_dir(Some(dir));
        }
        if let Some(delay) = self.replication_delay {
            state.replication.set_delay(delay);
        }
        serve(state, self.options).await
    }
}

async fn serve(state: Arc<State>, options: ServerOptions) -> Emulator {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let address = listener.local_addr().expect("local address");
    let (tx, rx) = oneshot::channel::<()>();
    let served = Arc::clone(&state);
    tokio::spawn(async move {
        let shutdown = async move {
            let _ = rx.await;
        };
        if let Err(e) = emulator::server::serve_with(listener, served, options, shutdown).await {
            tracing::error!("emulator stopped: {e}");
        }
    });
    let endpoint = format!("http://{address}");
    let http = aws_smithy_http_client::Builder::new().build_http();
    let client = aws_sdk_dynamodb::Client::new(&sdk::sdk_config_with(&endpoint, http, &state));
    Emulator { address, endpoint, state, client, _shutdown: tx, remote: None }
}

/// An emulator living inside the test process: no port, no server task.
/// Its client is a real `aws_sdk_dynamodb::Client` whose HTTP layer is
/// [`InProcessClient`].
pub struct Embedded {
    state: Arc<State>,
    config: aws_config::SdkConfig,
    client: aws_sdk_dynamodb::Client,
}

/// The pretend endpoint of embedded emulators (requests never leave the process).
pub const EMBEDDED_ENDPOINT: &str = "http://dynamodb.embedded.invalid";

/// A fresh, empty in-process emulator. Needs a tokio runtime only when its
/// client is used. It does not verify signatures (nothing outside the
/// process can reach it, and in-process calls stay cheapest); its client
/// signs all the same, so `state().verify_signatures(...)` turns checking on.
pub fn embedded() -> Embedded {
    embedded_with_state(Arc::new(State::default()))
}

/// An in-process emulator over existing state (fixtures, snapshots).
pub fn embedded_with_state(state: Arc<State>) -> Embedded {
    state.serve_regions();
    let config = sdk::sdk_config_with(EMBEDDED_ENDPOINT, InProcessClient::shared(Arc::clone(&state)), &state);
    let client = aws_sdk_dynamodb::Client::new(&config);
    Embedded { state, config, client }
}

impl Embedded {
    /// A client for this emulator (region us-east-1, the harness's credentials).
    pub fn client(&self) -> aws_sdk_dynamodb::Client {
        self.client.clone()
    }

    /// Configuration wired to this emulator, for building other clients.
    pub fn sdk_config(&self) -> aws_config::SdkConfig {
        self.config.clone()
    }

    /// The emulator's state, for fixtures and inspection.
    pub fn state(&self) -> &Arc<State> {
        &self.state
    }

    fn in_process(&self, _tool: &str) -> &Arc<State> {
        &self.state
    }
}

impl Emulator {
    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL` or other SDKs.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// A client for this emulator (region us-east-1, the harness's credentials).
    pub fn client(&self) -> aws_sdk_dynamodb::Client {
        self.client.clone()
    }

    /// A client signing for `region` with these credentials: a call is served by
    /// the tables of the (account, region) it is signed for (see
    /// `emulator::state::namespaces`), so this client sees another region's or
    /// account's tables than [`Emulator::client`]'s.
    pub fn client_for(&self, region: &str, access_key: &str, secret_key: &str) -> aws_sdk_dynamodb::Client {
        let credentials = aws_sdk_dynamodb::config::Credentials::new(access_key, secret_key, None, None, "harness");
        let config = aws_sdk_dynamodb::config::Builder::from(&self.sdk_config())
            .region(aws_sdk_dynamodb::config::Region::new(region.to_string()))
            .credentials_provider(credentials)
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    /// Shared configuration pointing at this emulator, for building other clients.
    pub fn sdk_config(&self) -> aws_config::SdkConfig {
        match &self.remote {
            Some(remote) => remote.sdk_config(),
            None => {
                let http = aws_smithy_http_client::Builder::new().build_http();
                sdk::sdk_config_with(&self.endpoint, http, &self.state)
            }
        }
    }

    /// The emulator's state, for fixtures and inspection.
    pub fn state(&self) -> &Arc<State> {
        self.in_process("state()")
    }

    /// Whether this handle points at another target (`HARNESS_TARGET`, [`connect`]).
    pub fn is_remote(&self) -> bool {
        self.remote.is_some()
    }

    /// The state, or a panic naming `HARNESS_TARGET` when there is none here.
    fn in_process(&self, tool: &str) -> &Arc<State> {
        match &self.remote {
            Some(remote) => panic!("{}", remote.refusal(tool)),
            None => &self.state,
        }
    }
}

/// What both kinds of emulator offer beyond their client: faults, clock,
/// fixtures and snapshots, all acting on the emulator's state.
macro_rules! state_tools {
    ($handle:ty) => {
        impl $handle {
            /// Fault rules of this emulator: add [`FaultRule`]s, read the count injected.
            pub fn faults(&self) -> &Faults {
                &self.in_process("faults()").faults
            }

            /// The emulator's clock (real time plus an offset a test can move).
            pub fn clock(&self) -> &Clock {
                &self.in_process("clock()").clock
            }

            /// Keeps new tables CREATING, updated tables UPDATING (a new GSI
            /// backfilling, unreadable) and deleted tables DELETING for `delay` on
            /// the emulator's clock, as DynamoDB does asynchronously. Default: zero,
            /// every change done when its request returns. Advance the clock to end
            /// a transition at once.
            pub fn set_status_delay(&self, delay: std::time::Duration) {
                self.in_process("set_status_delay()").status_delay.set(delay)
            }

            /// The directory standing for Amazon S3: exports write, imports read
            /// `dir/<bucket>/<key>` (the binary's `--s3-dir`).
            pub fn set_s3_dir(&self, dir: impl Into<std::path::PathBuf>) {
                self.in_process("set_s3_dir()").transfers.set_s3_dir(Some(dir.into()))
            }

            /// Creates the tables of a CloudFormation template (YAML or JSON), a
            /// `CreateTable` input, or a JSON list of inputs; returns their names.
            pub fn create_tables(&self, document: &str) -> Result<Vec<String>, FixtureError> {
                crate::fixtures::create_tables(
                    self.in_process("create_tables()"),
                    document,
                    &TemplateOptions::default(),
                )
            }

            /// [`Self::create_tables`] with a table-name prefix and template parameters.
            pub fn create_tables_with(
                &self,
                document: &str,
                options: &TemplateOptions,
            ) -> Result<Vec<String>, FixtureError> {
                crate::fixtures::create_tables(self.in_process("create_tables_with()"), document, options)
            }

            /// Puts the items of a JSON document (plain or DynamoDB JSON) into `table`;
            /// returns how many.
            pub fn seed(&self, table: &str, document: &str) -> Result<usize, FixtureError> {
                let value = crate::fixtures::parse_document(document)?;
                crate::fixtures::seed_items(self.in_process("seed()"), table, &value)
            }

            /// Every item of `table`, in key order, as a JSON array in `format`.
            pub fn dump(&self, table: &str, format: ItemFormat) -> Result<serde_json::Value, FixtureError> {
                crate::fixtures::dump_items(self.in_process("dump()"), table, format)
            }

            /// Deletes the items whose Time to Live has passed on this emulator's
            /// clock, as DynamoDB's background process would; returns how many.
            /// (Moving the clock also sweeps, at the next request.)
            pub fn expire_now(&self) -> usize {
                self.in_process("expire_now()").sweep_expired()
            }

            /// Every stream record of `table` so far (each stream it has had,
            /// each shard), oldest first, as a Lambda trigger receives them
            /// (GetRecords' form plus `eventSourceARN`).
            pub fn stream_records(&self, table: &str) -> Vec<serde_json::Value> {
                self.in_process("stream_records()")
                    .stream_records_after(table, 0)
                    .into_iter()
                    .map(|(_, record)| record)
                    .collect()
            }

            /// A consumer of `table`'s stream that hands batches of at most
            /// `batch_size` records to a handler, as a Lambda trigger would.
            pub fn stream_consumer(&self, table: &str, start: StartingPosition, batch_size: usize) -> StreamConsumer {
                StreamConsumer::new(Arc::clone(self.in_process("stream_consumer()")), table, start, batch_size)
            }

            /// A copy of every table and item, to [`Self::restore`] or fork later.
            pub fn snapshot(&self) -> Snapshot {
                self.in_process("snapshot()").snapshot()
            }

            /// Puts every table back as it was in `snapshot`.
            pub fn restore(&self, snapshot: &Snapshot) {
                self.in_process("restore()").restore(snapshot)
            }

            /// A new in-process emulator holding `snapshot`'s tables; this one is untouched.
            pub fn fork(&self, snapshot: &Snapshot) -> Embedded {
                embedded_with_state(Arc::new(self.in_process("fork()").fork(snapshot)))
            }
        }
    };
}

state_tools!(Emulator);
state_tools!(Embedded);
