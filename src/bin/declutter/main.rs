//! The `declutter` command: argument parsing and wiring over the library.

mod args;
mod clean;
mod eval;
mod explain;
mod features;

use std::fs;
use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use declutter::model::Model;
use declutter::{Cleaner, RuleKind, RuleSet};

use crate::args::{Cli, Command, RuleOptions, RulesArgs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("declutter: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Clean(args) => clean::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Rules(args) => rules(args),
        Command::Features(args) => features::run(args),
        Command::Eval(args) => eval::run(args),
    }
}

/// Builds the cleaner the rule options ask for.
pub(crate) fn build_cleaner(options: &RuleOptions) -> Result<Cleaner> {
    let mut builder = Cleaner::builder();
    builder
        .default_rules(!options.no_default_rules)
        .classifier(!options.no_classifier)
        .line_model(!options.no_model && !options.no_classifier);
    if let Some(path) = &options.model {
        let text = fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the line model", path.display()))?;
        builder.model(Model::parse(&text, &path.display().to_string())?);
    }
    if let Some(threshold) = options.threshold {
        if !(0.0..=1.0).contains(&threshold) {
            anyhow::bail!("--threshold must be within 0 and 1, not {threshold}");
        }
        builder.model_threshold(threshold);
    }
    for path in &options.rules {
        let text = fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read rules", path.display()))?;
        builder.rules(RuleSet::parse(&text, &path.display().to_string())?);
    }
    Ok(builder.build()?)
}

fn rules(args: RulesArgs) -> Result<ExitCode> {
    let cleaner = build_cleaner(&args.rules)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    for rule in cleaner.rules().rules() {
        if args.export_phrases {
            if rule.kind == RuleKind::Line && rule.scope == declutter::Scope::Anywhere {
                for phrase in &rule.phrases {
                    writeln!(out, "{phrase}")?;
                }
            }
        } else {
            let count =
                if rule.kind.uses_phrases() { rule.phrases.len() } else { rule.patterns.len() };
            let what = if rule.kind.uses_phrases() { "phrases" } else { "patterns" };
            writeln!(out, "{:<28} {:<10} {count:>4} {what}", rule.name, rule.kind)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
