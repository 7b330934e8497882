//! The parser and evaluator against DynamoDB's answers (messages observed
//! on DynamoDB Local 3.3.1 for the same inputs).

use super::*;
use crate::types::{item_from_json, Item, Number};
use serde_json::{json, Value};

fn attrs(values: Value, names: Value) -> ExpressionAttributes {
    let values = (!values.is_null()).then(|| item_from_json(&values).unwrap());
    let names =
        names.as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect());
    ExpressionAttributes::new(names, values)
}

fn condition_message(src: &str, values: Value, names: Value) -> String {
    let mut a = attrs(values, names);
    a.validate(true)
        .and_then(|_| parse_condition(ExpressionKind::Condition, src, &mut a))
        .and_then(|_| a.check_all_used())
        .expect_err(src)
        .message
}

#[test]
fn invalid_conditions_get_dynamodb_messages() {
    let n = Value::Null;
    let cases: Vec<(&str, Value, Value, &str)> = vec![
        ("a = = b", n.clone(), n.clone(), "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= = b\""),
        ("status = b", n.clone(), n.clone(), "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
        ("a.status = b", n.clone(), n.clone(), "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
        ("status = b c", n.clone(), n.clone(), "Invalid ConditionExpression: Syntax error; token: \"c\", near: \"b c\""),
        ("a = :v", n.clone(), n.clone(), "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v"),
        ("a = #n", n.clone(), n.clone(), "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #n"),
        ("a = :zz AND #x = b", n.clone(), n.clone(), "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :zz"),
        ("#x = :zz", n.clone(), n.clone(), "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"),
        ("a = b", json!({":v": {"S": "x"}}), n.clone(), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"),
        ("a = b", n.clone(), json!({"#n": "x"}), "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}"),
        ("", n.clone(), n.clone(), "Invalid ConditionExpression: The expression can not be empty;"),
        ("  ", n.clone(), n.clone(), "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"  \""),
        ("((a = b))", n.clone(), n.clone(), "Invalid ConditionExpression: The expression has redundant parentheses;"),
        ("foo(a)", n.clone(), n.clone(), "Invalid ConditionExpression: Invalid function name; function: foo"),
        ("ATTRIBUTE_EXISTS(a)", n.clone(), n.clone(), "Invalid ConditionExpression: Invalid function name; function: ATTRIBUTE_EXISTS"),
        ("attribute_exists(a, b)", n.clone(), n.clone(), "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"),
        ("contains(a)", n.clone(), n.clone(), "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: contains, number of operands: 1"),
        ("size(a)", n.clone(), n.clone(), "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"),
        ("begins_with(a, :v)", json!({":v": {"N": "1"}}), n.clone(), "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
        ("attribute_exists(:v)", json!({":v": {"N": "1"}}), n.clone(), "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists"),
        ("a = b AND attribute_exists(size(a))", n.clone(), n.clone(), "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists"),
        ("a BETWEEN :a AND :b", json!({":a": {"N": "5"}, ":b": {"N": "1"}}), n.clone(), "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"),
        ("a BETWEEN :a AND :b", json!({":a": {"N": "1.5E+3"}, ":b": {"N": "-7.50"}}), n.clone(), "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:1.5E+3}, upper bound operand: AttributeValue: {N:-7.50}"),
        ("a BETWEEN :a AND :b", json!({":a": {"S": "b"}, ":b": {"N": "1"}}), n.clone(), "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {N:1}"),
        ("a[2147483648] = b", n.clone(), n.clone(), "Invalid ConditionExpression: List index is not within the allowable range; index: [2147483648]"),
        ("a[99999999999999999999999] = b", n.clone(), n.clone(), "Invalid ConditionExpression: List index is not within the allowable range; index: [99999999999999999999999]"),
        ("a < :v", json!({":v": {"BOOL": true}}), n.clone(), "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"),
        ("a < :v", json!({":v": {"SS": ["x"]}}), n.clone(), "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: SS"),
        ("attribute_type(a, :v)", json!({":v": {"S": "X"}}), n.clone(), "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}"),
        ("attribute_type(a, :v)", json!({":v": {"N": "1"}}), n.clone(), "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"),
        ("size(:v) > a", json!({":v": {"N": "1"}}), n.clone(), "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"),
        ("a = :v", json!({"v": {"S": "x"}}), n.clone(), "ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\""),
        ("a = b", json!({}), n.clone(), "ExpressionAttributeValues must not be empty"),
        ("a = b", n.clone(), json!({}), "ExpressionAttributeNames must not be empty"),
        ("a = #n.c", n.clone(), json!({"#n": ""}), "ExpressionAttributeNames contains invalid value: Empty attribute name for key #n"),
    ];
    for (src, values, names, expected) in cases {
        assert_eq!(condition_message(src, values, names), expected, "{src}");
    }
}

#[test]
fn limits_get_dynamodb_messages() {
    let deep = (0..33).map(|i| format!("a{i}")).collect::<Vec<_>>().join(".");
    assert_eq!(
        condition_message(&format!("{deep} = b"), Value::Null, Value::Null),
        "Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33"
    );
    let in_list = format!("a IN ({})", vec!["b"; 101].join(","));
    assert_eq!(
        condition_message(&in_list, Value::Null, Value::Null),
        "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101"
    );
    let many = vec!["a = b"; 301].join(" AND ");
    assert_eq!(
        condition_message(&many, Value::Null, Value::Null),
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
    );
    let big = format!("a = {}", "b".repeat(5000));
    assert_eq!(
        condition_message(&big, Value::Null, Value::Null),
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 5004"
    );
    let parens = format!("{}a = b{}", "(".repeat(1000), ")".repeat(1000));
    assert_eq!(
        condition_message(&parens, Value::Null, Value::Null),
        "Invalid ConditionExpression: The expression has redundant parentheses;"
    );
    let nots = format!("{}a = b", "NOT ".repeat(1000));
    assert_eq!(
        condition_message(&nots, Value::Null, Value::Null),
        "Invalid ConditionExpression: The expression contains too many operators; operator count: 301"
    );
}

fn update_message(src: &str, values: Value) -> String {
    let mut a = attrs(values, Value::Null);
    parse_update(src, &mut a).and_then(|_| a.check_all_used()).expect_err(src).message
}

#[test]
fn invalid_updates_get_dynamodb_messages() {
    let one = json!({":v": {"N": "1"}});
    let cases: Vec<(&str, Value, &str)> = vec![
        ("SET a = :v, a.b = :v", one.clone(), "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"),
        ("SET a.b = :v REMOVE a", one.clone(), "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]"),
        ("SET a[1] = :v REMOVE a.b", one.clone(), "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [1]], path two: [a, b]"),
        ("SET a[1] = :v, a[1].b = :v", one.clone(), "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, [1]], path two: [a, [1], b]"),
        ("REMOVE a, a", Value::Null, "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"),
        ("SET a = :v ADD a :v", one.clone(), "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"),
        ("SET a = :v SET b = :v", one.clone(), "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;"),
        ("SET n = n + :v", json!({":v": {"S": "1"}}), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"),
        ("SET a = :v - b", json!({":v": {"BOOL": true}}), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: BOOL"),
        ("ADD n :v", json!({":v": {"S": "1"}}), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"),
        ("ADD q :v", json!({":v": {"BOOL": true}}), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: BOOLEAN, typeSet: ALLOWED_FOR_ADD_OPERAND"),
        ("ADD q :v", json!({":v": {"M": {}}}), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND"),
        ("DELETE ss :v", json!({":v": {"S": "1"}}), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: STRING, typeSet: ALLOWED_FOR_DELETE_OPERAND"),
        ("DELETE q :v", one.clone(), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"),
        ("SET a = list_append(l, :v)", json!({":v": {"S": "1"}}), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S"),
        ("SET a = size(l)", Value::Null, "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"),
        ("SET a = attribute_exists(l)", Value::Null, "Invalid UpdateExpression: The function is not allowed in an update expression; function: attribute_exists"),
        ("SET a = if_not_exists(:v, l)", one.clone(), "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"),
        ("SET a = :v + :v + :v", one.clone(), "Invalid UpdateExpression: Syntax error; token: \"+\", near: \":v + :v\""),
        ("REMOVE :v", one.clone(), "Invalid UpdateExpression: Syntax error; token: \":v\", near: \"REMOVE :v\""),
        ("", Value::Null, "Invalid UpdateExpression: The expression can not be empty;"),
        ("SET", Value::Null, "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"SET\""),
    ];
    for (src, values, expected) in cases {
        assert_eq!(update_message(src, values), expected, "{src}");
    }
}

fn item(v: Value) -> Item {
    item_from_json(&v).unwrap()
}

fn check(src: &str, values: Value, target: &Item) -> bool {
    let mut a = attrs(values, json!({"#s": "status"}));
    let c = parse_condition(ExpressionKind::Filter, src, &mut a).expect(src);
    eval::evaluate(&c, Some(target))
}

#[test]
fn conditions_evaluate_like_dynamodb() {
    let it = item(json!({
        "pk": {"S": "u1"}, "n": {"N": "10"}, "s": {"S": "héllo"}, "status": {"S": "ACTIVE"},
        "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "l": {"L": [{"N": "1"}, {"S": "x"}, {"M": {"k": {"S": "v"}}}]},
        "m": {"M": {"qty": {"N": "3"}, "tags": {"L": [{"S": "y"}]}}}, "b": {"B": "AAEC"}, "t": {"BOOL": true}, "e": {"S": "a😀b"}
    }));
    let v = json!({
        ":ten": {"N": "10.0"}, ":nine": {"N": "9"}, ":s": {"S": "hé"}, ":a": {"S": "a"}, ":x": {"S": "x"},
        ":ss": {"SS": ["b", "a"]}, ":active": {"S": "ACTIVE"}, ":l": {"L": [{"N": "1"}, {"S": "x"}, {"M": {"k": {"S": "v"}}}]},
        ":S": {"S": "S"}, ":five": {"N": "5"}, ":bin": {"B": "AAE="}, ":one": {"N": "1"}, ":three": {"N": "3"}, ":four": {"N": "4"}
    });
    let truths = [
        "n = :ten",
        "n > :nine AND n >= :ten",
        "NOT n < :ten",
        "n <> :nine",
        "n BETWEEN :nine AND :ten",
        "n IN (:nine, :ten)",
        "begins_with(s, :s)",
        "contains(ss, :a)",
        "contains(s, :s)",
        "contains(l, :x)",
        "ss = :ss",
        "#s = :active",
        "l = :l",
        "attribute_type(s, :S)",
        "size(s) = :five",
        "size(l) = :three",
        "m.qty = :three",
        "l[0] = :one",
        "l[2].k = :v0 OR l[1] = :x",
        "attribute_exists(m.tags[0])",
        "attribute_not_exists(m.tags[1])",
        "attribute_not_exists(nope)",
        "nope <> :one",
        "NOT nope = :one",
        "begins_with(b, :bin)",
        "n > :nine OR nope = :one AND nope = :one",
    ];
    for src in truths {
        let values = if src.contains(":v0") {
            let mut v = v.clone();
            v[":v0"] = json!({"S": "v"});
            v
        } else {
            v.clone()
        };
        assert!(check(src, values, &it), "{src} should hold");
    }
    let falsehoods = [
        "n = :a",
        "n < :nine",
        "s > :ten",
        "nope = :one",
        "contains(ns, :a)",
        "begins_with(n, :s)",
        "size(n) = :one",
        "l[5] = :one",
        "m.qty.deeper = :one",
        "attribute_exists(l[3])",
        "(n > :nine OR nope = :one) AND nope = :one",
        "n BETWEEN :ten AND :ten AND n BETWEEN :one AND :nine",
    ];
    for src in falsehoods {
        assert!(!check(src, v.clone(), &it), "{src} should not hold");
    }
    // Against no item at all.
    let mut a = attrs(Value::Null, Value::Null);
    let c = parse_condition(ExpressionKind::Condition, "attribute_not_exists(pk)", &mut a).unwrap();
    assert!(eval::evaluate(&c, None));
}

#[test]
fn projections_pick_paths() {
    let it = item(json!({
        "a": {"S": "x"}, "b": {"N": "1"},
        "l": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}, {"M": {"k": {"S": "v"}, "j": {"S": "w"}}}]},
        "m": {"M": {"x": {"S": "1"}, "y": {"S": "2"}}}
    }));
    let mut a = attrs(Value::Null, json!({"#m": "m"}));
    let p = parse_projection("a, l[3].k, l[1], #m.y, nope, m.nope", &mut a).unwrap();
    a.check_all_used().unwrap();
    let out = projection::project(&it, &p);
    assert_eq!(
        crate::types::item_to_json(&out),
        json!({"a": {"S": "x"}, "l": {"L": [{"N": "1"}, {"M": {"k": {"S": "v"}}}]}, "m": {"M": {"y": {"S": "2"}}}})
    );
    let mut a = attrs(Value::Null, Value::Null);
    assert_eq!(
        parse_projection("a, a.b", &mut a).unwrap_err().message,
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"
    );
    assert_eq!(
        parse_projection("a, status", &mut a).unwrap_err().message,
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: status"
    );
}

#[test]
fn operands_must_be_distinct() {
    for (src, op) in
        [("a = a", "="), ("a BETWEEN a AND b", "BETWEEN"), ("a IN (b, a)", "IN"), ("begins_with(a, a)", "begins_with")]
    {
        assert_eq!(
            condition_message(src, Value::Null, Value::Null),
            format!("Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: {op}, first operand: [a]")
        );
    }
}

#[test]
fn key_conditions_follow_query_rules() {
    use crate::types::{KeyAttribute, KeySchema, KeyValue, ScalarType};
    use keycond::SortCondition;
    let schema = KeySchema::simple(
        KeyAttribute { name: "pk".into(), kind: ScalarType::S },
        Some(KeyAttribute { name: "sk".into(), kind: ScalarType::N }),
    );
    let hash_only = KeySchema::simple(schema.partition.clone(), None);
    let values = json!({":p": {"S": "x"}, ":n": {"N": "1"}, ":m": {"N": "2"}});
    let parse = |src: &str, schema: &KeySchema| {
        let mut a = attrs(values.clone(), Value::Null);
        parse_key_condition(src, &mut a, schema)
    };
    let ok = parse("pk = :p AND sk BETWEEN :n AND :m", &schema).unwrap();
    assert_eq!(ok.partition, vec![KeyValue::S("x".into())]);
    let one = Number::parse("1").unwrap();
    let two = Number::parse("2").unwrap();
    assert_eq!(ok.sort, Some(SortCondition::Between(KeyValue::N(one.clone()), KeyValue::N(two.clone()))));
    assert_eq!(
        parse(":n < sk AND (pk = :p)", &schema).unwrap().sort,
        Some(SortCondition::Gt(KeyValue::N(one.clone())))
    );
    assert!(SortCondition::Gt(KeyValue::N(one)).matches(&KeyValue::N(two)));
    assert_eq!(parse(":p = pk", &hash_only).unwrap().sort, None);
    let cases = [
        ("sk = :n", &schema, "Query condition missed key schema element"),
        ("pk = :p OR sk = :n", &schema, "Invalid operator used in KeyConditionExpression: OR"),
        ("pk > :p", &schema, "Query key condition not supported"),
        ("pk = :p AND sk <> :n", &schema, "Invalid operator used in KeyConditionExpression: <>"),
        ("NOT pk = :p", &schema, "Invalid operator used in KeyConditionExpression: NOT"),
        ("pk = :p AND sk = :n AND sk = :m", &schema, "KeyConditionExpressions must only contain one condition per key"),
        ("pk = :p AND sk IN (:n)", &schema, "Invalid operator used in KeyConditionExpression: IN"),
        ("pk = :p AND contains(sk, :n)", &schema, "Invalid operator used in KeyConditionExpression: contains"),
        ("pk = :p AND attribute_exists(sk)", &schema, "Invalid operator used in KeyConditionExpression: attribute_exists"),
        ("pk = :p AND sk = pk", &schema, "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
        ("pk = :n", &schema, "One or more parameter values were invalid: Condition parameter type does not match schema type"),
        ("pk = :p AND sk = :p", &schema, "One or more parameter values were invalid: Condition parameter type does not match schema type"),
        ("pk = :p AND size(sk) = :n", &schema, "KeyConditionExpressions cannot contain nested operations"),
        ("pk.x = :p", &schema, "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk"),
        ("pk = :p AND x = :n", &schema, "Query condition missed key schema element"),
        ("pk = :p AND x = :n", &hash_only, "Query key condition not supported"),
        ("pk = :p AND :n = :m", &schema, "Invalid condition in KeyConditionExpression: No key attribute specified"),
        ("pk = :p AND begins_with(:p, sk)", &schema, "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"),
        ("pk = :p AND begins_with(sk, :n)", &schema, "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
    ];
    for (src, schema, expected) in cases {
        assert_eq!(parse(src, schema).unwrap_err().message, expected, "{src}");
    }
}

fn run_update(src: &str, values: Value, start: &Item) -> Result<Item, String> {
    let mut a = attrs(values, Value::Null);
    let u = parse_update(src, &mut a).map_err(|e| e.message)?;
    update::apply(&u, start).map_err(|e| e.message)
}

#[test]
fn updates_apply_like_dynamodb() {
    let start = item(json!({
        "pk": {"S": "a"}, "n": {"N": "5"}, "l": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}]},
        "m": {"M": {"x": {"S": "y"}}}, "ss": {"SS": ["a", "b"]}, "s": {"S": "str"}
    }));
    let v = json!({
        ":one": {"N": "1"}, ":l": {"L": [{"S": "z"}]}, ":ss": {"SS": ["b", "c"]}, ":sa": {"SS": ["a", "b"]},
        ":big": {"N": "9.9999999999999999999999999999999999999E+125"}, ":s": {"S": "new"}, ":e": {"L": []}
    });
    let got = |src: &str| run_update(src, v.clone(), &start).map(|i| crate::types::item_to_json(&i));
    let out = got("SET n = n + :one, m.k = :s, l[1] = :s, l[9] = :one, fresh = if_not_exists(nope, :s)").unwrap();
    assert_eq!(out["n"], json!({"N": "6"}));
    assert_eq!(out["m"], json!({"M": {"x": {"S": "y"}, "k": {"S": "new"}}}));
    assert_eq!(out["l"], json!({"L": [{"N": "0"}, {"S": "new"}, {"N": "2"}, {"N": "1"}]}));
    assert_eq!(out["fresh"], json!({"S": "new"}));
    // Every SET reads the item as it was before the update.
    let out = got("SET a = n, n = :one").unwrap();
    assert_eq!((&out["a"], &out["n"]), (&json!({"N": "5"}), &json!({"N": "1"})));
    let out = got("SET l = list_append(:l, l), q = list_append(if_not_exists(q, :e), :l)").unwrap();
    assert_eq!(out["l"]["L"][0], json!({"S": "z"}));
    assert_eq!(out["q"], json!({"L": [{"S": "z"}]}));
    let out = got("REMOVE l[0], l[2], m.x, nope, m.nope, l[7]").unwrap();
    assert_eq!(out["l"], json!({"L": [{"N": "1"}]}));
    assert_eq!(out["m"], json!({"M": {}}));
    let out = got("ADD n :one, ss :ss, hits :one, tags :sa").unwrap();
    assert_eq!(out["n"], json!({"N": "6"}));
    assert_eq!(out["ss"], json!({"SS": ["a", "b", "c"]}));
    assert_eq!(out["hits"], json!({"N": "1"}));
    assert_eq!(out["tags"], json!({"SS": ["a", "b"]}));
    let out = got("DELETE ss :sa").unwrap();
    assert!(out.get("ss").is_none(), "an emptied set disappears");
    let out = got("DELETE ss :ss, nothing :ss").unwrap();
    assert_eq!(out["ss"], json!({"SS": ["a"]}));

    let errors = [
        ("SET q = nope + :one", "The provided expression refers to an attribute that does not exist in the item"),
        ("SET q = s + :one", "An operand in the update expression has an incorrect data type"),
        ("SET q = list_append(s, :l)", "An operand in the update expression has an incorrect data type"),
        ("SET x.y = :one", "The document path provided in the update expression is invalid for update"),
        ("SET n.y = :one", "The document path provided in the update expression is invalid for update"),
        ("SET l[9].y = :one", "The document path provided in the update expression is invalid for update"),
        ("REMOVE zz.b", "The document path provided in the update expression is invalid for update"),
        ("ADD s :one", "An operand in the update expression has an incorrect data type"),
        ("ADD ss :one", "An operand in the update expression has an incorrect data type"),
        ("DELETE s :ss", "An operand in the update expression has an incorrect data type"),
        ("ADD x.y :one", "The document path provided in the update expression is invalid for update"),
        // 39 digits beyond the range: the precision is reported first (DynamoDB Local's order).
        ("SET n = :big + :big", "DynamoDB only supports precision up to 38 digits"),
    ];
    for (src, expected) in errors {
        assert_eq!(got(src).unwrap_err(), expected, "{src}");
    }
}

#[test]
fn key_attributes_cannot_be_updated() {
    use crate::types::{KeyAttribute, KeySchema, ScalarType};
    let schema = KeySchema::simple(KeyAttribute { name: "pk".into(), kind: ScalarType::S }, None);
    for src in ["REMOVE pk", "SET pk.x = :v", "SET #k = :v"] {
        let mut a = attrs(json!({":v": {"N": "1"}}), json!({"#k": "pk"}));
        let u = parse_update(src, &mut a).unwrap();
        assert_eq!(
            update::check_key_attributes(&u, &schema).unwrap_err().message,
            "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
        );
    }
}

#[test]
fn parenthesised_operands() {
    let n = Value::Null;
    let one = json!({":v": {"N": "1"}});
    for src in [
        "(a) = b",
        "a = (b)",
        "size((a)) = b",
        "a IN ((b), c)",
        "((a) = b)",
        "(a) BETWEEN b AND c",
        "attribute_exists((a))",
        "(attribute_exists(a))",
    ] {
        let mut a = attrs(n.clone(), n.clone());
        assert!(parse_condition(ExpressionKind::Condition, src, &mut a).is_ok(), "{src}");
    }
    let errors = [
        ("((a)) = b", "Invalid ConditionExpression: The expression has redundant parentheses;"),
        ("(a)", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \")\""),
        ("(a = b) = c", "Invalid ConditionExpression: Syntax error; token: \"=\", near: \") = c\""),
    ];
    for (src, expected) in errors {
        assert_eq!(condition_message(src, n.clone(), n.clone()), expected, "{src}");
    }
    for src in ["SET a = (:v + :v)", "SET a = (:v) + (:v)", "SET a = (if_not_exists(b, :v))", "SET a = :v + (:v)"] {
        let mut a = attrs(one.clone(), n.clone());
        assert!(parse_update(src, &mut a).is_ok(), "{src}");
    }
    assert_eq!(
        update_message("SET a = ((:v))", one.clone()),
        "Invalid UpdateExpression: The expression has redundant parentheses;"
    );
    assert_eq!(
        update_message("SET a = (:v + :v) + :v", one.clone()),
        "Invalid UpdateExpression: Syntax error; token: \"+\", near: \") + :v\""
    );
    assert_eq!(
        update_message("SET (a) = :v", one),
        "Invalid UpdateExpression: Syntax error; token: \"(\", near: \"SET (a\""
    );
}

mod fuzz {
    //! Whatever text arrives, the parsers answer: a checked tree or a
    //! ValidationException, never a panic or a stack overflow; and whatever
    //! they accept evaluates and applies without panicking.
    use super::*;
    use crate::error::ErrorKind;
    use proptest::prelude::*;

    /// Fragments that make near-valid expressions likely.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("a".to_string()),
            Just("b.c".to_string()),
            Just("l[1]".to_string()),
            Just("#n".to_string()),
            Just(":v".to_string()),
            Just(":l".to_string()),
            Just(" = ".to_string()),
            Just(" <> ".to_string()),
            Just(" < ".to_string()),
            Just(" AND ".to_string()),
            Just(" OR ".to_string()),
            Just("NOT ".to_string()),
            Just("(".to_string()),
            Just(")".to_string()),
            Just(", ".to_string()),
            Just(" BETWEEN ".to_string()),
            Just(" IN ".to_string()),
            Just("size(".to_string()),
            Just("attribute_exists(".to_string()),
            Just("begins_with(".to_string()),
            Just("contains(".to_string()),
            Just("SET ".to_string()),
            Just("REMOVE ".to_string()),
            Just("ADD ".to_string()),
            Just("DELETE ".to_string()),
            Just(" + ".to_string()),
            Just(" - ".to_string()),
            Just("list_append(".to_string()),
            Just("if_not_exists(".to_string()),
            Just("status".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just(".".to_string()),
            Just("0".to_string()),
            Just("2147483648".to_string()),
            "[ -~]{0,3}".prop_map(|s| s),
        ]
    }

    fn expression() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::collection::vec(fragment(), 0..40).prop_map(|v| v.concat()),
            any::<String>(),
            "[(]{0,300}a = :v[)]{0,300}",
        ]
    }

    fn context() -> ExpressionAttributes {
        attrs(json!({":v": {"N": "1"}, ":l": {"L": [{"S": "x"}]}, ":s": {"SS": ["x"]}}), json!({"#n": "name"}))
    }

    fn sample() -> Item {
        item(json!({
            "a": {"N": "1"}, "b": {"M": {"c": {"S": "x"}}}, "l": {"L": [{"N": "0"}, {"N": "1"}]},
            "name": {"S": "n"}, "ss": {"SS": ["x"]}
        }))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn conditions_never_panic(src in expression()) {
            let mut a = context();
            match parse_condition(ExpressionKind::Filter, &src, &mut a) {
                Ok(c) => {
                    let _ = eval::evaluate(&c, Some(&sample()));
                    let _ = eval::evaluate(&c, None);
                }
                Err(e) => prop_assert_eq!(e.kind, ErrorKind::Validation),
            }
        }

        #[test]
        fn updates_never_panic(src in expression()) {
            let mut a = context();
            match parse_update(&src, &mut a) {
                Ok(u) => {
                    if let Err(e) = update::apply(&u, &sample()) {
                        prop_assert_eq!(e.kind, ErrorKind::Validation);
                    }
                }
                Err(e) => prop_assert_eq!(e.kind, ErrorKind::Validation),
            }
        }

        #[test]
        fn projections_never_panic(src in expression()) {
            let mut a = context();
            match parse_projection(&src, &mut a) {
                Ok(p) => { let _ = projection::project(&sample(), &p); }
                Err(e) => prop_assert_eq!(e.kind, ErrorKind::Validation),
            }
        }
    }
}

#[test]
fn worst_case_inputs_within_the_size_limit() {
    let fill = |unit: &str, tail: &str| {
        let n = (MAX_EXPRESSION_BYTES - tail.len()) / unit.len();
        format!("{}{tail}", unit.repeat(n))
    };
    let closing = |unit: &str, open: &str, close: &str| {
        let n = (MAX_EXPRESSION_BYTES - unit.len()) / (open.len() + close.len());
        format!("{}{unit}{}", open.repeat(n), close.repeat(n))
    };
    let inputs = [
        fill("a = :v OR ", "a = :v"),
        fill("a = :v AND ", "a = :v"),
        fill("NOT ", "a = :v"),
        closing("a = :v", "(", ")"),
        closing("a = :v", "(NOT ", ")"),
        closing("a", "size(", ")") + " = :v",
        closing(":v", "(", ")") + " = a",
    ];
    for src in &inputs {
        let mut a = attrs(json!({":v": {"N": "1"}}), Value::Null);
        if let Ok(c) = parse_condition(ExpressionKind::Condition, src, &mut a) {
            eval::evaluate(&c, Some(&Item::new()));
        }
    }
    let updates = [
        format!("SET a = {}", closing(":v", "list_append(", ", :v)")),
        format!("SET a = {}", closing(":v", "if_not_exists(a, ", ")")),
        format!("SET a = {}", closing(":v", "(", ")")),
        fill("REMOVE a", ""),
    ];
    for src in &updates {
        let mut a = attrs(json!({":v": {"L": []}}), Value::Null);
        if let Ok(u) = parse_update(src, &mut a) {
            let _ = update::apply(&u, &Item::new());
        }
    }
}

#[test]
fn list_appends_and_updated_attributes() {
    let start =
        item(json!({"pk": {"S": "a"}, "l": {"L": [{"N": "1"}]}, "m": {"M": {"x": {"S": "y"}}}, "n": {"N": "1"}}));
    let v = json!({":a": {"N": "7"}, ":b": {"N": "8"}});
    let mut a = attrs(v.clone(), Value::Null);
    let u = parse_update("SET l[5] = :a, l[4] = :b", &mut a).unwrap();
    let new = update::apply(&u, &start).unwrap();
    assert_eq!(crate::types::item_to_json(&new)["l"], json!({"L": [{"N": "1"}, {"N": "8"}, {"N": "7"}]}));
    // An element appended past the end is in neither UPDATED_OLD nor UPDATED_NEW.
    assert!(update::updated_attributes(&u, &new).is_empty());
    let mut a = attrs(v, Value::Null);
    let u = parse_update("SET m.x = :a, fresh = :b REMOVE n", &mut a).unwrap();
    let new = update::apply(&u, &start).unwrap();
    let old_part = update::updated_attributes(&u, &start);
    let new_part = update::updated_attributes(&u, &new);
    assert_eq!(old_part.keys().collect::<Vec<_>>(), ["m", "n"]);
    assert_eq!(new_part.keys().collect::<Vec<_>>(), ["fresh", "m"]);
}
