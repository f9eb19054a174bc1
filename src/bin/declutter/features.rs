//! `declutter features`: the line model's features as TSV, for training.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use declutter::corpus::{fingerprints, Corpus};
use declutter::io::walk_inputs;
use declutter::lexicon::Lexicon;
use declutter::model::FEATURE_NAMES;
use rayon::prelude::*;

use crate::args::FeaturesArgs;

pub(crate) fn run(args: FeaturesArgs) -> Result<ExitCode> {
    let cleaner = crate::build_cleaner(&args.rules)?;
    let (files, errors) = walk_inputs(&args.inputs);
    if let Some((path, err)) = errors.first() {
        anyhow::bail!("{}: {err}", path.display());
    }
    let docs: Vec<Vec<u8>> = files
        .iter()
        .map(|f| {
            std::fs::read(&f.path).with_context(|| format!("{}: cannot read", f.path.display()))
        })
        .collect::<Result<_>>()?;
    let lexicon = match &args.lexicon {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read", path.display()))?;
            Some(Lexicon::parse(&text, &path.display().to_string())?)
        }
    };
    // Counted as `clean`'s corpus pass counts one group (an exact copy of a
    // page once), so that a model is trained on the evidence it will see.
    let corpus = args.corpus.then(|| Corpus::from_pages(docs.iter().map(|doc| fingerprints(doc))));
    let tables: Vec<Vec<u8>> = files
        .par_iter()
        .zip(&docs)
        .map(|(file, doc)| {
            let matrix = cleaner.features(doc, corpus.as_ref(), lexicon.as_ref());
            let words = args.words.then(|| cleaner.line_words(doc));
            let mut out = Vec::new();
            let name = file.path.display().to_string();
            for line in 0..matrix.lines() {
                let row = matrix.row(line);
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(format!("\t{}", line + 1).as_bytes());
                for v in row {
                    out.extend_from_slice(format!("\t{v}").as_bytes());
                }
                if let Some(words) = &words {
                    out.push(b'\t');
                    out.extend_from_slice(words[line].join(" ").as_bytes());
                }
                out.push(b'\n');
            }
            out
        })
        .collect();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let words_column = if args.words { "\ttokens" } else { "" };
    writeln!(out, "path\tline\t{}{words_column}", FEATURE_NAMES.join("\t"))?;
    for table in &tables {
        out.write_all(table)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
