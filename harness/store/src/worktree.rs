//! Baselines as files in the work tree: where `perflab baseline save` writes.

use crate::{BaselineId, BaselineSource, StoreError, normalize_for_baseline, parse_baseline};
use perflab_schema::Run;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The `baselines/` directory on disk.
#[derive(Debug, Clone)]
pub struct WorkTree {
    dir: PathBuf,
}

impl WorkTree {
    /// `dir` is the baselines directory itself (usually `<repo>/baselines`).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        WorkTree { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_of(&self, id: &BaselineId) -> PathBuf {
        self.dir.join(id.relative_path())
    }

    /// Writes `run` as baseline `name` for the run's own machine, atomically
    /// (see [`write_atomic`]): a crash never leaves a half-written baseline.
    pub fn save(&self, name: &str, run: &Run) -> Result<PathBuf, StoreError> {
        let id = BaselineId::new(name, &run.environment.machine_id)?;
        let path = self.path_of(&id);
        write_atomic(&path, normalize_for_baseline(run).to_json().as_bytes())?;
        Ok(path)
    }
}

/// Writes `bytes` to a temporary sibling of `path`, syncs it and renames it
/// into place, creating parent directories: readers see the old file or the
/// new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

impl BaselineSource for WorkTree {
    fn describe(&self) -> String {
        self.dir.display().to_string()
    }

    fn load(&self, id: &BaselineId) -> Result<Option<Run>, StoreError> {
        let path = self.path_of(id);
        match std::fs::read(&path) {
            Ok(bytes) => parse_baseline(&bytes, &path.display().to_string(), id).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StoreError::Io { path, source }),
        }
    }

    fn list(&self) -> Result<Vec<BaselineId>, StoreError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| StoreError::Io { path, source }
        };
        let mut ids = Vec::new();
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ids),
            Err(e) => return Err(io(&self.dir)(e)),
        };
        for entry in entries {
            let entry = entry.map_err(io(&self.dir))?;
            if !entry.file_type().map_err(io(&entry.path()))?.is_dir() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            for file in std::fs::read_dir(entry.path()).map_err(io(&entry.path()))? {
                let file = file.map_err(io(&entry.path()))?;
                if let Some(id) =
                    BaselineId::from_relative(&name, &file.file_name().to_string_lossy())
                {
                    ids.push(id);
                }
            }
        }
        ids.sort();
        Ok(ids)
    }
}
