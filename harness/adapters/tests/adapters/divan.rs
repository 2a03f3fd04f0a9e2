use super::*;
use perflab_adapters::divan;

const NESTED: &str = "divan/nested_args.stdout.txt";
const TWO_BINARIES: &str = "divan/cargo_bench_two_binaries.txt";

fn parse(rel: &str) -> Result<Vec<Measurement>, AdapterError> {
    divan::parse_table(&read(rel), &naming(), &fixture(rel))
}

#[test]
fn nested_modules_arguments_types_and_spaces() {
    let ms = parse(NESTED).unwrap();
    assert_valid(&ms);
    assert!(
        ms.iter()
            .all(|m| m.tool == Tool::Divan && m.interval.is_none() && m.samples.is_none())
    );
    let keys: Vec<_> = summary(&ms)
        .into_iter()
        .map(|(v, b, _, _)| (v, b))
        .collect();
    let expected: Vec<(String, String)> = [
        ("default", "checksum all/big input"),
        ("default", "checksum all/small input"),
        ("naive", "sort/100"),
        ("naive", "sort/1000"),
        ("optimized", "sort/100"),
        ("optimized", "sort/1000"),
        ("optimized", "sort/nested/u64"),
        ("optimized", "sort/nested/u8"),
    ]
    .into_iter()
    .map(|(v, b)| (v.to_owned(), b.to_owned()))
    .collect();
    assert_eq!(keys, expected);
    // The median column, scaled: `1.321 µs`, `15.9 µs`, `158.7 ns`.
    assert_eq!(
        find(&ms, "naive", "sort/100", MetricKind::WallTime).estimate,
        1321.0
    );
    assert_eq!(
        find(
            &ms,
            "default",
            "checksum all/big input",
            MetricKind::WallTime
        )
        .estimate,
        15900.0
    );
    assert_eq!(
        find(
            &ms,
            "default",
            "checksum all/small input",
            MetricKind::WallTime
        )
        .estimate,
        158.7
    );
    insta::assert_json_snapshot!(ms);
}

#[test]
fn several_binaries_with_cargo_noise_counters_allocations_and_threads() {
    let ms = parse(TWO_BINARIES).unwrap();
    assert_valid(&ms);
    // div_search: 2 thread rows + 4 search rows; div_sort: 8 rows.
    assert_eq!(ms.len(), 14);
    // Counter rows below a benchmark do not become benchmarks.
    assert_eq!(
        find(&ms, "naive", "search/10", MetricKind::WallTime).estimate,
        2.771
    );
    assert_eq!(
        find(&ms, "optimized", "collect/100/t=2", MetricKind::WallTime).estimate,
        507.5
    );
    assert!(
        ms.iter()
            .all(|m| !m.key.benchmark.contains("alloc") && !m.key.benchmark.contains("item/s"))
    );
    insta::assert_json_snapshot!(ms);
}

#[test]
fn an_unreadable_value_names_the_line() {
    let err = parse("divan/broken/garbage_row.txt").unwrap_err();
    assert!(
        matches!(err.problem, Problem::Line { line: 5, .. }),
        "{err}"
    );
    let text = message(&err);
    assert!(
        text.contains("garbage_row.txt: line 5: median \"fast\""),
        "{text}"
    );
}

#[test]
fn a_truncated_row_names_the_line() {
    let err = parse("divan/broken/truncated_row.txt").unwrap_err();
    assert!(
        matches!(err.problem, Problem::Line { line: 8, .. }),
        "{err}"
    );
    assert!(message(&err).contains("expected 6 columns"), "{err}");
}

#[test]
fn input_without_a_table_is_an_error() {
    let err = parse("divan/broken/no_table.txt").unwrap_err();
    assert!(message(&err).contains("no divan table found"), "{err}");
    let err = divan::parse_table("", &naming(), Path::new("<stdout>")).unwrap_err();
    assert_eq!(message(&err).split(':').next(), Some("<stdout>"));
}

#[test]
fn a_header_without_rows_is_an_error() {
    let header = read(NESTED).lines().next().unwrap().to_owned();
    let err = divan::parse_table(&header, &naming(), Path::new("x.txt")).unwrap_err();
    assert!(
        message(&err).contains("table at line 1 has no benchmark rows"),
        "{err}"
    );
}

#[test]
fn rows_without_a_header_are_an_error() {
    let body: String = read(NESTED).lines().skip(1).collect::<Vec<_>>().join("\n");
    let err = divan::parse_table(&body, &naming(), Path::new("x.txt")).unwrap_err();
    assert!(
        message(&err).contains("line 1: a divan table row without a header"),
        "{err}"
    );
}

#[test]
fn the_same_benchmark_twice_is_an_error() {
    let twice = format!("{}\n{}", read(NESTED), read(NESTED));
    let err = divan::parse_table(&twice, &naming(), Path::new("x.txt")).unwrap_err();
    assert!(
        message(&err).contains("appears twice (also from line"),
        "{err}"
    );
}

#[test]
fn rows_skipping_a_level_are_an_error() {
    let text = read(NESTED).replace("   ├─ naive  ", "         ├─ naive");
    let err = divan::parse_table(&text, &naming(), Path::new("x.txt")).unwrap_err();
    assert!(message(&err).contains("nested"), "{err}");
}

#[test]
fn colour_codes_are_tolerated() {
    let plain = parse(NESTED).unwrap();
    let coloured = read(NESTED).replace("sort", "\u{1b}[1msort\u{1b}[0m");
    let ms = divan::parse_table(&coloured, &naming(), Path::new("c.txt")).unwrap();
    assert_eq!(ms, plain);
}

#[test]
fn collect_reads_a_saved_stdout_file() {
    let ms = divan::collect(&fixture(TWO_BINARIES), &naming()).unwrap();
    assert_eq!(ms, parse(TWO_BINARIES).unwrap());
    let err = divan::collect(&fixture("divan/missing.txt"), &naming()).unwrap_err();
    assert!(matches!(err.problem, Problem::Io { .. }), "{err}");
}

#[test]
fn no_prefix_or_mangled_line_of_real_output_panics() {
    let text = read(TWO_BINARIES);
    for (cut, _) in text.char_indices() {
        let _ = divan::parse_table(&text[..cut], &naming(), Path::new("cut.txt"));
    }
    for (i, _) in text.lines().enumerate() {
        let mangled: Vec<String> = text
            .lines()
            .enumerate()
            .map(|(j, l)| {
                if i == j {
                    l.replace('│', "").replace("  ", " ")
                } else {
                    l.to_owned()
                }
            })
            .collect();
        let _ = divan::parse_table(&mangled.join("\n"), &naming(), Path::new("mangled.txt"));
    }
}
