//! Opening inputs: format detection and transparent `.gz` / `.zst`
//! decompression.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

/// How documents are laid out in an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// One document per file (or per stdin stream).
    Text,
    /// One JSON record per line, the text in a string field.
    Jsonl,
}

impl Format {
    /// The format a file name implies: `.jsonl`, `.json` and `.ndjson` (also
    /// under `.gz` or `.zst`) are [`Format::Jsonl`], anything else
    /// [`Format::Text`].
    pub fn from_path(path: &Path) -> Format {
        let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase());
        let name = name.unwrap_or_default();
        let base = match Compression::from_path(path) {
            Compression::None => name.as_str(),
            c => name.strip_suffix(c.extension()).unwrap_or(&name),
        };
        if [".jsonl", ".json", ".ndjson"].iter().any(|ext| base.ends_with(ext)) {
            Format::Jsonl
        } else {
            Format::Text
        }
    }
}

/// A compression format, for inputs and outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (`.gz`); multi-member streams are read whole.
    Gzip,
    /// Zstandard (`.zst`).
    Zstd,
}

impl Compression {
    /// The compression a file name implies by its last extension.
    pub fn from_path(path: &Path) -> Compression {
        let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase());
        match name.as_deref() {
            Some(n) if n.ends_with(".gz") => Compression::Gzip,
            Some(n) if n.ends_with(".zst") => Compression::Zstd,
            _ => Compression::None,
        }
    }

    /// The compression the first bytes of a stream announce (gzip and zstd
    /// magic numbers), used for stdin where there is no file name.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    /// The file extension, with its dot (empty for [`Compression::None`]).
    pub fn extension(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => ".gz",
            Compression::Zstd => ".zst",
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        })
    }
}

/// A reader that adds the number of bytes it reads to a shared counter
/// (for progress: compressed bytes read so far).
#[derive(Debug)]
pub struct CountingReader<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R> CountingReader<R> {
    /// Wraps `inner`; every read adds to `counter`.
    pub fn new(inner: R, counter: Arc<AtomicU64>) -> CountingReader<R> {
        CountingReader { inner, counter }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A boxed, buffered, decompressed input stream.
pub type InputReader = Box<dyn BufRead + Send>;

const BUFFER: usize = 1 << 16;

/// The smallest buffer [`open_file`] gives a plain file.
const MIN_BUFFER: usize = 1 << 12;

/// Wraps a raw byte stream in the decompressor for `compression`.
pub fn decompress<R: Read + Send + 'static>(
    raw: R,
    compression: Compression,
) -> io::Result<InputReader> {
    Ok(match compression {
        Compression::None => Box::new(BufReader::with_capacity(BUFFER, raw)),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            BUFFER,
            MultiGzDecoder::new(BufReader::with_capacity(BUFFER, raw)),
        )),
        Compression::Zstd => {
            Box::new(BufReader::with_capacity(BUFFER, zstd::stream::read::Decoder::new(raw)?))
        }
    })
}

/// Opens a file, decompressing it as its extension says; `counter` counts
/// the raw (compressed) bytes read.
pub fn open_file(path: &Path, counter: Arc<AtomicU64>) -> io::Result<InputReader> {
    let file = File::open(path)?;
    let compression = Compression::from_path(path);
    if compression == Compression::None {
        // A buffer is zeroed when first filled: a small file (the common
        // case, one page per file) gets one its own size, not the default.
        let size = file.metadata().map_or(BUFFER as u64, |m| m.len().saturating_add(1));
        let capacity = usize::try_from(size).unwrap_or(BUFFER).clamp(MIN_BUFFER, BUFFER);
        return Ok(Box::new(BufReader::with_capacity(
            capacity,
            CountingReader::new(file, counter),
        )));
    }
    decompress(CountingReader::new(file, counter), compression)
}

/// Opens stdin, decompressing it when it starts with a gzip or zstd magic
/// number.
pub fn open_stdin(counter: Arc<AtomicU64>) -> io::Result<InputReader> {
    let mut raw = BufReader::with_capacity(BUFFER, CountingReader::new(io::stdin(), counter));
    let compression = Compression::sniff(raw.fill_buf()?);
    decompress(raw, compression)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_compressions_from_names() {
        let rows: &[(&str, Format, Compression)] = &[
            ("a.txt", Format::Text, Compression::None),
            ("a", Format::Text, Compression::None),
            ("a.jsonl", Format::Jsonl, Compression::None),
            ("a.JSON", Format::Jsonl, Compression::None),
            ("a.ndjson.gz", Format::Jsonl, Compression::Gzip),
            ("a.jsonl.zst", Format::Jsonl, Compression::Zstd),
            ("a.txt.gz", Format::Text, Compression::Gzip),
            ("a.gz", Format::Text, Compression::Gzip),
        ];
        for &(name, format, compression) in rows {
            assert_eq!(Format::from_path(Path::new(name)), format, "{name}");
            assert_eq!(Compression::from_path(Path::new(name)), compression, "{name}");
        }
    }

    #[test]
    fn sniffs_magic_numbers() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Compression::Zstd);
        assert_eq!(Compression::sniff(b"{\"text\":1}"), Compression::None);
        assert_eq!(Compression::sniff(b""), Compression::None);
    }
}
