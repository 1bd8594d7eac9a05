//! The expressions of a lesson: questions put to the model's own report.
//!
//! A lesson never states a number itself; it names where the model reports it. An expression reads the
//! JSON that `kplay world --at-ms T` or `kplay simulate --at-ms T` prints for the step's run, so an author
//! can try every expression from a terminal first.
//!
//! - A **query** is a dotted path into that JSON: `groups.billing.state`,
//!   `topics.orders.partitions.0.high_watermark`, `event_driven.services.inventory.max_lag`. A number
//!   indexes an array; `*` takes every entry of an object or array; a key with other characters is quoted
//!   (`topics."orders.v1".partitions`). A query that ends on an array or object only counts inside a
//!   function.
//! - **Functions** over a query's values: `len`, `sum`, `min`, `max`, `empty` (how many are empty: `null`,
//!   `0`, `false`, `""`, `[]`, `{}`) and `count` (how many are not). Without a `*`, a query that ends on an
//!   array or object gives its entries: `len(groups.billing.members)` is the number of members, and
//!   `empty(groups.billing.members.*.assigned)` the number of members with nothing assigned (idle).
//! - Literals: numbers (`40000`, `0.5`), `"strings"`, `true`, `false`, `null`.
//! - Operators, loosest first: `or`; `and`; `not`; `==` `!=` `<` `<=` `>` `>=`; `+` `-`; `*` `/`;
//!   parentheses. Put spaces around `-`: `billing-1` is one key.

use alloc::borrow::{Cow, ToOwned};
use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde_json::Value;

use crate::config::MAX_READINGS_SHOWN;
use crate::problem::{QUOTED_CHARS, cut, group_digits};

mod parse;

/// A parsed expression, with its source text for messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    text: String,
    node: Node,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Literal(Value),
    Query(Query),
    Call(Func, Query),
    Not(Box<Node>),
    Neg(Box<Node>),
    Binary(Op, Box<Node>, Box<Node>),
}

/// A dotted path; `None` segments are `*`.
#[derive(Debug, Clone, PartialEq)]
struct Query {
    text: String,
    segments: Vec<Option<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Func {
    Len,
    Sum,
    Min,
    Max,
    Empty,
    Count,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

/// What an expression evaluates to: a JSON scalar.
pub type Answer = Value;

impl Expr {
    /// Parses `text`.
    ///
    /// # Errors
    /// What is wrong and where (`at column 12: expected a value`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let node = parse::parse(text)?;
        Ok(Self {
            text: text.trim().to_owned(),
            node,
        })
    }

    /// The expression as written.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The expression's value in `model`.
    ///
    /// # Errors
    /// A query that does not lead anywhere (naming the keys there are), or values that cannot be combined.
    pub fn eval(&self, model: &Value) -> Result<Answer, String> {
        eval(&self.node, model)
    }

    /// Whether the expression holds in `model`: it must evaluate to `true` or `false`.
    ///
    /// # Errors
    /// As [`Self::eval`], or a value that is not `true` or `false`.
    pub fn holds(&self, model: &Value) -> Result<bool, String> {
        match self.eval(model)? {
            Value::Bool(b) => Ok(b),
            other => Err(format!(
                "`{}` is {}, not true or false",
                self.text,
                show(&other)
            )),
        }
    }

    /// [`Self::readings`] as one line for a message: `len(groups.billing.members) = 3, sync.failed = 0`.
    #[must_use]
    pub fn explain(&self, model: &Value) -> String {
        let readings: Vec<String> = self
            .readings(model)
            .into_iter()
            .map(|(query, value)| format!("{query} = {value}"))
            .collect();
        readings.join(", ")
    }

    /// Each query and function call of the expression with its value in `model`, in reading order (the
    /// first [`MAX_READINGS_SHOWN`]): what a message shows to say why an expression did or did not hold.
    #[must_use]
    pub fn readings(&self, model: &Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        readings(&self.node, model, &mut out);
        out.truncate(MAX_READINGS_SHOWN);
        out
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `value` for a reader: whole numbers with thousands separators (`47,836`), others to two decimals
/// (`391.17`), strings as they are, `null` as `none`, a short list as JSON (`[0, 1]`), a long one by its
/// size (so a message never copies a report).
#[must_use]
pub fn show(value: &Value) -> String {
    match value {
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), show_number),
        Value::String(s) => cut(s).into_owned(),
        Value::Null => "none".to_owned(),
        other => {
            let json = other.to_string();
            match other {
                _ if json.len() <= QUOTED_CHARS => json,
                Value::Array(a) => format!("a list of {}", a.len()),
                Value::Object(o) => format!("an object of {} keys", o.len()),
                _ => json,
            }
        }
    }
}

fn show_number(x: f64) -> String {
    if !x.is_finite() || x.abs() >= 1e15 {
        return x.to_string();
    }
    let fixed = format!("{:.2}", x.abs());
    let (whole, fraction) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let fraction = fraction.trim_end_matches('0');
    let mut out = String::new();
    if x < 0.0 && fixed.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.push('-');
    }
    out.push_str(&group_digits(whole));
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

// ---- evaluation ----

fn eval(node: &Node, model: &Value) -> Result<Value, String> {
    match node {
        Node::Literal(v) => Ok(v.clone()),
        Node::Query(q) => {
            if q.segments.iter().any(Option::is_none) {
                return Err(format!(
                    "`{}` has a `*`: count or add its values with len, sum, min, max, empty or count",
                    q.text
                ));
            }
            Ok(q.matches(model)?.pop().unwrap_or(Value::Null))
        }
        Node::Call(func, q) => call(*func, q, model),
        Node::Not(inner) => match eval(inner, model)? {
            Value::Bool(b) => Ok(Value::Bool(!b)),
            other => Err(format!("`not` needs true or false, not {}", show(&other))),
        },
        Node::Neg(inner) => Ok(Value::from(-number(&eval(inner, model)?)?)),
        Node::Binary(op, left, right) => binary(*op, left, right, model),
    }
}

fn number(value: &Value) -> Result<f64, String> {
    value
        .as_f64()
        .ok_or_else(|| format!("{} is not a number", show(value)))
}

fn binary(op: Op, left: &Node, right: &Node, model: &Value) -> Result<Value, String> {
    let l = eval(left, model)?;
    if let (Op::And | Op::Or, Value::Bool(b)) = (op, &l) {
        // Short-circuit, so `len(x) > 0 and x.0.y == 1` never reads past an empty list.
        if (op == Op::And) != *b {
            return Ok(Value::Bool(*b));
        }
    }
    let r = eval(right, model)?;
    let bool_of = |v: &Value| match v {
        Value::Bool(b) => Ok(*b),
        other => Err(format!(
            "`and`/`or` need true or false, not {}",
            show(other)
        )),
    };
    Ok(match op {
        Op::And | Op::Or => Value::Bool(bool_of(&r)?),
        Op::Eq => Value::Bool(same(&l, &r)),
        Op::Ne => Value::Bool(!same(&l, &r)),
        // Nothing is smaller or larger than `null` (a commit not made yet): the comparison is false.
        Op::Lt | Op::Le | Op::Gt | Op::Ge if l.is_null() || r.is_null() => Value::Bool(false),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let ordering = match (&l, &r) {
                (Value::String(a), Value::String(b)) => a.cmp(b),
                _ => number(&l)?
                    .partial_cmp(&number(&r)?)
                    .ok_or("numbers that cannot be compared")?,
            };
            Value::Bool(match op {
                Op::Lt => ordering.is_lt(),
                Op::Le => ordering.is_le(),
                Op::Gt => ordering.is_gt(),
                _ => ordering.is_ge(),
            })
        }
        Op::Add | Op::Sub | Op::Mul | Op::Div => {
            let (a, b) = (number(&l)?, number(&r)?);
            let x = match op {
                Op::Add => a + b,
                Op::Sub => a - b,
                Op::Mul => a * b,
                _ if b == 0.0 => return Err(format!("{} / 0", show(&l))),
                _ => a / b,
            };
            Value::from(x)
        }
    })
}

/// Equality as a reader means it: `3 == 3.0`.
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

fn call(func: Func, query: &Query, model: &Value) -> Result<Value, String> {
    let mut values = query.matches(model)?;
    if query.segments.iter().all(Option::is_some) {
        values = match values.pop() {
            Some(Value::Array(a)) => a,
            Some(Value::Object(o)) => o.into_iter().map(|(_, v)| v).collect(),
            Some(other) => alloc::vec![other],
            None => Vec::new(),
        };
    }
    let count = |empty: bool| values.iter().filter(|v| is_empty(v) == empty).count();
    let numbers = || -> Result<Vec<f64>, String> {
        values
            .iter()
            .map(|v| number(v).map_err(|e| format!("{}: {e}", query.text)))
            .collect()
    };
    Ok(match func {
        Func::Len => Value::from(values.len()),
        Func::Empty => Value::from(count(true)),
        Func::Count => Value::from(count(false)),
        Func::Sum => Value::from(numbers()?.into_iter().sum::<f64>()),
        Func::Min | Func::Max => {
            let numbers = numbers()?;
            let pick = if func == Func::Min {
                f64::min
            } else {
                f64::max
            };
            numbers
                .into_iter()
                .reduce(pick)
                .map_or(Value::Null, Value::from)
        }
    })
}

impl Query {
    /// Every value the path leads to (one without `*`).
    fn matches(&self, model: &Value) -> Result<Vec<Value>, String> {
        let mut here = alloc::vec![(String::new(), model)];
        for segment in &self.segments {
            let mut next = Vec::new();
            for (path, value) in here {
                let join = |key: &str| {
                    if path.is_empty() {
                        key.to_owned()
                    } else {
                        format!("{path}.{key}")
                    }
                };
                match (segment, value) {
                    (None, Value::Object(o)) => {
                        next.extend(o.iter().map(|(k, v)| (join(k), v)));
                    }
                    (None, Value::Array(a)) => {
                        next.extend(a.iter().enumerate().map(|(i, v)| (join(&i.to_string()), v)));
                    }
                    (Some(key), Value::Object(o)) => match o.get(key) {
                        Some(v) => next.push((join(key), v)),
                        None => {
                            let keys: Vec<Cow<'_, str>> =
                                o.keys().map(|k| cut(k)).take(12).collect();
                            return Err(format!(
                                "`{}`: no `{}` in {}; there is {}",
                                self.text,
                                cut(key),
                                if path.is_empty() {
                                    "the report".into()
                                } else {
                                    cut(&path)
                                },
                                if keys.is_empty() {
                                    "nothing".to_owned()
                                } else {
                                    keys.join(", ")
                                }
                            ));
                        }
                    },
                    (Some(key), Value::Array(a)) => {
                        match key.parse::<usize>().ok().and_then(|i| a.get(i)) {
                            Some(v) => next.push((join(key), v)),
                            None => {
                                return Err(format!(
                                    "`{}`: {} has entries 0 to {}, not `{}`",
                                    self.text,
                                    cut(&path),
                                    a.len().saturating_sub(1),
                                    cut(key)
                                ));
                            }
                        }
                    }
                    (_, other) => {
                        return Err(format!(
                            "`{}`: {} is {}, which has no keys",
                            self.text,
                            cut(&path),
                            show(other)
                        ));
                    }
                }
            }
            here = next;
        }
        Ok(here.into_iter().map(|(_, v)| v.clone()).collect())
    }
}

fn readings(node: &Node, model: &Value, out: &mut Vec<(String, String)>) {
    let mut push = |text: String, node: &Node| {
        let value = eval(node, model).map_or_else(|e| e, |v| show(&v));
        if !out.iter().any(|(t, _)| *t == text) {
            out.push((text, value));
        }
    };
    match node {
        Node::Literal(_) => {}
        Node::Query(q) => push(q.text.clone(), node),
        Node::Call(func, q) => {
            let name = match func {
                Func::Len => "len",
                Func::Sum => "sum",
                Func::Min => "min",
                Func::Max => "max",
                Func::Empty => "empty",
                Func::Count => "count",
            };
            push(format!("{name}({})", q.text), node);
        }
        Node::Not(inner) | Node::Neg(inner) => readings(inner, model, out),
        Node::Binary(_, l, r) => {
            readings(l, model, out);
            readings(r, model, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model() -> Value {
        json!({
            "groups": {"billing": {"state": "Stable", "members": {
                "billing-1": {"assigned": [["orders", 0]]},
                "billing-2": {"assigned": []},
                "billing-3": {"assigned": [["orders", 1], ["orders", 2]]}
            }}},
            "topics": {"orders.v1": {"partitions": [{"high_watermark": 11}, {"high_watermark": 9}]}},
            "sync": {"response_ms": {"p50": 391.168}, "failed": 0}
        })
    }

    fn eval_text(text: &str) -> Result<Value, String> {
        Expr::parse(text)?.eval(&model())
    }

    #[test]
    fn queries_functions_and_operators_read_the_model() {
        let cases: &[(&str, Value)] = &[
            ("groups.billing.state", json!("Stable")),
            ("groups.billing.state == \"Stable\"", json!(true)),
            ("len(groups.billing.members)", json!(3)),
            ("empty(groups.billing.members.*.assigned)", json!(1)),
            ("count(groups.billing.members.*.assigned)", json!(2)),
            ("len(groups.billing.members.billing-3.assigned)", json!(2)),
            (
                "sum(topics.\"orders.v1\".partitions.*.high_watermark)",
                json!(20.0),
            ),
            (
                "max(topics.\"orders.v1\".partitions.*.high_watermark)",
                json!(11.0),
            ),
            (
                "topics.\"orders.v1\".partitions.1.high_watermark - 2 * 3",
                json!(3.0),
            ),
            (
                "sync.response_ms.p50 / 100 > 3.9 and not sync.failed > 0",
                json!(true),
            ),
            (
                "sync.failed > 0 or len(groups.billing.members) == 3.0",
                json!(true),
            ),
            ("-(1 + 2) * 2 == -6", json!(true)),
            ("null > 0 or null < 0 or null >= null", json!(false)),
            ("10_000 > 9999", json!(true)),
        ];
        for (text, want) in cases {
            assert_eq!(eval_text(text).as_ref(), Ok(want), "{text}");
        }
    }

    #[test]
    fn mistakes_say_where_they_are() {
        let cases = [
            (
                "groups.shipping.state",
                "no `shipping` in groups; there is billing",
            ),
            ("groups.billing.members.*.assigned", "has a `*`"),
            (
                "topics.\"orders.v1\".partitions.5",
                "entries 0 to 1, not `5`",
            ),
            ("avg(sync.failed)", "unknown function `avg`"),
            ("sync.failed >", "at the end: expected a value"),
            ("(sync.failed", "expected `)`"),
            ("sync.failed & 1", "unexpected '&'"),
            ("groups.billing.state + 1", "Stable is not a number"),
            ("sync.failed / 0", "0 / 0"),
            ("\"open", "the string is not closed"),
            ("sync.failed 1", "unexpected number 1"),
        ];
        for (text, want) in cases {
            let err = eval_text(text).expect_err(text);
            assert!(err.contains(want), "{text}: {err}");
        }
        let err = Expr::parse("len(sync)")
            .expect("works")
            .holds(&model())
            .expect_err("fails");
        assert!(err.contains("not true or false"), "{err}");
    }

    #[test]
    fn readings_list_each_query_with_its_value() {
        let expr = Expr::parse("len(groups.billing.members) > 3 or sync.response_ms.p50 < 100")
            .expect("works");
        assert_eq!(
            expr.readings(&model()),
            [
                ("len(groups.billing.members)".to_owned(), "3".to_owned()),
                ("sync.response_ms.p50".to_owned(), "391.17".to_owned()),
            ]
        );
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        let cases = [
            (47_836.0, "47,836"),
            (-1_000.0, "-1,000"),
            (391.168, "391.17"),
            (0.5, "0.5"),
            (7.0, "7"),
        ];
        for (x, want) in cases {
            assert_eq!(show(&Value::from(x)), want);
        }
    }
}
