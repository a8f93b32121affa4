//! What `AssumeRole` carries into the new session: the `Tags`, `TransitiveTagKeys` and
//! `SourceIdentity` asked for, and what a calling role session passes on (its transitive
//! tags and its source identity, which the new session may not change), checked in AWS's
//! terms.

use strata_sts::session::SessionTag;

use super::grant::{name_ok, validation, Carried};
use super::session_tags::{session_tags, MAX_TAGS};
use crate::identity::Identity;
use crate::query_api::Form;
use crate::s3::error::S3Error;

/// The tags and source identity of a session `caller` asks for with `form`.
pub fn carried_by(form: &Form, caller: &Identity) -> Result<Carried, S3Error> {
    let asked = session_tags(form)?;
    let mut tags = Vec::new();
    let mut transitive_tag_keys = Vec::new();
    for key in &caller.transitive_tag_keys {
        if asked.iter().any(|tag| tag.key.eq_ignore_ascii_case(key)) {
            return Err(validation(
                "Tags",
                &format!("must not set {key}, a transitive tag of the calling session"),
            ));
        }
        let value = caller
            .tags
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        tags.push(SessionTag {
            key: key.clone(),
            value,
        });
        transitive_tag_keys.push(key.clone());
    }
    for key in form.list("TransitiveTagKeys") {
        let tag = asked
            .iter()
            .find(|tag| tag.key.eq_ignore_ascii_case(key))
            .ok_or_else(|| {
                validation(
                    "TransitiveTagKeys",
                    &format!("must name keys of Tags ({key} is not one)"),
                )
            })?;
        if !transitive_tag_keys.contains(&tag.key) {
            transitive_tag_keys.push(tag.key.clone());
        }
    }
    tags.extend(asked);
    if tags.len() > MAX_TAGS {
        return Err(validation(
            "Tags",
            &format!(
                "with the calling session's transitive tags, must have at most {MAX_TAGS} members"
            ),
        ));
    }
    Ok(Carried {
        tags,
        transitive_tag_keys,
        source_identity: source_identity(form, caller)?,
    })
}

/// The calling session's source identity, or the one asked for: 2 to 64 of `[\w+=,.@-]`,
/// not beginning with `aws:`.
fn source_identity(form: &Form, caller: &Identity) -> Result<Option<String>, S3Error> {
    let asked = form.get("SourceIdentity");
    if let Some(asked) = asked {
        let reserved = asked.len() >= 4 && asked[..4].eq_ignore_ascii_case("aws:");
        if !name_ok(asked, 64) || reserved {
            return Err(validation(
                "SourceIdentity",
                "must be 2 to 64 characters of [\\w+=,.@-], not beginning with aws:",
            ));
        }
    }
    match (&caller.source_identity, asked) {
        (Some(kept), Some(asked)) if kept != asked => Err(validation(
            "SourceIdentity",
            &format!("cannot change the calling session's source identity {kept}"),
        )),
        (Some(kept), _) => Ok(Some(kept.clone())),
        (None, asked) => Ok(asked.map(str::to_string)),
    }
}
