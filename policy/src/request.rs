//! What a policy is evaluated against: the action, the resource, the caller and the
//! condition context. Everything is borrowed, so building a `Request` per HTTP request costs
//! no allocation.

/// The kind of principal making the request (`aws:PrincipalType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PrincipalType {
    /// An account's root user.
    Root,
    /// An IAM user.
    User,
    /// A role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
    AssumedRole,
    /// A federated user (`GetFederationToken`, web identity, SAML).
    FederatedUser,
    /// An unsigned request.
    Anonymous,
}

impl PrincipalType {
    /// The value of `aws:PrincipalType`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Root => "Account",
            PrincipalType::User => "User",
            PrincipalType::AssumedRole => "AssumedRole",
            PrincipalType::FederatedUser => "FederatedUser",
            PrincipalType::Anonymous => "Anonymous",
        }
    }
}

/// Who is asking.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    /// The principal's ARN: user ARN, `...:root`, or the assumed-role session ARN.
    pub arn: &'a str,
    /// The principal's account id (12 digits).
    pub account_id: &'a str,
    /// `aws:userid`: the user's unique id, or `ROLEID:session` for a role session.
    pub user_id: &'a str,
    /// `aws:username`, for IAM users only.
    pub user_name: Option<&'a str>,
    /// The kind of principal.
    pub kind: PrincipalType,
    /// `aws:PrincipalTag/*`: the principal's tags (keys compared case-insensitively).
    pub tags: &'a [(&'a str, &'a str)],
    /// For a role session: the role's ARN (`arn:aws:iam::ACCOUNT:role/NAME`), which a
    /// resource or trust policy may name instead of the session.
    pub role_arn: Option<&'a str>,
    /// For a federated caller: the identity provider (`Federated` principals).
    pub federated_provider: Option<&'a str>,
    /// `aws:SourceIdentity`: the source identity a role session was given.
    pub source_identity: Option<&'a str>,
    /// The caller's canonical user id (`CanonicalUser` principals), if known.
    pub canonical_id: Option<&'a str>,
}

impl<'a> Caller<'a> {
    /// An unsigned caller: matches only `"*"` principals; no principal keys.
    pub fn anonymous() -> Caller<'static> {
        Caller {
            arn: "",
            account_id: "",
            user_id: "",
            user_name: None,
            kind: PrincipalType::Anonymous,
            tags: &[],
            role_arn: None,
            federated_provider: None,
            source_identity: None,
            canonical_id: None,
        }
    }

    /// Whether the caller is the root user of an account.
    pub fn is_root(&self) -> bool {
        self.kind == PrincipalType::Root
    }
}

/// One or more values of a condition key.
#[derive(Debug, Clone, Copy)]
pub enum Values<'a> {
    /// A single value.
    One(&'a str),
    /// Several values (a multivalued key such as `aws:TagKeys`); may be empty.
    Many(&'a [&'a str]),
}

impl<'a> Values<'a> {
    /// The values in order.
    pub fn iter(self) -> impl Iterator<Item = &'a str> {
        let empty: &'a [&'a str] = &[];
        match self {
            Values::One(v) => Some(v).into_iter().chain(empty.iter().copied()),
            Values::Many(vs) => None.into_iter().chain(vs.iter().copied()),
        }
    }

    /// True when there is no value (`Many(&[])`).
    pub fn is_empty(self) -> bool {
        matches!(self, Values::Many(vs) if vs.is_empty())
    }

    /// The first value: what a policy variable takes.
    pub fn first(self) -> Option<&'a str> {
        self.iter().next()
    }
}

/// The condition context: condition key to values. Keys compare case-insensitively,
/// values case-sensitively. The principal keys (`aws:username`, `aws:userid`,
/// `aws:PrincipalTag/*`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:PrincipalType`,
/// `aws:SourceIdentity`)
/// come from [`Caller`] and need not be supplied.
pub trait ConditionContext {
    /// The values of `key`, or `None` when the request has no such key.
    fn get(&self, key: &str) -> Option<Values<'_>>;
}

/// A small list-backed [`ConditionContext`] for callers that have no structure of their own.
#[derive(Debug, Clone, Default)]
pub struct ContextMap<'a> {
    entries: Vec<(&'a str, Values<'a>)>,
}

impl<'a> ContextMap<'a> {
    /// An empty context.
    pub fn new() -> Self {
        ContextMap {
            entries: Vec::new(),
        }
    }

    /// Adds (or replaces) a single-valued key.
    pub fn with(mut self, key: &'a str, value: &'a str) -> Self {
        self.set(key, Values::One(value));
        self
    }

    /// Adds (or replaces) a multivalued key.
    pub fn with_many(mut self, key: &'a str, values: &'a [&'a str]) -> Self {
        self.set(key, Values::Many(values));
        self
    }

    /// Sets `key` to `values`.
    pub fn set(&mut self, key: &'a str, values: Values<'a>) {
        match self
            .entries
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
        {
            Some(entry) => entry.1 = values,
            None => self.entries.push((key, values)),
        }
    }
}

impl ConditionContext for ContextMap<'_> {
    fn get(&self, key: &str) -> Option<Values<'_>> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| *v)
    }
}

/// Two contexts as one: a key is looked up in `first`, then in `then` (a request's own keys
/// over the keys every request has).
#[derive(Clone, Copy)]
pub struct Layered<'a> {
    /// Asked first.
    pub first: &'a dyn ConditionContext,
    /// Asked for the keys `first` does not have.
    pub then: &'a dyn ConditionContext,
}

impl ConditionContext for Layered<'_> {
    fn get(&self, key: &str) -> Option<Values<'_>> {
        self.first.get(key).or_else(|| self.then.get(key))
    }
}

/// One request to authorize.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    /// The IAM action, e.g. `s3:GetObject`.
    pub action: &'a str,
    /// The resource ARN, e.g. `arn:aws:s3:::bucket/key`; `None` for actions on no resource
    /// (`s3:ListAllMyBuckets`), which only `"Resource": "*"` matches.
    pub resource: Option<&'a str>,
    /// Who is asking.
    pub caller: &'a Caller<'a>,
    /// The other condition keys.
    pub context: &'a dyn ConditionContext,
}

impl<'a> Request<'a> {
    /// The values of a condition key: principal keys from the caller, the rest from the
    /// context.
    pub fn values(&self, key: &str) -> Option<Values<'a>> {
        let caller = self.caller;
        if caller.kind != PrincipalType::Anonymous {
            if let Some(value) = principal_key(caller, key) {
                return value;
            }
        }
        self.context.get(key)
    }

    /// The value a policy variable `${key}` takes.
    pub(crate) fn variable(&self, key: &str) -> Option<&'a str> {
        self.values(key).and_then(Values::first)
    }
}

/// `Some(answer)` when `key` is a principal key (answered from the caller).
fn principal_key<'a>(caller: &Caller<'a>, key: &str) -> Option<Option<Values<'a>>> {
    const TAG_PREFIX: &str = "aws:principaltag/";
    if key.len() > TAG_PREFIX.len()
        && key.is_char_boundary(TAG_PREFIX.len())
        && key[..TAG_PREFIX.len()].eq_ignore_ascii_case(TAG_PREFIX)
    {
        let tag = &key[TAG_PREFIX.len()..];
        let value = caller
            .tags
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(tag))
            .map(|(_, v)| Values::One(v));
        return Some(value);
    }
    let one = |v: &'a str| Some((!v.is_empty()).then_some(Values::One(v)));
    if key.eq_ignore_ascii_case("aws:username") {
        Some(caller.user_name.map(Values::One))
    } else if key.eq_ignore_ascii_case("aws:userid") {
        one(caller.user_id)
    } else if key.eq_ignore_ascii_case("aws:PrincipalAccount") {
        one(caller.account_id)
    } else if key.eq_ignore_ascii_case("aws:PrincipalArn") {
        // For a role session, aws:PrincipalArn is the role's ARN, not the session's.
        one(caller.role_arn.unwrap_or(caller.arn))
    } else if key.eq_ignore_ascii_case("aws:PrincipalType") {
        one(caller.kind.as_str())
    } else if key.eq_ignore_ascii_case("aws:SourceIdentity") {
        Some(caller.source_identity.map(Values::One))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_layered_context_asks_its_first_layer_before_the_second() {
        let own = ContextMap::new()
            .with("sts:ExternalId", "x")
            .with("aws:SourceIp", "10.0.0.1");
        let every = ContextMap::new()
            .with("aws:SourceIp", "127.0.0.1")
            .with("aws:SecureTransport", "false");
        let both = Layered {
            first: &own,
            then: &every,
        };
        let one = |key| both.get(key).and_then(Values::first);
        assert_eq!(one("sts:externalid"), Some("x"));
        assert_eq!(
            one("aws:SourceIp"),
            Some("10.0.0.1"),
            "the first layer wins"
        );
        assert_eq!(one("aws:SecureTransport"), Some("false"));
        assert_eq!(one("aws:CurrentTime"), None);
    }
}
