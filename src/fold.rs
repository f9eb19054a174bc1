//! Folding text for matching: the one normalisation that phrases and lines share.
//!
//! Folding lower-cases (Unicode-aware, so `ÉDITION` matches `édition`), maps
//! typographic quotes, apostrophes and dashes to ASCII, turns every run of
//! white space (including no-break spaces) into one space, drops zero-width
//! characters, and trims everything that is not a letter or digit from both
//! edges, so `Read more »` folds to `read more`. A colon right after the
//! last word survives (`Read more:` folds to `read more:`): it marks a header. Invalid UTF-8
//! folds to U+FFFD and never panics. Folding is for matching only: kept lines
//! are written out as they came in.

use bstr::ByteSlice;

/// Appends the folded form of `line` to `out`.
///
/// Returns the number of words (white-space separated runs) in the folded text.
/// This is the reference implementation, character by character;
/// [`fold_bytes_into`] gives the same result faster.
pub fn fold_into(line: &[u8], out: &mut String) -> usize {
    let start = out.len();
    // Whether we owe a space before the next visible char.
    let mut pending_space = false;
    for ch in line.chars() {
        let ch = match map_char(ch) {
            Mapped::Drop => continue,
            Mapped::Space => {
                pending_space = out.len() > start;
                continue;
            }
            Mapped::Char(c) => c,
            Mapped::Str(s) => {
                push_visible(out, start, &mut pending_space, s.chars());
                continue;
            }
        };
        if ch.is_uppercase() {
            push_visible(out, start, &mut pending_space, ch.to_lowercase());
        } else {
            push_visible(out, start, &mut pending_space, std::iter::once(ch));
        }
    }
    trim_edges(out, start);
    words_in(&out[start..])
}

/// Appends the folded form of `line` to `out` as UTF-8 bytes, exactly as
/// [`fold_into`] would, and returns its number of words.
///
/// Lines of ASCII bytes (most lines of most pages) take a byte-table path
/// that never decodes characters; in other lines only the non-ASCII
/// characters are decoded. `scratch` is a work buffer.
pub fn fold_bytes_into(line: &[u8], out: &mut Vec<u8>, scratch: &mut String) -> usize {
    if line.is_ascii() {
        return fold_ascii(line, out);
    }
    let start = out.len();
    fold_mixed(line, out);
    match std::str::from_utf8(&out[start..]) {
        Ok(folded) => {
            scratch.clear();
            scratch.push_str(folded);
        }
        Err(_) => {
            // Unreachable: only whole characters are written. Should it
            // happen, the reference gives the right answer.
            out.truncate(start);
            scratch.clear();
            let words = fold_into(line, scratch);
            out.extend_from_slice(scratch.as_bytes());
            return words;
        }
    }
    out.truncate(start);
    trim_edges(scratch, 0);
    out.extend_from_slice(scratch.as_bytes());
    words_in(scratch)
}

/// The folding loop of [`fold_into`] (before the edges are trimmed), with
/// ASCII bytes mapped through [`ASCII_FOLD`] and only other characters
/// decoded.
fn fold_mixed(line: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let mut pending_space = false;
    let mut at = 0;
    let mut buf = [0u8; 4];
    while at < line.len() {
        let b = line[at];
        if b.is_ascii() {
            at += 1;
            let folded = ASCII_FOLD[usize::from(b)];
            if folded == SPACE {
                pending_space = out.len() > start;
            } else {
                if pending_space {
                    out.push(b' ');
                    pending_space = false;
                }
                out.push(folded);
            }
            continue;
        }
        let (ch, size) = bstr::decode_utf8(&line[at..]);
        at += size.max(1);
        let ch = ch.unwrap_or('\u{FFFD}');
        let mut push = |c: char, out: &mut Vec<u8>, pending_space: &mut bool| {
            if *pending_space && out.len() > start {
                out.push(b' ');
            }
            *pending_space = false;
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        };
        match map_char(ch) {
            Mapped::Drop => {}
            Mapped::Space => pending_space = out.len() > start,
            Mapped::Str(s) => s.chars().for_each(|c| push(c, out, &mut pending_space)),
            Mapped::Char(c) if c.is_uppercase() => {
                c.to_lowercase().for_each(|c| push(c, out, &mut pending_space))
            }
            Mapped::Char(c) => push(c, out, &mut pending_space),
        }
    }
}

/// What [`ASCII_FOLD`] maps a white-space byte to.
const SPACE: u8 = 0xFF;

/// The folded form of each ASCII byte: upper case lowered, a backtick is an
/// apostrophe, white space (as [`char::is_whitespace`] has it) is [`SPACE`].
static ASCII_FOLD: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' => SPACE,
            b'`' => b'\'',
            c => c.to_ascii_lowercase(),
        };
        b += 1;
    }
    table
};

/// [`fold_into`] for a line of ASCII bytes. Every ASCII byte folds to one
/// byte (or to white space), so trimming the edges before folding is the
/// same as after.
fn fold_ascii(line: &[u8], out: &mut Vec<u8>) -> usize {
    let Some(first) = line.iter().position(u8::is_ascii_alphanumeric) else {
        return 0;
    };
    let last = line.iter().rposition(u8::is_ascii_alphanumeric).unwrap_or(first);
    let core = &line[first..=last];
    let colon = line[last + 1..].iter().find(|&&b| ASCII_FOLD[b as usize] != SPACE) == Some(&b':');
    out.reserve(core.len() + 1);
    // Most lines have single spaces between words and no other white space
    // or backtick: then folding is lower-casing a copy, and the words are
    // the spaces plus one. One branch-free pass over the line tells.
    // (`core` starts with a letter or digit: its first byte is never odd.)
    let (mut odd, mut spaces) = (0u8, 0u32);
    for (&b, &prev) in core[1..].iter().zip(core) {
        let space = u8::from(b == b' ');
        odd |= u8::from(b < 0x20) | u8::from(b == b'`') | (space & u8::from(prev == b' '));
        spaces += u32::from(space);
    }
    if odd == 0 {
        let start = out.len();
        out.extend_from_slice(core);
        out[start..].make_ascii_lowercase();
        if colon {
            out.push(b':');
        }
        return spaces as usize + 1;
    }
    let mut words = 1;
    let mut prev_space = false;
    for &b in core {
        let folded = ASCII_FOLD[b as usize];
        if folded == SPACE {
            if !prev_space {
                out.push(b' ');
                words += 1;
            }
            prev_space = true;
        } else {
            out.push(folded);
            prev_space = false;
        }
    }
    if colon {
        out.push(b':');
    }
    words
}

fn push_visible(
    out: &mut String,
    start: usize,
    pending_space: &mut bool,
    chars: impl Iterator<Item = char>,
) {
    for c in chars {
        if *pending_space && out.len() > start {
            out.push(' ');
        }
        *pending_space = false;
        out.push(c);
    }
}

/// Drops the non-alphanumeric characters at both edges of `out[start..]`,
/// except a colon right after the last letter or digit: a line-final colon
/// announces what follows (`Related article:`), so it is kept.
fn trim_edges(out: &mut String, start: usize) {
    let tail = &out[start..];
    let end = tail.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
    let colon = tail[end..].trim_start().starts_with(':');
    out.truncate(start + end);
    if colon && end > 0 {
        out.push(':');
    }
    let lead =
        out[start..].len() - out[start..].trim_start_matches(|c: char| !c.is_alphanumeric()).len();
    if lead > 0 {
        out.replace_range(start..start + lead, "");
    }
}

fn words_in(folded: &str) -> usize {
    if folded.is_empty() {
        0
    } else {
        1 + folded.bytes().filter(|&b| b == b' ').count()
    }
}

/// Folds a phrase from a rules file.
pub fn fold_phrase(phrase: &str) -> String {
    let mut out = String::with_capacity(phrase.len());
    fold_into(phrase.as_bytes(), &mut out);
    out
}

enum Mapped {
    Drop,
    Space,
    Char(char),
    Str(&'static str),
}

fn map_char(c: char) -> Mapped {
    match c {
        // Zero-width characters and the byte-order mark.
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => Mapped::Drop,
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' | '`' => {
            Mapped::Char('\'')
        }
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => Mapped::Char('"'),
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => Mapped::Char('-'),
        '\u{2026}' => Mapped::Str("..."),
        '\u{FF1A}' => Mapped::Char(':'),
        c if c.is_whitespace() => Mapped::Space,
        c => Mapped::Char(c),
    }
}

/// The one character `c` folds to inside a line, if it folds to exactly
/// one character that is not white space (most do; `…` folds to three,
/// zero-width characters to none).
pub(crate) fn fold_char(c: char) -> Option<char> {
    let c = match map_char(c) {
        Mapped::Char(c) => c,
        Mapped::Drop | Mapped::Space | Mapped::Str(_) => return None,
    };
    if !c.is_uppercase() {
        return Some(c);
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => Some(l),
        _ => None,
    }
}

/// Whether `c` belongs to a script written without spaces between words
/// (Chinese, Japanese, Thai, ...), where word boundaries cannot be checked.
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF      // Thai, Lao
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF66..=0xFF9F    // half-width Katakana
        | 0x20000..=0x2FA1F) // CJK extensions B..
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! t {
        ($name:ident, $input:expr, $folded:expr, $words:expr) => {
            #[test]
            fn $name() {
                let mut out = String::from("prefix|");
                let words = fold_into($input, &mut out);
                assert_eq!(&out["prefix|".len()..], $folded);
                assert_eq!(words, $words);
            }
        };
    }

    t!(fold010_empty, b"", "", 0);
    t!(fold020_plain, b"Skip to main content", "skip to main content", 4);
    t!(fold030_edges, "  Read more \u{bb} ".as_bytes(), "read more", 2);
    t!(fold040_colon_kept, b"Read more:", "read more:", 2);
    t!(fold045_colon_after_space, b"Read more :", "read more:", 2);
    t!(fold046_only_colon, b":", "", 0);
    t!(fold050_curly, "Editors\u{2019} Recommendations".as_bytes(), "editors' recommendations", 2);
    t!(fold060_nbsp, "a\u{a0}\u{a0} b\t\tc".as_bytes(), "a b c", 3);
    t!(
        fold070_non_ascii_case,
        "\u{c9}DITION Sp\u{c9}ciale".as_bytes(),
        "\u{e9}dition sp\u{e9}ciale",
        2
    );
    t!(fold080_invalid_utf8, b"ab\xffcd", "ab\u{fffd}cd", 1);
    t!(fold090_only_punct, " \u{bb} | ".as_bytes(), "", 0);
    t!(fold100_dash, "a \u{2014} b".as_bytes(), "a - b", 3);
    t!(fold110_zero_width, "sh\u{200b}are".as_bytes(), "share", 1);
    t!(
        fold120_cjk,
        "\u{9605}\u{8bfb}\u{66f4}\u{591a}".as_bytes(),
        "\u{9605}\u{8bfb}\u{66f4}\u{591a}",
        1
    );
    t!(fold130_crlf, b"Read more\r", "read more", 2);
    t!(fold140_ellipsis_inner, "a\u{2026}b".as_bytes(), "a...b", 1);

    /// The fast path agrees with the reference on `line`.
    fn same_as_reference(line: &[u8]) {
        let mut expected = String::from("p|");
        let expected_words = fold_into(line, &mut expected);
        let mut got = b"p|".to_vec();
        let mut scratch = String::new();
        let got_words = fold_bytes_into(line, &mut got, &mut scratch);
        assert_eq!(String::from_utf8_lossy(&got), expected, "line: {line:?}");
        assert_eq!(got_words, expected_words, "line: {line:?}");
    }

    #[test]
    fn fast_path_table() {
        let rows: &[&[u8]] = &[
            b"",
            b" ",
            b"Read more :",
            b"  A\t\tB \x0b C\x0c\x1c D  ",
            b"`quoted` Text: ",
            b"::a::",
            b"a \r",
            b"\x00a\x00",
            b"x:y: ",
            b"Skip to main content",
        ];
        for row in rows {
            same_as_reference(row);
        }
        for b in 0..=127u8 {
            same_as_reference(&[b]);
            same_as_reference(&[b'a', b, b'b']);
            same_as_reference(&[b'a', b, b':']);
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_path_ascii(line in proptest::collection::vec(0u8..128, 0..40)) {
            same_as_reference(&line);
        }

        #[test]
        fn fast_path_any(line in "(?s).{0,30}") {
            same_as_reference(line.as_bytes());
        }

        #[test]
        fn fast_path_mixed(line in "[a-zA-Z0-9 \t:`'’“»…\u{200b}\u{a0}ÉéİK.-]{0,30}") {
            same_as_reference(line.as_bytes());
        }

        #[test]
        fn fast_path_invalid(mut line in proptest::collection::vec(proptest::num::u8::ANY, 0..30)) {
            line.push(b'A');
            same_as_reference(&line);
        }
    }
}
