//! The roster's index by key: which entry holds a key, found from the key's
//! hash. The entries keep the keys; the index keeps a tag of each hash and
//! the entry's number. Its own table rather than a general map because a
//! lookup must be able to ask for a key's slot to be loaded ahead
//! ([`KeyIndex::prefetch`]): the returned rows look people up all over a
//! table of millions, and without that each lookup waits for memory.

/// Entry numbers by hash: open addressing, linear probing, at most half full.
#[derive(Debug, Default)]
pub(crate) struct KeyIndex {
    /// Each slot is empty (0), or the high half of a hash (with its lowest
    /// bit set, so never 0) over the number of the entry it indexes.
    slots: Vec<u64>,
    mask: usize,
}

impl KeyIndex {
    /// An index with room for `entries` entries.
    pub(crate) fn with_capacity(entries: usize) -> KeyIndex {
        let len = (entries.max(4) * 2).next_power_of_two();
        KeyIndex {
            slots: vec![0; len],
            mask: len - 1,
        }
    }

    fn tag(hash: u64) -> u64 {
        (hash | 1 << 32) >> 32 << 32
    }

    fn home(&self, hash: u64) -> usize {
        hash as usize & self.mask
    }

    /// Starts loading the slot a lookup of `hash` reads first.
    pub(crate) fn prefetch(&self, hash: u64) {
        if !self.slots.is_empty() {
            crate::memory::prefetch(&self.slots[self.home(hash)]);
        }
    }

    /// The entries whose hash may be `hash`, most likely first.
    pub(crate) fn candidates(&self, hash: u64) -> impl Iterator<Item = u32> + '_ {
        let tag = Self::tag(hash);
        let home = if self.slots.is_empty() {
            0
        } else {
            self.home(hash)
        };
        (0..self.slots.len())
            .map(move |step| self.slots[(home + step) & self.mask])
            .take_while(|&slot| slot != 0)
            .filter(move |&slot| slot & !0xFFFF_FFFF == tag)
            .map(|slot| slot as u32)
    }

    /// The entry of `hash` for which `is_it` holds.
    pub(crate) fn find(&self, hash: u64, mut is_it: impl FnMut(u32) -> bool) -> Option<u32> {
        self.candidates(hash).find(|&entry| is_it(entry))
    }

    /// Adds `entry`, of a key not indexed yet, under `hash`. The index was
    /// made with room for every entry added.
    pub(crate) fn insert(&mut self, hash: u64, entry: u32) {
        debug_assert!(self.slots.len() >= 2 * (entry as usize + 1));
        let mut at = self.home(hash);
        while self.slots[at] != 0 {
            at = (at + 1) & self.mask;
        }
        self.slots[at] = Self::tag(hash) | u64::from(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_entry_among_colliding_hashes_and_nothing_else() {
        let mut index = KeyIndex::with_capacity(100);
        // Hashes that share a home slot; those of the same `i % 21` share
        // their tag as well, and `find` tells their entries apart.
        let hashes: Vec<u64> = (0..100u64)
            .map(|i| (i % 7) << 40 | (i % 3) << 33 | 5)
            .collect();
        for (entry, &hash) in hashes.iter().enumerate() {
            assert_eq!(index.find(hash, |e| e == entry as u32), None);
            index.insert(hash, entry as u32);
        }
        for (entry, &hash) in hashes.iter().enumerate() {
            assert_eq!(index.find(hash, |e| e == entry as u32), Some(entry as u32));
            assert!(index.candidates(hash).all(|e| hashes[e as usize] == hash));
        }
        assert_eq!(index.find(9 << 40 | 5, |_| true), None);
        assert_eq!(index.candidates(123).count(), 0);
    }

    #[test]
    fn an_empty_index_finds_nothing() {
        let index = KeyIndex::default();
        index.prefetch(42);
        assert_eq!(index.find(42, |_| true), None);
    }
}
