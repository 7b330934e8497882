//! Verifying one request's Signature Version 4 (see the module above for the
//! order of checks and their sources). The canonical request is rebuilt from
//! what the client says it signed (its `SignedHeaders`, in its order); key
//! derivation and the HMAC are `aws-sigv4`'s.

use super::credentials::Credentials;
use crate::error::{ApiError, ErrorKind};
use aws_sigv4::sign::v4::{calculate_signature, generate_signing_key};
use http::request::Parts;
use http::{header, HeaderMap};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};
use std::time::{Duration, UNIX_EPOCH};

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const SERVICE: &str = "dynamodb";
const TERMINATOR: &str = "aws4_request";
/// How far a request's time may be from the emulator's clock, either way.
const SKEW_MILLIS: i64 = 15 * 60 * 1000;

/// Who signed a request that verified: the key and the scope's region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub access_key: String,
    pub region: String,
}

/// The parts of a signature, from the `Authorization` header or the query string.
struct Signed {
    algorithm: String,
    credential: String,
    signed_headers: String,
    signature: String,
    date: String,
    session_token: Option<String>,
    /// Query-string signing: the canonical query leaves `X-Amz-Signature` out.
    presigned: bool,
}

/// Who a request says signed it (access key, and the credential scope's
/// region), read without verifying anything: what picks a call's namespace
/// whether or not signatures are verified. Borrowed from the `Authorization`
/// header when it has one (every request pays this, so it allocates nothing);
/// a presigned request's `X-Amz-Credential` is copied out of the query.
pub fn claimed_scope(parts: &Parts) -> Option<ClaimedScope<'_>> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let rest = &value[value.find("Credential=")? + "Credential=".len()..];
        return scope_parts(&rest[..rest.find([',', ' ']).unwrap_or(rest.len())]).map(ClaimedScope::Borrowed);
    }
    let (_, credential) = query_pairs(parts.uri.query()?).into_iter().find(|(name, _)| name == "X-Amz-Credential")?;
    let (key, region) = scope_parts(&credential)?;
    Some(ClaimedScope::Owned(key.to_string(), region.to_string()))
}

/// `AKID/DATE/REGION/SERVICE/aws4_request`: the access key and the region.
fn scope_parts(credential: &str) -> Option<(&str, &str)> {
    let mut scope = credential.split('/');
    let (key, region) = (scope.next()?, scope.nth(1)?);
    (!key.is_empty() && !region.is_empty()).then_some((key, region))
}

/// See [`claimed_scope`].
pub enum ClaimedScope<'a> {
    Borrowed((&'a str, &'a str)),
    Owned(String, String),
}

impl ClaimedScope<'_> {
    /// The access key and the region.
    pub fn parts(&self) -> (&str, &str) {
        match self {
            ClaimedScope::Borrowed(parts) => *parts,
            ClaimedScope::Owned(key, region) => (key, region),
        }
    }
}

/// Checks `parts` and the body as received (`body`, before any decompression)
/// against `credentials`, at `now_millis` on the emulator's clock.
pub fn verify(credentials: &Credentials, now_millis: i64, parts: &Parts, body: &[u8]) -> Result<Caller, ApiError> {
    let query = query_pairs(parts.uri.query().unwrap_or(""));
    let authorization = parts.headers.get(header::AUTHORIZATION).map(|v| String::from_utf8_lossy(v.as_bytes()));
    let presigned = query.iter().any(|(name, _)| name == "X-Amz-Algorithm");
    let signed = match (authorization, presigned) {
        (Some(_), true) => {
            return Err(invalid(
                "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
            ))
        }
        (None, true) => from_query(&query)?,
        (Some(value), false) if value.trim_start().starts_with("AWS4-") => from_header(&value, &parts.headers)?,
        _ => {
            return Err(ApiError::new(ErrorKind::MissingAuthenticationToken, "Request is missing Authentication Token"))
        }
    };
    let Some(request_millis) = parse_basic_date(&signed.date) else {
        return Err(incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{}'. See http://en.wikipedia.org/wiki/ISO_8601",
            signed.date
        )));
    };
    check_time(request_millis, now_millis)?;
    if !signed.signed_headers.split(';').any(|name| name.eq_ignore_ascii_case("host")) {
        return Err(invalid("'Host' must be a 'SignedHeader' in the AWS Authorization."));
    }
    if signed.algorithm != ALGORITHM {
        return Err(incomplete(format!(
            "Unsupported AWS 'algorithm': '{}' (only AWS4-HMAC-SHA256 for now). ",
            signed.algorithm
        )));
    }
    let scope = check_scope(&signed)?;
    let Some(credential) = credentials.get(scope.access_key) else {
        return Err(ApiError::new(
            ErrorKind::UnrecognizedClient,
            "The security token included in the request is invalid.",
        ));
    };
    let payload_hash = hex::encode(Sha256::digest(body));
    let claimed_hash = parts.headers.get("x-amz-content-sha256").map(|v| v.as_bytes());
    let canonical = canonical_request(parts, &signed.signed_headers, &payload_hash, signed.presigned);
    let string_to_sign = string_to_sign(&signed.date, &scope.text, &canonical);
    let day = UNIX_EPOCH + Duration::from_millis(request_millis.max(0) as u64);
    let key = generate_signing_key(&credential.secret_key, day, scope.region, SERVICE);
    let expected = calculate_signature(key, string_to_sign.as_bytes());
    let body_matches = claimed_hash.is_none_or(|claimed| claimed == payload_hash.as_bytes());
    if !(same_bytes(expected.as_bytes(), signed.signature.as_bytes()) && body_matches) {
        return Err(invalid(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret \
             Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    if let Some(required) = &credential.session_token {
        if signed.session_token.as_deref() != Some(required.as_str()) {
            // Without the trailing period: DynamoDB's wording for a bad token (dynalite index.js).
            return Err(ApiError::new(
                ErrorKind::UnrecognizedClient,
                "The security token included in the request is invalid",
            ));
        }
    }
    Ok(Caller { access_key: scope.access_key.to_string(), region: scope.region.to_string() })
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::InvalidSignature, message)
}

fn incomplete(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::IncompleteSignature, message)
}

/// `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`: the
/// parameters may be separated by commas, spaces or both.
fn from_header(value: &str, headers: &HeaderMap) -> Result<Signed, ApiError> {
    let trimmed = value.trim();
    let (algorithm, rest) = trimmed.split_once(char::is_whitespace).unwrap_or((trimmed, ""));
    let mut params = std::collections::HashMap::new();
    for part in rest.split(|c: char| c == ',' || c.is_whitespace()).filter(|p| !p.is_empty()) {
        if let Some((name, value)) = part.split_once('=') {
            params.insert(name, value);
        }
    }
    let param = |name: &str| params.get(name).filter(|v| !v.is_empty()).map(|v| v.to_string());
    let header = |name: &str| headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let date = header("x-amz-date").or_else(|| header("date"));
    let mut missing = String::new();
    for name in ["Credential", "Signature", "SignedHeaders"] {
        if param(name).is_none() {
            missing.push_str(&format!("Authorization header requires '{name}' parameter. "));
        }
    }
    if date.is_none() {
        missing.push_str("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
    }
    if !missing.is_empty() {
        return Err(incomplete(format!("{missing}Authorization={value}")));
    }
    Ok(Signed {
        algorithm: algorithm.to_string(),
        credential: param("Credential").unwrap_or_default(),
        signed_headers: param("SignedHeaders").unwrap_or_default(),
        signature: param("Signature").unwrap_or_default(),
        date: date.unwrap_or_default(),
        session_token: header("x-amz-security-token"),
        presigned: false,
    })
}

/// Presigned style: the signature's parts in the query string.
fn from_query(query: &[(String, String)]) -> Result<Signed, ApiError> {
    let param = |name: &str| query.iter().find(|(n, v)| n == name && !v.is_empty()).map(|(_, v)| v.clone());
    let required = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"];
    let missing: String = required
        .iter()
        .filter(|name| param(name).is_none())
        .map(|name| format!("AWS query-string parameters must include '{name}'. "))
        .collect();
    if !missing.is_empty() {
        return Err(incomplete(format!("{missing}Re-examine the query-string parameters.")));
    }
    let [algorithm, credential, signature, signed_headers, date] = required.map(|name| param(name).unwrap_or_default());
    Ok(Signed {
        algorithm,
        credential,
        signed_headers,
        signature,
        date,
        session_token: param("X-Amz-Security-Token"),
        presigned: true,
    })
}

fn check_time(request_millis: i64, now_millis: i64) -> Result<(), ApiError> {
    let (request, now) = (basic_date(request_millis), basic_date(now_millis));
    if request_millis < now_millis - SKEW_MILLIS {
        let earliest = basic_date(now_millis - SKEW_MILLIS);
        return Err(invalid(format!("Signature expired: {request} is now earlier than {earliest} ({now} - 15 min.)")));
    }
    if request_millis > now_millis + SKEW_MILLIS {
        let latest = basic_date(now_millis + SKEW_MILLIS);
        return Err(invalid(format!(
            "Signature not yet current: {request} is still later than {latest} ({now} + 15 min.)"
        )));
    }
    Ok(())
}

/// A credential scope that passed its checks.
struct Scope<'a> {
    access_key: &'a str,
    region: &'a str,
    /// `date/region/service/aws4_request`, as it goes into the string to sign.
    text: String,
}

fn check_scope(signed: &Signed) -> Result<Scope<'_>, ApiError> {
    // Trailing slashes are ignored (dynalite index.js).
    let pieces: Vec<&str> = signed.credential.trim_end_matches('/').split('/').collect();
    let [access_key, date, region, service, terminator] = pieces[..] else {
        return Err(incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{}'",
            signed.credential
        )));
    };
    let mut faults = Vec::new();
    let region_shaped =
        !region.is_empty() && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !region_shaped {
        faults.push(format!("Credential should be scoped to a valid region, not '{region}'."));
    }
    if service != SERVICE {
        faults.push(format!("Credential should be scoped to correct service: '{SERVICE}'."));
    }
    if terminator != TERMINATOR {
        faults
            .push(format!("Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{terminator}'."));
    }
    let request_day = signed.date.get(..8).unwrap_or("");
    if date != request_day {
        faults.push(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{date}' != \
             '{request_day}', from '{}'.",
            signed.date
        ));
    }
    if !faults.is_empty() {
        return Err(invalid(faults.join(" ")));
    }
    Ok(Scope { access_key, region, text: format!("{date}/{region}/{service}/{terminator}") })
}

/// What `aws-sigv4` and AWS leave unescaped: RFC 3986's unreserved characters.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
/// The same for a path, whose slashes stay.
const PATH_ESCAPED: &AsciiSet = &ESCAPED.remove(b'/');

/// Query parameters, decoded (`+` is a space, as `form_urlencoded` reads it);
/// the web console reads its forms' parameters with it too.
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    let decode = |s: &str| percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// The canonical request: method, path, query, the signed headers (in the
/// order the client listed them), the list itself and the payload hash.
fn canonical_request(parts: &Parts, signed_headers: &str, payload_hash: &str, presigned: bool) -> String {
    let mut text = String::with_capacity(256);
    text.push_str(parts.method.as_str());
    text.push('\n');
    // Services other than S3 sign each path segment encoded twice: the path
    // arrives encoded once, so it is encoded once more.
    text.extend(utf8_percent_encode(parts.uri.path(), PATH_ESCAPED));
    text.push('\n');
    let mut query: Vec<(String, String)> = query_pairs(parts.uri.query().unwrap_or(""))
        .into_iter()
        .filter(|(name, _)| !(presigned && name == "X-Amz-Signature"))
        .map(|(name, value)| {
            (utf8_percent_encode(&name, ESCAPED).to_string(), utf8_percent_encode(&value, ESCAPED).to_string())
        })
        .collect();
    query.sort();
    let query: Vec<String> = query.into_iter().map(|(name, value)| format!("{name}={value}")).collect();
    text.push_str(&query.join("&"));
    text.push('\n');
    for name in signed_headers.split(';') {
        text.push_str(name);
        text.push(':');
        write_header_value(&mut text, parts, name);
        text.push('\n');
    }
    text.push('\n');
    text.push_str(signed_headers);
    text.push('\n');
    text.push_str(payload_hash);
    text
}

/// A header's canonical value: every value trimmed, runs of spaces made one,
/// joined by commas. `host` falls back on the URI's authority (in-process
/// transports send no Host header; the client signed the endpoint's).
/// Written in place: this runs for every signed header of every request.
fn write_header_value(text: &mut String, parts: &Parts, name: &str) {
    let mut values = parts.headers.get_all(name).iter().peekable();
    if values.peek().is_none() && name.eq_ignore_ascii_case("host") {
        if let Some(authority) = parts.uri.authority() {
            text.push_str(authority.as_str());
        }
        return;
    }
    for (i, value) in values.enumerate() {
        if i > 0 {
            text.push(',');
        }
        for (j, word) in String::from_utf8_lossy(value.as_bytes()).split_whitespace().enumerate() {
            if j > 0 {
                text.push(' ');
            }
            text.push_str(word);
        }
    }
}

fn string_to_sign(date: &str, scope: &str, canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{date}\n{scope}\n{}", hex::encode(Sha256::digest(canonical_request.as_bytes())))
}

/// Compares in time independent of where the first difference is, so the
/// answer's timing tells nothing about the expected signature.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `20150830T123600Z` to milliseconds since the epoch.
fn parse_basic_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = text.get(range)?;
        digits.bytes().all(|c| c.is_ascii_digit()).then(|| digits.parse().ok())?
    };
    let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
    let (hour, minute, second) = (number(9..11)?, number(11..13)?, number(13..15)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000)
}

/// Milliseconds since the epoch as `20150830T123600Z`.
fn basic_date(millis: i64) -> String {
    let (days, ms_of_day) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    let (y, m, d) = crate::clock::civil_from_days(days);
    let (h, min, s) = (ms_of_day / 3_600_000, ms_of_day / 60_000 % 60, ms_of_day / 1000 % 60);
    format!("{y:04}{m:02}{d:02}T{h:02}{min:02}{s:02}Z")
}

/// A (year, month, day) date (proleptic Gregorian) to days since 1970-01-01.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Credential;

    /// The AWS SigV4 test suite's credentials and time (aws-sig-v4-test-suite,
    /// as shipped in the aws-sigv4 crate's `aws-signing-test-suite/v4`).
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const DATE: &str = "20150830T123600Z";
    const SCOPE: &str = "20150830/us-east-1/service/aws4_request";
    const EMPTY_HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn parts(method: &str, uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut builder = http::Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap().into_parts().0
    }

    fn suite_signature(canonical: &str) -> String {
        let day = UNIX_EPOCH + Duration::from_millis(parse_basic_date(DATE).unwrap() as u64);
        let key = generate_signing_key(SECRET, day, "us-east-1", "service");
        calculate_signature(key, string_to_sign(DATE, SCOPE, canonical).as_bytes())
    }

    #[test]
    fn get_vanilla_matches_the_test_suite() {
        let request = parts("GET", "/", &[("host", "example.amazonaws.com"), ("x-amz-date", DATE)]);
        let canonical = canonical_request(&request, "host;x-amz-date", EMPTY_HASH, false);
        assert_eq!(
            canonical,
            format!("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:{DATE}\n\nhost;x-amz-date\n{EMPTY_HASH}")
        );
        assert_eq!(
            hex::encode(Sha256::digest(canonical.as_bytes())),
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
        );
        assert_eq!(suite_signature(&canonical), "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    }

    #[test]
    fn query_order_and_trimmed_header_values_match_the_test_suite() {
        let request =
            parts("GET", "/?Param2=value2&Param1=value1", &[("host", "example.amazonaws.com"), ("x-amz-date", DATE)]);
        let canonical = canonical_request(&request, "host;x-amz-date", EMPTY_HASH, false);
        assert!(canonical.starts_with("GET\n/\nParam1=value1&Param2=value2\n"), "{canonical}");
        assert_eq!(suite_signature(&canonical), "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");

        let request = parts(
            "GET",
            "/",
            &[
                ("host", "example.amazonaws.com"),
                ("my-header1", " value1"),
                ("my-header2", "\"a   b   c\""),
                ("x-amz-date", DATE),
            ],
        );
        let canonical = canonical_request(&request, "host;my-header1;my-header2;x-amz-date", EMPTY_HASH, false);
        assert!(canonical.contains("my-header1:value1\nmy-header2:\"a b c\"\n"), "{canonical}");
        assert_eq!(suite_signature(&canonical), "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
    }

    #[test]
    fn a_body_is_hashed_as_received() {
        let body_hash = hex::encode(Sha256::digest(b"Param1=value1"));
        assert_eq!(body_hash, "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
        let request = parts(
            "POST",
            "/",
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("host", "example.amazonaws.com"),
                ("content-length", "13"),
                ("x-amz-content-sha256", &body_hash),
                ("x-amz-date", DATE),
            ],
        );
        let signed = "content-length;content-type;host;x-amz-content-sha256;x-amz-date";
        let canonical = canonical_request(&request, signed, &body_hash, false);
        assert_eq!(suite_signature(&canonical), "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b");
    }

    fn dynamodb_request(authorization: &str, date: &str) -> Parts {
        parts("POST", "/", &[("host", "localhost"), ("x-amz-date", date), ("authorization", authorization)])
    }

    fn message(result: Result<Caller, ApiError>) -> (ErrorKind, String) {
        let error = result.unwrap_err();
        (error.kind, error.message)
    }

    #[test]
    fn malformed_signatures_get_dynamodbs_answers() {
        let credentials = Credentials::single("AKID", "secret");
        let now = parse_basic_date("20130609T100015Z").unwrap();
        let check = |authorization: &str, date: &str| {
            message(verify(&credentials, now, &dynamodb_request(authorization, date), b""))
        };

        let (kind, text) = check("AWS4- Signature=b Credential=a", "20130609T100015Z");
        assert_eq!(kind, ErrorKind::IncompleteSignature);
        assert_eq!(
            text,
            "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b Credential=a"
        );

        let (kind, text) = check("AWS4-HMAC-SHA256 Credential=a, SignedHeaders=host, Signature=b", "201");
        assert_eq!(
            (kind, text.as_str()),
            (
                ErrorKind::IncompleteSignature,
                "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601"
            )
        );

        // dynalite index.js: "Signature expired: 20130301T000000Z is now earlier than 20130609T094515Z (20130609T100015Z - 15 min.)"
        let (kind, text) = check("AWS4-HMAC-SHA256 Credential=a, SignedHeaders=host, Signature=b", "20130301T000000Z");
        assert_eq!(kind, ErrorKind::InvalidSignature);
        assert_eq!(
            text,
            "Signature expired: 20130301T000000Z is now earlier than 20130609T094515Z (20130609T100015Z - 15 min.)"
        );
        let (_, text) = check("AWS4-HMAC-SHA256 Credential=a, SignedHeaders=host, Signature=b", "20130609T102000Z");
        assert_eq!(text, "Signature not yet current: 20130609T102000Z is still later than 20130609T101515Z (20130609T100015Z + 15 min.)");

        let (_, text) =
            check("AWS4-HMAC-SHA256 Credential=a, SignedHeaders=x-amz-date, Signature=b", "20130609T100015Z");
        assert_eq!(text, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
        let (kind, text) = check("AWS4-HMAC-SHA25 Credential=a, SignedHeaders=host, Signature=b", "20130609T100015Z");
        assert_eq!(
            (kind, text.as_str()),
            (
                ErrorKind::IncompleteSignature,
                "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). "
            )
        );
        let (_, text) =
            check("AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host, Signature=b", "20130609T100015Z");
        assert_eq!(text, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'");
        let (kind, text) =
            check("AWS4-HMAC-SHA256 Credential=a/b/C/d/e/, SignedHeaders=host, Signature=b", "20130609T095204Z");
        assert_eq!(kind, ErrorKind::InvalidSignature);
        assert_eq!(
            text,
            "Credential should be scoped to a valid region, not 'C'. Credential should be scoped to correct service: \
             'dynamodb'. Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. Date in Credential \
             scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20130609', from '20130609T095204Z'."
        );
        let (kind, text) = check(
            "AWS4-HMAC-SHA256 Credential=NOPE/20130609/us-east-1/dynamodb/aws4_request,SignedHeaders=host,Signature=b",
            "20130609T100015Z",
        );
        assert_eq!(
            (kind, text.as_str()),
            (ErrorKind::UnrecognizedClient, "The security token included in the request is invalid.")
        );
        let (kind, _) = check("AWS4-HMAC-SHA256 Credential=AKID/20130609/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=b", "20130609T100015Z");
        assert_eq!(kind, ErrorKind::InvalidSignature);
    }

    #[test]
    fn missing_or_doubled_signatures() {
        let credentials = Credentials::single("AKID", "secret");
        let check = |uri: &str, authorization: Option<&str>| {
            let mut request = parts("POST", uri, &[("host", "localhost")]);
            if let Some(value) = authorization {
                request.headers.insert(header::AUTHORIZATION, value.parse().unwrap());
            }
            message(verify(&credentials, 0, &request, b""))
        };
        assert_eq!(
            check("/", None),
            (ErrorKind::MissingAuthenticationToken, "Request is missing Authentication Token".into())
        );
        assert_eq!(check("/", Some("AWS4")).0, ErrorKind::MissingAuthenticationToken);
        assert_eq!(check("/?X-Amz-Algorith", Some("X")).0, ErrorKind::MissingAuthenticationToken);
        assert_eq!(
            check("/?X-Amz-Algorithm", Some("X")).1,
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
        );
        assert_eq!(
            check("/?X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d", None),
            (
                ErrorKind::IncompleteSignature,
                "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.".into()
            )
        );
    }

    #[test]
    fn a_correct_signature_verifies_and_a_configured_token_must_match() {
        let mut credentials = Credentials::single("AKID", "secret");
        let date = "20130609T100015Z";
        let now = parse_basic_date(date).unwrap();
        let scope = "20130609/eu-west-1/dynamodb/aws4_request";
        let sign = |credentials: &Credentials, token: Option<&str>| {
            let mut request = parts("POST", "/", &[("host", "localhost"), ("x-amz-date", date)]);
            if let Some(token) = token {
                request.headers.insert("x-amz-security-token", token.parse().unwrap());
            }
            let canonical = canonical_request(&request, "host;x-amz-date", &hex::encode(Sha256::digest(b"{}")), false);
            let day = UNIX_EPOCH + Duration::from_millis(now as u64);
            let signature = calculate_signature(
                generate_signing_key("secret", day, "eu-west-1", "dynamodb"),
                string_to_sign(date, scope, &canonical).as_bytes(),
            );
            let authorization = format!(
                "AWS4-HMAC-SHA256 Credential=AKID/{scope}, SignedHeaders=host;x-amz-date, Signature={signature}"
            );
            request.headers.insert(header::AUTHORIZATION, authorization.parse().unwrap());
            verify(credentials, now, &request, b"{}")
        };
        assert_eq!(sign(&credentials, None).unwrap(), Caller { access_key: "AKID".into(), region: "eu-west-1".into() });
        assert!(sign(&credentials, Some("any")).is_ok(), "no token configured: any is accepted");
        credentials.insert("AKID", Credential { session_token: Some("tok".into()), ..Credential::new("secret") });
        assert!(sign(&credentials, Some("tok")).is_ok());
        let (kind, text) = message(sign(&credentials, Some("other")));
        assert_eq!(
            (kind, text.as_str()),
            (ErrorKind::UnrecognizedClient, "The security token included in the request is invalid")
        );
    }

    #[test]
    fn basic_dates_round_trip() {
        for text in ["20150830T123600Z", "19700101T000000Z", "20240229T235959Z", "30200101T010101Z"] {
            assert_eq!(basic_date(parse_basic_date(text).unwrap()), text);
        }
        for bad in
            ["2015083T123600Z", "20151330T123600Z", "20150830 123600Z", "2015-08-30T12:36:00Z", "+0150830T123600Z"]
        {
            assert_eq!(parse_basic_date(bad), None, "{bad}");
        }
    }
}
