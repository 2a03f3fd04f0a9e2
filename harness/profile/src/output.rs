//! Writing profiles to disk: `<name>.folded` beside `<name>.svg`, and
//! `<before>-vs-<after>.diff.svg` for a comparison.
//!
//! Every file is written to a temporary file in the same directory and then
//! renamed into place, so a reader (a dashboard, a CI artifact upload) never
//! sees half a file, and an interrupted run leaves the previous file intact.
//! The folded file is what to keep: the SVG can always be redrawn from it.
//! Nothing here samples or computes; it only renders and writes.

use std::path::{Path, PathBuf};

use crate::error::{ProfileError, Result};
use crate::folded::Folded;
use crate::render::{diff_flamegraph_svg, flamegraph_svg};
use crate::sampler::Profile;

/// The directory holding one benchmark's profiles under a run's profile
/// root: `<root>/<scenario>/<benchmark>` with `/` in the benchmark name
/// written as `~`. perflab and the benches that profile themselves both use
/// it, so every flamegraph of a benchmark lands in one place.
pub fn benchmark_dir(root: &Path, scenario: &str, benchmark: &str) -> PathBuf {
    root.join(scenario).join(benchmark.replace('/', "~"))
}

/// The two files [`write_profile`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFiles {
    /// `<dir>/<name>.folded`
    pub folded: PathBuf,
    /// `<dir>/<name>.svg`
    pub svg: PathBuf,
}

/// Writes `<dir>/<name>.folded` and `<dir>/<name>.svg`, creating `dir`.
///
/// The SVG title names the profile and its measured sampling rate. Both files
/// are rendered before either is written, so an empty profile (an error)
/// writes nothing.
pub fn write_profile(dir: &Path, name: &str, profile: &Profile) -> Result<ProfileFiles> {
    write_folded(dir, name, &profile.folded, &profile.title(name))
}

/// Writes `<dir>/<name>.folded` and `<dir>/<name>.svg` for stacks that did
/// not come from a [`crate::Profiler`] (a kept or foreign `.folded` file).
pub fn write_folded(dir: &Path, name: &str, folded: &Folded, title: &str) -> Result<ProfileFiles> {
    check_name(name)?;
    let svg = flamegraph_svg(folded, title)?;
    create_dir(dir)?;
    let files = ProfileFiles {
        folded: dir.join(format!("{name}.folded")),
        svg: dir.join(format!("{name}.svg")),
    };
    write_atomic(&files.folded, folded.to_folded_string().as_bytes())?;
    write_atomic(&files.svg, svg.as_bytes())?;
    Ok(files)
}

/// Writes the differential flamegraph of `before` → `after` to
/// `<dir>/<before_name>-vs-<after_name>.diff.svg` (red = grew, blue = shrank,
/// widths from `after`; see [`crate::render`]) and returns its path.
pub fn write_diff(
    dir: &Path,
    before_name: &str,
    before: &Folded,
    after_name: &str,
    after: &Folded,
) -> Result<PathBuf> {
    check_name(before_name)?;
    check_name(after_name)?;
    let title =
        format!("{before_name} vs {after_name}: red grew, blue shrank, widths are {after_name}");
    let svg = diff_flamegraph_svg(before, after, &title)?;
    create_dir(dir)?;
    let path = dir.join(format!("{before_name}-vs-{after_name}.diff.svg"));
    write_atomic(&path, svg.as_bytes())?;
    Ok(path)
}

/// Names become file names: refuse anything that would leave `dir`.
fn check_name(name: &str) -> Result<()> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\', '\0'])
        || name.starts_with('.');
    if bad {
        return Err(ProfileError::InvalidName {
            name: name.to_owned(),
        });
    }
    Ok(())
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| ProfileError::Write {
        path: dir.to_owned(),
        source,
    })
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    perflab_fs::write_atomic(path, bytes).map_err(|e| ProfileError::Write {
        path: e.path,
        source: e.source,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn profile(text: &str) -> Profile {
        Profile::new(Folded::parse(text).unwrap(), Duration::from_secs(1), 997)
    }

    #[test]
    fn writes_folded_and_svg_side_by_side() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("nested/out");
        let files = write_profile(&out, "parse", &profile("main;parse 5\n")).unwrap();
        assert_eq!(files.folded, out.join("parse.folded"));
        assert_eq!(files.svg, out.join("parse.svg"));
        assert_eq!(
            Folded::read(&files.folded).unwrap(),
            profile("main;parse 5\n").folded
        );
        let svg = std::fs::read_to_string(&files.svg).unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("parse"));
        assert!(svg.contains("5 samples in 1.00 s (5 Hz effective, 997 Hz requested)"));
        // No temporary files left behind.
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2);
    }

    #[test]
    fn rewriting_replaces_the_files() {
        let dir = tempfile::tempdir().unwrap();
        write_profile(dir.path(), "p", &profile("a 1\n")).unwrap();
        let files = write_profile(dir.path(), "p", &profile("b 2\n")).unwrap();
        assert_eq!(std::fs::read_to_string(files.folded).unwrap(), "b 2\n");
    }

    #[test]
    fn empty_profile_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_profile(dir.path(), "empty", &profile("")).unwrap_err();
        assert!(matches!(err, ProfileError::EmptyProfile { .. }));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn names_cannot_escape_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["", ".", "..", "../x", "a/b", ".hidden", "a\\b"] {
            let err = write_profile(dir.path(), name, &profile("a 1\n")).unwrap_err();
            assert!(
                matches!(err, ProfileError::InvalidName { .. }),
                "{name}: {err}"
            );
        }
    }

    #[test]
    fn writes_diff_svg() {
        let dir = tempfile::tempdir().unwrap();
        let before = Folded::parse("main;a 1\nmain;b 1\n").unwrap();
        let after = Folded::parse("main;a 3\nmain;b 1\n").unwrap();
        let path = write_diff(dir.path(), "v1", &before, "v2", &after).unwrap();
        assert_eq!(path, dir.path().join("v1-vs-v2.diff.svg"));
        let svg = std::fs::read_to_string(path).unwrap();
        assert!(svg.contains("<svg") && svg.contains("v1 vs v2"));
    }

    #[test]
    fn write_errors_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        // A directory that cannot be created because a file is in the way.
        let err = write_profile(&file.join("sub"), "p", &profile("a 1\n")).unwrap_err();
        assert!(err.to_string().contains("a-file"), "{err}");
    }
}
