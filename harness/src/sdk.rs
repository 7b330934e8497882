//! Building SDK configuration and clients for an endpoint.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};

/// Configuration for an emulator endpoint: us-east-1 and dummy static credentials.
pub fn sdk_config_for(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEMULATOR",
            "emulator-secret",
            None,
            None,
            "harness",
        )))
        .endpoint_url(endpoint)
        .build()
}

pub fn client_for(endpoint: &str) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(&sdk_config_for(endpoint))
}
