//! Cleaning many documents: files, directories, stdin; text or JSONL;
//! compressed or not. Documents are cleaned in parallel on the current rayon
//! pool, outputs keep input order, and memory stays bounded: a JSONL stream
//! is read, cleaned and written in chunks, with the three stages overlapped.
//!
//! Nothing is lost: a record that cannot be cleaned (malformed JSON, no
//! field, a field that is not a string, larger than
//! [`BatchBuilder::max_doc_bytes`]) is written unchanged and counted as a
//! [`Skip`], or, in strict mode, fails its file. An input
//! that cannot be read fails its file only; file outputs are complete or
//! absent.
//!
//! # Example
//! ```
//! use declutter::io::Format;
//! use declutter::{Batch, Cleaner};
//!
//! let batch = Batch::builder().annotate(true).build(Cleaner::new()?);
//! let input = "{\"id\":7,\"text\":\"Read more\\nThe article body stays as it was written.\\n\"}\n\
//!              not json\n";
//! let reader = Box::new(std::io::Cursor::new(input.as_bytes().to_vec()));
//! let mut out = Vec::new();
//! let stats = batch.clean_stream(reader, &mut out, Format::Jsonl, "in.jsonl", "out")?;
//! assert_eq!(
//!     String::from_utf8(out)?,
//!     "{\"id\":7,\"text\":\"The article body stays as it was written.\\n\",\
//!      \"declutter\":{\"lines_removed\":1,\"bytes_removed\":10,\"rules\":{\"read-more\":1},\
//!      \"removed\":[{\"line\":1,\"rule\":\"read-more\",\"layer\":\"rule\"}]}}\n\
//!      not json\n"
//! );
//! assert_eq!((stats.documents, stats.skipped), (1, 1));
//! assert_eq!(stats.skips[0].to_string(), "in.jsonl:2: malformed-json");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::sync::Mutex;

use bstr::ByteSlice;
use rayon::prelude::*;

use crate::clean::{Cleaner, Removal};
use crate::corpus::{self, CorpusIndex};
use crate::io::input::{self, InputReader};
use crate::io::jsonl::{self, RecordProblem};
use crate::io::output::Compressed;
use crate::io::{AtomicFile, Compression, Format, InputFile};
use crate::stats::{FileStats, Skip};

/// The default [`BatchBuilder::max_doc_bytes`]: 64 MiB.
pub const DEFAULT_MAX_DOC_BYTES: usize = 64 << 20;

/// The name of the field `--annotate` adds to JSONL records.
pub const ANNOTATION_FIELD: &str = "declutter";

/// An error that fails one input (the rest of a batch goes on).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The input could not be opened, read or decompressed.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The input.
        path: String,
        /// What the system or decompressor said.
        source: io::Error,
    },
    /// The output could not be created or written.
    #[error("{path}: cannot write: {source}")]
    Write {
        /// The output.
        path: String,
        /// What the system said.
        source: io::Error,
    },
    /// The output exists and overwriting was not allowed.
    #[error("{path}: output exists (use --force to overwrite)")]
    Exists {
        /// The output.
        path: String,
    },
    /// Strict mode: a record or document could not be cleaned.
    #[error("{location}: {problem} (strict mode)")]
    Rejected {
        /// `file:line` (or `file` for a text document).
        location: String,
        /// What is wrong with it.
        problem: RecordProblem,
    },
}

impl BatchError {
    /// Whether this is a write to a closed pipe (e.g. stdout into `head`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, BatchError::Write { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// Where a batch input comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input (decompressed when it starts with a gzip or zstd magic number).
    Stdin,
    /// A file.
    Path(PathBuf),
}

impl Source {
    fn name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            Source::Path(p) => p.display().to_string(),
        }
    }
}

/// Where a batch output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Standard output.
    Stdout,
    /// A file, written under a temporary name and renamed when complete.
    Path(PathBuf),
}

/// Live counters for a progress display, updated while a batch runs.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Raw (compressed) input bytes read so far.
    pub bytes_read: Arc<AtomicU64>,
    /// Documents (files or records) done so far.
    pub documents: Arc<AtomicU64>,
}

/// Configures a [`Batch`].
#[derive(Debug, Clone)]
pub struct BatchBuilder {
    format: Option<Format>,
    field: Vec<String>,
    annotate: bool,
    drop_empty: bool,
    strict: bool,
    force: bool,
    compress: Option<Compression>,
    max_doc_bytes: usize,
    chunk_bytes: usize,
    chunk_records: usize,
    fsync: bool,
    corpus: bool,
    url_field: Vec<String>,
    corpus_max_lines: usize,
}

impl Default for BatchBuilder {
    fn default() -> BatchBuilder {
        BatchBuilder::new()
    }
}

impl BatchBuilder {
    /// A builder with the default configuration.
    pub fn new() -> BatchBuilder {
        BatchBuilder {
            format: None,
            field: vec!["text".to_string()],
            annotate: false,
            drop_empty: false,
            strict: false,
            force: false,
            compress: None,
            max_doc_bytes: DEFAULT_MAX_DOC_BYTES,
            chunk_bytes: 4 << 20,
            chunk_records: 4096,
            fsync: false,
            corpus: true,
            url_field: vec!["url".to_string()],
            corpus_max_lines: corpus::DEFAULT_MAX_LINES,
        }
    }

    /// Whether each output file is synced to disk before it is renamed to
    /// its final name, so that it survives a power loss. Disabled by
    /// default: outputs are still complete or absent (written under a
    /// temporary name, then renamed), and a sync per file would dominate the
    /// time of a batch of many small files.
    pub fn fsync(&mut self, yes: bool) -> &mut BatchBuilder {
        self.fsync = yes;
        self
    }

    /// Whether a first pass counts lines across the batch's documents, so
    /// that lines repeated on many pages of a site count as chrome (see
    /// [`crate::corpus`]). It needs inputs that can be read twice: files,
    /// not stdin. Enabled by default.
    pub fn corpus(&mut self, yes: bool) -> &mut BatchBuilder {
        self.corpus = yes;
        self
    }

    /// The JSONL field holding a record's URL (or bare domain), as a dotted
    /// path: records are grouped by its site for the corpus pass; records
    /// without it form one group. `url` by default.
    pub fn url_field(&mut self, path: &str) -> &mut BatchBuilder {
        self.url_field = path.split('.').map(str::to_string).collect();
        self
    }

    /// The cap on what the corpus pass holds over all groups, in distinct
    /// lines ([`corpus::DEFAULT_MAX_LINES`] by default; about 36 bytes each
    /// at most; a group counts as [`corpus::GROUP_COST`] lines, each page
    /// of a group after its first as one). Past it, the lines and groups
    /// seen in the fewest documents are forgotten (see
    /// [`CorpusIndex::new`]).
    pub fn corpus_max_lines(&mut self, lines: usize) -> &mut BatchBuilder {
        self.corpus_max_lines = lines.max(1);
        self
    }

    /// The input format; by default it is inferred from each file's name
    /// (see [`Format::from_path`]), and stdin is [`Format::Text`].
    pub fn format(&mut self, format: Option<Format>) -> &mut BatchBuilder {
        self.format = format;
        self
    }

    /// The JSONL text field, as a dotted path (`meta.text`). `text` by default.
    pub fn field(&mut self, path: &str) -> &mut BatchBuilder {
        self.field = path.split('.').map(str::to_string).collect();
        self
    }

    /// Whether each cleaned JSONL record gets a `"declutter"` member with
    /// its removal summary. Disabled by default.
    pub fn annotate(&mut self, yes: bool) -> &mut BatchBuilder {
        self.annotate = yes;
        self
    }

    /// Whether JSONL records whose cleaned text is empty are dropped
    /// (counted in [`FileStats::dropped_empty`]). Disabled by default.
    pub fn drop_empty(&mut self, yes: bool) -> &mut BatchBuilder {
        self.drop_empty = yes;
        self
    }

    /// Whether a record that cannot be cleaned (malformed, no field, not a
    /// string, too large) fails its file instead of being passed through and
    /// counted. Disabled by default.
    pub fn strict(&mut self, yes: bool) -> &mut BatchBuilder {
        self.strict = yes;
        self
    }

    /// Whether existing outputs are overwritten. Disabled by default.
    pub fn force(&mut self, yes: bool) -> &mut BatchBuilder {
        self.force = yes;
        self
    }

    /// Output compression; by default it follows each output file's name
    /// (none for stdout). Under an output directory, a forced compression
    /// also changes the file's `.gz`/`.zst` suffix to match.
    pub fn compress(&mut self, compression: Option<Compression>) -> &mut BatchBuilder {
        self.compress = compression;
        self
    }

    /// The largest document (text file or JSONL line) that is cleaned;
    /// larger ones are passed through unchanged, never truncated, and
    /// counted as skipped. [`DEFAULT_MAX_DOC_BYTES`] by default.
    pub fn max_doc_bytes(&mut self, bytes: usize) -> &mut BatchBuilder {
        self.max_doc_bytes = bytes.max(1);
        self
    }

    /// How much of a JSONL stream is read before a chunk is cleaned in
    /// parallel, in bytes and records (whichever is reached first). 4 MiB
    /// and 4096 records by default. At most three chunks are in memory.
    pub fn chunk_size(&mut self, bytes: usize, records: usize) -> &mut BatchBuilder {
        self.chunk_bytes = bytes.max(1);
        self.chunk_records = records.max(1);
        self
    }

    /// Returns the batch driver around `cleaner`.
    pub fn build(&self, cleaner: Cleaner) -> Batch {
        Batch {
            cleaner,
            config: self.clone(),
            progress: Progress::default(),
            corpus_progress: Progress::default(),
            index: None,
        }
    }
}

/// Cleans files and streams; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Batch {
    cleaner: Cleaner,
    config: BatchBuilder,
    progress: Progress,
    corpus_progress: Progress,
    index: Option<Arc<CorpusIndex>>,
}

/// How many consecutive text files are cleaned in parallel before their
/// results are reported.
const TEXT_FILES_PER_ROUND: usize = 1024;

impl Batch {
    /// A builder.
    pub fn builder() -> BatchBuilder {
        BatchBuilder::new()
    }

    /// The live progress counters of the cleaning pass.
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// The live progress counters of the corpus pass
    /// ([`Batch::gather_corpus`]): the bytes it has read and the documents
    /// it has counted.
    pub fn corpus_progress(&self) -> &Progress {
        &self.corpus_progress
    }

    /// Where the output for `relative` goes under `out_dir`: the same
    /// relative path, with the compression suffix changed when a
    /// compression was forced.
    pub fn output_path(&self, out_dir: &Path, relative: &Path) -> PathBuf {
        let target = out_dir.join(relative);
        let Some(forced) = self.config.compress else { return target };
        let current = Compression::from_path(&target);
        if current == forced {
            return target;
        }
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let base = name.strip_suffix(current.extension()).unwrap_or(&name);
        target.with_file_name(format!("{base}{}", forced.extension()))
    }

    /// This batch with corpus evidence from a first pass (see
    /// [`Batch::gather_corpus`]); documents are then cleaned with the counts
    /// of their group. The lines found in one document only are dropped
    /// from the index first ([`CorpusIndex::retain_repeated`]): they are no
    /// evidence, and cleaning looks every line up in what is left.
    pub fn with_corpus(&self, mut index: CorpusIndex) -> Batch {
        index.retain_repeated(2);
        Batch { index: Some(Arc::new(index)), ..self.clone() }
    }

    /// The corpus evidence in use, if any.
    pub fn corpus_index(&self) -> Option<&CorpusIndex> {
        self.index.as_deref()
    }

    /// The corpus pass: reads every file and counts, per group, how many
    /// documents contain each line. Documents are added in input order, so
    /// the counts do not depend on the number of threads. Files that cannot
    /// be read are left out here; cleaning reports them.
    pub fn gather_corpus(&self, paths: &[PathBuf]) -> CorpusIndex {
        let mut index = CorpusIndex::new(self.config.corpus_max_lines);
        let mut i = 0;
        while i < paths.len() {
            if self.format_of(&Source::Path(paths[i].clone())) == Format::Jsonl {
                // A read error ends this file's contribution; cleaning reports it.
                let _ = self.gather_jsonl(&paths[i], &mut index);
                i += 1;
                continue;
            }
            let mut end = i;
            while end < paths.len()
                && end - i < TEXT_FILES_PER_ROUND
                && self.format_of(&Source::Path(paths[end].clone())) == Format::Text
            {
                end += 1;
            }
            let max = self.config.max_doc_bytes;
            let docs: Vec<Option<Vec<u64>>> = paths[i..end]
                .par_iter()
                .map(|path| {
                    let counter = Arc::clone(&self.corpus_progress.bytes_read);
                    let mut reader = input::open_file(path, counter).ok()?;
                    let mut doc = Vec::new();
                    (&mut reader).take(max as u64 + 1).read_to_end(&mut doc).ok()?;
                    (doc.len() <= max).then(|| corpus::fingerprints(&doc))
                })
                .collect();
            for doc in docs.iter().flatten() {
                index.add_document("", doc);
            }
            self.corpus_progress.documents.fetch_add(docs.len() as u64, Ordering::Relaxed);
            i = end;
        }
        index
    }

    fn gather_jsonl(&self, path: &Path, index: &mut CorpusIndex) -> io::Result<()> {
        let counter = Arc::clone(&self.corpus_progress.bytes_read);
        let mut reader = input::open_file(path, counter)?;
        let config = &self.config;
        let text_path: Vec<&str> = config.field.iter().map(String::as_str).collect();
        let mut lines = LineReader { line: 0, long: false, max: config.max_doc_bytes };
        loop {
            let mut chunk = Chunk::default();
            lines.read_chunk(&mut reader, &mut chunk, config.chunk_bytes, config.chunk_records)?;
            if chunk.items.is_empty() {
                return Ok(());
            }
            let docs: Vec<Option<(String, Vec<u64>)>> = chunk
                .items
                .par_iter()
                .map(|item| {
                    let record = self.record(&chunk.buf, item)?;
                    let field = jsonl::locate(record, &text_path).ok()?;
                    Some((self.group_of(record), corpus::fingerprints(field.text.as_bytes())))
                })
                .collect();
            for (group, fps) in docs.iter().flatten() {
                index.add_document(group, fps);
            }
            self.corpus_progress.documents.fetch_add(docs.len() as u64, Ordering::Relaxed);
        }
    }

    /// The bytes of a record that gets cleaned, or `None` for pieces of
    /// long lines, too-large lines and blank lines.
    fn record<'b>(&self, buf: &'b [u8], item: &Item) -> Option<&'b [u8]> {
        if !matches!(item.kind, Kind::Record) {
            return None;
        }
        let record = &buf[item.start..item.content_end];
        (!record.trim().is_empty()).then_some(record)
    }

    /// A record's corpus group: the site of its URL field, or `""`.
    fn group_of(&self, record: &[u8]) -> String {
        let path: Vec<&str> = self.config.url_field.iter().map(String::as_str).collect();
        match jsonl::locate(record, &path) {
            Ok(field) => corpus::site_of(&field.text),
            Err(_) => String::new(),
        }
    }

    /// Cleans the files found under input directories into `out_dir`, in
    /// order, and calls `report` once per file, in input order. Consecutive
    /// text files are cleaned in parallel, one per task; a JSONL file is
    /// cleaned in parallel chunks. With the corpus pass on (the default)
    /// and no corpus given, a first pass reads every file for it.
    pub fn clean_tree(
        &self,
        files: &[InputFile],
        out_dir: &Path,
        report: impl FnMut(&InputFile, Result<FileStats, BatchError>),
    ) {
        if self.config.corpus && self.index.is_none() {
            let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
            let batch = self.with_corpus(self.gather_corpus(&paths));
            return batch.clean_tree_in_order(files, out_dir, report);
        }
        self.clean_tree_in_order(files, out_dir, report)
    }

    fn clean_tree_in_order(
        &self,
        files: &[InputFile],
        out_dir: &Path,
        mut report: impl FnMut(&InputFile, Result<FileStats, BatchError>),
    ) {
        let forks = self.forks();
        let made = OutputDirs::default();
        let mut i = 0;
        while i < files.len() {
            let format = self.format_of(&Source::Path(files[i].path.clone()));
            if format == Format::Jsonl {
                report(&files[i], self.clean_into(&files[i], out_dir, &forks, &made));
                i += 1;
                continue;
            }
            let mut end = i;
            while end < files.len()
                && end - i < TEXT_FILES_PER_ROUND
                && self.format_of(&Source::Path(files[end].path.clone())) == Format::Text
            {
                end += 1;
            }
            let results: Vec<Result<FileStats, BatchError>> = files[i..end]
                .par_iter()
                .map(|file| self.clean_into(file, out_dir, &forks, &made))
                .collect();
            for (file, result) in files[i..end].iter().zip(results) {
                report(file, result);
            }
            i = end;
        }
    }

    fn clean_into(
        &self,
        file: &InputFile,
        out_dir: &Path,
        forks: &[Cleaner],
        made: &OutputDirs,
    ) -> Result<FileStats, BatchError> {
        let target = self.output_path(out_dir, &file.relative);
        if let Some(parent) = target.parent() {
            made.create(parent).map_err(|source| BatchError::Write {
                path: parent.display().to_string(),
                source,
            })?;
        }
        self.clean_one_with(&Source::Path(file.path.clone()), &Target::Path(target), forks)
    }

    /// One [`Cleaner::fork`] per thread of the current rayon pool.
    fn forks(&self) -> Vec<Cleaner> {
        (0..rayon::current_num_threads()).map(|_| self.cleaner.fork()).collect()
    }

    /// The format a file is read in: the configured one, else from its name.
    pub fn format_of_path(&self, path: &Path) -> Format {
        self.config.format.unwrap_or_else(|| Format::from_path(path))
    }

    fn format_of(&self, source: &Source) -> Format {
        match (self.config.format, source) {
            (Some(format), _) => format,
            (None, Source::Stdin) => Format::Text,
            (None, Source::Path(path)) => Format::from_path(path),
        }
    }

    /// Cleans one input into one output. A file output is complete or
    /// absent: on any error its temporary file is removed.
    /// With the corpus pass on and no corpus given, a JSONL file is read
    /// twice: first for the corpus, then to clean it. A text file is one
    /// document, too few for corpus evidence, and stdin cannot be read
    /// twice: they are cleaned without it.
    pub fn clean_one(&self, source: &Source, target: &Target) -> Result<FileStats, BatchError> {
        if let Source::Path(path) = source {
            if self.config.corpus && self.index.is_none() && self.format_of(source) == Format::Jsonl
            {
                let batch = self.with_corpus(self.gather_corpus(std::slice::from_ref(path)));
                return batch.clean_one_with(source, target, &batch.forks());
            }
        }
        self.clean_one_with(source, target, &self.forks())
    }

    fn clean_one_with(
        &self,
        source: &Source,
        target: &Target,
        forks: &[Cleaner],
    ) -> Result<FileStats, BatchError> {
        let name = source.name();
        let counter = Arc::clone(&self.progress.bytes_read);
        let reader = match source {
            Source::Stdin => input::open_stdin(counter),
            Source::Path(path) => input::open_file(path, counter),
        }
        .map_err(|source| BatchError::Read { path: name.clone(), source })?;
        let format = self.format_of(source);
        match target {
            Target::Stdout => {
                let out = BufWriter::with_capacity(1 << 16, io::stdout());
                let compression = self.config.compress.unwrap_or(Compression::None);
                let werr = |source| BatchError::Write { path: "<stdout>".to_string(), source };
                let mut out = Compressed::new(out, compression).map_err(werr)?;
                let stats = self.stream(reader, &mut out, format, &name, "<stdout>", forks)?;
                let mut out = out.finish().map_err(werr)?;
                out.flush().map_err(werr)?;
                Ok(stats)
            }
            Target::Path(path) => {
                let shown = path.display().to_string();
                let file = AtomicFile::create(path, self.config.force).map_err(|source| {
                    if source.kind() == io::ErrorKind::AlreadyExists {
                        BatchError::Exists { path: shown.clone() }
                    } else {
                        BatchError::Write { path: shown.clone(), source }
                    }
                })?;
                let file = file.sync(self.config.fsync);
                let werr = |source| BatchError::Write { path: shown.clone(), source };
                let compression =
                    self.config.compress.unwrap_or_else(|| Compression::from_path(path));
                let mut out = Compressed::new(file, compression).map_err(werr)?;
                let stats = self.stream(reader, &mut out, format, &name, &shown, forks)?;
                let file = out.finish().map_err(werr)?;
                file.commit().map_err(|source| {
                    if source.kind() == io::ErrorKind::AlreadyExists {
                        BatchError::Exists { path: shown.clone() }
                    } else {
                        BatchError::Write { path: shown.clone(), source }
                    }
                })?;
                Ok(stats)
            }
        }
    }

    /// Cleans a decompressed stream in the given format into `out`.
    /// `name` and `out_name` are used in errors and skips.
    pub fn clean_stream<W: Write + Send>(
        &self,
        reader: InputReader,
        out: &mut W,
        format: Format,
        name: &str,
        out_name: &str,
    ) -> Result<FileStats, BatchError> {
        self.stream(reader, out, format, name, out_name, &self.forks())
    }

    fn stream<W: Write + Send>(
        &self,
        reader: InputReader,
        out: &mut W,
        format: Format,
        name: &str,
        out_name: &str,
        forks: &[Cleaner],
    ) -> Result<FileStats, BatchError> {
        let mut stats = FileStats::default();
        let mut io = Io { reader, name, out, out_name };
        match format {
            Format::Text => self.text(&mut io, &mut stats, forks)?,
            Format::Jsonl => self.jsonl(&mut io, &mut stats, forks)?,
        }
        Ok(stats)
    }

    fn skip(
        &self,
        stats: &mut FileStats,
        name: &str,
        line: Option<u64>,
        problem: RecordProblem,
    ) -> Result<(), BatchError> {
        if self.config.strict {
            let location = match line {
                Some(line) => format!("{name}:{line}"),
                None => name.to_string(),
            };
            return Err(BatchError::Rejected { location, problem });
        }
        stats.skip(Skip { file: name.to_string(), line, reason: problem });
        Ok(())
    }

    fn text<W: Write>(
        &self,
        io: &mut Io<'_, W>,
        stats: &mut FileStats,
        forks: &[Cleaner],
    ) -> Result<(), BatchError> {
        let max = self.config.max_doc_bytes;
        let mut doc = Vec::new();
        (&mut io.reader).take(max as u64 + 1).read_to_end(&mut doc).map_err(|e| io.rerr(e))?;
        stats.bytes_in += doc.len() as u64;
        if doc.len() > max {
            self.skip(stats, io.name, None, RecordProblem::TooLarge)?;
            io.write(&doc)?;
            stats.bytes_out += doc.len() as u64;
            let rest = io.copy_rest()?;
            stats.bytes_in += rest;
            stats.bytes_out += rest;
            return Ok(());
        }
        let group = self.index.as_deref().and_then(|index| index.group(""));
        let cleaned = worker_cleaner(forks, &self.cleaner).clean_with_corpus(&doc, group);
        stats.documents += 1;
        stats.lines_removed += cleaned.lines_removed() as u64;
        tally_rules(&cleaned.removals, |rule, n| {
            *stats.rules.entry(Arc::clone(rule)).or_default() += n;
        });
        io.write(&cleaned.text)?;
        stats.bytes_out += cleaned.text.len() as u64;
        self.progress.documents.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn jsonl<W: Write + Send>(
        &self,
        io: &mut Io<'_, W>,
        stats: &mut FileStats,
        forks: &[Cleaner],
    ) -> Result<(), BatchError> {
        let config = &self.config;
        let path: Vec<&str> = config.field.iter().map(String::as_str).collect();
        let mut lines = LineReader { line: 0, long: false, max: config.max_doc_bytes };
        let (chunk_bytes, chunk_records) = (config.chunk_bytes, config.chunk_records);
        let mut next = Chunk::default();
        lines
            .read_chunk(&mut io.reader, &mut next, chunk_bytes, chunk_records)
            .map_err(|e| io.rerr(e))?;
        let mut pending: Option<(Chunk, Vec<Out>)> = None;
        loop {
            if next.items.is_empty() && pending.is_none() {
                return Ok(());
            }
            let current = std::mem::take(&mut next);
            let previous = pending.take();
            let (reader, out) = (&mut io.reader, &mut *io.out);
            let (written, (outs, read)) = rayon::join(
                move || write_chunk(out, previous),
                || {
                    rayon::join(
                        || self.clean_chunk(&current, &path, forks),
                        || {
                            let mut chunk = Chunk::default();
                            lines
                                .read_chunk(reader, &mut chunk, chunk_bytes, chunk_records)
                                .map(|()| chunk)
                        },
                    )
                },
            );
            written.map_err(|e| io.werr(e))?;
            next = read.map_err(|e| io.rerr(e))?;
            stats.bytes_in += current.buf.len() as u64;
            for (item, out) in current.items.iter().zip(&outs) {
                match out {
                    Out::Pass => {}
                    Out::Skip(problem) => self.skip(stats, io.name, Some(item.line), *problem)?,
                    Out::Cleaned { bytes, summary, dropped } => {
                        stats.documents += 1;
                        stats.lines_removed += summary.lines_removed;
                        for (rule, n) in &summary.rules {
                            *stats.rules.entry(Arc::clone(rule)).or_default() += n;
                        }
                        if *dropped {
                            stats.dropped_empty += 1;
                        }
                        stats.bytes_out += bytes.len() as u64;
                    }
                }
                if !matches!(item.kind, Kind::Raw) {
                    self.progress.documents.fetch_add(1, Ordering::Relaxed);
                }
            }
            for (item, out) in current.items.iter().zip(&outs) {
                if matches!(out, Out::Pass | Out::Skip(_)) {
                    stats.bytes_out += (item.end - item.start) as u64;
                }
            }
            if !current.items.is_empty() {
                pending = Some((current, outs));
            }
        }
    }

    fn clean_chunk(&self, chunk: &Chunk, path: &[&str], forks: &[Cleaner]) -> Vec<Out> {
        chunk
            .items
            .par_iter()
            .map(|item| {
                let cleaner = worker_cleaner(forks, &self.cleaner);
                self.clean_record(cleaner, &chunk.buf, item, path)
            })
            .collect()
    }

    fn clean_record(&self, cleaner: &Cleaner, buf: &[u8], item: &Item, path: &[&str]) -> Out {
        match item.kind {
            Kind::Raw => return Out::Pass,
            Kind::TooLarge => return Out::Skip(RecordProblem::TooLarge),
            Kind::Record => {}
        }
        let record = &buf[item.start..item.content_end];
        if record.trim().is_empty() {
            // A blank line is not a record: kept as it is, not counted.
            return Out::Pass;
        }
        let field = match jsonl::locate(record, path) {
            Ok(field) => field,
            Err(problem) => return Out::Skip(problem),
        };
        let group = match self.index.as_deref() {
            Some(index) => index.group(&self.group_of(record)),
            None => None,
        };
        let mut cleaned = cleaner.clean_with_corpus(field.text.as_bytes(), group);
        // A field is a value, not a text file: it ends as it ended.
        cleaned.end_like(field.text.as_bytes());
        let mut rules: BTreeMap<Arc<str>, u64> = BTreeMap::new();
        tally_rules(&cleaned.removals, |rule, n| {
            *rules.entry(Arc::clone(rule)).or_default() += n;
        });
        let removed = if self.config.annotate {
            cleaned
                .removals
                .iter()
                .map(|r| (r.line, Arc::clone(&r.rule), r.layer.as_str(), r.score))
                .collect()
        } else {
            Vec::new()
        };
        let summary = RecordSummary {
            lines_removed: cleaned.lines_removed() as u64,
            bytes_removed: field.text.len().saturating_sub(cleaned.text.len()) as u64,
            rules,
            removed,
            model_threshold: cleaned.model_threshold.filter(|_| self.config.annotate),
        };
        if self.config.drop_empty && cleaned.text.is_empty() {
            return Out::Cleaned { bytes: Vec::new(), summary, dropped: true };
        }
        let text = String::from_utf8_lossy(&cleaned.text);
        let mut bytes = Vec::with_capacity(record.len() + 16);
        let extra = self.config.annotate.then(|| summary.to_json());
        jsonl::splice(&mut bytes, record, &field, &text, extra.as_deref());
        bytes.extend_from_slice(&buf[item.content_end..item.end]);
        Out::Cleaned { bytes, summary, dropped: false }
    }
}

/// Calls `add(rule, n)` with the number of removals of each rule, in the
/// order the rules first occur. A document has many removals but few
/// distinct rules, and their names are mostly the same shared strings: a
/// short list finds them cheaper than hashing every name into the map.
fn tally_rules(removals: &[Removal], mut add: impl FnMut(&Arc<str>, u64)) {
    /// Past this many distinct rules the list is handed over as it is.
    const SHORT: usize = 32;
    let mut tally: Vec<(&Arc<str>, u64)> = Vec::new();
    for removal in removals {
        let rule = &removal.rule;
        match tally.iter().position(|(name, _)| Arc::ptr_eq(name, rule) || name[..] == rule[..]) {
            Some(k) => tally[k].1 += 1,
            None if tally.len() < SHORT => tally.push((rule, 1)),
            None => add(rule, 1),
        }
    }
    for (rule, n) in tally {
        add(rule, n);
    }
}

/// The cleaner for the current rayon worker: its own fork when there is one.
fn worker_cleaner<'a>(forks: &'a [Cleaner], shared: &'a Cleaner) -> &'a Cleaner {
    rayon::current_thread_index().and_then(|i| forks.get(i)).unwrap_or(shared)
}

/// A stream being cleaned, with names for errors.
struct Io<'a, W> {
    reader: InputReader,
    name: &'a str,
    out: &'a mut W,
    out_name: &'a str,
}

impl<W: Write> Io<'_, W> {
    fn rerr(&self, source: io::Error) -> BatchError {
        BatchError::Read { path: self.name.to_string(), source }
    }

    fn werr(&self, source: io::Error) -> BatchError {
        BatchError::Write { path: self.out_name.to_string(), source }
    }

    fn write(&mut self, data: &[u8]) -> Result<(), BatchError> {
        self.out.write_all(data).map_err(|e| self.werr(e))
    }

    /// Copies the rest of the input to the output; returns the byte count.
    fn copy_rest(&mut self) -> Result<u64, BatchError> {
        let mut total = 0u64;
        loop {
            let data = match self.reader.fill_buf() {
                Ok(data) => data,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(BatchError::Read { path: self.name.to_string(), source: e }),
            };
            if data.is_empty() {
                return Ok(total);
            }
            let n = data.len();
            if let Err(e) = self.out.write_all(data) {
                return Err(BatchError::Write { path: self.out_name.to_string(), source: e });
            }
            self.reader.consume(n);
            total += n as u64;
        }
    }
}

/// One cleaned record's removals.
struct RecordSummary {
    lines_removed: u64,
    bytes_removed: u64,
    rules: BTreeMap<Arc<str>, u64>,
    /// Every removal: line, rule, layer, score (filled for annotations only).
    removed: Vec<(usize, Arc<str>, &'static str, Option<f32>)>,
    /// The line model's threshold on this record (for annotations only).
    model_threshold: Option<f32>,
}

impl RecordSummary {
    /// `"declutter":{"lines_removed":N,"bytes_removed":N,"rules":{..},
    /// "removed":[{"line":N,"rule":"..","layer":"..","score":0.12},..],
    /// "model_threshold":0.3}` (the last only when the line model decided).
    fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(96);
        jsonl::write_json_string(&mut out, ANNOTATION_FIELD);
        out.extend_from_slice(
            format!(
                ":{{\"lines_removed\":{},\"bytes_removed\":{},\"rules\":{{",
                self.lines_removed, self.bytes_removed
            )
            .as_bytes(),
        );
        for (i, (rule, n)) in self.rules.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            jsonl::write_json_string(&mut out, rule);
            out.extend_from_slice(format!(":{n}").as_bytes());
        }
        out.extend_from_slice(b"},\"removed\":[");
        for (i, (line, rule, layer, score)) in self.removed.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(format!("{{\"line\":{line},\"rule\":").as_bytes());
            jsonl::write_json_string(&mut out, rule);
            out.extend_from_slice(format!(",\"layer\":\"{layer}\"").as_bytes());
            if let Some(score) = score.filter(|s| s.is_finite()) {
                out.extend_from_slice(format!(",\"score\":{:.4}", score).as_bytes());
            }
            out.push(b'}');
        }
        out.push(b']');
        if let Some(t) = self.model_threshold.filter(|t| t.is_finite()) {
            out.extend_from_slice(format!(",\"model_threshold\":{t:.4}").as_bytes());
        }
        out.push(b'}');
        out
    }
}

/// What became of one chunk item.
enum Out {
    /// Written as it was read (a blank line, a piece of an oversized line).
    Pass,
    /// Written as it was read, and counted as a skip.
    Skip(RecordProblem),
    /// Cleaned: the new line (empty when dropped).
    Cleaned { bytes: Vec<u8>, summary: RecordSummary, dropped: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A whole line.
    Record,
    /// The start of a line longer than the limit.
    TooLarge,
    /// A further piece of a line longer than the limit.
    Raw,
}

/// A line (or piece of one) in a chunk's buffer.
#[derive(Debug, Clone)]
struct Item {
    kind: Kind,
    line: u64,
    start: usize,
    /// The end of the line's content, before its `\n`.
    content_end: usize,
    /// The end of the line, after its `\n` if it has one.
    end: usize,
}

/// Lines read in one go, in one buffer.
#[derive(Debug, Default)]
struct Chunk {
    buf: Vec<u8>,
    items: Vec<Item>,
}

/// Writes a cleaned chunk, in order.
fn write_chunk<W: Write>(out: &mut W, chunk: Option<(Chunk, Vec<Out>)>) -> io::Result<()> {
    let Some((chunk, results)) = chunk else { return Ok(()) };
    for (item, result) in chunk.items.iter().zip(&results) {
        match result {
            Out::Pass | Out::Skip(_) => out.write_all(&chunk.buf[item.start..item.end])?,
            Out::Cleaned { bytes, .. } => out.write_all(bytes)?,
        }
    }
    Ok(())
}

/// Splits a stream into lines, in chunks, never holding more than the
/// document limit (plus a chunk) of one line in memory.
struct LineReader {
    /// The number of the last line started.
    line: u64,
    /// Whether we are inside a line longer than `max`.
    long: bool,
    max: usize,
}

impl LineReader {
    /// Appends lines to `chunk` until it holds `bytes` bytes or `records`
    /// items, or the stream ends (then `chunk` gets no new item).
    fn read_chunk(
        &mut self,
        reader: &mut InputReader,
        chunk: &mut Chunk,
        bytes: usize,
        records: usize,
    ) -> io::Result<()> {
        while chunk.items.len() < records && chunk.buf.len() < bytes {
            let start = chunk.buf.len();
            if self.long {
                let (n, newline) = read_line(reader, &mut chunk.buf, bytes.max(1 << 16))?;
                if newline || n == 0 {
                    self.long = false;
                }
                if n == 0 {
                    break;
                }
                let end = start + n;
                let item = Item { kind: Kind::Raw, line: self.line, start, content_end: end, end };
                chunk.items.push(item);
                continue;
            }
            let (n, newline) = read_line(reader, &mut chunk.buf, self.max.saturating_add(1))?;
            if n == 0 {
                break;
            }
            self.line += 1;
            let end = start + n;
            if !newline && n > self.max {
                self.long = true;
                let item =
                    Item { kind: Kind::TooLarge, line: self.line, start, content_end: end, end };
                chunk.items.push(item);
                continue;
            }
            let content_end = if newline { end - 1 } else { end };
            chunk.items.push(Item { kind: Kind::Record, line: self.line, start, content_end, end });
        }
        Ok(())
    }
}

/// Appends at most `limit` bytes of one line (with its `\n`) to `buf`;
/// returns how many, and whether the line ended.
fn read_line(
    reader: &mut InputReader,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<(usize, bool)> {
    let mut n = 0;
    while n < limit {
        let data = match reader.fill_buf() {
            Ok(data) => data,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if data.is_empty() {
            return Ok((n, false));
        }
        let take = &data[..data.len().min(limit - n)];
        if let Some(i) = memchr::memchr(b'\n', take) {
            buf.extend_from_slice(&take[..=i]);
            reader.consume(i + 1);
            return Ok((n + i + 1, true));
        }
        let len = take.len();
        buf.extend_from_slice(take);
        reader.consume(len);
        n += len;
    }
    Ok((n, false))
}

/// The output directories one batch has created, so that each is created
/// once and not once per file (`fs::create_dir_all` costs two system calls
/// even when the directory exists). A directory that could not be created
/// is not remembered: every file under it reports its own error.
#[derive(Default)]
struct OutputDirs(Mutex<HashSet<PathBuf>>);

impl OutputDirs {
    fn create(&self, dir: &Path) -> io::Result<()> {
        if self.0.lock().is_ok_and(|set| set.contains(dir)) {
            return Ok(());
        }
        fs::create_dir_all(dir)?;
        if let Ok(mut set) = self.0.lock() {
            set.insert(dir.to_path_buf());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits `input` with the given limits; returns each chunk as
    /// `(kind, line, text)` items.
    fn split(
        input: &[u8],
        max: usize,
        bytes: usize,
        records: usize,
    ) -> Vec<Vec<(Kind, u64, String)>> {
        // A tiny buffer, so that lines cross buffer refills.
        let mut reader: InputReader =
            Box::new(io::BufReader::with_capacity(3, io::Cursor::new(input.to_vec())));
        let mut lines = LineReader { line: 0, long: false, max };
        let mut chunks = Vec::new();
        loop {
            let mut chunk = Chunk::default();
            lines.read_chunk(&mut reader, &mut chunk, bytes, records).expect("read");
            if chunk.items.is_empty() {
                return chunks;
            }
            let items = chunk
                .items
                .iter()
                .map(|i| {
                    assert!(i.start <= i.content_end && i.content_end <= i.end);
                    (
                        i.kind,
                        i.line,
                        String::from_utf8_lossy(&chunk.buf[i.start..i.end]).into_owned(),
                    )
                })
                .collect();
            chunks.push(items);
        }
    }

    #[test]
    fn line_reader_table() {
        use Kind::*;
        let s = |t: &str| t.to_string();
        // (name, input, max_doc, chunk_bytes, chunk_records, expected chunks)
        type Row = (&'static str, &'static str, usize, usize, usize, Vec<Vec<(Kind, u64, String)>>);
        let rows: Vec<Row> = vec![
            ("empty010", "", 10, 100, 100, vec![]),
            ("one020", "ab\n", 10, 100, 100, vec![vec![(Record, 1, s("ab\n"))]]),
            (
                "no-newline030",
                "ab\ncd",
                10,
                100,
                100,
                vec![vec![(Record, 1, s("ab\n")), (Record, 2, s("cd"))]],
            ),
            (
                "records040",
                "a\nb\nc\n",
                10,
                100,
                2,
                vec![
                    vec![(Record, 1, s("a\n")), (Record, 2, s("b\n"))],
                    vec![(Record, 3, s("c\n"))],
                ],
            ),
            (
                "bytes050",
                "aaaa\nbb\ncc\n",
                10,
                5,
                100,
                vec![
                    vec![(Record, 1, s("aaaa\n"))],
                    vec![(Record, 2, s("bb\n")), (Record, 3, s("cc\n"))],
                ],
            ),
            (
                "exact-max060",
                "abcd\nx",
                4,
                100,
                100,
                vec![vec![(Record, 1, s("abcd\n")), (Record, 2, s("x"))]],
            ),
            (
                "too-large070",
                "abcdefghij\nz\n",
                4,
                100,
                100,
                vec![vec![
                    (TooLarge, 1, s("abcde")),
                    (Raw, 1, s("fghij\n")),
                    (Record, 2, s("z\n")),
                ]],
            ),
            (
                "too-large-pieces080",
                "abcdefghij",
                2,
                4,
                100,
                vec![vec![(TooLarge, 1, s("abc")), (Raw, 1, s("defghij"))]],
            ),
            (
                "blank090",
                "\n\n",
                4,
                100,
                100,
                vec![vec![(Record, 1, s("\n")), (Record, 2, s("\n"))]],
            ),
        ];
        for (name, input, max, bytes, records, expected) in rows {
            assert_eq!(split(input.as_bytes(), max, bytes, records), expected, "{name}");
        }
    }

    #[test]
    fn types_are_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Batch>();
        assert_send_sync::<BatchError>();
        assert_send_sync::<Progress>();
    }
}
