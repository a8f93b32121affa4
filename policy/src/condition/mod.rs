//! The `Condition` element: clauses compiled once, evaluated per request. Values within a
//! clause are OR; clauses (keys and operators) are AND.

mod clause;
mod date;
mod operator;

pub(crate) use clause::Clause;
pub(crate) use operator::check_operator;
