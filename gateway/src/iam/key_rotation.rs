//! Putting a new session-token key to work: on demand (the admin API) and on a schedule
//! (`--session-key-rotation`). Either way the rotation is stored first, then the running
//! sealer takes the stored keyring, one rotation at a time.

use std::sync::Arc;
use std::time::Duration;

use strata_sts::session::SessionSealer;

use super::error::IamError;
use super::session_keys::{session_keys, Rotation, SessionKeyInfo};
use super::store::IamStore;

/// One rotation (or refresh) at a time: two at once could leave the sealer with the keyring
/// of the first stored, without the second's key.
static ROTATING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The longest wait between two checks of the schedule.
const LONGEST_CHECK: Duration = Duration::from_secs(3600);

/// What a rotation left stored.
#[derive(Debug)]
pub struct Rotated {
    /// The keys after it, oldest first (the last seals).
    pub keys: Vec<SessionKeyInfo>,
    /// The ids of the keys it deleted (every token they sealed had expired).
    pub retired: Vec<u8>,
}

/// Stores a new sealing key and hands the keyring to `sealer`.
pub async fn rotate_into(iam: &IamStore, sealer: &SessionSealer) -> Result<Rotated, IamError> {
    let _one = ROTATING.lock().await;
    let Rotation {
        keyring,
        keys,
        retired,
    } = iam.rotate_session_key().await?;
    sealer.replace_keyring(keyring);
    Ok(Rotated { keys, retired })
}

/// Whether the current key, made at `current_created_ns`, is `every` old at `now_ns`.
pub fn rotation_due(current_created_ns: u64, every: Duration, now_ns: u64) -> bool {
    let every_ns = u64::try_from(every.as_nanos()).unwrap_or(u64::MAX);
    now_ns.saturating_sub(current_created_ns) >= every_ns
}

/// How long to wait between checks: a quarter of the period, from a second to an hour, so
/// a key is replaced at most a quarter of the period (an hour) late.
pub fn check_interval(every: Duration) -> Duration {
    (every / 4).clamp(Duration::from_secs(1), LONGEST_CHECK)
}

/// Forever: at each check, takes the stored keyring (keys retired since, or rotated by
/// another gateway of the namespace) and rotates when the current key is `every` old. A
/// failed check is logged and tried again at the next.
pub async fn rotate_on_schedule(iam: IamStore, sealer: Arc<SessionSealer>, every: Duration) {
    loop {
        if let Err(e) = check(&iam, &sealer, every).await {
            tracing::warn!(error = %e, "scheduled session key rotation failed; tried again later");
        }
        tokio::time::sleep(check_interval(every)).await;
    }
}

async fn check(iam: &IamStore, sealer: &SessionSealer, every: Duration) -> Result<(), IamError> {
    let current = {
        let _one = ROTATING.lock().await;
        let keyring = iam.session_keyring().await?;
        sealer.replace_keyring(keyring);
        session_keys(&iam.snapshot())?
            .last()
            .map_or(0, |key| key.created_ns)
    };
    if rotation_due(current, every, super::now_ns()) {
        let rotation = rotate_into(iam, sealer).await?;
        let id = rotation.keys.last().map(|key| key.id);
        tracing::info!(key_id = ?id, every_secs = every.as_secs(), "session token key rotated on schedule");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_NS: u64 = 86_400 * 1_000_000_000;

    #[test]
    fn a_key_is_due_once_it_is_as_old_as_the_period() {
        let month = Duration::from_secs(30 * 86_400);
        assert!(!rotation_due(DAY_NS, month, 30 * DAY_NS));
        assert!(rotation_due(DAY_NS, month, 31 * DAY_NS));
        // A clock that went back makes no key due.
        assert!(!rotation_due(31 * DAY_NS, month, DAY_NS));
        assert!(rotation_due(0, Duration::MAX, u64::MAX));
    }

    #[test]
    fn checks_come_a_quarter_period_apart_between_a_second_and_an_hour() {
        assert_eq!(
            check_interval(Duration::from_secs(30 * 86_400)),
            LONGEST_CHECK
        );
        assert_eq!(
            check_interval(Duration::from_secs(40)),
            Duration::from_secs(10)
        );
        assert_eq!(
            check_interval(Duration::from_secs(2)),
            Duration::from_secs(1)
        );
    }

    #[tokio::test]
    async fn a_scheduled_check_rotates_a_key_that_is_due_and_only_then() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::store::tests::store(dir.path()).await;
        let iam = IamStore::open(store, super::super::SecretSeal::random())
            .await
            .unwrap();
        let sealer = SessionSealer::new(iam.session_keyring().await.unwrap());
        let first = sealer.keyring().current().id();
        check(&iam, &sealer, Duration::from_secs(3600))
            .await
            .unwrap();
        assert_eq!(sealer.keyring().current().id(), first, "not due yet");
        check(&iam, &sealer, Duration::from_nanos(1)).await.unwrap();
        let second = sealer.keyring().current().id();
        assert_ne!(second, first, "due: rotated, and the sealer seals with it");
        assert_eq!(session_keys(&iam.snapshot()).unwrap().len(), 2);
    }
}
