//! Signing hand-made requests (raw HTTP tests, other tools) with
//! `aws-sigv4`, as the SDK signs its own: the harness's emulators verify
//! signatures by default.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings};
use aws_sigv4::sign::v4;
use std::time::{Duration, SystemTime};

/// The access key the harness's SDK clients, CLI and signer use.
pub const ACCESS_KEY: &str = "AKIDEMULATOR";
/// Its secret.
pub const SECRET_KEY: &str = "emulator-secret";

/// The credentials a harness emulator accepts: [`ACCESS_KEY`] and [`SECRET_KEY`].
pub fn emulator_credentials() -> emulator::auth::Credentials {
    emulator::auth::Credentials::single(ACCESS_KEY, SECRET_KEY)
}

/// Header or query parameter names and values.
type Pairs = Vec<(String, String)>;

/// Signs requests for the `dynamodb` service with one set of credentials.
#[derive(Clone, Debug)]
pub struct Signer {
    credentials: Credentials,
    region: String,
    time: Option<SystemTime>,
}

impl Default for Signer {
    /// The harness's credentials in us-east-1, signing at the current time.
    fn default() -> Signer {
        Signer::new(ACCESS_KEY, SECRET_KEY)
    }
}

impl Signer {
    pub fn new(access_key: &str, secret_key: &str) -> Signer {
        let credentials = Credentials::new(access_key, secret_key, None, None, "harness");
        Signer { credentials, region: "us-east-1".into(), time: None }
    }

    /// Sends `x-amz-security-token` (or `X-Amz-Security-Token` when presigning).
    pub fn session_token(self, token: &str) -> Signer {
        let c = &self.credentials;
        let credentials =
            Credentials::new(c.access_key_id(), c.secret_access_key(), Some(token.into()), None, "harness");
        Signer { credentials, ..self }
    }

    pub fn region(self, region: &str) -> Signer {
        Signer { region: region.into(), ..self }
    }

    /// Signs as if at `time` (default: now).
    pub fn at(self, time: SystemTime) -> Signer {
        Signer { time: Some(time), ..self }
    }

    /// The headers to add to a request (`authorization`, `x-amz-date`, a
    /// session token) so that it carries a signature over `headers` (which
    /// must include `host`) and `body`.
    pub fn headers(&self, method: &str, uri: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<(String, String)> {
        let (headers, _) = self.sign(method, uri, headers, body, SigningSettings::default());
        headers
    }

    /// Query parameters (already encoded, `name=value&...`) that presign the
    /// request for `expires`; append them to `uri`'s query.
    pub fn presign(&self, method: &str, uri: &str, headers: &[(&str, &str)], body: &[u8], expires: Duration) -> String {
        let mut settings = SigningSettings::default();
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(expires);
        let (_, params) = self.sign(method, uri, headers, body, settings);
        params.iter().map(|(name, value)| format!("{}={}", encode(name), encode(value))).collect::<Vec<_>>().join("&")
    }

    fn sign(
        &self,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        settings: SigningSettings,
    ) -> (Pairs, Pairs) {
        let identity = self.credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("dynamodb")
            .time(self.time.unwrap_or_else(SystemTime::now))
            .settings(settings)
            .build()
            .expect("signing parameters")
            .into();
        let signable = SignableRequest::new(method, uri, headers.iter().copied(), SignableBody::Bytes(body))
            .expect("a signable request");
        let (instructions, _) = sign(signable, &params).expect("signing").into_parts();
        let (headers, params) = instructions.into_parts();
        let headers = headers.into_iter().map(|h| (h.name().to_string(), h.value().to_string())).collect();
        let params = params.into_iter().map(|(n, v)| (n.to_string(), v.into_owned())).collect();
        (headers, params)
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters, as SigV4 does.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
