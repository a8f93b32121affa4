//! What tagging users, roles and managed policies shares: the change a `Tag…` or `Untag…`
//! action asks for, and the `List…Tags` answer.

use serde::Serialize;

use super::call::Call;
use super::paging::page;
use super::validate;
use super::xml::{self, Members, Tag};
use crate::query_api::Form;
use crate::s3::error::S3Error;
use crate::s3::response::Response;

/// A change to an entity's tags.
pub enum TagChange<'f> {
    /// `Tag…`: the form's `Tags`, each replacing a tag of the same key.
    Set(Vec<(String, String)>),
    /// `Untag…`: the form's `TagKeys` removed (keys the entity does not have are ignored,
    /// as AWS does).
    Remove(Vec<&'f str>),
}

impl<'f> TagChange<'f> {
    /// The tags `Tag…`'s form gives, checked.
    pub fn set(form: &'f Form) -> Result<TagChange<'f>, S3Error> {
        Ok(TagChange::Set(validate::tags(form)?))
    }

    /// The keys `Untag…`'s form removes.
    pub fn remove(form: &'f Form) -> TagChange<'f> {
        TagChange::Remove(form.list("TagKeys"))
    }

    /// Applies the change to `tags` (refused when the result breaks IAM's tag rules).
    pub fn apply(self, tags: &mut Vec<(String, String)>) -> Result<(), S3Error> {
        match self {
            TagChange::Set(new) => *tags = validate::merge_tags(tags, new)?,
            TagChange::Remove(keys) => tags.retain(|(k, _)| !keys.contains(&k.as_str())),
        }
        Ok(())
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TagList {
    tags: Members<Tag>,
    is_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    marker: Option<String>,
}

/// The `List…Tags` answer: `tags`, paged by key.
pub fn list(call: &Call<'_>, tags: &[(String, String)]) -> Result<Response, S3Error> {
    let page = page(call.form, xml::tag_pairs(tags))?;
    call.respond(&TagList {
        tags: Members::of(page.items),
        is_truncated: page.is_truncated,
        marker: page.marker,
    })
}
