//! Fault injection (issue 6): full disks, writers that fail, SIGKILL in the
//! middle of a batch, unreadable inputs, bad and huge rules files, inputs
//! over the document limit. Through the binary where the user would meet
//! the fault, through the library where a fault is easier to make there.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::LazyLock;
use std::time::Duration;

use declutter::batch::BatchError;
use declutter::io::Format;
use declutter::{Batch, Cleaner};

use crate::util::{read, root, seed_names, tempdir};

const BIN: &str = env!("CARGO_BIN_EXE_declutter");

static CLEANER: LazyLock<Cleaner> = LazyLock::new(|| Cleaner::new().expect("cleaner"));

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn no_panic(out: &Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "the binary panicked:\n{err}");
}

/// Runs the binary with `args`, stdout to `stdout`, no stdin.
fn run_to(args: &[&dyn AsRef<std::ffi::OsStr>], stdout: Stdio) -> Output {
    Command::new(BIN)
        .args(args.iter().map(|a| a.as_ref()))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("run declutter")
}

fn run(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    run_to(args, Stdio::piped())
}

/// Every seed, each with a line that makes it unique.
fn seed_docs(n: usize) -> Vec<Vec<u8>> {
    let seeds: Vec<Vec<u8>> =
        seed_names().iter().map(|s| read(Path::new("seeds").join(s))).collect();
    (0..n)
        .map(|i| {
            let mut doc = seeds[i % seeds.len()].clone();
            doc.extend_from_slice(
                format!("Document {i} ends with this sentence, which is its own.\n").as_bytes(),
            );
            doc
        })
        .collect()
}

/// A page of distinct prose lines, about `bytes` long: all of it is kept.
fn prose(bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes + 200);
    let mut i = 0;
    while out.len() < bytes {
        out.extend_from_slice(
            format!(
                "Paragraph {i} of the report says that the committee and the members of the \
                 panel met again on day {i} to review the evidence they had been given.\n\n"
            )
            .as_bytes(),
        );
        i += 1;
    }
    out
}

fn jsonl_of(docs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let text = serde_json::to_string(&String::from_utf8_lossy(doc)).expect("json");
        out.extend_from_slice(format!("{{\"id\":{i},\"text\":{text}}}\n").as_bytes());
    }
    out
}

/// What a full run writes for an input: the library's output.
/// What `batch` (which may carry a corpus) writes for `path`.
fn expected_output_in(path: &Path, batch: &Batch) -> Vec<u8> {
    let data = fs::read(path).expect("input");
    if Format::from_path(path) == Format::Jsonl {
        let mut out = Vec::new();
        let reader = Box::new(io::Cursor::new(data));
        batch.clean_stream(reader, &mut out, Format::Jsonl, "in", "out").expect("clean");
        out
    } else {
        CLEANER.clean_with_corpus(&data, batch.corpus_index().and_then(|i| i.group(""))).text
    }
}

/// The names in `dir` (not recursive), sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(dir) {
        Ok(entries) => {
            entries.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect()
        }
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

fn is_temp(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".declutter-tmp")
}

/// What a full run writes for each file of `input` (not recursive), with
/// the corpus pass over all of them, as `declutter clean DIR` runs it.
fn expected_outputs(input: &Path) -> HashMap<String, Vec<u8>> {
    let batch = Batch::builder().build(CLEANER.clone());
    let paths: Vec<PathBuf> = names(input).into_iter().map(|n| input.join(n)).collect();
    let batch = batch.with_corpus(batch.gather_corpus(&paths));
    names(input)
        .into_iter()
        .map(|n| (n.clone(), expected_output_in(&input.join(n), &batch)))
        .collect()
}

/// Every file under its final name in `out` is complete: equal to what a
/// full run writes for the input of the same name. Returns their number.
fn assert_outputs_complete(expected: &HashMap<String, Vec<u8>>, out: &Path) -> usize {
    let mut complete = 0;
    for name in names(out).iter().filter(|n| !is_temp(n)) {
        let got = fs::read(out.join(name)).expect("output");
        assert!(Some(&got) == expected.get(name), "{name}: torn or wrong output");
        complete += 1;
    }
    complete
}

// ------------------------------------------------------------ full disks

#[test]
fn stdout_on_a_full_device_exits_2_with_a_message() {
    let page = root().join("seeds").join(&seed_names()[0]);
    let tmp = tempdir("faults-full");
    let jsonl = tmp.path().join("in.jsonl");
    fs::write(&jsonl, jsonl_of(&seed_docs(3))).expect("write");
    let cases: [&[&dyn AsRef<std::ffi::OsStr>]; 3] =
        [&[&"clean", &page], &[&"clean", &jsonl], &[&"explain", &"--color", &"never", &page]];
    for (case, args) in cases.into_iter().enumerate() {
        let full = fs::File::create("/dev/full").expect("/dev/full");
        let out = run_to(args, Stdio::from(full));
        no_panic(&out);
        assert_eq!(out.status.code(), Some(2), "case {case}: {}", stderr(&out));
        assert!(stderr(&out).contains("No space left on device"), "{}", stderr(&out));
    }
}

/// A writer that takes `left` bytes, then fails like a full disk.
struct FailAfter {
    left: usize,
    written: Vec<u8>,
}

impl Write for FailAfter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::from_raw_os_error(28));
        }
        let n = buf.len().min(self.left);
        self.left -= n;
        self.written.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn library_stream_into_a_failing_writer_is_a_write_error() {
    let docs = seed_docs(12);
    for (format, input) in [(Format::Text, docs[0].clone()), (Format::Jsonl, jsonl_of(&docs))] {
        let batch = Batch::builder().chunk_size(2000, 2).build(CLEANER.clone());
        let full = {
            let mut out = Vec::new();
            let reader = Box::new(io::Cursor::new(input.clone()));
            batch.clean_stream(reader, &mut out, format, "in", "out").expect("clean");
            out
        };
        for limit in [0, 1, 100, full.len() / 2, full.len() - 1, full.len()] {
            let mut out = FailAfter { left: limit, written: Vec::new() };
            let reader = Box::new(io::Cursor::new(input.clone()));
            let result = batch.clean_stream(reader, &mut out, format, "in", "out");
            assert_eq!(out.written, full[..limit], "{format:?}: written bytes are a prefix");
            match result {
                Ok(_) => assert_eq!(limit, full.len(), "{format:?}: error lost at {limit}"),
                Err(BatchError::Write { path, source }) => {
                    assert!(limit < full.len());
                    assert_eq!(path, "out");
                    assert_eq!(source.raw_os_error(), Some(28));
                }
                Err(other) => panic!("{format:?}: unexpected error {other}"),
            }
        }
    }
}

/// A batch where two outputs are larger than 16 KiB: `small` text files,
/// a large text file and a large JSONL file.
fn mixed_batch(dir: &Path, small: usize) -> PathBuf {
    let input = dir.join("in");
    fs::create_dir_all(&input).expect("mkdir");
    for (i, doc) in seed_docs(small).iter().enumerate() {
        fs::write(input.join(format!("doc{i:03}.txt")), doc).expect("write");
    }
    fs::write(input.join("big.txt"), prose(40_000)).expect("write");
    fs::write(input.join("big.jsonl"), jsonl_of(&seed_docs(60))).expect("write");
    input
}

#[test]
fn file_size_limit_fails_only_the_large_outputs_and_leaves_no_temp_file() {
    // RLIMIT_FSIZE stands in for a full disk on any machine: a write past
    // the limit fails with EFBIG once SIGXFSZ is ignored.
    let tmp = tempdir("faults-fsize");
    let dir = tmp.path();
    let input = mixed_batch(dir, 3);
    let out = dir.join("out");
    let stats = dir.join("stats.json");
    let script = format!(
        "trap '' XFSZ; ulimit -f 16; exec '{BIN}' clean '{}' -o '{}' --stats '{}'",
        input.display(),
        out.display(),
        stats.display()
    );
    let result = Command::new("bash").args(["-c", &script]).output().expect("bash");
    no_panic(&result);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    let err = stderr(&result);
    for name in ["big.txt", "big.jsonl"] {
        assert!(
            err.lines().any(|l| l.contains(name) && l.contains("File too large")),
            "{name} not reported:\n{err}"
        );
    }
    assert_eq!(
        names(&out),
        ["doc000.txt", "doc001.txt", "doc002.txt"],
        "no temp files, no torn files"
    );
    assert_eq!(assert_outputs_complete(&expected_outputs(&input), &out), 3);
    let stats: serde_json::Value =
        serde_json::from_slice(&fs::read(&stats).expect("stats")).expect("json");
    assert_eq!((stats["files"].as_u64(), stats["files_failed"].as_u64()), (Some(3), Some(2)));
}

/// Unmounts a tmpfs when dropped.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn tmpfs_full_fails_the_files_that_do_not_fit() {
    let tmp = tempdir("faults-tmpfs");
    let dir = tmp.path();
    let mountpoint = dir.join("small");
    fs::create_dir_all(&mountpoint).expect("mkdir");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&mountpoint)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        // Not root, or no mount in this sandbox: the RLIMIT_FSIZE test
        // above covers the same paths.
        eprintln!("tmpfs_full_fails_the_files_that_do_not_fit: cannot mount a tmpfs, skipped");
        return;
    }
    let _mount = Mount(mountpoint.clone());
    let input = dir.join("in");
    fs::create_dir_all(&input).expect("mkdir");
    // Eight outputs of ~20 KB: only some fit in 64 KiB.
    for i in 0..8 {
        let mut doc = prose(20_000);
        doc.extend_from_slice(format!("File {i}.\n").as_bytes());
        fs::write(input.join(format!("p{i}.txt")), doc).expect("write");
    }
    let out = mountpoint.join("out");
    let result = run(&[&"clean", &input, &"-o", &out, &"-j", &"1"]);
    no_panic(&result);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    assert!(stderr(&result).contains("No space left on device"), "{}", stderr(&result));
    let written = names(&out);
    assert!(written.iter().all(|n| !is_temp(n)), "temp files left: {written:?}");
    assert!(!written.is_empty() && written.len() < 8, "{written:?}");
    assert_eq!(assert_outputs_complete(&expected_outputs(&input), &out), written.len());
}

// ------------------------------------------------------- killed mid-batch

/// Starts a batch, waits until `ready` says so (polling the output
/// directory), then kills it with SIGKILL. Returns whether it was killed
/// (false: it finished first).
fn kill_when(
    args: &[&dyn AsRef<std::ffi::OsStr>],
    out: &Path,
    ready: impl Fn(&[String]) -> bool,
) -> bool {
    let mut child = Command::new(BIN)
        .args(args.iter().map(|a| a.as_ref()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    loop {
        if child.try_wait().expect("wait").is_some() {
            return false;
        }
        if ready(&names(out)) {
            child.kill().expect("SIGKILL");
            child.wait().expect("wait");
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn sigkill_mid_batch_leaves_only_complete_outputs_and_a_rerun_completes() {
    // Big enough that a fast build cannot finish between two polls.
    const TEXT_DOCS: usize = 200;
    let tmp = tempdir("faults-kill");
    let dir = tmp.path();
    let input = dir.join("in");
    fs::create_dir_all(&input).expect("mkdir");
    // Sorted first: a JSONL file large enough to be killed while written.
    fs::write(input.join("000-big.jsonl"), jsonl_of(&seed_docs(600))).expect("write");
    for (i, doc) in seed_docs(TEXT_DOCS).iter().enumerate() {
        fs::write(input.join(format!("doc{i:03}.txt")), doc).expect("write");
    }
    let expected = expected_outputs(&input);
    let out = dir.join("out");
    // Small JSONL chunks: the output is written while records are cleaned.
    let args: [&dyn AsRef<std::ffi::OsStr>; 8] =
        [&"clean", &input, &"-o", &out, &"-j", &"1", &"--chunk-records", &"5"];

    // 1. Killed while the JSONL output is being written.
    let writing_jsonl = |names: &[String]| {
        names.iter().any(|n| {
            is_temp(n)
                && n.starts_with(".000-big.jsonl")
                && fs::metadata(out.join(n)).is_ok_and(|m| m.len() > 0)
        })
    };
    let killed = kill_when(&args, &out, writing_jsonl);
    assert!(killed, "the batch finished before it could be killed");
    assert_outputs_complete(&expected, &out);
    assert!(
        !names(&out).contains(&"000-big.jsonl".to_string()),
        "killed while writing: the final name must not exist"
    );

    // 2. Re-run without --force, killed after a few text outputs.
    let some_text = |names: &[String]| names.iter().filter(|n| n.ends_with(".txt")).count() >= 5;
    let killed = kill_when(&args, &out, some_text);
    assert!(killed, "the batch finished before it could be killed");
    let done = assert_outputs_complete(&expected, &out);
    assert!((6..=TEXT_DOCS).contains(&done), "{done} outputs");

    // 3. Re-run without --force: the missing outputs are written, the
    // complete ones are kept and reported as existing (exit 2).
    let rerun = run(&args);
    no_panic(&rerun);
    assert_eq!(rerun.status.code(), Some(2), "{}", stderr(&rerun));
    let exists = stderr(&rerun).lines().filter(|l| l.contains("output exists")).count();
    assert_eq!(exists, done, "each complete output is reported once");
    assert_eq!(assert_outputs_complete(&expected, &out), TEXT_DOCS + 1);

    // 4. --force rewrites everything and succeeds.
    let forced = run(&[&"clean", &input, &"-o", &out, &"-j", &"1", &"--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", stderr(&forced));
    assert_eq!(assert_outputs_complete(&expected, &out), TEXT_DOCS + 1);

    // Leftover temp files of the killed runs are hidden: a batch over the
    // output directory does not take them for documents.
    let leftovers: Vec<String> = names(&out).into_iter().filter(|n| is_temp(n)).collect();
    assert!(!leftovers.is_empty(), "the first kill leaves its temp file");
    let (found, errors) = declutter::io::walk_inputs(std::slice::from_ref(&out));
    assert!(errors.is_empty(), "{errors:?}");
    let found: Vec<String> =
        found.iter().map(|f| f.relative.to_string_lossy().into_owned()).collect();
    let visible: Vec<String> = names(&out).into_iter().filter(|n| !is_temp(n)).collect();
    assert_eq!(found, visible);
}

// ------------------------------------------------------------ read errors

#[test]
fn unreadable_inputs_are_reported_counted_and_the_rest_finishes() {
    let tmp = tempdir("faults-read");
    let dir = tmp.path();
    let input = dir.join("in");
    fs::create_dir_all(input.join("sub")).expect("mkdir");
    let docs = seed_docs(3);
    fs::write(input.join("a.txt"), &docs[0]).expect("write");
    fs::write(input.join("sub/b.txt"), &docs[1]).expect("write");
    fs::write(input.join("z.txt"), &docs[2]).expect("write");
    std::os::unix::fs::symlink(dir.join("nowhere"), input.join("dangling.txt")).expect("symlink");
    std::os::unix::fs::symlink("..", input.join("sub/loop")).expect("symlink");
    let gz = {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&prose(50_000)).expect("gzip");
        enc.finish().expect("gzip")
    };
    fs::write(input.join("truncated.txt.gz"), &gz[..gz.len() / 2]).expect("write");
    let out = dir.join("out");
    let stats = dir.join("stats.json");
    let result = run(&[&"clean", &input, &"-o", &out, &"--stats", &stats]);
    no_panic(&result);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    let err = stderr(&result);
    for name in ["dangling.txt", "sub/loop", "truncated.txt.gz"] {
        assert!(err.lines().any(|l| l.contains(name)), "{name} not reported:\n{err}");
    }
    let stats: serde_json::Value =
        serde_json::from_slice(&fs::read(&stats).expect("stats")).expect("json");
    assert_eq!((stats["files"].as_u64(), stats["files_failed"].as_u64()), (Some(3), Some(3)));
    assert_eq!(names(&out), ["a.txt", "sub", "z.txt"]);
    assert_eq!(names(&out.join("sub")), ["b.txt"]);
    assert_eq!(fs::read(out.join("sub/b.txt")).expect("b"), CLEANER.clean(&docs[1]).text);

    // A directory where a document is expected.
    let explain = run(&[&"explain", &input]);
    no_panic(&explain);
    assert_eq!(explain.status.code(), Some(2));
    assert!(stderr(&explain).contains(&input.display().to_string()), "{}", stderr(&explain));
}

// ------------------------------------------------------------ rules files

#[test]
fn bad_regex_error_names_the_rule_and_file_line() {
    let tmp = tempdir("faults-rules");
    let dir = tmp.path();
    let good = dir.join("good.toml");
    fs::write(&good, "[[rule]]\nname = \"ok\"\nkind = \"line\"\nphrases = [\"Fine\"]\n")
        .expect("write");
    let cases = [
        ("shape", "patterns = ['a(b']"),
        ("strip", "patterns = ['x', '[z-a]']"),
        ("shape", "patterns = ['\\\\p{NoSuchClass}']"),
    ];
    for (kind, patterns) in cases {
        let bad = dir.join(format!("bad-{kind}.toml"));
        let text = format!(
            "# comments first\n\n[[rule]]\nname = \"first\"\nkind = \"line\"\nphrases = [\"A\"]\n\n\
             [[rule]]\nname = \"broken-{kind}\"\nkind = \"{kind}\"\n{patterns}\n"
        );
        fs::write(&bad, text).expect("write");
        let result = run_to(&[&"clean", &"--rules", &good, &"--rules", &bad], Stdio::piped());
        no_panic(&result);
        assert_eq!(result.status.code(), Some(2));
        let err = stderr(&result);
        let location = format!("{}:9: rule 'broken-{kind}': bad regex", bad.display());
        assert!(err.contains(&location), "want {location:?} in:\n{err}");
    }
}

/// The peak resident set (VmHWM) of this process, in KiB.
fn peak_rss_kib() -> u64 {
    let status = fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

/// 100,000 distinct phrases in one file.
fn huge_rules() -> String {
    let mut text = String::with_capacity(4 << 20);
    for rule in 0..100 {
        text.push_str(&format!("[[rule]]\nname = \"gen-{rule}\"\nkind = \"line\"\nphrases = [\n"));
        for i in 0..1000 {
            text.push_str(&format!("  \"Generated chrome phrase {rule} number {i}\",\n"));
        }
        text.push_str("]\n\n");
    }
    text
}

/// Run in a child process by the test below: builds a cleaner with 100,000
/// extra phrases, cleans a page, prints its peak RSS.
#[test]
#[ignore = "run as a child process by rules_with_100k_phrases_build_in_bounded_memory"]
fn child_build_100k_phrases() {
    let before = peak_rss_kib();
    let rules = declutter::RuleSet::parse(&huge_rules(), "huge.toml").expect("parse");
    let cleaner = Cleaner::builder().rules(rules).build().expect("build");
    let page = b"Generated chrome phrase 7 number 77\nThe body of the page, kept as it is.\n";
    assert_eq!(cleaner.rules().len(), declutter::RuleSet::defaults().len() + 100);
    let cleaned = cleaner.clean(page);
    assert_eq!(&*cleaned.removals[0].rule, "gen-7");
    println!("PEAK_RSS_KIB before={before} after={}", peak_rss_kib());
}

#[test]
fn rules_with_100k_phrases_build_in_bounded_memory() {
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new(exe)
        .args(["--ignored", "--exact", "faults::child_build_100k_phrases", "--nocapture"])
        .output()
        .expect("run child");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "child failed:\n{text}\n{}", stderr(&out));
    let line = text.lines().find(|l| l.starts_with("PEAK_RSS_KIB")).expect("figure printed");
    let after: u64 =
        line.rsplit("after=").next().and_then(|v| v.trim().parse().ok()).expect("a number");
    eprintln!("100,000 phrases: {line}");
    // A generous bound: the automaton of 100,000 phrases (3.6 MB of text)
    // takes tens of MB; a blow-up would take GBs.
    assert!(after < 1 << 20, "peak RSS {after} KiB");
}

// ------------------------------------------------------ documents too large

#[test]
fn a_20_mb_single_line_on_stdin_passes_through_counted() {
    let tmp = tempdir("faults-long");
    let dir = tmp.path();
    let line: Vec<u8> = b"Read more about it. ".iter().copied().cycle().take(20 << 20).collect();
    let stats = dir.join("s.json");
    for data in [line.clone(), [&line[..], b"\n"].concat()] {
        let mut child = Command::new(BIN)
            .args(["clean", "--max-doc-bytes", "1000000", "--stats"])
            .arg(&stats)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stdin = child.stdin.take().expect("stdin");
        let writer = {
            let data = data.clone();
            std::thread::spawn(move || stdin.write_all(&data))
        };
        let out = child.wait_with_output().expect("wait");
        writer.join().expect("writer").expect("stdin written");
        no_panic(&out);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(out.stdout == data, "passed through unchanged, never truncated");
        let stats: serde_json::Value =
            serde_json::from_slice(&fs::read(&stats).expect("stats")).expect("json");
        assert_eq!(stats["skipped_by_reason"]["too-large"], 1);
        assert_eq!(stats["bytes_out"].as_u64(), Some(data.len() as u64));
    }
}
