//! Cross-origin requests from browsers. Off unless the server is told which
//! origins to answer (`--cors`, DynamoDB Local's `-cors`): with CORS on for
//! every origin, any web page the user visits could read and write the
//! tables. What DynamoDB itself answers (`*`, never the origin echoed; the
//! preflight's headers) is described in the module above.

use super::bare;
use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Response, StatusCode};

/// Which origins get CORS answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Cors {
    /// No CORS headers at all; a preflight is answered as a request without `Origin`.
    #[default]
    Off,
    /// Every origin, as DynamoDB answers: `Access-Control-Allow-Origin: *`.
    Any,
    /// Only these origins (`https://app.example`), each answered with itself.
    Origins(Vec<String>),
}

impl Cors {
    /// DynamoDB Local's `-cors` value: `*`, or origins separated by commas.
    pub fn parse(list: &str) -> Cors {
        let origins: Vec<String> = list
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
            .filter(|o| !o.is_empty())
            .collect();
        if origins.iter().any(|o| o == "*") {
            Cors::Any
        } else if origins.is_empty() {
            Cors::Off
        } else {
            Cors::Origins(origins)
        }
    }

    /// The `Access-Control-Allow-Origin` a request gets, if any.
    pub(super) fn allowed(&self, headers: &HeaderMap) -> Option<HeaderValue> {
        let origin = headers.get(header::ORIGIN)?;
        match self {
            Cors::Off => None,
            Cors::Any => Some(HeaderValue::from_static("*")),
            Cors::Origins(list) => {
                let text = origin.to_str().ok()?;
                list.iter().any(|o| o.eq_ignore_ascii_case(text)).then(|| origin.clone())
            }
        }
    }

    /// Adds the CORS headers to an answer; `allowed` is what [`Cors::allowed`] said.
    pub(super) fn decorate(&self, response: &mut Response<Bytes>, allowed: Option<HeaderValue>) {
        let h = response.headers_mut();
        // The answer differs by origin, so caches must keep them apart.
        if matches!(self, Cors::Origins(_)) {
            h.insert(header::VARY, HeaderValue::from_static("Origin"));
        }
        if let Some(origin) = allowed {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED_HEADERS));
        }
    }
}

/// The headers DynamoDB lets a browser read (its preflight's `Access-Control-Expose-Headers`).
const EXPOSED_HEADERS: &str = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date";

/// A CORS preflight (`OPTIONS` with an allowed `Origin`) as DynamoDB answers
/// it: an empty 200 that echoes the requested headers and method (only when
/// asked) and lets the answer be cached two days; [`Cors::decorate`] adds the
/// origin and exposed headers.
pub(super) fn preflight(headers: &HeaderMap) -> Response<Bytes> {
    let mut response = bare(StatusCode::OK, Bytes::new());
    let h = response.headers_mut();
    if let Some(requested) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned() {
        h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested);
    }
    if let Some(method) = headers.get(header::ACCESS_CONTROL_REQUEST_METHOD).cloned() {
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, method);
    }
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("172800"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_origin(origin: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ORIGIN, HeaderValue::from_str(origin).unwrap());
        headers
    }

    #[test]
    fn parses_dynamodb_locals_values() {
        assert_eq!(Cors::parse("*"), Cors::Any);
        assert_eq!(Cors::parse("https://a.example, *"), Cors::Any);
        assert_eq!(Cors::parse(""), Cors::Off);
        assert_eq!(
            Cors::parse("https://A.example/,http://localhost:3000"),
            Cors::Origins(vec!["https://a.example".into(), "http://localhost:3000".into()])
        );
    }

    #[test]
    fn only_listed_origins_are_answered_with_themselves() {
        let cors = Cors::parse("https://a.example,http://localhost:3000");
        assert_eq!(
            cors.allowed(&with_origin("https://a.example")),
            Some(HeaderValue::from_static("https://a.example"))
        );
        assert_eq!(cors.allowed(&with_origin("http://localhost:3000")).unwrap(), "http://localhost:3000");
        assert_eq!(cors.allowed(&with_origin("https://evil.example")), None);
        assert_eq!(cors.allowed(&with_origin("https://a.example.evil.example")), None);
        assert_eq!(cors.allowed(&HeaderMap::new()), None);
        assert_eq!(Cors::Any.allowed(&with_origin("https://evil.example")).unwrap(), "*");
        assert_eq!(Cors::Off.allowed(&with_origin("https://a.example")), None);
    }
}
