//! Output files that are complete or absent: written under a temporary name
//! in the target directory, then renamed.
//!
//! The rename is what keeps a reader (or a later run) from ever seeing a
//! truncated file under the final name, whatever happens to the process. It
//! does not make the data durable across a power loss or a kernel crash:
//! that takes an `fsync` of each file before its rename, which costs a disk
//! flush per file and dominates the run time of a batch of many small
//! files. So syncing is opt-in ([`AtomicFile::sync`], `--fsync` on the
//! command line).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A file being written under a temporary name next to its final path.
///
/// Call [`AtomicFile::commit`] when everything is written: it flushes,
/// syncs if asked ([`AtomicFile::sync`]) and renames. Dropped without commit (an error, a panic), it deletes the
/// temporary file, so a failed write never leaves a file with the final
/// name; a crash leaves only a hidden `.*.declutter-tmp` file.
#[derive(Debug)]
pub struct AtomicFile {
    writer: Option<BufWriter<File>>,
    temp: PathBuf,
    path: PathBuf,
    overwrite: bool,
    sync: bool,
}

impl AtomicFile {
    /// Starts writing `path`. Fails if `path` exists and `overwrite` is false.
    pub fn create(path: &Path, overwrite: bool) -> io::Result<AtomicFile> {
        if !overwrite && path.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "output exists (use --force to overwrite)",
            ));
        }
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}-{unique}.declutter-tmp", std::process::id()));
        let file = File::create(&temp)?;
        Ok(AtomicFile {
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            temp,
            path: path.to_path_buf(),
            overwrite,
            sync: false,
        })
    }

    /// Whether [`AtomicFile::commit`] syncs the file to disk before renaming
    /// it, so that it survives a power loss. Disabled by default: the rename
    /// alone already guarantees a complete file or none.
    pub fn sync(mut self, yes: bool) -> AtomicFile {
        self.sync = yes;
        self
    }

    /// Flushes, syncs (if asked) and renames the file to its final name. On
    /// any error (the last buffered bytes cannot be written, the disk is
    /// full, the final name appeared meanwhile) the temporary file is removed.
    pub fn commit(mut self) -> io::Result<()> {
        let writer = self.writer.take().ok_or_else(|| io::Error::other("already committed"))?;
        let result = self.finish(writer);
        if result.is_err() {
            let _ = fs::remove_file(&self.temp);
        }
        result
    }

    fn finish(&self, writer: BufWriter<File>) -> io::Result<()> {
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        if self.sync {
            file.sync_all()?;
        }
        drop(file);
        if !self.overwrite && self.path.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "output exists (use --force to overwrite)",
            ));
        }
        fs::rename(&self.temp, &self.path)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.writer {
            Some(w) => w.write(buf),
            None => Err(io::Error::other("already committed")),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.writer {
            Some(w) => w.write_all(buf),
            None => Err(io::Error::other("already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.writer {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Writes `data` to `path` atomically and durably (see [`AtomicFile`]):
/// for single files such as a stats report, where a sync costs nothing.
pub fn write_atomic(path: &Path, data: &[u8], overwrite: bool) -> io::Result<()> {
    let mut file = AtomicFile::create(path, overwrite)?.sync(true);
    file.write_all(data)?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "declutter-atomic-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&dir).expect("mkdir");
        dir
    }

    #[test]
    fn writes_and_refuses_overwrite() {
        let dir = tempdir();
        let path = dir.join("a.txt");
        write_atomic(&path, b"one", false).expect("write");
        assert_eq!(fs::read(&path).expect("read"), b"one");
        assert!(write_atomic(&path, b"two", false).is_err());
        write_atomic(&path, b"two", true).expect("overwrite");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        assert_eq!(fs::read_dir(&dir).expect("ls").count(), 1, "no temp files left");
        fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn failed_commit_leaves_no_temp_file() {
        let dir = tempdir();
        let path = dir.join("c.txt");
        let mut f = AtomicFile::create(&path, false).expect("create");
        f.write_all(b"ours").expect("write");
        // Someone else writes the final name meanwhile: commit refuses.
        fs::write(&path, b"theirs").expect("write");
        let err = f.commit().expect_err("must not overwrite");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&path).expect("read"), b"theirs");
        assert_eq!(fs::read_dir(&dir).expect("ls").count(), 1, "the temp file is gone");
        fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn dropped_without_commit_leaves_nothing() {
        let dir = tempdir();
        let path = dir.join("b.txt");
        {
            let mut f = AtomicFile::create(&path, false).expect("create");
            f.write_all(b"partial").expect("write");
        }
        assert!(!path.exists());
        assert_eq!(fs::read_dir(&dir).expect("ls").count(), 0);
        fs::remove_dir_all(dir).ok();
    }
}
