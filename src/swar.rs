//! Eight ASCII bytes at a time in a `u64` ("SIMD within a register"): masks
//! with the high bit of each byte set where the byte is of a kind. The hot
//! byte loops (corpus normalisation, line shape counts) take a whole word of
//! plain letters and spaces, the bulk of prose, in a few instructions; the
//! lexicon finds spaces and folds digits with the same words.

/// `0x01` in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;
/// Bytes read at a time.
pub(crate) const WIDTH: usize = 8;

/// The eight bytes at `at` as a little-endian word (byte `at` lowest), if
/// `bytes` goes on that far.
#[inline(always)]
pub(crate) fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk: [u8; WIDTH] = bytes.get(at..at + WIDTH)?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

/// The letters and the spaces (`b' '` only) of a word of eight ASCII bytes,
/// as high-bit masks; `None` when a byte is not ASCII.
#[inline(always)]
pub(crate) fn letters_and_spaces(word: u64) -> Option<(u64, u64)> {
    if word & HIGH != 0 {
        return None;
    }
    // Each byte is below 0x80, so these sums carry into no other byte: a
    // byte's high bit says how it compares.
    let lower = word | (0x20 * ONES);
    let at_least_a = lower + (0x80 - u64::from(b'a')) * ONES;
    let above_z = lower + (0x7F - u64::from(b'z')) * ONES;
    let letters = at_least_a & !above_z & HIGH;
    let spaces = !((word ^ (0x20 * ONES)) + 0x7F * ONES) & HIGH;
    Some((letters, spaces))
}

/// The upper-case bytes among `letters` (a mask from [`letters_and_spaces`]
/// of `word`): ASCII capitals have bit `0x20` clear.
#[inline(always)]
pub(crate) fn capitals(word: u64, letters: u64) -> u64 {
    letters & !(word << 2)
}

/// `word` with its ASCII letters lower-cased (spaces stay spaces): for a
/// word of letters and spaces only.
#[inline(always)]
pub(crate) fn to_lower(word: u64) -> u64 {
    word | (0x20 * ONES)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks every mask of `bytes` against the byte tests.
    fn check(bytes: [u8; WIDTH]) -> Result<(), proptest::test_runner::TestCaseError> {
        let word = u64::from_le_bytes(bytes);
        let Some((letters, spaces)) = letters_and_spaces(word) else {
            proptest::prop_assert!(!bytes.is_ascii());
            return Ok(());
        };
        proptest::prop_assert!(bytes.is_ascii());
        let caps = capitals(word, letters);
        for (i, &b) in bytes.iter().enumerate() {
            let bit = |mask: u64| mask >> (8 * i + 7) & 1 == 1;
            proptest::prop_assert_eq!(bit(letters), b.is_ascii_alphabetic());
            proptest::prop_assert_eq!(bit(spaces), b == b' ');
            proptest::prop_assert_eq!(bit(caps), b.is_ascii_uppercase());
            if b.is_ascii_alphabetic() || b == b' ' {
                proptest::prop_assert_eq!(
                    (to_lower(word) >> (8 * i)) as u8,
                    b.to_ascii_lowercase()
                );
            }
        }
        proptest::prop_assert_eq!((letters | spaces | caps) & !HIGH, 0);
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn masks_of_any_bytes(bytes in proptest::array::uniform8(proptest::num::u8::ANY)) {
            check(bytes)?;
        }

        #[test]
        fn masks_of_ascii_bytes(bytes in proptest::array::uniform8(0u8..128)) {
            check(bytes)?;
        }

        #[test]
        fn masks_of_words(bytes in proptest::array::uniform8(proptest::prop_oneof![
            proptest::strategy::Just(b' '), b'a'..=b'z', b'A'..=b'Z', b'@'..=b'`'
        ])) {
            check(bytes)?;
        }
    }

    #[test]
    fn word_at_reads_little_endian_and_stops_short() {
        let bytes = b"abcdefghi";
        assert_eq!(word_at(bytes, 1), Some(u64::from_le_bytes(*b"bcdefghi")));
        assert_eq!(word_at(bytes, 2), None);
    }
}
