//! `declutter clean` at scale (issue 3): JSONL and text, gzip and zstd,
//! skips and strict mode, atomic outputs, threads, stats. Every test runs
//! the real binary.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_declutter");

/// A fresh directory under the system temp dir ([`crate::util::tempdir`]),
/// removed on drop.
struct TempDir(tempfile::TempDir);

impl TempDir {
    fn new(name: &str) -> TempDir {
        TempDir(crate::util::tempdir(name))
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.path().join(rel)
    }

    fn write(&self, rel: &str, data: &[u8]) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(&path, data).expect("write");
        path
    }
}

/// Runs the binary with `args` (paths as given) and `stdin`.
fn run(args: &[&dyn AsRef<std::ffi::OsStr>], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args.iter().map(|a| a.as_ref()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn declutter");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let output = child.wait_with_output().expect("wait");
    writer.join().expect("stdin writer");
    output
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_ok(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(out));
}

fn seeds() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut paths: Vec<PathBuf> =
        fs::read_dir(dir).expect("seeds").map(|e| e.expect("entry").path()).collect();
    paths.sort();
    paths.into_iter().map(|p| fs::read_to_string(p).expect("seed")).collect()
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("encode")
}

fn clean_text(text: &str) -> String {
    static CLEANER: std::sync::OnceLock<declutter::Cleaner> = std::sync::OnceLock::new();
    let cleaner = CLEANER.get_or_init(|| declutter::Cleaner::new().expect("cleaner"));
    let cleaned = cleaner.clean(text.as_bytes());
    String::from_utf8(cleaned.text).expect("utf-8")
}

/// Records with awkward other fields around the text: (prefix, text, suffix).
fn records() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (i, seed) in seeds().iter().enumerate().cycle().take(23) {
        let prefix = format!(
            "{{\"id\": {i},  \"url\":\"https:\\/\\/example.com\\/{i}?a=1&b=\\u00e9\", \
             \"score\":1.50e+0, \"tags\":[ \"x\" ,null,true], "
        );
        // Half the texts end without a newline: a field ends as it ended.
        let end = if out.len() % 2 == 0 { "\n" } else { "" };
        let text = format!("{seed}\nRecord {} ends here.{end}", out.len());
        let suffix =
            format!(", \"meta\" : {{\"text\":\"not this one\",\"n\":-0.0}}, \"z\":\"{i}\" }}");
        out.push((prefix, text, suffix));
    }
    out
}

fn jsonl(records: &[(String, String, String)]) -> String {
    records.iter().map(|(p, t, s)| format!("{p}\"text\": {}{s}\n", json_string(t))).collect()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip")
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out).expect("gunzip");
    out
}

fn zstd_compress(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).expect("zstd")
}

fn zstd_decompress(data: &[u8]) -> Vec<u8> {
    zstd::decode_all(data).expect("unzstd")
}

/// What the library makes of the records' texts with the corpus pass: one
/// group (every record's URL is on example.com), documents in input order.
fn clean_with_corpus(texts: &[&str], corpus: bool) -> Vec<String> {
    let mut index = declutter::corpus::CorpusIndex::new(1 << 20);
    for text in texts {
        index.add_document("example.com", &declutter::corpus::fingerprints(text.as_bytes()));
    }
    let cleaner = declutter::Cleaner::new().expect("cleaner");
    let group = index.group("example.com").filter(|_| corpus);
    texts
        .iter()
        .map(|t| {
            let mut cleaned = cleaner.clean_with_corpus(t.as_bytes(), group);
            cleaned.end_like(t.as_bytes());
            String::from_utf8(cleaned.text).expect("utf-8")
        })
        .collect()
}

/// Checks that every output line keeps its record's other fields byte for
/// byte and carries the text the library cleans with the corpus pass.
fn assert_round_trip(records: &[(String, String, String)], output: &[u8]) {
    assert_round_trip_with(records, output, true);
}

/// [`assert_round_trip`] for stdin, which is read once: no corpus pass.
fn assert_round_trip_stdin(records: &[(String, String, String)], output: &[u8]) {
    assert_round_trip_with(records, output, false);
}

fn assert_round_trip_with(records: &[(String, String, String)], output: &[u8], corpus: bool) {
    let output = std::str::from_utf8(output).expect("utf-8 output");
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), records.len(), "one output record per input record");
    let texts: Vec<&str> = records.iter().map(|(_, t, _)| t.as_str()).collect();
    let expected = clean_with_corpus(&texts, corpus);
    for ((line, (prefix, text, suffix)), expected) in lines.iter().zip(records).zip(expected) {
        let middle = line
            .strip_prefix(prefix.as_str())
            .and_then(|l| l.strip_suffix(suffix.as_str()))
            .unwrap_or_else(|| panic!("other fields changed:\n{line}\nprefix {prefix}"));
        let value = middle.strip_prefix("\"text\": ").expect("text key kept");
        let cleaned: String = serde_json::from_str(value).expect("text is a JSON string");
        assert_eq!(cleaned, expected);
        assert_eq!(cleaned.ends_with('\n'), text.ends_with('\n'), "{cleaned:?}");
        assert_ne!(cleaned, *text, "the seeds have chrome to remove");
    }
}

#[test]
fn jsonl_gzip_round_trip_keeps_other_fields() {
    let dir = TempDir::new("gz");
    let records = records();
    let input = dir.write("in.jsonl.gz", &gzip(jsonl(&records).as_bytes()));
    let output = dir.path("out.jsonl.gz");
    let out = run(&[&"clean", &input, &"-o", &output], b"");
    assert_ok(&out);
    assert_round_trip(&records, &gunzip(&fs::read(&output).expect("output")));
}

#[test]
fn jsonl_zstd_round_trip_keeps_other_fields() {
    let dir = TempDir::new("zst");
    let records = records();
    let input = dir.write("in.ndjson.zst", &zstd_compress(jsonl(&records).as_bytes()));
    let output = dir.path("out.jsonl.zst");
    let out = run(&[&"clean", &input, &"-o", &output], b"");
    assert_ok(&out);
    assert_round_trip(&records, &zstd_decompress(&fs::read(&output).expect("output")));
    // --compress overrides the output name: plain out of a .zst input.
    let plain = dir.path("plain.jsonl");
    let out = run(&[&"clean", &input, &"-o", &plain, &"--compress", &"none"], b"");
    assert_ok(&out);
    assert_round_trip(&records, &fs::read(&plain).expect("output"));
}

#[test]
fn jsonl_dotted_field_path() {
    let dir = TempDir::new("dotted");
    let seed = &seeds()[0];
    let line =
        format!("{{\"text\":\"top\",\"meta\":{{\"a\":1,\"text\":{}}}}}\n", json_string(seed));
    let input = dir.write("in.jsonl", line.as_bytes());
    let out = run(&[&"clean", &input, &"--field", &"meta.text"], b"");
    assert_ok(&out);
    // The seed ends without a newline, and so does its cleaned field (a
    // cleaned text file would end with one).
    assert!(!seed.ends_with('\n'));
    let cleaned = clean_text(seed);
    let field = cleaned.strip_suffix('\n').expect("a text file's final newline");
    let expected =
        format!("{{\"text\":\"top\",\"meta\":{{\"a\":1,\"text\":{}}}}}\n", json_string(field));
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}

const BAD: &str = "{\"id\":1,\"text\":\"Read more\\nThe body stays here as the article text of this record.\\n\"}\n\
{\"id\":2,\"text\":\"unterminated\n\
{\"id\":3,\"body\":\"no text field\"}\n\
{\"id\":4,\"text\":[\"not\",\"a string\"]}\n\
[\"not an object\"]\n\
{\"id\":6,\"text\":\"Read more\\nAnother body line that is long enough to be the article body.\\n\"}\n";

#[test]
fn bad_records_pass_through_and_are_counted() {
    let dir = TempDir::new("bad");
    let input = dir.write("bad.jsonl", BAD.as_bytes());
    let stats = dir.path("stats.json");
    let out = run(&[&"clean", &input, &"--stats", &stats], b"");
    assert_ok(&out);
    let got = String::from_utf8(out.stdout.clone()).expect("utf-8");
    let got: Vec<&str> = got.lines().collect();
    let want: Vec<&str> = BAD.lines().collect();
    assert_eq!(got.len(), want.len(), "every record comes out");
    for i in 1..5 {
        assert_eq!(got[i], want[i], "bad record {} passed through unchanged", i + 1);
    }
    assert!(!got[0].contains("Read more") && !got[5].contains("Read more"));
    let err = stderr(&out);
    let name = input.display().to_string();
    for (line, reason) in [
        (2, "malformed-json"),
        (3, "missing-field"),
        (4, "field-not-a-string"),
        (5, "not-an-object"),
    ] {
        assert!(err.contains(&format!("{name}:{line}: {reason}")), "{line} {reason}:\n{err}");
    }
    let stats: serde_json::Value =
        serde_json::from_slice(&fs::read(&stats).expect("stats")).expect("json");
    assert_eq!(stats["records_skipped"], 4);
    assert_eq!(stats["documents"], 2);
    assert_eq!(stats["skipped_by_reason"]["missing-field"], 1);
    assert_eq!(stats["skips"][0], format!("{name}:2: malformed-json"));
}

#[test]
fn strict_rejects_bad_record_with_exit_2() {
    let dir = TempDir::new("strict");
    let input = dir.write("bad.jsonl", BAD.as_bytes());
    let output = dir.path("out.jsonl");
    let out = run(&[&"clean", &input, &"-o", &output, &"--strict"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&format!("{}:2: malformed-json", input.display())));
    assert!(!output.exists(), "no partial output under the final name");
    assert_eq!(fs::read_dir(&dir.0).expect("ls").count(), 1, "no temp file left");
    // Only the field problems: missing field is an error too.
    let missing = dir.write("missing.jsonl", b"{\"id\":3}\n");
    let out = run(&[&"clean", &missing, &"--strict"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(":1: missing-field"), "{}", stderr(&out));
}

#[test]
fn truncated_compressed_input_is_an_error_and_leaves_no_output() {
    let dir = TempDir::new("trunc");
    let data = jsonl(&records());
    let cases: [(&str, Vec<u8>); 2] =
        [("in.jsonl.gz", gzip(data.as_bytes())), ("in.jsonl.zst", zstd_compress(data.as_bytes()))];
    for (name, compressed) in cases {
        let input = dir.write(name, &compressed[..compressed.len() * 2 / 3]);
        let output = dir.path(&format!("out-{name}"));
        let out = run(&[&"clean", &input, &"-o", &output], b"");
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(&format!("{}: cannot read", input.display())), "{name}: {err}");
        assert!(!output.exists(), "{name}: output must not exist under its final name");
        let temps = fs::read_dir(&dir.0)
            .expect("ls")
            .filter(|e| e.as_ref().expect("entry").file_name().to_string_lossy().starts_with('.'))
            .count();
        assert_eq!(temps, 0, "{name}: temp file left behind");
    }
}

/// Makes `path` unreadable. As root, permissions do not stop reads, so a
/// dangling symlink stands in for the unreadable file there.
fn make_unreadable(dir: &TempDir, rel: &str) -> PathBuf {
    let path = dir.write(rel, b"secret\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).expect("chmod");
        if fs::read(&path).is_ok() {
            fs::remove_file(&path).expect("rm");
            std::os::unix::fs::symlink(dir.path("does-not-exist"), &path).expect("symlink");
        }
    }
    path
}

#[test]
fn unreadable_file_is_reported_and_the_batch_goes_on() {
    let dir = TempDir::new("unreadable");
    let seeds = seeds();
    dir.write("in/a.txt", seeds[0].as_bytes());
    let bad = make_unreadable(&dir, "in/b.txt");
    dir.write("in/c.txt", seeds[1].as_bytes());
    // A file that fails while it is read, in the middle of the batch.
    let gz = gzip(seeds[2].as_bytes());
    let broken = dir.write("in/b2.txt.gz", &gz[..gz.len() / 2]);
    let out_dir = dir.path("out");
    let out = run(&[&"clean", &dir.path("in"), &"-o", &out_dir], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(&bad.display().to_string()), "{err}");
    assert!(err.contains(&format!("{}: cannot read", broken.display())), "{err}");
    assert!(err.contains("2 of 4 inputs failed"), "{err}");
    assert!(err.contains("2 documents in 4 files (2 failed)"), "summary line: {err}");
    assert!(!out_dir.join("b2.txt.gz").exists());
    assert_eq!(fs::read_to_string(out_dir.join("a.txt")).expect("a"), clean_text(&seeds[0]));
    assert_eq!(fs::read_to_string(out_dir.join("c.txt")).expect("c"), clean_text(&seeds[1]));
    assert!(!out_dir.join("b.txt").exists());
}

#[test]
fn existing_output_needs_force() {
    let dir = TempDir::new("force");
    let seed = &seeds()[0];
    let input = dir.write("in.txt", seed.as_bytes());
    let output = dir.write("out.txt", b"keep me");
    let out = run(&[&"clean", &input, &"-o", &output], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("output exists"), "{}", stderr(&out));
    assert_eq!(fs::read(&output).expect("out"), b"keep me");
    let out = run(&[&"clean", &input, &"-o", &output, &"--force"], b"");
    assert_ok(&out);
    assert_eq!(fs::read_to_string(&output).expect("out"), clean_text(seed));
    // One file into an existing directory keeps its name there.
    fs::create_dir(dir.path("into")).expect("mkdir");
    assert_ok(&run(&[&"clean", &input, &"-o", &dir.path("into")], b""));
    assert_eq!(fs::read_to_string(dir.path("into/in.txt")).expect("into"), clean_text(seed));
    // In a directory batch, one existing output fails alone.
    dir.write("in-dir/x.txt", seed.as_bytes());
    dir.write("in-dir/y.txt", seed.as_bytes());
    dir.write("out-dir/x.txt", b"old");
    let out = run(&[&"clean", &dir.path("in-dir"), &"-o", &dir.path("out-dir")], b"");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(fs::read(dir.path("out-dir/x.txt")).expect("x"), b"old");
    assert_eq!(fs::read_to_string(dir.path("out-dir/y.txt")).expect("y"), clean_text(seed));
    let out = run(&[&"clean", &dir.path("in-dir"), &"-o", &dir.path("out-dir"), &"--force"], b"");
    assert_ok(&out);
    assert_eq!(fs::read_to_string(dir.path("out-dir/x.txt")).expect("x"), clean_text(seed));
}

const WITH_EMPTY: &str = "{\"id\":1,\"text\":\"Read more\\n\"}\n\
{\"id\":2,\"text\":\"Read more\\nThe body stays here as the article text of this record.\\n\"}\n\
{\"id\":3,\"text\":\"\"}\n";

#[test]
fn drop_empty_drops_and_counts() {
    let dir = TempDir::new("drop");
    let stats = dir.path("s.json");
    let out = run(
        &[&"clean", &"--format", &"jsonl", &"--drop-empty", &"--stats", &stats],
        WITH_EMPTY.as_bytes(),
    );
    assert_ok(&out);
    let got = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(got.lines().count(), 1, "{got}");
    assert!(got.starts_with("{\"id\":2,"), "{got}");
    let stats: serde_json::Value =
        serde_json::from_slice(&fs::read(&stats).expect("stats")).expect("json");
    assert_eq!(stats["dropped_empty"], 2);
    // Without the flag, every record comes out, empty ones included.
    let out = run(&[&"clean", &"--format", &"jsonl"], WITH_EMPTY.as_bytes());
    assert_ok(&out);
    let got = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(got.lines().collect::<Vec<_>>()[0], "{\"id\":1,\"text\":\"\"}");
    assert_eq!(got.lines().count(), 3);
}

#[test]
fn annotate_adds_removal_summary() {
    let out = run(&[&"clean", &"--format", &"jsonl", &"--annotate"], WITH_EMPTY.as_bytes());
    assert_ok(&out);
    let got = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(
        lines[1],
        "{\"id\":2,\"text\":\"The body stays here as the article text of this record.\\n\",\
         \"declutter\":{\"lines_removed\":1,\"bytes_removed\":10,\"rules\":{\"read-more\":1},\
         \"removed\":[{\"line\":1,\"rule\":\"read-more\",\"layer\":\"rule\"}]}}"
    );
    let third: serde_json::Value = serde_json::from_str(lines[2]).expect("json");
    assert_eq!(third["declutter"]["lines_removed"], 0);
    // Too short for the line model: no threshold is reported.
    assert!(third["declutter"].get("model_threshold").is_none());
}

#[test]
fn annotate_reports_the_line_models_threshold() {
    let text = std::fs::read_to_string("seeds/000_95da05e945fef0a6.txt").expect("seed");
    let record = serde_json::json!({ "text": text }).to_string() + "\n";
    let out = run(&[&"clean", &"--format", &"jsonl", &"--annotate"], record.as_bytes());
    assert_ok(&out);
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let t = got["declutter"]["model_threshold"].as_f64().expect("model_threshold");
    assert!((0.0..=1.0).contains(&t), "{t}");
    // Every line the model removed scored below it.
    for r in got["declutter"]["removed"].as_array().expect("removed") {
        if r["layer"] == "model" {
            assert!(r["score"].as_f64().expect("score") < t + 1e-4, "{r}");
        }
    }
}

/// A corpus big enough to span several chunks and threads.
fn big_jsonl() -> String {
    let seeds = seeds();
    let mut out = String::new();
    for i in 0..120 {
        let a = &seeds[i % seeds.len()];
        let b = &seeds[(i * 7 + 3) % seeds.len()];
        let text = if i % 3 == 0 { format!("{a}\n{b}") } else { format!("{b}\nRecord {i}\n{a}") };
        out.push_str(&format!("{{\"id\":{i},\"text\":{}}}\n", json_string(&text)));
        if i % 50 == 7 {
            out.push_str("{broken\n");
        }
    }
    out
}

#[test]
fn threads_1_and_4_give_identical_output() {
    let dir = TempDir::new("threads");
    let corpus = big_jsonl();
    let input = dir.write("in/big.jsonl.zst", &zstd_compress(corpus.as_bytes()));
    for (i, seed) in seeds().iter().enumerate() {
        dir.write(&format!("in/sub{}/doc{i}.txt", i % 2), seed.as_bytes());
    }
    // Small chunks, so that records cross chunk and thread boundaries.
    let one = run(&[&"clean", &input, &"--threads", &"1", &"--chunk-records", &"7"], b"");
    let four = run(&[&"clean", &input, &"--threads", &"4", &"--chunk-records", &"7"], b"");
    assert_ok(&one);
    assert_ok(&four);
    assert_eq!(one.stdout, four.stdout, "JSONL output differs between 1 and 4 threads");
    assert_eq!(String::from_utf8_lossy(&one.stdout).lines().count(), corpus.lines().count());
    let (d1, d4) = (dir.path("out1"), dir.path("out4"));
    assert_ok(&run(&[&"clean", &dir.path("in"), &"-o", &d1, &"-j", &"1"], b""));
    assert_ok(&run(&[&"clean", &dir.path("in"), &"-o", &d4, &"-j", &"4"], b""));
    let mut files = 0;
    for rel in ["big.jsonl.zst", "sub0/doc0.txt", "sub1/doc1.txt", "sub0/doc4.txt"] {
        let a = fs::read(d1.join(rel)).expect("out1");
        let b = fs::read(d4.join(rel)).expect("out4");
        assert_eq!(a, b, "{rel} differs between 1 and 4 threads");
        files += 1;
    }
    assert_eq!(files, 4);
    assert_eq!(zstd_decompress(&fs::read(d1.join("big.jsonl.zst")).expect("big")), one.stdout);
}

#[test]
fn stats_json_has_the_summary_fields() {
    let dir = TempDir::new("stats");
    let input = dir.write("in.jsonl", BAD.as_bytes());
    let stats = dir.path("stats.json");
    let out =
        run(&[&"clean", &input, &"-o", &dir.path("out.jsonl"), &"--stats", &stats, &"-q"], b"");
    assert_ok(&out);
    assert!(out.stderr.is_empty(), "--quiet prints nothing: {}", stderr(&out));
    let stats: serde_json::Value =
        serde_json::from_slice(&fs::read(&stats).expect("stats")).expect("json");
    for field in [
        "files",
        "files_failed",
        "documents",
        "records_skipped",
        "skipped_by_reason",
        "skips",
        "dropped_empty",
        "bytes_in",
        "bytes_out",
        "lines_removed",
        "rules",
        "errors",
        "elapsed_secs",
        "mb_per_s",
    ] {
        assert!(stats.get(field).is_some(), "missing {field}: {stats}");
    }
    assert_eq!(stats["bytes_in"], BAD.len());
    assert_eq!(stats["lines_removed"], 2);
    assert_eq!(stats["rules"][0]["rule"], "read-more");
    assert_eq!(stats["rules"][0]["removals"], 2);
    assert_eq!(
        stats["bytes_out"],
        fs::metadata(dir.path("out.jsonl")).expect("out").len(),
        "bytes_out counts what was written"
    );
}

#[test]
fn stdin_to_stdout_jsonl_and_compressed_stdin() {
    let records = records();
    let data = jsonl(&records);
    let out = run(&[&"clean", &"--format", &"jsonl", &"-"], data.as_bytes());
    assert_ok(&out);
    assert_round_trip_stdin(&records, &out.stdout);
    // Compressed stdin is recognised by its magic number; --compress gz on stdout.
    let out = run(&[&"clean", &"--format", &"jsonl", &"--compress", &"gz"], &gzip(data.as_bytes()));
    assert_ok(&out);
    assert_round_trip_stdin(&records, &gunzip(&out.stdout));
}

#[test]
fn text_edge_cases_invalid_utf8_and_empty() {
    let dir = TempDir::new("edge");
    let mut doc = b"Read more\n".to_vec();
    doc.extend_from_slice(
        b"The body of this article is kept, bytes \xff\xfe and all, as written.\n",
    );
    dir.write("in/bin.txt", &doc);
    dir.write("in/empty.txt", b"");
    dir.write("in/empty.jsonl", b"");
    dir.write("in/rec.jsonl", b"{\"text\":\"\"}\n{\"text\":\"x\"}");
    let out_dir = dir.path("out");
    let out = run(&[&"clean", &dir.path("in"), &"-o", &out_dir], b"");
    assert_ok(&out);
    assert_eq!(
        fs::read(out_dir.join("bin.txt")).expect("bin"),
        b"The body of this article is kept, bytes \xff\xfe and all, as written.\n"
    );
    assert_eq!(fs::read(out_dir.join("empty.txt")).expect("empty"), b"");
    assert_eq!(fs::read(out_dir.join("empty.jsonl")).expect("empty"), b"");
    // The last record has no newline: it keeps having none, and neither
    // does its text, from which nothing was removed.
    assert_eq!(
        fs::read(out_dir.join("rec.jsonl")).expect("rec"),
        b"{\"text\":\"\"}\n{\"text\":\"x\"}"
    );
}

#[test]
fn oversized_documents_pass_through_untruncated() {
    let dir = TempDir::new("oversize");
    let long = format!("{{\"text\":\"{}\"}}", "Read more ".repeat(2000));
    let data =
        format!("{{\"text\":\"Read more\\n\"}}\n{long}\n{{\"text\":\"Read more\\n\"}}\n{long}");
    let input = dir.write("in.jsonl", data.as_bytes());
    let stats = dir.path("s.json");
    let out = run(&[&"clean", &input, &"--max-doc-bytes", &"1000", &"--stats", &stats], b"");
    assert_ok(&out);
    let want = format!("{{\"text\":\"\"}}\n{long}\n{{\"text\":\"\"}}\n{long}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
    let stats: serde_json::Value =
        serde_json::from_slice(&fs::read(&stats).expect("stats")).expect("json");
    assert_eq!(stats["skipped_by_reason"]["too-large"], 2);
    assert!(stderr(&out).contains(&format!("{}:4: too-large", input.display())));
    // A text document over the limit too.
    let text = dir.write("big.txt", format!("Read more\n{}\n", "word ".repeat(500)).as_bytes());
    let out = run(&[&"clean", &text, &"--max-doc-bytes", &"100"], b"");
    assert_ok(&out);
    assert_eq!(out.stdout, fs::read(&text).expect("big"));
}

#[test]
fn a_200_mb_line_without_newline_passes_through() {
    let dir = TempDir::new("huge");
    let input = dir.path("huge.jsonl");
    {
        let mut f = std::io::BufWriter::new(fs::File::create(&input).expect("create"));
        f.write_all(b"{\"text\":\"").expect("write");
        let block = "Read more about it. ".repeat(1 << 10);
        for _ in 0..(200 << 20) / block.len() {
            f.write_all(block.as_bytes()).expect("write");
        }
        f.write_all(b"\"}").expect("write");
    }
    let output = dir.path("out.jsonl");
    let stats = dir.path("s.json");
    let out = run(&[&"clean", &input, &"-o", &output, &"--stats", &stats], b"");
    assert_ok(&out);
    assert_eq!(fs::metadata(&output).expect("out").len(), fs::metadata(&input).expect("in").len());
    let stats: serde_json::Value =
        serde_json::from_slice(&fs::read(&stats).expect("stats")).expect("json");
    assert_eq!(stats["skipped_by_reason"]["too-large"], 1);
}

#[test]
fn directory_keeps_relative_paths_and_formats() {
    let dir = TempDir::new("tree");
    let records = records();
    let seeds = seeds();
    dir.write("in/a/one.txt", seeds[0].as_bytes());
    dir.write("in/a/b/two.jsonl.gz", &gzip(jsonl(&records).as_bytes()));
    dir.write("in/three.txt.zst", &zstd_compress(seeds[1].as_bytes()));
    let out_dir = dir.path("out");
    let out = run(&[&"clean", &dir.path("in"), &"-o", &out_dir], b"");
    assert_ok(&out);
    assert_eq!(fs::read_to_string(out_dir.join("a/one.txt")).expect("one"), clean_text(&seeds[0]));
    assert_round_trip(&records, &gunzip(&fs::read(out_dir.join("a/b/two.jsonl.gz")).expect("two")));
    let three = zstd_decompress(&fs::read(out_dir.join("three.txt.zst")).expect("three"));
    assert_eq!(String::from_utf8(three).expect("utf-8"), clean_text(&seeds[1]));
    // --compress renames the suffix to match.
    let zst_dir = dir.path("out-zst");
    let out = run(&[&"clean", &dir.path("in"), &"-o", &zst_dir, &"--compress", &"zst"], b"");
    assert_ok(&out);
    assert!(zst_dir.join("a/one.txt.zst").exists());
    assert!(zst_dir.join("a/b/two.jsonl.zst").exists());
}

#[test]
fn broken_pipe_on_stdout_exits_0() {
    let data = big_jsonl().repeat(8);
    let mut child = Command::new(BIN)
        .args(["clean", "--format", "jsonl", "-j", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(data.as_bytes());
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Records of two sites: every record of site A carries the same template
/// line; site B's records carry it once. The corpus pass groups records by
/// the site of their `url` and removes the line where it repeats.
fn two_sites() -> String {
    let seeds = seeds();
    let mut out = String::new();
    for i in 0..12 {
        let (site, template) = if i % 2 == 0 {
            ("https://www.a.example/", true)
        } else {
            ("https://b.example/", i == 1)
        };
        let body = &seeds[i % seeds.len()];
        let text = if template {
            format!("Northwind Garden Supply Weekly Digest\n\n{body}\nStory {i}.\n")
        } else {
            format!("{body}\nStory {i}.\n")
        };
        out.push_str(&format!("{{\"url\":\"{site}{i}\",\"text\":{}}}\n", json_string(&text)));
    }
    out
}

#[test]
fn corpus_pass_groups_by_site_and_is_deterministic() {
    let dir = TempDir::new("corpus");
    let input = dir.write("in.jsonl", two_sites().as_bytes());
    let reasons = |extra: &[&dyn AsRef<std::ffi::OsStr>]| -> Vec<serde_json::Value> {
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"clean", &input, &"--annotate"];
        args.extend_from_slice(extra);
        let out = run(&args, b"");
        assert_ok(&out);
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect()
    };
    let corpus_removed_line_1 = |record: &serde_json::Value| {
        record["declutter"]["removed"].as_array().expect("removed").iter().any(|r| {
            r["line"] == 1
                && r["rule"] == "corpus:repeated-across-documents"
                && r["layer"] == "corpus"
        })
    };
    let with = reasons(&[&"-j1"]);
    for (i, record) in with.iter().enumerate() {
        // Site A: six records share the line. Site B: one record has it.
        assert_eq!(corpus_removed_line_1(record), i % 2 == 0, "record {i}: {record}");
    }
    assert_eq!(with, reasons(&[&"-j2", &"--chunk-records", &"3"]), "thread count changed output");
    let without = reasons(&[&"--no-corpus"]);
    assert!(without.iter().all(|r| !corpus_removed_line_1(r)));
}

#[test]
fn an_output_directory_that_cannot_be_made_fails_each_of_its_files_only() {
    let dir = TempDir::new("blocked-dir");
    let seeds = seeds();
    dir.write("in/a.txt", seeds[0].as_bytes());
    dir.write("in/sub/b.txt", seeds[1].as_bytes());
    dir.write("in/sub/c.txt", seeds[2].as_bytes());
    dir.write("in/z/d.txt", seeds[3].as_bytes());
    // A file where the output subdirectory `sub` should go.
    dir.write("out/sub", b"in the way\n");
    let out_dir = dir.path("out");
    let out = run(&[&"clean", &"-j2", &dir.path("in"), &"-o", &out_dir], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    // Both files under the blocked directory report it, each once.
    assert_eq!(err.matches(&out_dir.join("sub").display().to_string()).count(), 2, "{err}");
    assert!(err.contains("2 of 4 inputs failed"), "{err}");
    assert_eq!(fs::read_to_string(out_dir.join("a.txt")).expect("a"), clean_text(&seeds[0]));
    assert_eq!(fs::read_to_string(out_dir.join("z/d.txt")).expect("d"), clean_text(&seeds[3]));
    assert_eq!(fs::read(out_dir.join("sub")).expect("the file in the way"), b"in the way\n");
}

#[test]
fn the_corpus_pass_reports_its_own_progress() {
    use std::sync::atomic::Ordering;
    let dir = TempDir::new("corpus-progress");
    let pages = seeds();
    let mut paths = Vec::new();
    for (i, page) in pages.iter().take(3).enumerate() {
        paths.push(dir.write(&format!("p{i}.txt"), page.as_bytes()));
    }
    let records: String =
        pages.iter().map(|p| format!("{{\"text\": {}}}\n", json_string(p))).collect();
    paths.push(dir.write("all.jsonl.gz", &gzip(records.as_bytes())));
    let bytes: u64 = paths.iter().map(|p| fs::metadata(p).expect("size").len()).sum();
    let batch = declutter::Batch::builder().build(declutter::Cleaner::new().expect("cleaner"));
    let index = batch.gather_corpus(&paths);
    let counted = batch.corpus_progress();
    // Every byte read (as stored, compressed) and every document counted,
    // JSONL records one by one; the cleaning pass's counters are apart.
    assert_eq!(counted.bytes_read.load(Ordering::Relaxed), bytes);
    assert_eq!(counted.documents.load(Ordering::Relaxed), 3 + pages.len() as u64);
    assert_eq!(index.documents(), 3 + pages.len() as u64 - 3, "the first three pages come twice");
    assert_eq!(batch.progress().bytes_read.load(Ordering::Relaxed), 0);
    assert_eq!(batch.progress().documents.load(Ordering::Relaxed), 0);
}
