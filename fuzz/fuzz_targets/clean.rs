//! `Cleaner::clean` on arbitrary bytes: it must not panic, and its output
//! must be the input's own lines minus the removals it reports (see
//! tests/oracle.rs), with the default settings, with the rule layers
//! alone, and with corpus evidence (the input split into documents at form
//! feeds, each cleaned with the line counts over all of them).
#![no_main]

use std::sync::OnceLock;

use declutter::corpus::{fingerprints, Corpus};
use declutter::Cleaner;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/oracle.rs"]
#[allow(dead_code)]
mod oracle;

fn cleaners() -> &'static [Cleaner; 2] {
    static CLEANERS: OnceLock<[Cleaner; 2]> = OnceLock::new();
    CLEANERS.get_or_init(|| {
        let full = Cleaner::new().expect("default cleaner");
        let rules_only = Cleaner::builder()
            .classifier(false)
            .duplicates(false)
            .build()
            .expect("rules-only cleaner");
        [full, rules_only]
    })
}

fuzz_target!(|data: &[u8]| {
    for cleaner in cleaners() {
        let cleaned = cleaner.clean(data);
        if let Err(problem) = oracle::check_all(data, &cleaned) {
            panic!("{problem}");
        }
    }
    let docs: Vec<&[u8]> = data.split(|&b| b == 0x0c).collect();
    if docs.len() < 2 {
        return;
    }
    let mut corpus = Corpus::new();
    for doc in &docs {
        corpus.add_document(&fingerprints(doc));
    }
    for doc in docs {
        let cleaned = cleaners()[0].clean_with_corpus(doc, Some(&corpus));
        if let Err(problem) = oracle::check_all(doc, &cleaned) {
            panic!("corpus: {problem}");
        }
    }
});
