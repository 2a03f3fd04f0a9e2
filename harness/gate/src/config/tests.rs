use super::*;

fn key(scenario: &str, variant: &str, benchmark: &str, metric: MetricKind) -> MeasurementKey {
    MeasurementKey {
        scenario: scenario.into(),
        variant: variant.into(),
        benchmark: benchmark.into(),
        metric,
    }
}

fn err(text: &str) -> String {
    Config::parse(text).unwrap_err().to_string()
}

#[test]
fn an_empty_file_is_the_builtin_configuration() {
    let config = Config::parse("").unwrap();
    assert_eq!(config, Config::default());
    let ir = config.resolve(&key("s", "v", "b", MetricKind::Instructions));
    assert!(ir.gate);
    assert_eq!(ir.limits.soft_pct, Some(perflab_compare::DEFAULT_SOFT_PCT));
    assert_eq!(ir.source, Source::BuiltIn);
    let wall = config.resolve(&key("s", "v", "b", MetricKind::WallTime));
    assert!(!wall.gate);
    assert_eq!(
        wall.limits.min_effect_pct,
        perflab_compare::DEFAULT_MIN_EFFECT_PCT
    );
    assert_eq!(wall.slo, Slo::default());
}

#[test]
fn the_example_file_parses_and_means_what_it_says() {
    let config = Config::parse(include_str!("../../perflab.example.toml")).unwrap();

    let hot = config.resolve(&key(
        "autocomplete",
        "optimized",
        "complete/terms=1M",
        MetricKind::Instructions,
    ));
    assert!(hot.gate);
    assert_eq!(hot.limits.soft_pct, Some(1.0));
    assert_eq!(hot.limits.hard_abs, Some(100_000.0));
    assert_eq!(
        hot.source,
        Source::Rule {
            number: 1,
            line: 46
        }
    );

    // Both rules match; the one with three selectors wins the soft limit, the
    // naive-variant rule still contributes `gate = false`.
    let naive = config.resolve(&key(
        "autocomplete",
        "naive",
        "complete/terms=1M",
        MetricKind::Instructions,
    ));
    assert!(!naive.gate);
    assert_eq!(naive.limits.soft_pct, Some(1.0));

    let wall = config.resolve(&key("other", "optimized", "x", MetricKind::WallTime));
    assert!(wall.gate);
    assert_eq!(wall.limits.min_effect_pct, 10.0);
    assert_eq!(wall.limits.confidence, 0.95);
    assert_eq!(wall.source, Source::Metric(MetricKind::WallTime));

    let p95 = config.resolve(&key("load", "v", "search", MetricKind::LatencyP95));
    assert_eq!(p95.slo.max, Some(500_000_000.0));
    assert!(!p95.gate && p95.slo_gate);
    let tput = config.resolve(&key("load", "v", "search", MetricKind::Throughput));
    assert_eq!(tput.slo.min, Some(1_000.0));

    let cycles = config.resolve(&key("other", "v", "x", MetricKind::EstimatedCycles));
    assert!(!cycles.gate);
    let l1 = config.resolve(&key("other", "v", "x", MetricKind::L1Hits));
    assert_eq!(l1.source, Source::Defaults);
}

#[test]
fn more_selectors_win_regardless_of_file_order() {
    let config = Config::parse(
        r#"
[[rules]]
scenario = "s"
benchmark = "b"
metric = "instructions"
soft_pct = 1.0

[[rules]]
scenario = "s"
soft_pct = 9.0
"#,
    )
    .unwrap();
    let p = config.resolve(&key("s", "v", "b", MetricKind::Instructions));
    assert_eq!(p.limits.soft_pct, Some(1.0));
    assert_eq!(p.source, Source::Rule { number: 1, line: 2 });
    let other = config.resolve(&key("s", "v", "c", MetricKind::Instructions));
    assert_eq!(other.limits.soft_pct, Some(9.0));
}

#[test]
fn literal_selectors_beat_globs_and_ties_go_to_the_later_rule() {
    let config = Config::parse(
        r#"
[[rules]]
benchmark = "complete"
soft_pct = 1.0
[[rules]]
benchmark = "comp*"
soft_pct = 5.0
[[rules]]
scenario = "s"
soft_pct = 7.0
[[rules]]
scenario = "s*"
soft_pct = 8.0
[[rules]]
scenario = "s*"
soft_pct = 9.0
"#,
    )
    .unwrap();
    let p = config.resolve(&key("s", "v", "complete", MetricKind::Instructions));
    // "complete" (literal) and "s" (literal) tie on specificity; the later
    // one, "s", wins.
    assert_eq!(p.limits.soft_pct, Some(7.0));
    let q = config.resolve(&key("sx", "v", "x", MetricKind::Instructions));
    assert_eq!(q.limits.soft_pct, Some(9.0));
    let r = config.resolve(&key("t", "v", "completed", MetricKind::Instructions));
    assert_eq!(r.limits.soft_pct, Some(5.0));
}

#[test]
fn explicit_gate_false_silences_slos_too() {
    let config = Config::parse("[metrics.latency_p99]\nmax = 1e6\ngate = false\n").unwrap();
    let p = config.resolve(&key("s", "v", "b", MetricKind::LatencyP99));
    assert!(!p.gate && !p.slo_gate);
}

#[test]
fn unknown_fields_are_named_with_their_line() {
    let e = err("[metrics.instructions]\nsoft = 1.0\n");
    assert!(e.contains("soft") && e.contains("line 2"), "{e}");
    let e = err("[[rules]]\nbenchmark = \"x\"\nsoft_pc = 1.0\n");
    assert!(e.contains("soft_pc") && e.contains("line 3"), "{e}");
    let e = err("[default]\n");
    assert!(e.contains("default"), "{e}");
    // Unit-bound settings do not belong in [defaults].
    let e = err("[defaults]\nmax = 3\n");
    assert!(e.contains("max"), "{e}");
}

#[test]
fn bad_metric_names_are_named() {
    let e = err("[metrics.wall_tme]\nmin_effect_pct = 3\n");
    assert!(
        e.contains("\"wall_tme\"") && e.contains("line 1") && e.contains("wall_time"),
        "{e}"
    );
    let e = err("[[rules]]\nscenario = \"s\"\n\nmetric = \"instrs\"\n");
    assert!(
        e.contains("\"instrs\"") && e.contains("line 4") && e.contains("rules #1.metric"),
        "{e}"
    );
}

#[test]
fn bad_globs_are_named_with_field_pattern_and_line() {
    let e = err("[[rules]]\nscenario = \"s\"\n[[rules]]\nbenchmark = \"complete/[a-\"\n");
    assert_eq!(
        e,
        "line 4: `rules #2.benchmark` has a bad glob \"complete/[a-\": `[` at position 9 is never closed"
    );
}

#[test]
fn out_of_range_values_are_named() {
    let e = err("[defaults]\nconfidence = 1.5\n");
    assert_eq!(
        e,
        "line 2: `defaults.confidence`: 1.5 is not a level between 0 and 1 (e.g. 0.95)"
    );
    let e = err("[metrics.instructions]\nsoft_pct = -1\n");
    assert!(
        e.contains("metrics.instructions.soft_pct") && e.contains("line 2"),
        "{e}"
    );
    let e = err("[metrics.throughput]\nmin = 10\nmax = 5\n");
    assert!(
        e.contains("metrics.throughput.min") && e.contains("above max"),
        "{e}"
    );
}

#[test]
fn settings_that_would_be_ignored_are_rejected() {
    let e = err("[metrics.wall_time]\nsoft_pct = 2\n");
    assert_eq!(
        e,
        "line 2: `metrics.wall_time.soft_pct`: does not apply: wall_time is noisy; use \
         min_effect_pct (and max/min for absolute limits)"
    );
    let e = err("[[rules]]\nmetric = \"instructions\"\nmin_effect_pct = 2\n");
    assert!(
        e.contains("rules #1.min_effect_pct") && e.contains("deterministic"),
        "{e}"
    );
    let e = err("[[rules]]\nbenchmark = \"b\"\nhard_abs = 10\n");
    assert_eq!(
        e,
        "line 1: `rules #1.hard_abs`: is in the metric's unit, so the rule must name a `metric`"
    );
    let e = err("[[rules]]\ngate = false\n");
    assert!(e.contains("selects nothing"), "{e}");
}

#[test]
fn integers_and_floats_are_both_numbers() {
    let config =
        Config::parse("[metrics.instructions]\nhard_abs = 100_000\nsoft_pct = 1\n").unwrap();
    let p = config.resolve(&key("s", "v", "b", MetricKind::Instructions));
    assert_eq!(p.limits.hard_abs, Some(100_000.0));
    assert_eq!(p.limits.soft_pct, Some(1.0));
}

#[test]
fn a_leak_rule_applies_to_its_growth_metric() {
    let config = Config::parse(
        r#"
[[rules]]
scenario = "image-worker"
variant = "optimized"
metric = "heap_growth"
leak_min_slope = 1024
leak_warmup = 50
leak_max_drift_pct = 5
"#,
    )
    .unwrap();
    let p = config.resolve(&key(
        "image-worker",
        "optimized",
        "leak",
        MetricKind::HeapGrowth,
    ));
    assert_eq!(
        p.leak,
        Some(LeakLimits {
            min_slope: 1024.0,
            warmup: 50,
            max_drift_pct: Some(5.0)
        })
    );
    assert_eq!(p.leak.unwrap().rule().max_drift_pct, 5.0);
    let naive = config.resolve(&key(
        "image-worker",
        "naive",
        "leak",
        MetricKind::HeapGrowth,
    ));
    assert_eq!(naive.leak, None);
}

#[test]
fn leak_settings_need_a_growth_metric_and_a_minimum_slope() {
    let no_metric = err("[[rules]]\nscenario = \"s\"\nleak_min_slope = 1\n");
    assert!(no_metric.contains("rules #1.leak_min_slope"), "{no_metric}");
    assert!(no_metric.contains("must name a `metric`"), "{no_metric}");
    let wrong = err("[[rules]]\nmetric = \"wall_time\"\nleak_min_slope = 1\n");
    assert!(
        wrong.contains("wall_time is not a growth metric"),
        "{wrong}"
    );
    let alone = err("[[rules]]\nmetric = \"rss_growth\"\nleak_warmup = 10\n");
    assert!(alone.contains("needs `leak_min_slope`"), "{alone}");
    let negative = err("[metrics.heap_growth]\nleak_min_slope = -1\n");
    assert!(
        negative.contains("line 2") && negative.contains(">= 0"),
        "{negative}"
    );
}
