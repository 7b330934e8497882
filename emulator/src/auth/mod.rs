//! AWS Signature Version 4 on API calls, when the emulator is given
//! credentials (`--verify-signatures`; the harness turns it on for its own
//! clients). Without credentials every request is served, as before.
//!
//! [`verify`] checks one request in DynamoDB's order and answers with its
//! errors (`com.amazon.coral.service#...`, HTTP 400). The order and words are
//! DynamoDB's as recorded in mhart/dynalite (`index.js` comments and
//! `test/connection.js`, run against DynamoDB), scylladb/scylladb
//! (`test/alternator/test_authorization.py`, also run against DynamoDB) and
//! captures of DynamoDB answers (aws/aws-sdk-js#254, a 2023 capture of
//! UnrecognizedClientException and InvalidSignatureException):
//! 1. neither an `Authorization` header starting `AWS4-` nor `X-Amz-Algorithm`
//!    in the query: `MissingAuthenticationTokenException`; both:
//!    `InvalidSignatureException` ("Found both ...");
//! 2. missing parts (`Credential`, `Signature`, `SignedHeaders`, a date):
//!    `IncompleteSignatureException` listing each;
//! 3. the date not in ISO-8601 basic format: `IncompleteSignatureException`;
//! 4. more than 15 minutes from the emulator's clock: "Signature expired" /
//!    "Signature not yet current";
//! 5. `host` not signed; an algorithm other than `AWS4-HMAC-SHA256`; a
//!    credential scope that is not `key/date/region/dynamodb/aws4_request`
//!    with the request's date;
//! 6. an unknown access key: `UnrecognizedClientException`;
//! 7. the signature: `InvalidSignatureException`;
//! 8. a session token other than the one configured for the key.
//!
//! The payload hash is always the SHA-256 of the body bytes as received (a
//! compressed body is hashed compressed, as clients sign it); an
//! `x-amz-content-sha256` header must carry that hash. A signed header the
//! request lacks is canonicalized empty, so the signature does not match.
//! Presigned requests (`X-Amz-Signature` in the query) get the same
//! 15-minute window: `X-Amz-Expires` is signed (it is part of the canonical
//! query, so changing it breaks the signature) but does not shorten or
//! lengthen the window. Only S3 honours it; AWS's other SigV4 services keep
//! presigned requests valid for 15 minutes whatever it says
//! (aws/aws-sdk-go#2167, kubernetes-sigs/aws-iam-authenticator#160 and #753
//! for STS), and nothing records DynamoDB doing otherwise.

mod credentials;
mod sigv4;

pub use credentials::{Credential, Credentials};
pub(crate) use sigv4::query_pairs;
pub use sigv4::{claimed_scope, verify, Caller, ClaimedScope};
