//! Finding input files: files as given, directories walked recursively.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// One input file found by [`walk_inputs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Where to read it.
    pub path: PathBuf,
    /// Its path relative to the directory argument it was found under (its
    /// file name when it was given directly): where its output goes under an
    /// output directory.
    pub relative: PathBuf,
}

/// Expands files and directories into input files, in a stable order
/// (arguments in order, directory entries sorted by name). Hidden files and
/// directories (names starting with `.`) inside a directory are skipped.
///
/// Errors (an unreadable directory, a missing path) are returned alongside
/// the files found, so one bad path does not stop the others.
pub fn walk_inputs(paths: &[PathBuf]) -> (Vec<InputFile>, Vec<(PathBuf, io::Error)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk_dir(path, path, &mut files, &mut errors),
            Ok(_) => files.push(InputFile {
                path: path.clone(),
                relative: path.file_name().map(PathBuf::from).unwrap_or_else(|| path.clone()),
            }),
            Err(e) => errors.push((path.clone(), e)),
        }
    }
    (files, errors)
}

fn walk_dir(
    root: &Path,
    dir: &Path,
    files: &mut Vec<InputFile>,
    errors: &mut Vec<(PathBuf, io::Error)>,
) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push((dir.to_path_buf(), e));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                if !entry.file_name().to_string_lossy().starts_with('.') {
                    paths.push(entry.path());
                }
            }
            Err(e) => errors.push((dir.to_path_buf(), e)),
        }
    }
    paths.sort();
    for path in paths {
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => walk_dir(root, &path, files, errors),
            Ok(_) => {
                let relative =
                    path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.clone());
                files.push(InputFile { path, relative });
            }
            Err(e) => errors.push((path, e)),
        }
    }
}
