//! `Cleaner::clean` on arbitrary bytes: it must not panic, and its output
//! must be the input's own lines minus the removals it reports (see
//! tests/oracle.rs), with the default settings and with the rule layers
//! alone.
#![no_main]

use std::sync::OnceLock;

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
});
