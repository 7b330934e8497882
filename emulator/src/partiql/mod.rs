//! PartiQL, DynamoDB's SQL-compatible language: the statements of
//! ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.
//!
//! `parser` reads a statement (a `nom` grammar) into `ast`; `lower` turns
//! its expressions into the `expr` module's trees, so a statement is checked,
//! evaluated and applied by the same code as the native operations; `plan`
//! decides how a statement reaches its items (a key, a key range, a scan).
//! `ops::statements` runs them against the tables.

pub mod ast;
pub mod lower;
pub mod parser;
pub mod plan;

use crate::error::{ApiError, ApiResult};
pub use ast::Statement;

/// DynamoDB's limit on the length of one statement, in characters.
pub const MAX_STATEMENT_LENGTH: usize = 8192;

/// DynamoDB's answer to a statement it cannot read: the statement echoed.
pub fn not_well_formed(text: &str) -> ApiError {
    ApiError::validation(format!("Statement wasn't well formed, can't be processed: {text}"))
}

/// Parses a statement and checks what the grammar alone cannot: clauses
/// DynamoDB does not support in a statement of that kind.
pub fn parse_statement(text: &str) -> ApiResult<Statement> {
    let scan = parser::scan(text);
    if scan.unterminated {
        return Err(not_well_formed(text));
    }
    if scan.depth > parser::MAX_NESTING {
        return Err(ApiError::validation(format!(
            "Statement wasn't well formed, can't be processed: nesting deeper than {} levels",
            parser::MAX_NESTING
        )));
    }
    let statement = parser::parse(text).map_err(|_| unsupported(text))?;
    check(&statement, text)?;
    Ok(statement)
}

/// The number of `?` parameters a statement takes.
pub fn parameter_count(text: &str) -> usize {
    parser::scan(text).parameters.len()
}

/// Why a statement that does not parse was refused: DynamoDB names some
/// constructs it does not support; anything else is not well formed.
fn unsupported(text: &str) -> ApiError {
    let words: Vec<String> = text.split_whitespace().take(2).map(str::to_ascii_uppercase).collect();
    let first = words.first().map(String::as_str).unwrap_or("");
    match (first, words.get(1).map(String::as_str)) {
        ("NOT", Some(next)) if next.starts_with("EXISTS") => {
            return ApiError::validation("Unsupported operation in transaction.")
        }
        ("CREATE", Some("TABLE")) => return ApiError::validation("Unsupported operation: CreateTable"),
        ("DROP", Some("TABLE")) => return ApiError::validation("Unsupported operation: DropTable"),
        _ => {}
    }
    if matches!(first, "UPDATE" | "DELETE") && returning_without_star(text) {
        return ApiError::validation("Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause");
    }
    if let Some(operator) = unsupported_condition_operator(text) {
        return ApiError::validation(format!("Unsupported operator in Condition Expression. Operator: {operator}"));
    }
    if first == "SELECT" {
        let upper = text.to_ascii_uppercase();
        if words.get(1).is_some_and(|w| w == "DISTINCT") {
            return ApiError::validation("Unsupported token in expression: DISTINCT");
        }
        if words.get(1).is_some_and(|w| w == "VALUE") {
            return ApiError::validation("Select projection doesn't support value or pivot keywords");
        }
        if upper.contains(" GROUP BY ") {
            return ApiError::validation("Unsupported clause: GROUP BY");
        }
        if let Some(rest) = parser::after_select_source(text) {
            let next = rest.trim_start();
            let word = next.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').next().unwrap_or("");
            if next.starts_with(',') || word.eq_ignore_ascii_case("join") {
                return ApiError::validation("Only select from a single table or index is supported.");
            }
            let clause = ["where", "order", "limit", "offset", "group", "having", "union"];
            if !word.is_empty() && !clause.iter().any(|c| word.eq_ignore_ascii_case(c)) {
                return ApiError::validation("Aliasing is not supported");
            }
        }
    }
    not_well_formed(text)
}

/// A RETURNING clause naming what to return (`ALL OLD`, `MODIFIED NEW`...)
/// with something other than `*` after it.
fn returning_without_star(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(3).enumerate().any(|(i, w)| {
        w[0].eq_ignore_ascii_case("returning")
            && (w[1].eq_ignore_ascii_case("all") || w[1].eq_ignore_ascii_case("modified"))
            && (w[2].eq_ignore_ascii_case("old") || w[2].eq_ignore_ascii_case("new"))
            && !words.get(i + 3).is_some_and(|next| next.starts_with('*'))
    })
}

/// An operator of SQL's that DynamoDB does not evaluate (`LIKE`, `||`) in a
/// WHERE clause, outside quoted text.
fn unsupported_condition_operator(text: &str) -> Option<&'static str> {
    let mut unquoted = String::with_capacity(text.len());
    let mut quote = None;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None => unquoted.push(c),
        }
        if quote.is_some() || c == '\'' || c == '"' {
            unquoted.push(' ');
        }
    }
    let words: Vec<&str> = unquoted.split_whitespace().collect();
    let start = words.iter().position(|w| w.eq_ignore_ascii_case("where"))?;
    let condition = &words[start + 1..];
    if condition.iter().any(|w| w.eq_ignore_ascii_case("like")) {
        Some("like")
    } else if condition.iter().any(|w| w.contains("||")) {
        Some("||")
    } else {
        None
    }
}

fn check(statement: &Statement, text: &str) -> ApiResult<()> {
    use ast::Returning;
    let at = |message: &str, span: ast::Span| ApiError::validation(format!("{message} at {}", span.describe(text)));
    if let Statement::Select(select) | Statement::Exists(select) = statement {
        if let Some(span) = select.not_a_path {
            return Err(at("Unexpected path component", span));
        }
        if let Some(span) = select.limit {
            return Err(at("Unsupported clause: LIMIT", span));
        }
    }
    match statement {
        Statement::Insert(insert) if insert.returning => {
            Err(ApiError::validation("RETURNING is not supported in INSERT"))
        }
        Statement::Insert(insert) if insert.source.index.is_some() => Err(ApiError::validation(
            "FROM clause may only contain a single table name in data manipulation statements",
        )),
        Statement::Update(ast::Update { source, .. }) | Statement::Delete(ast::Delete { source, .. })
            if source.index.is_some() =>
        {
            Err(ApiError::validation("This operation is not supported on an index"))
        }
        Statement::Delete(delete) => match delete.returning {
            None | Some(Returning::AllOld) => Ok(()),
            Some(other) => Err(ApiError::validation(format!(
                "Invalid returning clause: RETURNING {}. Only RETURNING ALL OLD * is allowed in DELETE statements.",
                returning_text(other)
            ))),
        },
        _ => Ok(()),
    }
}

fn returning_text(returning: ast::Returning) -> &'static str {
    match returning {
        ast::Returning::AllOld => "ALL OLD *",
        ast::Returning::AllNew => "ALL NEW *",
        ast::Returning::ModifiedOld => "MODIFIED OLD *",
        ast::Returning::ModifiedNew => "MODIFIED NEW *",
    }
}

/// The table a statement names, if it parses (fault rules match calls by table).
pub fn table_of(text: &str) -> Option<String> {
    parse_statement(text).ok().map(|s| s.source().table.clone())
}
