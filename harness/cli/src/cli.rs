//! Command-line types. They only describe what the user typed; commands turn
//! them into plans and sources (`LowArgs` before `HiArgs`, as ripgrep says).

use crate::filter::Glob;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// perflab: benchmark scenarios, keep baselines in git, gate CI on regressions.
///
/// Exit codes: 0 success (gate passed), 1 the gate found a regression, 2 error.
#[derive(Debug, Parser)]
#[command(name = "perflab", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Commands,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Run every scenario's benches and write one run file.
    Run(RunArgs),
    /// Save, list and inspect baselines stored under baselines/.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Compare a run with a baseline, and each scenario's variants with each other.
    Compare(CompareArgs),
    /// Decide whether a run regressed against a baseline (exit 0 pass, 1 regression, 2 error).
    Gate(GateArgs),
    /// Rank a variant's slowest parts from its CPU profile, query analysis and load results.
    Findings(FindingsArgs),
    /// Render a static HTML site of a run against the baseline (opens offline from reports/site/index.html).
    Report(ReportArgs),
    /// Print the JSON Schema of run and baseline files.
    Schema,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Bounded, short runs for CI smoke tests and first contact.
    #[arg(long, env = "PERFLAB_QUICK_RUN")]
    pub quick: bool,
    /// Tools to run (default: all but divan, which is for local iteration).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_values = ["criterion", "gungraun", "goose", "dhat"],
        env = "PERFLAB_TOOLS"
    )]
    pub tools: Vec<ToolArg>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Also draw CPU flamegraphs of every benchmark, and differential
    /// flamegraphs of each variant against the reference variant.
    #[arg(long, env = "PERFLAB_PROFILE")]
    pub profile: bool,
    /// Seconds to profile each criterion benchmark for (default: 5, quick: 2).
    #[arg(long, value_name = "SECONDS", requires = "profile")]
    pub profile_time: Option<f64>,
    /// Write the run file here (default: target/perflab/runs/<time>-<commit>.json).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ToolArg {
    Criterion,
    Gungraun,
    Divan,
    Goose,
    Dhat,
}

impl From<ToolArg> for perflab_schema::Tool {
    fn from(tool: ToolArg) -> Self {
        match tool {
            ToolArg::Criterion => perflab_schema::Tool::Criterion,
            ToolArg::Gungraun => perflab_schema::Tool::Gungraun,
            ToolArg::Divan => perflab_schema::Tool::Divan,
            ToolArg::Goose => perflab_schema::Tool::Goose,
            ToolArg::Dhat => perflab_schema::Tool::Dhat,
        }
    }
}

/// Filters over scenarios, variants and benchmarks (shell globs, repeatable).
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// Only scenarios matching this glob.
    #[arg(long = "scenario", short = 's', value_name = "GLOB", value_parser = crate::filter::parse_glob)]
    pub scenario: Vec<Glob>,
    /// Only variants matching this glob (e.g. optimized).
    #[arg(long = "variant", value_name = "GLOB", value_parser = crate::filter::parse_glob)]
    pub variant: Vec<Glob>,
    /// Only benchmarks matching this glob (e.g. 'complete/*1M*').
    #[arg(long = "bench", short = 'b', value_name = "GLOB", value_parser = crate::filter::parse_glob)]
    pub benchmark: Vec<Glob>,
}

impl FilterArgs {
    pub fn filters(&self) -> crate::filter::Filters {
        crate::filter::Filters {
            scenario: self.scenario.clone(),
            variant: self.variant.clone(),
            benchmark: self.benchmark.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Save a run as a baseline under baselines/<name>/<machine-id>.json.
    Save {
        /// The run file to save (default: the latest run).
        #[arg(long)]
        run: Option<PathBuf>,
        /// Baseline name.
        #[arg(long, default_value = "main", env = "PERFLAB_BASELINE")]
        name: String,
    },
    /// List the baselines in the work tree or at a git ref.
    List {
        #[command(flatten)]
        source: SourceArgs,
    },
    /// Print a baseline's values across the commits that changed it.
    History {
        #[arg(long, default_value = "main", env = "PERFLAB_BASELINE")]
        name: String,
        /// Machine id (default: this machine's).
        #[arg(long, env = "PERFLAB_BASELINE_MACHINE")]
        machine: Option<String>,
        #[command(flatten)]
        filters: FilterArgs,
        /// Only this metric (e.g. instructions).
        #[arg(long)]
        metric: Option<String>,
        /// At most this many versions, newest kept.
        #[arg(long, default_value_t = 200)]
        limit: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Where the baseline comes from.
#[derive(Debug, Args, Default, Clone)]
pub struct SourceArgs {
    /// Read baselines at this git ref (branch, tag, commit) instead of the work tree.
    #[arg(
        long,
        value_name = "REF",
        env = "PERFLAB_AGAINST",
        conflicts_with = "merge_base"
    )]
    pub against: Option<String>,
    /// Read baselines at the merge-base of HEAD and this branch (where a PR forked).
    #[arg(long, value_name = "BRANCH", env = "PERFLAB_MERGE_BASE")]
    pub merge_base: Option<String>,
}

/// Which baseline to compare with.
#[derive(Debug, Args, Clone)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Baseline name.
    #[arg(long, default_value = "main", env = "PERFLAB_BASELINE")]
    pub name: String,
    /// Compare with the baseline of another machine, deliberately.
    #[arg(long, env = "PERFLAB_BASELINE_MACHINE")]
    pub machine: Option<String>,
    /// The run to check (default: the latest run).
    #[arg(long)]
    pub run: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub baseline: BaselineArgs,
    /// Gate configuration for the comparison's limits (default: perflab.toml at the workspace root, built-in rules if absent).
    #[arg(long, env = "PERFLAB_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Only compare variants within the run; skip the baseline.
    #[arg(long)]
    pub variants_only: bool,
}

#[derive(Debug, Args)]
pub struct FindingsArgs {
    /// The scenario to analyse.
    #[arg(long, short = 's')]
    pub scenario: String,
    /// The variant to analyse (default: the scenario's reference variant).
    #[arg(long)]
    pub variant: Option<String>,
    /// Only profiles and load results of benchmarks matching this glob.
    #[arg(long = "bench", short = 'b', value_name = "GLOB", value_parser = crate::filter::parse_glob)]
    pub benchmark: Option<crate::filter::Glob>,
    /// A query analysis report (`dashboard explain --json` output).
    #[arg(long, value_name = "FILE")]
    pub queries: Option<PathBuf>,
    /// The run to read profiles and load results from (default: the latest run).
    #[arg(long)]
    pub run: Option<PathBuf>,
    /// Also write the findings as Markdown to this file.
    #[arg(long)]
    pub markdown: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    #[command(flatten)]
    pub baseline: BaselineArgs,
    /// Gate configuration (default: perflab.toml at the workspace root, built-in rules if absent).
    #[arg(long, env = "PERFLAB_CONFIG")]
    pub config: Option<PathBuf>,
    /// Also write the Markdown summary to this file (it is appended to
    /// $GITHUB_STEP_SUMMARY automatically when that is set).
    #[arg(long, env = "PERFLAB_MARKDOWN")]
    pub markdown: Option<PathBuf>,
    /// Print GitHub workflow annotations (default: when GITHUB_ACTIONS=true).
    #[arg(long)]
    pub annotations: bool,
    /// Where the `perflab report` site is published (e.g.
    /// https://org.github.io/repo/): the Markdown links each benchmark to its
    /// page there. Unset: links relative to the workspace root, into
    /// reports/site/ (they resolve when the Markdown is read from the root).
    #[arg(long, value_name = "URL", env = "PERFLAB_REPORT_URL")]
    pub report_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub baseline: BaselineArgs,
    /// Gate configuration for the verdicts shown (default: perflab.toml at the workspace root).
    #[arg(long, env = "PERFLAB_CONFIG")]
    pub config: Option<PathBuf>,
    /// Write the site here, replacing an earlier report (default: reports/site at the workspace root).
    #[arg(long, value_name = "DIR", env = "PERFLAB_REPORT_DIR")]
    pub out: Option<PathBuf>,
    /// At most this many baseline versions in history charts, newest kept.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 200,
        env = "PERFLAB_REPORT_HISTORY"
    )]
    pub history: usize,
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
