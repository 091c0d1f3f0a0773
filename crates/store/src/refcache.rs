//! Reference data kept in memory: procedures and agencies (with their working hours and
//! default processing time), read on every draft and submission and changed only by
//! administration.
//!
//! Each store's own writes invalidate what they change ([`Store::set_agency_working_hours`],
//! [`Store::set_agency_default_time`], [`Store::set_online_level`],
//! [`Store::upsert_procedures`], [`Store::load_units_and_agencies`]); a change made by another
//! process on the same database (the CLI, another server) is seen once the entry expires,
//! after [`TTL`]. Only rows that exist are kept, so the size is bounded by the reference
//! tables (and by `capacity`), not by what clients ask for.
//!
//! A plain map behind a lock, rather than a cache crate: a few thousand entries, no eviction
//! policy worth the name, and one rule a crate would not know: a value read from the database
//! while an invalidation ran is not kept (the generation check below).
//!
//! [`Store::set_agency_working_hours`]: crate::Store::set_agency_working_hours
//! [`Store::set_agency_default_time`]: crate::Store::set_agency_default_time
//! [`Store::set_online_level`]: crate::Store::set_online_level
//! [`Store::upsert_procedures`]: crate::Store::upsert_procedures
//! [`Store::load_units_and_agencies`]: crate::Store::load_units_and_agencies

use motcua_core::agency::Agency;
use motcua_core::catalogue::Procedure;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// How long an entry is trusted: the longest a change made by another process goes unseen.
pub const TTL: Duration = Duration::from_secs(30);

/// An agency as the dossier operations need it.
#[derive(Debug, Clone)]
pub(crate) struct AgencyEntry {
    pub agency: Agency,
    pub working_hours: Option<String>,
    pub default_time: (Option<f64>, Option<String>),
}

/// The store's reference data cache.
pub(crate) struct RefCache {
    pub procedures: Cached<Procedure>,
    pub agencies: Cached<AgencyEntry>,
}

impl RefCache {
    pub fn new() -> RefCache {
        // 2,642 procedures and 7,340 agencies in the bundled data.
        RefCache { procedures: Cached::new(TTL, 4096), agencies: Cached::new(TTL, 16_384) }
    }
}

/// Values by key, each trusted for `ttl`.
pub(crate) struct Cached<V> {
    ttl: Duration,
    capacity: usize,
    /// Bumped (under the write lock) by every invalidation.
    generation: AtomicU64,
    map: RwLock<HashMap<String, (Instant, Arc<V>)>>,
}

impl<V> Cached<V> {
    fn new(ttl: Duration, capacity: usize) -> Cached<V> {
        Cached { ttl, capacity, generation: AtomicU64::new(0), map: RwLock::new(HashMap::new()) }
    }

    /// The value of `key`, unless absent or expired.
    pub fn get(&self, key: &str) -> Option<Arc<V>> {
        let map = self.map.read().unwrap_or_else(PoisonError::into_inner);
        map.get(key).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, v)| Arc::clone(v))
    }

    /// To read before fetching a value from the database, and give to [`Cached::insert`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps `value`, fetched after [`Cached::generation`] returned `generation`, unless an
    /// invalidation ran since (the value may then predate the change).
    pub fn insert(&self, key: &str, value: Arc<V>, generation: u64) {
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if map.len() >= self.capacity && !map.contains_key(key) {
            let ttl = self.ttl;
            map.retain(|_, (at, _)| at.elapsed() < ttl);
            if map.len() >= self.capacity {
                map.clear();
            }
        }
        map.insert(key.to_string(), (Instant::now(), value));
    }

    /// Forgets `key`.
    pub fn invalidate(&self, key: &str) {
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        map.remove(key);
    }

    /// Forgets everything.
    pub fn clear(&self) {
        let mut map = self.map.write().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_read_during_an_invalidation_is_not_kept() {
        let c: Cached<u32> = Cached::new(Duration::from_secs(60), 2);
        let g = c.generation();
        c.insert("a", Arc::new(1), g);
        assert_eq!(c.get("a").as_deref(), Some(&1));
        // A reader starts (reads the generation), a writer changes "a" and invalidates, the
        // reader's (older) value arrives: it is not kept.
        let g = c.generation();
        c.invalidate("a");
        c.insert("a", Arc::new(0), g);
        assert_eq!(c.get("a"), None);
        let g = c.generation();
        c.insert("a", Arc::new(2), g);
        c.insert("b", Arc::new(3), g);
        // Full: a new key starts over rather than grow past the capacity.
        c.insert("c", Arc::new(4), g);
        assert_eq!((c.get("a"), c.get("c").as_deref()), (None, Some(&4)));
        c.clear();
        assert_eq!(c.get("c"), None);
    }

    #[test]
    fn entries_expire() {
        let c: Cached<u32> = Cached::new(Duration::ZERO, 8);
        c.insert("a", Arc::new(1), c.generation());
        assert_eq!(c.get("a"), None);
    }
}
