//! `declutter explain`: every line, kept or removed, with its reason.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Result;
use bstr::ByteSlice;

use declutter::lines::split_lines;
use declutter::Layer;

use crate::args::{ColorChoice, ExplainArgs};

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

pub fn run(args: ExplainArgs) -> Result<ExitCode> {
    let cleaner = crate::build_cleaner(&args.rules)?;
    let input = crate::read_input(&args.input)?;
    let (cleaned, scores) = cleaner.clean_explained(&input, None);
    if let Some(threshold) = cleaned.model_threshold {
        // On stderr: stdout keeps one line per input line.
        eprintln!("line model: lines scoring below {threshold:.2} on this page are removed");
    }
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stdout().is_terminal(),
    };
    let paint = |code: &'static str| if color { code } else { "" };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let lines = split_lines(&input);
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
            None if args.removed_only => {}
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
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
