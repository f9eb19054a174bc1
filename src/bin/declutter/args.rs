//! Command-line arguments (clap derive). Flags only: no logic lives here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use declutter::io::Format;

/// Strip scraped-page chrome from plain-text dumps of web pages.
#[derive(Debug, Parser)]
#[command(name = "declutter", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Clean documents: stdin to stdout, a file to stdout or -o FILE, a directory to -o DIR.
    Clean(CleanArgs),
    /// Show every line of a document as kept or removed, with the rule that removed it.
    Explain(ExplainArgs),
    /// List the rules in effect, or export their phrases.
    Rules(RulesArgs),
    /// Print the line model's features of every line as TSV (to train a model).
    Features(FeaturesArgs),
    /// Score cleaned text against gold text: token precision, recall and F1 per dataset.
    Eval(EvalArgs),
}

/// Options shared by every command that builds a cleaner.
#[derive(Debug, Args, Clone)]
pub struct RuleOptions {
    /// Add rules from this TOML file (repeatable); a rule with a default's name replaces it.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Start from no rules instead of the embedded defaults.
    #[arg(long)]
    pub no_default_rules: bool,
    /// Do not let the line model or the context classifier remove lines
    /// (rules and detectors only).
    #[arg(long)]
    pub no_classifier: bool,
    /// Use the context classifier instead of the learned line model.
    #[arg(long, conflicts_with = "model")]
    pub no_model: bool,
    /// Use this line-model file instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// The line model's body-probability threshold (default: the model's own).
    #[arg(long, value_name = "P")]
    pub threshold: Option<f32>,
}

/// `declutter clean`.
#[derive(Debug, Args)]
pub struct CleanArgs {
    /// Input files or directories; none or `-` reads stdin.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Output file (one input) or directory (several inputs or a directory).
    /// An output directory inside an input directory is skipped by the walk,
    /// so a second run does not clean its own outputs.
    #[arg(short, long, value_name = "OUTPUT")]
    pub output: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// Overwrite existing output files.
    #[arg(long)]
    pub force: bool,
    /// Sync each output file to disk before renaming it into place, so it survives a power
    /// loss (outputs are complete or absent either way; this costs a disk flush per file).
    #[arg(long)]
    pub fsync: bool,
    /// Input format (default: from the file name: .jsonl/.json/.ndjson are jsonl; stdin is text).
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<FormatArg>,
    /// The JSONL field holding the text; a dotted path such as `meta.text` reaches into objects.
    #[arg(long, value_name = "PATH", default_value = "text")]
    pub field: String,
    /// Add a "declutter" member to each cleaned JSONL record: lines and bytes removed, rules.
    #[arg(long)]
    pub annotate: bool,
    /// Drop JSONL records whose cleaned text is empty (they are counted).
    #[arg(long)]
    pub drop_empty: bool,
    /// Fail a file on a record that cannot be cleaned (malformed JSON, missing or non-string
    /// field, too large) instead of passing it through unchanged.
    #[arg(long)]
    pub strict: bool,
    /// Output compression (default: from the output file name; none for stdout).
    #[arg(long, value_name = "KIND")]
    pub compress: Option<CompressArg>,
    /// Documents (text files, JSONL lines) larger than this are passed through unchanged and
    /// counted as skipped, never truncated.
    #[arg(long, value_name = "BYTES", default_value_t = declutter::batch::DEFAULT_MAX_DOC_BYTES)]
    pub max_doc_bytes: usize,
    /// Skip the corpus pass (by default, files are read twice: first to count lines
    /// repeated across documents of a site or of the batch, then to clean).
    #[arg(long)]
    pub no_corpus: bool,
    /// The JSONL field holding a record's URL or domain: the corpus pass groups records by
    /// site. Records without it form one group.
    #[arg(long, value_name = "PATH", default_value = "url")]
    pub url_field: String,
    /// The most the corpus pass holds, in distinct lines (about 36 bytes each at most; a
    /// site's group counts as 8 lines, each page after a site's first as one); past it,
    /// the lines and sites seen in the fewest documents are forgotten.
    #[arg(long, value_name = "N", default_value_t = declutter::corpus::DEFAULT_MAX_LINES)]
    pub corpus_max_lines: usize,
    /// JSONL records cleaned per parallel chunk (a chunk also ends at 4 MiB).
    #[arg(long, value_name = "N", default_value_t = 4096, hide = true)]
    pub chunk_records: usize,
    /// No progress bar and no summary on stderr (errors are still shown).
    #[arg(short, long)]
    pub quiet: bool,
    /// Write the summary as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub stats: Option<PathBuf>,
    /// Rule options.
    #[command(flatten)]
    pub rules: RuleOptions,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// One document per file.
    Text,
    /// One JSON record per line.
    Jsonl,
}

impl From<FormatArg> for Format {
    fn from(format: FormatArg) -> Format {
        match format {
            FormatArg::Text => Format::Text,
            FormatArg::Jsonl => Format::Jsonl,
        }
    }
}

/// `--compress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompressArg {
    /// gzip.
    Gz,
    /// Zstandard.
    Zst,
    /// Not compressed.
    None,
}

/// `declutter explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The document to explain (`-` for stdin).
    #[arg(value_name = "FILE")]
    pub input: PathBuf,
    /// Colour: auto (on a terminal), always or never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
    /// Show only removed lines.
    #[arg(long)]
    pub removed_only: bool,
    /// Input format (default: from the file name: .jsonl/.json/.ndjson are jsonl; stdin is
    /// text). Compressed inputs (.gz, .zst; on stdin by their magic number) are read
    /// decompressed.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<FormatArg>,
    /// The JSONL field holding the text; a dotted path such as `meta.text` reaches into objects.
    #[arg(long, value_name = "PATH", default_value = "text")]
    pub field: String,
    /// JSONL: explain only the record on this line of the file (1-based); by default every
    /// record is explained, each under a `==` header naming its line.
    #[arg(long, value_name = "LINE")]
    pub record: Option<u64>,
    /// Rule options.
    #[command(flatten)]
    pub rules: RuleOptions,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal only.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// `declutter rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print every phrase of whole-line rules, one per line (for `grep -F -f`).
    #[arg(long)]
    pub export_phrases: bool,
    /// Rule options.
    #[command(flatten)]
    pub rules: RuleOptions,
}

/// `declutter eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Gold directory: GOLD/<dataset>/<id>.gold.txt.
    #[arg(long, value_name = "DIR")]
    pub gold: PathBuf,
    /// Predictions: PRED/<dataset>/<id><pred-suffix>; a missing one counts as empty.
    #[arg(long, value_name = "DIR", required_unless_present = "input", conflicts_with = "input")]
    pub pred: Option<PathBuf>,
    /// Clean these inputs on the fly instead: INPUT/<dataset>/<id><input-suffix>.
    #[arg(long, value_name = "DIR")]
    pub input: Option<PathBuf>,
    /// The suffix of prediction files.
    #[arg(long, value_name = "SUFFIX", default_value = ".txt")]
    pub pred_suffix: String,
    /// The suffix of input files (with --input).
    #[arg(long, value_name = "SUFFIX", default_value = ".input.txt")]
    pub input_suffix: String,
    /// With --input: no corpus pass over the inputs.
    #[arg(long)]
    pub no_corpus: bool,
    /// How many of the worst pages to list.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub worst: usize,
    /// Only these datasets (comma-separated).
    #[arg(long, value_name = "NAMES")]
    pub datasets: Option<String>,
    /// Also write every page's scores here, as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Rule options (with --input).
    #[command(flatten)]
    pub rules: RuleOptions,
}

/// `declutter features`.
#[derive(Debug, Args)]
pub struct FeaturesArgs {
    /// Input files or directories (each file one document).
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Compute the corpus features over all inputs (one group, an exact copy
    /// of a page counted once, as `clean` counts) instead of leaving them at
    /// "no corpus".
    #[arg(long)]
    pub corpus: bool,
    /// Read the word evidence (`lex_*` features) from this lexicon, a JSON
    /// object of word weights, instead of the model's own.
    #[arg(long, value_name = "FILE")]
    pub lexicon: Option<PathBuf>,
    /// Add a last column `tokens` with each line's normalised words, as the
    /// lexicon reads them (space-separated), to train a lexicon.
    #[arg(long)]
    pub words: bool,
    /// Rule options.
    #[command(flatten)]
    pub rules: RuleOptions,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn debug_assert() {
        Cli::command().debug_assert();
    }

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(args).expect("parses")
    }

    #[test]
    fn test_clean_flags() {
        let cli = parse(&[
            "declutter",
            "clean",
            "a",
            "b",
            "-o",
            "out",
            "-j",
            "2",
            "--force",
            "--fsync",
            "--rules",
            "r.toml",
            "--no-default-rules",
            "--no-classifier",
        ]);
        let Command::Clean(args) = cli.command else { panic!("not clean") };
        assert_eq!(args.inputs.len(), 2);
        assert_eq!(args.output, Some(PathBuf::from("out")));
        assert_eq!(args.threads, Some(2));
        assert!(
            args.force && args.fsync && args.rules.no_default_rules && args.rules.no_classifier
        );
        assert_eq!(args.rules.rules, vec![PathBuf::from("r.toml")]);
        assert_eq!(args.field, "text");
        assert_eq!(args.max_doc_bytes, 64 << 20);
    }

    #[test]
    fn test_clean_batch_flags() {
        let cli = parse(&[
            "declutter",
            "clean",
            "in.jsonl.gz",
            "--format",
            "jsonl",
            "--field",
            "meta.text",
            "--annotate",
            "--drop-empty",
            "--strict",
            "--compress",
            "zst",
            "--max-doc-bytes",
            "1000",
            "--quiet",
            "--stats",
            "s.json",
        ]);
        let Command::Clean(args) = cli.command else { panic!("not clean") };
        assert_eq!(args.format, Some(FormatArg::Jsonl));
        assert_eq!(args.field, "meta.text");
        assert!(args.annotate && args.drop_empty && args.strict && args.quiet);
        assert_eq!(args.compress, Some(CompressArg::Zst));
        assert_eq!(args.max_doc_bytes, 1000);
        assert_eq!(args.stats, Some(PathBuf::from("s.json")));
    }

    #[test]
    fn test_explain_flags() {
        let cli = parse(&["declutter", "explain", "f.txt", "--color", "never", "--removed-only"]);
        let Command::Explain(args) = cli.command else { panic!("not explain") };
        assert_eq!(args.color, ColorChoice::Never);
        assert!(args.removed_only);
    }

    #[test]
    fn test_rules_flags() {
        let cli = parse(&["declutter", "rules", "--export-phrases"]);
        let Command::Rules(args) = cli.command else { panic!("not rules") };
        assert!(args.export_phrases);
    }
}
