//! What ImportTable reads: the objects under a key prefix of the directory
//! standing for S3, decompressed (GZIP, ZSTD or NONE), and their items in
//! DynamoDB JSON (`{"Item": {...}}` a line), Ion (`{Item: {...}}` values) or
//! CSV (developer guide, "Import format quotas and validation": a header row
//! or `HeaderList`; every value a string except the attributes the
//! table's AttributeDefinitions type, which are numbers or base64 binary as
//! defined; empty values left out).
//!
//! Each item is wire JSON for `item_from_json`, so it is checked as a
//! PutItem's item is; one that fails is reported with its line.

use crate::types::ion;
use crate::types::ScalarType;
use serde_json::{json, Map, Value};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The most a decompressed object may hold (a guard against decompression bombs).
const MAX_OBJECT_BYTES: u64 = 256 * 1024 * 1024;
/// Directories deeper than this under a bucket are not searched.
const MAX_DIRECTORY_DEPTH: usize = 32;

#[derive(Clone, Copy, PartialEq)]
pub enum Compression {
    Gzip,
    Zstd,
    None,
}

/// One object: its key and its file.
pub struct Object {
    pub key: String,
    pub path: PathBuf,
}

/// Every object of `bucket_dir` whose key starts with `prefix`, in key
/// order; an export's manifests, checksums and `_started` marker are not data.
pub fn objects(bucket_dir: &Path, prefix: &str) -> Vec<Object> {
    let mut found = Vec::new();
    // Only the directory the prefix's last '/' names can hold matching keys.
    let dir_key = prefix.rfind('/').map_or("", |i| &prefix[..i]);
    let start = dir_key.split('/').filter(|s| !s.is_empty()).fold(bucket_dir.to_path_buf(), |p, s| p.join(s));
    walk(&start, dir_key.trim_matches('/'), 0, &mut found);
    found.retain(|o: &Object| {
        let name = o.key.rsplit('/').next().unwrap_or_default();
        o.key.starts_with(prefix)
            && name != "_started"
            && !name.starts_with("manifest-")
            && !name.ends_with(".checksum")
    });
    found.sort_by(|a, b| a.key.cmp(&b.key));
    found
}

fn walk(dir: &Path, key: &str, depth: usize, found: &mut Vec<Object>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        let name = entry.file_name().to_string_lossy().into_owned();
        let child = if key.is_empty() { name } else { format!("{key}/{name}") };
        if kind.is_dir() && depth < MAX_DIRECTORY_DEPTH {
            walk(&entry.path(), &child, depth + 1, found);
        } else if kind.is_file() {
            found.push(Object { key: child, path: entry.path() });
        }
    }
}

/// An object's bytes as its compression type says.
pub fn decompress(bytes: &[u8], compression: Compression) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match compression {
        Compression::None => return Ok(bytes.to_vec()),
        Compression::Gzip => {
            let decoder = flate2::read::MultiGzDecoder::new(bytes);
            decoder.take(MAX_OBJECT_BYTES + 1).read_to_end(&mut out).map_err(|e| format!("not GZIP data: {e}"))?;
        }
        Compression::Zstd => {
            // One frame after another, as `zstd` concatenates them.
            let mut rest = bytes;
            while !rest.is_empty() && (out.len() as u64) <= MAX_OBJECT_BYTES {
                let decoder =
                    ruzstd::decoding::StreamingDecoder::new(&mut rest).map_err(|e| format!("not ZSTD data: {e}"))?;
                let limit = MAX_OBJECT_BYTES + 1 - out.len() as u64;
                decoder.take(limit).read_to_end(&mut out).map_err(|e| format!("not ZSTD data: {e}"))?;
            }
        }
    }
    if out.len() as u64 > MAX_OBJECT_BYTES {
        return Err(format!("decompressed object larger than {MAX_OBJECT_BYTES} bytes"));
    }
    Ok(out)
}

/// An item read from an object (its wire JSON) or why its line could not be read.
pub type LineItem = (usize, Result<Value, String>);

/// DynamoDB JSON: one `{"Item": {...}}` a line (blank lines skipped).
pub fn dynamodb_json_items(text: &str) -> Vec<LineItem> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let item = serde_json::from_str::<Value>(line).map_err(|e| format!("invalid JSON: {e}")).and_then(|v| {
                v.get("Item").filter(|i| i.is_object()).cloned().ok_or_else(|| "no \"Item\" object".into())
            });
            (i + 1, item)
        })
        .collect()
}

/// Ion: `{Item: {...}}` values; the rest of an object after a syntax error is lost.
pub fn ion_items(text: &str) -> Vec<LineItem> {
    ion::values(text)
        .map(|read| match read {
            Ok((line, value)) => {
                let item = ion::item_of(&value).map(|m| Value::Object(m.clone()));
                (line, item.ok_or_else(|| "no Item struct".to_string()))
            }
            Err(e) => (0, Err(e)),
        })
        .collect()
}

/// CSV: the header (`headers`, or the first record), then an item a record.
/// `typed`: the attributes the table defines, with their types.
pub fn csv_items(
    text: &str,
    delimiter: char,
    headers: Option<&[String]>,
    typed: &[(String, ScalarType)],
) -> Vec<LineItem> {
    let mut records = csv_records(text, delimiter).into_iter();
    let header: Vec<String> = match headers {
        Some(h) => h.to_vec(),
        None => match records.next() {
            Some((_, Ok(fields))) => fields,
            Some((line, Err(e))) => return vec![(line, Err(e))],
            None => return Vec::new(),
        },
    };
    records
        .map(|(line, record)| {
            let item = record.and_then(|fields| {
                if fields.len() > header.len() {
                    return Err(format!("{} values for {} columns", fields.len(), header.len()));
                }
                let mut item = Map::new();
                for (name, value) in header.iter().zip(fields).filter(|(_, v)| !v.is_empty()) {
                    let kind = typed.iter().find(|(n, _)| n == name).map_or(ScalarType::S, |(_, k)| *k);
                    item.insert(name.clone(), json!({ kind.as_str(): value }));
                }
                Ok(Value::Object(item))
            });
            (line, item)
        })
        .collect()
}

/// RFC 4180 records: fields split by `delimiter`, `"quoted"` fields may hold
/// delimiters, newlines and `""`; blank lines skipped. Each record with the
/// line it starts on; an unterminated quote ends the object.
fn csv_records(text: &str, delimiter: char) -> Vec<(usize, Result<Vec<String>, String>)> {
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted_field = false;
        loop {
            match chars.next() {
                None => break,
                Some('"') if field.is_empty() && !quoted_field => {
                    quoted_field = true;
                    let mut closed = false;
                    while let Some(c) = chars.next() {
                        match c {
                            '"' if chars.peek() == Some(&'"') => {
                                chars.next();
                                field.push('"');
                            }
                            '"' => {
                                closed = true;
                                break;
                            }
                            '\n' => {
                                line += 1;
                                field.push(c);
                            }
                            c => field.push(c),
                        }
                    }
                    if !closed {
                        records.push((start, Err("unterminated quoted value".to_string())));
                        return records;
                    }
                }
                Some(c) if c == delimiter => {
                    fields.push(std::mem::take(&mut field));
                    quoted_field = false;
                }
                Some('\r') if chars.peek() == Some(&'\n') => {}
                Some('\n') => {
                    line += 1;
                    break;
                }
                Some(c) => field.push(c),
            }
        }
        if fields.is_empty() && field.is_empty() && !quoted_field {
            continue;
        }
        fields.push(field);
        records.push((start, Ok(fields)));
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_delimiters_and_types() {
        let text = "pk,n,note\r\n\"a,1\",5,\"say \"\"hi\"\"\nthere\"\n\nb,,x\n";
        let typed = [("n".to_string(), ScalarType::N)];
        let items = csv_items(text, ',', None, &typed);
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[0].1.as_ref().unwrap(),
            &json!({"pk": {"S": "a,1"}, "n": {"N": "5"}, "note": {"S": "say \"hi\"\nthere"}})
        );
        assert_eq!((items[1].0, items[1].1.as_ref().unwrap()), (5, &json!({"pk": {"S": "b"}, "note": {"S": "x"}})));
        let headers = ["a".to_string()];
        assert!(csv_items("1,2\n", ';', Some(&headers), &[])[0].1.is_ok());
        assert!(csv_items("1,2\n", ',', Some(&headers), &[])[0].1.is_err());
        assert!(csv_items("h\n\"open\n", ',', None, &[])[0].1.is_err());
    }

    proptest::proptest! {
        /// Any text reads to items or errors, never a panic.
        #[test]
        fn any_csv_reads_or_fails(text in "[a-z0-9,;\"\r\n ]{0,60}") {
            let _ = csv_items(&text, ',', None, &[("a".to_string(), ScalarType::N)]);
            let _ = dynamodb_json_items(&text);
        }
    }

    #[test]
    fn compressed_objects_read_back() {
        let text = b"{\"Item\":{\"pk\":{\"S\":\"a\"}}}\n".repeat(100);
        let zstd = ruzstd::encoding::compress_to_vec(&text[..], ruzstd::encoding::CompressionLevel::Fastest);
        assert_eq!(decompress(&zstd, Compression::Zstd).unwrap(), text);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &text).unwrap();
        assert_eq!(decompress(&gz.finish().unwrap(), Compression::Gzip).unwrap(), text);
        assert!(decompress(b"not compressed", Compression::Gzip).is_err());
        assert!(decompress(b"not compressed", Compression::Zstd).is_err());
    }
}
