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
/// Symbolic links are followed, except a link to a directory that is being
/// walked already (a file system loop): it is reported as an error and not
/// entered, so the walk ends and finds each file once.
///
/// Errors (an unreadable directory, a missing path, a loop) are returned
/// alongside the files found, so one bad path does not stop the others.
pub fn walk_inputs(paths: &[PathBuf]) -> (Vec<InputFile>, Vec<(PathBuf, io::Error)>) {
    walk_inputs_except(paths, None)
}

/// [`walk_inputs`], without entering the directory `output` (compared by
/// canonical path) when it is met inside a directory being walked: a batch
/// whose output directory lies inside its input directory does not read
/// its own outputs back as inputs on the next run. A path given directly
/// is always read, even when it is `output` or lies inside it.
pub fn walk_inputs_except(
    paths: &[PathBuf],
    output: Option<&Path>,
) -> (Vec<InputFile>, Vec<(PathBuf, io::Error)>) {
    // An output directory that does not exist yet holds no inputs.
    let skip = output.and_then(|dir| fs::canonicalize(dir).ok());
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let mut walk = Walk { root: path, skip: skip.as_deref(), ancestors: Vec::new() };
                walk.dir(path, &mut files, &mut errors)
            }
            Ok(_) => files.push(InputFile {
                path: path.clone(),
                relative: path.file_name().map(PathBuf::from).unwrap_or_else(|| path.clone()),
            }),
            Err(e) => errors.push((path.clone(), e)),
        }
    }
    (files, errors)
}

/// One directory argument being walked.
struct Walk<'a> {
    /// The directory argument: input paths are made relative to it.
    root: &'a Path,
    /// A directory not to enter below the root (the output directory).
    skip: Option<&'a Path>,
    /// The canonical paths of the directories being walked above the
    /// current one.
    ancestors: Vec<PathBuf>,
}

impl Walk<'_> {
    /// Walks `dir`.
    fn dir(
        &mut self,
        dir: &Path,
        files: &mut Vec<InputFile>,
        errors: &mut Vec<(PathBuf, io::Error)>,
    ) {
        let canonical = match fs::canonicalize(dir) {
            Ok(canonical) => canonical,
            Err(e) => {
                errors.push((dir.to_path_buf(), e));
                return;
            }
        };
        if !self.ancestors.is_empty() && self.skip == Some(canonical.as_path()) {
            return;
        }
        if self.ancestors.contains(&canonical) {
            let loop_error = io::Error::other(format!(
                "file system loop: {} is a directory already being read",
                canonical.display()
            ));
            errors.push((dir.to_path_buf(), loop_error));
            return;
        }
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                errors.push((dir.to_path_buf(), e));
                return;
            }
        };
        // Each entry's type comes with the directory listing (no system call per
        // file); only a symbolic link is followed with `fs::metadata`.
        let mut paths: Vec<(PathBuf, io::Result<fs::FileType>)> = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => {
                    if !entry.file_name().to_string_lossy().starts_with('.') {
                        paths.push((entry.path(), entry.file_type()));
                    }
                }
                Err(e) => errors.push((dir.to_path_buf(), e)),
            }
        }
        paths.sort_by(|a, b| a.0.cmp(&b.0));
        self.ancestors.push(canonical);
        for (path, file_type) in paths {
            let is_dir = match file_type {
                Ok(file_type) if !file_type.is_symlink() => Ok(file_type.is_dir()),
                _ => fs::metadata(&path).map(|meta| meta.is_dir()),
            };
            match is_dir {
                Ok(true) => self.dir(&path, files, errors),
                Ok(false) => {
                    let relative = path
                        .strip_prefix(self.root)
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|_| path.clone());
                    files.push(InputFile { path, relative });
                }
                Err(e) => errors.push((path, e)),
            }
        }
        self.ancestors.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symlink_loop_is_an_error_not_a_deep_walk() {
        let dir = std::env::temp_dir().join(format!("declutter-walk-loop-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub")).expect("mkdir");
        fs::write(dir.join("sub/a.txt"), "a").expect("write");
        std::os::unix::fs::symlink("..", dir.join("sub/up")).expect("symlink");
        std::os::unix::fs::symlink("sub", dir.join("side")).expect("symlink");
        std::os::unix::fs::symlink("sub/a.txt", dir.join("link.txt")).expect("symlink");
        let (files, errors) = walk_inputs(std::slice::from_ref(&dir));
        let relative: Vec<&Path> = files.iter().map(|f| f.relative.as_path()).collect();
        // A link to a directory outside the current branch is followed, a
        // link to a file is a file; a link back to an ancestor is reported
        // once per place it is met.
        assert_eq!(
            relative,
            [Path::new("link.txt"), Path::new("side/a.txt"), Path::new("sub/a.txt")]
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().all(|(p, e)| p.ends_with("up") && e.to_string().contains("loop")));
        fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn an_output_directory_inside_an_input_directory_is_not_entered() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("in");
        fs::create_dir_all(dir.join("out/deeper")).expect("mkdir");
        fs::create_dir_all(dir.join("sub")).expect("mkdir");
        for file in ["a.txt", "out/old.txt", "out/deeper/old.txt", "sub/b.txt"] {
            fs::write(dir.join(file), "x").expect("write");
        }
        let relative = |files: &[InputFile]| -> Vec<PathBuf> {
            files.iter().map(|f| f.relative.clone()).collect()
        };
        // Spelled another way than the walk meets it: compared canonically.
        let output = dir.join("sub/../out");
        let (files, errors) = walk_inputs_except(std::slice::from_ref(&dir), Some(&output));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(relative(&files), [PathBuf::from("a.txt"), PathBuf::from("sub/b.txt")]);
        // Without an output, or with one that does not exist yet, all is read.
        let all = [
            PathBuf::from("a.txt"),
            PathBuf::from("out/deeper/old.txt"),
            PathBuf::from("out/old.txt"),
            PathBuf::from("sub/b.txt"),
        ];
        assert_eq!(relative(&walk_inputs(std::slice::from_ref(&dir)).0), all);
        let missing = tmp.path().join("elsewhere");
        assert_eq!(
            relative(&walk_inputs_except(std::slice::from_ref(&dir), Some(&missing)).0),
            all
        );
        // An output that is the input directory itself (cleaning in place)
        // or a path given directly is read.
        assert_eq!(relative(&walk_inputs_except(std::slice::from_ref(&dir), Some(&dir)).0), all);
        let given = [dir.join("out")];
        let (files, _) = walk_inputs_except(&given, Some(&output));
        assert_eq!(relative(&files), [PathBuf::from("deeper/old.txt"), PathBuf::from("old.txt")]);
    }
}
