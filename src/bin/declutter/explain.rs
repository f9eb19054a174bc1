//! `declutter explain`: every line, kept or removed, with its reason.

use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use bstr::ByteSlice;

use declutter::batch::DEFAULT_MAX_DOC_BYTES;
use declutter::io::jsonl::{self, RecordProblem};
use declutter::io::{input, Format};
use declutter::lines::split_lines;
use declutter::{Cleaned, Cleaner, Layer};

use crate::args::{ColorChoice, ExplainArgs};

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const DIM: &str = "\x1b[2m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// How the report is written.
struct Style {
    color: bool,
    removed_only: bool,
}

impl Style {
    fn paint(&self, code: &'static str) -> &'static str {
        if self.color {
            code
        } else {
            ""
        }
    }
}

pub fn run(args: ExplainArgs) -> Result<ExitCode> {
    let cleaner = crate::build_cleaner(&args.rules)?;
    let stdin = args.input.as_os_str() == "-";
    let name = if stdin { "<stdin>".to_string() } else { args.input.display().to_string() };
    let reader = if stdin {
        input::open_stdin(Arc::default())
    } else {
        input::open_file(&args.input, Arc::default())
    }
    .with_context(|| format!("{name}: cannot read"))?;
    let format = match args.format {
        Some(format) => Format::from(format),
        None if stdin => Format::Text,
        None => Format::from_path(&args.input),
    };
    if format == Format::Text && args.record.is_some() {
        bail!("--record picks a JSONL record; {name} is read as text (see --format)");
    }
    let style = Style {
        color: match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => io::stdout().is_terminal(),
        },
        removed_only: args.removed_only,
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        Format::Text => {
            let mut input = Vec::new();
            let mut reader = reader;
            reader.read_to_end(&mut input).with_context(|| format!("{name}: cannot read"))?;
            let (cleaned, scores) = cleaner.clean_explained(&input, None);
            if let Some(threshold) = cleaned.model_threshold {
                // On stderr: stdout keeps one line per input line.
                eprintln!(
                    "line model: lines scoring below {threshold:.2} on this page are removed"
                );
            }
            write_document(&mut out, &input, &cleaned, &scores, &style)?;
        }
        Format::Jsonl => {
            let field: Vec<&str> = args.field.split('.').collect();
            let found =
                explain_records(&mut out, &cleaner, reader, &name, &field, args.record, &style)?;
            if let (Some(line), false) = (args.record, found) {
                bail!("{name}: no JSONL record on line {line}");
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Explains the records of a JSONL stream (only the one on line `only`, if
/// given), each under a header line; a record whose text cannot be read
/// gets a header saying why. Returns whether any record was met.
fn explain_records(
    out: &mut impl Write,
    cleaner: &Cleaner,
    mut reader: impl BufRead,
    name: &str,
    field: &[&str],
    only: Option<u64>,
    style: &Style,
) -> Result<bool> {
    let mut line = Vec::new();
    let mut number = 0u64;
    let mut found = false;
    loop {
        let too_large = read_record(&mut reader, &mut line, DEFAULT_MAX_DOC_BYTES)
            .with_context(|| format!("{name}: cannot read"))?;
        let Some(too_large) = too_large else { break };
        number += 1;
        match only {
            Some(want) if number < want => continue,
            Some(want) if number > want => break,
            _ => {}
        }
        let record = line.trim_end_with(|c| c == '\n' || c == '\r');
        if record.trim().is_empty() && !too_large {
            continue;
        }
        found = true;
        let (bold, reset) = (style.paint(BOLD), style.paint(RESET));
        let text = match (too_large, jsonl::locate(record, field)) {
            (true, _) => Err(RecordProblem::TooLarge.to_string()),
            (false, Err(problem)) => Err(problem.to_string()),
            (false, Ok(located)) => Ok(located.text),
        };
        match text {
            Err(problem) => {
                writeln!(out, "{bold}== {name}:{number}: {problem}, not explained{reset}")?
            }
            Ok(text) => {
                let (cleaned, scores) = cleaner.clean_explained(text.as_bytes(), None);
                let threshold = cleaned
                    .model_threshold
                    .map(|t| format!(" (line model: lines scoring below {t:.2} are removed)"))
                    .unwrap_or_default();
                writeln!(out, "{bold}== {name}:{number}{threshold}{reset}")?;
                write_document(out, text.as_bytes(), &cleaned, &scores, style)?;
            }
        }
    }
    Ok(found)
}

/// Reads one line (with its `\n`) into `line`, keeping at most `max` bytes
/// of it: `None` at the end of the stream, else whether the line was longer
/// (the rest of it is read and dropped, so memory stays bounded).
fn read_record(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<bool>> {
    line.clear();
    let read = reader.by_ref().take(max as u64 + 1).read_until(b'\n', line)?;
    if read == 0 {
        return Ok(None);
    }
    if line.len() <= max || line.ends_with(b"\n") {
        return Ok(Some(false));
    }
    let mut rest = Vec::new();
    loop {
        rest.clear();
        let read = reader.by_ref().take(1 << 20).read_until(b'\n', &mut rest)?;
        if read == 0 || rest.ends_with(b"\n") {
            return Ok(Some(true));
        }
    }
}

/// Writes one line per line of `input`: kept (with its model score and any
/// inline strips) or removed (with its layer, rule and score).
fn write_document(
    out: &mut impl Write,
    input: &[u8],
    cleaned: &Cleaned,
    scores: &[Option<f32>],
    style: &Style,
) -> io::Result<()> {
    let paint = |code| style.paint(code);
    let lines = split_lines(input);
    let width = lines.len().to_string().len();
    for (i, line) in lines.iter().enumerate() {
        let number = i + 1;
        let text = input[line.range.clone()].trim_end().to_str_lossy();
        match cleaned.removed_line(number) {
            Some(removal) => {
                let score = removal.score.map(|s| format!(" {s:.2}")).unwrap_or_default();
                writeln!(
                    out,
                    "{}{number:>width$} - {:<10} {}{score}{}\t{}{text}{}",
                    paint(RED),
                    removal.layer.as_str(),
                    removal.rule,
                    paint(RESET),
                    paint(DIM),
                    paint(RESET),
                )?;
            }
            None if style.removed_only => {}
            None if line.is_blank() => writeln!(out, "{number:>width$}")?,
            None => {
                let inline: Vec<String> = cleaned
                    .removals
                    .iter()
                    .filter(|r| r.line == number && r.layer == Layer::Inline)
                    .map(|r| {
                        format!("strip {} {:?}", r.rule, input[r.range.clone()].to_str_lossy())
                    })
                    .collect();
                let note = if inline.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", inline.join(", "))
                };
                let score = scores
                    .get(i)
                    .copied()
                    .flatten()
                    .map(|s| format!(" {s:.2}"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{}{number:>width$} + keep{score}{}{note}\t{text}",
                    paint(GREEN),
                    paint(RESET)
                )?;
            }
        }
    }
    Ok(())
}
