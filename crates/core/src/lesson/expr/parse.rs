//! Reading an expression's text: a lexer, then one function per precedence level (loosest first), into
//! the tree [`super`] evaluates.

use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde_json::Value;

use super::{Func, Node, Op, Query};
use crate::config::MAX_EXPR_CHARS;
use crate::problem::{cut, quote};

/// Parses `text` into a tree.
///
/// # Errors
/// What is wrong and where (`at column 12: unexpected ...`).
pub(super) fn parse(text: &str) -> Result<Node, String> {
    let chars = text.chars().count();
    if chars > MAX_EXPR_CHARS {
        return Err(format!(
            "the expression has {chars} characters; at most {MAX_EXPR_CHARS}"
        ));
    }
    let tokens = lex(text)?;
    let mut parser = Parser { tokens, at: 0 };
    let node = parser.or()?;
    if let Some((column, token)) = parser.tokens.get(parser.at) {
        return Err(format!("at column {column}: unexpected {token}"));
    }
    Ok(node)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Str(String),
    Word(String),
    Star,
    Dot,
    Open,
    Close,
    Op(&'static str),
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "number {n}"),
            Self::Str(s) => write!(f, "string {}", quote(s)),
            Self::Word(w) => write!(f, "`{}`", cut(w)),
            Self::Star => f.write_str("`*`"),
            Self::Dot => f.write_str("`.`"),
            Self::Open => f.write_str("`(`"),
            Self::Close => f.write_str("`)`"),
            Self::Op(op) => write!(f, "`{op}`"),
        }
    }
}

pub(super) fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn lex(text: &str) -> Result<Vec<(usize, Token)>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        let after_dot = matches!(tokens.last(), Some((_, Token::Dot)));
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let token = if c.is_ascii_digit() && !after_dot {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == '_')
            {
                i += 1;
            }
            let digits: String = chars[start..i].iter().filter(|c| **c != '_').collect();
            let n = digits
                .parse::<f64>()
                .map_err(|_| format!("at column {column}: {} is not a number", quote(&digits)))?;
            tokens.push((column, Token::Number(n)));
            continue;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && is_word(chars[i]) {
                i += 1;
            }
            tokens.push((column, Token::Word(chars[start..i].iter().collect())));
            continue;
        } else if c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(format!("at column {column}: the string is not closed")),
                    Some('"') => break,
                    Some(ch) => s.push(*ch),
                }
                i += 1;
            }
            Token::Str(s)
        } else {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let op = ["==", "!=", "<=", ">="]
                .into_iter()
                .find(|op| *op == two)
                .or_else(|| {
                    ["<", ">", "+", "-", "/"]
                        .into_iter()
                        .find(|op| op.starts_with(c))
                });
            match (c, op) {
                (_, Some(op)) => {
                    i += op.len() - 1;
                    Token::Op(op)
                }
                ('*', None) => Token::Star,
                ('.', None) => Token::Dot,
                ('(', None) => Token::Open,
                (')', None) => Token::Close,
                _ => return Err(format!("at column {column}: unexpected {c:?}")),
            }
        };
        tokens.push((column, token));
        i += 1;
    }
    Ok(tokens)
}

// ---- parsing: one function per precedence level ----

struct Parser {
    tokens: Vec<(usize, Token)>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, t)| t)
    }

    fn column(&self) -> usize {
        self.tokens
            .get(self.at)
            .or(self.tokens.last())
            .map_or(1, |(c, _)| *c)
    }

    fn eat_word(&mut self, word: &str) -> bool {
        let found = matches!(self.peek(), Some(Token::Word(w)) if w == word);
        self.at += usize::from(found);
        found
    }

    fn eat(&mut self, token: &Token) -> bool {
        let found = self.peek() == Some(token);
        self.at += usize::from(found);
        found
    }

    fn or(&mut self) -> Result<Node, String> {
        let mut left = self.and()?;
        while self.eat_word("or") {
            left = Node::Binary(Op::Or, Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Node, String> {
        let mut left = self.not()?;
        while self.eat_word("and") {
            left = Node::Binary(Op::And, Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Node, String> {
        if self.eat_word("not") {
            return Ok(Node::Not(Box::new(self.not()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Node, String> {
        let left = self.sum()?;
        let op = match self.peek() {
            Some(Token::Op("==")) => Op::Eq,
            Some(Token::Op("!=")) => Op::Ne,
            Some(Token::Op("<")) => Op::Lt,
            Some(Token::Op("<=")) => Op::Le,
            Some(Token::Op(">")) => Op::Gt,
            Some(Token::Op(">=")) => Op::Ge,
            _ => return Ok(left),
        };
        self.at += 1;
        Ok(Node::Binary(op, Box::new(left), Box::new(self.sum()?)))
    }

    fn sum(&mut self) -> Result<Node, String> {
        let mut left = self.product()?;
        loop {
            let op = match self.peek() {
                Some(Token::Op("+")) => Op::Add,
                Some(Token::Op("-")) => Op::Sub,
                _ => return Ok(left),
            };
            self.at += 1;
            left = Node::Binary(op, Box::new(left), Box::new(self.product()?));
        }
    }

    fn product(&mut self) -> Result<Node, String> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Token::Star) => Op::Mul,
                Some(Token::Op("/")) => Op::Div,
                _ => return Ok(left),
            };
            self.at += 1;
            left = Node::Binary(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Node, String> {
        if self.eat(&Token::Op("-")) {
            return Ok(Node::Neg(Box::new(self.unary()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Node, String> {
        let column = self.column();
        let Some((_, token)) = self.tokens.get(self.at).cloned() else {
            return Err("at the end: expected a value".to_owned());
        };
        self.at += 1;
        match token {
            Token::Number(n) => Ok(Node::Literal(Value::from(n))),
            Token::Str(s) => Ok(Node::Literal(Value::String(s))),
            Token::Open => {
                let inner = self.or()?;
                if !self.eat(&Token::Close) {
                    return Err(format!("at column {}: expected `)`", self.column()));
                }
                Ok(inner)
            }
            Token::Word(w) => match w.as_str() {
                "true" => Ok(Node::Literal(Value::Bool(true))),
                "false" => Ok(Node::Literal(Value::Bool(false))),
                "null" => Ok(Node::Literal(Value::Null)),
                _ if self.peek() == Some(&Token::Open) => {
                    let func = match w.as_str() {
                        "len" => Func::Len,
                        "sum" => Func::Sum,
                        "min" => Func::Min,
                        "max" => Func::Max,
                        "empty" => Func::Empty,
                        "count" => Func::Count,
                        _ => {
                            return Err(format!(
                                "at column {column}: unknown function `{}`; functions are len, sum, min, max, empty, count",
                                cut(&w)
                            ));
                        }
                    };
                    self.at += 1;
                    let first = self.column();
                    let Some(Token::Word(head)) = self.peek().cloned() else {
                        return Err(format!("at column {first}: `{}` takes a query", cut(&w)));
                    };
                    self.at += 1;
                    let query = self.query(head)?;
                    if !self.eat(&Token::Close) {
                        return Err(format!("at column {}: expected `)`", self.column()));
                    }
                    Ok(Node::Call(func, query))
                }
                _ => Ok(Node::Query(self.query(w)?)),
            },
            other => Err(format!(
                "at column {column}: expected a value, found {other}"
            )),
        }
    }

    fn query(&mut self, head: String) -> Result<Query, String> {
        let mut text = head.clone();
        let mut segments = alloc::vec![Some(head)];
        while self.eat(&Token::Dot) {
            let column = self.column();
            let segment = match self.tokens.get(self.at).map(|(_, t)| t.clone()) {
                Some(Token::Word(w)) => Some(w),
                Some(Token::Str(s)) => Some(s),
                Some(Token::Star) => None,
                _ => {
                    return Err(format!(
                        "at column {column}: expected a key or `*` after `.`"
                    ));
                }
            };
            self.at += 1;
            text.push('.');
            match &segment {
                Some(key) if key.chars().all(is_word) => text.push_str(key),
                Some(key) => text.push_str(&format!("{key:?}")),
                None => text.push('*'),
            }
            segments.push(segment);
        }
        Ok(Query { text, segments })
    }
}
