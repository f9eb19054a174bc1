//! Integration tests: one binary (see Cargo.toml `autotests = false`), so the
//! crate links once.

// Helpers: diff-style assertions, seed discovery, running the binary.
mod util;

// seeds/X cleaned by the library must equal golden/X byte for byte.
mod golden;

// The goldens checked against an independent reference of the spec.
mod spec;

// The `declutter` binary: clean, explain, rules; exit codes.
mod cli;

// `declutter clean` at scale: JSONL, compression, skips, threads, stats (issue 3).
mod batch;

// What `Cleaner::clean` promises, as checks shared with the fuzz targets.
mod oracle;

// Property tests: generated documents, idempotence, determinism, the
// matcher against a naive reference (issue 6).
mod props;

// Fault injection: full disks, failing writers, SIGKILL mid-batch, read
// errors, bad and huge rules files, documents over the limit (issue 6).
mod faults;
