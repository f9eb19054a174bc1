//! Writing outputs, compressed as asked.

use std::fmt;
use std::io::{self, Write};

use flate2::write::GzEncoder;

use super::input::Compression;

/// The zstd level used for outputs (zstd's default).
const ZSTD_LEVEL: i32 = 3;

/// A writer that compresses what it is given; [`Compressed::finish`] ends
/// the stream and returns the inner writer.
pub enum Compressed<W: Write> {
    /// Written as it is.
    Plain(W),
    /// gzip.
    Gzip(GzEncoder<W>),
    /// Zstandard.
    Zstd(zstd::stream::write::Encoder<'static, W>),
}

impl<W: Write> fmt::Debug for Compressed<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Compressed::Plain(_) => "Compressed::Plain",
            Compressed::Gzip(_) => "Compressed::Gzip",
            Compressed::Zstd(_) => "Compressed::Zstd",
        })
    }
}

impl<W: Write> Compressed<W> {
    /// Starts a stream compressed with `compression` over `inner`.
    pub fn new(inner: W, compression: Compression) -> io::Result<Compressed<W>> {
        Ok(match compression {
            Compression::None => Compressed::Plain(inner),
            Compression::Gzip => {
                Compressed::Gzip(GzEncoder::new(inner, flate2::Compression::default()))
            }
            Compression::Zstd => {
                Compressed::Zstd(zstd::stream::write::Encoder::new(inner, ZSTD_LEVEL)?)
            }
        })
    }

    /// Writes the end of the compressed stream and returns the inner writer
    /// (not flushed).
    pub fn finish(self) -> io::Result<W> {
        match self {
            Compressed::Plain(w) => Ok(w),
            Compressed::Gzip(w) => w.finish(),
            Compressed::Zstd(w) => w.finish(),
        }
    }
}

impl<W: Write> Write for Compressed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Compressed::Plain(w) => w.write(buf),
            Compressed::Gzip(w) => w.write(buf),
            Compressed::Zstd(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Compressed::Plain(w) => w.write_all(buf),
            Compressed::Gzip(w) => w.write_all(buf),
            Compressed::Zstd(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Compressed::Plain(w) => w.flush(),
            Compressed::Gzip(w) => w.flush(),
            Compressed::Zstd(w) => w.flush(),
        }
    }
}
