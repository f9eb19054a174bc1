//! A map from words to small values, looked up without hashing a string.
//!
//! Words of at most [`SHORT`] bytes are packed into a `u128` (their bytes,
//! then their length in the top byte; see [`pack`]) and kept in an
//! open-addressing table probed with one multiplication. The few longer
//! words live in a hash map. The stop-word lists ([`crate::stopwords`]) and
//! the lexicon's word weights ([`crate::lexicon`]) are both such tables.

use rustc_hash::FxHashMap;

/// Words of at most this many bytes are looked up by value, without hashing
/// a string.
pub(crate) const SHORT: usize = 15;

/// Words to values: short words by their packed key, longer ones hashed.
#[derive(Debug, Clone)]
pub(crate) struct WordTable<V> {
    /// Packed keys; 0 marks an empty slot (no word packs to 0).
    keys: Vec<u128>,
    /// The value of the word in the same slot of `keys`.
    values: Vec<V>,
    /// `keys.len() - 1`; the length is a power of two.
    mask: usize,
    /// 64 minus the number of bits of a slot index.
    shift: u32,
    /// A bit per value of the hash's top [`FILTER_BITS`] bits, set for the
    /// short words the table has: most words looked up are not in it, and
    /// this 32 KiB set, which stays in a core's cache, answers most of them
    /// without reading `keys`, which may not.
    filter: Vec<u64>,
    /// Words longer than [`SHORT`] bytes.
    long: FxHashMap<Box<str>, V>,
    /// The length in bytes of the longest word.
    max_len: usize,
}

impl<V: Copy + Default> Default for WordTable<V> {
    fn default() -> WordTable<V> {
        WordTable::new(std::iter::empty::<(&str, V)>(), 1)
    }
}

impl<V: Copy + Default> WordTable<V> {
    /// A table of `words`; the slots number at least `spread` times the short
    /// words (a power of two), so probes stay short. The empty word is never
    /// found; of words given twice, the last value stays.
    pub(crate) fn new<'a>(
        words: impl IntoIterator<Item = (&'a str, V)>,
        spread: usize,
    ) -> WordTable<V> {
        let words: Vec<(&str, V)> = words.into_iter().filter(|(w, _)| !w.is_empty()).collect();
        let short = words.iter().filter(|(w, _)| w.len() <= SHORT).count();
        let bits = (short.max(1) * spread.max(1)).next_power_of_two().trailing_zeros().max(1);
        let mut table = WordTable {
            keys: vec![0; 1 << bits],
            values: vec![V::default(); 1 << bits],
            mask: (1 << bits) - 1,
            shift: 64 - bits,
            filter: vec![0; 1 << (FILTER_BITS - 6)],
            long: FxHashMap::default(),
            max_len: words.iter().map(|(w, _)| w.len()).max().unwrap_or(0),
        };
        for (word, value) in words {
            if word.len() > SHORT {
                table.long.insert(word.into(), value);
                continue;
            }
            let key = pack(word.as_bytes());
            let at = (hash(key) >> (64 - FILTER_BITS)) as usize;
            if let Some(bits) = table.filter.get_mut(at / 64) {
                *bits |= 1 << (at % 64);
            }
            let mut slot = table.slot(key);
            while table.keys[slot] != 0 && table.keys[slot] != key {
                slot = (slot + 1) & table.mask;
            }
            table.keys[slot] = key;
            table.values[slot] = value;
        }
        table
    }

    #[inline]
    fn slot(&self, key: u128) -> usize {
        (hash(key) >> self.shift) as usize
    }

    /// The value of `word`, if the table has it.
    #[inline]
    pub(crate) fn get(&self, word: &str) -> Option<V> {
        if word.is_empty() || word.len() > self.max_len {
            return None;
        }
        if word.len() > SHORT {
            return self.long.get(word).copied();
        }
        self.get_packed(pack(word.as_bytes()))
    }

    /// The value of the short word packed as `key` (see [`pack`]), if the
    /// table has it.
    #[inline]
    pub(crate) fn get_packed(&self, key: u128) -> Option<V> {
        let h = hash(key);
        let at = (h >> (64 - FILTER_BITS)) as usize;
        if self.filter.get(at / 64).is_none_or(|bits| bits & (1 << (at % 64)) == 0) {
            return None;
        }
        let mut slot = (h >> self.shift) as usize;
        loop {
            let k = self.keys[slot];
            if k == key {
                return Some(self.values[slot]);
            }
            if k == 0 {
                return None;
            }
            slot = (slot + 1) & self.mask;
        }
    }
}

/// The bits of [`WordTable`]'s filter: 2^18 bits, 32 KiB.
const FILTER_BITS: u32 = 18;

/// The hash of a packed key: its top bits pick a slot, and a filter bit.
#[inline]
fn hash(key: u128) -> u64 {
    let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
    folded.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A word of 1 to [`SHORT`] bytes as a number: its bytes (little-endian,
/// zero-padded), then its length in the top byte (so `a` and `a\0` differ,
/// and nothing packs to 0).
#[inline]
pub(crate) fn pack(word: &[u8]) -> u128 {
    let len = word.len();
    let (lo, hi) = if len <= 8 { (load(word), 0) } else { (load(&word[..8]), load(&word[8..])) };
    u128::from(lo) | u128::from(hi) << 64 | (len as u128) << 120
}

/// Up to 8 bytes as a little-endian number, with overlapping loads instead
/// of a byte loop or a copy.
#[inline]
fn load(b: &[u8]) -> u64 {
    let len = b.len();
    let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    match len {
        0 => 0,
        1..=3 => {
            u64::from(b[0])
                | u64::from(b[len / 2]) << (8 * (len / 2))
                | u64::from(b[len - 1]) << (8 * (len - 1))
        }
        4..=7 => u64::from(u32_at(0)) | u64::from(u32_at(len - 4)) << (8 * (len - 4)),
        _ => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_is_little_endian_bytes_and_length() {
        for word in
            ["a", "ab", "abc", "abcd", "abcdefg", "abcdefgh", "abcdefghi", "é0x", "0123456789abcde"]
        {
            let mut buf = [0u8; 16];
            buf[..word.len()].copy_from_slice(word.as_bytes());
            buf[15] = word.len() as u8;
            assert_eq!(pack(word.as_bytes()), u128::from_le_bytes(buf), "{word:?}");
        }
    }

    #[test]
    fn finds_short_and_long_words() {
        let words = [("a", 1u32), ("a\0", 2), ("share", 3), ("a-very-long-word-indeed", 4)];
        let table = WordTable::new(words, 4);
        for (w, v) in words {
            assert_eq!(table.get(w), Some(v), "{w:?}");
        }
        for w in ["", "b", "a\0\0", "shar", "a-very-long-word-indeed!", "a-very-long-word-indeee"] {
            assert_eq!(table.get(w), None, "{w:?}");
        }
        assert_eq!(WordTable::<u32>::default().get("a"), None);
    }

    #[test]
    fn a_full_filter_still_finds_every_word() {
        // Enough words that many filter bits are shared: a bit set by one
        // word must never hide another, and absent words sharing a bit must
        // still be told apart by the keys.
        let words: Vec<String> = (0..40_000u32).map(|i| format!("w{i:x}")).collect();
        let table = WordTable::new(words.iter().step_by(2).map(|w| (w.as_str(), 1u8)), 2);
        for (i, w) in words.iter().enumerate() {
            assert_eq!(table.get(w), (i % 2 == 0).then_some(1), "{w}");
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_a_hash_map(
            words in proptest::collection::vec("[a-c0é'-]{0,20}", 0..60),
            probes in proptest::collection::vec("[a-c0é'-]{0,20}", 0..60),
        ) {
            let map: std::collections::HashMap<&str, usize> = words
                .iter()
                .enumerate()
                .filter(|(_, w)| !w.is_empty())
                .map(|(i, w)| (w.as_str(), i))
                .collect();
            let table = WordTable::new(words.iter().enumerate().map(|(i, w)| (w.as_str(), i)), 2);
            for w in words.iter().chain(&probes) {
                proptest::prop_assert_eq!(table.get(w), map.get(w.as_str()).copied(), "{:?}", w);
            }
        }
    }
}
