//! The syntax of DynamoDB expressions: a tokenizer and a recursive-descent
//! parser producing raw trees (placeholders unresolved, functions unchecked).
//!
//! Hand-written rather than built from parser combinators because DynamoDB's
//! syntax errors name the offending token and the text around it
//! (`Syntax error; token: "=", near: "= = b"`), which needs the token stream.
//! Every semantic check (placeholders, reserved words, function rules) happens
//! afterwards in `resolve`, so a syntax error anywhere wins, as in DynamoDB.
//! Recursion is bounded by [`MAX_DEPTH`].

/// Deepest nesting of parentheses and function calls the parser follows
/// (NOT chains are read in a loop). DynamoDB's 300-operator limit allows
/// deeper nesting only in contrived expressions; this bound keeps the
/// parser's stack use small on any thread.
pub const MAX_DEPTH: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An attribute name or keyword: a letter, then letters, digits, `_`.
    Ident,
    /// `#name`
    Name,
    /// `:value`
    Value,
    /// A list index: `0` or digits without a leading zero.
    Number,
    /// An operator or punctuation.
    Sym,
    /// Any character no token starts with.
    Unknown,
    Eof,
}

#[derive(Clone, Copy, Debug)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

pub fn tokenize(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
            continue;
        }
        let start = i;
        let kind = match b {
            b'a'..=b'z' | b'A'..=b'Z' => {
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                Kind::Ident
            }
            b'#' | b':' if i + 1 < bytes.len() && is_word_byte(bytes[i + 1]) => {
                i += 1;
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                if b == b'#' {
                    Kind::Name
                } else {
                    Kind::Value
                }
            }
            b'0' => {
                i += 1;
                Kind::Number
            }
            b'1'..=b'9' => {
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                Kind::Number
            }
            b'<' if bytes.get(i + 1).is_some_and(|&n| n == b'>' || n == b'=') => {
                i += 2;
                Kind::Sym
            }
            b'>' if bytes.get(i + 1) == Some(&b'=') => {
                i += 2;
                Kind::Sym
            }
            b'=' | b'<' | b'>' | b'(' | b')' | b'[' | b']' | b',' | b'.' | b'+' | b'-' => {
                i += 1;
                Kind::Sym
            }
            _ => {
                // One whole (possibly multi-byte) character.
                i += src[i..].chars().next().map_or(1, char::len_utf8);
                Kind::Unknown
            }
        };
        tokens.push(Token { kind, start, end: i });
    }
    tokens.push(Token { kind: Kind::Eof, start: src.len(), end: src.len() });
    tokens
}

/// A syntax error at token `index` of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntaxError {
    pub index: usize,
}

/// DynamoDB's description of a syntax error: the token, and the source from
/// the previous token's start to the next token's end.
pub fn describe_syntax_error(src: &str, tokens: &[Token], index: usize) -> String {
    let token = tokens[index];
    let text = if token.kind == Kind::Eof { "<EOF>" } else { &src[token.start..token.end] };
    let near_start = if index > 0 { tokens[index - 1].start } else { 0 };
    let near_end = tokens.get(index + 1).map_or(src.len(), |t| t.end);
    format!("Syntax error; token: \"{text}\", near: \"{}\"", &src[near_start..near_end])
}

/// One element of a document path as written.
#[derive(Clone, Debug, PartialEq)]
pub enum RawElement {
    /// A bare attribute name (checked against the reserved words later).
    Name(String),
    /// A `#name` placeholder.
    Placeholder(String),
    /// A list index, as its digits (range-checked later).
    Index(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum RawOperand {
    Path(Vec<RawElement>),
    /// A `:value` placeholder.
    Value(String),
    Call(String, Vec<RawOperand>),
    /// `a + b` / `a - b` (update expressions only).
    Arith(Box<RawOperand>, char, Box<RawOperand>),
    /// `(operand)`: allowed, but doubled parentheses are "redundant".
    Parens(Box<RawOperand>),
}

impl RawOperand {
    /// The operand inside any parentheses.
    pub fn unwrapped(&self) -> &RawOperand {
        let mut op = self;
        while let RawOperand::Parens(inner) = op {
            op = inner;
        }
        op
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Comparator {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "<>",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum RawCondition {
    Compare(RawOperand, Comparator, RawOperand),
    Between(RawOperand, RawOperand, RawOperand),
    In(RawOperand, Vec<RawOperand>),
    /// A function used as a condition (`attribute_exists(a)`).
    Call(String, Vec<RawOperand>),
    And(Box<RawCondition>, Box<RawCondition>),
    Or(Box<RawCondition>, Box<RawCondition>),
    Not(Box<RawCondition>),
    Parens(Box<RawCondition>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Set,
    Remove,
    Add,
    Delete,
}

impl Section {
    pub fn keyword(self) -> &'static str {
        match self {
            Section::Set => "SET",
            Section::Remove => "REMOVE",
            Section::Add => "ADD",
            Section::Delete => "DELETE",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum RawAction {
    Set(Vec<RawElement>, RawOperand),
    Remove(Vec<RawElement>),
    Add(Vec<RawElement>, String),
    Delete(Vec<RawElement>, String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RawUpdate {
    /// Sections in the order written (a repeated section is rejected later).
    pub sections: Vec<(Section, Vec<RawAction>)>,
}

pub struct Parser<'s> {
    src: &'s str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    /// Set when the depth bound stopped the parse.
    pub too_deep: bool,
}

type PResult<T> = Result<T, SyntaxError>;

/// Keywords of the condition grammar (never attribute names there).
const CONDITION_KEYWORDS: [&str; 5] = ["AND", "OR", "NOT", "BETWEEN", "IN"];
const UPDATE_KEYWORDS: [&str; 4] = ["SET", "REMOVE", "ADD", "DELETE"];

impl<'s> Parser<'s> {
    pub fn new(src: &'s str) -> Parser<'s> {
        Parser { src, tokens: tokenize(src), pos: 0, depth: 0, too_deep: false }
    }

    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    fn peek(&self) -> Token {
        self.tokens[self.pos]
    }

    fn peek_at(&self, offset: usize) -> Token {
        self.tokens[(self.pos + offset).min(self.tokens.len() - 1)]
    }

    fn text(&self, t: Token) -> &'s str {
        &self.src[t.start..t.end]
    }

    fn error<T>(&self) -> PResult<T> {
        Err(SyntaxError { index: self.pos })
    }

    fn is_sym(&self, sym: &str) -> bool {
        let t = self.peek();
        t.kind == Kind::Sym && self.text(t) == sym
    }

    fn is_keyword(&self, keyword: &str) -> bool {
        let t = self.peek();
        t.kind == Kind::Ident && self.text(t).eq_ignore_ascii_case(keyword)
    }

    fn expect_sym(&mut self, sym: &str) -> PResult<()> {
        if self.is_sym(sym) {
            self.pos += 1;
            Ok(())
        } else {
            self.error()
        }
    }

    fn expect_eof(&self) -> PResult<()> {
        if self.peek().kind == Kind::Eof {
            Ok(())
        } else {
            self.error()
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.too_deep = true;
            return self.error();
        }
        Ok(())
    }

    fn is_reserved_keyword(&self, t: Token) -> bool {
        let text = self.text(t);
        CONDITION_KEYWORDS.iter().chain(UPDATE_KEYWORDS.iter()).any(|k| text.eq_ignore_ascii_case(k))
    }

    /// `a.b[3].#c`
    fn path(&mut self) -> PResult<Vec<RawElement>> {
        let mut elements = vec![self.path_name()?];
        loop {
            if self.is_sym(".") {
                self.pos += 1;
                elements.push(self.path_name()?);
            } else if self.is_sym("[") {
                self.pos += 1;
                let t = self.peek();
                if t.kind != Kind::Number {
                    return self.error();
                }
                self.pos += 1;
                elements.push(RawElement::Index(self.text(t).to_string()));
                self.expect_sym("]")?;
            } else {
                return Ok(elements);
            }
        }
    }

    fn path_name(&mut self) -> PResult<RawElement> {
        let t = self.peek();
        match t.kind {
            Kind::Ident if !self.is_reserved_keyword(t) => {
                self.pos += 1;
                Ok(RawElement::Name(self.text(t).to_string()))
            }
            Kind::Name => {
                self.pos += 1;
                Ok(RawElement::Placeholder(self.text(t).to_string()))
            }
            _ => self.error(),
        }
    }

    /// A path, a `:value`, or a function call whose arguments are operands.
    fn operand(&mut self) -> PResult<RawOperand> {
        let t = self.peek();
        if self.is_sym("(") {
            self.enter()?;
            self.pos += 1;
            let inner = self.operand()?;
            self.expect_sym(")")?;
            self.depth -= 1;
            return Ok(RawOperand::Parens(Box::new(inner)));
        }
        match t.kind {
            Kind::Value => {
                self.pos += 1;
                Ok(RawOperand::Value(self.text(t).to_string()))
            }
            Kind::Ident if self.peek_at(1).kind == Kind::Sym && self.text(self.peek_at(1)) == "(" => {
                if self.is_reserved_keyword(t) {
                    return self.error();
                }
                self.enter()?;
                self.pos += 2;
                let mut args = vec![self.operand()?];
                while self.is_sym(",") {
                    self.pos += 1;
                    args.push(self.operand()?);
                }
                self.expect_sym(")")?;
                self.depth -= 1;
                Ok(RawOperand::Call(self.text(t).to_string(), args))
            }
            _ => Ok(RawOperand::Path(self.path()?)),
        }
    }

    /// A whole condition (ConditionExpression, FilterExpression, KeyConditionExpression).
    pub fn condition(&mut self) -> PResult<RawCondition> {
        let c = self.or()?;
        self.expect_eof()?;
        Ok(c)
    }

    fn or(&mut self) -> PResult<RawCondition> {
        let mut left = self.and()?;
        while self.is_keyword("OR") {
            self.pos += 1;
            let right = self.and()?;
            left = RawCondition::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> PResult<RawCondition> {
        let mut left = self.unary()?;
        while self.is_keyword("AND") {
            self.pos += 1;
            let right = self.unary()?;
            left = RawCondition::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> PResult<RawCondition> {
        // NOT chains are read in a loop: only parentheses and calls recurse.
        let mut nots = 0usize;
        while self.is_keyword("NOT") {
            self.pos += 1;
            nots += 1;
        }
        let mut condition = if self.is_sym("(") && !self.paren_is_operand() {
            self.enter()?;
            self.pos += 1;
            let inner = self.or()?;
            self.expect_sym(")")?;
            self.depth -= 1;
            RawCondition::Parens(Box::new(inner))
        } else {
            self.comparison()?
        };
        for _ in 0..nots {
            condition = RawCondition::Not(Box::new(condition));
        }
        Ok(condition)
    }

    /// At `(`: whether the parenthesised text starts a comparison
    /// (`(a) = b`) rather than being a condition (`(a = b)`). Like
    /// DynamoDB's parser, picks the reading that gets further: an operand in
    /// parentheses wins unless it is a function call standing as a condition.
    fn paren_is_operand(&mut self) -> bool {
        let (pos, depth, too_deep) = (self.pos, self.depth, self.too_deep);
        let parsed = self.operand();
        let next = self.peek();
        let text = self.text(next);
        let comparator = (next.kind == Kind::Sym && matches!(text, "=" | "<>" | "<" | "<=" | ">" | ">="))
            || (next.kind == Kind::Ident && (text.eq_ignore_ascii_case("BETWEEN") || text.eq_ignore_ascii_case("IN")));
        (self.pos, self.depth, self.too_deep) = (pos, depth, too_deep);
        match parsed {
            Ok(op) => comparator || !matches!(op.unwrapped(), RawOperand::Call(..)),
            Err(_) => false,
        }
    }

    fn comparison(&mut self) -> PResult<RawCondition> {
        let left = self.operand()?;
        let t = self.peek();
        if t.kind == Kind::Sym {
            let comparator = match self.text(t) {
                "=" => Comparator::Eq,
                "<>" => Comparator::Ne,
                "<" => Comparator::Lt,
                "<=" => Comparator::Le,
                ">" => Comparator::Gt,
                ">=" => Comparator::Ge,
                _ => return self.call_condition(left),
            };
            self.pos += 1;
            let right = self.operand()?;
            return Ok(RawCondition::Compare(left, comparator, right));
        }
        if self.is_keyword("BETWEEN") {
            self.pos += 1;
            let low = self.operand()?;
            if !self.is_keyword("AND") {
                return self.error();
            }
            self.pos += 1;
            let high = self.operand()?;
            return Ok(RawCondition::Between(left, low, high));
        }
        if self.is_keyword("IN") {
            self.pos += 1;
            self.expect_sym("(")?;
            let mut list = vec![self.operand()?];
            while self.is_sym(",") {
                self.pos += 1;
                list.push(self.operand()?);
            }
            self.expect_sym(")")?;
            return Ok(RawCondition::In(left, list));
        }
        self.call_condition(left)
    }

    /// An operand standing alone as a condition must be a function call.
    fn call_condition(&self, operand: RawOperand) -> PResult<RawCondition> {
        match operand {
            RawOperand::Call(name, args) => Ok(RawCondition::Call(name, args)),
            _ => self.error(),
        }
    }

    /// `SET a = :v, b = b + :one REMOVE c ADD n :x DELETE s :y`
    pub fn update(&mut self) -> PResult<RawUpdate> {
        let mut sections = Vec::new();
        loop {
            let section = if self.is_keyword("SET") {
                Section::Set
            } else if self.is_keyword("REMOVE") {
                Section::Remove
            } else if self.is_keyword("ADD") {
                Section::Add
            } else if self.is_keyword("DELETE") {
                Section::Delete
            } else if sections.is_empty() || self.peek().kind != Kind::Eof {
                return self.error();
            } else {
                return Ok(RawUpdate { sections });
            };
            self.pos += 1;
            let mut actions = vec![self.action(section)?];
            while self.is_sym(",") {
                self.pos += 1;
                actions.push(self.action(section)?);
            }
            sections.push((section, actions));
        }
    }

    fn action(&mut self, section: Section) -> PResult<RawAction> {
        let path = self.path()?;
        match section {
            Section::Set => {
                self.expect_sym("=")?;
                Ok(RawAction::Set(path, self.set_value()?))
            }
            Section::Remove => Ok(RawAction::Remove(path)),
            Section::Add | Section::Delete => {
                let t = self.peek();
                if t.kind != Kind::Value {
                    return self.error();
                }
                self.pos += 1;
                let value = self.text(t).to_string();
                Ok(if section == Section::Add { RawAction::Add(path, value) } else { RawAction::Delete(path, value) })
            }
        }
    }

    /// The right-hand side of SET: `operand`, `operand + operand`,
    /// `operand - operand`, or any of these in parentheses.
    fn set_value(&mut self) -> PResult<RawOperand> {
        let left = if self.is_sym("(") {
            self.enter()?;
            self.pos += 1;
            let inner = self.set_value()?;
            self.expect_sym(")")?;
            self.depth -= 1;
            RawOperand::Parens(Box::new(inner))
        } else {
            self.operand()?
        };
        let op = if self.is_sym("+") {
            '+'
        } else if self.is_sym("-") {
            '-'
        } else {
            return Ok(left);
        };
        if matches!(left.unwrapped(), RawOperand::Arith(..)) {
            return self.error();
        }
        self.pos += 1;
        let right = self.operand()?;
        Ok(RawOperand::Arith(Box::new(left), op, Box::new(right)))
    }

    /// `a, b.c, d[2]`
    pub fn projection(&mut self) -> PResult<Vec<Vec<RawElement>>> {
        let mut paths = vec![self.path()?];
        while self.is_sym(",") {
            self.pos += 1;
            paths.push(self.path()?);
        }
        self.expect_eof()?;
        Ok(paths)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn condition_error(src: &str) -> String {
        let mut p = Parser::new(src);
        let e = p.condition().expect_err(src);
        describe_syntax_error(src, p.tokens(), e.index)
    }

    #[test]
    fn syntax_errors_name_the_token_and_its_neighbours() {
        let cases = [
            ("a = = b", "=", "= = b"),
            ("a = b AND", "<EOF>", "AND"),
            ("a = ", "<EOF>", "= "),
            ("(a = b", "<EOF>", "b"),
            ("a = b)", ")", "b)"),
            ("  ", "<EOF>", "  "),
            ("a[x] = :a", "x", "[x]"),
            ("a = b c", "c", "b c"),
            ("a @ b", "@", "a @ b"),
            ("1a = b", "1", "1a"),
            ("a-b = c", "-", "a-b"),
            ("a = 5", "5", "= 5"),
            ("_a = b", "_", "_a"),
            ("a[01] = b", "1", "01]"),
            ("a[-1] = b", "-", "[-1"),
            ("a IN ()", ")", "()"),
            ("NOT a", "<EOF>", "a"),
            ("a < b < c", "<", "b < c"),
            ("# = b", "#", "# ="),
        ];
        for (src, token, near) in cases {
            assert_eq!(condition_error(src), format!("Syntax error; token: \"{token}\", near: \"{near}\""), "{src}");
        }
    }

    #[test]
    fn precedence_is_not_and_or() {
        let mut p = Parser::new("a = :a OR NOT b = :b AND c = :c");
        let RawCondition::Or(_, right) = p.condition().unwrap() else { panic!("OR binds loosest") };
        assert!(matches!(*right, RawCondition::And(ref l, _) if matches!(**l, RawCondition::Not(_))));
    }

    #[test]
    fn update_syntax() {
        let mut p = Parser::new("SET a = :v + :v + :v");
        let e = p.update().unwrap_err();
        assert_eq!(
            describe_syntax_error("SET a = :v + :v + :v", p.tokens(), e.index),
            "Syntax error; token: \"+\", near: \":v + :v\""
        );
        let mut p = Parser::new("REMOVE :v");
        let e = p.update().unwrap_err();
        assert_eq!(
            describe_syntax_error("REMOVE :v", p.tokens(), e.index),
            "Syntax error; token: \":v\", near: \"REMOVE :v\""
        );
        let mut p = Parser::new("set a = list_append(if_not_exists(l, :e), :v) remove b, c[2] add n :n delete s :s");
        assert_eq!(p.update().unwrap().sections.len(), 4);
    }

    #[test]
    fn depth_is_bounded() {
        let src = format!("{}a = b{}", "(".repeat(100_000), ")".repeat(100_000));
        let mut p = Parser::new(&src);
        assert!(p.condition().is_err());
        assert!(p.too_deep);
        // NOT chains need no stack per NOT (the 4 KB limit bounds them anyway).
        let src = format!("{}a = b", "NOT ".repeat(1000));
        assert!(Parser::new(&src).condition().is_ok());
        let src = format!("SET a = {}:v{}", "f(".repeat(100_000), ")".repeat(100_000));
        let mut p = Parser::new(&src);
        assert!(p.update().is_err());
    }
}
