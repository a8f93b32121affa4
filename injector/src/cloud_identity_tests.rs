use serde_json::json;

use super::*;

fn container(env: Value, mounts: Value) -> Value {
    json!({"name": "c", "env": env, "volumeMounts": mounts})
}

#[test]
fn azure_workload_identity_is_lent_with_the_mount_of_its_token() {
    let app = container(
        json!([
            {"name": "LOG_LEVEL", "value": "debug"},
            {"name": "AZURE_CLIENT_ID", "value": "5b1e4c52-7c1a-4f0c-9f6a-0a11ce5e7ea1"},
            {"name": "AZURE_TENANT_ID", "value": "72f988bf-86f1-41af-91ab-2d7cd011db47"},
            {"name": "AZURE_FEDERATED_TOKEN_FILE", "value": "/var/run/secrets/azure/tokens/azure-identity-token"},
            {"name": "AZURE_AUTHORITY_HOST", "value": "https://login.microsoftonline.com/"}
        ]),
        json!([
            {"name": "data", "mountPath": "/var/run/secrets/azure"},
            {"name": "azure-identity-token", "mountPath": "/var/run/secrets/azure/tokens", "readOnly": true},
            {"name": "cache", "mountPath": "/var/run/secrets/azure/tokens-cache"}
        ]),
    );
    let lent = borrow(&[&container(json!([]), json!([])), &app]);
    let names: Vec<&str> = lent.env.iter().filter_map(|e| e["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "AZURE_CLIENT_ID",
            "AZURE_TENANT_ID",
            "AZURE_FEDERATED_TOKEN_FILE",
            "AZURE_AUTHORITY_HOST"
        ]
    );
    // The parent directory also holds the token; a sibling whose name only starts the same
    // does not.
    let paths: Vec<&str> = lent
        .mounts
        .iter()
        .filter_map(|m| m["mountPath"].as_str())
        .collect();
    assert_eq!(
        paths,
        ["/var/run/secrets/azure", "/var/run/secrets/azure/tokens"]
    );
    assert!(lent.mounts.iter().all(|m| m["readOnly"] == true));
}

#[test]
fn irsa_is_lent_with_its_region_and_only_from_the_first_container_that_has_an_identity() {
    let irsa = container(
        json!([
            {"name": "AWS_STS_REGIONAL_ENDPOINTS", "value": "regional"},
            {"name": "AWS_REGION", "value": "eu-west-1"},
            {"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::111122223333:role/eks-app"},
            {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"}
        ]),
        json!([{"name": "aws-iam-token", "mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount"}]),
    );
    let other = container(
        json!([{"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::111122223333:role/other"}]),
        json!([]),
    );
    let lent = borrow(&[&irsa, &other]);
    assert_eq!(lent.env, irsa["env"].as_array().unwrap().clone());
    assert_eq!(lent.mounts.len(), 1);
    assert_eq!(lent.mounts[0]["name"], "aws-iam-token");
}

#[test]
fn without_an_identity_nothing_is_lent_not_even_a_region() {
    let plain = container(
        json!([{"name": "AWS_REGION", "value": "eu-west-1"}]),
        json!([{"name": "token", "mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount"}]),
    );
    assert_eq!(
        borrow(&[&plain, &json!({"name": "bare"})]),
        Borrowed::default()
    );
}
