//! `PartiQL.json`: ExecuteStatement, BatchExecuteStatement and
//! ExecuteTransaction on two tables each scenario creates: `$Pt` (`pk` S,
//! `sk` N, global index `byG` on `g` S + `sk` N projecting everything) with
//! eight items in partitions `a`, `b` and `c`, and the hash-only `$Ph` (`pk`
//! S) with three. SELECTs, INSERT/UPDATE/DELETE with their conditions and
//! RETURNING clauses, paging with `NextToken`, parameters, batches'
//! per-statement results and errors, transactions' cancellation reasons and
//! idempotency. Scenarios that write read the tables back. Where DynamoDB's
//! answer is captured and DynamoDB Local's differs, the step carries it
//! (`known.json`, `partiql-*`; `differences/partiql.md`).
//!
//! Scans answer partitions in an order DynamoDB leaves undefined; the
//! normalizer keeps only each partition's order (see `normalize`), so a
//! SELECT that reads several partitions projects `pk`, and paging with
//! `Limit` stays within one partition.

use super::{create, key, validation, with};
use crate::scenario::{answer, Expect, Scenario};
use serde_json::{json, Value};

/// `$Pt` with the global index `byG` (`g`, `sk`; projection ALL).
fn table() -> Value {
    with(
        create("$Pt", ("pk", "S"), Some(("sk", "N"))),
        json!({"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}, {"AttributeName": "g", "AttributeType": "S"}],
               "GlobalSecondaryIndexes": [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}}]}),
    )
}

/// The items of `$Pt`.
fn items() -> Vec<Value> {
    vec![
        with(
            key("a", 1),
            json!({"g": {"S": "G1"}, "n": {"N": "5"}, "s": {"S": "hello"}, "nul": {"NULL": true}, "ss": {"SS": ["p", "q"]},
                   "l": {"L": [{"N": "1"}, {"N": "2"}]}, "flag": {"BOOL": true},
                   "m": {"M": {"b": {"L": [{"M": {"c": {"S": "c0"}}}, {"M": {"c": {"S": "c1"}}}]}}}}),
        ),
        with(key("a", 2), json!({"g": {"S": "G1"}, "n": {"N": "10"}, "s": {"S": "world"}})),
        with(key("a", 3), json!({"g": {"S": "G2"}, "n": {"N": "15"}, "s": {"S": "help"}})),
        with(key("a", 4), json!({"n": {"N": "20"}})),
        with(key("a", 5), json!({"g": {"S": "G1"}, "n": {"N": "-3.5"}, "s": {"S": "hx"}})),
        with(key("b", 1), json!({"g": {"S": "G1"}, "n": {"N": "20"}, "s": {"S": "bee"}})),
        with(key("b", 2), json!({"n": {"N": "100"}})),
        with(key("c", 1), json!({"n": {"N": "7"}, "s": {"S": "cat"}})),
    ]
}

/// Both tables, filled.
fn seeded(name: &str, doc: &str) -> Scenario {
    let mut s =
        Scenario::new(name, doc).step("CreateTable", table()).step("CreateTable", create("$Ph", ("pk", "S"), None));
    for item in items() {
        s = s.step("PutItem", json!({"TableName": "$Pt", "Item": item}));
    }
    for i in 1..=3 {
        s = s.step(
            "PutItem",
            json!({"TableName": "$Ph", "Item": {"pk": {"S": format!("h{i}")}, "v": {"N": i.to_string()}}}),
        );
    }
    s
}

fn st(statement: &str) -> Value {
    json!({ "Statement": statement })
}

fn st_with(statement: &str, extra: Value) -> Value {
    with(st(statement), extra)
}

/// The scenario's tables read back whole.
fn read_back(s: Scenario) -> Scenario {
    s.step("Scan", json!({"TableName": "$Pt"})).step("Scan", json!({"TableName": "$Ph"}))
}

/// Several ExecuteStatement steps, one statement each.
fn statements(mut s: Scenario, list: &[&str]) -> Scenario {
    for statement in list {
        s = s.step("ExecuteStatement", st(statement));
    }
    s
}

/// A statement of exactly `length` characters once `$P` is replaced by the
/// run's prefix (12 characters, see `runner::fresh_prefix`): the table name
/// grows by 10.
fn statement_of_length(length: usize) -> String {
    let head = r#"SELECT pk FROM "$Pt" WHERE pk = 'a' AND s = '"#;
    let padding = length - (head.len() + 10) - 1;
    format!("{head}{}'", "x".repeat(padding))
}

pub(super) fn scenarios() -> Vec<Scenario> {
    let mut out = select();
    out.extend(paging());
    out.extend(insert());
    out.extend(update());
    out.extend(delete());
    out.extend(batch());
    out.extend(transaction());
    out
}

fn select() -> Vec<Scenario> {
    vec![
        statements(
            seeded("ExecuteStatement/select-star", "SELECT * of a table, of a partition, of one item"),
            &[
                r#"SELECT * FROM "$Pt""#,
                r#"SELECT * FROM "$Pt" WHERE pk = 'a'"#,
                r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                r#"SELECT * FROM "$Pt" WHERE pk = 'zz' AND sk = 1"#,
                r#"SELECT * FROM "$Ph""#,
                r#"SELECT * FROM "$Ph" WHERE pk = 'h2'"#,
                r#"select * from "$Pt" where pk = 'c'"#,
            ],
        ),
        statements(
            seeded(
                "ExecuteStatement/select-projection",
                "projection lists: attributes, nested paths, list elements, missing ones",
            ),
            &[
                r#"SELECT pk, sk, n FROM "$Pt" WHERE pk = 'a'"#,
                r#"SELECT m.b FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                r#"SELECT l[0] FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                r#"SELECT m.b[1].c, l[1] FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                r#"SELECT "m"."b" FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                r#"SELECT pk, nope FROM "$Pt" WHERE pk = 'a' AND sk = 2"#,
                r#"SELECT nope FROM "$Pt" WHERE pk = 'a' AND sk = 2"#,
                r#"SELECT pk, pk FROM "$Pt" WHERE pk = 'a' AND sk = 2"#,
                r#"SELECT m, m.b FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                r#"SELECT m.b[1].c, m.b[0].c FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
            ],
        ),
        statements(
            seeded(
                "ExecuteStatement/select-comparisons",
                "WHERE with = <> != < <= > >= on a non-key attribute (a scan)",
            ),
            &[
                r#"SELECT pk, sk FROM "$Pt" WHERE n = 10"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE n <> 10"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE n != 10"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE n < 10"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE n <= 10"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE n > 10"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE n >= 10"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE s = 'hx'"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE s <> 'hx'"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE n = '5'"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE m.b[0].c = 'c0'"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE n = 1e2"#,
            ],
        ),
        statements(
            seeded("ExecuteStatement/select-between-in", "BETWEEN, IN lists, NOT BETWEEN, NOT IN"),
            &[
                r#"SELECT pk, sk FROM "$Pt" WHERE n BETWEEN 5 AND 15"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE n IN [5, 20]"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE n IN (5, 20)"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE n NOT BETWEEN 1 AND 10"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE s NOT IN ['hello', 'world']"#,
            ],
        ),
        statements(
            seeded("ExecuteStatement/select-logic", "AND, OR, NOT and parentheses"),
            &[
                r#"SELECT pk, sk FROM "$Pt" WHERE n > 5 AND n < 20"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE n = 5 OR s = 'cat'"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE NOT pk = 'a'"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE (n > 5 AND n < 20) OR NOT pk = 'a'"#,
            ],
        ),
        statements(
            seeded(
                "ExecuteStatement/select-missing-null",
                "IS [NOT] MISSING and IS [NOT] NULL on NULL values and absent attributes",
            ),
            &[
                r#"SELECT pk, sk FROM "$Pt" WHERE s IS MISSING"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE s IS NOT MISSING"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE nul IS NULL"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE nul IS NOT NULL"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE s IS NULL"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE s IS NOT NULL"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE nul = NULL"#,
            ],
        ),
        statements(
            seeded(
                "ExecuteStatement/select-functions",
                "begins_with, contains, attribute_type, size and attribute_exists in WHERE",
            ),
            &[
                r#"SELECT pk, sk FROM "$Pt" WHERE begins_with(s, 'hel')"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE contains(s, 'or')"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE contains(ss, 'p')"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE attribute_type(n, 'N')"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE attribute_type(m, 'M')"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE size(s) > 4"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE attribute_exists(g)"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'a' AND attribute_not_exists(s)"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE attribute_type(n, 'X')"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE foo(s)"#,
            ],
        ),
        statements(
            seeded("ExecuteStatement/select-key-range", "a partition with sort-key conditions (a Query)"),
            &[
                r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'a' AND sk > 2"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'a' AND sk >= 2 AND sk < 4"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'a' AND sk BETWEEN 2 AND 3"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'a' AND sk <= 1"#,
                r#"SELECT pk, sk, n FROM "$Pt" WHERE pk = 'a' AND n > 5"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE 'a' = pk AND 3 = sk"#,
            ],
        ),
        statements(
            seeded("ExecuteStatement/select-order-by", "ORDER BY the sort key, ascending and descending"),
            &[
                r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'a' ORDER BY sk"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'a' ORDER BY sk ASC"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'a' ORDER BY sk DESC"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'a' AND sk > 2 ORDER BY sk DESC"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'a' ORDER BY pk, sk DESC"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE pk IN ['a', 'b'] ORDER BY sk DESC"#,
                r#"SELECT * FROM "$Ph" WHERE pk = 'h1' ORDER BY pk"#,
            ],
        ),
        statements(
            seeded(
                "ExecuteStatement/select-order-by-errors",
                "ORDER BY needs WHERE, a partition key condition and key attributes",
            ),
            &[
                r#"SELECT pk, sk FROM "$Pt" ORDER BY sk DESC"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE n > 1 ORDER BY sk"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'a' ORDER BY n"#,
            ],
        ),
        statements(
            seeded("ExecuteStatement/select-pk-in", "several partition keys: IN lists and OR"),
            &[
                r#"SELECT pk, sk FROM "$Pt" WHERE pk IN ['b', 'a']"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE pk IN ['c', 'b'] AND sk = 1"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'b' OR pk = 'c'"#,
                r#"SELECT pk, sk FROM "$Pt" WHERE pk IN ['zz', 'c']"#,
                r#"SELECT * FROM "$Ph" WHERE pk IN ['h3', 'h1']"#,
            ],
        ),
        statements(
            seeded("ExecuteStatement/select-index", "SELECT from the global index, with and without its key"),
            &[
                r#"SELECT * FROM "$Pt"."byG" WHERE g = 'G1'"#,
                r#"SELECT pk, sk, g FROM "$Pt"."byG""#,
                r#"SELECT pk, sk FROM "$Pt"."byG" WHERE g = 'G1' AND sk >= 2"#,
                r#"SELECT pk, sk FROM "$Pt"."byG" WHERE g = 'G1' ORDER BY sk ASC"#,
                r#"SELECT pk FROM "$Pt"."byG" WHERE pk = 'b'"#,
            ],
        ),
        seeded("ExecuteStatement/select-parameters", "? parameters, too few, none, too many, of the wrong key type")
            .step(
                "ExecuteStatement",
                st_with(
                    r#"SELECT pk, sk FROM "$Pt" WHERE pk = ? AND sk = ?"#,
                    json!({"Parameters": [{"S": "a"}, {"N": "1"}]}),
                ),
            )
            .step(
                "ExecuteStatement",
                st_with(r#"SELECT pk, sk FROM "$Pt" WHERE pk = ? AND sk = ?"#, json!({"Parameters": [{"S": "a"}]})),
            )
            .step("ExecuteStatement", st(r#"SELECT pk, sk FROM "$Pt" WHERE pk = ?"#))
            .step(
                "ExecuteStatement",
                st_with(r#"SELECT pk, sk FROM "$Pt" WHERE pk = ?"#, json!({"Parameters": [{"S": "b"}, {"N": "1"}]})),
            )
            .step(
                "ExecuteStatement",
                st_with(r#"SELECT pk, sk FROM "$Pt" WHERE pk = ? AND sk = 1"#, json!({"Parameters": [{"N": "1"}]})),
            )
            .step(
                "ExecuteStatement",
                st_with(
                    r#"SELECT pk, sk FROM "$Pt" WHERE pk IN [?, ?]"#,
                    json!({"Parameters": [{"S": "c"}, {"S": "b"}]}),
                ),
            )
            .step(
                "ExecuteStatement",
                st_with(
                    r#"SELECT pk, sk FROM "$Pt" WHERE l = ?"#,
                    json!({"Parameters": [{"L": [{"N": "1"}, {"N": "2"}]}]}),
                ),
            )
            .step(
                "ExecuteStatement",
                st_with(r#"SELECT pk, sk FROM "$Pt" WHERE ss = ?"#, json!({"Parameters": [{"SS": ["q", "p"]}]})),
            ),
        seeded("ExecuteStatement/select-errors", "syntax errors, a missing table, limits")
            .step("ExecuteStatement", st(r#"SELEC * FROM "$Pt""#))
            .step("ExecuteStatement", st(r#"SELECT * FROM "$Pt" WHERE"#))
            .step("ExecuteStatement", st(r#"SELECT * FROM "$Pt" WHERE pk = 'a"#))
            .step("ExecuteStatement", st(""))
            .step("ExecuteStatement", st(r#"SELECT * FROM "$Pnone""#))
            .step("ExecuteStatement", st_with(r#"SELECT * FROM "$Pt" WHERE pk = 'a'"#, json!({"ConsistentRead": true})))
            .step("ExecuteStatement", st(&statement_of_length(8193)))
            .step("ExecuteStatement", st(&statement_of_length(8192)))
            .step("ExecuteStatement", st_with(r#"SELECT * FROM "$Pt" WHERE pk = 'a'"#, json!({"Limit": 0})))
            .step("ExecuteStatement", st(r#"EXISTS(SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1)"#)),
        // DynamoDB's words, captured against it (nubo-db/dynamodb-conformance,
        // tests/tier3/error-messages/partiql.test.ts); DynamoDB Local's differ
        // (known.json: partiql-index-messages).
        seeded("ExecuteStatement/index-errors", "an unknown index, a consistent read of a global index")
            .expect(
                "ExecuteStatement",
                st(r#"SELECT * FROM "$Pt"."nope" WHERE pk = 'a'"#),
                validation("The table does not have the specified index"),
            )
            .expect(
                "ExecuteStatement",
                st_with(r#"SELECT * FROM "$Pt"."byG" WHERE g = 'G1'"#, json!({"ConsistentRead": true})),
                validation("Strongly consistent read is not supported on Global Secondary Indexes"),
            )
            .step("ExecuteStatement", st(r#"SELECT * FROM "$Pnone"."byG" WHERE g = 'G1'"#)),
        read_back(statements(
            seeded(
                "ExecuteStatement/refused-constructs",
                "constructs DynamoDB refuses by name: clauses, aliases, operators, RETURNING forms, a missing WHERE",
            ),
            &[
                r#"SELECT * FROM "$Pt" WHERE pk = 'a' LIMIT 5"#,
                r#"SELECT t.pk FROM "$Pt" t"#,
                r#"SELECT size(s) FROM "$Pt""#,
                r#"SELECT * FROM "$Pt" WHERE s LIKE 'h%'"#,
                r#"INSERT INTO "$Ph" VALUE {'pk': 'h4'} RETURNING ALL OLD *"#,
                r#"UPDATE "$Pt" SET n = n * 2 WHERE pk = 'a' AND sk = 1"#,
                r#"UPDATE "$Pt" SET n = 1 WHERE pk = 'a' AND sk = 2 RETURNING ALL OLD n"#,
                r#"UPDATE "$Pt" SET v = 1"#,
                r#"DELETE FROM "$Pt""#,
                r#"UPDATE "$Pt" REMOVE nope1, nope2 WHERE pk = 'a' AND sk = 1"#,
            ],
        )),
        read_back(
            seeded(
                "ExecuteStatement/error-positions",
                "messages that end with the offending token's position (line:column:length)",
            )
            .step("ExecuteStatement", st(r#"INSERT INTO "$Pt" VALUE {'pk': 'n', 'sk': 3, 's': <<'a', 1>>}"#))
            .step("ExecuteStatement", st(r#"INSERT INTO "$Pt" VALUE {'pk': 'n', 'sk': 4, 'v': 1, 'v': 2}"#))
            .step("ExecuteStatement", st(r#"INSERT INTO "$Pt" VALUE {'pk': 'n', 'sk': 5, 'v': MISSING}"#))
            .step("ExecuteStatement", st(r#"INSERT INTO "$Ph" VALUE 'x'"#))
            .step(
                "ExecuteStatement",
                st_with(r#"INSERT INTO "$Ph" VALUE ?"#, json!({"Parameters": [{"M": {"pk": {"S": "h8"}}}]})),
            )
            .step("ExecuteStatement", st(r#"INSERT INTO "$Ph" VALUE <<{'pk': 'h7'}, {'pk': 'h6'}>>"#))
            .step("ExecuteStatement", st(r#"UPDATE "$Pt" SET ns = set_add(ns, 1) WHERE pk = 'a' AND sk = 1"#)),
        ),
    ]
}

fn paging() -> Vec<Scenario> {
    // Three pages of partition `a` (five items), each request naming the
    // previous answer's NextToken.
    let statement = r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'a'"#;
    let mut pages = seeded("ExecuteStatement/paging", "Limit and NextToken: three pages of a partition");
    let first = pages.next_step();
    pages = pages
        .step("ExecuteStatement", st_with(statement, json!({"Limit": 2})))
        .step("ExecuteStatement", st_with(statement, json!({"Limit": 2, "NextToken": answer(first, "/NextToken")})))
        .step("ExecuteStatement", st_with(statement, json!({"Limit": 2, "NextToken": answer(first + 1, "/NextToken")})))
        // A token belongs to its statement (aws/aws-sdk-js-v3#4424, against
        // DynamoDB; known.json: partiql-next-token-mismatch).
        .expect(
            "ExecuteStatement",
            st_with(
                r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'b'"#,
                json!({"Limit": 2, "NextToken": answer(first, "/NextToken")}),
            ),
            validation("NextToken does not match request"),
        );
    let filtered = r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'a' AND n > 12"#;
    let mut counted =
        seeded("ExecuteStatement/paging-filtered", "Limit counts the items read, not those the filter keeps");
    let first = counted.next_step();
    counted = counted
        .step("ExecuteStatement", st_with(filtered, json!({"Limit": 2})))
        .step("ExecuteStatement", st_with(filtered, json!({"Limit": 2, "NextToken": answer(first, "/NextToken")})))
        .step("ExecuteStatement", st_with(filtered, json!({"Limit": 2, "NextToken": answer(first + 1, "/NextToken")})));
    let mut exact =
        seeded("ExecuteStatement/paging-exact", "a page that ends with the partition, then the empty last page");
    let first = exact.next_step();
    exact = exact
        .step("ExecuteStatement", st_with(statement, json!({"Limit": 5})))
        .step("ExecuteStatement", st_with(statement, json!({"Limit": 5, "NextToken": answer(first, "/NextToken")})))
        .step("ExecuteStatement", st_with(statement, json!({"NextToken": "bm90IGEgdG9rZW4="})));
    let descending = r#"SELECT pk, sk FROM "$Pt" WHERE pk = 'a' ORDER BY sk DESC"#;
    let mut backwards = seeded("ExecuteStatement/paging-descending", "pages of ORDER BY sk DESC");
    let first = backwards.next_step();
    backwards = backwards
        .step("ExecuteStatement", st_with(descending, json!({"Limit": 3})))
        .step("ExecuteStatement", st_with(descending, json!({"Limit": 3, "NextToken": answer(first, "/NextToken")})));
    vec![pages, counted, exact, backwards]
}

fn insert() -> Vec<Scenario> {
    vec![
        seeded("ExecuteStatement/insert", "INSERT a new item, read it back")
            .step("ExecuteStatement", st(r#"INSERT INTO "$Pt" VALUE {'pk': 'n', 'sk': 1, 'v': 'new'}"#))
            .step("ExecuteStatement", st(r#"INSERT INTO "$Ph" VALUE {'pk': 'h9'}"#))
            .step("ExecuteStatement", st(r#"SELECT * FROM "$Pt" WHERE pk = 'n' AND sk = 1"#))
            .step("GetItem", json!({"TableName": "$Ph", "Key": {"pk": {"S": "h9"}}})),
        read_back(
            seeded("ExecuteStatement/insert-duplicate", "INSERT of an existing key fails and changes nothing")
                .step("ExecuteStatement", st(r#"INSERT INTO "$Pt" VALUE {'pk': 'a', 'sk': 2, 'v': 'again'}"#))
                .step(
                    "ExecuteStatement",
                    st_with(
                        r#"INSERT INTO "$Ph" VALUE {'pk': 'h1', 'v': 9}"#,
                        json!({"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
                    ),
                ),
        ),
        read_back(statements(
            seeded("ExecuteStatement/insert-key-errors", "INSERT without a key attribute, or with one of the wrong type"),
            &[
                r#"INSERT INTO "$Pt" VALUE {'pk': 'n'}"#,
                r#"INSERT INTO "$Pt" VALUE {'sk': 1}"#,
                r#"INSERT INTO "$Pt" VALUE {'pk': 'n', 'sk': '1'}"#,
                r#"INSERT INTO "$Pt" VALUE {'pk': 1, 'sk': 1}"#,
                r#"INSERT INTO "$Ph" VALUE {'pk': ''}"#,
                r#"INSERT INTO "$Pt" VALUE {'pk': 'n', 'sk': 1, 'g': 5}"#,
            ],
        )),
        statements(
            seeded("ExecuteStatement/insert-nested-values", "INSERT with sets, lists, maps, booleans, NULL and numbers; read back"),
            &[
                r#"INSERT INTO "$Pt" VALUE {'pk': 'n', 'sk': 1, 'm': {'a': [1, 'two', TRUE, NULL, <<1, 2>>, {'z': -1.5e3}]}, 'ss': <<'x', 'y'>>, 'ns': <<3, 1.5>>, 'b': false, 'e': '', 'l': [], 'em': {}}"#,
                r#"SELECT * FROM "$Pt" WHERE pk = 'n' AND sk = 1"#,
                r#"INSERT INTO "$Pt" VALUE {'pk': 'n', 'sk': 2, 's': <<>>}"#,
            ],
        )
        .step("GetItem", json!({"TableName": "$Pt", "Key": key("n", 1)}))
        .step("Scan", json!({"TableName": "$Pt"})),
        read_back(
            seeded("ExecuteStatement/insert-values", "VALUES is not INSERT's keyword; parameters inside the tuple")
                .step("ExecuteStatement", st(r#"INSERT INTO "$Ph" VALUES {'pk': 'h5'}"#))
                .step(
                    "ExecuteStatement",
                    st_with(
                        r#"INSERT INTO "$Pt" VALUE {'pk': ?, 'sk': ?, 'v': ?}"#,
                        json!({"Parameters": [{"S": "p"}, {"N": "1"}, {"SS": ["m", "n"]}]}),
                    ),
                )
                .step(
                    "ExecuteStatement",
                    st_with(r#"INSERT INTO "$Ph" VALUE {'pk': ?}"#, json!({"Parameters": [{"S": "h5"}, {"S": "extra"}]})),
                ),
        ),
        statements(
            seeded("ExecuteStatement/insert-errors", "INSERT into a missing table, an index, with WHERE or RETURNING"),
            &[
                r#"INSERT INTO "$Pnone" VALUE {'pk': 'n'}"#,
                r#"INSERT INTO "$Pt"."byG" VALUE {'pk': 'n', 'sk': 1}"#,
                r#"INSERT INTO "$Ph" VALUE {'pk': 'h4'} WHERE pk = 'h4'"#,
                r#"SELECT * FROM "$Ph""#,
            ],
        ),
    ]
}

fn update() -> Vec<Scenario> {
    let u1 = |set: &str| format!(r#"UPDATE "$Pt" {set} WHERE pk = 'a' AND sk = 1"#);
    vec![
        statements(
            seeded("ExecuteStatement/update-set", "UPDATE with SET: values, arithmetic, nested paths, several clauses"),
            &[
                &u1("SET v = 1 SET n = n + 1"),
                &u1("SET w = 'x', n = n - 2"),
                &u1("SET m.b[0].c = 'changed', m.k = 'new'"),
                &u1("SET x = if_not_exists(x, 0), cp = s"),
                &u1("SET mm = {'a': [1, <<'s'>>]}, nn = NULL"),
            ],
        )
        .step(
            "ExecuteStatement",
            st_with(
                r#"UPDATE "$Pt" SET v = ? WHERE pk = ? AND sk = ?"#,
                json!({"Parameters": [{"S": "param"}, {"S": "a"}, {"N": "1"}]}),
            ),
        )
        .step("ExecuteStatement", st(r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1"#))
        .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1)})),
        statements(
            seeded("ExecuteStatement/update-collections", "list_append, set_add, set_delete and REMOVE"),
            &[
                &u1("SET l = list_append(l, [3])"),
                &u1("SET l = list_append([0], l)"),
                &u1("SET ss = set_add(ss, <<'r'>>)"),
                &u1("SET ss = set_delete(ss, <<'p'>>)"),
                &u1("SET ns = set_add(ns, <<7, 8>>)"),
                &u1("REMOVE nul REMOVE l[0]"),
                &u1("SET ss = set_delete(ss, <<'q', 'r'>>)"),
                r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                &u1("SET s = set_add(s, <<'x'>>)"),
                &u1("SET ns = set_add(ns, <<'x'>>)"),
                &u1("SET l = list_append(n, [1])"),
            ],
        )
        .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1)})),
        statements(
            seeded("ExecuteStatement/update-returning", "RETURNING ALL OLD, ALL NEW, MODIFIED OLD and MODIFIED NEW"),
            &[
                r#"UPDATE "$Pt" SET n = n + 1 WHERE pk = 'a' AND sk = 2 RETURNING ALL OLD *"#,
                r#"UPDATE "$Pt" SET n = n + 1 WHERE pk = 'a' AND sk = 2 RETURNING ALL NEW *"#,
                r#"UPDATE "$Pt" SET n = n + 1, t = 'x' WHERE pk = 'a' AND sk = 2 RETURNING MODIFIED OLD *"#,
                r#"UPDATE "$Pt" SET n = n + 1 REMOVE t WHERE pk = 'a' AND sk = 2 RETURNING MODIFIED NEW *"#,
                r#"UPDATE "$Pt" REMOVE s WHERE pk = 'a' AND sk = 2 RETURNING MODIFIED NEW *"#,
                r#"UPDATE "$Pt" SET m.b[1].c = 'z' WHERE pk = 'a' AND sk = 1 RETURNING MODIFIED NEW *"#,
                r#"UPDATE "$Pt" SET n = 1 WHERE pk = 'a' AND sk = 2 RETURNING NONE"#,
                r#"SELECT * FROM "$Pt" WHERE pk = 'a'"#,
            ],
        ),
        read_back(
            seeded("ExecuteStatement/update-missing-item", "UPDATE never creates an item: ConditionalCheckFailed")
                .step("ExecuteStatement", st(r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 9"#))
                .step(
                    "ExecuteStatement",
                    st_with(
                        r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'zz' AND sk = 1"#,
                        json!({"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
                    ),
                )
                .step("ExecuteStatement", st(r#"UPDATE "$Ph" REMOVE v WHERE pk = 'h9'"#)),
        ),
        read_back(
            seeded("ExecuteStatement/update-condition", "UPDATE with extra conditions in WHERE, failing and passing")
                .step("ExecuteStatement", st(r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 2 AND n = 999"#))
                .step(
                    "ExecuteStatement",
                    st_with(
                        r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 2 AND n = 999"#,
                        json!({"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
                    ),
                )
                .step(
                    "ExecuteStatement",
                    st_with(
                        r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 2 AND n = 999"#,
                        json!({"ReturnValuesOnConditionCheckFailure": "NONE"}),
                    ),
                )
                .step("ExecuteStatement", st(r#"UPDATE "$Pt" SET v = 2 WHERE pk = 'a' AND sk = 2 AND n = 10"#))
                .step(
                    "ExecuteStatement",
                    st(r#"UPDATE "$Pt" SET v = 3 WHERE pk = 'a' AND sk = 3 AND (n = 1 OR s = 'help')"#),
                )
                .step("ExecuteStatement", st(r#"UPDATE "$Pt" SET v = 4 WHERE pk = 'a' AND sk = 4 AND s IS MISSING"#))
                .step(
                    "ExecuteStatement",
                    st(r#"UPDATE "$Pt" SET v = 5 WHERE pk = 'a' AND sk = 5 AND attribute_exists(nope)"#),
                )
                .step(
                    "ExecuteStatement",
                    st_with(
                        r#"UPDATE "$Pt" SET v = 6 WHERE pk = 'a' AND sk = 1 AND n = ?"#,
                        json!({"Parameters": [{"N": "5"}]}),
                    ),
                ),
        ),
        read_back(statements(
            seeded("ExecuteStatement/update-key-errors", "UPDATE without the full key, or changing a key attribute"),
            &[
                r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a'"#,
                r#"UPDATE "$Pt" SET v = 1 WHERE sk = 1"#,
                r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk > 0"#,
                r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' OR sk = 1"#,
                r#"UPDATE "$Pt" SET v = 1 WHERE pk IN ['a'] AND sk = 1"#,
                r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND pk = 'b' AND sk = 1"#,
                r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = '1'"#,
                r#"UPDATE "$Pt" SET pk = 'z' WHERE pk = 'a' AND sk = 1"#,
                r#"UPDATE "$Pt" SET sk = 5 WHERE pk = 'a' AND sk = 1"#,
                r#"UPDATE "$Pt" REMOVE sk WHERE pk = 'a' AND sk = 1"#,
                r#"UPDATE "$Pt" SET g = 5 WHERE pk = 'a' AND sk = 1"#,
            ],
        )),
        read_back(statements(
            seeded(
                "ExecuteStatement/update-errors",
                "UPDATE expressions DynamoDB refuses, tables and indexes it cannot update",
            ),
            &[
                &u1("SET z = zz + 1"),
                &u1("SET z = s + 1"),
                &u1("SET v = 1 SET v = 2"),
                &u1("SET v = 1 REMOVE v"),
                &u1("SET nope.deep = 1"),
                &u1("SET v = size(s)"),
                &u1("SET v = foo(s)"),
                &u1("SET v = MISSING"),
                r#"UPDATE "$Pnone" SET v = 1 WHERE pk = 'a' AND sk = 1"#,
                r#"UPDATE "$Pt"."byG" SET v = 1 WHERE pk = 'a' AND sk = 1"#,
                r#"UPDATE "$Pt" WHERE pk = 'a' AND sk = 1"#,
            ],
        )),
    ]
}

fn delete() -> Vec<Scenario> {
    vec![
        read_back(statements(
            seeded("ExecuteStatement/delete", "DELETE an item, a missing item, a missing item under a condition"),
            &[
                r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 9 AND n = 5"#,
                r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 9 RETURNING ALL OLD *"#,
                r#"DELETE FROM "$Ph" WHERE pk = 'h1'"#,
            ],
        )),
        read_back(
            seeded("ExecuteStatement/delete-condition", "DELETE whose extra condition fails or passes")
                .step("ExecuteStatement", st(r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 2 AND n = 999"#))
                .step(
                    "ExecuteStatement",
                    st_with(
                        r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 2 AND n = 999"#,
                        json!({"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
                    ),
                )
                .step("ExecuteStatement", st(r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 3 AND s = 'help'"#))
                .step(
                    "ExecuteStatement",
                    st_with(
                        r#"DELETE FROM "$Pt" WHERE pk = ? AND sk = ?"#,
                        json!({"Parameters": [{"S": "a"}, {"N": "4"}]}),
                    ),
                ),
        ),
        read_back(statements(
            seeded("ExecuteStatement/delete-returning", "RETURNING ALL OLD * and the RETURNING clauses DELETE refuses"),
            &[
                r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 1 RETURNING ALL OLD *"#,
                r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 2 RETURNING ALL NEW *"#,
                r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 2 RETURNING MODIFIED OLD *"#,
                r#"DELETE FROM "$Ph" WHERE pk = 'h2' AND v = 2 RETURNING ALL OLD *"#,
            ],
        )),
        read_back(statements(
            seeded(
                "ExecuteStatement/delete-errors",
                "DELETE without the full key, of the wrong key type, from an index",
            ),
            &[
                r#"DELETE FROM "$Pt" WHERE pk = 'a'"#,
                r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk >= 1"#,
                r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = '1'"#,
                r#"DELETE FROM "$Pnone" WHERE pk = 'a' AND sk = 1"#,
                r#"DELETE FROM "$Pt"."byG" WHERE g = 'G1' AND sk = 1"#,
                r#"DELETE "$Pt" WHERE pk = 'a' AND sk = 1"#,
            ],
        )),
    ]
}

/// `{"Statement": ...}` entries of a batch or a transaction.
fn entries(list: &[&str]) -> Value {
    Value::Array(list.iter().map(|s| st(s)).collect())
}

fn batch_of(list: Value) -> Value {
    json!({ "Statements": list })
}

fn transaction_of(list: Value) -> Value {
    json!({ "TransactStatements": list })
}

fn capacity() -> Vec<Scenario> {
    let total = json!({"ReturnConsumedCapacity": "TOTAL"});
    let indexes = json!({"ReturnConsumedCapacity": "INDEXES"});
    vec![read_back(
        seeded("ExecuteStatement/capacity", "ReturnConsumedCapacity on reads and writes")
            .step("ExecuteStatement", st_with(r#"SELECT * FROM "$Pt" WHERE pk = 'a'"#, total.clone()))
            .step("ExecuteStatement", st_with(r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1"#, total.clone()))
            .step("ExecuteStatement", st_with(r#"SELECT pk FROM "$Pt" WHERE pk = 'zz' AND sk = 1"#, total.clone()))
            .step("ExecuteStatement", st_with(r#"SELECT * FROM "$Pt"."byG" WHERE g = 'G1'"#, indexes.clone()))
            .step(
                "ExecuteStatement",
                st_with(r#"INSERT INTO "$Pt" VALUE {'pk': 'n', 'sk': 1, 'g': 'G3'}"#, total.clone()),
            )
            .step("ExecuteStatement", st_with(r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 2"#, indexes.clone()))
            .step("ExecuteStatement", st_with(r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 3"#, total.clone()))
            .step(
                "ExecuteStatement",
                st_with(r#"SELECT pk FROM "$Pt" WHERE pk = 'a'"#, json!({"ReturnConsumedCapacity": "NONE"})),
            ),
    )]
}

fn batch() -> Vec<Scenario> {
    let mut out = vec![
        seeded("BatchExecuteStatement/reads", "single-item SELECTs: found, missing, projected, with parameters").step(
            "BatchExecuteStatement",
            batch_of(json!([
                st(r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 2"#),
                st(r#"SELECT pk, n FROM "$Pt" WHERE pk = 'a' AND sk = 3"#),
                st(r#"SELECT * FROM "$Pt" WHERE pk = 'zz' AND sk = 1"#),
                st_with(r#"SELECT * FROM "$Ph" WHERE pk = ?"#, json!({"Parameters": [{"S": "h1"}]})),
                st(r#"SELECT nope FROM "$Pt" WHERE pk = 'b' AND sk = 1"#),
                st_with(r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 4"#, json!({"ConsistentRead": true})),
                st(r#"SELECT s, n FROM "$Pt" WHERE pk = 'a' AND sk = 1 ORDER BY sk"#),
            ])),
        ),
        seeded("BatchExecuteStatement/read-errors", "per-statement errors of reads beside good ones").step(
            "BatchExecuteStatement",
            batch_of(entries(&[
                r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 2"#,
                r#"SELEC * FROM "$Ph""#,
                r#"SELECT * FROM "$Ph" WHERE pk = 1"#,
                r#"SELECT * FROM "$Ph" WHERE pk = ?"#,
                r#"SELECT * FROM "$Ph" WHERE pk = 'h3'"#,
            ])),
        ),
        {
            // DynamoDB's words, captured against it by paritysuite and
            // nubo-db/dynamodb-conformance (known.json: partiql-batch-select-message).
            let refused = json!({"Error": {"Code": "ValidationError", "Message": "Select statements within BatchExecuteStatement must specify the primary key in the where clause."}});
            let found = with(key("a", 2), json!({"g": {"S": "G1"}, "n": {"N": "10"}, "s": {"S": "world"}}));
            seeded(
                "BatchExecuteStatement/read-not-single-item",
                "a SELECT of a batch names one item by its full key and nothing else",
            )
            .expect(
                "BatchExecuteStatement",
                batch_of(entries(&[
                    r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 2"#,
                    r#"SELECT * FROM "$Pt" WHERE pk = 'a'"#,
                    r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1 AND n = 5"#,
                    r#"SELECT * FROM "$Pt"."byG" WHERE g = 'G1' AND sk = 1"#,
                    r#"SELECT * FROM "$Ph""#,
                ])),
                Expect::ok(
                    json!({"Responses": [{"Item": found, "TableName": "$Pt"}, refused, refused, refused, refused]}),
                ),
            )
        },
        seeded("BatchExecuteStatement/missing-table", "a statement on a missing table fails alone")
            .step("BatchExecuteStatement", batch_of(entries(&[r#"SELECT * FROM "$Pnone" WHERE pk = 'a'"#])))
            .step("BatchExecuteStatement", batch_of(entries(&[r#"INSERT INTO "$Pnone" VALUE {'pk': 'x'}"#])))
            .step("Scan", json!({"TableName": "$Ph"})),
        seeded("BatchExecuteStatement/exists", "EXISTS belongs to transactions: refused per statement in a batch")
            .step(
                "BatchExecuteStatement",
                batch_of(entries(&[r#"EXISTS(SELECT * FROM "$Ph" WHERE pk = 'h2' AND v = 2)"#])),
            )
            .step(
                "BatchExecuteStatement",
                batch_of(entries(&[
                    r#"SELECT * FROM "$Ph" WHERE pk = 'h1'"#,
                    r#"EXISTS(SELECT * FROM "$Ph" WHERE pk = 'h2' AND v = 2)"#,
                ])),
            ),
        seeded("BatchExecuteStatement/read-nested-paths", "batch and transaction SELECTs of nested paths")
            .step(
                "BatchExecuteStatement",
                batch_of(entries(&[
                    r#"SELECT m.b FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                    r#"SELECT m.b[0].c, l[1] FROM "$Pt" WHERE pk = 'a' AND sk = 2"#,
                ])),
            )
            .step(
                "BatchExecuteStatement",
                batch_of(entries(&[r#"SELECT m.b[0].c, l[1] FROM "$Pt" WHERE pk = 'a' AND sk = 1"#])),
            )
            .step(
                "ExecuteTransaction",
                transaction_of(entries(&[
                    r#"SELECT m.b FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                    r#"SELECT m.b[0].c, l[1] FROM "$Pt" WHERE pk = 'a' AND sk = 2"#,
                ])),
            )
            .step(
                "ExecuteTransaction",
                transaction_of(entries(&[r#"SELECT m.b[0].c, l[1] FROM "$Pt" WHERE pk = 'a' AND sk = 1"#])),
            ),
        read_back(seeded("BatchExecuteStatement/writes", "INSERT, UPDATE and DELETE on both tables, RETURNING").step(
            "BatchExecuteStatement",
            batch_of(json!([
                st(r#"INSERT INTO "$Pt" VALUE {'pk': 'n', 'sk': 1, 'v': 'new'}"#),
                st(r#"UPDATE "$Pt" SET v = 1, n = n + 1 WHERE pk = 'a' AND sk = 1"#),
                st(r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 2"#),
                st_with(
                    r#"INSERT INTO "$Ph" VALUE {'pk': ?, 'v': ?}"#,
                    json!({"Parameters": [{"S": "h4"}, {"N": "4"}]})
                ),
                st(r#"UPDATE "$Ph" SET v = 20 WHERE pk = 'h2' RETURNING ALL NEW *"#),
                st(r#"DELETE FROM "$Ph" WHERE pk = 'h3' RETURNING ALL OLD *"#),
                st(r#"DELETE FROM "$Ph" WHERE pk = 'h9'"#),
                st(r#"UPDATE "$Pt" REMOVE s WHERE pk = 'c' AND sk = 1 RETURNING MODIFIED NEW *"#),
            ])),
        )),
        read_back(
            seeded(
                "BatchExecuteStatement/write-errors",
                "per-statement errors of writes: duplicates, conditions, keys, syntax",
            )
            .step(
                "BatchExecuteStatement",
                batch_of(json!([
                    st(r#"INSERT INTO "$Pt" VALUE {'pk': 'a', 'sk': 1}"#),
                    st(r#"INSERT INTO "$Pt" VALUE {'pk': 'n', 'sk': 1}"#),
                    st(r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 2 AND n = 999"#),
                    st_with(
                        r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 3 AND n = 999"#,
                        json!({"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
                    ),
                    st(r#"INSERT INTO "$Ph" VALUE {'pk': 1}"#),
                    st(r#"DELETE FROM "$Pt" WHERE pk = 'b' AND sk = 1"#),
                    st(r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'zz' AND sk = 1"#),
                    st_with(
                        r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 4 AND n = 999"#,
                        json!({"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
                    ),
                    st(r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'c'"#),
                    st(r#"INSERT INTO "$Ph" VALUE {'pk': 'h1'}"#),
                    st(r#"UPDATE "$Ph" SET v = v + 10 WHERE pk = 'h2'"#),
                    st(r#"INSERT INTO "$Ph" VALUE"#),
                    st(r#"DELETE FROM "$Pt" WHERE pk = 'b' AND sk = 2 RETURNING MODIFIED OLD *"#),
                ])),
            ),
        ),
        read_back(
            seeded("BatchExecuteStatement/mixed", "reads and writes may not share a batch")
                .step(
                    "BatchExecuteStatement",
                    batch_of(entries(&[
                        r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                        r#"INSERT INTO "$Ph" VALUE {'pk': 'h4'}"#,
                    ])),
                )
                .step(
                    "BatchExecuteStatement",
                    batch_of(entries(&[
                        r#"UPDATE "$Ph" SET v = 0 WHERE pk = 'h1'"#,
                        r#"SELECT * FROM "$Pt" WHERE pk = 'a'"#,
                    ])),
                ),
        ),
        seeded("BatchExecuteStatement/duplicate-reads", "one item read twice").step(
            "BatchExecuteStatement",
            batch_of(entries(&[
                r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                r#"SELECT * FROM "$Pt" WHERE pk = 'b' AND sk = 1"#,
                r#"SELECT pk FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
            ])),
        ),
        read_back(seeded("BatchExecuteStatement/duplicate-writes", "one item written twice").step(
            "BatchExecuteStatement",
            batch_of(entries(&[
                r#"INSERT INTO "$Ph" VALUE {'pk': 'h4', 'v': 1}"#,
                r#"UPDATE "$Ph" SET v = 10 WHERE pk = 'h1'"#,
                r#"UPDATE "$Ph" SET v = 2 WHERE pk = 'h4'"#,
            ])),
        )),
        seeded("BatchExecuteStatement/empty", "no statements, an empty statement")
            .step("BatchExecuteStatement", batch_of(json!([])))
            .step("BatchExecuteStatement", batch_of(json!([{"Statement": ""}])))
            .step("BatchExecuteStatement", json!({})),
        seeded("BatchExecuteStatement/26-statements", "at most 25 statements").step(
            "BatchExecuteStatement",
            batch_of(Value::Array((0..26).map(|i| st(&format!(r#"SELECT * FROM "$Ph" WHERE pk = 'k{i}'"#))).collect())),
        ),
        seeded("BatchExecuteStatement/25-statements", "25 statements are fine").step(
            "BatchExecuteStatement",
            batch_of(Value::Array((0..25).map(|i| st(&format!(r#"SELECT * FROM "$Ph" WHERE pk = 'h{i}'"#))).collect())),
        ),
        read_back(
            seeded("BatchExecuteStatement/capacity", "ReturnConsumedCapacity of reads and writes")
                .step(
                    "BatchExecuteStatement",
                    with(
                        batch_of(entries(&[
                            r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                            r#"SELECT * FROM "$Ph" WHERE pk = 'h1'"#,
                            r#"SELECT * FROM "$Ph" WHERE pk = 'h9'"#,
                        ])),
                        json!({"ReturnConsumedCapacity": "TOTAL"}),
                    ),
                )
                .step(
                    "BatchExecuteStatement",
                    with(
                        batch_of(entries(&[
                            r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 1"#,
                            r#"INSERT INTO "$Ph" VALUE {'pk': 'h4'}"#,
                        ])),
                        json!({"ReturnConsumedCapacity": "INDEXES"}),
                    ),
                ),
        ),
    ];
    out.extend(capacity());
    out
}

fn transaction() -> Vec<Scenario> {
    let tx = |list: &[&str]| transaction_of(entries(list));
    let token_update = r#"UPDATE "$Pt" SET n = n + 1 WHERE pk = 'a' AND sk = 1"#;
    vec![
        read_back(
            seeded("ExecuteTransaction/writes", "INSERT, UPDATE and DELETE on both tables commit together").step(
                "ExecuteTransaction",
                transaction_of(json!([
                    st(r#"UPDATE "$Pt" SET v = 1, n = n + 1 WHERE pk = 'a' AND sk = 1"#),
                    st(r#"INSERT INTO "$Ph" VALUE {'pk': 'h4', 'v': 4}"#),
                    st(r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 2"#),
                    st_with(
                        r#"INSERT INTO "$Pt" VALUE {'pk': ?, 'sk': ?}"#,
                        json!({"Parameters": [{"S": "n"}, {"N": "1"}]})
                    ),
                    st(r#"DELETE FROM "$Ph" WHERE pk = 'h9' AND v = 1"#),
                ])),
            ),
        ),
        seeded("ExecuteTransaction/reads", "SELECTs of single items, found or not, projected").step(
            "ExecuteTransaction",
            transaction_of(json!([
                st(r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1"#),
                st(r#"SELECT n, s FROM "$Pt" WHERE pk = 'a' AND sk = 2"#),
                st(r#"SELECT * FROM "$Pt" WHERE pk = 'zz' AND sk = 1"#),
                st_with(r#"SELECT * FROM "$Ph" WHERE pk = ?"#, json!({"Parameters": [{"S": "h1"}]})),
            ])),
        ),
        seeded("ExecuteTransaction/read-errors", "SELECTs a transaction refuses")
            .step("ExecuteTransaction", tx(&[r#"SELECT * FROM "$Pt" WHERE pk = 'a'"#]))
            .step("ExecuteTransaction", tx(&[r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1 AND n = 5"#]))
            .step("ExecuteTransaction", tx(&[r#"SELECT * FROM "$Pt"."byG" WHERE g = 'G1' AND sk = 1"#]))
            .step(
                "ExecuteTransaction",
                tx(&[
                    r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                    r#"SELECT pk FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                ]),
            )
            .step(
                "ExecuteTransaction",
                tx(&[r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1"#, r#"SELECT * FROM "$Pnone" WHERE pk = 'a'"#]),
            ),
        read_back(
            seeded("ExecuteTransaction/mixed", "reads and writes may not share a transaction")
                .step(
                    "ExecuteTransaction",
                    tx(&[
                        r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1"#,
                        r#"UPDATE "$Ph" SET v = 0 WHERE pk = 'h1'"#,
                    ]),
                )
                .step(
                    "ExecuteTransaction",
                    tx(&[
                        r#"EXISTS(SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1 AND n = 5)"#,
                        r#"SELECT * FROM "$Ph" WHERE pk = 'h1'"#,
                    ]),
                ),
        ),
        read_back(
            seeded(
                "ExecuteTransaction/condition-fails",
                "a failed condition cancels every statement, reasons in order",
            )
            .step(
                "ExecuteTransaction",
                transaction_of(json!([
                    st(r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 1"#),
                    st(r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 2 AND n = 999"#),
                    st_with(
                        r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 3 AND n = 999"#,
                        json!({"ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
                    ),
                    st(r#"INSERT INTO "$Ph" VALUE {'pk': 'h4'}"#),
                ])),
            ),
        ),
        read_back(
            seeded("ExecuteTransaction/duplicate-insert", "an INSERT of an existing item cancels the transaction")
                .step(
                    "ExecuteTransaction",
                    tx(&[
                        r#"INSERT INTO "$Ph" VALUE {'pk': 'h1', 'v': 9}"#,
                        r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 2"#,
                    ]),
                )
                .step(
                    "ExecuteTransaction",
                    tx(&[
                        r#"INSERT INTO "$Ph" VALUE {'pk': 'h2'}"#,
                        r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 2 AND n = 999"#,
                    ]),
                ),
        ),
        read_back(
            seeded(
                "ExecuteTransaction/update-missing-item",
                "UPDATE of a missing item cancels; DELETE of one does not",
            )
            .step(
                "ExecuteTransaction",
                tx(&[
                    r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'zz' AND sk = 1"#,
                    r#"UPDATE "$Ph" SET v = 0 WHERE pk = 'h1'"#,
                ]),
            )
            .step(
                "ExecuteTransaction",
                tx(&[
                    r#"DELETE FROM "$Pt" WHERE pk = 'zz' AND sk = 1 AND n = 1"#,
                    r#"UPDATE "$Ph" SET v = 0 WHERE pk = 'h2'"#,
                ]),
            ),
        ),
        read_back(
            seeded("ExecuteTransaction/exists", "EXISTS condition checks: passing, failing, malformed")
                .step(
                    "ExecuteTransaction",
                    tx(&[
                        r#"EXISTS(SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1 AND n = 5)"#,
                        r#"UPDATE "$Ph" SET v = 10 WHERE pk = 'h1'"#,
                    ]),
                )
                .step(
                    "ExecuteTransaction",
                    tx(&[
                        r#"EXISTS(SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1 AND n = 999)"#,
                        r#"UPDATE "$Ph" SET v = 20 WHERE pk = 'h2'"#,
                    ]),
                )
                .step(
                    "ExecuteTransaction",
                    tx(&[
                        r#"EXISTS(SELECT * FROM "$Pt" WHERE pk = 'zz' AND sk = 1 AND n IS MISSING)"#,
                        r#"UPDATE "$Ph" SET v = 30 WHERE pk = 'h3'"#,
                    ]),
                )
                .step(
                    "ExecuteTransaction",
                    transaction_of(json!([
                        st_with(
                            r#"EXISTS(SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 2 AND n = 999)"#,
                            json!({"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
                        ),
                        st(r#"UPDATE "$Ph" SET v = 40 WHERE pk = 'h3'"#),
                    ])),
                )
                .step(
                    "ExecuteTransaction",
                    tx(&[
                        r#"EXISTS(SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1)"#,
                        r#"UPDATE "$Ph" SET v = 50 WHERE pk = 'h3'"#,
                    ]),
                )
                .step(
                    "ExecuteTransaction",
                    tx(&[
                        r#"NOT EXISTS(SELECT * FROM "$Pt" WHERE pk = 'zz' AND sk = 1)"#,
                        r#"UPDATE "$Ph" SET v = 60 WHERE pk = 'h3'"#,
                    ]),
                )
                .step(
                    "ExecuteTransaction",
                    tx(&[
                        r#"EXISTS(SELECT * FROM "$Pt"."byG" WHERE g = 'G1' AND sk = 1 AND n = 5)"#,
                        r#"UPDATE "$Ph" SET v = 70 WHERE pk = 'h3'"#,
                    ]),
                )
                .step(
                    "ExecuteTransaction",
                    tx(&[
                        r#"EXISTS(SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1 AND n = 5)"#,
                        r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 1"#,
                    ]),
                ),
        ),
        // Tokens are the server's, not a table's: `$P` makes them the run's own
        // (other scenarios replay theirs within the 10-minute window).
        seeded(
            "ExecuteTransaction/client-request-token",
            "a replayed token is not applied again; a reused token with other statements is refused",
        )
        .step("ExecuteTransaction", with(tx(&[token_update]), json!({"ClientRequestToken": "$Ptoken-1"})))
        .step("ExecuteTransaction", with(tx(&[token_update]), json!({"ClientRequestToken": "$Ptoken-1"})))
        .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1)}))
        .step(
            "ExecuteTransaction",
            with(
                tx(&[r#"UPDATE "$Pt" SET n = n + 100 WHERE pk = 'a' AND sk = 1"#]),
                json!({"ClientRequestToken": "$Ptoken-1"}),
            ),
        )
        .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1)}))
        .step("ExecuteTransaction", with(tx(&[token_update]), json!({"ClientRequestToken": "$Ptoken-2"})))
        .step("GetItem", json!({"TableName": "$Pt", "Key": key("a", 1)})),
        read_back(
            seeded("ExecuteTransaction/returning", "RETURNING is not supported in a transaction")
                .step(
                    "ExecuteTransaction",
                    tx(&[r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *"#]),
                )
                .step(
                    "ExecuteTransaction",
                    tx(&[r#"DELETE FROM "$Pt" WHERE pk = 'a' AND sk = 1 RETURNING ALL OLD *"#]),
                ),
        ),
        seeded("ExecuteTransaction/empty", "no statements, an entry without a statement")
            .step("ExecuteTransaction", transaction_of(json!([])))
            .step("ExecuteTransaction", transaction_of(json!([{}])))
            .step("ExecuteTransaction", json!({})),
        read_back(
            seeded(
                "ExecuteTransaction/errors",
                "syntax errors, missing tables, parameters, key types, one item twice, 101 statements",
            )
            .step(
                "ExecuteTransaction",
                tx(&[r#"UPDATE "$Ph" SET v = 0 WHERE pk = 'h1'"#, r#"UPDAT "$Ph" SET v = 0 WHERE pk = 'h2'"#]),
            )
            .step(
                "ExecuteTransaction",
                tx(&[r#"UPDATE "$Ph" SET v = 0 WHERE pk = 'h1'"#, r#"INSERT INTO "$Pnone" VALUE {'pk': 'x'}"#]),
            )
            .step("ExecuteTransaction", tx(&[r#"UPDATE "$Ph" SET v = ? WHERE pk = 'h1'"#]))
            .step(
                "ExecuteTransaction",
                tx(&[r#"UPDATE "$Ph" SET v = 0 WHERE pk = 'h1'"#, r#"INSERT INTO "$Ph" VALUE {'pk': 1}"#]),
            )
            .step(
                "ExecuteTransaction",
                tx(&[r#"UPDATE "$Ph" SET v = 0 WHERE pk = 'h1'"#, r#"UPDATE "$Ph" SET w = 0 WHERE pk = 'h1'"#]),
            )
            .step(
                "ExecuteTransaction",
                tx(&[r#"UPDATE "$Ph" SET v = 0 WHERE pk = 'h1'"#, r#"UPDATE "$Ph" SET v = nope + 1 WHERE pk = 'h2'"#]),
            )
            .step(
                "ExecuteTransaction",
                transaction_of(Value::Array(
                    (0..101).map(|i| st(&format!(r#"INSERT INTO "$Ph" VALUE {{'pk': 'k{i}'}}"#))).collect(),
                )),
            ),
        ),
        seeded("ExecuteTransaction/capacity", "ReturnConsumedCapacity of read and write transactions")
            .step(
                "ExecuteTransaction",
                with(
                    tx(&[r#"SELECT * FROM "$Pt" WHERE pk = 'a' AND sk = 1"#, r#"SELECT * FROM "$Ph" WHERE pk = 'h1'"#]),
                    json!({"ReturnConsumedCapacity": "TOTAL"}),
                ),
            )
            .step(
                "ExecuteTransaction",
                with(
                    tx(&[
                        r#"UPDATE "$Pt" SET v = 1 WHERE pk = 'a' AND sk = 1"#,
                        r#"INSERT INTO "$Ph" VALUE {'pk': 'h4'}"#,
                    ]),
                    json!({"ReturnConsumedCapacity": "INDEXES"}),
                ),
            )
            .step("Scan", json!({"TableName": "$Ph"})),
    ]
}
