//! `perflab run --profile`: CPU flamegraphs for every benchmark, and the
//! differential flamegraph of each variant against the reference variant.
//!
//! Layout, one directory per benchmark so related pictures sit together:
//! `target/perflab/profiles/<run>/<scenario>/<benchmark>/<variant>.{folded,svg}`
//! and `<reference>-vs-<variant>.diff.svg`. Criterion benches are profiled by
//! the `CriterionProfiler` hook during a separate `--profile-time` pass (a
//! profiled run measures nothing); benches that write fragments profile
//! themselves into `$PERFLAB_PROFILE_DIR` and list their folded stacks as
//! artifacts. Either way the diffs are drawn here, from the folded stacks.
//!
//! Sampling and drawing are `perflab-profile`'s; this module only finds the
//! folded stacks, names them after perflab keys and decides which pairs to
//! draw.

use crate::error::{CollectError, Result};
use crate::workspace::Scenario;
use perflab_adapters::Naming;
use perflab_profile::{CRITERION_PROFILE_NAME, Folded, benchmark_dir};
use perflab_schema::{Artifact, ArtifactKind, MetricKind};
use std::path::{Path, PathBuf};

/// Finds every `<home>/<id…>/profile/flamegraph.folded` criterion's profiler
/// hook wrote, re-renders it under `root` and returns the artifacts.
pub fn collect_criterion(home: &Path, naming: &Naming, root: &Path) -> Result<Vec<Artifact>> {
    let mut artifacts = Vec::new();
    let file = format!("{CRITERION_PROFILE_NAME}.folded");
    for folded_path in find_files(home, &file)? {
        // <home>/<group>/<function>/<value>/profile/flamegraph.folded
        let Some(id_dir) = folded_path.parent().and_then(Path::parent) else {
            continue;
        };
        let Ok(relative) = id_dir.strip_prefix(home) else {
            continue;
        };
        let segments: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let key = naming.key(&segments, MetricKind::WallTime);
        let folded = Folded::read(&folded_path)?;
        let dir = benchmark_dir(root, &key.scenario, &key.benchmark);
        let title = format!("{} {} {}", key.scenario, key.variant, key.benchmark);
        let files = perflab_profile::write_folded(&dir, &key.variant, &folded, &title)?;
        for (kind, path) in [
            (ArtifactKind::FoldedStacks, files.folded),
            (ArtifactKind::Flamegraph, files.svg),
        ] {
            artifacts.push(Artifact {
                scenario: key.scenario.clone(),
                variant: key.variant.clone(),
                benchmark: key.benchmark.clone(),
                kind,
                path: path.display().to_string(),
                against: None,
            });
        }
    }
    Ok(artifacts)
}

/// Draws `<reference>-vs-<variant>.diff.svg` for every benchmark that has
/// folded stacks for the reference and another variant.
pub fn diffs(scenarios: &[Scenario], artifacts: &[Artifact], root: &Path) -> Result<Vec<Artifact>> {
    let folded = |scenario: &str, variant: &str, benchmark: &str| {
        artifacts.iter().find(|a| {
            a.kind == ArtifactKind::FoldedStacks
                && a.scenario == scenario
                && a.variant == variant
                && a.benchmark == benchmark
        })
    };
    let mut out = Vec::new();
    for scenario in scenarios {
        let Some((reference, others)) = scenario.variants.split_first() else {
            continue;
        };
        let mut benchmarks: Vec<&str> = artifacts
            .iter()
            .filter(|a| a.scenario == scenario.name && a.kind == ArtifactKind::FoldedStacks)
            .map(|a| a.benchmark.as_str())
            .collect();
        benchmarks.sort_unstable();
        benchmarks.dedup();
        for benchmark in benchmarks {
            let Some(before) = folded(&scenario.name, reference, benchmark) else {
                continue;
            };
            let before_stacks = Folded::read(Path::new(&before.path))?;
            for candidate in others {
                let Some(after) = folded(&scenario.name, candidate, benchmark) else {
                    continue;
                };
                let after_stacks = Folded::read(Path::new(&after.path))?;
                let dir = benchmark_dir(root, &scenario.name, benchmark);
                let path = perflab_profile::write_diff(
                    &dir,
                    reference,
                    &before_stacks,
                    candidate,
                    &after_stacks,
                )
                .map_err(|source| CollectError::Diff {
                    scenario: scenario.name.clone(),
                    benchmark: benchmark.to_owned(),
                    source,
                })?;
                out.push(Artifact {
                    scenario: scenario.name.clone(),
                    variant: candidate.clone(),
                    benchmark: benchmark.to_owned(),
                    kind: ArtifactKind::DiffFlamegraph,
                    path: path.display().to_string(),
                    against: Some(reference.clone()),
                });
            }
        }
    }
    Ok(out)
}

/// Every file named `name` below `dir`.
fn find_files(dir: &Path, name: &str) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(CollectError::io("reading", dir, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| CollectError::io("reading", &dir, e))?;
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            } else if entry.file_name() == name {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}
