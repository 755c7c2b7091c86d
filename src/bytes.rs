//! Byte searches eight bytes at a time, with bit tricks on a `u64`: the
//! fields of CSV files and of outputs average twenty bytes, where a vector
//! search (`memchr`) costs more to set up than it saves.

const ONES: u64 = u64::from_le_bytes([0x01; 8]);
const HIGH: u64 = u64::from_le_bytes([0x80; 8]);

/// The high bit of each byte of `word` under `limit` (at most 0x80). Only
/// the lowest set bit is sure: a borrow can set bits above it.
fn below_mask(word: u64, limit: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(limit)) & !word & HIGH
}

/// [`below_mask`] for the bytes equal to `byte`.
fn eq_mask(word: u64, byte: u8) -> u64 {
    below_mask(word ^ (ONES * u64::from(byte)), 1)
}

/// Whether any byte of `word` is `byte`.
pub(crate) fn has(word: u64, byte: u8) -> bool {
    eq_mask(word, byte) != 0
}

/// Whether any byte of `word` is under `limit` (at most 0x80).
pub(crate) fn below(word: u64, limit: u8) -> bool {
    below_mask(word, limit) != 0
}

/// Whether `test`, which looks at eight bytes, finds one in `bytes`; the
/// tail is padded with `a`, which no caller looks for.
pub(crate) fn any_byte(bytes: &[u8], test: impl Fn(u64) -> bool) -> bool {
    let mut words = bytes.chunks_exact(8);
    if words
        .by_ref()
        .any(|w| test(u64::from_le_bytes(w.try_into().unwrap_or_default())))
    {
        return true;
    }
    let tail = words.remainder();
    let mut last = [b'a'; 8];
    last[..tail.len()].copy_from_slice(tail);
    !tail.is_empty() && test(u64::from_le_bytes(last))
}

/// Where the first of the `stops` bytes is in `bytes`, from `from` on.
pub(crate) fn find_any<const N: usize>(bytes: &[u8], from: usize, stops: [u8; N]) -> Option<usize> {
    let mut at = from;
    while let Some(word) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        let found = stops.iter().fold(0, |m, &s| m | eq_mask(word, s));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = bytes.get(at..)?;
    rest.iter().position(|b| stops.contains(b)).map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The first stop byte, as a plain search finds it, wherever it
        /// falls in an eight-byte word and whatever follows it.
        #[test]
        fn finds_the_first_stop(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![0u8, 1, b'"', b',', b'\n', b'\r', b'a', 0x7F, 0x80, 0x81, 0xFF]),
                0..40,
            ),
            from in 0usize..42,
        ) {
            let stops = [b',', b'\n', b'\r', b'"'];
            let plain = bytes
                .get(from..)
                .and_then(|rest| rest.iter().position(|b| stops.contains(b)).map(|i| from + i));
            proptest::prop_assert_eq!(find_any(&bytes, from, stops), plain);
        }

        #[test]
        fn sees_bytes_below_a_limit(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..24)) {
            let found = any_byte(&bytes, |w| below(w, 0x20) | has(w, 0x7F));
            proptest::prop_assert_eq!(found, bytes.iter().any(|&b| b < 0x20 || b == 0x7F));
        }
    }
}
