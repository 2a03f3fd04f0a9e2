//! The tool types hand their tool's output to the adapters' parsers.

use crate::scripted::{copy_tree, fixtures, workspace};
use perflab_adapters::{Naming, criterion};
use perflab_collect::layout::RunDirs;
use perflab_collect::tools::{self, StepContext};
use perflab_schema::{Filters, Tool};

#[test]
fn the_criterion_type_reaches_the_same_parser() {
    let tool = tools::for_tool(Tool::Criterion).unwrap();
    assert_eq!(tool.tool(), Tool::Criterion);
    let dir = tempfile::tempdir().unwrap();
    let workspace = workspace(dir.path(), &[("crit", Tool::Criterion)]);
    let dirs = RunDirs::new(&workspace, 1);
    let scenario = &workspace.scenarios[0];
    let step = StepContext {
        scenario,
        bench: &scenario.benches[0],
        quick: true,
        profiling: false,
        filters: &Filters::default(),
        dirs: &dirs,
    };
    std::fs::create_dir_all(step.output()).unwrap();
    copy_tree(&fixtures().join("criterion/home"), &step.output());
    let via_trait = tool.read(&step, "").unwrap().measurements;
    let naming = Naming::new("sort", ["naive", "optimized"]);
    assert_eq!(
        via_trait,
        criterion::collect(&fixtures().join("criterion/home"), &naming).unwrap()
    );
}

#[test]
fn every_tool_perflab_runs_has_a_type_driving_it() {
    for tool in [
        Tool::Criterion,
        Tool::Gungraun,
        Tool::Divan,
        Tool::Goose,
        Tool::Dhat,
    ] {
        assert_eq!(tools::for_tool(tool).unwrap().tool(), tool);
    }
}
