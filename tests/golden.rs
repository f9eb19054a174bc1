//! seeds/NAME, cleaned with the default cleaner, must equal golden/NAME byte
//! for byte. All mismatches are reported together, each with a diff.
//!
//! `DECLUTTER_BLESS=1 cargo test golden` rewrites the goldens from the
//! current output; a person must then read every rewritten file against the
//! spec (a golden is a claim about what is chrome and what is body).

use crate::util::{diff, read, root, seed_names};

#[test]
fn seeds_match_goldens() {
    let cleaner = declutter::Cleaner::new().expect("default cleaner");
    let bless = std::env::var_os("DECLUTTER_BLESS").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    let names = seed_names();
    assert!(names.len() >= 5, "seeds/ should hold the five seed documents");
    for name in names {
        let got = cleaner.clean(&read(format!("seeds/{name}"))).text;
        let golden_path = root().join("golden").join(&name);
        if bless {
            std::fs::write(&golden_path, &got).expect("write golden");
            continue;
        }
        let expected = std::fs::read(&golden_path).unwrap_or_default();
        if expected != got {
            failures.push(format!(
                "=== {name}: output differs from golden/{name}\n{}",
                diff(&String::from_utf8_lossy(&expected), &String::from_utf8_lossy(&got))
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden mismatch(es):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn cli_output_equals_library_output() {
    for name in seed_names() {
        let out = crate::util::run(&["clean", &format!("seeds/{name}")], None);
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.stdout, read(format!("golden/{name}")), "{name}");
    }
}

#[test]
fn explain_names_a_rule_for_every_removed_line() {
    for name in seed_names() {
        let out =
            crate::util::run(&["explain", "--color", "never", &format!("seeds/{name}")], None);
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        for line in text.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.get(1) == Some(&"-") {
                let (layer, rule) = (fields.get(2), fields.get(3));
                assert!(
                    layer.is_some_and(|l| !l.is_empty()) && rule.is_some_and(|r| !r.is_empty()),
                    "{name}: removed line without a rule: {line}"
                );
            }
        }
        let removed = text.lines().filter(|l| l.split_whitespace().nth(1) == Some("-")).count();
        let cleaned =
            declutter::Cleaner::new().expect("cleaner").clean(&read(format!("seeds/{name}")));
        assert_eq!(removed, cleaned.lines_removed(), "{name}");
        assert!(removed > 0, "{name}: every seed has chrome");
    }
}
