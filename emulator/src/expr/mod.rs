//! DynamoDB expressions: ConditionExpression / FilterExpression,
//! KeyConditionExpression, UpdateExpression and ProjectionExpression.
//!
//! A request's expressions are read in three steps:
//! 1. `request::read_attributes` takes the request's
//!    `ExpressionAttributeNames` / `ExpressionAttributeValues`;
//! 2. `parse_*` turns each expression into a checked tree (syntax, then
//!    placeholders, reserved words, functions, operand types), recording
//!    which names and values it used;
//! 3. [`ExpressionAttributes::check_all_used`] rejects unused entries.
//!
//! Then [`eval::evaluate`] tests a condition against an item,
//! [`update::apply`] applies an update, [`projection::project`] projects.
//! Every failure is a ValidationException with DynamoDB's message.

pub mod ast;
pub mod eval;
pub mod keycond;
pub mod legacy;
pub mod names;
pub mod projection;
pub mod request;
pub mod reserved;
pub mod resolve;
pub mod syntax;
pub mod update;

pub use ast::{Condition, DocPath, Projection, UpdateExpression};
pub use names::ExpressionAttributes;

use crate::error::{ApiError, ApiResult};
use resolve::Resolver;
use syntax::{describe_syntax_error, Parser, SyntaxError};

/// DynamoDB's limit on the size of one expression, in bytes.
pub const MAX_EXPRESSION_BYTES: usize = 4096;

/// Which request parameter an expression came from (used in messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpressionKind {
    Condition,
    Filter,
    KeyCondition,
    Update,
    Projection,
    /// SearchVectors' `SearchConditionExpression`.
    SearchCondition,
}

impl ExpressionKind {
    pub fn label(self) -> &'static str {
        match self {
            ExpressionKind::Condition => "ConditionExpression",
            ExpressionKind::Filter => "FilterExpression",
            ExpressionKind::KeyCondition => "KeyConditionExpression",
            ExpressionKind::Update => "UpdateExpression",
            ExpressionKind::Projection => "ProjectionExpression",
            ExpressionKind::SearchCondition => "SearchConditionExpression",
        }
    }
}

fn invalid(kind: ExpressionKind, reason: impl AsRef<str>) -> ApiError {
    ApiError::validation(format!("Invalid {}: {}", kind.label(), reason.as_ref()))
}

/// Checks common to every expression before it is parsed.
fn check_text(kind: ExpressionKind, src: &str) -> ApiResult<()> {
    if src.is_empty() {
        return Err(invalid(kind, "The expression can not be empty;"));
    }
    if src.len() > MAX_EXPRESSION_BYTES {
        return Err(invalid(
            kind,
            format!("Expression size has exceeded the maximum allowed size; expression size: {}", src.len()),
        ));
    }
    Ok(())
}

fn syntax_error(kind: ExpressionKind, parser: &Parser, src: &str, error: SyntaxError) -> ApiError {
    if parser.too_deep {
        // Nesting this deep needs more than 300 operators, unless parentheses
        // are stacked directly, which DynamoDB calls redundant.
        if src.replace(char::is_whitespace, "").contains("((") {
            return invalid(kind, "The expression has redundant parentheses;");
        }
        return invalid(
            kind,
            format!("The expression contains too many operators; operator count: {}", resolve::MAX_OPERATORS + 1),
        );
    }
    invalid(kind, describe_syntax_error(src, parser.tokens(), error.index))
}

/// Parses a condition (ConditionExpression, FilterExpression or
/// KeyConditionExpression; `kind` only changes the messages).
pub fn parse_condition(kind: ExpressionKind, src: &str, attrs: &mut ExpressionAttributes) -> ApiResult<Condition> {
    check_text(kind, src)?;
    let mut parser = Parser::new(src);
    let raw = parser.condition().map_err(|e| syntax_error(kind, &parser, src, e))?;
    Resolver::new(kind.label(), attrs).condition(&raw)
}

/// Parses a KeyConditionExpression and narrows it to `schema` (the table's
/// or the queried index's key schema).
#[cfg(test)]
pub fn parse_key_condition(
    src: &str,
    attrs: &mut ExpressionAttributes,
    schema: &crate::types::KeySchema,
) -> ApiResult<keycond::KeyCondition> {
    let condition = parse_condition(ExpressionKind::KeyCondition, src, attrs)?;
    keycond::key_condition(&condition, schema)
}

/// Parses an UpdateExpression (key attributes are checked by the caller,
/// which knows the schema: see [`update::check_key_attributes`]).
pub fn parse_update(src: &str, attrs: &mut ExpressionAttributes) -> ApiResult<UpdateExpression> {
    let kind = ExpressionKind::Update;
    check_text(kind, src)?;
    let mut parser = Parser::new(src);
    let raw = parser.update().map_err(|e| syntax_error(kind, &parser, src, e))?;
    Resolver::new(kind.label(), attrs).update(&raw)
}

/// Parses a ProjectionExpression.
pub fn parse_projection(src: &str, attrs: &mut ExpressionAttributes) -> ApiResult<Projection> {
    let kind = ExpressionKind::Projection;
    check_text(kind, src)?;
    let mut parser = Parser::new(src);
    let raw = parser.projection().map_err(|e| syntax_error(kind, &parser, src, e))?;
    Resolver::new(kind.label(), attrs).projection(&raw)
}

#[cfg(test)]
mod tests;
