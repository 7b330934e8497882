//! Signature Version 4 verification (`--verify-signatures`; `harness::start()`
//! turns it on with the harness's credentials): the SDK, raw HTTP, presigned
//! requests and the AWS CLI with right and wrong credentials get DynamoDB's
//! answers. Messages as DynamoDB words them (mhart/dynalite `index.js` and
//! `test/connection.js`, scylladb `test/alternator/test_authorization.py`,
//! aws/aws-sdk-js#254 for "Signature expired").

use crate::error_of;
use aws_sdk_dynamodb::config::Credentials;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use sdk_tests::{create_table, raw_request_to, unsigned_request_to, JSON};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

const WRONG_SECRET: &str =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access \
     Key and signing method. Consult the service documentation for details.";

fn client_with(db: &harness::Emulator, credentials: Credentials) -> Client {
    let config = aws_sdk_dynamodb::config::Builder::from(&db.sdk_config()).credentials_provider(credentials).build();
    Client::from_conf(config)
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.into())
}

#[tokio::test]
async fn the_sdk_with_the_right_credentials_is_served() {
    let db = harness::start().await;
    let client = db.client();
    create_table(&client, "signed", "pk", Some(("sk", aws_sdk_dynamodb::types::ScalarAttributeType::S))).await;
    client.put_item().table_name("signed").item("pk", s("a")).item("sk", s("1")).send().await.unwrap();
    let got = client.get_item().table_name("signed").key("pk", s("a")).key("sk", s("1")).send().await.unwrap();
    assert_eq!(got.item().unwrap()["sk"], s("1"));
    let queried = client
        .query()
        .table_name("signed")
        .key_condition_expression("pk = :p")
        .expression_attribute_values(":p", s("a"))
        .send()
        .await
        .unwrap();
    assert_eq!(queried.count(), 1);
}

#[tokio::test]
async fn a_wrong_secret_or_an_unknown_key_is_refused() {
    let db = harness::start().await;
    let wrong = client_with(&db, Credentials::new(harness::ACCESS_KEY, "not-the-secret", None, None, "test"));
    let (code, message) = error_of(wrong.list_tables().send().await);
    assert_eq!((code.as_str(), message.as_str()), ("InvalidSignatureException", WRONG_SECRET));

    let stranger = client_with(&db, Credentials::new("AKIDSTRANGER", harness::SECRET_KEY, None, None, "test"));
    let (code, message) = error_of(stranger.list_tables().send().await);
    assert_eq!(code, "UnrecognizedClientException");
    assert_eq!(message, "The security token included in the request is invalid.");
}

#[tokio::test]
async fn session_tokens_are_accepted_and_a_configured_one_must_match() {
    let db = harness::start().await;
    let session = Credentials::new(harness::ACCESS_KEY, harness::SECRET_KEY, Some("any-token".into()), None, "test");
    assert!(client_with(&db, session).list_tables().send().await.is_ok(), "no token configured: any is accepted");

    let state = Arc::new(emulator::State::default());
    let mut credentials = emulator::auth::Credentials::default();
    let credential = emulator::auth::Credential {
        session_token: Some("session-1".into()),
        ..emulator::auth::Credential::new("temporary-secret")
    };
    credentials.insert("ASIATEMPORARY", credential);
    state.verify_signatures(credentials);
    let db = harness::start_with_state(state).await;
    let right = Credentials::new("ASIATEMPORARY", "temporary-secret", Some("session-1".into()), None, "test");
    assert!(client_with(&db, right).list_tables().send().await.is_ok());
    let other = Credentials::new("ASIATEMPORARY", "temporary-secret", Some("session-2".into()), None, "test");
    let (code, message) = error_of(client_with(&db, other).list_tables().send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("UnrecognizedClientException", "The security token included in the request is invalid")
    );
}

#[tokio::test]
async fn an_unsigned_request_is_missing_its_authentication_token() {
    let db = harness::start().await;
    let headers = [("X-Amz-Target", "DynamoDB_20120810.ListTables"), ("Content-Type", "application/x-amz-json-1.0")];
    let answer = unsigned_request_to(db.address(), "POST", "/", &headers, b"{}").await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.json(),
        serde_json::json!({
            "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
            "message": "Request is missing Authentication Token"
        })
    );
    // An unknown target is answered before the signature is looked at (dynalite test/connection.js).
    let unknown = unsigned_request_to(db.address(), "POST", "/", &[("X-Amz-Target", "Nope.Nope"), JSON], b"{}").await;
    assert_eq!(unknown.json()["__type"], "com.amazonaws.dynamodb.v20120810#UnknownOperationException");
    // The same request signed is served.
    assert_eq!(raw_request_to(db.address(), "POST", "/", &headers, b"{}").await.status, 200);

    // Without verification, unsigned requests are served as before.
    let open = harness::builder().verify_signatures(false).start().await;
    assert_eq!(unsigned_request_to(open.address(), "POST", "/", &headers, b"{}").await.status, 200);
}

/// The harness's clients tell time by the emulator's clock; a client on the
/// system's clock is 20 minutes off once the emulator's clock moves.
#[tokio::test]
async fn a_clock_twenty_minutes_away_expires_the_signature() {
    let db = harness::start().await;
    db.clock().advance(Duration::from_secs(20 * 60));
    assert!(db.client().list_tables().send().await.is_ok(), "the harness's client follows the emulator's clock");

    let on_system_time = |correcting: bool| {
        let config = aws_sdk_dynamodb::config::Builder::from(&harness::sdk_config_for(db.endpoint()))
            .disable_clock_skew_correction(!correcting)
            .build();
        Client::from_conf(config)
    };
    let (code, message) = error_of(on_system_time(false).list_tables().send().await);
    assert_eq!(code, "InvalidSignatureException");
    assert!(message.starts_with("Signature expired: "), "{message}");
    assert!(message.contains(" is now earlier than ") && message.ends_with(" - 15 min.)"), "{message}");

    db.clock().advance_millis(-40 * 60 * 1000);
    let (code, message) = error_of(on_system_time(false).list_tables().send().await);
    assert_eq!(code, "InvalidSignatureException");
    assert!(message.starts_with("Signature not yet current: ") && message.ends_with(" + 15 min.)"), "{message}");

    // An SDK that corrects its clock by the response's Date header (the
    // default) retries with the emulator's time and is served, as with DynamoDB.
    assert!(on_system_time(true).list_tables().send().await.is_ok());
}

#[tokio::test]
async fn a_presigned_request_is_served() {
    let db = harness::start().await;
    let host = db.address().to_string();
    let headers = [("host", host.as_str()), ("x-amz-target", "DynamoDB_20120810.ListTables"), JSON];
    let query = harness::Signer::default().presign(
        "POST",
        &format!("http://{host}/"),
        &headers,
        b"{}",
        Duration::from_secs(300),
    );
    let path = format!("/?{query}");
    let answer = unsigned_request_to(db.address(), "POST", &path, &headers[1..], b"{}").await;
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));
    assert_eq!(answer.json(), serde_json::json!({"TableNames": []}));

    // The body is part of what was signed.
    let tampered = unsigned_request_to(db.address(), "POST", &path, &headers[1..], b"{ }").await;
    assert_eq!(tampered.json()["message"], WRONG_SECRET);
    // A presigned query beside an Authorization header is refused.
    let both = unsigned_request_to(
        db.address(),
        "POST",
        &path,
        &[headers[1], headers[2], ("Authorization", "AWS4-HMAC-SHA256 x")],
        b"{}",
    )
    .await;
    assert_eq!(
        both.json()["message"],
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
    );
}

/// `X-Amz-Expires` is signed but, as in AWS's SigV4 services other than S3,
/// does not change the 15-minute window (see `emulator::auth`).
#[tokio::test]
async fn a_presigned_request_lives_fifteen_minutes_whatever_its_expiry() {
    let db = harness::start().await;
    let host = db.address().to_string();
    let headers = [("host", host.as_str()), ("x-amz-target", "DynamoDB_20120810.ListTables"), JSON];
    let query =
        harness::Signer::default().presign("POST", &format!("http://{host}/"), &headers, b"{}", Duration::from_secs(1));
    assert!(query.contains("X-Amz-Expires=1&") || query.ends_with("X-Amz-Expires=1"), "{query}");
    let address = db.address();
    let send = |query: String| async move {
        unsigned_request_to(address, "POST", &format!("/?{query}"), &headers[1..], b"{}").await
    };
    db.clock().advance(Duration::from_secs(5 * 60));
    let later = send(query.clone()).await;
    assert_eq!(later.status, 200, "{}", String::from_utf8_lossy(&later.body));
    let stretched = send(query.replace("X-Amz-Expires=1", "X-Amz-Expires=604800")).await;
    assert_eq!(stretched.json()["message"], WRONG_SECRET, "the expiry is part of what was signed");
    db.clock().advance(Duration::from_secs(11 * 60));
    let expired = send(query).await;
    assert!(expired.json()["__type"].as_str().is_some_and(|t| t.ends_with("#InvalidSignatureException")));
    let message = expired.json()["message"].as_str().unwrap_or_default().to_string();
    assert!(message.starts_with("Signature expired: ") && message.ends_with(" - 15 min.)"), "{message}");
}

/// A compressed body is signed as sent: the signature covers the gzip bytes.
#[tokio::test]
async fn a_gzip_body_is_verified_as_sent() {
    let db = harness::start().await;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(b"{}").unwrap();
    let zipped = encoder.finish().unwrap();
    let headers = [("X-Amz-Target", "DynamoDB_20120810.ListTables"), ("Content-Encoding", "gzip"), JSON];
    let answer = raw_request_to(db.address(), "POST", "/", &headers, &zipped).await;
    assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.body));

    // Signed over the uncompressed body instead: refused.
    let host = db.address().to_string();
    let signed: Vec<(&str, &str)> = [("host", host.as_str())].into_iter().chain(headers).collect();
    let signature = harness::Signer::default().headers("POST", &format!("http://{host}/"), &signed, b"{}");
    let answer = with_signature(db.address(), &headers, &signature, &zipped).await;
    assert_eq!(answer.json()["__type"], "com.amazon.coral.service#InvalidSignatureException");
}

/// A header named in SignedHeaders but not sent, or a payload hash that is not
/// the body's, makes the signature not match.
#[tokio::test]
async fn headers_and_payload_hash_are_part_of_the_signature() {
    let db = harness::start().await;
    let host = db.address().to_string();
    let signature = harness::Signer::default().headers(
        "POST",
        &format!("http://{host}/"),
        &[("host", &host), TARGET, JSON, EXTRA],
        b"{}",
    );
    let send =
        |headers: &'static [(&'static str, &'static str)]| with_signature(db.address(), headers, &signature, b"{}");
    assert_eq!(send(&[TARGET, JSON, EXTRA]).await.status, 200);
    assert_eq!(send(&[TARGET, JSON]).await.json()["message"], WRONG_SECRET, "a signed header left out");
    assert_eq!(send(&[TARGET, JSON, EXTRA, WRONG_HASH]).await.json()["message"], WRONG_SECRET);
}

const TARGET: (&str, &str) = ("x-amz-target", "DynamoDB_20120810.ListTables");
const EXTRA: (&str, &str) = ("x-custom", "signed");
const WRONG_HASH: (&str, &str) =
    ("x-amz-content-sha256", "0000000000000000000000000000000000000000000000000000000000000000");

/// Sends `headers` and a signature computed beforehand, unchanged.
async fn with_signature(
    address: std::net::SocketAddr,
    headers: &[(&str, &str)],
    signature: &[(String, String)],
    body: &[u8],
) -> sdk_tests::RawResponse {
    let mut all = headers.to_vec();
    all.extend(signature.iter().map(|(name, value)| (name.as_str(), value.as_str())));
    unsigned_request_to(address, "POST", "/", &all, body).await
}

#[tokio::test]
async fn an_embedded_emulator_can_verify_too() {
    let db = harness::embedded();
    db.state().verify_signatures(harness::emulator_credentials());
    assert!(db.client().list_tables().send().await.is_ok());
    let config = aws_sdk_dynamodb::config::Builder::from(&db.sdk_config())
        .credentials_provider(Credentials::new(harness::ACCESS_KEY, "wrong", None, None, "test"))
        .build();
    let (code, _) = error_of(Client::from_conf(config).list_tables().send().await);
    assert_eq!(code, "InvalidSignatureException");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_aws_cli_signs_with_its_credentials() {
    let Some(cli) = tokio::task::spawn_blocking(harness::aws_cli).await.expect("install thread") else { return };
    let db = harness::start().await;
    let endpoint = db.endpoint().to_string();
    let answer = tokio::task::spawn_blocking(move || {
        let listed = cli.run(&endpoint, &["dynamodb", "list-tables"]);
        let refused = cli.run_as(&endpoint, &["dynamodb", "list-tables"], harness::ACCESS_KEY, "wrong-secret");
        let stranger = cli.run_as(&endpoint, &["dynamodb", "list-tables"], "AKIDSTRANGER", "x");
        (listed, refused, stranger)
    })
    .await
    .expect("cli thread");
    assert_eq!(answer.0.expect("list-tables with the harness's credentials"), serde_json::json!({"TableNames": []}));
    let refused = answer.1.expect_err("a wrong secret");
    assert!(refused.contains("InvalidSignatureException") && refused.contains("does not match"), "{refused}");
    let stranger = answer.2.expect_err("an unknown key");
    assert!(stranger.contains("UnrecognizedClientException"), "{stranger}");
}
