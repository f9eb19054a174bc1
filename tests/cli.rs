//! The `declutter` binary: streams, files, directories, explain, rules, errors.

use crate::util::{read, run, tempdir};

const PAGE: &str = "Skip to main content\n\nA headline about the committee\n\nThe committee said on \
Tuesday that it would not be able to reach a decision before the end of the year, as the members of \
the panel were still waiting for the report that had been promised to them.\n\nRead more\n";

#[test]
fn stdin_to_stdout() {
    let out = run(&["clean"], Some(PAGE.as_bytes()));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf8");
    assert!(text.starts_with("A headline about the committee\n\nThe committee said"), "{text}");
    assert!(!text.contains("Skip to main content") && !text.contains("Read more"));
}

#[test]
fn dash_is_stdin() {
    let out = run(&["clean", "-"], Some(PAGE.as_bytes()));
    assert!(out.status.success());
    assert!(!out.stdout.is_empty());
}

#[test]
fn file_to_output_file() {
    let tmp = tempdir("cli-file");
    let dir = tmp.path();
    let target = dir.join("out.txt");
    let target_s = target.to_str().expect("utf8 path");
    let out = run(&["clean", "seeds/002_543e5c31551bec91.txt", "-o", target_s], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&target).expect("output"), read("golden/002_543e5c31551bec91.txt"));
    // Existing output is not overwritten without --force.
    let again = run(&["clean", "seeds/002_543e5c31551bec91.txt", "-o", target_s], None);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("out.txt"));
    let forced = run(&["clean", "seeds/002_543e5c31551bec91.txt", "-o", target_s, "--force"], None);
    assert!(forced.status.success());
}

#[test]
fn directory_to_directory_keeps_relative_paths() {
    let tmp = tempdir("cli-dir");
    let dir = tmp.path();
    let input = dir.join("in");
    std::fs::create_dir_all(input.join("nested")).expect("mkdir");
    std::fs::write(input.join("a.txt"), PAGE).expect("write");
    std::fs::write(input.join("nested/b.txt"), PAGE).expect("write");
    let output = dir.join("out");
    let out = run(&["clean", input.to_str().expect("p"), "-o", output.to_str().expect("p")], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let a = std::fs::read_to_string(output.join("a.txt")).expect("a");
    let b = std::fs::read_to_string(output.join("nested/b.txt")).expect("b");
    assert_eq!(a, b);
    assert!(a.starts_with("A headline"));
}

#[test]
fn an_output_directory_inside_the_input_is_not_read_back() {
    let tmp = tempdir("cli-nested-out");
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).expect("mkdir");
    // Five copies of the page: enough documents for corpus evidence, so
    // outputs read back as inputs would also change what is removed.
    for i in 0..5 {
        std::fs::write(input.join(format!("p{i}.txt")), PAGE).expect("write");
    }
    let output = input.join("out");
    let args = ["clean", input.to_str().expect("p"), "-o", output.to_str().expect("p"), "--force"];
    let first = run(&args, None);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let cleaned = std::fs::read(output.join("p0.txt")).expect("output");
    let again = run(&args, None);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let summary = String::from_utf8_lossy(&again.stderr);
    assert!(summary.contains("5 documents in 5 files"), "{summary}");
    assert!(!output.join("out").exists(), "the outputs were cleaned as inputs");
    assert_eq!(std::fs::read(output.join("p0.txt")).expect("output"), cleaned);
}

#[test]
fn missing_input_is_an_error_naming_the_file() {
    let out = run(&["clean", "no/such/file.txt"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.txt"));
}

#[test]
fn bad_rules_file_names_file_line_and_rule() {
    let tmp = tempdir("cli-rules");
    let dir = tmp.path();
    let rules = dir.join("bad.toml");
    std::fs::write(&rules, "[[rule]]\nname = \"oops\"\nkind = \"shape\"\npatterns = ['(']\n")
        .expect("write");
    let out = run(&["clean", "--rules", rules.to_str().expect("p")], Some(b"x\n"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:2") && err.contains("oops") && err.contains("regex"), "{err}");
}

#[test]
fn user_rules_add_and_no_default_rules_starts_empty() {
    let tmp = tempdir("cli-user-rules");
    let dir = tmp.path();
    let rules = dir.join("mine.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nname = \"house\"\nkind = \"line\"\nphrases = [\"Our house promo\"]\n",
    )
    .expect("write");
    let input = b"Our house promo\nSkip to main content\nBody.\n";
    let rules_s = rules.to_str().expect("p");
    let both = run(&["clean", "--rules", rules_s, "--no-classifier"], Some(input));
    assert_eq!(String::from_utf8_lossy(&both.stdout), "Body.\n");
    let only =
        run(&["clean", "--rules", rules_s, "--no-default-rules", "--no-classifier"], Some(input));
    assert_eq!(String::from_utf8_lossy(&only.stdout), "Skip to main content\nBody.\n");
}

#[test]
fn explain_marks_kept_and_removed_lines() {
    let out = run(&["explain", "--color", "never", "-"], Some(PAGE.as_bytes()));
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().next().is_some_and(|l| l.contains("- rule") && l.contains("skip-link")),
        "{text}"
    );
    assert!(text.contains("+ keep"));
    assert!(!text.contains('\x1b'), "no colour when asked for none");
    let colored = run(&["explain", "--color", "always", "-"], Some(PAGE.as_bytes()));
    assert!(String::from_utf8_lossy(&colored.stdout).contains('\x1b'));
}

#[test]
fn explain_reports_the_pages_model_threshold_on_stderr() {
    let page = read("seeds/000_95da05e945fef0a6.txt");
    let out = run(&["explain", "--color", "never", "-"], Some(&page));
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line model: lines scoring below"), "{err}");
    // A fixed threshold is the one reported; without the classifier there is none.
    let fixed = run(&["explain", "--threshold", "0.42", "-"], Some(&page));
    assert!(String::from_utf8_lossy(&fixed.stderr).contains("below 0.42"));
    let none = run(&["explain", "--no-classifier", "-"], Some(&page));
    assert!(!String::from_utf8_lossy(&none.stderr).contains("line model"));
    // stdout still has exactly one line per input line.
    let lines = page.split(|&b| b == b'\n').count() - usize::from(page.ends_with(b"\n"));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), lines);
}

#[test]
fn explain_reads_jsonl_records_and_compressed_files() {
    use std::io::Write;
    let tmp = tempdir("cli-explain");
    let page = read("seeds/000_95da05e945fef0a6.txt");
    let seed = String::from_utf8(page.clone()).expect("utf8");
    let jsonl = tmp.path().join("pages.jsonl");
    let record = |text: &str| serde_json::json!({ "text": text, "url": "https://x.test/a" });
    let data = format!("{}\n{{\"text\": \n\n{}\n", record(&seed), record(PAGE));
    std::fs::write(&jsonl, data).expect("write");
    let explain = |args: &[&str], stdin: Option<&[u8]>| {
        let out = run(&[&["explain", "--color", "never"], args].concat(), stdin);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf8")
    };
    let as_text = |text: &str| explain(&["-"], Some(text.as_bytes()));
    let path = jsonl.to_str().expect("p");
    // Every record, under a header naming its line; the blank line 3 is no
    // record. Each block is what explaining the record's text alone shows.
    let all = explain(&[path], None);
    let blocks: Vec<&str> = all.split("== ").filter(|b| !b.is_empty()).collect();
    assert_eq!(blocks.len(), 3, "{all}");
    assert!(blocks[0].starts_with(&format!("{path}:1 (line model: lines scoring below")));
    assert_eq!(blocks[0].split_once('\n').expect("header").1, as_text(&seed));
    assert_eq!(blocks[1], format!("{path}:2: malformed-json, not explained\n"));
    assert_eq!(blocks[2].split_once('\n').expect("header").1, as_text(PAGE));
    // One record by its line, from a file or from stdin with --format.
    let one = explain(&[path, "--record", "4"], None);
    assert_eq!(one, format!("== {path}:4\n{}", as_text(PAGE)));
    let piped = explain(
        &["-", "--format", "jsonl", "--record", "4"],
        Some(&std::fs::read(&jsonl).expect("read")),
    );
    assert_eq!(piped, one.replace(path, "<stdin>"));
    let missing = run(&["explain", path, "--record", "3"], None);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no JSONL record on line 3"));
    // A compressed page is explained as its text, not as its bytes.
    let gz = tmp.path().join("page.txt.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&page).expect("gzip");
    std::fs::write(&gz, encoder.finish().expect("gzip")).expect("write");
    assert_eq!(explain(&[gz.to_str().expect("p")], None), as_text(&seed));
}

#[test]
fn rules_export_phrases() {
    let out = run(&["rules", "--export-phrases"], None);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().any(|l| l == "Skip to main content"));
    let listing = run(&["rules"], None);
    assert!(String::from_utf8_lossy(&listing.stdout).contains("related-section"));
}

#[test]
fn empty_input_gives_empty_output() {
    let out = run(&["clean"], Some(b""));
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
}

#[test]
fn features_count_the_corpus_as_clean_does_a_copy_once() {
    let tmp = tempdir("cli-features-corpus");
    let seeds: Vec<std::path::PathBuf> = {
        let mut names: Vec<_> = std::fs::read_dir(crate::util::root().join("seeds"))
            .expect("seeds")
            .map(|e| e.expect("entry").path())
            .collect();
        names.sort();
        names
    };
    assert!(seeds.len() >= 5, "the corpus features need five documents");
    let (alone, with_copy) = (tmp.path().join("alone"), tmp.path().join("with-copy"));
    for dir in [&alone, &with_copy] {
        std::fs::create_dir_all(dir).expect("mkdir");
        for seed in &seeds {
            std::fs::copy(seed, dir.join(seed.file_name().expect("name"))).expect("copy");
        }
    }
    // The same page crawled twice is one document of the corpus.
    std::fs::copy(&seeds[0], with_copy.join("zz-copy.txt")).expect("copy");
    let rows = |dir: &std::path::Path| -> Vec<String> {
        let out = run(&["features", "--corpus", "--no-model", dir.to_str().expect("p")], None);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout)
            .expect("utf8")
            .lines()
            .skip(1)
            .filter(|row| !row.contains("zz-copy"))
            .map(|row| row.split_once('\t').expect("path column").1.to_string())
            .collect()
    };
    let (a, b) = (rows(&alone), rows(&with_copy));
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

#[test]
fn features_reads_a_lexicon_and_prints_the_words_it_looks_up() {
    let tmp = tempdir("cli-features");
    let dir = tmp.path();
    let page = dir.join("page.txt");
    std::fs::write(&page, PAGE).expect("write");
    let lexicon = dir.join("lexicon.json");
    std::fs::write(&lexicon, r#"{"read": -3.0, "more": -1.0, "committee": 2.0}"#).expect("write");
    let page_s = page.to_str().expect("utf8 path");
    let lexicon_s = lexicon.to_str().expect("utf8 path");
    let out = run(&["features", "--no-model", "--words", "--lexicon", lexicon_s, page_s], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf8");
    let mut rows = text.lines().map(|l| l.split('\t').collect::<Vec<_>>());
    let header = rows.next().expect("header");
    assert_eq!(header.last(), Some(&"tokens"));
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let rows: Vec<Vec<&str>> = rows.collect();
    let read_more = rows.iter().find(|r| r[col("tokens")] == "read more").expect("read more row");
    assert_eq!(read_more[col("lex_mean")], "-2");
    assert_eq!(read_more[col("lex_min")], "-3");
    assert_eq!(read_more[col("lex_known")], "1");
    let headline = rows.iter().find(|r| r[1] == "3").expect("headline row");
    assert_eq!(headline[col("tokens")], "a headline about the committee");
    assert_eq!(headline[col("lex_known")], "0.2");
    // A broken lexicon is an error naming the file.
    std::fs::write(&lexicon, "[1]").expect("write");
    let bad = run(&["features", "--no-model", "--lexicon", lexicon_s, page_s], None);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("lexicon.json"));
}
