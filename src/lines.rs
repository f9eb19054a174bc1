//! Splitting a document into lines, and the folded view used for matching.

use std::ops::Range;

use bstr::ByteSlice;

use crate::fold;

/// One line of the input: where it is, and where its visible content is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Byte range of the line in the input, without its line terminator.
    pub range: Range<usize>,
    /// Byte range of the content with surrounding white space trimmed.
    pub content: Range<usize>,
}

impl Line {
    /// Whether the line has no visible content.
    pub fn is_blank(&self) -> bool {
        self.content.is_empty()
    }
}

/// Splits `text` into lines on `\n` (a `\r` before it is trimmed with the
/// other white space). A final line without a terminator is still a line;
/// an empty input has no lines.
pub fn split_lines(text: &[u8]) -> Vec<Line> {
    let mut lines = Vec::with_capacity(text.len() / 64 + 1);
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', text) {
        lines.push(make_line(text, start..nl));
        start = nl + 1;
    }
    if start < text.len() {
        lines.push(make_line(text, start..text.len()));
    }
    lines
}

fn make_line(text: &[u8], range: Range<usize>) -> Line {
    let raw = &text[range.clone()];
    // Most lines start and end with a visible ASCII byte: no decoding then.
    let visible = |b: u8| b.is_ascii() && !matches!(b, b'\t'..=b'\r' | b' ');
    let lead = match raw.first() {
        Some(&b) if !visible(b) => raw.len() - raw.trim_start().len(),
        _ => 0,
    };
    let trimmed_start = &raw[lead..];
    let content_len = match trimmed_start.last() {
        Some(&b) if !visible(b) => trimmed_start.trim_end().len(),
        _ => trimmed_start.len(),
    };
    let content = range.start + lead..range.start + lead + content_len;
    Line { range, content }
}

/// The folded form of every line, in one buffer, one line per `\n`-terminated
/// segment, so that one automaton pass covers the whole document.
#[derive(Debug, Default)]
pub struct Folded {
    /// All folded lines, each followed by `\n`.
    pub text: String,
    /// The span of each line's folded text in `text`.
    pub spans: Vec<Range<usize>>,
    /// Number of words in each folded line.
    pub words: Vec<usize>,
}

impl Folded {
    /// Folds every line of `input`.
    pub fn new(input: &[u8], lines: &[Line]) -> Folded {
        let mut text = Vec::with_capacity(input.len() + lines.len());
        let mut spans = Vec::with_capacity(lines.len());
        let mut words = Vec::with_capacity(lines.len());
        let mut scratch = String::new();
        for line in lines {
            let start = text.len();
            let n = if line.is_blank() {
                0
            } else {
                fold::fold_bytes_into(&input[line.content.clone()], &mut text, &mut scratch)
            };
            spans.push(start..text.len());
            words.push(n);
            text.push(b'\n');
        }
        match String::from_utf8(text) {
            Ok(text) => Folded { text, spans, words },
            // Unreachable: folding writes whole characters only. Should it
            // ever fail, the character-by-character reference still gives
            // a correct result.
            Err(_) => Folded::by_reference(input, lines),
        }
    }

    /// [`Folded::new`] with the reference folding, character by character.
    fn by_reference(input: &[u8], lines: &[Line]) -> Folded {
        let mut folded = Folded {
            text: String::with_capacity(input.len() + lines.len()),
            spans: Vec::with_capacity(lines.len()),
            words: Vec::with_capacity(lines.len()),
        };
        for line in lines {
            let start = folded.text.len();
            let words = fold::fold_into(&input[line.content.clone()], &mut folded.text);
            folded.spans.push(start..folded.text.len());
            folded.words.push(words);
            folded.text.push('\n');
        }
        folded
    }

    /// The folded text of line `i`.
    pub fn line(&self, i: usize) -> &str {
        &self.text[self.spans[i].clone()]
    }

    /// The index of the line that contains byte `offset` of the folded text.
    pub fn line_at(&self, offset: usize) -> usize {
        self.spans.partition_point(|span| span.end < offset).min(self.spans.len().saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(text: &[u8]) -> Vec<&[u8]> {
        split_lines(text).into_iter().map(|l| &text[l.content]).collect()
    }

    #[test]
    fn split010_empty() {
        assert!(split_lines(b"").is_empty());
    }

    #[test]
    fn split020_no_final_newline() {
        assert_eq!(contents(b"a\nb"), vec![&b"a"[..], b"b"]);
    }

    #[test]
    fn split030_final_newline() {
        assert_eq!(contents(b"a\nb\n"), vec![&b"a"[..], b"b"]);
    }

    #[test]
    fn split040_crlf() {
        let text = b"a \r\n\r\n b\r\n";
        assert_eq!(contents(text), vec![&b"a"[..], b"", b"b"]);
        assert_eq!(split_lines(text)[0].range, 0..3);
    }

    #[test]
    fn split050_nbsp_trimmed() {
        assert_eq!(contents("x\u{a0}\u{a0}\n".as_bytes()), vec![&b"x"[..]]);
    }

    #[test]
    fn split055_control_bytes_are_not_white_space() {
        assert_eq!(contents(b"\x1c a \x1f\n\x0b b \x0c"), vec![&b"\x1c a \x1f"[..], b"b"]);
    }

    #[test]
    fn split060_invalid_utf8() {
        assert_eq!(contents(b"\xff\xfe a\n"), vec![&b"\xff\xfe a"[..]]);
    }

    #[test]
    fn folded_line_at() {
        let text = b"Read more\n\nSkip";
        let lines = split_lines(text);
        let folded = Folded::new(text, &lines);
        assert_eq!(folded.text, "read more\n\nskip\n");
        assert_eq!(folded.line_at(0), 0);
        assert_eq!(folded.line_at(9), 0);
        assert_eq!(folded.line_at(11), 2);
        assert_eq!(folded.line(2), "skip");
    }
}
