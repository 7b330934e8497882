//! The statements DynamoDB's PartiQL accepts, as the parser reads them:
//! names and literals as written, `?` parameters numbered in order. Lowering
//! (`lower`) turns their expressions into the `expr` module's trees.

/// One statement of ExecuteStatement, BatchExecuteStatement or ExecuteTransaction.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    Select(Select),
    Insert(Insert),
    Update(Update),
    Delete(Delete),
    /// `EXISTS(SELECT ...)`: a condition check, in transactions only.
    Exists(Select),
}

impl Statement {
    /// The table (and index) the statement names.
    pub fn source(&self) -> &Source {
        match self {
            Statement::Select(s) | Statement::Exists(s) => &s.source,
            Statement::Insert(s) => &s.source,
            Statement::Update(s) => &s.source,
            Statement::Delete(s) => &s.source,
        }
    }

    pub fn is_read(&self) -> bool {
        matches!(self, Statement::Select(_))
    }
}

/// `"table"` or `"table"."index"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub table: String,
    pub index: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Select {
    /// The paths selected; empty for `*`.
    pub projection: Vec<Path>,
    /// A selected item that is not a path (`size(a)`, `?`): refused.
    pub not_a_path: Option<Span>,
    pub source: Source,
    pub filter: Option<Expr>,
    pub order_by: Vec<OrderBy>,
    /// A `LIMIT n` clause (refused: the request's `Limit` does that), at `n`.
    pub limit: Option<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrderBy {
    pub path: Path,
    pub descending: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Insert {
    pub source: Source,
    pub value: Expr,
    /// A RETURNING clause (refused on INSERT).
    pub returning: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    pub source: Source,
    pub actions: Vec<UpdateAction>,
    /// The WHERE clause (refused when missing: it must name the item).
    pub filter: Option<Expr>,
    pub returning: Option<Returning>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum UpdateAction {
    Set(Path, Expr),
    Remove(Path),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Delete {
    pub source: Source,
    /// The WHERE clause (refused when missing: it must name the item).
    pub filter: Option<Expr>,
    pub returning: Option<Returning>,
}

/// `RETURNING ALL|MODIFIED OLD|NEW *`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returning {
    AllOld,
    AllNew,
    ModifiedOld,
    ModifiedNew,
}

/// A document path: a name, then `.name` and `[index]` steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path(pub Vec<PathStep>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    Name(String),
    Index(u64),
}

impl Path {
    /// The path is one top-level attribute named `name`.
    pub fn is_attribute(&self, name: &str) -> bool {
        matches!(self.0.as_slice(), [PathStep::Name(n)] if n == name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    String(String),
    /// As written; checked when lowered.
    Number(String),
    Bool(bool),
    Null,
    Missing,
}

/// Where a node's first token is in the statement: a byte offset and a
/// length in characters. DynamoDB's messages point at it (`at 1:38:3`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub len: usize,
}

impl Span {
    /// `line:column:length`, as DynamoDB writes a position (from 1).
    pub fn describe(self, text: &str) -> String {
        let before = text.get(..self.start).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        format!("{line}:{column}:{}", self.len)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Literal(Literal, Span),
    /// The n-th `?` of the statement (from 0).
    Parameter(usize, Span),
    Path(Path, Span),
    /// `[a, b]`.
    List(Vec<Expr>, Span),
    /// `<<a, b>>`: a set.
    Bag(Vec<Expr>, Span),
    /// `{'k': v}`: a map.
    Tuple(Vec<(Expr, Expr)>, Span),
    Compare(Box<Expr>, CompareOp, Box<Expr>),
    Between {
        value: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    In {
        value: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    /// `IS [NOT] MISSING` (`missing`) or `IS [NOT] NULL`.
    Is {
        value: Box<Expr>,
        missing: bool,
        negated: bool,
    },
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// A function call; the name lower-cased.
    Call(String, Vec<Expr>, Span),
    /// `a + b` / `a - b` (SET values).
    Add(Box<Expr>, Box<Expr>),
    Subtract(Box<Expr>, Box<Expr>),
    /// An arithmetic or string operator DynamoDB does not evaluate (`*`, `/`, `%`, `||`).
    Unsupported(&'static str, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// The node's first token, where it has one of its own.
    pub fn span(&self) -> Option<Span> {
        match self {
            Expr::Literal(_, s)
            | Expr::Parameter(_, s)
            | Expr::Path(_, s)
            | Expr::List(_, s)
            | Expr::Bag(_, s)
            | Expr::Tuple(_, s)
            | Expr::Call(_, _, s) => Some(*s),
            _ => None,
        }
    }
}
