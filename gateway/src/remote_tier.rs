//! The store's remote tiers over OpenDAL: each `[[tiers]]` table becomes an operator of its
//! service, every call bounded in time and retried briefly, behind the volume's `Remote`.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use opendal::layers::{RetryLayer, TimeoutLayer};
use opendal::Operator;
use strata_volume::{Remote, RemoteError, RemoteStream, RemoteTier};

use crate::config::{ConfigError, TierSpec};
use crate::metrics::ReadAheadMetrics;
use crate::remote_read::{failed, ReadAhead};

/// Bytes per remote write request (S3 multipart part, Azure block): big enough for
/// throughput, small enough that two in flight stay a small share of memory.
const WRITE_CHUNK: usize = 8 << 20;
/// Remote write requests in flight per object.
const WRITES_IN_FLIGHT: usize = 2;
/// Longest wait for one remote call that moves no data (stat, delete, opening a read).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for one read or write of data.
const IO_TIMEOUT: Duration = Duration::from_secs(15);
/// Retries of a failed remote call, the first after `RETRY_DELAY`, doubling.
const RETRIES: usize = 2;
const RETRY_DELAY: Duration = Duration::from_millis(200);

/// One tier's OpenDAL operator.
struct OpendalTier {
    op: Operator,
    reads: ReadAhead,
}

/// The remote tiers of `specs`, for the store, their read-ahead counted into `read_ahead`; a
/// service OpenDAL does not know or options it refuses are a configuration error.
pub fn remote_tiers(
    specs: &[TierSpec],
    read_ahead: &ReadAheadMetrics,
) -> Result<Vec<RemoteTier>, ConfigError> {
    opendal_ready();
    specs
        .iter()
        .map(|t| {
            let op = Operator::via_iter(&t.service, t.options.clone())
                .map_err(|e| ConfigError::Tier {
                    tier: t.name.clone(),
                    key: "service".into(),
                    reason: e.to_string(),
                })?
                // Each attempt is bounded (a hung tier must not hang a GET), and transient
                // failures are tried again briefly before a request answers 503.
                .layer(
                    TimeoutLayer::new()
                        .with_timeout(CALL_TIMEOUT)
                        .with_io_timeout(IO_TIMEOUT),
                )
                .layer(
                    RetryLayer::new()
                        .with_max_times(RETRIES)
                        .with_min_delay(RETRY_DELAY)
                        .with_jitter(),
                );
            Ok(RemoteTier {
                name: t.name.clone(),
                client: Arc::new(OpendalTier {
                    op,
                    reads: ReadAhead::new(t.read_ahead, read_ahead.tier(&t.name)),
                }),
            })
        })
        .collect()
}

/// Registers OpenDAL's services and the TLS provider its HTTP client needs.
pub(crate) fn opendal_ready() {
    opendal::init_default_registry();
    // OpenDAL's HTTP client uses rustls with the ring provider, as the rest of the gateway
    // does; installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Remote for OpendalTier {
    fn put<'a>(
        &'a self,
        name: &'a str,
        mut body: RemoteStream<'a>,
    ) -> BoxFuture<'a, Result<(), RemoteError>> {
        async move {
            let mut w = self
                .op
                .writer_with(name)
                .chunk(WRITE_CHUNK)
                .concurrent(WRITES_IN_FLIGHT)
                .await
                .map_err(failed)?;
            let written: Result<(), RemoteError> = async {
                while let Some(chunk) = body.next().await {
                    w.write(chunk?).await.map_err(failed)?;
                }
                w.close().await.map_err(failed)?;
                Ok(())
            }
            .await;
            if written.is_err() {
                // What the service kept of a failed write goes (S3: the multipart upload).
                if let Err(e) = w.abort().await {
                    tracing::debug!(object = name, error = %e, "aborting a remote write failed");
                }
            }
            written
        }
        .boxed()
    }

    fn read<'a>(
        &'a self,
        name: &'a str,
        range: Range<u64>,
    ) -> BoxFuture<'a, Result<RemoteStream<'static>, RemoteError>> {
        self.reads.read(&self.op, name, range).boxed()
    }

    fn delete<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<(), RemoteError>> {
        async move { self.op.delete(name).await.map_err(failed) }.boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(service: &str, options: &[(&str, &str)]) -> TierSpec {
        TierSpec {
            name: "cloud".into(),
            storage_class: "COLD".into(),
            service: service.into(),
            options: options
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            kms_key: None,
            archive: false,
            read_ahead: 0,
        }
    }

    // Without a call; `tests/tier_gke_identity.rs` reaches a GCS stand-in end to end.
    #[test]
    fn a_gcs_tier_is_configured_from_its_options() {
        let tiers = remote_tiers(
            &[spec(
                "gcs",
                &[
                    ("bucket", "strata-cold"),
                    ("root", "/tier"),
                    ("allow_anonymous", "true"),
                ],
            )],
            &ReadAheadMetrics::default(),
        )
        .expect("a GCS tier builds");
        assert_eq!(tiers[0].name, "cloud");
    }

    #[test]
    fn unknown_services_and_missing_options_are_configuration_errors() {
        for (service, options) in [
            ("nosuch", vec![]),
            ("gcs", vec![]),
            ("s3", vec![("region", "us-east-1")]),
            ("azblob", vec![("account_name", "a")]),
        ] {
            let e = remote_tiers(&[spec(service, &options)], &ReadAheadMetrics::default())
                .map(|_| ())
                .unwrap_err();
            assert!(
                matches!(e, ConfigError::Tier { ref key, .. } if key == "service"),
                "{service}: {e}"
            );
        }
    }
}
