//! `AssumeRoleWithLDAPIdentity` end to end: the real `strata` against a real OpenLDAP
//! `slapd` (support/slapd.rs; users, groups and a lookup entry from ldap/base.ldif), the
//! request sent as the raw unsigned form MinIO's clients send, and the session's keys used
//! by the real aws CLI v2 (`STRATA_AWS`). Without slapd or the CLI these tests fail.

use std::path::Path;
use std::process::Output;

use strata_tests::{aws_cli, raw, scrape_s3_listener, series_value, Credentials, Reply, Server};

#[path = "support/slapd.rs"]
mod slapd;
use slapd::{Slapd, BASE_DN};

const ROOT_KEY: &str = "LDAPROOTKEY";
const ROOT_SECRET: &str = "ldap-root-secret-0123456789";
const ACCOUNT: &str = "111122223333";
const REFUSED: &str = "LDAP sign-in failed: the user name or password is not valid";

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}"#;
const READ_DATA: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}"#;
const WRITE_DATA: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::data/*"]}]}"#;

fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

/// How strata reaches the directory.
struct Link<'a> {
    url: &'a str,
    /// The lookup DN's password file holds a wrong password.
    wrong_lookup_password: bool,
    start_tls: bool,
    ca_file: Option<&'a Path>,
}

/// The config file: the roles, and `[ldap]` unless `link` is `None`.
fn config(dir: &Path, link: Option<Link<'_>>) -> String {
    let mut text = format!(
        "root_account_id = \"{ACCOUNT}\"\n\n\
         [[roles]]\nname = \"ldap-reader\"\ntrust_policy = '{TRUST}'\npolicy = '{READ_DATA}'\n\n\
         [[roles]]\nname = \"ldap-writer\"\ntrust_policy = '{TRUST}'\npolicy = '{WRITE_DATA}'\n\n\
         [[roles]]\nname = \"unmapped\"\ntrust_policy = '{TRUST}'\npolicy = '{WRITE_DATA}'\n\n"
    );
    let Some(link) = link else {
        return text;
    };
    let password = dir.join("lookup-password");
    let lookup = if link.wrong_lookup_password {
        "wrong\n"
    } else {
        "lookuppass\n"
    };
    std::fs::write(&password, lookup).unwrap();
    text.push_str(&format!(
        "[ldap]\nurl = \"{url}\"\nstart_tls = {start_tls}\n{ca}\
         lookup_bind_dn = \"cn=strata-lookup,{BASE_DN}\"\n\
         lookup_bind_password_file = \"{password}\"\n\
         user_search_base = \"ou=people,{BASE_DN}\"\n\
         user_search_filter = \"(&(objectClass=inetOrgPerson)(uid=%s))\"\n\
         group_search_base = \"ou=groups,{BASE_DN}\"\n\
         group_search_filter = \"(&(objectClass=groupOfNames)(member=%d))\"\n\
         connect_timeout_secs = 2\noperation_timeout_secs = 5\n\n\
         [[ldap.role_mappings]]\ngroup = \"cn=s3-readers,ou=groups,{BASE_DN}\"\nrole_arn = \"{reader}\"\n\n\
         [[ldap.role_mappings]]\ngroup = \"CN=s3-writers, OU=groups, {BASE_DN}\"\nrole_arn = \"{writer}\"\n\n\
         [[ldap.role_mappings]]\nuser = \"uid=dave(ops)*,ou=people,{BASE_DN}\"\nrole_arn = \"{reader}\"\n",
        url = link.url,
        start_tls = link.start_tls,
        ca = link
            .ca_file
            .map_or(String::new(), |p| format!("ca_file = \"{}\"\n", p.display())),
        password = password.display(),
        reader = role_arn("ldap-reader"),
        writer = role_arn("ldap-writer"),
    ));
    text
}

fn start(dir: &Path, name: &str, link: Option<Link<'_>>) -> Server {
    let dir = dir.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("strata.toml");
    std::fs::write(&path, config(&dir, link)).unwrap();
    Server::builder()
        .binary(env!("CARGO_BIN_EXE_strata"))
        .credentials(Credentials::new(ROOT_KEY, ROOT_SECRET))
        .dir(dir.join("server"))
        .env("STRATA_CONFIG", path.to_str().unwrap())
        .start()
}

/// The unsigned form POST of MinIO's clients.
fn sign_in(server: &Server, fields: &[(&str, &str)]) -> Reply {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("Action", "AssumeRoleWithLDAPIdentity");
    form.append_pair("Version", "2011-06-15");
    for (k, v) in fields {
        form.append_pair(k, v);
    }
    let body = form.finish();
    raw(
        &server.addr,
        "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\n",
        body.as_bytes(),
    )
    .expect("send the form")
}

fn user(server: &Server, name: &str, password: &str) -> Reply {
    sign_in(
        server,
        &[("LDAPUsername", name), ("LDAPPassword", password)],
    )
}

/// The text of the first `<tag>` in `xml`.
fn element<'x>(xml: &'x str, tag: &str) -> Option<&'x str> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(&xml[start..end])
}

/// Status, error code and message of a refused sign-in.
fn refusal(reply: &Reply) -> (u16, String, String) {
    let text = reply.text();
    assert!(reply.status >= 400, "not refused: {text}");
    let get = |tag| element(&text, tag).unwrap_or_else(|| panic!("no {tag} in {text}"));
    (
        reply.status,
        get("Code").to_string(),
        get("Message").replace("&apos;", "'"),
    )
}

/// Access key, secret, session token.
struct Keys(String, String, String);

fn session(reply: &Reply, server: &Server) -> (Keys, String) {
    let text = reply.text();
    assert_eq!(
        reply.status,
        200,
        "{text}\n--- server\n{}",
        server.log_tail()
    );
    assert!(
        text.starts_with("<AssumeRoleWithLDAPIdentityResponse "),
        "{text}"
    );
    assert!(
        text.contains("<AssumeRoleWithLDAPIdentityResult><Credentials>"),
        "{text}"
    );
    let get = |tag| element(&text, tag).unwrap().to_string();
    let keys = Keys(
        get("AccessKeyId"),
        get("SecretAccessKey"),
        get("SessionToken"),
    );
    assert!(keys.0.starts_with("ASIA"), "{}", keys.0);
    (keys, get("Arn"))
}

fn aws(server: &Server, keys: &Keys, args: &[&str]) -> Output {
    aws_cli(server, (&keys.0, &keys.1))
        .env("AWS_SESSION_TOKEN", &keys.2)
        .args(args)
        .output()
        .expect("run the aws CLI")
}

fn root_aws(server: &Server, args: &[&str]) {
    let out = aws_cli(server, (ROOT_KEY, ROOT_SECRET))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assert_access_denied(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("(AccessDenied)"),
        "{stderr}"
    );
}

/// `strata_sts_ldap_sign_ins_total{outcome}` from the S3 listener's scrape.
fn sign_ins(server: &Server, outcome: &str) -> u64 {
    let series = format!("strata_sts_ldap_sign_ins_total{{outcome=\"{outcome}\"}}");
    series_value(&scrape_s3_listener(server), &series).map_or(0, |v| v as u64)
}

fn with_data(server: &Server, dir: &Path) -> String {
    root_aws(server, &["s3api", "create-bucket", "--bucket", "data"]);
    let body = dir.join("hello.txt");
    std::fs::write(&body, "hello").unwrap();
    let body = body.to_str().unwrap().to_string();
    root_aws(
        server,
        &[
            "s3api",
            "put-object",
            "--bucket",
            "data",
            "--key",
            "hello.txt",
            "--body",
            &body,
        ],
    );
    body
}

#[test]
fn directory_users_in_mapped_groups_get_sessions_their_role_allows_with_the_aws_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let slapd = Slapd::start(&tmp.path().join("slapd"));
    let link = Link {
        url: &slapd.ldap_url,
        wrong_lookup_password: false,
        start_tls: false,
        ca_file: None,
    };
    let server = start(tmp.path(), "strata", Some(link));
    let body = with_data(&server, tmp.path());
    let out = tmp.path().join("out.txt");
    let out = out.to_str().unwrap();
    let get_hello = [
        "s3api",
        "get-object",
        "--bucket",
        "data",
        "--key",
        "hello.txt",
        out,
    ];

    // alice is in s3-readers: a session of ldap-reader, named after her.
    let (alice, arn) = session(&user(&server, "alice", "alicepass"), &server);
    assert_eq!(
        arn,
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/ldap-reader/alice")
    );
    let me = aws(&server, &alice, &["sts", "get-caller-identity"]);
    assert_ok(&me);
    assert!(String::from_utf8_lossy(&me.stdout).contains(&arn));
    assert_ok(&aws(&server, &alice, &get_hello));
    assert_eq!(std::fs::read_to_string(out).unwrap(), "hello");
    assert_ok(&aws(
        &server,
        &alice,
        &["s3api", "list-objects-v2", "--bucket", "data"],
    ));
    assert_access_denied(&aws(
        &server,
        &alice,
        &[
            "s3api",
            "put-object",
            "--bucket",
            "data",
            "--key",
            "x",
            "--body",
            &body,
        ],
    ));

    // bob is in both groups: he must say which role, and may only name a mapped one.
    let (status, code, message) = refusal(&user(&server, "bob", "bobpass"));
    assert_eq!((status, code.as_str()), (400, "ValidationError"));
    assert!(message.contains("give RoleArn"), "{message}");
    let writer = role_arn("ldap-writer");
    let (bob, arn) = session(
        &sign_in(
            &server,
            &[
                ("LDAPUsername", "bob"),
                ("LDAPPassword", "bobpass"),
                ("RoleArn", &writer),
            ],
        ),
        &server,
    );
    assert_eq!(
        arn,
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/ldap-writer/bob")
    );
    assert_ok(&aws(
        &server,
        &bob,
        &[
            "s3api",
            "put-object",
            "--bucket",
            "data",
            "--key",
            "from-bob",
            "--body",
            &body,
        ],
    ));
    assert_access_denied(&aws(
        &server,
        &bob,
        &["s3api", "list-objects-v2", "--bucket", "data"],
    ));
    let unmapped = role_arn("unmapped");
    let (status, code, _) = refusal(&sign_in(
        &server,
        &[
            ("LDAPUsername", "bob"),
            ("LDAPPassword", "bobpass"),
            ("RoleArn", &unmapped),
        ],
    ));
    assert_eq!((status, code.as_str()), (403, "AccessDenied"));

    // A user mapped by its own DN, whose uid holds filter metacharacters: the escaped
    // filter matches exactly that entry, and the group filter takes the escaped DN.
    let (dave, arn) = session(&user(&server, "dave(ops)*", "davepass"), &server);
    assert_eq!(
        arn,
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/ldap-reader/dave_ops__")
    );
    assert_ok(&aws(
        &server,
        &dave,
        &["s3api", "list-objects-v2", "--bucket", "data"],
    ));

    // A session policy narrows the session, as for the other issuing actions; the
    // duration is the role's to bound.
    let deny_get = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
    let (narrow, _) = session(
        &sign_in(
            &server,
            &[
                ("LDAPUsername", "alice"),
                ("LDAPPassword", "alicepass"),
                ("Policy", deny_get),
                ("DurationSeconds", "900"),
            ],
        ),
        &server,
    );
    assert_ok(&aws(
        &server,
        &narrow,
        &["s3api", "list-objects-v2", "--bucket", "data"],
    ));
    assert_access_denied(&aws(&server, &narrow, &get_hello));
    let (status, code, _) = refusal(&sign_in(
        &server,
        &[
            ("LDAPUsername", "alice"),
            ("LDAPPassword", "alicepass"),
            ("DurationSeconds", "7200"),
        ],
    ));
    assert_eq!((status, code.as_str()), (400, "ValidationError"));

    // So does a managed policy of the role's account, named by its ARN; one of no account
    // of the role is refused.
    root_aws(
        &server,
        &[
            "iam",
            "create-policy",
            "--policy-name",
            "list-only",
            "--policy-document",
            deny_get,
        ],
    );
    let list_only = format!("arn:aws:iam::{ACCOUNT}:policy/list-only");
    let with_arn = |arn: &str| {
        let fields = [
            ("LDAPUsername", "alice"),
            ("LDAPPassword", "alicepass"),
            ("PolicyArns.member.1.arn", arn),
        ];
        sign_in(&server, &fields)
    };
    let (capped, _) = session(&with_arn(&list_only), &server);
    assert_ok(&aws(
        &server,
        &capped,
        &["s3api", "list-objects-v2", "--bucket", "data"],
    ));
    assert_access_denied(&aws(&server, &capped, &get_hello));
    let (status, code, _) = refusal(&with_arn("arn:aws:iam::999999999999:policy/list-only"));
    assert_eq!((status, code.as_str()), (400, "MalformedPolicyDocument"));
    assert_eq!(sign_ins(&server, "success"), 5);
}

#[test]
fn refused_sign_ins_answer_alike_and_are_counted_by_their_own_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let slapd = Slapd::start(&tmp.path().join("slapd"));
    let link = Link {
        url: &slapd.ldap_url,
        wrong_lookup_password: false,
        start_tls: false,
        ca_file: None,
    };
    let server = start(tmp.path(), "strata", Some(link));
    let denied = (403, "AccessDenied".to_string(), REFUSED.to_string());

    // Wrong password and unknown user: one answer, two reasons.
    assert_eq!(refusal(&user(&server, "alice", "wrong")), denied);
    assert_eq!(refusal(&user(&server, "nobody", "alicepass")), denied);
    assert_eq!(sign_ins(&server, "wrong_password"), 1);
    assert_eq!(sign_ins(&server, "unknown_user"), 1);
    // Two entries share the uid `twin`: refused rather than guessing, answered alike.
    assert_eq!(refusal(&user(&server, "twin", "twinpass")), denied);
    assert_eq!(sign_ins(&server, "ambiguous_user"), 1);

    // Filter metacharacters are values: each of these would match alice (or dave, or
    // everyone) if pasted into the filter unescaped; escaped, they match nobody.
    let hostile = [
        ("*", "alicepass"),
        ("al*", "alicepass"),
        ("alice)(objectClass=*", "alicepass"),
        ("*)(uid=*", "alicepass"),
        ("alice\\", "alicepass"),
        ("\\61lice", "alicepass"),
        ("dave*", "davepass"),
        ("dave(ops)", "davepass"),
        ("alice\0", "alicepass"),
    ];
    for (name, password) in hostile {
        assert_eq!(refusal(&user(&server, name, password)), denied, "{name:?}");
    }
    assert_eq!(sign_ins(&server, "unknown_user"), 1 + hostile.len() as u64);
    assert_eq!(sign_ins(&server, "success"), 0);

    // carol's password is right but no group of hers maps to a role.
    let (status, code, message) = refusal(&user(&server, "carol", "carolpass"));
    assert_eq!((status, code.as_str()), (403, "AccessDenied"));
    assert!(message.contains("no group mapped to a role"), "{message}");
    assert_eq!(sign_ins(&server, "no_mapped_role"), 1);

    // An empty password would be an unauthenticated bind, which slapd accepts: refused
    // before any bind (slapd's log shows no bind for alice beyond the first two tries).
    let binds_before = slapd.log().matches("BIND dn=\"uid=alice,").count();
    let (status, code, message) = refusal(&user(&server, "alice", ""));
    assert_eq!((status, code.as_str()), (400, "ValidationError"));
    assert!(message.contains("LDAPPassword"), "{message}");
    assert_eq!(sign_ins(&server, "empty_password"), 1);
    assert_eq!(
        slapd.log().matches("BIND dn=\"uid=alice,").count(),
        binds_before
    );

    // Missing parameters are the request's fault.
    let (status, code, _) = refusal(&sign_in(&server, &[("LDAPUsername", "alice")]));
    assert_eq!((status, code.as_str()), (400, "MissingParameter"));
    assert_eq!(sign_ins(&server, "invalid_request"), 1);
}

#[test]
fn a_stopped_directory_answers_503_and_never_a_session() {
    let tmp = tempfile::tempdir().unwrap();
    let mut slapd = Slapd::start(&tmp.path().join("slapd"));
    let link = Link {
        url: &slapd.ldap_url,
        wrong_lookup_password: false,
        start_tls: false,
        ca_file: None,
    };
    let server = start(tmp.path(), "strata", Some(link));
    session(&user(&server, "alice", "alicepass"), &server);

    slapd.stop();
    for (name, password) in [("alice", "alicepass"), ("alice", "wrong"), ("nobody", "x")] {
        let (status, code, message) = refusal(&user(&server, name, password));
        assert_eq!(
            (status, code.as_str()),
            (503, "ServiceUnavailable"),
            "{message}"
        );
        assert!(
            message.contains("LDAP directory is unreachable"),
            "{message}"
        );
        assert!(message.contains("no session was issued"), "{message}");
    }
    assert_eq!(sign_ins(&server, "directory_unreachable"), 3);
    assert_eq!(sign_ins(&server, "success"), 1);
}

#[test]
fn ldaps_and_starttls_sign_in_with_the_directorys_ca_and_fail_clearly_without_it() {
    let tmp = tempfile::tempdir().unwrap();
    let slapd = Slapd::start(&tmp.path().join("slapd"));
    let ca = Some(slapd.ca_file.as_path());
    let wrong = Some(slapd.wrong_ca_file.as_path());
    let ldaps = |ca_file| Link {
        url: &slapd.ldaps_url,
        wrong_lookup_password: false,
        start_tls: false,
        ca_file,
    };
    let start_tls = |ca_file| Link {
        url: &slapd.ldap_url,
        wrong_lookup_password: false,
        start_tls: true,
        ca_file,
    };

    for (name, link) in [("ldaps", ldaps(ca)), ("starttls", start_tls(ca))] {
        let server = start(tmp.path(), name, Some(link));
        session(&user(&server, "alice", "alicepass"), &server);
        // A refusal over TLS is still a refusal.
        let (status, code, _) = refusal(&user(&server, "alice", "wrong"));
        assert_eq!((status, code.as_str()), (403, "AccessDenied"), "{name}");
    }
    for (name, link) in [
        ("ldaps-system-roots", ldaps(None)),
        ("ldaps-wrong-ca", ldaps(wrong)),
        ("starttls-wrong-ca", start_tls(wrong)),
    ] {
        let server = start(tmp.path(), name, Some(link));
        let (status, code, message) = refusal(&user(&server, "alice", "alicepass"));
        assert_eq!(
            (status, code.as_str()),
            (503, "ServiceUnavailable"),
            "{name}: {message}"
        );
        assert!(
            message.contains("TLS with the LDAP directory failed")
                && message.contains("UnknownIssuer"),
            "{name}: {message}"
        );
        assert_eq!(sign_ins(&server, "tls_failed"), 1, "{name}");
    }
}

#[test]
fn a_refused_lookup_bind_answers_503_and_keeps_the_details_in_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    let slapd = Slapd::start(&tmp.path().join("slapd"));
    let link = Link {
        url: &slapd.ldap_url,
        wrong_lookup_password: true,
        start_tls: false,
        ca_file: None,
    };
    let server = start(tmp.path(), "strata", Some(link));
    let (status, code, message) = refusal(&user(&server, "alice", "alicepass"));
    assert_eq!(
        (status, code.as_str()),
        (503, "ServiceUnavailable"),
        "{message}"
    );
    assert!(message.contains("could not check the sign-in"), "{message}");
    assert!(!message.contains("strata-lookup"), "{message}");
    assert_eq!(sign_ins(&server, "lookup_bind_failed"), 1);
    assert!(
        server.log_tail().contains("lookup bind"),
        "{}",
        server.log_tail()
    );
}

#[test]
fn without_an_ldap_table_the_action_is_not_enabled() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(tmp.path(), "strata", None);
    let (status, code, message) = refusal(&user(&server, "alice", "alicepass"));
    assert_eq!((status, code.as_str()), (400, "InvalidAction"));
    assert!(
        message.contains("AssumeRoleWithLDAPIdentity is not enabled"),
        "{message}"
    );
    assert_eq!(sign_ins(&server, "not_configured"), 1);
}
