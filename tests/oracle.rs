//! Checks of what `Cleaner::clean` promises, shared by the property tests
//! (tests/props.rs) and the fuzz targets (fuzz/fuzz_targets/*.rs include
//! this file by path). Only the public API, std and bstr: no test helpers.
//!
//! Each check returns `Err(description)` instead of panicking, so callers
//! can print the input that broke it.

use bstr::ByteSlice;
use declutter::{Cleaned, Layer};

/// The input's lines as the cleaner sees them: split on `\n`, a final line
/// without a terminator is a line, an empty input has none. Each entry is
/// the line's byte range in the input.
pub fn input_lines(input: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, &b) in input.iter().enumerate() {
        if b == b'\n' {
            lines.push(start..i);
            start = i + 1;
        }
    }
    if start < input.len() {
        lines.push(start..input.len());
    }
    lines
}

/// A line as it may appear in the output: trailing white space (including a
/// `\r`) trimmed, leading white space kept.
pub fn normalise(line: &[u8]) -> &[u8] {
    line.trim_end()
}

/// `line` (at `start` in the input) with the inline removals reported for
/// it cut out, then trailing white space trimmed.
fn with_inline_cuts(
    input: &[u8],
    line: std::ops::Range<usize>,
    cuts: &[(usize, usize)],
) -> Vec<u8> {
    let kept = normalise(&input[line.clone()]);
    let end = line.start + kept.len();
    let mut out = Vec::with_capacity(kept.len());
    let mut at = line.start;
    for &(a, b) in cuts {
        let (a, b) = (a.clamp(at, end), b.clamp(at, end));
        out.extend_from_slice(&input[at..a]);
        at = b;
    }
    out.extend_from_slice(&input[at..end]);
    let len = normalise(&out).len();
    out.truncate(len);
    out
}

/// The inline cuts reported for each line (index = line number - 1), as
/// absolute byte ranges, in order.
fn inline_cuts(cleaned: &Cleaned, lines: usize) -> Vec<Vec<(usize, usize)>> {
    let mut cuts = vec![Vec::new(); lines];
    for r in cleaned.removals.iter().filter(|r| r.layer == Layer::Inline) {
        if let Some(line) = r.line.checked_sub(1).and_then(|i| cuts.get_mut(i)) {
            line.push((r.range.start, r.range.end));
        }
    }
    cuts
}

/// The output's lines (its final `\n` is a terminator, not a line).
pub fn output_lines(text: &[u8]) -> Vec<&[u8]> {
    if text.is_empty() {
        return Vec::new();
    }
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    body.split(|&b| b == b'\n').collect()
}

/// The output's lines are a subsequence of the input's lines, each
/// normalised ([`normalise`]), except that a line with inline removals
/// (reported in `removals` as [`Layer::Inline`]) may appear with those cuts
/// applied.
pub fn check_subsequence(input: &[u8], cleaned: &Cleaned) -> Result<(), String> {
    let lines = input_lines(input);
    let cuts = inline_cuts(cleaned, lines.len());
    let mut next = 0;
    for (k, out) in output_lines(&cleaned.text).into_iter().enumerate() {
        let found = (next..lines.len()).find(|&i| {
            let line = lines[i].clone();
            if normalise(&input[line.clone()]) == out {
                return true;
            }
            !cuts[i].is_empty() && with_inline_cuts(input, line, &cuts[i]) == out
        });
        match found {
            Some(i) => next = i + 1,
            None => {
                return Err(format!(
                    "output line {} {:?} is not an input line after input line {next}",
                    k + 1,
                    out.as_bstr()
                ))
            }
        }
    }
    Ok(())
}

/// The output is exactly what the removals say: every input line that no
/// whole-line removal names is kept (with its inline cuts), in order,
/// trailing white space trimmed, blank runs collapsed to one blank line,
/// no leading or trailing blank line, a final newline. So nothing is lost
/// that is not reported, and nothing reported is kept.
pub fn check_removals_account_for_output(input: &[u8], cleaned: &Cleaned) -> Result<(), String> {
    let lines = input_lines(input);
    if cleaned.lines_in != lines.len() {
        return Err(format!(
            "lines_in {} but the input has {} lines",
            cleaned.lines_in,
            lines.len()
        ));
    }
    let mut previous: Option<(usize, Layer)> = None;
    for r in &cleaned.removals {
        if r.line == 0 || r.line > lines.len() {
            return Err(format!("removal on line {} of {}", r.line, lines.len()));
        }
        let line = &lines[r.line - 1];
        if r.range.start < line.start || r.range.end > line.end || r.range.start > r.range.end {
            return Err(format!("removal range {:?} outside line {} {line:?}", r.range, r.line));
        }
        if r.layer != Layer::Inline && normalise(&input[line.clone()]).is_empty() {
            return Err(format!("blank line {} reported as removed", r.line));
        }
        if let Some((line, layer)) = previous {
            let whole_twice = line == r.line && layer != Layer::Inline && r.layer != Layer::Inline;
            if line > r.line || whole_twice {
                return Err(format!("removals out of order or doubled at line {}", r.line));
            }
        }
        previous = Some((r.line, r.layer));
    }
    let cuts = inline_cuts(cleaned, lines.len());
    let mut expected = Vec::with_capacity(input.len());
    let mut pending_blank = false;
    for (i, line) in lines.iter().enumerate() {
        if cleaned.removed_line(i + 1).is_some() {
            continue;
        }
        if normalise(&input[line.clone()]).trim_start().is_empty() {
            pending_blank = !expected.is_empty();
            continue;
        }
        let kept = with_inline_cuts(input, line.clone(), &cuts[i]);
        if kept.trim().is_empty() {
            continue;
        }
        if pending_blank {
            expected.push(b'\n');
            pending_blank = false;
        }
        expected.extend_from_slice(&kept);
        expected.push(b'\n');
    }
    if expected != cleaned.text {
        return Err(format!(
            "output differs from the input minus the reported removals:\nexpected {:?}\ngot      {:?}",
            expected.as_bstr(),
            cleaned.text.as_bstr()
        ));
    }
    Ok(())
}

/// The output's shape: empty, or lines ending in `\n` with no leading,
/// trailing or doubled blank line and no trailing white space.
pub fn check_shape(text: &[u8]) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    if !text.ends_with(b"\n") {
        return Err("non-empty output without a final newline".into());
    }
    let lines = output_lines(text);
    let blank = |l: &[u8]| l.is_empty();
    if lines.first().is_some_and(|l| blank(l)) || lines.last().is_some_and(|l| blank(l)) {
        return Err("leading or trailing blank line".into());
    }
    if lines.windows(2).any(|w| blank(w[0]) && blank(w[1])) {
        return Err("two blank lines in a row".into());
    }
    if let Some(l) = lines
        .iter()
        .find(|l| normalise(l).len() != l.len() || (!l.is_empty() && l.trim().is_empty()))
    {
        return Err(format!("line with trailing or only white space: {:?}", l.as_bstr()));
    }
    Ok(())
}

/// All the per-document checks.
pub fn check_all(input: &[u8], cleaned: &Cleaned) -> Result<(), String> {
    check_shape(&cleaned.text)?;
    check_subsequence(input, cleaned)?;
    check_removals_account_for_output(input, cleaned)
}
