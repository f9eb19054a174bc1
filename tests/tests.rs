//! Integration tests: one binary (see Cargo.toml `autotests = false`).

// `declutter clean` at scale: JSONL, compression, skips, threads, stats (issue 3).
mod batch;
