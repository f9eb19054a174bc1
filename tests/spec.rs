//! An independent reference of the spec for the seeds (issue #2,
//! "What the seeds must become"), written from the spec's words, not from the
//! cleaner's output: each seed's reference is the seed minus the lines the
//! spec names. The goldens must agree with it (token F1 >= 0.98 per seed).
//!
//! These clauses describe the *expected result* for these five files; they
//! are test data, never rules the cleaner uses.

use crate::util::{read, seed_names, token_f1};

/// One clause of the spec.
enum Remove {
    /// A line whose trimmed text equals this.
    Line(&'static str),
    /// A line starting with this.
    Starting(&'static str),
    /// A line ending with this.
    Ending(&'static str),
    /// A line equal to this and the next non-blank line (a header and its headline).
    WithNext(&'static str),
    /// The line starting with this and everything after it.
    ToEnd(&'static str),
}

fn spec(seed: &str) -> Vec<Remove> {
    use Remove::*;
    match &seed[..3] {
        "000" => {
            vec![Line("United States Latest News, United States Headlines"), ToEnd("Similar News:")]
        }
        "001" => vec![Line("Skip to main content"), ToEnd("Editors' Recommendations")],
        "002" => vec![
            Line("Type to search"),
            Line("Scroll down to comment!"),
            Line("Send this to a friend"),
        ],
        "003" => vec![
            Line("No products in the cart."),
            Line("Bookmark (0)"),
            Line("To login to your account click here."),
            Starting("HomeLatest Platform News"),
            WithNext("Related article:"),
            Starting("The team at Platform Executive hope you have enjoyed"),
            Starting("Stay on top of the latest developments"),
        ],
        "004" => vec![Ending("Photo: WeChat"), Ending("Photo: Xinhua"), Line("Read more:")],
        other => panic!("no spec for seed {other}"),
    }
}

fn reference(seed: &str) -> String {
    let text = String::from_utf8_lossy(&read(format!("seeds/{seed}"))).into_owned();
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let mut removed = vec![false; lines.len()];
    for clause in spec(seed) {
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            match clause {
                Remove::Line(s) if line == s => removed[i] = true,
                Remove::Starting(s) if line.starts_with(s) => removed[i] = true,
                Remove::Ending(s) if line.ends_with(s) => removed[i] = true,
                Remove::WithNext(s) if line == s => {
                    removed[i] = true;
                    if let Some(next) = (i + 1..lines.len()).find(|&j| !lines[j].is_empty()) {
                        removed[next] = true;
                    }
                }
                Remove::ToEnd(s) if line.starts_with(s) => {
                    removed[i..].iter_mut().for_each(|r| *r = true)
                }
                _ => {}
            }
            i += 1;
        }
    }
    lines.iter().zip(&removed).filter(|(_, r)| !**r).map(|(l, _)| *l).collect::<Vec<_>>().join("\n")
}

#[test]
fn goldens_agree_with_spec_reference() {
    let mut report = Vec::new();
    for seed in seed_names() {
        let golden = String::from_utf8_lossy(&read(format!("golden/{seed}"))).into_owned();
        let f1 = token_f1(&reference(&seed), &golden);
        if f1 < 0.98 {
            report.push(format!("{seed}: token F1 {f1:.4} < 0.98"));
        }
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

#[test]
fn spec_reference_is_not_trivial() {
    // The reference must differ from the seed (the spec removes something)
    // and keep most of it (the spec keeps the body).
    for seed in seed_names() {
        let original = String::from_utf8_lossy(&read(format!("seeds/{seed}"))).into_owned();
        let f1 = token_f1(&original, &reference(&seed));
        assert!(f1 < 0.999 && f1 > 0.4, "{seed}: reference F1 vs seed {f1:.3}");
    }
}
