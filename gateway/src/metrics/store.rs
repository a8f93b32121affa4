//! Families read at each scrape: volumes, classes, reads worked around, the heal queue, and
//! the configured bounds with their use.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use strata_volume::{spare_write_buffers, Space, Store};

use crate::server::Admission;

/// One volume.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VolumeLabel {
    class: String,
    volume: String,
}

/// One storage class.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ClassLabel {
    class: String,
}

/// One class and a kind of bad shard.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProblemLabel {
    class: String,
    problem: &'static str,
}

/// A family whose value is read off a status: name, help, and the reading.
type Derived<T> = (&'static str, &'static str, fn(&T) -> u64);

/// Writes one family of series: a descriptor, then each label set's value.
pub(super) fn family<L: EncodeLabelSet, M: EncodeMetric>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    series: impl IntoIterator<Item = (L, M)>,
) -> Result<(), std::fmt::Error> {
    let mut series = series.into_iter().peekable();
    let Some((_, first)) = series.peek() else {
        return Ok(());
    };
    let metric_type = first.metric_type();
    let mut metric = encoder.encode_descriptor(name, help, None, metric_type)?;
    for (labels, value) in series {
        value.encode(metric.encode_family(&labels)?)?;
    }
    Ok(())
}

/// A family of one series without labels.
pub(super) fn single<M: EncodeMetric>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: M,
) -> Result<(), std::fmt::Error> {
    let metric = encoder.encode_descriptor(name, help, None, value.metric_type())?;
    value.encode(metric)
}

pub(super) fn gauge(v: u64) -> ConstGauge<u64> {
    ConstGauge::new(v)
}

fn gauge_of(b: bool) -> ConstGauge<u64> {
    ConstGauge::new(u64::from(b))
}

/// The store's figures, read at each scrape.
#[derive(Clone)]
pub struct StoreMetrics {
    store: Store,
    meta_cache_bytes: u64,
}

impl std::fmt::Debug for StoreMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreMetrics").finish_non_exhaustive()
    }
}

impl StoreMetrics {
    /// Reads `store`; `meta_cache_bytes` is the configured page cache per namespace volume.
    pub fn new(store: Store, meta_cache_bytes: usize) -> Self {
        StoreMetrics {
            store,
            meta_cache_bytes: meta_cache_bytes as u64,
        }
    }

    fn encode_volumes(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let volumes = self.store.volumes();
        let label = |v: &strata_volume::VolumeStatus| VolumeLabel {
            class: v.class.clone(),
            volume: v.path.display().to_string(),
        };
        family(
            encoder,
            "strata_volume_online",
            "1 when the volume serves, 0 when it is missing, refused or taken out of service.",
            volumes.iter().map(|v| (label(v), gauge_of(v.online))),
        )?;
        let spaces: Vec<(VolumeLabel, Space)> = volumes
            .iter()
            .filter_map(|v| v.space.map(|s| (label(v), s)))
            .collect();
        let space_families: [Derived<Space>; 6] = [
            (
                "strata_volume_capacity_bytes",
                "Size of the volume's filesystem.",
                |s| s.capacity_bytes,
            ),
            (
                "strata_volume_free_bytes",
                "Bytes strata can still write on the volume's filesystem.",
                |s| s.free_bytes,
            ),
            (
                "strata_volume_used_bytes",
                "Bytes in use on the volume's filesystem.",
                |s| s.used_bytes,
            ),
            (
                "strata_volume_capacity_inodes",
                "Inodes of the volume's filesystem.",
                |s| s.capacity_inodes,
            ),
            (
                "strata_volume_free_inodes",
                "Inodes strata can still use on the volume's filesystem.",
                |s| s.free_inodes,
            ),
            (
                "strata_volume_used_inodes",
                "Inodes in use on the volume's filesystem.",
                |s| s.used_inodes,
            ),
        ];
        for (name, help, value) in space_families {
            family(
                encoder,
                name,
                help,
                spaces.iter().map(|(l, s)| (l.clone(), gauge(value(s)))),
            )?;
        }
        Ok(())
    }

    fn encode_classes(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let classes = self.store.status().classes;
        let label = |name: &str| ClassLabel {
            class: name.to_string(),
        };
        let class_families: [Derived<strata_volume::ClassStatus>; 4] = [
            (
                "strata_class_volumes",
                "Volumes configured in the class.",
                |c| c.total as u64,
            ),
            (
                "strata_class_volumes_online",
                "Volumes of the class serving.",
                |c| c.online as u64,
            ),
            (
                "strata_class_write_quorum",
                "Volumes of the class a write needs.",
                |c| c.write_quorum as u64,
            ),
            (
                "strata_class_read_quorum",
                "Volumes of the class a read needs.",
                |c| c.read_quorum as u64,
            ),
        ];
        for (name, help, value) in class_families {
            family(
                encoder,
                name,
                help,
                classes.iter().map(|c| (label(&c.name), gauge(value(c)))),
            )?;
        }
        Ok(())
    }

    fn encode_reads(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let health = self.store.read_health();
        let names = self.store.class_names();
        // Every class has its series from the start, so rates work from the first scrape.
        let counts = |class: &str| {
            health
                .classes
                .iter()
                .find(|c| c.class == class)
                .cloned()
                .unwrap_or_default()
        };
        family(
            encoder,
            "strata_shard_problems",
            "Shards reads found missing or corrupt and read around.",
            names.iter().flat_map(|class| {
                let c = counts(class);
                [("missing", c.missing_shards), ("corrupt", c.corrupt_shards)].map(
                    |(problem, n)| {
                        let label = ProblemLabel {
                            class: class.clone(),
                            problem,
                        };
                        (label, ConstCounter::new(n))
                    },
                )
            }),
        )?;
        family(
            encoder,
            "strata_degraded_reads",
            "Object reads that reconstructed around at least one bad shard.",
            names.iter().map(|class| {
                let label = ClassLabel {
                    class: class.clone(),
                };
                (label, ConstCounter::new(counts(class).degraded_reads))
            }),
        )?;
        single(
            encoder,
            "strata_heal_queue_depth",
            "Heal events waiting.",
            gauge(health.queue_depth as u64),
        )?;
        single(
            encoder,
            "strata_heal_queue_limit",
            "Bound of the heal queue (the oldest events are dropped past it).",
            gauge(health.queue_limit as u64),
        )?;
        single(
            encoder,
            "strata_heal_queue_dropped",
            "Heal events dropped at the queue's bound.",
            ConstCounter::new(health.queue_dropped),
        )
    }

    fn encode_bounds(&self, encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        single(
            encoder,
            "strata_meta_cache_limit_bytes",
            "Metadata page cache per namespace volume (--meta-cache).",
            gauge(self.meta_cache_bytes),
        )?;
        let (spare, limit) = spare_write_buffers();
        single(
            encoder,
            "strata_stage_buffers_spare",
            "Aligned 1 MiB write buffers kept for reuse.",
            gauge(spare as u64),
        )?;
        single(
            encoder,
            "strata_stage_buffers_spare_limit",
            "Bound of the write buffers kept for reuse.",
            gauge(limit as u64),
        )?;
        let (files, bytes) = self.store.reclaim_queue();
        single(
            encoder,
            "strata_reclaim_queued_files",
            "Shard files of replaced or deleted versions waiting for a pause in writes to be removed.",
            gauge(files as u64),
        )?;
        single(
            encoder,
            "strata_reclaim_queued_bytes",
            "Stored bytes of those files (removed at once above 1 GiB or when a volume needs room).",
            gauge(bytes),
        )
    }
}

impl Collector for StoreMetrics {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        self.encode_volumes(&mut encoder)?;
        self.encode_classes(&mut encoder)?;
        self.encode_reads(&mut encoder)?;
        self.encode_bounds(&mut encoder)
    }
}

/// The admission bounds and their use, read at each scrape.
#[derive(Debug, Clone)]
pub struct AdmissionMetrics(pub Admission);

impl Collector for AdmissionMetrics {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let u = self.0.usage();
        let series = [
            (
                "strata_s3_requests_in_flight",
                "S3 requests being served.",
                u.requests,
            ),
            (
                "strata_s3_requests_in_flight_limit",
                "S3 requests served at once at most (--max-requests).",
                u.requests_limit,
            ),
            (
                "strata_s3_body_memory_bytes",
                "Request-body memory held by requests being served.",
                u.body_bytes,
            ),
            (
                "strata_s3_body_memory_limit_bytes",
                "Request-body memory of all requests at most (--max-body-memory).",
                u.body_bytes_limit,
            ),
        ];
        for (name, help, value) in series {
            single(&mut encoder, name, help, gauge(value))?;
        }
        Ok(())
    }
}
