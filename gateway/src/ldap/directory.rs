//! A sign-in against the directory: bind as the lookup DN, find the user's one entry by an
//! escaped filter, bind as it with the given password, bind back as the lookup DN, and list
//! the user's groups. Every step has a timeout; the connection lasts one sign-in.

use std::sync::Arc;
use std::time::Duration;

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, LdapError, Scope, SearchEntry};
use rustls::ClientConfig;

use super::error::LoginError;
use super::filter::{group_filter, user_filter};
use crate::config::LdapConfig;

/// LDAP's `invalidCredentials` result code.
const INVALID_CREDENTIALS: u32 = 49;
/// Ask for no attributes: only the entries' DNs are wanted.
const NO_ATTRIBUTES: &str = "1.1";
/// A sign-in makes at most this many operations (three binds, two searches).
const OPERATIONS: u32 = 5;

/// Who signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The user's entry.
    pub user_dn: String,
    /// The DNs of the groups the group search found.
    pub group_dns: Vec<String>,
}

/// The configured directory, with its TLS settings built once.
pub struct Directory {
    config: LdapConfig,
    tls: Arc<ClientConfig>,
}

impl Directory {
    /// The directory of `config`; the error says what is wrong with its `ca_file`.
    pub fn new(config: LdapConfig) -> Result<Directory, String> {
        let tls = super::tls::client_config(config.ca_file.as_deref())?;
        Ok(Directory { config, tls })
    }

    /// The configuration it was made from.
    pub fn config(&self) -> &LdapConfig {
        &self.config
    }

    /// Checks `user_name` and `password` against the directory.
    pub async fn sign_in(&self, user_name: &str, password: &str) -> Result<SignedIn, LoginError> {
        // An LDAP simple bind with an empty password is an unauthenticated bind, which
        // succeeds: it must never reach the directory.
        if password.is_empty() {
            return Err(LoginError::EmptyPassword);
        }
        let c = &self.config;
        // The whole sign-in is bounded too, in case a step hangs between operations.
        let budget = sign_in_budget(c);
        match tokio::time::timeout(budget, self.sign_in_steps(user_name, password)).await {
            Ok(result) => result,
            Err(_) => Err(LoginError::Unreachable {
                url: c.url.clone(),
                detail: format!("no answer within {} s", budget.as_secs()),
            }),
        }
    }

    async fn sign_in_steps(&self, user_name: &str, password: &str) -> Result<SignedIn, LoginError> {
        let c = &self.config;
        let lookup_password = std::fs::read_to_string(&c.lookup_bind_password_file)
            .map_err(|e| {
                LoginError::LookupPassword(format!(
                    "{}: {e}",
                    c.lookup_bind_password_file.display()
                ))
            })?
            .trim_end_matches(['\r', '\n'])
            .to_string();
        if lookup_password.is_empty() {
            return Err(LoginError::LookupPassword("the file is empty".into()));
        }
        let mut ldap = self.connect().await?;
        let result = self
            .steps_on(&mut ldap, &lookup_password, user_name, password)
            .await;
        // Best effort: the connection closes when dropped anyway.
        let _ = ldap.unbind().await;
        result
    }

    async fn steps_on(
        &self,
        ldap: &mut Ldap,
        lookup_password: &str,
        user_name: &str,
        password: &str,
    ) -> Result<SignedIn, LoginError> {
        let c = &self.config;
        self.lookup_bind(ldap, lookup_password).await?;
        let filter = user_filter(&c.user_search_filter, user_name);
        let users = self.search(ldap, &c.user_search_base, &filter).await?;
        let user_dn = match users.as_slice() {
            [] => return Err(LoginError::UnknownUser),
            [one] => one.clone(),
            many => return Err(LoginError::AmbiguousUser(many.len())),
        };
        let bound = ldap
            .with_timeout(c.operation_timeout)
            .simple_bind(&user_dn, password)
            .await
            .map_err(|e| self.transport(e))?;
        match bound.rc {
            0 => {}
            INVALID_CREDENTIALS => return Err(LoginError::WrongPassword),
            _ => return Err(LoginError::Directory(bound.to_string())),
        }
        // Groups are listed with strata's own rights, not the user's.
        self.lookup_bind(ldap, lookup_password).await?;
        let filter = group_filter(&c.group_search_filter, &user_dn, user_name);
        let group_dns = self.search(ldap, &c.group_search_base, &filter).await?;
        Ok(SignedIn { user_dn, group_dns })
    }

    async fn connect(&self) -> Result<Ldap, LoginError> {
        let c = &self.config;
        let settings = LdapConnSettings::new()
            .set_conn_timeout(c.connect_timeout)
            .set_config(self.tls.clone())
            .set_starttls(c.start_tls);
        let (conn, ldap) = LdapConnAsync::with_settings(settings, &c.url)
            .await
            .map_err(|e| self.transport(e))?;
        ldap3::drive!(conn);
        Ok(ldap)
    }

    async fn lookup_bind(&self, ldap: &mut Ldap, password: &str) -> Result<(), LoginError> {
        let c = &self.config;
        let bound = ldap
            .with_timeout(c.operation_timeout)
            .simple_bind(&c.lookup_bind_dn, password)
            .await
            .map_err(|e| self.transport(e))?;
        if bound.rc != 0 {
            return Err(LoginError::LookupBindRefused {
                dn: c.lookup_bind_dn.clone(),
                detail: bound.to_string(),
            });
        }
        Ok(())
    }

    /// The DNs of the entries under `base` (whole subtree) that match `filter`.
    async fn search(
        &self,
        ldap: &mut Ldap,
        base: &str,
        filter: &str,
    ) -> Result<Vec<String>, LoginError> {
        let (entries, _) = ldap
            .with_timeout(self.config.operation_timeout)
            .search(base, Scope::Subtree, filter, vec![NO_ATTRIBUTES])
            .await
            .map_err(|e| self.transport(e))?
            .success()
            .map_err(|e| LoginError::Directory(e.to_string()))?;
        Ok(entries
            .into_iter()
            .map(|entry| SearchEntry::construct(entry).dn)
            .collect())
    }

    /// A failure below LDAP: TLS, the network, or a timeout.
    fn transport(&self, e: LdapError) -> LoginError {
        let url = self.config.url.clone();
        let tls = |detail: String| LoginError::Tls {
            url: url.clone(),
            detail,
        };
        match e {
            LdapError::Rustls { source } => tls(source.to_string()),
            LdapError::DNSName { source } => tls(source.to_string()),
            LdapError::Io { source } => match source
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            {
                Some(rustls) => tls(rustls.to_string()),
                None => LoginError::Unreachable {
                    url,
                    detail: source.to_string(),
                },
            },
            LdapError::Timeout { .. } => LoginError::Unreachable {
                url,
                detail: "the directory did not answer in time".into(),
            },
            LdapError::LdapResult { result } => LoginError::Directory(result.to_string()),
            other => LoginError::Unreachable {
                url,
                detail: other.to_string(),
            },
        }
    }
}

/// How long the longest sign-in may take: the connection and every operation in turn.
fn sign_in_budget(config: &LdapConfig) -> Duration {
    config.connect_timeout + config.operation_timeout * OPERATIONS
}
