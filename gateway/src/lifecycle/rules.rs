//! A bucket's lifecycle rules: the document validated as PutBucketLifecycleConfiguration
//! validates it, and compiled into what the scanner's hook and the `x-amz-expiration`
//! header evaluate.

use std::time::SystemTime;

use rand::distributions::{Alphanumeric, DistString};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::clock::LifecycleClock;
use super::document::{
    AbortXml, ExpirationXml, FilterXml, LifecycleConfiguration, NoncurrentExpirationXml,
    NoncurrentTransitionXml, RuleXml, TransitionXml,
};
use super::min_size::MinSize;
use crate::s3::error::{Code, S3Error};
use crate::s3::http::iso8601;
use crate::s3::xml::{from_xml, to_xml, S3_NS};

/// Where the document is kept among the bucket's configuration documents.
pub const LIFECYCLE_CONFIG: &str = "lifecycle";

/// Largest configuration read (1000 rules of AWS's largest fit in well under this).
pub const MAX_LIFECYCLE_BODY: usize = 1024 * 1024;

/// Most rules one configuration may hold.
const MAX_RULES: usize = 1000;

/// Longest rule `ID`.
const MAX_ID: usize = 255;

/// Largest `NewerNoncurrentVersions`.
const MAX_NEWER_VERSIONS: i64 = 100;

/// Which objects a rule is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Keys starting with this.
    pub prefix: String,
    /// Tags the object must all carry.
    pub tags: Vec<(String, String)>,
    /// Sizes above this.
    pub size_greater: Option<u64>,
    /// Sizes below this.
    pub size_less: Option<u64>,
}

impl Filter {
    /// Whether an object of `key`, `size` and `tags` is one of the rule's.
    pub fn matches(&self, key: &str, size: u64, tags: &[(String, String)]) -> bool {
        key.starts_with(&self.prefix)
            && self.size_greater.is_none_or(|g| size > g)
            && self.size_less.is_none_or(|l| size < l)
            && self.tags.iter().all(|t| tags.contains(t))
    }
}

/// When a current version expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiration {
    /// This many days after it was written.
    Days(u64),
    /// On this day (days since the epoch).
    Date(u64),
    /// Only delete markers that are a key's last version, as soon as they are.
    DeleteMarker,
}

/// When a noncurrent version expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoncurrentExpiration {
    /// Days after it became noncurrent.
    pub days: u64,
    /// Noncurrent versions newer than it that are kept whatever their age.
    pub keep_newer: Option<u64>,
}

/// When a transition applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// This many days after the version was written.
    Days(u64),
    /// On this day (days since the epoch).
    Date(u64),
}

/// A `Transition`: where current versions go, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// When.
    pub when: When,
    /// The target class's S3 name.
    pub class: String,
}

/// A `NoncurrentVersionTransition`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoncurrentTransition {
    /// Days after the version became noncurrent.
    pub days: u64,
    /// Noncurrent versions newer than it that stay where they are whatever their age.
    pub keep_newer: Option<u64>,
    /// The target class's S3 name.
    pub class: String,
}

/// One enabled rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Its `ID`.
    pub id: String,
    /// Its objects.
    pub filter: Filter,
    /// `Expiration`.
    pub expiration: Option<Expiration>,
    /// `NoncurrentVersionExpiration`.
    pub noncurrent: Option<NoncurrentExpiration>,
    /// `AbortIncompleteMultipartUpload`'s `DaysAfterInitiation`.
    pub abort_after_days: Option<u64>,
    /// `Transition`s.
    pub transitions: Vec<Transition>,
    /// `NoncurrentVersionTransition`s.
    pub noncurrent_transitions: Vec<NoncurrentTransition>,
}

/// A bucket's enabled rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lifecycle {
    /// The rules whose `Status` is `Enabled`.
    pub rules: Vec<Rule>,
    /// The size floor of transitions (`x-amz-transition-default-minimum-object-size`).
    pub min_size: MinSize,
}

/// Says whether a transition's `StorageClass` names a class objects can move to.
pub type ClassCheck<'a> = &'a dyn Fn(&str) -> Result<(), S3Error>;

/// What a lifecycle action is due for, with the rule that makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// When it falls due.
    pub at: SystemTime,
    /// The rule's `ID`.
    pub rule_id: String,
}

/// A version as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// Its key.
    pub key: &'a str,
    /// Its size.
    pub size: u64,
    /// Its tags.
    pub tags: &'a [(String, String)],
}

impl Lifecycle {
    /// A PutBucketLifecycleConfiguration body, checked as AWS checks it (transitions' classes
    /// by `classes`): the rules, and the document to store (rules without an `ID` are given
    /// one).
    pub fn parse_for_put(
        body: &[u8],
        classes: ClassCheck<'_>,
    ) -> Result<(Lifecycle, Vec<u8>), S3Error> {
        let mut doc: LifecycleConfiguration = from_xml(body)?;
        for rule in &mut doc.Rule {
            if rule.ID.as_deref().is_none_or(str::is_empty) {
                rule.ID = Some(Alphanumeric.sample_string(&mut rand::thread_rng(), 32));
            }
        }
        let lifecycle = compile(&mut doc, classes)?;
        doc.xmlns = Some(S3_NS.to_string());
        Ok((lifecycle, to_xml(&doc)?.to_vec()))
    }

    /// A stored document, with the stored size floor; `Err` says why it cannot be used. (A
    /// transition to a class no longer configured is kept, and never carried out.)
    pub fn decode(doc: &[u8], min_size: MinSize) -> Result<Lifecycle, String> {
        let mut parsed: LifecycleConfiguration = from_xml(doc).map_err(|e| e.to_string())?;
        let lifecycle = compile(&mut parsed, &|_| Ok(())).map_err(|e| e.message)?;
        Ok(Lifecycle {
            min_size,
            ..lifecycle
        })
    }

    /// The coldest class (by `rank`, S3 names) that a due `Transition` moves the current
    /// version `of`, written at `written`, to.
    pub fn current_transition(
        &self,
        clock: &LifecycleClock,
        of: Subject<'_>,
        written: SystemTime,
        now: SystemTime,
        rank: &dyn Fn(&str) -> Option<usize>,
    ) -> Option<String> {
        self.coldest(of, rank, |rule| {
            rule.transitions
                .iter()
                .filter(|t| {
                    let due = match t.when {
                        When::Days(days) => clock.due_after(written, days),
                        When::Date(day) => clock.day_start(day),
                    };
                    due <= now
                })
                .map(|t| t.class.clone())
                .collect()
        })
    }

    /// The coldest class that a due `NoncurrentVersionTransition` moves the noncurrent
    /// version `of` to: it became noncurrent at `since` and `newer` noncurrent versions of its
    /// key are newer than it.
    pub fn noncurrent_transition(
        &self,
        clock: &LifecycleClock,
        of: Subject<'_>,
        since: SystemTime,
        newer: u64,
        now: SystemTime,
        rank: &dyn Fn(&str) -> Option<usize>,
    ) -> Option<String> {
        self.coldest(of, rank, |rule| {
            rule.noncurrent_transitions
                .iter()
                .filter(|t| t.keep_newer.is_none_or(|keep| newer >= keep))
                .filter(|t| clock.due_after(since, t.days) <= now)
                .map(|t| t.class.clone())
                .collect()
        })
    }

    /// Of the classes `due` gives for each rule matching `of` (and not kept back by the size
    /// floor), the one `rank` puts last.
    fn coldest(
        &self,
        of: Subject<'_>,
        rank: &dyn Fn(&str) -> Option<usize>,
        due: impl Fn(&Rule) -> Vec<String>,
    ) -> Option<String> {
        self.rules
            .iter()
            .filter(|r| r.filter.matches(of.key, of.size, of.tags))
            .flat_map(|r| {
                let own_floor = r.filter.size_greater.is_some() || r.filter.size_less.is_some();
                due(r)
                    .into_iter()
                    .filter(move |class| own_floor || !self.min_size.keeps_back(of.size, class))
            })
            .filter_map(|class| rank(&class).map(|r| (r, class)))
            .max_by_key(|(r, _)| *r)
            .map(|(_, class)| class)
    }

    /// When the current version `of`, written at `written`, expires, by the earliest rule.
    pub fn current_expiry(
        &self,
        clock: &LifecycleClock,
        of: Subject<'_>,
        written: SystemTime,
    ) -> Option<Due> {
        self.earliest(of, |rule| match rule.expiration? {
            Expiration::Days(days) => Some(clock.due_after(written, days)),
            Expiration::Date(day) => Some(clock.day_start(day)),
            Expiration::DeleteMarker => None,
        })
    }

    /// When a delete marker that is its key's only version, written at `written`, is removed:
    /// at once under `ExpiredObjectDeleteMarker`, when its age meets the rule under `Days` or
    /// `Date` (as AWS does).
    pub fn marker_expiry(
        &self,
        clock: &LifecycleClock,
        key: &str,
        written: SystemTime,
    ) -> Option<Due> {
        let marker = Subject {
            key,
            size: 0,
            tags: &[],
        };
        self.earliest(marker, |rule| match rule.expiration? {
            Expiration::Days(days) => Some(clock.due_after(written, days)),
            Expiration::Date(day) => Some(clock.day_start(day)),
            Expiration::DeleteMarker => Some(written),
        })
    }

    /// When the noncurrent version `of` expires: it became noncurrent at `since`, and
    /// `newer` noncurrent versions of its key are newer than it.
    pub fn noncurrent_expiry(
        &self,
        clock: &LifecycleClock,
        of: Subject<'_>,
        since: SystemTime,
        newer: u64,
    ) -> Option<Due> {
        self.earliest(of, |rule| {
            let n = rule.noncurrent?;
            n.keep_newer
                .is_none_or(|keep| newer >= keep)
                .then(|| clock.due_after(since, n.days))
        })
    }

    /// When an upload of `key` started at `initiated` is aborted by the bucket's rules.
    pub fn abort_upload(
        &self,
        clock: &LifecycleClock,
        key: &str,
        initiated: SystemTime,
    ) -> Option<Due> {
        // Abort rules have neither tags nor sizes (refused when put): only the prefix counts.
        let upload = Subject {
            key,
            size: 0,
            tags: &[],
        };
        self.earliest(upload, |rule| {
            rule.abort_after_days
                .map(|days| clock.due_after(initiated, days))
        })
    }

    /// The earliest time `when` gives among the rules that match `of`.
    fn earliest(&self, of: Subject<'_>, when: impl Fn(&Rule) -> Option<SystemTime>) -> Option<Due> {
        self.rules
            .iter()
            .filter(|r| r.filter.matches(of.key, of.size, of.tags))
            .filter_map(|r| {
                when(r).map(|at| Due {
                    at,
                    rule_id: r.id.clone(),
                })
            })
            .min_by_key(|d| d.at)
    }
}

/// Validates every rule and keeps the enabled ones; normalizes `Date`s in `doc`.
fn compile(
    doc: &mut LifecycleConfiguration,
    classes: ClassCheck<'_>,
) -> Result<Lifecycle, S3Error> {
    if doc.Rule.is_empty() {
        return Err(Code::MalformedXML.with("a lifecycle configuration needs at least one Rule"));
    }
    if doc.Rule.len() > MAX_RULES {
        return Err(Code::InvalidRequest.with(format!(
            "a lifecycle configuration holds at most {MAX_RULES} rules; this one has {}",
            doc.Rule.len()
        )));
    }
    let mut ids = std::collections::HashSet::new();
    let mut rules = Vec::new();
    for rule in &mut doc.Rule {
        let id = rule.ID.clone().unwrap_or_default();
        if id.chars().count() > MAX_ID {
            return Err(Code::InvalidArgument.with(format!(
                "ID length should not exceed allowed limit of {MAX_ID}"
            )));
        }
        if !ids.insert(id.clone()) {
            return Err(Code::InvalidArgument
                .with("Rule ID must be unique. Found same ID for more than one rule"));
        }
        let compiled = compile_rule(id, rule, classes)?;
        if rule.Status == "Enabled" {
            rules.push(compiled);
        }
    }
    Ok(Lifecycle {
        rules,
        min_size: MinSize::Unset,
    })
}

fn compile_rule(id: String, rule: &mut RuleXml, classes: ClassCheck<'_>) -> Result<Rule, S3Error> {
    if rule.Status != "Enabled" && rule.Status != "Disabled" {
        return Err(Code::MalformedXML.with("a rule's Status is Enabled or Disabled"));
    }
    let filter = match (&rule.Prefix, &rule.Filter) {
        (Some(_), Some(_)) => {
            return Err(Code::MalformedXML.with("a rule has a Filter or a Prefix, not both"))
        }
        (None, None) => return Err(Code::MalformedXML.with("a rule needs a Filter or a Prefix")),
        (Some(prefix), None) => Filter {
            prefix: prefix.clone(),
            ..Filter::default()
        },
        (None, Some(f)) => compile_filter(f)?,
    };
    if rule.Expiration.is_none()
        && rule.NoncurrentVersionExpiration.is_none()
        && rule.AbortIncompleteMultipartUpload.is_none()
        && rule.Transition.is_empty()
        && rule.NoncurrentVersionTransition.is_empty()
    {
        return Err(
            Code::InvalidRequest.with("At least one action needs to be specified in a rule")
        );
    }
    let expiration = match &mut rule.Expiration {
        Some(e) => compile_expiration(e, &filter)?,
        None => None,
    };
    let noncurrent = rule
        .NoncurrentVersionExpiration
        .as_ref()
        .map(compile_noncurrent)
        .transpose()?;
    let abort_after_days = rule
        .AbortIncompleteMultipartUpload
        .as_ref()
        .map(|a| compile_abort(a, &filter))
        .transpose()?;
    let transitions = compile_transitions(&mut rule.Transition, classes)?;
    let noncurrent_transitions =
        compile_noncurrent_transitions(&rule.NoncurrentVersionTransition, classes)?;
    Ok(Rule {
        id,
        filter,
        expiration,
        noncurrent,
        abort_after_days,
        transitions,
        noncurrent_transitions,
    })
}

fn compile_transitions(
    list: &mut [TransitionXml],
    classes: ClassCheck<'_>,
) -> Result<Vec<Transition>, S3Error> {
    let mut out: Vec<Transition> = Vec::with_capacity(list.len());
    for t in list.iter_mut() {
        let class = target_class(t.StorageClass.as_deref(), classes)?;
        let when = match (t.Days, &t.Date) {
            (Some(days), None) => When::Days(u64::try_from(days).map_err(|_| {
                Code::InvalidArgument
                    .with("'Days' for Transition action must be a nonnegative integer")
            })?),
            (None, Some(date)) => {
                let day = parse_date(date)?;
                t.Date = Some(iso8601(LifecycleClock::default().day_start(day)));
                When::Date(day)
            }
            _ => {
                return Err(
                    Code::MalformedXML.with("a Transition holds exactly one of Days and Date")
                )
            }
        };
        if out.iter().any(|o| o.class == class) {
            return Err(Code::InvalidArgument
                .with("'StorageClass' must be different for 'Transition' actions in same 'Rule'"));
        }
        if out
            .iter()
            .any(|o| matches!(o.when, When::Days(_)) != matches!(when, When::Days(_)))
        {
            return Err(Code::InvalidRequest
                .with("the Transitions of one rule all use Days or all use Date"));
        }
        out.push(Transition { when, class });
    }
    Ok(out)
}

fn compile_noncurrent_transitions(
    list: &[NoncurrentTransitionXml],
    classes: ClassCheck<'_>,
) -> Result<Vec<NoncurrentTransition>, S3Error> {
    let mut out: Vec<NoncurrentTransition> = Vec::with_capacity(list.len());
    for t in list {
        let class = target_class(t.StorageClass.as_deref(), classes)?;
        let days = t
            .NoncurrentDays
            .and_then(|d| u64::try_from(d).ok())
            .ok_or_else(|| {
                Code::InvalidArgument.with(
                    "'NoncurrentDays' for NoncurrentVersionTransition action must be a nonnegative integer",
                )
            })?;
        if out.iter().any(|o| o.class == class) {
            return Err(Code::InvalidArgument.with(
                "'StorageClass' must be different for 'NoncurrentVersionTransition' actions in same 'Rule'",
            ));
        }
        out.push(NoncurrentTransition {
            days,
            keep_newer: newer_versions(t.NewerNoncurrentVersions)?,
            class,
        });
    }
    Ok(out)
}

fn target_class(name: Option<&str>, classes: ClassCheck<'_>) -> Result<String, S3Error> {
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Code::MalformedXML.with("a transition needs a StorageClass"))?;
    classes(name)?;
    Ok(name.to_string())
}

/// `NewerNoncurrentVersions`, from 1 to AWS's 100.
fn newer_versions(value: Option<i64>) -> Result<Option<u64>, S3Error> {
    match value {
        None => Ok(None),
        Some(v) if (1..=MAX_NEWER_VERSIONS).contains(&v) => Ok(Some(v as u64)),
        Some(_) => Err(Code::InvalidArgument.with(format!(
            "'NewerNoncurrentVersions' must be from 1 to {MAX_NEWER_VERSIONS}"
        ))),
    }
}

fn compile_filter(f: &FilterXml) -> Result<Filter, S3Error> {
    let given = [
        f.Prefix.is_some(),
        f.Tag.is_some(),
        f.ObjectSizeGreaterThan.is_some(),
        f.ObjectSizeLessThan.is_some(),
        f.And.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(Code::MalformedXML
            .with("a Filter holds one of Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan and And; use And to combine them"));
    }
    let filter = match &f.And {
        Some(and) => Filter {
            prefix: and.Prefix.clone().unwrap_or_default(),
            tags: and
                .Tag
                .iter()
                .map(|t| (t.Key.clone(), t.Value.clone()))
                .collect(),
            size_greater: and.ObjectSizeGreaterThan,
            size_less: and.ObjectSizeLessThan,
        },
        None => Filter {
            prefix: f.Prefix.clone().unwrap_or_default(),
            tags: f
                .Tag
                .iter()
                .map(|t| (t.Key.clone(), t.Value.clone()))
                .collect(),
            size_greater: f.ObjectSizeGreaterThan,
            size_less: f.ObjectSizeLessThan,
        },
    };
    let mut keys = std::collections::HashSet::new();
    for (k, v) in &filter.tags {
        if k.is_empty() || k.chars().count() > 128 || v.chars().count() > 256 {
            return Err(Code::InvalidTag.with("tag keys are 1-128 and values 0-256 characters"));
        }
        if !keys.insert(k) {
            return Err(Code::InvalidRequest.with("Duplicate Tag Keys are not allowed."));
        }
    }
    if let (Some(g), Some(l)) = (filter.size_greater, filter.size_less) {
        if g >= l {
            return Err(Code::InvalidRequest
                .with("ObjectSizeGreaterThan must be less than ObjectSizeLessThan"));
        }
    }
    Ok(filter)
}

fn compile_expiration(
    e: &mut ExpirationXml,
    filter: &Filter,
) -> Result<Option<Expiration>, S3Error> {
    let given = [
        e.Days.is_some(),
        e.Date.is_some(),
        e.ExpiredObjectDeleteMarker.is_some(),
    ];
    if given.iter().filter(|g| **g).count() != 1 {
        return Err(Code::MalformedXML
            .with("Expiration holds exactly one of Days, Date and ExpiredObjectDeleteMarker"));
    }
    if let Some(days) = e.Days {
        return positive(
            days,
            "'Days' for Expiration action must be a positive integer",
        )
        .map(|d| Some(Expiration::Days(d)));
    }
    if let Some(date) = &e.Date {
        let day = parse_date(date)?;
        e.Date = Some(iso8601(LifecycleClock::default().day_start(day)));
        return Ok(Some(Expiration::Date(day)));
    }
    if !filter.tags.is_empty() {
        return Err(
            Code::InvalidRequest.with("ExpiredObjectDeleteMarker cannot be specified with Tags")
        );
    }
    Ok((e.ExpiredObjectDeleteMarker == Some(true)).then_some(Expiration::DeleteMarker))
}

fn compile_noncurrent(n: &NoncurrentExpirationXml) -> Result<NoncurrentExpiration, S3Error> {
    let days = positive(
        n.NoncurrentDays.unwrap_or(0),
        "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
    )?;
    let keep_newer = newer_versions(n.NewerNoncurrentVersions)?;
    Ok(NoncurrentExpiration { days, keep_newer })
}

fn compile_abort(a: &AbortXml, filter: &Filter) -> Result<u64, S3Error> {
    if !filter.tags.is_empty() {
        return Err(Code::InvalidRequest
            .with("AbortIncompleteMultipartUpload cannot be specified with Tags."));
    }
    if filter.size_greater.is_some() || filter.size_less.is_some() {
        return Err(Code::InvalidRequest.with(
            "AbortIncompleteMultipartUpload cannot be specified with an object size filter: an upload has no size yet",
        ));
    }
    positive(
        a.DaysAfterInitiation.unwrap_or(0),
        "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
    )
}

fn positive(n: i64, message: &str) -> Result<u64, S3Error> {
    u64::try_from(n)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| Code::InvalidArgument.with(message))
}

/// A rule's `Date` (ISO 8601, at midnight UTC) as days since the epoch.
fn parse_date(text: &str) -> Result<u64, S3Error> {
    let text = text.trim();
    let at = OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .or_else(|| {
            Date::parse(text, format_description!("[year]-[month]-[day]"))
                .ok()
                .map(|d| d.midnight().assume_utc())
        })
        .ok_or_else(|| Code::InvalidArgument.with("'Date' must be an ISO 8601 date"))?;
    let secs = at.unix_timestamp();
    if secs % 86_400 != 0 || at.nanosecond() != 0 {
        return Err(Code::InvalidArgument.with("'Date' must be at midnight GMT"));
    }
    u64::try_from(secs / 86_400)
        .map_err(|_| Code::InvalidArgument.with("'Date' must be after 1970-01-01"))
}
