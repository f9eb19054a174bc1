//! Shared helpers for the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every seed file name, sorted.
pub fn seed_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("seeds"))
        .expect("seeds/ exists")
        .map(|e| e.expect("dir entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// A readable block diff of two texts: lines only in `expected` start with
/// `-`, lines only in `got` with `+` (a simple LCS, fine for small files).
pub fn diff(expected: &str, got: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = got.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] =
                if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("+ {}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!("- {}\n", a[i]));
            i += 1;
        }
    }
    out
}

/// Runs the `declutter` binary with `args` and optional stdin.
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_declutter"));
    cmd.args(args).current_dir(root());
    cmd.stdin(if stdin.is_some() {
        std::process::Stdio::piped()
    } else {
        std::process::Stdio::null()
    });
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn declutter");
    if let Some(data) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(data).expect("write stdin");
    }
    child.wait_with_output().expect("wait declutter")
}

/// A fresh, empty temporary directory for one test, removed when the
/// returned guard is dropped.
pub fn tempdir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("declutter-test-{tag}-"))
        .tempdir()
        .expect("create temp dir")
}

/// Token-level F1 (whitespace tokens, bag of words), as the benchmark scores.
pub fn token_f1(gold: &str, pred: &str) -> f64 {
    use std::collections::HashMap;
    fn count(s: &str) -> HashMap<&str, usize> {
        let mut m: HashMap<&str, usize> = HashMap::new();
        for t in s.split_whitespace() {
            *m.entry(t).or_default() += 1;
        }
        m
    }
    let (g, p) = (count(gold), count(pred));
    let (ng, np): (usize, usize) = (g.values().sum(), p.values().sum());
    if ng == 0 || np == 0 {
        return if ng == np { 1.0 } else { 0.0 };
    }
    let overlap: usize = p.iter().map(|(t, c)| (*c).min(*g.get(t).unwrap_or(&0))).sum();
    if overlap == 0 {
        return 0.0;
    }
    let (pr, re) = (overlap as f64 / np as f64, overlap as f64 / ng as f64);
    2.0 * pr * re / (pr + re)
}

/// Reads a file under the repository root.
pub fn read(path: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(root().join(path)).expect("read file")
}
