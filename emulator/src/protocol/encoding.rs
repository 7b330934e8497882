//! Content encodings: gzip request bodies in, gzip response bodies out.

use super::MAX_BODY_BYTES;
use crate::error::ApiError;
use bytes::Bytes;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use http::{header, HeaderMap};
use std::io::{Read, Write};

/// Undoes `Content-Encoding: gzip`, refusing bodies that inflate past the limit.
pub fn decode_body(headers: &HeaderMap, body: Bytes) -> Result<Bytes, ApiError> {
    let encoding = headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    match encoding.trim() {
        "" | "identity" => Ok(body),
        "gzip" | "x-gzip" => {
            let mut out = Vec::new();
            GzDecoder::new(&body[..])
                .take(MAX_BODY_BYTES as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|_| ApiError::serialization("Unable to decompress the request body"))?;
            if out.len() > MAX_BODY_BYTES {
                return Err(ApiError::validation(format!("Request size exceeded {MAX_BODY_BYTES} bytes")));
            }
            Ok(Bytes::from(out))
        }
        other => Err(ApiError::serialization(format!("Unsupported Content-Encoding: {other}"))),
    }
}

pub fn gzip(body: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(body.len() / 4), Compression::fast());
    encoder.write_all(body).ok()?;
    encoder.finish().ok()
}
