//! The `Condition` element: clauses compiled once, evaluated per request. Values within a
//! clause are OR; clauses (keys and operators) are AND.

mod clause;
mod date;
mod operator;

pub(crate) use clause::Clause;

/// Refuses an operator name AWS does not define.
pub(crate) fn check_operator(name: &str) -> Result<(), crate::PolicyError> {
    operator::Operator::parse(name).map(drop)
}
