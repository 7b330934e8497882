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
    pub source: Source,
    pub filter: Option<Expr>,
    pub order_by: Vec<OrderBy>,
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
}

#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    pub source: Source,
    pub actions: Vec<UpdateAction>,
    pub filter: Expr,
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
    pub filter: Expr,
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

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Literal(Literal),
    /// The n-th `?` of the statement (from 0).
    Parameter(usize),
    Path(Path),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `<<a, b>>`: a set.
    Bag(Vec<Expr>),
    /// `{'k': v}`: a map.
    Tuple(Vec<(Expr, Expr)>),
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
    Call(String, Vec<Expr>),
    /// `a + b` / `a - b` (SET values).
    Add(Box<Expr>, Box<Expr>),
    Subtract(Box<Expr>, Box<Expr>),
}
