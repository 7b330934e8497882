//! HTTPS: the binary with a self-signed certificate (`--tls-self-signed DIR`)
//! answers the real SDK once the SDK trusts that certificate, and refuses a
//! client that does not.

mod binary;

use binary::Running;

/// Starts the binary with `args`; returns it and the banner's endpoint and certificate to trust.
fn start(args: &[&std::ffi::OsStr]) -> (Running, String, String) {
    let (running, found) = binary::start(args, &[binary::ENDPOINT, "export AWS_CA_BUNDLE="]);
    let [endpoint, trust] = <[String; 2]>::try_from(found).expect("both banner lines");
    (running, endpoint, trust)
}

fn client(endpoint: &str, trusted_pem: Option<&[u8]>) -> aws_sdk_dynamodb::Client {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
    let mut store = TrustStore::empty().with_native_roots(false);
    if let Some(pem) = trusted_pem {
        store = store.with_pem_certificate(pem.to_vec());
    }
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(TlsContext::builder().with_trust_store(store).build().unwrap())
        .build_https();
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version_latest()
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("AKID", "secret", None, None, "test"))
        .endpoint_url(endpoint)
        .http_client(http)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

#[tokio::test]
async fn https_with_a_self_signed_certificate_serves_a_client_that_trusts_it() {
    let dir = tempfile::tempdir().unwrap();
    let (_running, endpoint, trust) = start(&["--tls-self-signed".as_ref(), dir.path().as_os_str()]);
    assert!(endpoint.starts_with("https://127.0.0.1:"), "{endpoint}");
    let pem = std::fs::read(&trust).expect("the certificate named in the banner");
    let trusting = client(&endpoint, Some(&pem));
    sdk_create(&trusting).await;
    let tables = trusting.list_tables().send().await.expect("served over HTTPS");
    assert_eq!(tables.table_names(), ["secure"]);
    // A client that does not trust the certificate gets no answer.
    let doubting = client(&endpoint, None);
    assert!(doubting.list_tables().send().await.is_err());
    // Plain HTTP on the HTTPS port is not served either.
    let plain = harness::client_for(&endpoint.replace("https://", "http://"));
    assert!(plain.list_tables().send().await.is_err());

    // The certificate is kept: a second start reuses it.
    drop(_running);
    let (_again, endpoint, trust_again) = start(&["--tls-self-signed".as_ref(), dir.path().as_os_str()]);
    assert_eq!(trust, trust_again);
    assert_eq!(std::fs::read(&trust_again).unwrap(), pem);
    client(&endpoint, Some(&pem)).list_tables().send().await.expect("the same certificate serves again");
}

async fn sdk_create(client: &aws_sdk_dynamodb::Client) {
    use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};
    client
        .create_table()
        .table_name("secure")
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder().attribute_name("pk").attribute_type(ScalarAttributeType::S).build().unwrap(),
        )
        .key_schema(KeySchemaElement::builder().attribute_name("pk").key_type(KeyType::Hash).build().unwrap())
        .send()
        .await
        .expect("create over HTTPS");
}
