//! A mutation fuzzer for the text the server parses, on the stable toolchain:
//! the request decoder (raw and compressed bodies), every expression kind
//! (condition, filter, key condition, update, projection) and PartiQL.
//! Valid seeds are mutated at random (tokens inserted, deleted, swapped,
//! repeated thousands of times, bytes flipped, halves spliced) and played
//! through `protocol::handle`: every answer must be a 200 or a 400 with an
//! error type. A 500 (a caught panic) or a crash is a bug: the case is
//! printed, and once fixed belongs in `REGRESSIONS` below.
//!
//! `FUZZ_CASES=N` runs N cases per target (default 400, so `cargo test` stays
//! quick); `FUZZ_SEED` replays a run.

use bytes::Bytes;
use emulator::protocol;
use emulator::State;
use serde_json::{json, Value};

/// Cases that once broke something, replayed first (target, text).
const REGRESSIONS: &[(&str, &str)] = &[
    ("condition", "NOT NOT NOT NOT NOT NOT NOT NOT NOT NOT attribute_exists(a)"),
    ("update", "SET a = a + a + a + a + a + a + a + a + a + a + a"),
    ("partiql", "SELECT * FROM \"t\" WHERE ((((((((((a = 1))))))))))"),
];

const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    ".",
    ",",
    " ",
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "AND",
    "OR",
    "NOT",
    "IN",
    "BETWEEN",
    "SET",
    "REMOVE",
    "ADD",
    "DELETE",
    ":v",
    ":n",
    ":s",
    ":l",
    "#a",
    "#b",
    "a",
    "b",
    "pk",
    "sk",
    "n",
    "size(",
    "attribute_exists(",
    "attribute_not_exists(",
    "attribute_type(",
    "begins_with(",
    "contains(",
    "if_not_exists(",
    "list_append(",
    "0",
    "9999999999",
    "[0]",
    "[99999999999]",
    "\"",
    "'",
    "?",
    "*",
    "SELECT",
    "FROM",
    "WHERE",
    "INSERT",
    "INTO",
    "VALUE",
    "UPDATE",
    "<<",
    ">>",
    "{",
    "}",
    ":",
    "--",
    "/*",
    "*/",
    "é",
    "\u{0}",
    "\u{FFFF}",
];

fn seeds(target: &str) -> &'static [&'static str] {
    match target {
        "condition" => &[
            "attribute_not_exists(pk) OR n < :n",
            "size(l) > :n AND contains(s, :s) AND NOT (n BETWEEN :n AND :n)",
            "#a.b[1] IN (:n, :s) OR attribute_type(#b, :s) OR begins_with(s, :s)",
        ],
        "update" => &[
            "SET n = if_not_exists(n, :n) + :n, l = list_append(l, :l) REMOVE #a.b[0] ADD s :s DELETE t :s",
            "SET #a = :n, #b.c[2] = :s",
        ],
        "projection" => &["pk, #a.b[1].c, l[0]", "n, s, #b"],
        "key" => &["pk = :s AND sk BETWEEN :n AND :n", "pk = :s AND begins_with(sk, :s)"],
        _ => &[
            "SELECT * FROM \"ranged\" WHERE pk = 'a' AND sk > 1 ORDER BY sk DESC",
            "UPDATE \"ranged\" SET n = n + 1 SET l = list_append(l, [1, 'x']) WHERE pk = 'a' AND sk = 1",
            "INSERT INTO \"ranged\" VALUE {'pk': 'z', 'sk': 2, 'm': {'a': [1, <<'x'>>]}}",
            "DELETE FROM \"ranged\" WHERE pk = ? AND sk = ?",
        ],
    }
}

fn mutate(rng: &mut fastrand::Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..rng.usize(1..5) {
        let at = rng.usize(..=chars.len());
        match rng.u8(..7) {
            0 => chars.splice(at..at, TOKENS[rng.usize(..TOKENS.len())].chars()).for_each(drop),
            1 if !chars.is_empty() => {
                let end = (at + rng.usize(1..8)).min(chars.len());
                let start = at.min(end);
                chars.drain(start..end);
            }
            2 => {
                // A token repeated many times: nesting and operator-count limits.
                let token = TOKENS[rng.usize(..TOKENS.len())];
                let times = [10, 100, 1000, 20_000][rng.usize(..4)];
                chars.splice(at..at, token.repeat(times).chars()).for_each(drop);
            }
            3 if !chars.is_empty() => {
                let i = rng.usize(..chars.len());
                chars[i] = char::from_u32(rng.u32(..0x2FFFF)).unwrap_or('x');
            }
            4 if chars.len() > 2 => {
                let (a, b) = (rng.usize(..chars.len()), rng.usize(..chars.len()));
                chars.swap(a, b);
            }
            5 => {
                // Splice the other half of another seed in.
                let other: Vec<char> = seeds("partiql")[rng.usize(..4)].chars().collect();
                let from = rng.usize(..other.len());
                chars.splice(at..at, other[from..].iter().copied()).for_each(drop);
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

fn values() -> Value {
    json!({":v": {"S": "v"}, ":n": {"N": "1"}, ":s": {"S": "s"}, ":l": {"L": [{"N": "1"}]}})
}

fn names() -> Value {
    json!({"#a": "a", "#b": "b"})
}

/// The request that carries `text` for `target`.
fn request(target: &str, text: &str) -> (&'static str, Value) {
    let key = json!({"pk": {"S": "a"}, "sk": {"N": "1"}});
    match target {
        "condition" => (
            "PutItem",
            json!({"TableName": "ranged", "Item": key, "ConditionExpression": text, "ExpressionAttributeValues": values(), "ExpressionAttributeNames": names()}),
        ),
        "update" => (
            "UpdateItem",
            json!({"TableName": "ranged", "Key": key, "UpdateExpression": text, "ExpressionAttributeValues": values(), "ExpressionAttributeNames": names()}),
        ),
        "projection" => (
            "GetItem",
            json!({"TableName": "ranged", "Key": key, "ProjectionExpression": text, "ExpressionAttributeNames": names()}),
        ),
        "key" => (
            "Query",
            json!({"TableName": "ranged", "KeyConditionExpression": text, "FilterExpression": text, "ExpressionAttributeValues": values()}),
        ),
        _ => ("ExecuteStatement", json!({"Statement": text, "Parameters": [{"S": "a"}, {"N": "1"}]})),
    }
}

fn handle(state: &State, operation: &str, body: Bytes, encoding: Option<&str>) -> (u16, Value) {
    let mut request = http::Request::builder()
        .method("POST")
        .uri("/")
        .header("X-Amz-Target", format!("DynamoDB_20120810.{operation}"))
        .header("Content-Type", "application/x-amz-json-1.0");
    if let Some(encoding) = encoding {
        request = request.header("Content-Encoding", encoding);
    }
    let response = protocol::handle(state, request.body(body).unwrap());
    (response.status().as_u16(), serde_json::from_slice(response.body()).unwrap_or(Value::Null))
}

fn check(state: &State, operation: &str, body: Bytes, encoding: Option<&str>, what: &str) {
    let (status, answer) = handle(state, operation, body, encoding);
    // DynamoDB answers a body that does not decode under its Content-Encoding with a 500
    // "Internal server error" (see protocol::encoding); a caught panic has other words.
    let broken_coding = encoding.is_some() && status == 500 && answer["message"] == "Internal server error";
    assert!(
        status == 200 || (status == 400 || status == 413) && answer["__type"].is_string() || broken_coding,
        "{operation} answered {status} {answer}\ninput: {what}"
    );
}

fn setup() -> State {
    let state = State::default();
    let create = json!({"TableName": "ranged", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]});
    let (status, answer) = handle(&state, "CreateTable", Bytes::from(create.to_string()), None);
    assert_eq!(status, 200, "{answer}");
    let item = json!({"TableName": "ranged", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "2"}, "l": {"L": [{"N": "1"}]}, "a": {"M": {"b": {"L": [{"S": "x"}, {"S": "y"}]}}}}});
    handle(&state, "PutItem", Bytes::from(item.to_string()), None);
    state
}

fn cases() -> usize {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(400)
}

fn rng() -> fastrand::Rng {
    let seed = std::env::var("FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| fastrand::u64(..));
    println!("FUZZ_SEED={seed}");
    fastrand::Rng::with_seed(seed)
}

/// Runs on a thread with a modest stack: parsing must be bounded, not lucky.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(2 << 20).spawn(f).unwrap().join().unwrap();
}

#[test]
fn mutated_expressions_and_statements_get_dynamodb_answers() {
    on_small_stack(|| {
        let state = setup();
        for (target, text) in REGRESSIONS {
            let (operation, body) = request(target, text);
            check(&state, operation, Bytes::from(body.to_string()), None, text);
        }
        let mut rng = rng();
        for target in ["condition", "update", "projection", "key", "partiql"] {
            for _ in 0..cases() {
                let seed = seeds(target)[rng.usize(..seeds(target).len())];
                let text = mutate(&mut rng, seed);
                let (operation, body) = request(target, &text);
                check(&state, operation, Bytes::from(body.to_string()), None, &format!("{target}: {text:?}"));
            }
        }
    });
}

#[test]
fn mutated_and_compressed_bodies_get_dynamodb_answers() {
    use std::io::Write;
    on_small_stack(|| {
        let state = setup();
        let mut rng = rng();
        let seed = request("update", seeds("update")[0]).1.to_string();
        for case in 0..cases() {
            let mut bytes = seed.clone().into_bytes();
            for _ in 0..rng.usize(1..6) {
                if bytes.is_empty() {
                    break;
                }
                let at = rng.usize(..bytes.len());
                match rng.u8(..4) {
                    0 => bytes[at] = rng.u8(..),
                    1 => {
                        bytes.remove(at);
                    }
                    2 => bytes
                        .splice(at..at, [b'[', b'{', b'"', b'\\', b'1', b'e', b'9'][rng.usize(..7)].to_be_bytes())
                        .for_each(drop),
                    _ => bytes.splice(at..at, "[".repeat(rng.usize(..3000)).into_bytes()).for_each(drop),
                }
            }
            let encoding = [None, Some("gzip"), Some("deflate")][case % 3];
            let body = match encoding {
                Some("gzip") => {
                    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                    e.write_all(&bytes).unwrap();
                    let mut out = e.finish().unwrap();
                    // Sometimes the compressed stream itself is damaged.
                    if rng.bool() && !out.is_empty() {
                        let i = rng.usize(..out.len());
                        out[i] ^= 0x5a;
                    }
                    out
                }
                Some(_) => {
                    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
                    e.write_all(&bytes).unwrap();
                    e.finish().unwrap()
                }
                None => bytes.clone(),
            };
            let what = format!("{encoding:?} {:?}", String::from_utf8_lossy(&bytes));
            check(&state, "UpdateItem", Bytes::from(body), encoding, &what);
        }
    });
}
