//! Reading baselines from git with git2: at any ref, and across history.
//! Nothing here touches the work tree or the index.

use crate::{BASELINE_DIR, BaselineId, BaselineSource, StoreError, parse_baseline};
use git2::{Oid, Repository};
use perflab_schema::Run;
use std::path::Path;

fn git_err(context: impl Into<String>) -> impl FnOnce(git2::Error) -> StoreError {
    let context = context.into();
    move |source| StoreError::Git { context, source }
}

/// The repository that holds the baselines.
pub struct GitRepo {
    repo: Repository,
    /// The baselines directory relative to the repository root, `/`-separated.
    prefix: String,
}

impl std::fmt::Debug for GitRepo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitRepo")
            .field("path", &self.repo.path())
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// One version of a baseline in its history.
#[derive(Debug, Clone)]
pub struct HistoryPoint {
    /// The commit that introduced this version of the file.
    pub commit: String,
    /// The commit's time, seconds since the epoch.
    pub time: i64,
    /// The commit's summary line.
    pub summary: String,
    pub run: Run,
}

impl GitRepo {
    /// Opens the repository containing `baselines_dir` (which need not exist
    /// yet); its path inside the repository is where baselines are read from.
    pub fn discover(baselines_dir: &Path) -> Result<Self, StoreError> {
        let start = baselines_dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let repo = Repository::discover(start).map_err(git_err(format!(
            "no git repository at or above {}",
            start.display()
        )))?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| {
                git_err("the repository is bare")(git2::Error::from_str("no work tree"))
            })?
            .to_owned();
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| StoreError::Io { path, source }
        };
        let workdir = workdir.canonicalize().map_err(io(&workdir))?;
        let parent = start.canonicalize().map_err(io(start))?;
        let name = baselines_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        let relative_parent = parent.strip_prefix(&workdir).unwrap_or(Path::new(""));
        let mut parts: Vec<String> = relative_parent
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        parts.push(name.unwrap_or_else(|| BASELINE_DIR.to_owned()));
        Ok(GitRepo {
            repo,
            prefix: parts.join("/"),
        })
    }

    /// Resolves a branch, tag, commit id or any revspec git understands
    /// (`HEAD~3`, `origin/main`) to a commit.
    pub fn resolve(&self, spec: &str) -> Result<Oid, StoreError> {
        let object = self
            .repo
            .revparse_single(spec)
            .map_err(git_err(format!("cannot resolve {spec:?} to a commit")))?;
        let commit = object
            .peel_to_commit()
            .map_err(git_err(format!("{spec:?} does not name a commit")))?;
        Ok(commit.id())
    }

    /// The merge-base of HEAD and `spec`: where a pull request branched off.
    pub fn merge_base_with(&self, spec: &str) -> Result<Oid, StoreError> {
        let other = self.resolve(spec)?;
        let head = self.resolve("HEAD")?;
        self.repo
            .merge_base(head, other)
            .map_err(git_err(format!("no merge-base between HEAD and {spec:?}")))
    }

    /// The baselines as they were at `commit`.
    pub fn snapshot(&self, commit: Oid, label: &str) -> GitSnapshot<'_> {
        GitSnapshot {
            repo: self,
            commit,
            label: label.to_owned(),
        }
    }

    fn blob_at(&self, commit: Oid, path: &str) -> Result<Option<Oid>, StoreError> {
        let commit = self
            .repo
            .find_commit(commit)
            .map_err(git_err(format!("commit {commit}")))?;
        let tree = commit
            .tree()
            .map_err(git_err(format!("tree of {}", commit.id())))?;
        match tree.get_path(Path::new(path)) {
            Ok(entry) if entry.kind() == Some(git2::ObjectType::Blob) => Ok(Some(entry.id())),
            Ok(_) => Ok(None),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(git_err(format!("{path} at {}", commit.id()))(e)),
        }
    }

    fn read_blob(&self, blob: Oid, origin: &str, id: &BaselineId) -> Result<Run, StoreError> {
        let blob = self
            .repo
            .find_blob(blob)
            .map_err(git_err(origin.to_owned()))?;
        parse_baseline(blob.content(), origin, id)
    }

    fn path_of(&self, id: &BaselineId) -> String {
        format!("{}/{}/{}.json", self.prefix, id.name(), id.machine_id())
    }

    /// The versions of a baseline along HEAD's first-parent history, oldest
    /// first, at most `max_points` of the newest. A version is recorded at
    /// the commit that introduced it, so re-committing an unchanged file adds
    /// nothing. Versions that fail to parse are returned as messages beside
    /// the points rather than failing the whole history.
    pub fn history(
        &self,
        id: &BaselineId,
        max_points: usize,
    ) -> Result<(Vec<HistoryPoint>, Vec<String>), StoreError> {
        let path = self.path_of(id);
        let mut walk = self.repo.revwalk().map_err(git_err("revwalk"))?;
        walk.push_head().map_err(git_err("reading HEAD"))?;
        walk.simplify_first_parent().map_err(git_err("revwalk"))?;
        // Newest first: each run of equal blobs ends (oldest) at the commit that introduced it.
        let mut versions: Vec<(Oid, Oid)> = Vec::new();
        for oid in walk {
            let oid = oid.map_err(git_err("walking history"))?;
            let Some(blob) = self.blob_at(oid, &path)? else {
                if versions.len() >= max_points {
                    break;
                }
                continue;
            };
            match versions.last_mut() {
                Some(last) if last.1 == blob => last.0 = oid,
                _ => {
                    if versions.len() >= max_points {
                        break;
                    }
                    versions.push((oid, blob));
                }
            }
        }
        let mut points = Vec::new();
        let mut skipped = Vec::new();
        for (commit_id, blob) in versions.into_iter().rev() {
            let commit = self
                .repo
                .find_commit(commit_id)
                .map_err(git_err("reading commit"))?;
            let origin = format!("{path} at {}", &commit_id.to_string()[..12]);
            match self.read_blob(blob, &origin, id) {
                Ok(run) => points.push(HistoryPoint {
                    commit: commit_id.to_string(),
                    time: commit.time().seconds(),
                    summary: commit
                        .summary()
                        .ok()
                        .flatten()
                        .unwrap_or_default()
                        .to_owned(),
                    run,
                }),
                Err(e) => skipped.push(e.to_string()),
            }
        }
        Ok((points, skipped))
    }
}

/// The baselines as they were at one commit.
#[derive(Debug)]
pub struct GitSnapshot<'r> {
    repo: &'r GitRepo,
    commit: Oid,
    label: String,
}

impl GitSnapshot<'_> {
    pub fn commit(&self) -> Oid {
        self.commit
    }
}

impl BaselineSource for GitSnapshot<'_> {
    fn describe(&self) -> String {
        format!("git {} ({})", self.label, &self.commit.to_string()[..12])
    }

    fn load(&self, id: &BaselineId) -> Result<Option<Run>, StoreError> {
        let path = self.repo.path_of(id);
        match self.repo.blob_at(self.commit, &path)? {
            None => Ok(None),
            Some(blob) => {
                let origin = format!("{path} at {}", self.describe());
                self.repo.read_blob(blob, &origin, id).map(Some)
            }
        }
    }

    fn list(&self) -> Result<Vec<BaselineId>, StoreError> {
        let repo = &self.repo.repo;
        let commit = repo
            .find_commit(self.commit)
            .map_err(git_err("reading commit"))?;
        let tree = commit.tree().map_err(git_err("reading tree"))?;
        let dir = match tree.get_path(Path::new(&self.repo.prefix)) {
            Ok(entry) => entry,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(git_err("reading baselines directory")(e)),
        };
        let dir = repo
            .find_tree(dir.id())
            .map_err(git_err("baselines is not a directory"))?;
        let mut ids = Vec::new();
        for name_entry in dir.iter() {
            let Ok(name) = name_entry.name() else {
                continue;
            };
            let Ok(sub) = repo.find_tree(name_entry.id()) else {
                continue;
            };
            for file in sub.iter() {
                if let Some(id) = file
                    .name()
                    .ok()
                    .and_then(|f| BaselineId::from_relative(name, f))
                {
                    ids.push(id);
                }
            }
        }
        ids.sort();
        Ok(ids)
    }
}
