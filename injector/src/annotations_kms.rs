//! The `strata.io/kms-*` annotations: the sidecar's way to a Vault-compatible KMS, parsed
//! and checked (rendered by [`crate::kms`]).

use std::collections::BTreeMap;

use super::{invalid, object_name, value, AnnotationError};

/// The transit engine's address, e.g. `https://openbao.vault:8200`: turns the rest on.
pub const KMS_ADDRESS: &str = "strata.io/kms-address";
/// The role of the auth method the sidecar logs in as.
pub const KMS_ROLE: &str = "strata.io/kms-role";
/// The auth method: `kubernetes` (default; the KMS asks the cluster's TokenReview) or `jwt`
/// (the KMS verifies the token offline with the cluster's JWKS).
pub const KMS_AUTH: &str = "strata.io/kms-auth";
/// The auth method's mount path (default: the method's name).
pub const KMS_AUTH_MOUNT: &str = "strata.io/kms-auth-mount";
/// The audience of the sidecar's token (default [`DEFAULT_AUDIENCE`]).
pub const KMS_AUDIENCE: &str = "strata.io/kms-audience";
/// A ConfigMap whose `ca.crt` is the KMS's CA bundle.
pub const KMS_CA_CONFIGMAP: &str = "strata.io/kms-ca-configmap";
/// The transit engine's mount path (default `transit`).
pub const KMS_MOUNT: &str = "strata.io/kms-mount";
/// The KMS key of SSE-KMS requests that name none.
pub const KMS_KEY: &str = "strata.io/kms-key";

/// The token's audience unless [`KMS_AUDIENCE`] says otherwise.
pub const DEFAULT_AUDIENCE: &str = "vault";
/// What a pod asked of the KMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsRequest {
    /// The transit engine's address.
    pub address: String,
    /// `kubernetes` or `jwt`.
    pub auth: String,
    /// The auth method's mount path, if not the method's name.
    pub auth_mount: Option<String>,
    /// The role to log in as.
    pub role: String,
    /// The token's audience.
    pub audience: String,
    /// ConfigMap holding `ca.crt`.
    pub ca_config_map: Option<String>,
    /// The transit mount, if not `transit`.
    pub mount: Option<String>,
    /// The default SSE-KMS key, if not the gateway's.
    pub key: Option<String>,
}

/// A path segment list such as `transit` or `auth/k8s-prod` (letters, digits, `-_.`).
fn path(annotation: &'static str, text: &str) -> Result<String, AnnotationError> {
    let text = text.trim_matches('/');
    let ok = !text.is_empty()
        && text.split('/').all(|seg| {
            !seg.is_empty()
                && seg != ".."
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        });
    if !ok {
        return Err(invalid(
            annotation,
            format!("\"{text}\" is not a mount path such as \"transit\""),
        ));
    }
    Ok(text.to_owned())
}

/// A name of letters, digits and `-_.` (roles, audiences, key ids).
fn name(annotation: &'static str, text: &str) -> Result<String, AnnotationError> {
    let ok = !text.is_empty()
        && text.len() <= 128
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c));
    if !ok {
        return Err(invalid(
            annotation,
            format!("\"{text}\" must be letters, digits and -_.:/"),
        ));
    }
    Ok(text.to_owned())
}

/// The `strata.io/kms-*` annotations; `None` without [`KMS_ADDRESS`] (then any other of
/// them is an error, not ignored).
pub fn parse(
    annotations: &BTreeMap<String, String>,
) -> Result<Option<KmsRequest>, AnnotationError> {
    let get = |k: &str| value(annotations, k);
    let Some(address) = get(KMS_ADDRESS) else {
        let others = [
            KMS_ROLE,
            KMS_AUTH,
            KMS_AUTH_MOUNT,
            KMS_AUDIENCE,
            KMS_CA_CONFIGMAP,
            KMS_MOUNT,
            KMS_KEY,
        ];
        if let Some(other) = others.into_iter().find(|a| get(a).is_some()) {
            return Err(invalid(other, format!("needs {KMS_ADDRESS}")));
        }
        return Ok(None);
    };
    let scheme_ok = address.starts_with("https://") || address.starts_with("http://");
    if !scheme_ok || address.chars().any(char::is_whitespace) {
        return Err(invalid(
            KMS_ADDRESS,
            format!("\"{address}\" is not an https:// (or http://) URL"),
        ));
    }
    let auth = match get(KMS_AUTH).unwrap_or("kubernetes") {
        a @ ("kubernetes" | "jwt") => a.to_owned(),
        other => {
            return Err(invalid(
                KMS_AUTH,
                format!("\"{other}\" must be \"kubernetes\" or \"jwt\""),
            ))
        }
    };
    let role = get(KMS_ROLE).ok_or(AnnotationError::Missing {
        annotation: KMS_ROLE,
        hint: "name the role of the KMS's auth method the sidecar logs in as, e.g. \"strata\"",
    })?;
    Ok(Some(KmsRequest {
        address: address.trim_end_matches('/').to_owned(),
        auth,
        auth_mount: get(KMS_AUTH_MOUNT)
            .map(|m| path(KMS_AUTH_MOUNT, m))
            .transpose()?,
        role: name(KMS_ROLE, role)?,
        audience: name(KMS_AUDIENCE, get(KMS_AUDIENCE).unwrap_or(DEFAULT_AUDIENCE))?,
        ca_config_map: get(KMS_CA_CONFIGMAP)
            .map(|n| object_name(KMS_CA_CONFIGMAP, n))
            .transpose()?,
        mount: get(KMS_MOUNT).map(|m| path(KMS_MOUNT, m)).transpose()?,
        key: get(KMS_KEY).map(|k| name(KMS_KEY, k)).transpose()?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annotations(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn without_an_address_nothing_is_asked_and_stray_settings_are_errors() {
        assert_eq!(parse(&annotations(&[])), Ok(None));
        let stray = parse(&annotations(&[(KMS_ROLE, "strata")])).unwrap_err();
        assert!(stray.to_string().contains(KMS_ADDRESS), "{stray}");
    }

    #[test]
    fn bad_settings_are_refused_with_the_annotation_named() {
        let base = [(KMS_ADDRESS, "https://kms:8200"), (KMS_ROLE, "strata")];
        for (bad, annotation) in [
            ((KMS_AUTH, "approle"), KMS_AUTH),
            ((KMS_AUTH_MOUNT, "../sys"), KMS_AUTH_MOUNT),
            ((KMS_CA_CONFIGMAP, "Not_A_Name"), KMS_CA_CONFIGMAP),
            ((KMS_ADDRESS, "kms:8200"), KMS_ADDRESS),
        ] {
            let mut pairs = base.to_vec();
            pairs.retain(|(k, _)| *k != bad.0);
            pairs.push(bad);
            let e = parse(&annotations(&pairs)).unwrap_err();
            assert!(e.to_string().contains(annotation), "{e}");
        }
        let no_role = parse(&annotations(&[(KMS_ADDRESS, "https://kms:8200")])).unwrap_err();
        assert!(no_role.to_string().contains(KMS_ROLE), "{no_role}");
    }
}
