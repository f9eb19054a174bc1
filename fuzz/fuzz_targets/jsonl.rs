//! A JSONL stream of arbitrary bytes through `Batch::clean_stream`, the
//! path `declutter clean x.jsonl` takes. The first byte picks the settings
//! (document limit, field path, annotation, compression); the rest is the
//! stream. Nothing may panic; an uncompressed stream must come out with
//! one line per input line, every record cleaned or passed through
//! unchanged and counted, and the same bytes whatever the chunk size.
#![no_main]

use std::io::{BufReader, Cursor};
use std::sync::OnceLock;

use declutter::io::input::{decompress, InputReader};
use declutter::io::{jsonl, Compression, Format};
use declutter::{Batch, Cleaner};
use libfuzzer_sys::fuzz_target;

fn cleaner() -> &'static Cleaner {
    static CLEANER: OnceLock<Cleaner> = OnceLock::new();
    CLEANER.get_or_init(|| Cleaner::new().expect("default cleaner"))
}

/// A reader over `data` with a tiny buffer, so lines cross refills.
fn reader(data: &[u8]) -> InputReader {
    Box::new(BufReader::with_capacity(7, Cursor::new(data.to_vec())))
}

fn lines(data: &[u8]) -> Vec<&[u8]> {
    if data.is_empty() {
        return Vec::new();
    }
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    body.split(|&b| b == b'\n').collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&settings, stream)) = data.split_first() else { return };
    let max_doc = 16usize << (settings & 7);
    let field = if settings & 8 == 0 { "text" } else { "meta.text" };
    let path: Vec<&str> = field.split('.').collect();
    let annotate = settings & 16 != 0;
    let compression = match settings >> 5 {
        0 => Compression::Gzip,
        1 => Compression::Zstd,
        _ => Compression::None,
    };
    let build = |chunk_bytes, chunk_records| {
        Batch::builder()
            .max_doc_bytes(max_doc)
            .field(field)
            .annotate(annotate)
            .chunk_size(chunk_bytes, chunk_records)
            .build(cleaner().clone())
    };
    if compression != Compression::None {
        // Arbitrary bytes are mostly not a valid stream: a read error, never a panic.
        let Ok(input) = decompress(Cursor::new(stream.to_vec()), compression) else { return };
        let mut out = Vec::new();
        let _ = build(64, 3).clean_stream(input, &mut out, Format::Jsonl, "in", "out");
        return;
    }

    let mut out = Vec::new();
    let stats = build(4 << 20, 4096)
        .clean_stream(reader(stream), &mut out, Format::Jsonl, "in", "out")
        .expect("an in-memory stream cannot fail");
    let mut small = Vec::new();
    build(1, 1)
        .clean_stream(reader(stream), &mut small, Format::Jsonl, "in", "out")
        .expect("an in-memory stream cannot fail");
    assert!(out == small, "output depends on the chunk size");

    // One output line per input line, the last one terminated alike.
    let (ins, outs) = (lines(stream), lines(&out));
    assert_eq!(ins.len(), outs.len(), "lines lost or added");
    assert_eq!(stream.ends_with(b"\n"), out.ends_with(b"\n"));
    let mut counted = 0u64;
    for (i, (line, got)) in ins.iter().zip(&outs).enumerate() {
        // The reader's view: a line without its `\n` longer than the limit
        // is too large; a blank line is not a record.
        if line.len() > max_doc {
            counted += 1;
            assert_eq!(line, got, "line {}: an oversized record was changed", i + 1);
            continue;
        }
        let blank = bstr::ByteSlice::trim(*line).is_empty();
        if !blank {
            counted += 1;
        }
        match jsonl::locate(line, &path) {
            Ok(record) if !blank => {
                let mut cleaned = cleaner().clean(record.text.as_bytes());
                cleaned.end_like(record.text.as_bytes());
                let want = String::from_utf8_lossy(&cleaned.text);
                let new = jsonl::locate(got, &path).expect("a cleaned record is valid JSON");
                assert_eq!(new.text, want, "line {}: field is not the cleaned text", i + 1);
                assert_eq!(
                    &got[..new.span.start],
                    &line[..record.span.start],
                    "line {}: bytes before the field changed",
                    i + 1
                );
                if !annotate {
                    assert_eq!(
                        &got[new.span.end..],
                        &line[record.span.end..],
                        "line {}: bytes after the field changed",
                        i + 1
                    );
                }
            }
            _ => assert_eq!(line, got, "line {}: a record that cannot be cleaned changed", i + 1),
        }
    }
    assert_eq!(stats.documents + stats.skipped, counted, "a record was not counted");
    assert_eq!(stats.bytes_in, stream.len() as u64);
    assert_eq!(stats.bytes_out, out.len() as u64);
});
