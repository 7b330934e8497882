//! Content encodings as DynamoDB applies them: `gzip` and `deflate` request
//! bodies in, `gzip` or `deflate` response bodies out when `Accept-Encoding`
//! asks for them.
//!
//! Sources (tests run against DynamoDB itself):
//! - scylladb/scylladb `test/alternator/test_compressed_request.py`: DynamoDB
//!   accepts `Content-Encoding: gzip` (also two gzip members concatenated, and
//!   ignores junk after a member) and `deflate` (the zlib format of RFC 9110;
//!   a second stream after the first is not read); an empty, truncated or
//!   uncompressed body under either coding, or an unknown coding, is answered
//!   500. DynamoDB does not bound the inflated size (it took 1 GB); the
//!   emulator holds the 16 MB body limit after inflating too (413).
//! - scylladb/scylladb `test/alternator/test_compressed_response.py`: responses
//!   over 4 KB are compressed with the coding `Accept-Encoding` prefers, `gzip`
//!   or `deflate` (zlib format); the quality rules are in [`response_coding`].

use super::MAX_BODY_BYTES;
use bytes::Bytes;
use flate2::write::{GzEncoder, ZlibEncoder};
use flate2::{Compression, Decompress, FlushDecompress, Status};
use http::{header, HeaderMap};
use std::io::Write;

/// DynamoDB compresses a response only when its body is over 4 KB.
pub const COMPRESSION_THRESHOLD: usize = 4096;

/// Why a request body could not be decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Not valid under its `Content-Encoding`, or an unknown coding: DynamoDB answers 500.
    Broken,
    /// Inflates past [`MAX_BODY_BYTES`].
    TooLarge,
}

/// A coding the emulator answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    Gzip,
    Deflate,
}

impl Coding {
    pub fn name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
        }
    }
}

/// Undoes the request's `Content-Encoding`, refusing bodies that inflate past the limit.
pub fn decode_body(headers: &HeaderMap, body: Bytes) -> Result<Bytes, DecodeError> {
    let Some(value) = headers.get(header::CONTENT_ENCODING) else { return Ok(body) };
    let coding = value.to_str().map_err(|_| DecodeError::Broken)?.trim();
    if coding.is_empty() || coding.eq_ignore_ascii_case("identity") {
        Ok(body)
    } else if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
        gunzip(&body).map(Bytes::from)
    } else if coding.eq_ignore_ascii_case("deflate") {
        let mut out = Vec::new();
        // Only the first zlib stream is read, as DynamoDB does: anything after it is ignored.
        inflate(Decompress::new(true), &body, &mut out)?;
        Ok(Bytes::from(out))
    } else {
        Err(DecodeError::Broken)
    }
}

/// Gzip members one after another, as Java's `GZIPInputStream` reads them: a
/// further member is read when what follows a member starts with a valid
/// gzip header; anything else after a member is ignored.
fn gunzip(mut input: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    let mut first = true;
    loop {
        let Some(header_len) = gzip_header_len(input) else {
            return if first { Err(DecodeError::Broken) } else { Ok(out) };
        };
        first = false;
        input = &input[header_len..];
        let start = out.len();
        let used = inflate(Decompress::new(false), input, &mut out)?;
        input = &input[used..];
        let trailer = input.get(..8).ok_or(DecodeError::Broken)?;
        let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        if crc != crc32fast::hash(&out[start..]) || size != (out.len() - start) as u32 {
            return Err(DecodeError::Broken);
        }
        input = &input[8..];
    }
}

/// The length of the gzip header (RFC 1952) at the start of `input`, if there is a valid one.
fn gzip_header_len(input: &[u8]) -> Option<usize> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    if input.len() < 10 || input[0] != 0x1f || input[1] != 0x8b || input[2] != 8 {
        return None;
    }
    let flags = input[3];
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let len = u16::from_le_bytes([*input.get(at)?, *input.get(at + 1)?]) as usize;
        at += 2 + len;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            at += input.get(at..)?.iter().position(|&b| b == 0)? + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    (at <= input.len()).then_some(at)
}

/// Inflates one stream from the start of `input` onto `out`, never letting
/// `out` grow past the body limit; returns how many input bytes it used. A
/// stream that ends before its end marker is broken.
fn inflate(mut inflater: Decompress, input: &[u8], out: &mut Vec<u8>) -> Result<usize, DecodeError> {
    loop {
        if out.len() > MAX_BODY_BYTES {
            return Err(DecodeError::TooLarge);
        }
        if out.len() == out.capacity() {
            // Grow geometrically, but never past one byte over the limit.
            out.reserve_exact(out.len().max(16 * 1024).min(MAX_BODY_BYTES + 1 - out.len()));
        }
        let (read, written) = (inflater.total_in(), out.len());
        let rest = input.get(read as usize..).unwrap_or_default();
        let status = inflater.decompress_vec(rest, out, FlushDecompress::None).map_err(|_| DecodeError::Broken)?;
        if status == Status::StreamEnd {
            return if out.len() > MAX_BODY_BYTES {
                Err(DecodeError::TooLarge)
            } else {
                Ok(inflater.total_in() as usize)
            };
        }
        if inflater.total_in() == read && out.len() == written {
            // No progress with room to write: the input ended inside the stream.
            return Err(DecodeError::Broken);
        }
    }
}

/// The coding a response is compressed with, from the request's
/// `Accept-Encoding` as DynamoDB reads it (scylladb/scylladb
/// `test/alternator/test_compressed_response.py`,
/// `test_compressed_response_accept_encodings`, run against DynamoDB):
/// - only the last `Accept-Encoding` header counts; codings are matched
///   case-insensitively; unknown ones (`br`, `zstd`, `x-gzip`, `"gzip"`) and
///   `identity` are ignored;
/// - a coding's quality is its first `q` parameter that parses as a number,
///   clamped to 0..=1 (`q=31` is 1, `q=-0.5` is 0, `q=0.x` is ignored, so 1);
///   a coding listed twice takes its highest quality; quality 0 refuses it;
/// - `*` gives its quality to the codings not listed;
/// - the highest quality wins; on a tie a listed coding beats one reached
///   through `*`, then the one listed first (`br, identity, deflate, gzip`
///   is answered with deflate), then gzip.
pub fn response_coding(headers: &HeaderMap) -> Option<Coding> {
    let value = headers.get_all(header::ACCEPT_ENCODING).iter().next_back()?.to_str().ok()?;
    // Per coding (gzip, deflate): (quality, position in the header).
    let mut listed: [Option<(f64, usize)>; 2] = [None, None];
    let mut wildcard: Option<f64> = None;
    for (position, entry) in value.split(',').enumerate() {
        let mut parts = entry.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let q = quality(parts);
        let slot = if name.eq_ignore_ascii_case("gzip") {
            &mut listed[0]
        } else if name.eq_ignore_ascii_case("deflate") {
            &mut listed[1]
        } else if name == "*" {
            wildcard = Some(wildcard.map_or(q, |w: f64| w.max(q)));
            continue;
        } else {
            continue;
        };
        *slot = Some(match *slot {
            Some((old, first)) => (old.max(q), first),
            None => (q, position),
        });
    }
    let mut best: Option<(Coding, (f64, bool, usize))> = None;
    for (coding, slot) in [Coding::Gzip, Coding::Deflate].into_iter().zip(listed) {
        // (quality, listed, position): a listed coding beats the wildcard at equal quality.
        let rank = match (slot, wildcard) {
            (Some((q, position)), _) => (q, true, position),
            (None, Some(q)) => (q, false, usize::MAX),
            (None, None) => continue,
        };
        if rank.0 <= 0.0 {
            continue;
        }
        let better = match &best {
            None => true,
            Some((_, (q, explicit, position))) => {
                rank.0 > *q || (rank.0 == *q && ((rank.1 && !explicit) || (rank.1 == *explicit && rank.2 < *position)))
            }
        };
        if better {
            best = Some((coding, rank));
        }
    }
    best.map(|(coding, _)| coding)
}

/// The first `q` parameter that parses, clamped to 0..=1; 1 without one.
fn quality<'a>(params: impl Iterator<Item = &'a str>) -> f64 {
    for param in params {
        let Some((key, value)) = param.split_once('=') else { continue };
        if !key.trim().eq_ignore_ascii_case("q") {
            continue;
        }
        match value.trim().parse::<f64>() {
            Ok(q) if !q.is_nan() => return q.clamp(0.0, 1.0),
            _ => continue,
        }
    }
    1.0
}

/// Compresses a response body with `coding` (`deflate` in the zlib format, as DynamoDB sends it).
pub fn compress(coding: Coding, body: &[u8]) -> Option<Vec<u8>> {
    let buffer = Vec::with_capacity(body.len() / 4);
    match coding {
        Coding::Gzip => {
            let mut encoder = GzEncoder::new(buffer, Compression::fast());
            encoder.write_all(body).ok()?;
            encoder.finish().ok()
        }
        Coding::Deflate => {
            let mut encoder = ZlibEncoder::new(buffer, Compression::fast());
            encoder.write_all(body).ok()?;
            encoder.finish().ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::{GzDecoder, ZlibDecoder};
    use std::io::Read;

    fn coding(accept: &str) -> Option<&'static str> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, accept.parse().unwrap());
        response_coding(&headers).map(Coding::name)
    }

    /// Every case of `test_compressed_response_accept_encodings`
    /// (scylladb/scylladb test/alternator/test_compressed_response.py), as DynamoDB answers them.
    #[test]
    fn accept_encoding_as_dynamodb_reads_it() {
        let cases: &[(&str, Option<&str>)] = &[
            ("identity", None),
            ("", None),
            ("br", None),
            ("zstd", None),
            ("compress", None),
            ("x-gzip", None),
            ("gzip, deflate", Some("gzip")),
            ("br, identity, deflate, gzip", Some("deflate")),
            ("GZIP, identity", Some("gzip")),
            ("dog, gzip ,, cat", Some("gzip")),
            ("gzip;q=0.8, deflate;q=0.5", Some("gzip")),
            ("br, gzip;q=0, deflate; q = 0.5 , identity;q=0", Some("deflate")),
            ("*", Some("gzip")),
            ("*, deflate;q=0.5", Some("gzip")),
            ("*, deflate", Some("deflate")),
            ("*, identity", Some("gzip")),
            ("*, gzip;q=0.5", Some("deflate")),
            ("gzip ;q=0", None),
            ("identity;q=0", None),
            ("*;q=0", None),
            ("*;q=0.5,identity", Some("gzip")),
            ("gzip;q=0.5,identity;q=0.8", Some("gzip")),
            ("br;q=0.8,identity;q=0.5,*;q=0", None),
            ("\"gzip\"", None),
            ("gzip br", None),
            ("gzip:q=1", None),
            ("deflate;q=0.5, gzip;q=31", Some("gzip")),
            ("gzip;q=31,deflate;q=51", Some("gzip")),
            ("deflate;q=0.5, gzip;q=0.2", Some("deflate")),
            ("deflate;q=0.5, gzip;q=1;q=0.2", Some("gzip")),
            ("deflate;q=0.5,gzip;q=0.", Some("deflate")),
            ("deflate;q=0.5,gzip;q=0.x", Some("gzip")),
            ("deflate;q=-0.5,gzip;q=0.2", Some("gzip")),
            ("gzip;nq=1;q=0 ", None),
            ("gzip;q=0, gzip;q=1, gzip;q=0", Some("gzip")),
            ("br,identity;q=0.5,gzip;q=0.0001", Some("gzip")),
        ];
        for (accept, expected) in cases {
            assert_eq!(coding(accept), *expected, "Accept-Encoding: {accept}");
        }
    }

    #[test]
    fn only_the_last_accept_encoding_header_counts() {
        let mut headers = HeaderMap::new();
        headers.append(header::ACCEPT_ENCODING, "identity".parse().unwrap());
        headers.append(header::ACCEPT_ENCODING, "gzip".parse().unwrap());
        assert_eq!(response_coding(&headers), Some(Coding::Gzip));
        headers.append(header::ACCEPT_ENCODING, "identity".parse().unwrap());
        assert_eq!(response_coding(&headers), None);
    }

    fn decode(coding: &str, body: &[u8]) -> Result<Vec<u8>, DecodeError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_ENCODING, coding.parse().unwrap());
        decode_body(&headers, Bytes::copy_from_slice(body)).map(|b| b.to_vec())
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        compress(Coding::Gzip, data).unwrap()
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        compress(Coding::Deflate, data).unwrap()
    }

    #[test]
    fn gzip_bodies_as_dynamodb_reads_them() {
        assert_eq!(decode("gzip", &gzip(b"{\"a\":1}")).unwrap(), b"{\"a\":1}");
        // Two members concatenated are one body.
        let two = [gzip(b"{\"a\""), gzip(b":1}")].concat();
        assert_eq!(decode("gzip", &two).unwrap(), b"{\"a\":1}");
        // Junk after a member is ignored (DynamoDB accepts it).
        let junk = [gzip(b"{}"), b"junk".to_vec()].concat();
        assert_eq!(decode("gzip", &junk).unwrap(), b"{}");
        // Empty, truncated, not compressed: broken.
        assert_eq!(decode("gzip", b""), Err(DecodeError::Broken));
        let whole = gzip(b"{\"a\":1}");
        assert_eq!(decode("gzip", &whole[..whole.len() - 1]), Err(DecodeError::Broken));
        assert_eq!(decode("gzip", b"{\"a\":1}"), Err(DecodeError::Broken));
        // A wrong checksum is broken.
        let mut corrupt = whole.clone();
        let at = corrupt.len() - 8;
        corrupt[at] ^= 1;
        assert_eq!(decode("gzip", &corrupt), Err(DecodeError::Broken));
    }

    #[test]
    fn deflate_bodies_as_dynamodb_reads_them() {
        assert_eq!(decode("deflate", &zlib(b"{\"a\":1}")).unwrap(), b"{\"a\":1}");
        // Only the first stream is read.
        let two = [zlib(b"{\"a\""), zlib(b":1}")].concat();
        assert_eq!(decode("deflate", &two).unwrap(), b"{\"a\"");
        assert_eq!(decode("deflate", b""), Err(DecodeError::Broken));
        let whole = zlib(b"{\"a\":1}");
        assert_eq!(decode("deflate", &whole[..whole.len() - 1]), Err(DecodeError::Broken));
        assert_eq!(decode("deflate", b"{\"a\":1}"), Err(DecodeError::Broken));
        assert_eq!(decode("br", &zlib(b"{}")), Err(DecodeError::Broken));
        assert_eq!(decode("identity", b"{}").unwrap(), b"{}");
    }

    #[test]
    fn inflated_size_is_bounded() {
        let exactly = vec![b' '; MAX_BODY_BYTES];
        assert_eq!(decode("gzip", &gzip(&exactly)).unwrap().len(), MAX_BODY_BYTES);
        let over = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(decode("gzip", &gzip(&over)), Err(DecodeError::TooLarge));
        assert_eq!(decode("deflate", &zlib(&over)), Err(DecodeError::TooLarge));
        // Across members too.
        let half = vec![b' '; MAX_BODY_BYTES / 2 + 1];
        let two = [gzip(&half), gzip(&half)].concat();
        assert_eq!(decode("gzip", &two), Err(DecodeError::TooLarge));
    }

    #[test]
    fn compressed_responses_round_trip() {
        let body = vec![b'x'; 10_000];
        let mut plain = Vec::new();
        GzDecoder::new(&compress(Coding::Gzip, &body).unwrap()[..]).read_to_end(&mut plain).unwrap();
        assert_eq!(plain, body);
        plain.clear();
        ZlibDecoder::new(&compress(Coding::Deflate, &body).unwrap()[..]).read_to_end(&mut plain).unwrap();
        assert_eq!(plain, body);
    }
}
