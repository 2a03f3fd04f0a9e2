//! `perflab findings`: the slowest parts of one variant, ranked from what was
//! measured: its CPU profile (the folded stacks `perflab run --profile` kept),
//! a query analysis report (`dashboard explain --json`) and its load results.
//! The ranking itself is `perflab_findings`; this command only gathers inputs.

use crate::baselines;
use crate::cli::FindingsArgs;
use anyhow::{Context, Result, bail};
use perflab_findings::{Inputs, LoadResults, QUERY_REPORT_VERSION, QueryReport};
use perflab_profile::Folded;
use perflab_schema::{ArtifactKind, MetricKind, Run};
use std::path::Path;
use std::process::ExitCode;

pub fn run(args: &FindingsArgs) -> Result<ExitCode> {
    let workspace = super::workspace()?;
    let Some(scenario) = workspace.scenarios.iter().find(|s| s.name == args.scenario) else {
        let known: Vec<&str> = workspace
            .scenarios
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        bail!(
            "no scenario {:?} (scenarios: {})",
            args.scenario,
            known.join(", ")
        );
    };
    let variant = args
        .variant
        .clone()
        .unwrap_or_else(|| scenario.variants[0].clone());
    if !scenario.variants.contains(&variant) {
        bail!(
            "scenario {} has no variant {variant:?} ({})",
            scenario.name,
            scenario.variants.join(", ")
        );
    }
    let run = baselines::current_run(&workspace, args.run.as_deref())?;
    let in_scope = |s: &str, v: &str, b: &str| {
        s == scenario.name && v == variant && args.benchmark.as_ref().is_none_or(|g| g.matches(b))
    };

    let profile = merged_profile(&run, &in_scope)?;
    let load = load_results(&run, &in_scope);
    let queries = args.queries.as_deref().map(read_queries).transpose()?;
    if profile.is_none() && queries.is_none() && load.is_none() {
        bail!(
            "nothing to analyse for {} {variant}: the run has no profile or load results for it \
             (run `perflab run --profile`) and no --queries report was given",
            scenario.name
        );
    }
    eprintln!(
        "findings for {} {variant}: profile {}, query analysis {}, load results {}",
        scenario.name,
        profile.as_ref().map_or("absent".into(), |(f, n)| format!(
            "{} samples from {n} files",
            f.total_samples()
        )),
        if queries.is_some() { "given" } else { "absent" },
        if load.is_some() { "present" } else { "absent" },
    );
    let inputs = Inputs {
        profile: profile.as_ref().map(|(f, _)| f),
        queries: queries.as_ref(),
        load: load.as_ref(),
    };
    let findings = perflab_findings::findings(&inputs);
    println!("{}", perflab_render::render_findings(&findings));
    if let Some(path) = &args.markdown {
        let markdown = perflab_render::render_findings_markdown(&findings);
        perflab_fs::write_atomic(path, markdown.as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Every folded-stacks artifact in scope, merged, with how many files it took.
fn merged_profile(
    run: &Run,
    in_scope: &dyn Fn(&str, &str, &str) -> bool,
) -> Result<Option<(Folded, usize)>> {
    let mut merged = Folded::new();
    let mut files = 0;
    for a in &run.artifacts {
        if a.kind == ArtifactKind::FoldedStacks && in_scope(&a.scenario, &a.variant, &a.benchmark) {
            merged.merge(&Folded::read(Path::new(&a.path))?);
            files += 1;
        }
    }
    Ok((files > 0).then_some((merged, files)))
}

/// The worst p95 and the best throughput among the load benchmarks in scope.
fn load_results(run: &Run, in_scope: &dyn Fn(&str, &str, &str) -> bool) -> Option<LoadResults> {
    let values = |metric: MetricKind| {
        run.measurements
            .iter()
            .filter(move |m| {
                m.key.metric == metric
                    && in_scope(&m.key.scenario, &m.key.variant, &m.key.benchmark)
            })
            .map(|m| m.estimate)
    };
    let p95_ms = values(MetricKind::LatencyP95)
        .map(|ns| ns / 1e6)
        .reduce(f64::max);
    let throughput_rps = values(MetricKind::Throughput).reduce(f64::max);
    (p95_ms.is_some() || throughput_rps.is_some()).then_some(LoadResults {
        p95_ms,
        throughput_rps,
    })
}

fn read_queries(path: &Path) -> Result<QueryReport> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading query report {}", path.display()))?;
    let report: QueryReport = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not a query analysis report (`dashboard explain --json`)",
            path.display()
        )
    })?;
    if report.version != QUERY_REPORT_VERSION {
        bail!(
            "{}: query report version {} is not supported (this perflab reads version {QUERY_REPORT_VERSION})",
            path.display(),
            report.version
        );
    }
    Ok(report)
}
