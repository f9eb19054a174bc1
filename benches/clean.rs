//! Criterion benchmarks: line splitting and folding, the matcher (with the
//! splitting and folding it needs), the per-line classifier, and the whole
//! `clean`, over the seeds (repeated to a few MB) and over the eval-dev page
//! dumps when `../shared/eval-dev` is present. Throughput is in bytes.
//!
//! Run: `cargo bench --bench clean`.

#![allow(missing_docs, reason = "criterion_group! generates an undocumented function")]

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use declutter::classify::{self, ClassifierConfig};
use declutter::lines::{split_lines, Folded};
use declutter::matcher::Matcher;
use declutter::{Cleaner, RuleSet};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Documents of one corpus, concatenated for size.
fn load(dir: &Path, suffix: &str) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> =
        walk(dir).into_iter().filter(|p| p.to_string_lossy().ends_with(suffix)).collect();
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

fn corpora() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let seeds = load(&root().join("seeds"), ".txt");
    // The seeds are 23 KB: repeat them to a few MB so timings are stable.
    let repeated: Vec<Vec<u8>> = seeds.iter().cycle().take(seeds.len() * 100).cloned().collect();
    let mut out = vec![("seeds", repeated)];
    let dev = root().join("../shared/eval-dev");
    let pages = load(&dev, ".input.txt");
    if pages.is_empty() {
        eprintln!("skipping eval-dev benchmarks: no pages under {}", dev.display());
    } else {
        out.push(("eval-dev", pages));
    }
    out
}

fn bytes(docs: &[Vec<u8>]) -> u64 {
    docs.iter().map(|d| d.len() as u64).sum()
}

/// Building the default cleaner: what every process pays before its first
/// byte (rule compilation and model parsing), so what a filter run on one
/// small document mostly costs.
fn startup(c: &mut Criterion) {
    let mut group = c.benchmark_group("startup");
    group.sample_size(10);
    group.bench_function("Cleaner::new", |b| b.iter(|| Cleaner::new().expect("default cleaner")));
    group.bench_function("Matcher::new", |b| {
        b.iter(|| Matcher::new(&RuleSet::defaults()).expect("matcher"))
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    let cleaner = Cleaner::new().expect("default cleaner");
    let matcher = Matcher::new(&RuleSet::defaults()).expect("matcher");
    let config = ClassifierConfig::default();
    for (name, docs) in corpora() {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Bytes(bytes(&docs)));
        group.sample_size(10);
        group.bench_function(BenchmarkId::new("split+fold", name), |b| {
            b.iter(|| {
                let mut bytes = 0usize;
                for doc in &docs {
                    let lines = split_lines(doc);
                    bytes += Folded::new(doc, &lines).text.len();
                }
                bytes
            })
        });
        group.bench_function(BenchmarkId::new("matcher", name), |b| {
            b.iter(|| {
                let mut hits = 0usize;
                for doc in &docs {
                    let lines = split_lines(doc);
                    let folded = Folded::new(doc, &lines);
                    let found = matcher.scan(doc, &lines, &folded);
                    hits += (0..lines.len()).map(|i| found.line(i).count()).sum::<usize>();
                }
                hits
            })
        });
        group.bench_function(BenchmarkId::new("classifier", name), |b| {
            b.iter(|| {
                let mut good = 0usize;
                for doc in &docs {
                    let lines = split_lines(doc);
                    let folded = Folded::new(doc, &lines);
                    let features = classify::features(doc, &lines, &folded, None);
                    let initial: Vec<_> =
                        features.iter().map(|f| classify::initial_class(f, &config)).collect();
                    let fixed = vec![false; initial.len()];
                    let classes = classify::revise(&initial, &fixed, &features, &config);
                    good += classes.iter().filter(|c| **c == classify::Class::Good).count();
                }
                good
            })
        });
        group.bench_function(BenchmarkId::new("clean", name), |b| {
            b.iter(|| docs.iter().map(|d| cleaner.clean(d).text.len()).sum::<usize>())
        });
        group.finish();
    }
}

criterion_group!(benches, startup, bench);
criterion_main!(benches);
