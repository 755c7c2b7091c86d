//! The roster's index by key: which entry holds a key, found from the
//! key's hash. The entries keep the keys; the index keeps a tag of each
//! hash and the entry's number. Its own table rather than a general map
//! because a lookup must be able to ask for a key's slot to be loaded
//! ahead ([`KeyIndex::prefetch`]): the returned rows look people up all
//! over a table of millions, and without that each lookup waits for
//! memory.

/// Numbers by hash: open addressing, linear probing, at most half full.
/// The caller keeps what the numbers stand for, and tells candidates
/// apart. Up to 2^30 numbers.
#[derive(Debug, Default)]
pub(crate) struct KeyIndex {
    /// Each slot is empty (0), or a tag of a hash over the number it holds.
    slots: Vec<u64>,
    mask: usize,
    len: usize,
}

impl KeyIndex {
    /// An index with room for `entries` numbers before it grows.
    pub(crate) fn with_capacity(entries: usize) -> KeyIndex {
        let len = (entries.max(4) * 2).next_power_of_two();
        KeyIndex {
            slots: vec![0; len],
            mask: len - 1,
            len: 0,
        }
    }

    /// The low half of the hash, with its top bit set so that no slot in
    /// use is 0. The home slot is taken from the same bits: the tags alone
    /// place the numbers again when the table grows.
    fn tag(hash: u64) -> u64 {
        u64::from(hash as u32 | 1 << 31)
    }

    fn home(&self, tag: u64) -> usize {
        tag as usize & self.mask
    }

    /// Starts loading the slot a lookup of `hash` reads first.
    pub(crate) fn prefetch(&self, hash: u64) {
        if let Some(slot) = self.slots.get(self.home(Self::tag(hash))) {
            crate::memory::prefetch(slot);
        }
    }

    /// The numbers whose hash may be `hash`, most likely first.
    pub(crate) fn candidates(&self, hash: u64) -> impl Iterator<Item = u32> + '_ {
        let tag = Self::tag(hash);
        let home = self.home(tag);
        (0..self.slots.len())
            .map(move |step| self.slots[(home + step) & self.mask])
            .take_while(|&slot| slot != 0)
            .filter(move |&slot| slot >> 32 == tag)
            .map(|slot| slot as u32)
    }

    /// The number under `hash` for which `is_it` holds.
    pub(crate) fn find(&self, hash: u64, mut is_it: impl FnMut(u32) -> bool) -> Option<u32> {
        self.candidates(hash).find(|&entry| is_it(entry))
    }

    /// Adds `entry` under `hash`, for something not indexed yet.
    pub(crate) fn insert(&mut self, hash: u64, entry: u32) {
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        self.len += 1;
        self.place(Self::tag(hash) << 32 | u64::from(entry));
    }

    fn place(&mut self, slot: u64) {
        let mut at = self.home(slot >> 32);
        while self.slots[at] != 0 {
            at = (at + 1) & self.mask;
        }
        self.slots[at] = slot;
    }

    fn grow(&mut self) {
        let old = std::mem::replace(self, KeyIndex::with_capacity(self.slots.len()));
        self.len = old.len;
        for slot in old.slots.into_iter().filter(|&s| s != 0) {
            self.place(slot);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_number_among_colliding_hashes_as_the_table_grows() {
        // Made for 4, given 100: it grows five times on the way.
        let mut index = KeyIndex::with_capacity(4);
        // Hashes with one home slot until the table is large; those of the
        // same `i % 3` share their tag, whatever their high half, and
        // `find` tells their numbers apart.
        let hashes: Vec<u64> = (0..100u64)
            .map(|i| (i % 7) << 40 | (i % 3) << 20 | 5)
            .collect();
        for (entry, &hash) in hashes.iter().enumerate() {
            assert_eq!(index.find(hash, |e| e == entry as u32), None);
            index.insert(hash, entry as u32);
        }
        for (entry, &hash) in hashes.iter().enumerate() {
            assert_eq!(index.find(hash, |e| e == entry as u32), Some(entry as u32));
            assert!(index
                .candidates(hash)
                .all(|e| hashes[e as usize] as u32 == hash as u32));
        }
        assert_eq!(index.candidates(3 << 20 | 5).count(), 0);
        assert_eq!(index.candidates(6).count(), 0);
    }

    #[test]
    fn an_empty_index_finds_nothing_and_grows_on_the_first_number() {
        let mut index = KeyIndex::default();
        index.prefetch(42);
        assert_eq!(index.find(42, |_| true), None);
        index.insert(42, 7);
        assert_eq!(index.find(42, |_| true), Some(7));
    }
}
