//! Building SDK configuration and clients for an endpoint.
//!
//! Emulators speak plain HTTP on loopback, so the clients here use a plain
//! HTTP connector: building the SDK's default HTTPS client loads the
//! system's root certificates, which costs more than the whole emulator.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_async::time::TimeSource;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use emulator::State;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn credentials() -> SharedCredentialsProvider {
    let (key, secret) = (crate::ACCESS_KEY, crate::SECRET_KEY);
    SharedCredentialsProvider::new(Credentials::new(key, secret, None, None, "harness"))
}

/// Configuration for an emulator at `endpoint` (`http://…`): us-east-1, the
/// harness's static credentials (`ACCESS_KEY`) and a plain-HTTP client.
pub fn sdk_config_for(endpoint: &str) -> SdkConfig {
    config(endpoint, aws_smithy_http_client::Builder::new().build_http(), None)
}

/// Configuration that sends every request through `http_client`, telling
/// time by `time` (default: the system's).
fn config(endpoint: &str, http_client: SharedHttpClient, time: Option<EmulatorTime>) -> SdkConfig {
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials())
        .endpoint_url(endpoint)
        .http_client(http_client);
    if let Some(time) = time {
        builder = builder.time_source(time);
    }
    builder.build()
}

/// Configuration for a harness emulator's own clients: they tell time by the
/// emulator's clock, so their signatures stay current when a test moves it
/// (the emulator's `Date` header follows the same clock).
pub(crate) fn sdk_config_with(endpoint: &str, http_client: SharedHttpClient, state: &Arc<State>) -> SdkConfig {
    config(endpoint, http_client, Some(EmulatorTime(Arc::clone(state))))
}

/// The emulator's clock as the SDK's time source.
struct EmulatorTime(Arc<State>);

impl std::fmt::Debug for EmulatorTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmulatorTime")
    }
}

impl TimeSource for EmulatorTime {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.0.clock.now_millis().max(0) as u64)
    }
}

pub fn client_for(endpoint: &str) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk_config_for(endpoint))
}
