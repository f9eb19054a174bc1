//! `declutter eval`: token P/R/F1 of cleaned text against gold, per dataset.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use declutter::corpus::{fingerprints, Corpus};
use declutter::eval::{score_page, MeanScore, Report, ScoredPage};
use rayon::prelude::*;

use crate::args::EvalArgs;

/// One gold page and where its prediction or input is.
struct Page {
    dataset: String,
    id: String,
    gold: PathBuf,
    other: PathBuf,
}

pub(crate) fn run(args: EvalArgs) -> Result<ExitCode> {
    let keep: Option<Vec<&str>> = args.datasets.as_deref().map(|d| d.split(',').collect());
    let (base, suffix) = match (&args.pred, &args.input) {
        (Some(pred), _) => (pred.as_path(), args.pred_suffix.as_str()),
        (None, Some(input)) => (input.as_path(), args.input_suffix.as_str()),
        (None, None) => bail!("give --pred DIR or --input DIR"),
    };
    let pages = find_pages(&args.gold, base, suffix, keep.as_deref())?;
    if pages.is_empty() {
        bail!("{}: no gold pages (expected GOLD/<dataset>/<id>.gold.txt)", args.gold.display());
    }
    let preds: Vec<Option<String>> = if args.input.is_some() {
        clean_inputs(&args, &pages)?
    } else {
        pages.iter().map(|p| fs::read(&p.other).ok().map(lossy)).collect()
    };
    let scored: Vec<ScoredPage> = pages
        .par_iter()
        .zip(&preds)
        .map(|(page, pred)| -> Result<ScoredPage> {
            let gold = fs::read(&page.gold)
                .with_context(|| format!("{}: cannot read", page.gold.display()))?;
            let score = score_page(&lossy(gold), pred.as_deref().unwrap_or(""));
            Ok(ScoredPage {
                dataset: page.dataset.clone(),
                id: page.id.clone(),
                score,
                missing: pred.is_none(),
            })
        })
        .collect::<Result<_>>()?;
    let report = Report { pages: scored };
    print_report(&report, args.worst)?;
    if let Some(path) = &args.json {
        write_json(path, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn find_pages(gold: &Path, base: &Path, suffix: &str, keep: Option<&[&str]>) -> Result<Vec<Page>> {
    let mut pages = Vec::new();
    let mut datasets: Vec<_> = fs::read_dir(gold)
        .with_context(|| format!("{}: cannot read", gold.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with(['_', '.']))
        .filter(|name| keep.is_none_or(|k| k.contains(&name.as_str())))
        .collect();
    datasets.sort();
    for dataset in datasets {
        let dir = gold.join(&dataset);
        let mut ids: Vec<String> = fs::read_dir(&dir)
            .with_context(|| format!("{}: cannot read", dir.display()))?
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str()?.strip_suffix(".gold.txt").map(str::to_string))
            .collect();
        ids.sort();
        for id in ids {
            pages.push(Page {
                gold: dir.join(format!("{id}.gold.txt")),
                other: base.join(&dataset).join(format!("{id}{suffix}")),
                dataset: dataset.clone(),
                id,
            });
        }
    }
    Ok(pages)
}

/// Cleans every page's input, with the corpus pass over all of them (one
/// group, as `declutter clean DIR` does for text files).
fn clean_inputs(args: &EvalArgs, pages: &[Page]) -> Result<Vec<Option<String>>> {
    let cleaner = crate::build_cleaner(&args.rules)?;
    let inputs: Vec<Option<Vec<u8>>> = pages.par_iter().map(|p| fs::read(&p.other).ok()).collect();
    let corpus = (!args.no_corpus).then(|| {
        let fps: Vec<Option<Vec<u64>>> =
            inputs.par_iter().map(|doc| doc.as_deref().map(fingerprints)).collect();
        let mut corpus = Corpus::from_pages(fps.iter().flatten());
        // As `Batch::with_corpus` does: lines of one page are no evidence.
        corpus.retain_repeated(2);
        corpus
    });
    let group = corpus.as_ref();
    Ok(inputs
        .par_iter()
        .map(|doc| doc.as_deref().map(|d| lossy(cleaner.clean_with_corpus(d, group).text)))
        .collect())
}

fn print_report(report: &Report, worst: usize) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{:24} {:>6} {:>5} {:>7} {:>7} {:>7} {:>7}",
        "dataset", "pages", "miss", "P", "R", "F1", "F1med"
    )?;
    let line = |out: &mut io::StdoutLock, name: &str, m: &MeanScore| {
        writeln!(
            out,
            "{name:24} {:>6} {:>5} {:>7.4} {:>7.4} {:>7.4} {:>7.4}",
            m.pages, m.missing, m.precision, m.recall, m.f1, m.f1_median
        )
    };
    for (name, m) in report.per_dataset() {
        line(&mut out, name, &m)?;
    }
    line(&mut out, "overall-micro", &report.overall_micro())?;
    line(&mut out, "overall", &report.overall())?;
    if worst > 0 {
        writeln!(out, "\nworst pages:")?;
        for page in report.worst(worst) {
            let s = &page.score;
            writeln!(
                out,
                "  {:.4}  P {:.3} R {:.3}  {}/{}{}",
                s.f1,
                s.precision,
                s.recall,
                page.dataset,
                page.id,
                if page.missing { "  (missing)" } else { "" }
            )?;
        }
    }
    out.flush()
}

fn write_json(path: &Path, report: &Report) -> Result<()> {
    let mean = |m: &MeanScore| {
        serde_json::json!({"pages": m.pages, "missing": m.missing, "precision": m.precision,
            "recall": m.recall, "f1": m.f1, "f1_median": m.f1_median})
    };
    let per: serde_json::Map<String, serde_json::Value> =
        report.per_dataset().iter().map(|(k, v)| (k.to_string(), mean(v))).collect();
    let pages: Vec<serde_json::Value> = report
        .pages
        .iter()
        .map(|p| {
            serde_json::json!({"dataset": p.dataset, "id": p.id, "precision": p.score.precision,
                "recall": p.score.recall, "f1": p.score.f1, "gold_tokens": p.score.gold_tokens,
                "pred_tokens": p.score.pred_tokens, "missing": p.missing})
        })
        .collect();
    let json = serde_json::json!({"overall": mean(&report.overall()),
        "overall_micro": mean(&report.overall_micro()), "per_dataset": per, "per_page": pages});
    let mut bytes = serde_json::to_vec_pretty(&json)?;
    bytes.push(b'\n');
    declutter::io::write_atomic(path, &bytes, true)
        .with_context(|| format!("{}: cannot write", path.display()))
}
