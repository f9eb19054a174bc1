//! `declutter clean`: inputs and outputs from the flags, the batch driver,
//! progress and the summary.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use declutter::batch::{Progress, Source, Target};
use declutter::io::{walk_inputs_except, write_atomic, Compression, Format};
use declutter::stats::{CorpusStats, Summary};
use declutter::{Batch, BatchError};

use crate::args::{CleanArgs, CompressArg};

/// Turns the flags into a [`Batch`].
fn batch(args: &CleanArgs) -> Result<Batch> {
    let cleaner = crate::build_cleaner(&args.rules)?;
    let mut builder = Batch::builder();
    builder
        .format(args.format.map(Format::from))
        .field(&args.field)
        .annotate(args.annotate)
        .drop_empty(args.drop_empty)
        .strict(args.strict)
        .force(args.force)
        .fsync(args.fsync)
        .compress(args.compress.map(|c| match c {
            CompressArg::Gz => Compression::Gzip,
            CompressArg::Zst => Compression::Zstd,
            CompressArg::None => Compression::None,
        }))
        .max_doc_bytes(args.max_doc_bytes)
        .corpus(!args.no_corpus)
        .url_field(&args.url_field)
        .corpus_max_lines(args.corpus_max_lines)
        .chunk_size(4 << 20, args.chunk_records);
    Ok(builder.build(cleaner))
}

/// The bytes of the files at `paths` (those that can be measured), for a
/// progress bar's total.
fn input_bytes(paths: &[PathBuf]) -> Option<u64> {
    Some(paths.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum())
}

/// Runs the corpus pass over `paths` unless it is off, and records it.
fn with_corpus(
    batch: Batch,
    args: &CleanArgs,
    paths: &[PathBuf],
    total: impl FnOnce() -> Option<u64>,
    summary: &mut Summary,
) -> Batch {
    if args.no_corpus || paths.is_empty() {
        return batch;
    }
    // The first pass reads every input too: on a large batch it is
    // minutes of work, so it gets its own bar.
    let bar = ProgressDisplay::start(args.quiet, total, batch.corpus_progress(), "corpus pass");
    let index = batch.gather_corpus(paths);
    bar.stop();
    summary.corpus = Some(CorpusStats {
        groups: index.groups() as u64,
        documents: index.documents(),
        distinct_lines: index.lines() as u64,
        lossy: index.is_lossy(),
    });
    batch.with_corpus(index)
}

pub fn run(args: CleanArgs) -> Result<ExitCode> {
    let mut batch = batch(&args)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let started = Instant::now();
    let mut summary = Summary::new();
    let stdin_only =
        args.inputs.is_empty() || (args.inputs.len() == 1 && args.inputs[0].as_os_str() == "-");
    if !stdin_only && args.inputs.iter().any(|p| p.as_os_str() == "-") {
        bail!("`-` (stdin) cannot be mixed with other inputs");
    }
    // One file into an existing directory goes under its own name there.
    let into_dir = args.output.as_deref().is_some_and(Path::is_dir);
    let single = stdin_only || (args.inputs.len() == 1 && !args.inputs[0].is_dir() && !into_dir);
    let mut broken_pipe = false;
    if single {
        let source = if stdin_only { Source::Stdin } else { Source::Path(args.inputs[0].clone()) };
        let target = match &args.output {
            Some(path) => Target::Path(path.clone()),
            None => Target::Stdout,
        };
        // Both passes' bars show the same total, stat'ed once.
        let size = std::sync::OnceLock::new();
        let total = || {
            *size.get_or_init(|| match &source {
                Source::Path(path) => std::fs::metadata(path).ok().map(|m| m.len()),
                Source::Stdin => None,
            })
        };
        if let Source::Path(path) = &source {
            if batch.format_of_path(path) == Format::Jsonl {
                batch = pool.install(|| {
                    with_corpus(batch, &args, std::slice::from_ref(path), total, &mut summary)
                });
            }
        }
        let bar = ProgressDisplay::start(args.quiet, total, batch.progress(), "cleaned");
        let result = pool.install(|| batch.clean_one(&source, &target));
        bar.stop();
        match result {
            Ok(stats) => summary.add(stats),
            Err(err) if err.is_broken_pipe() => broken_pipe = true,
            Err(err) => report(&mut summary, &err),
        }
    } else {
        let Some(out_dir) = args.output.as_deref() else {
            bail!("several inputs or a directory need an output directory: -o DIR");
        };
        if out_dir.exists() && !out_dir.is_dir() {
            bail!("{}: output exists and is not a directory", out_dir.display());
        }
        let (files, walk_errors) = walk_inputs_except(&args.inputs, Some(out_dir));
        for (path, err) in &walk_errors {
            let message = format!("{}: {err}", path.display());
            eprintln!("declutter: {message}");
            summary.add_error(message);
        }
        let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
        // Both passes' bars show the same total: one `stat` per file, and
        // only when a bar is shown.
        let sizes = std::sync::OnceLock::new();
        let total = || *sizes.get_or_init(|| input_bytes(&paths));
        batch = pool.install(|| with_corpus(batch, &args, &paths, total, &mut summary));
        let bar = ProgressDisplay::start(args.quiet, total, batch.progress(), "cleaned");
        pool.install(|| {
            batch.clean_tree(&files, out_dir, |_, result| match result {
                Ok(stats) => summary.add(stats),
                Err(err) => {
                    bar.suspend(|| report(&mut summary, &err));
                }
            })
        });
        bar.stop();
    }
    summary.finish(started.elapsed().as_secs_f64());
    if !args.quiet && !broken_pipe {
        eprint!("{summary}");
    }
    if let Some(path) = &args.stats {
        write_stats(path, &summary)?;
    }
    if summary.files_failed > 0 {
        if !args.quiet {
            eprintln!(
                "declutter: {} of {} inputs failed",
                summary.files_failed,
                summary.files + summary.files_failed
            );
        }
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

fn report(summary: &mut Summary, err: &BatchError) {
    eprintln!("declutter: {err}");
    summary.add_error(err.to_string());
}

fn write_stats(path: &Path, summary: &Summary) -> Result<()> {
    let mut json = serde_json::to_vec_pretty(summary).context("cannot encode the summary")?;
    json.push(b'\n');
    write_atomic(path, &json, true).with_context(|| format!("{}: cannot write", path.display()))
}

/// A progress bar on stderr, fed from the batch's counters by a ticker
/// thread; nothing at all unless stderr is a terminal.
struct ProgressDisplay {
    bar: Option<ProgressBar>,
    done: Arc<AtomicBool>,
    ticker: Option<std::thread::JoinHandle<()>>,
}

impl ProgressDisplay {
    /// Starts the display of `progress`, its documents counted as `what`;
    /// `total` (the input bytes, when known) is asked only when a bar is
    /// shown, as it costs a system call per file.
    fn start(
        quiet: bool,
        total: impl FnOnce() -> Option<u64>,
        progress: &Progress,
        what: &'static str,
    ) -> ProgressDisplay {
        let done = Arc::new(AtomicBool::new(false));
        if quiet || !io::stderr().is_terminal() {
            return ProgressDisplay { bar: None, done, ticker: None };
        }
        let (bar, template) = match total() {
            Some(total) => (
                ProgressBar::new(total),
                "{spinner} {bar:20} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
            ),
            None => (ProgressBar::no_length(), "{spinner} {elapsed} {bytes} {bytes_per_sec} {msg}"),
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        let ticker = {
            let (bar, done, progress) = (bar.clone(), Arc::clone(&done), progress.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    bar.set_position(progress.bytes_read.load(Ordering::Relaxed));
                    let docs = progress.documents.load(Ordering::Relaxed);
                    bar.set_message(format!("{what}: {docs} docs"));
                    std::thread::sleep(Duration::from_millis(200));
                }
            })
        };
        ProgressDisplay { bar: Some(bar), done, ticker: Some(ticker) }
    }

    fn suspend(&self, f: impl FnOnce()) {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    fn stop(mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
