//! Building SDK configuration and clients for an endpoint.
//!
//! Emulators speak plain HTTP on loopback, so the clients here use a plain
//! HTTP connector: building the SDK's default HTTPS client loads the
//! system's root certificates, which costs more than the whole emulator.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

fn credentials() -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(Credentials::new("AKIDEMULATOR", "emulator-secret", None, None, "harness"))
}

/// Configuration for an emulator at `endpoint` (`http://…`): us-east-1, dummy
/// static credentials and a plain-HTTP client.
pub fn sdk_config_for(endpoint: &str) -> SdkConfig {
    sdk_config_with(endpoint, aws_smithy_http_client::Builder::new().build_http())
}

/// Configuration that sends every request through `http_client`.
pub(crate) fn sdk_config_with(endpoint: &str, http_client: SharedHttpClient) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(credentials())
        .endpoint_url(endpoint)
        .http_client(http_client)
        .build()
}

pub fn client_for(endpoint: &str) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk_config_for(endpoint))
}
