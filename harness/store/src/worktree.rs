//! Baselines as files in the work tree: where `perflab baseline save` writes.

use crate::{BaselineId, BaselineSource, StoreError, normalize_for_baseline, parse_baseline};
use perflab_schema::Run;
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
    /// ([`perflab_fs::write_atomic`]): a crash never leaves a half-written baseline.
    pub fn save(&self, name: &str, run: &Run) -> Result<PathBuf, StoreError> {
        let id = BaselineId::new(name, &run.environment.machine_id)?;
        let path = self.path_of(&id);
        perflab_fs::write_atomic(&path, normalize_for_baseline(run).to_json().as_bytes())?;
        Ok(path)
    }
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
