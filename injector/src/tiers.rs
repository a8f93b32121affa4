//! Remote tiers' credentials (`strata.io/tier-secrets`): each named Secret is mounted into the
//! sidecar only, at `/etc/strata/tiers/<tier>/`, where the `option_files` of that tier's
//! `[[tiers]]` table (in the `strata.io/config` ConfigMap) read them. The app never sees them.

use serde_json::{json, Value};

use crate::annotations::{invalid, object_name, AnnotationError};

/// `TIER=SECRET[; TIER=SECRET...]`.
pub const TIER_SECRETS: &str = "strata.io/tier-secrets";
/// Where tier `t`'s Secret is mounted: `TIERS_DIR/t/`.
pub const TIERS_DIR: &str = "/etc/strata/tiers";
/// Prefix of the pod volumes holding them (`strata-tier-<tier>`): reserved in every pod.
pub const TIER_VOLUME_PREFIX: &str = "strata-tier-";
/// Longest tier name: its volume's name must stay a DNS label.
const MAX_TIER_NAME: usize = 63 - TIER_VOLUME_PREFIX.len();
/// Readable by owner and group (fsGroup), as Secrets should be.
const SECRET_MODE: u64 = 0o440;

/// One tier's Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierSecret {
    /// The tier's name (its `[[tiers]]` table's `name`).
    pub tier: String,
    /// The Secret.
    pub secret: String,
}

/// Parses the annotation's value.
pub fn parse(value: &str) -> Result<Vec<TierSecret>, AnnotationError> {
    let mut out: Vec<TierSecret> = Vec::new();
    for segment in value.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((tier, secret)) = segment.split_once('=') else {
            return Err(invalid(
                TIER_SECRETS,
                format!("\"{segment}\" must be TIER=SECRET, e.g. \"cloud=s3-tier-keys\""),
            ));
        };
        let tier = tier.trim();
        let simple = tier
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if tier.is_empty() || tier.len() > MAX_TIER_NAME || !simple {
            return Err(invalid(
                TIER_SECRETS,
                format!("tier name \"{tier}\" must be 1 to {MAX_TIER_NAME} of a-z, 0-9 and '-', as in its [[tiers]] table"),
            ));
        }
        if out.iter().any(|t| t.tier == tier) {
            return Err(invalid(
                TIER_SECRETS,
                format!("tier \"{tier}\" is listed twice"),
            ));
        }
        out.push(TierSecret {
            tier: tier.to_owned(),
            secret: object_name(TIER_SECRETS, secret.trim())?,
        });
    }
    Ok(out)
}

/// The sidecar's mounts and the pod volumes they need.
pub fn render(secrets: &[TierSecret]) -> (Vec<Value>, Vec<Value>) {
    secrets
        .iter()
        .map(|t| {
            let volume = format!("{TIER_VOLUME_PREFIX}{}", t.tier);
            let dir = format!("{TIERS_DIR}/{}", t.tier);
            (
                json!({"name": volume, "mountPath": dir, "readOnly": true}),
                json!({"name": volume, "secret": {"secretName": t.secret, "defaultMode": SECRET_MODE}}),
            )
        })
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tier_s_secret_is_mounted_into_the_sidecar_under_its_name() {
        let secrets = parse(" cloud = s3-keys ; azure=az.keys ").unwrap();
        assert_eq!(secrets.len(), 2);
        let (mounts, volumes) = render(&secrets);
        assert_eq!(mounts[0]["mountPath"], "/etc/strata/tiers/cloud");
        assert_eq!(mounts[0]["readOnly"], true);
        assert_eq!(mounts[1]["name"], "strata-tier-azure");
        assert_eq!(volumes[0]["secret"]["secretName"], "s3-keys");
        assert_eq!(volumes[1]["secret"]["secretName"], "az.keys");
        assert_eq!(volumes[1]["name"], mounts[1]["name"]);
    }

    #[test]
    fn malformed_tier_secrets_name_the_problem() {
        let problem = |v: &str| parse(v).unwrap_err().to_string();
        assert!(problem("cloud").contains("must be TIER=SECRET"));
        assert!(problem("Cloud=x").contains("tier name \"Cloud\""));
        assert!(problem(&format!("{}=x", "a".repeat(52))).contains("1 to 51"));
        assert!(problem("cloud=a;cloud=b").contains("listed twice"));
        assert!(problem("cloud=Not_A_Name").contains("not a valid object name"));
    }
}
