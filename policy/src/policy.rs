//! A parsed policy: its original text and its compiled statements.

use crate::document::{parse_document, Version};
use crate::kind::policy_len;
use crate::principal::PrincipalMatch;
use crate::request::Request;
use crate::statement::{Effect, Statement};
use crate::{PolicyError, PolicyKind};

/// What one policy says about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A Deny statement matched.
    Deny,
    /// An Allow statement matched and no Deny did.
    Allow,
    /// No statement matched.
    NotApplicable,
}

/// [`Outcome`] plus, for an Allow, the strongest way the caller matched a principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Deny,
    Allow(PrincipalMatch),
    NotApplicable,
}

/// A parsed, compiled policy document.
#[derive(Debug, Clone)]
pub struct Policy {
    text: String,
    kind: PolicyKind,
    version: Version,
    id: Option<String>,
    sids: Vec<Option<String>>,
    statements: Vec<Statement>,
}

impl Policy {
    /// Parses `text` as a policy of `kind`, refusing documents over `kind.max_len()`.
    pub fn parse(text: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
        Policy::parse_with_limit(text, kind, kind.max_len())
    }

    /// Parses with an explicit size limit (inline policies: see [`crate::limits`]).
    pub fn parse_with_limit(
        text: &str,
        kind: PolicyKind,
        max_len: usize,
    ) -> Result<Policy, PolicyError> {
        let len = policy_len(text);
        if len > max_len {
            return Err(PolicyError::TooLarge {
                kind,
                len,
                max: max_len,
            });
        }
        let document = parse_document(text, kind)?;
        let (sids, statements) = document.statements.into_iter().unzip();
        Ok(Policy {
            text: text.to_string(),
            kind,
            version: document.version,
            id: document.id,
            sids,
            statements,
        })
    }

    /// The document exactly as given (for `GetPolicy`-style answers).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The kind it was parsed as.
    pub fn kind(&self) -> PolicyKind {
        self.kind
    }

    /// The language version (a document without `Version` is 2008-10-17).
    pub fn version(&self) -> Version {
        self.version
    }

    /// The `Id` element, if any.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The statements' `Sid`s in order (`None` where a statement has none).
    pub fn sids(&self) -> impl Iterator<Item = Option<&str>> {
        self.sids.iter().map(|s| s.as_deref())
    }

    /// Whether a resource policy makes its resource public as S3 defines it: some
    /// statement allows everyone without pinning the caller or its source to fixed values.
    pub fn grants_public_access(&self) -> bool {
        self.statements.iter().any(Statement::grants_public_access)
    }

    /// What this policy alone says about `req`.
    pub fn evaluate(&self, req: &Request<'_>) -> Outcome {
        match self.verdict(req) {
            Verdict::Deny => Outcome::Deny,
            Verdict::Allow(_) => Outcome::Allow,
            Verdict::NotApplicable => Outcome::NotApplicable,
        }
    }

    /// Evaluates every statement: any matching Deny wins; otherwise the strongest Allow.
    pub(crate) fn verdict(&self, req: &Request<'_>) -> Verdict {
        let mut allow: Option<PrincipalMatch> = None;
        for statement in &self.statements {
            let Some(matched) = statement.applies(req) else {
                continue;
            };
            match statement.effect {
                Effect::Deny => return Verdict::Deny,
                Effect::Allow => allow = allow.max(Some(matched)),
            }
        }
        allow.map_or(Verdict::NotApplicable, Verdict::Allow)
    }
}
