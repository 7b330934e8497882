//! The PartiQL grammar DynamoDB accepts, written with `nom` combinators over
//! the statement text. Recursion only happens through brackets (`( [ { <<`);
//! [`scan`] measures their nesting before parsing starts, so a statement can
//! never nest deeper than [`MAX_NESTING`] and the parser's stack stays small.
//! `NOT` chains and `+`/`-` chains are read in loops.

use super::ast::*;
use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_while};
use nom::character::complete::{char, digit1, multispace0, satisfy};
use nom::combinator::{eof, map, not, opt, recognize, value, verify};
use nom::multi::{many0, many1, separated_list0, separated_list1};
use nom::sequence::{delimited, pair, preceded, terminated};
use nom::{IResult, Parser};

/// How deeply brackets may nest in one statement.
pub const MAX_NESTING: usize = 64;

type Res<'a, T> = IResult<&'a str, T>;

thread_local! {
    /// The address of the statement being parsed: spans are offsets from it.
    static BASE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The span of the token `at` starts with (after blanks).
fn token_span(at: &str) -> Span {
    let at = blank(at).map_or(at, |(rest, _)| rest);
    let start = (at.as_ptr() as usize).saturating_sub(BASE.with(|b| b.get()));
    let len = match at.chars().next() {
        Some(quote @ ('\'' | '"')) => {
            let mut chars = at.chars().skip(1).peekable();
            let mut n = 1;
            while let Some(c) = chars.next() {
                n += 1;
                if c == quote {
                    if chars.peek() == Some(&quote) {
                        chars.next();
                        n += 1;
                        continue;
                    }
                    break;
                }
            }
            n
        }
        Some(c) if is_word_char(c) || c == '.' => at.chars().take_while(|c| is_word_char(*c) || *c == '.').count(),
        Some(_) if at.starts_with("<<") || at.starts_with(">>") => 2,
        Some(_) => 1,
        None => 0,
    };
    Span { start, len }
}

/// Words that cannot be bare identifiers (quote them: `"value"`).
const KEYWORDS: &[&str] = &[
    "and",
    "asc",
    "between",
    "by",
    "delete",
    "desc",
    "exists",
    "false",
    "from",
    "in",
    "insert",
    "into",
    "is",
    "missing",
    "modified",
    "new",
    "not",
    "null",
    "old",
    "or",
    "order",
    "remove",
    "returning",
    "select",
    "set",
    "true",
    "update",
    "value",
    "values",
    "where",
    "all",
];

/// What the lexical pre-pass found.
pub struct Scan {
    /// Byte offsets of the `?` parameters, in order.
    pub parameters: Vec<usize>,
    /// The deepest bracket nesting.
    pub depth: usize,
    /// A string or quoted identifier is not closed.
    pub unterminated: bool,
}

/// Walks the statement once, skipping quoted text: parameter positions and
/// bracket depth.
pub fn scan(text: &str) -> Scan {
    let bytes = text.as_bytes();
    let mut out = Scan { parameters: Vec::new(), depth: 0, unterminated: false };
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"') => {
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => {
                            out.unterminated = true;
                            return out;
                        }
                        Some(&b) if b == quote => {
                            if bytes.get(i + 1) == Some(&quote) {
                                i += 2;
                                continue;
                            }
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                // A comment to the end of the line.
                i = text[i..].find('\n').map_or(bytes.len(), |end| i + end);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(bytes.len(), |end| i + 2 + end + 1);
            }
            b'?' => out.parameters.push(i),
            b'(' | b'[' | b'{' => depth += 1,
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 1;
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            _ => {}
        }
        out.depth = out.depth.max(depth);
        i += 1;
    }
    out
}

/// Parses one statement; on failure, the byte offset where parsing stopped.
/// Callers check [`scan`] first (nesting, unterminated quotes).
pub fn parse(text: &str) -> Result<Statement, usize> {
    BASE.with(|b| b.set(text.as_ptr() as usize));
    let parsed = (statement, blank, opt(char(';')), blank, eof).parse(text);
    match parsed {
        Ok((_, (statement, ..))) => Ok(renumber(statement, text)),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(text.len() - e.input.len()),
        Err(nom::Err::Incomplete(_)) => Err(text.len()),
    }
}

/// Parameters are parsed holding their byte offset; number them in order.
fn renumber(mut statement: Statement, text: &str) -> Statement {
    let offsets = scan(text).parameters;
    let start = text.as_ptr() as usize;
    let index = |pointer: usize| offsets.iter().position(|o| *o == pointer - start).unwrap_or(usize::MAX);
    visit_statement(&mut statement, &mut |e| {
        if let Expr::Parameter(p, _) = e {
            *p = index(*p);
        }
    });
    statement
}

fn visit_statement(statement: &mut Statement, f: &mut impl FnMut(&mut Expr)) {
    match statement {
        Statement::Select(s) | Statement::Exists(s) => {
            if let Some(filter) = &mut s.filter {
                visit(filter, f);
            }
        }
        Statement::Insert(s) => visit(&mut s.value, f),
        Statement::Update(s) => {
            for action in &mut s.actions {
                if let UpdateAction::Set(_, e) = action {
                    visit(e, f);
                }
            }
            if let Some(filter) = &mut s.filter {
                visit(filter, f);
            }
        }
        Statement::Delete(s) => {
            if let Some(filter) = &mut s.filter {
                visit(filter, f);
            }
        }
    }
}

/// Visits every expression node; depth is bounded by [`MAX_NESTING`] (and
/// `NOT`/`AND`/`OR` chains are flat).
pub fn visit(expr: &mut Expr, f: &mut impl FnMut(&mut Expr)) {
    f(expr);
    match expr {
        Expr::Literal(..) | Expr::Parameter(..) | Expr::Path(..) => {}
        Expr::List(items, _) | Expr::Bag(items, _) | Expr::And(items) | Expr::Or(items) | Expr::Call(_, items, _) => {
            items.iter_mut().for_each(|e| visit(e, f))
        }
        Expr::Tuple(pairs, _) => pairs.iter_mut().for_each(|(k, v)| {
            visit(k, f);
            visit(v, f);
        }),
        Expr::Compare(a, _, b) | Expr::Add(a, b) | Expr::Subtract(a, b) | Expr::Unsupported(_, a, b) => {
            visit(a, f);
            visit(b, f);
        }
        Expr::Between { value, low, high, .. } => {
            visit(value, f);
            visit(low, f);
            visit(high, f);
        }
        Expr::In { value, list, .. } => {
            visit(value, f);
            list.iter_mut().for_each(|e| visit(e, f));
        }
        Expr::Is { value, .. } | Expr::Not(value) => visit(value, f),
    }
}

// ---- lexical pieces ----

/// Blanks and comments (`-- to the end of the line`, `/* ... */`).
fn blank(i: &str) -> Res<'_, ()> {
    let mut rest = multispace0(i)?.0;
    loop {
        if let Some(comment) = rest.strip_prefix("--") {
            rest = comment.find('\n').map_or("", |end| &comment[end..]);
        } else if let Some(comment) = rest.strip_prefix("/*") {
            rest = comment.find("*/").map_or("", |end| &comment[end + 2..]);
        } else {
            return Ok((rest, ()));
        }
        rest = multispace0(rest)?.0;
    }
}

fn ws<'a, O>(
    inner: impl Parser<&'a str, Output = O, Error = nom::error::Error<&'a str>>,
) -> impl Parser<&'a str, Output = O, Error = nom::error::Error<&'a str>> {
    delimited(blank, inner, blank)
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// A keyword, any case, not followed by more of a word.
fn kw<'a>(word: &'static str) -> impl Parser<&'a str, Output = &'a str, Error = nom::error::Error<&'a str>> {
    ws(terminated(tag_no_case(word), not(satisfy(is_word_char))))
}

fn symbol<'a>(s: &'static str) -> impl Parser<&'a str, Output = &'a str, Error = nom::error::Error<&'a str>> {
    ws(tag(s))
}

/// Text between `quote`s, a doubled quote standing for one.
fn quoted(quote: char) -> impl Fn(&str) -> Res<'_, String> {
    move |i: &str| {
        let (mut rest, _) = char(quote).parse(i)?;
        let mut out = String::new();
        loop {
            let (after, chunk) = take_while(|c| c != quote).parse(rest)?;
            out.push_str(chunk);
            let (after, _) = char(quote).parse(after)?;
            match after.strip_prefix(quote) {
                Some(more) => {
                    out.push(quote);
                    rest = more;
                }
                None => return Ok((after, out)),
            }
        }
    }
}

/// A bare word that is not a keyword.
fn bare_word(i: &str) -> Res<'_, &str> {
    verify(recognize(pair(satisfy(|c| c.is_ascii_alphabetic() || c == '_'), take_while(is_word_char))), |w: &str| {
        !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w))
    })
    .parse(i)
}

/// `"quoted"` or a bare word.
fn identifier(i: &str) -> Res<'_, String> {
    ws(alt((quoted('"'), map(bare_word, str::to_string)))).parse(i)
}

fn number(i: &str) -> Res<'_, String> {
    let digits_and_fraction = alt((
        recognize((digit1, opt((char('.'), take_while(|c: char| c.is_ascii_digit()))))),
        recognize((char('.'), digit1)),
    ));
    let exponent = (alt((char('e'), char('E'))), opt(alt((char('+'), char('-')))), digit1);
    map(
        ws(terminated(
            recognize((opt(alt((char('-'), char('+')))), digits_and_fraction, opt(exponent))),
            not(satisfy(is_word_char)),
        )),
        str::to_string,
    )
    .parse(i)
}

fn literal(i: &str) -> Res<'_, Literal> {
    alt((
        map(ws(quoted('\'')), Literal::String),
        map(number, Literal::Number),
        value(Literal::Bool(true), kw("true")),
        value(Literal::Bool(false), kw("false")),
        value(Literal::Null, kw("null")),
        value(Literal::Missing, kw("missing")),
    ))
    .parse(i)
}

// ---- paths ----

fn path(i: &str) -> Res<'_, Path> {
    let (rest, first) = identifier(i)?;
    let step = alt((
        map(preceded(symbol("."), identifier), PathStep::Name),
        map(delimited(symbol("["), ws(digit1), symbol("]")), |d: &str| PathStep::Index(d.parse().unwrap_or(u64::MAX))),
        map(delimited(symbol("["), ws(quoted('\'')), symbol("]")), PathStep::Name),
    ));
    let (rest, steps) = many0(step).parse(rest)?;
    let mut all = vec![PathStep::Name(first)];
    all.extend(steps);
    Ok((rest, Path(all)))
}

// ---- expressions ----

pub fn expr(i: &str) -> Res<'_, Expr> {
    let (rest, first) = and_expr(i)?;
    let (rest, more) = many0(preceded(kw("or"), and_expr)).parse(rest)?;
    Ok((rest, join(first, more, Expr::Or)))
}

fn and_expr(i: &str) -> Res<'_, Expr> {
    let (rest, first) = not_expr(i)?;
    let (rest, more) = many0(preceded(kw("and"), not_expr)).parse(rest)?;
    Ok((rest, join(first, more, Expr::And)))
}

/// `a OR b OR c` as one node; nested chains of the same operator flattened.
fn join(first: Expr, more: Vec<Expr>, make: fn(Vec<Expr>) -> Expr) -> Expr {
    if more.is_empty() {
        return first;
    }
    let mut all = Vec::with_capacity(more.len() + 1);
    for e in std::iter::once(first).chain(more) {
        match (e, make(Vec::new())) {
            (Expr::And(inner), Expr::And(_)) | (Expr::Or(inner), Expr::Or(_)) => all.extend(inner),
            (e, _) => all.push(e),
        }
    }
    make(all)
}

fn not_expr(i: &str) -> Res<'_, Expr> {
    let (rest, nots) = many0(kw("not")).parse(i)?;
    let (rest, e) = predicate(rest)?;
    Ok((rest, if nots.len() % 2 == 1 { Expr::Not(Box::new(e)) } else { e }))
}

fn compare_op(i: &str) -> Res<'_, CompareOp> {
    ws(alt((
        value(CompareOp::Le, tag("<=")),
        value(CompareOp::Ge, tag(">=")),
        value(CompareOp::Ne, tag("<>")),
        value(CompareOp::Ne, tag("!=")),
        value(CompareOp::Eq, tag("=")),
        value(CompareOp::Lt, terminated(tag("<"), not(char('<')))),
        value(CompareOp::Gt, terminated(tag(">"), not(char('>')))),
    )))
    .parse(i)
}

enum Tail {
    Compare(CompareOp, Expr),
    Between(bool, Expr, Expr),
    In(bool, Vec<Expr>),
    Is(bool, bool),
}

fn predicate(i: &str) -> Res<'_, Expr> {
    let (rest, left) = additive(i)?;
    let between = map((opt(kw("not")), kw("between"), additive, kw("and"), additive), |(not, _, low, _, high)| {
        Tail::Between(not.is_some(), low, high)
    });
    let in_list = map(
        (
            opt(kw("not")),
            kw("in"),
            alt((
                delimited(symbol("["), separated_list0(symbol(","), additive), symbol("]")),
                delimited(symbol("("), separated_list1(symbol(","), additive), symbol(")")),
            )),
        ),
        |(not, _, list)| Tail::In(not.is_some(), list),
    );
    let is = map(
        (kw("is"), opt(kw("not")), alt((value(true, kw("missing")), value(false, kw("null"))))),
        |(_, not, missing)| Tail::Is(not.is_some(), missing),
    );
    let compare = map((compare_op, additive), |(op, right)| Tail::Compare(op, right));
    let (rest, tail) = opt(alt((compare, between, in_list, is))).parse(rest)?;
    let boxed = Box::new(left);
    Ok((
        rest,
        match tail {
            None => *boxed,
            Some(Tail::Compare(op, right)) => Expr::Compare(boxed, op, Box::new(right)),
            Some(Tail::Between(negated, low, high)) => {
                Expr::Between { value: boxed, low: Box::new(low), high: Box::new(high), negated }
            }
            Some(Tail::In(negated, list)) => Expr::In { value: boxed, list, negated },
            Some(Tail::Is(negated, missing)) => Expr::Is { value: boxed, missing, negated },
        },
    ))
}

/// How many `+`/`-` one chain may hold (the tree it builds nests once per operator).
const MAX_ARITHMETIC_CHAIN: usize = 64;

fn additive(i: &str) -> Res<'_, Expr> {
    let (mut rest, mut left) = primary(i)?;
    for _ in 0..=MAX_ARITHMETIC_CHAIN {
        let operator = alt((tag("+"), tag("-"), tag("*"), tag("/"), tag("%"), tag("||")));
        let (after, op) = match opt(ws(operator)).parse(rest)? {
            (after, Some(op)) => (after, op),
            (_, None) => return Ok((rest, left)),
        };
        let (after, right) = primary(after)?;
        let (left_box, right_box) = (Box::new(left), Box::new(right));
        left = match op {
            "+" => Expr::Add(left_box, right_box),
            "-" => Expr::Subtract(left_box, right_box),
            "*" => Expr::Unsupported("*", left_box, right_box),
            "/" => Expr::Unsupported("/", left_box, right_box),
            "%" => Expr::Unsupported("%", left_box, right_box),
            _ => Expr::Unsupported("||", left_box, right_box),
        };
        rest = after;
    }
    Err(nom::Err::Failure(nom::error::Error::new(rest, nom::error::ErrorKind::TooLarge)))
}

fn parameter(i: &str) -> Res<'_, Expr> {
    let (rest, _) = blank(i)?;
    let (after, _) = char('?').parse(rest)?;
    // The parameter's address; numbered by `renumber` once parsing is done.
    Ok((blank(after)?.0, Expr::Parameter(rest.as_ptr() as usize, token_span(rest))))
}

fn call(i: &str) -> Res<'_, Expr> {
    let name = ws(recognize(pair(satisfy(|c| c.is_ascii_alphabetic() || c == '_'), take_while(is_word_char))));
    let span = token_span(i);
    map((name, symbol("("), separated_list0(symbol(","), expr), symbol(")")), move |(name, _, args, _)| {
        Expr::Call(name.to_ascii_lowercase(), args, span)
    })
    .parse(i)
}

fn primary(i: &str) -> Res<'_, Expr> {
    let span = token_span(i);
    alt((
        parameter,
        map(literal, move |l| Expr::Literal(l, span)),
        map(delimited(symbol("<<"), separated_list0(symbol(","), expr), symbol(">>")), move |items| {
            Expr::Bag(items, span)
        }),
        map(delimited(symbol("["), separated_list0(symbol(","), expr), symbol("]")), move |items| {
            Expr::List(items, span)
        }),
        map(
            delimited(symbol("{"), separated_list0(symbol(","), (expr, symbol(":"), expr)), symbol("}")),
            move |pairs| Expr::Tuple(pairs.into_iter().map(|(k, _, v)| (k, v)).collect(), span),
        ),
        call,
        delimited(symbol("("), expr, symbol(")")),
        map(path, move |p| Expr::Path(p, span)),
    ))
    .parse(i)
}

// ---- statements ----

fn source(i: &str) -> Res<'_, Source> {
    map(pair(identifier, opt(preceded(symbol("."), identifier))), |(table, index)| Source { table, index }).parse(i)
}

/// A selected item that is not a path: a function call or a parameter.
fn not_a_path(i: &str) -> Res<'_, Span> {
    let span = token_span(i);
    let call = (ws(bare_call_name), symbol("("), take_while(|c| c != ')'), symbol(")"));
    map(alt((recognize(call), recognize(ws(char('?'))))), move |_| span).parse(i)
}

fn bare_call_name(i: &str) -> Res<'_, &str> {
    recognize(pair(satisfy(|c| c.is_ascii_alphabetic() || c == '_'), take_while(is_word_char))).parse(i)
}

/// The SELECT list: paths, and the first item that is not one.
fn projection(i: &str) -> Res<'_, (Vec<Path>, Option<Span>)> {
    let item = alt((map(not_a_path, |span| (None, Some(span))), map(path, |p| (Some(p), None))));
    let list = map(separated_list1(symbol(","), item), |items| {
        let refused = items.iter().find_map(|(_, span)| *span);
        (items.into_iter().filter_map(|(p, _)| p).collect(), refused)
    });
    alt((value((Vec::new(), None), symbol("*")), list)).parse(i)
}

fn select(i: &str) -> Res<'_, Select> {
    let order = map(pair(path, opt(alt((value(false, kw("asc")), value(true, kw("desc")))))), |(path, desc)| OrderBy {
        path,
        descending: desc.unwrap_or(false),
    });
    let limit = preceded(kw("limit"), |i| {
        let span = token_span(i);
        map(primary, move |_| span).parse(i)
    });
    map(
        (
            kw("select"),
            projection,
            kw("from"),
            source,
            opt(preceded(kw("where"), expr)),
            opt(preceded((kw("order"), kw("by")), separated_list1(symbol(","), order))),
            opt(limit),
        ),
        |(_, (projection, not_a_path), _, source, filter, order_by, limit)| Select {
            projection,
            not_a_path,
            source,
            filter,
            order_by: order_by.unwrap_or_default(),
            limit,
        },
    )
    .parse(i)
}

/// What follows `SELECT ... FROM source` in a statement that did not parse
/// (to name the construct DynamoDB does not support), if it starts that way.
pub fn after_select_source(text: &str) -> Option<&str> {
    BASE.with(|b| b.set(text.as_ptr() as usize));
    (kw("select"), projection, kw("from"), source).parse(text).ok().map(|(rest, _)| rest)
}

fn insert(i: &str) -> Res<'_, Insert> {
    map((kw("insert"), kw("into"), source, kw("value"), expr, opt(returning)), |(_, _, source, _, value, returning)| {
        Insert { source, value, returning: returning.is_some() }
    })
    .parse(i)
}

fn returning(i: &str) -> Res<'_, Returning> {
    let kind = alt((
        value(Returning::AllOld, (kw("all"), kw("old"))),
        value(Returning::AllNew, (kw("all"), kw("new"))),
        value(Returning::ModifiedOld, (kw("modified"), kw("old"))),
        value(Returning::ModifiedNew, (kw("modified"), kw("new"))),
    ));
    map((kw("returning"), kind, symbol("*")), |(_, kind, _)| kind).parse(i)
}

fn update(i: &str) -> Res<'_, Update> {
    let set = preceded(
        kw("set"),
        separated_list1(symbol(","), map((path, symbol("="), expr), |(p, _, e)| UpdateAction::Set(p, e))),
    );
    // One path per REMOVE (`REMOVE a REMOVE b`), as DynamoDB reads it.
    let remove = preceded(kw("remove"), map(path, |p| vec![UpdateAction::Remove(p)]));
    map(
        (kw("update"), source, many1(alt((set, remove))), opt(preceded(kw("where"), expr)), opt(returning)),
        |(_, source, actions, filter, returning)| Update {
            source,
            actions: actions.into_iter().flatten().collect(),
            filter,
            returning,
        },
    )
    .parse(i)
}

fn delete(i: &str) -> Res<'_, Delete> {
    map(
        (kw("delete"), kw("from"), source, opt(preceded(kw("where"), expr)), opt(returning)),
        |(_, _, source, filter, returning)| Delete { source, filter, returning },
    )
    .parse(i)
}

fn statement(i: &str) -> Res<'_, Statement> {
    let exists = map(delimited((kw("exists"), symbol("(")), select, symbol(")")), Statement::Exists);
    alt((
        map(select, Statement::Select),
        map(insert, Statement::Insert),
        map(update, Statement::Update),
        map(delete, Statement::Delete),
        exists,
    ))
    .parse(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> PathStep {
        PathStep::Name(n.to_string())
    }

    #[test]
    fn selects_with_paths_conditions_and_order() {
        let s = parse(r#"select a, "b c".d[2] FROM "T"."idx" where pk = 'x' AND NOT sk > -1.5e3 order by sk desc"#)
            .unwrap();
        let Statement::Select(s) = s else { panic!() };
        assert_eq!(s.projection[1], Path(vec![name("b c"), name("d"), PathStep::Index(2)]));
        assert_eq!(s.source, Source { table: "T".into(), index: Some("idx".into()) });
        let Some(Expr::And(parts)) = s.filter else { panic!() };
        assert!(matches!(&parts[1], Expr::Not(inner) if matches!(**inner, Expr::Compare(_, CompareOp::Gt, _))));
        assert_eq!(s.order_by, vec![OrderBy { path: Path(vec![name("sk")]), descending: true }]);
    }

    #[test]
    fn parameters_are_numbered_in_order() {
        let s = parse("UPDATE t SET a = ? SET b = b + ? WHERE pk = ? AND c IN [?, 'it''s ?']").unwrap();
        let mut seen = Vec::new();
        let mut s = s;
        visit_statement(&mut s, &mut |e| {
            if let Expr::Parameter(p, _) = e {
                seen.push(*p)
            }
        });
        seen.sort();
        assert_eq!(seen, vec![0, 1, 2, 3]);
    }

    #[test]
    fn literals_bags_lists_tuples() {
        let Statement::Insert(i) =
            parse("INSERT INTO \"T\" VALUE {'pk': 'a', 'n': 1, 's': <<'x','y'>>, 'l': [true, null], 'm': {}}").unwrap()
        else {
            panic!()
        };
        let Expr::Tuple(pairs, _) = i.value else { panic!() };
        assert_eq!(pairs.len(), 5);
        assert_eq!(
            pairs[2].1,
            Expr::Bag(
                vec![
                    Expr::Literal(Literal::String("x".into()), Span { start: 49, len: 3 }),
                    Expr::Literal(Literal::String("y".into()), Span { start: 53, len: 3 })
                ],
                Span { start: 47, len: 2 }
            )
        );
    }

    #[test]
    fn predicates_and_returning() {
        let s = parse("DELETE FROM t WHERE pk = 'a' AND x IS NOT MISSING AND y NOT BETWEEN 1 AND 2 AND z NOT IN (1, 2) AND begins_with(w, 'p') RETURNING ALL OLD *").unwrap();
        let Statement::Delete(d) = s else { panic!() };
        assert_eq!(d.returning, Some(Returning::AllOld));
        let Some(Expr::And(parts)) = d.filter else { panic!() };
        assert_eq!(parts.len(), 5);
        assert!(matches!(parts[1], Expr::Is { missing: true, negated: true, .. }));
        assert!(matches!(parts[2], Expr::Between { negated: true, .. }));
        assert!(matches!(parts[3], Expr::In { negated: true, .. }));
        assert!(matches!(&parts[4], Expr::Call(n, args, _) if n == "begins_with" && args.len() == 2));
    }

    #[test]
    fn errors_report_where_parsing_stopped() {
        assert!(parse("SELEC * FROM t").is_err());
        assert!(parse("SELECT * FROM").is_err());
        assert!(parse("SELECT * FROM t WHERE").is_err());
        assert!(parse("SELECT * FROM t WHERE value = 1").is_err());
        assert!(parse("EXISTS(SELECT * FROM t WHERE pk = 'a')").is_ok());
        assert!(parse("select * from t;").is_ok());
        for (text, message) in [
            ("SELECT * FROM t, u", "Only select from a single table or index is supported."),
            ("SELECT * FROM t JOIN u ON a = b", "Only select from a single table or index is supported."),
            ("SELECT t.pk FROM t x WHERE x.pk = 'a'", "Aliasing is not supported"),
            ("SELECT pk FROM t AS x", "Aliasing is not supported"),
            ("SELECT DISTINCT pk FROM t", "Unsupported token in expression: DISTINCT"),
            ("DROP TABLE t", "Unsupported operation: DropTable"),
            ("SELECT * FROM t WHERE", "Statement wasn't well formed, can't be processed: SELECT * FROM t WHERE"),
        ] {
            assert_eq!(crate::partiql::parse_statement(text).unwrap_err().message, message, "{text}");
        }
    }

    #[test]
    fn nesting_and_quotes_are_measured() {
        let deep = format!("SELECT * FROM t WHERE {}a{}", "(".repeat(200), ")".repeat(200));
        assert_eq!(scan(&deep).depth, 200);
        assert!(scan("SELECT * FROM t WHERE a = 'open").unterminated);
        assert_eq!(scan("x = '?' AND y = ?").parameters.len(), 1);
        assert_eq!(scan("x = ? -- why?\n AND /* ? */ y = ?").parameters.len(), 2);
        assert!(parse("SELECT pk FROM t -- the table\n WHERE pk = 'a' /* one */").is_ok());
    }
}

#[cfg(test)]
mod robustness {
    use proptest::prelude::*;

    const STATEMENTS: [&str; 4] = [
        "SELECT a.b[1], \"c d\" FROM \"T\".\"i\" WHERE pk = ? AND (n BETWEEN 1 AND 2 OR NOT begins_with(s, 'x')) ORDER BY sk DESC",
        "UPDATE t SET a = a + 1, l = list_append(l, [1, {'k': <<'x'>>}]) REMOVE z WHERE pk = 'p' AND x IS NOT MISSING RETURNING ALL NEW *",
        "INSERT INTO t VALUE {'pk': 'a', 'm': {'l': [TRUE, NULL, -1.5e3]}}",
        "EXISTS(SELECT * FROM t WHERE pk = 'a' AND n IN [1, 2, ?])",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Mangled statements (characters cut, repeated, replaced by grammar
        /// characters) parse or fail, never panic.
        #[test]
        fn mangled_statements_never_panic(which in 0usize..4, edits in prop::collection::vec((0usize..200, 0usize..12, prop::sample::select(vec!["(", ")", "[", "<<", "'", "\"", "?", " NOT ", "{", ",", ".", ""])), 1..6)) {
            let mut text = STATEMENTS[which].to_string();
            for (at, cut, insert) in edits {
                let at = at.min(text.len());
                let at = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
                let end = (at + cut).min(text.len());
                let end = (end..=text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
                text.replace_range(at..end, insert);
            }
            let _ = crate::partiql::parse_statement(&text);
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        for open in ["(", "[", "<<", "{'a': "] {
            let text = format!("SELECT * FROM t WHERE a = {}1", open.repeat(4000));
            assert!(crate::partiql::parse_statement(&text).is_err());
        }
        let chain = format!("UPDATE t SET a = 1{} WHERE pk = 'a'", " + 1".repeat(3000));
        assert!(crate::partiql::parse_statement(&chain).is_err());
        let nots = format!("SELECT * FROM t WHERE {}a = 1", "NOT ".repeat(3000));
        assert!(crate::partiql::parse_statement(&nots).is_ok());
    }
}
