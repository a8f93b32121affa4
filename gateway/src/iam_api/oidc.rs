//! OpenID Connect providers: Create/Get/List/DeleteOpenIDConnectProvider and
//! Add/RemoveClientIDTo/FromOpenIDConnectProvider. A provider is named by its URL without
//! `https://` (`issuer.example.com/path`), as its ARN names it.

use serde::Serialize;

use super::call::{Call, Resource};
use super::validate;
use super::xml::{self, Members, Tag};
use crate::iam::records::OidcProviderRecord;
use crate::iam::{now_ns, Kind, Scoped, Snapshot};
use crate::s3::error::{Code, S3Error};
use crate::s3::response::Response;

/// AWS's limits: audiences and thumbprints per provider.
const MAX_CLIENT_IDS: usize = 100;
const MAX_THUMBPRINTS: usize = 5;

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Created {
    #[serde(rename = "OpenIDConnectProviderArn")]
    arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Members<Tag>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Provider {
    url: String,
    #[serde(rename = "ClientIDList")]
    client_id_list: Members<String>,
    thumbprint_list: Members<String>,
    create_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Members<Tag>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    arn: String,
}

#[derive(Serialize)]
struct ProviderList {
    #[serde(rename = "OpenIDConnectProviderList")]
    list: Members<Entry>,
}

/// The provider name of an issuer URL: `https://` and a trailing `/` removed; no query or
/// fragment, at most 255 characters.
pub fn provider_name(url: &str) -> Result<String, S3Error> {
    let invalid =
        || Code::ValidationError.with(format!("Invalid OpenID Connect provider URL: {url}"));
    let rest = url.strip_prefix("https://").ok_or_else(invalid)?;
    let rest = rest.trim_end_matches('/');
    let allowed = |b: u8| b.is_ascii_graphic() && !b"?#\0".contains(&b);
    if url.len() > 255 || rest.is_empty() || rest.starts_with('/') || !rest.bytes().all(allowed) {
        return Err(invalid());
    }
    Ok(rest.to_string())
}

fn check_client_id(id: &str) -> Result<(), S3Error> {
    if (1..=255).contains(&id.len()) {
        Ok(())
    } else {
        Err(Code::ValidationError.with("a client id is 1 to 255 characters long"))
    }
}

fn check_thumbprint(t: &str) -> Result<(), S3Error> {
    if t.len() == 40 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(Code::ValidationError.with(format!("thumbprint {t:?} is not 40 hexadecimal digits")))
    }
}

/// The provider an `OpenIDConnectProviderArn` names, in the caller's account.
fn named<'s>(
    call: &Call<'_>,
    s: &'s Snapshot,
) -> Result<(String, &'s OidcProviderRecord), S3Error> {
    let arn = call.required("OpenIDConnectProviderArn")?;
    let prefix = format!("arn:aws:iam::{}:oidc-provider/", call.account);
    let missing =
        || Code::NoSuchEntity.with(format!("OpenIDConnect Provider not found for arn {arn}"));
    let name = arn.strip_prefix(&prefix).ok_or_else(missing)?;
    call.allow(Resource::OidcProvider(name))?;
    let key: Scoped = (call.account.clone(), name.to_string());
    let record = s.oidc.get(&key).ok_or_else(missing)?;
    Ok((name.to_string(), record))
}

fn arn(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:oidc-provider/{name}")
}

/// CreateOpenIDConnectProvider (`Url`, `ClientIDList`, `ThumbprintList`, `Tags`).
pub async fn create(call: &Call<'_>) -> Result<Response, S3Error> {
    let url = call.required("Url")?;
    let name = provider_name(url)?;
    let client_ids: Vec<String> = call
        .form
        .list("ClientIDList")
        .into_iter()
        .map(str::to_string)
        .collect();
    let thumbprints: Vec<String> = call
        .form
        .list("ThumbprintList")
        .into_iter()
        .map(str::to_string)
        .collect();
    client_ids.iter().try_for_each(|c| check_client_id(c))?;
    thumbprints.iter().try_for_each(|t| check_thumbprint(t))?;
    if client_ids.len() > MAX_CLIENT_IDS || thumbprints.len() > MAX_THUMBPRINTS {
        return Err(Code::LimitExceeded.with(format!(
            "a provider has at most {MAX_CLIENT_IDS} client ids and {MAX_THUMBPRINTS} thumbprints"
        )));
    }
    let tags = validate::merge_tags(&[], validate::tags(call.form)?)?;
    call.allow(Resource::OidcProvider(&name))?;
    let mut change = call.store.change().await?;
    if change
        .current
        .oidc
        .contains_key(&(call.account.clone(), name.clone()))
    {
        return Err(
            Code::EntityAlreadyExists.with(format!("Provider with url {url} already exists."))
        );
    }
    let record = OidcProviderRecord {
        url: url.to_string(),
        client_ids,
        thumbprints,
        created_ns: now_ns(),
        tags,
    };
    change.put(Kind::Oidc, &[&call.account, &name], &record);
    change.apply().await?;
    call.respond(&Created {
        arn: arn(&call.account, &name),
        tags: xml::tags(&record.tags),
    })
}

/// GetOpenIDConnectProvider.
pub async fn get(call: &Call<'_>) -> Result<Response, S3Error> {
    let snapshot = call.store.snapshot();
    let (name, r) = named(call, &snapshot)?;
    call.respond(&Provider {
        url: name,
        client_id_list: Members::of(r.client_ids.iter().cloned()),
        thumbprint_list: Members::of(r.thumbprints.iter().cloned()),
        create_date: xml::iso8601(r.created_ns),
        tags: xml::tags(&r.tags),
    })
}

/// ListOpenIDConnectProviders.
pub async fn list(call: &Call<'_>) -> Result<Response, S3Error> {
    call.allow(Resource::OidcProvider("*"))?;
    let snapshot = call.store.snapshot();
    let entries = snapshot
        .oidc
        .keys()
        .filter(|(account, _)| *account == call.account)
        .map(|(_, name)| Entry {
            arn: arn(&call.account, name),
        });
    call.respond(&ProviderList {
        list: Members::of(entries),
    })
}

/// DeleteOpenIDConnectProvider.
pub async fn delete(call: &Call<'_>) -> Result<Response, S3Error> {
    let mut change = call.store.change().await?;
    let current = change.current.clone();
    let (name, _) = named(call, &current)?;
    change.delete(Kind::Oidc, &[&call.account, &name]);
    change.apply().await?;
    call.done()
}

/// AddClientIDToOpenIDConnectProvider (adding one again changes nothing).
pub async fn add_client_id(call: &Call<'_>) -> Result<Response, S3Error> {
    edit_client_ids(call, true).await
}

/// RemoveClientIDFromOpenIDConnectProvider (removing an absent one changes nothing).
pub async fn remove_client_id(call: &Call<'_>) -> Result<Response, S3Error> {
    edit_client_ids(call, false).await
}

async fn edit_client_ids(call: &Call<'_>, add: bool) -> Result<Response, S3Error> {
    let id = call.required("ClientID")?;
    check_client_id(id)?;
    let mut change = call.store.change().await?;
    let current = change.current.clone();
    let (name, record) = named(call, &current)?;
    let mut record = record.clone();
    record.client_ids.retain(|c| c != id);
    if add {
        if record.client_ids.len() >= MAX_CLIENT_IDS {
            return Err(Code::LimitExceeded.with(format!(
                "a provider has at most {MAX_CLIENT_IDS} client ids"
            )));
        }
        record.client_ids.push(id.to_string());
    }
    change.put(Kind::Oidc, &[&call.account, &name], &record);
    change.apply().await?;
    call.done()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_are_urls_without_scheme_or_trailing_slash() {
        assert_eq!(
            provider_name("https://issuer.example.com/path/").unwrap(),
            "issuer.example.com/path"
        );
        for bad in [
            "http://issuer.example.com",
            "https://",
            "https://a.example/?x=1",
            "https://a.example/#f",
            "https:///a",
        ] {
            assert_eq!(
                provider_name(bad).unwrap_err().code,
                Code::ValidationError,
                "{bad}"
            );
        }
        check_thumbprint(&"a".repeat(40)).unwrap();
        assert!(check_thumbprint("xyz").is_err());
    }
}
