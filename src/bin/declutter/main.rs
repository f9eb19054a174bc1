//! The `declutter` command: argument parsing and wiring over the library.

mod args;
mod explain;

use std::fs;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Parser;
use rayon::prelude::*;

use declutter::io::{walk_inputs, write_atomic, InputFile};
use declutter::{Cleaner, RuleKind, RuleSet};

use crate::args::{CleanArgs, Cli, Command, RuleOptions, RulesArgs};

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
        Command::Clean(args) => clean(args),
        Command::Explain(args) => explain::run(args),
        Command::Rules(args) => rules(args),
    }
}

/// Builds the cleaner the rule options ask for.
pub(crate) fn build_cleaner(options: &RuleOptions) -> Result<Cleaner> {
    let mut builder = Cleaner::builder();
    builder.default_rules(!options.no_default_rules).classifier(!options.no_classifier);
    for path in &options.rules {
        let text = fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read rules", path.display()))?;
        builder.rules(RuleSet::parse(&text, &path.display().to_string())?);
    }
    Ok(builder.build()?)
}

/// Reads a path, or stdin for `-`.
pub(crate) fn read_input(path: &Path) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut data = Vec::new();
        io::stdin().lock().read_to_end(&mut data).context("<stdin>: cannot read")?;
        Ok(data)
    } else {
        fs::read(path).with_context(|| format!("{}: cannot read", path.display()))
    }
}

fn clean(args: CleanArgs) -> Result<ExitCode> {
    let cleaner = build_cleaner(&args.rules)?;
    let stdin_only =
        args.inputs.is_empty() || (args.inputs.len() == 1 && args.inputs[0].as_os_str() == "-");
    if stdin_only {
        let cleaned = cleaner.clean(&read_input(Path::new("-"))?);
        return write_single(args.output.as_deref(), &cleaned.text, args.force);
    }
    if args.inputs.iter().any(|p| p.as_os_str() == "-") {
        bail!("`-` (stdin) cannot be mixed with other inputs");
    }
    let single_file = args.inputs.len() == 1 && !args.inputs[0].is_dir();
    if single_file {
        let path = &args.inputs[0];
        let cleaned = cleaner.clean(&read_input(path)?);
        return write_single(args.output.as_deref(), &cleaned.text, args.force);
    }
    let Some(out_dir) = args.output.as_deref() else {
        bail!("several inputs or a directory need an output directory: -o DIR");
    };
    if out_dir.exists() && !out_dir.is_dir() {
        bail!("{}: output exists and is not a directory", out_dir.display());
    }
    let (files, walk_errors) = walk_inputs(&args.inputs);
    let mut failed = walk_errors.len();
    for (path, err) in &walk_errors {
        eprintln!("declutter: {}: {err}", path.display());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let results: Vec<(InputFile, Result<()>)> = pool.install(|| {
        files
            .into_par_iter()
            .map_with(cleaner, |cleaner, file| {
                let result = clean_file(cleaner, &file, out_dir, args.force);
                (file, result)
            })
            .collect()
    });
    for (_, result) in &results {
        if let Err(err) = result {
            failed += 1;
            eprintln!("declutter: {err:#}");
        }
    }
    if failed > 0 {
        eprintln!("declutter: {failed} of {} inputs failed", results.len() + walk_errors.len());
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

fn clean_file(cleaner: &Cleaner, file: &InputFile, out_dir: &Path, force: bool) -> Result<()> {
    let input = read_input(&file.path)?;
    let cleaned = cleaner.clean(&input);
    let target: PathBuf = out_dir.join(&file.relative);
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("{}: cannot create directory", parent.display()))?;
    }
    write_atomic(&target, &cleaned.text, force)
        .with_context(|| format!("{}: cannot write", target.display()))
}

fn write_single(output: Option<&Path>, data: &[u8], force: bool) -> Result<ExitCode> {
    match output {
        None => {
            let mut stdout = io::stdout().lock();
            stdout.write_all(data).context("<stdout>: cannot write")?;
            stdout.flush().context("<stdout>: cannot write")?;
        }
        Some(path) => write_atomic(path, data, force)
            .with_context(|| format!("{}: cannot write", path.display()))?,
    }
    Ok(ExitCode::SUCCESS)
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
    let _ = io::stdout().is_terminal();
    Ok(ExitCode::SUCCESS)
}
