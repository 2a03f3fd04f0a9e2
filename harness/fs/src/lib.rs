//! perflab's one way of writing results to disk: atomically.
//!
//! A run file, a baseline, a flamegraph or a report site is either the old
//! version or the new one, never half of one, even when the process is
//! killed or the disk fills up in the middle:
//!
//! - [`write_atomic`] writes a file to a temporary sibling, syncs it and
//!   renames it over the destination (a rename within one directory is
//!   atomic on POSIX file systems);
//! - [`replace_dir`] swaps a fully written staging directory in for an old
//!   one, putting the old one back if the swap fails.
//!
//! Every error names the path it was about. This crate decides nothing about
//! *where* files go; the stages do.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A file or directory could not be written; `path` is the destination.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

impl WriteError {
    fn at(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
        move |source| WriteError {
            path: path.to_owned(),
            source,
        }
    }
}

/// Temporary names are unique per process and per call, so two threads
/// writing the same destination never share a temporary file.
static NEXT_TEMP: AtomicU64 = AtomicU64::new(0);

/// A hidden sibling of `path` that no other writer uses.
pub fn temp_sibling(path: &Path) -> PathBuf {
    let parent = parent_of(path);
    let name = path
        .file_name()
        .map_or_else(|| "perflab".into(), |n| n.to_string_lossy().into_owned());
    let n = NEXT_TEMP.fetch_add(1, Ordering::Relaxed);
    parent.join(format!(".{name}.{}-{n}.tmp", std::process::id()))
}

fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes `bytes` to a temporary sibling of `path`, syncs it and renames it
/// into place, creating parent directories. On error the temporary file is
/// removed and `path` is as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    std::fs::create_dir_all(parent_of(path)).map_err(WriteError::at(path))?;
    let tmp = temp_sibling(path);
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        WriteError::at(path)(e)
    })
}

/// Moves the finished directory `staged` to `out`, replacing what was there.
/// If the final rename fails the previous `out` is put back, so there is
/// always one complete directory at `out` or none where there was none.
pub fn replace_dir(staged: &Path, out: &Path) -> Result<(), WriteError> {
    let old = staged.with_extension("old");
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(WriteError::at(&old))?;
    }
    if out.exists() {
        std::fs::rename(out, &old).map_err(WriteError::at(out))?;
    }
    if let Err(e) = std::fs::rename(staged, out) {
        // Put the previous directory back rather than leave none.
        let _ = std::fs::rename(&old, out);
        let _ = std::fs::remove_dir_all(staged);
        return Err(WriteError::at(out)(e));
    }
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(WriteError::at(&old))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_create_parents_and_replace_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/run.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["run.json"], "no temporary file is left behind");
    }

    #[test]
    fn a_failed_write_names_the_destination_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should go: the rename fails.
        let path = dir.path().join("taken");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("inside"), "kept").unwrap();
        let err = write_atomic(&path, b"new").unwrap_err();
        assert_eq!(err.path, path);
        assert!(err.to_string().starts_with(&path.display().to_string()));
        assert_eq!(
            std::fs::read_to_string(path.join("inside")).unwrap(),
            "kept"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn directories_are_swapped_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        for version in ["one", "two"] {
            let staged = temp_sibling(&out);
            std::fs::create_dir_all(&staged).unwrap();
            std::fs::write(staged.join("index.html"), version).unwrap();
            replace_dir(&staged, &out).unwrap();
            assert!(!staged.exists());
        }
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "two"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
