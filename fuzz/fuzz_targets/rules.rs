//! The rules-file parser on arbitrary text, then the matcher built from
//! what parsed, then a small document cleaned with those rules alone.
//! Nothing may panic; every error names the rules file; the output obeys
//! the same invariants as with the default rules (tests/oracle.rs).
#![no_main]

use declutter::{Cleaner, RuleSet};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/oracle.rs"]
#[allow(dead_code)]
mod oracle;

const SOURCE: &str = "fuzz.toml";

const DOC: &[u8] = b"Skip to main content\nHome > News > World\n\nA headline here\n\n\
The committee said on Tuesday that it would not reach a decision this year. Read more \xc2\xbb\n\
Related article:\nAnother headline\nRead more\n\n\
Officials said the delay would not change the outcome of the review.\r\n\
Share on Facebook\n\xff\xfe bytes\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let rules = match RuleSet::parse(text, SOURCE) {
        Ok(rules) => rules,
        Err(err) => {
            let message = err.to_string();
            assert!(message.starts_with(SOURCE), "error does not name the file: {message}");
            return;
        }
    };
    for rule in rules.rules() {
        assert!(!rule.name.trim().is_empty(), "a rule without a name parsed");
    }
    let built = Cleaner::builder().default_rules(false).rules(rules.clone()).build();
    let cleaner = match built {
        Ok(cleaner) => cleaner,
        Err(err) => {
            let message = err.to_string();
            let automaton = matches!(err.kind(), declutter::ErrorKind::Automaton { .. });
            assert!(
                automaton || message.starts_with(SOURCE),
                "error does not name the file: {message}"
            );
            return;
        }
    };
    for doc in [DOC, data] {
        let cleaned = cleaner.clean(doc);
        if let Err(problem) = oracle::check_all(doc, &cleaned) {
            panic!("{problem}");
        }
    }
});
