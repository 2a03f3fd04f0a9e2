//! Per-query latency distributions of every contender (naive, the fst peer,
//! optimized), written as a perflab fragment.
//!
//! Where criterion times *one* query many times, this bench times *many*
//! seeded queries once each, so a contender whose cost depends on the query
//! (the fst streams every key of a prefix's range; the scans do not care)
//! shows its spread, not one point. For each data set and contender:
//!
//! 1. **build**: one timed `Completer::build` of the data set, and the
//!    index's `heap_bytes() / len()` (`index_size`, bytes per term);
//! 2. **load**: the time to open the optimized index from a file, checksum
//!    verified (`index_load`) and header only (`index_map`); see
//!    [`optimized_open_time`];
//! 3. **queries** in five classes ([`QueryClass`]): exact prefixes of 1, 2
//!    and 3 characters drawn from the terms, and fuzzy queries at distance
//!    1 and 2 (a term prefix of 4 to 7 characters with as many random
//!    edits; two deletions can leave 2 characters, which at distance 2
//!    every term matches through its empty prefix, so the fuzzy tails are
//!    full walks); see [`workload::latency_queries`]. Every contender gets the
//!    same seeded queries. Each is timed on its own with `Instant` around
//!    one `complete`/`complete_fuzzy` call for `k = 10` (the answer's
//!    allocation is inside, its drop outside), after warm-up: two passes
//!    over the first 64 queries for an indexed contender, one pass over the
//!    first 2 for a scan.
//!
//! **How many queries.** Indexed contenders get 1000 per class (quick 200,
//! test 20). Scans get a budget of term visits instead
//! ([`workload::latency_query_count`]), so the naive variant gets fewer as
//! the data grows: at 5M terms 200 exact and 20 fuzzy queries per class,
//! because one exact query scans for about 10 ms there and one fuzzy query
//! for far longer. Quick mode runs no scan above 100k terms.
//! A class stops early, with a warning, past [`workload::latency_time_cap`].
//!
//! **Data.** Generated terms (full: 100k, 1M, 5M; quick: 100k for all and
//! 1M for fst and optimized; test: 3k), and Debian's word list
//! ([`workload::word_list`], `wamerican-insane` when installed, about 650k
//! words, else `/usr/share/dict/words`) with seeded weights, under its own
//! label (`dict_american_english_insane`); skipped with a message when
//! neither file exists. Test mode takes 3k words of it; quick mode leaves
//! the naive variant out of it, as out of every set above 100k terms.
//!
//! **Measurements** (benchmark ids lower case with underscores, as the
//! other benches'): `latency/<data>_<class>` with `latency_p50` (the median,
//! with every query's time as its samples, so perflab's bootstrap compares
//! medians) and `latency_p99` (nearest rank, reported only from 100 queries
//! up: below that it is the maximum, not a percentile); `index_build`,
//! `index_load` and `index_map/<data>` as `wall_time` of one run each (one
//! observation each: compare with care); `index_size/<data>` as
//! `bytes_per_item`.
//!
//! **Tool name.** perflab runs fragment benches as `goose` or `dhat` (see
//! `harness/collect/src/tools`); there is no tool for a bench that times
//! itself, so this one is declared `goose`, whose metrics these are.
//!
//! Results go to `$PERFLAB_FRAGMENT` under perflab, and a table to stderr
//! always (progress, then a summary). Under `cargo test --benches` every
//! answer is checked against the naive variant's.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use autocomplete::workload::{self, Cost, K, QueryClass, RunMode, SEED, Size};
use autocomplete::{
    Completer, FstMap, FuzzyQuery, Naive, Optimized, Suggestion, Term, Verify, generate,
};
use perflab_kit::BenchOutput;
use perflab_schema::{Fragment, Measurement, MeasurementKey, MetricKind, Tool};

const SCENARIO: &str = "autocomplete";

/// The tool the measurements are filed under; see the module docs.
const TOOL: Tool = Tool::Goose;

/// Fewest queries for which a p99 is reported: with fewer, the nearest-rank
/// 99th percentile is the slowest query.
const MIN_QUERIES_FOR_P99: usize = 100;

/// Words of the word list under `cargo test --benches`.
const TEST_WORDS: usize = 3_000;

/// Warm-up before timing: (passes, queries per pass) for each [`Cost`].
fn warm_up(cost: Cost) -> (usize, usize) {
    match cost {
        Cost::Indexed => (2, 64),
        Cost::Scan => (1, 2),
    }
}

/// What the bench needs of a contender beyond [`Completer`].
trait Contender: Completer + Sized {
    /// How it answers `class`, which decides how many queries it gets.
    fn cost(class: QueryClass) -> Cost;

    /// The time to open this index from a file, if the contender has a
    /// file format; `None` when it has none (yet).
    fn load_time(&self) -> Option<Result<Duration, String>> {
        None
    }

    /// The time to map the file and check only its header (no checksum).
    fn map_time(&self) -> Option<Result<Duration, String>> {
        None
    }
}

impl Contender for Naive {
    fn cost(_: QueryClass) -> Cost {
        Cost::Scan
    }
}

impl Contender for FstMap {
    fn cost(_: QueryClass) -> Cost {
        Cost::Indexed
    }
}

impl Contender for Optimized {
    fn cost(_: QueryClass) -> Cost {
        Cost::Indexed
    }

    fn load_time(&self) -> Option<Result<Duration, String>> {
        Some(optimized_open_time(self, Verify::Checksum))
    }

    fn map_time(&self) -> Option<Result<Duration, String>> {
        Some(optimized_open_time(self, Verify::HeaderOnly))
    }
}

/// The time to open the optimized index from a file: write it to a
/// temporary file (so it is in the page cache, as a served index is), then
/// time
/// `Optimized::open_with`: the header, the length and, with
/// [`Verify::Checksum`], one pass over every byte.
fn optimized_open_time(index: &Optimized, verify: Verify) -> Result<Duration, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let path = dir.path().join("index.idx");
    index.write(&path).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let opened = Optimized::open_with(&path, verify).map_err(|e| e.to_string())?;
    let took = started.elapsed();
    black_box(opened.len());
    Ok(took)
}

/// One query, parsed before it is timed.
enum Query {
    Prefix(String),
    Fuzzy(FuzzyQuery),
}

impl Query {
    fn new(class: QueryClass, text: &str) -> Result<Query, String> {
        match class.distance() {
            None => Ok(Query::Prefix(text.to_owned())),
            Some(d) => FuzzyQuery::new(text, d)
                .map(Query::Fuzzy)
                .map_err(|e| format!("{} query {text:?}: {e}", class.id())),
        }
    }

    fn text(&self) -> &str {
        match self {
            Query::Prefix(text) => text,
            Query::Fuzzy(query) => query.text(),
        }
    }

    fn answer<C: Completer>(&self, index: &C) -> Vec<Suggestion> {
        match self {
            Query::Prefix(prefix) => index.complete(prefix, K),
            Query::Fuzzy(query) => index.complete_fuzzy(query, K),
        }
    }
}

/// A data set of the bench: its id label and its terms.
struct DataSet {
    label: String,
    terms: Vec<Term>,
}

/// Where a data set comes from; generated lazily, one at a time, so the
/// 5M terms are not held while the others run.
enum Source {
    Generated(Size),
    WordList(PathBuf),
}

impl Source {
    fn load(&self, mode: RunMode) -> Result<DataSet, String> {
        match self {
            Source::Generated(size) => Ok(DataSet {
                label: size.terms_id(),
                terms: generate(size.terms, SEED),
            }),
            Source::WordList(path) => {
                let limit = (mode == RunMode::Test).then_some(TEST_WORDS);
                let terms =
                    workload::load_word_list(path, SEED, limit).map_err(|e| e.to_string())?;
                Ok(DataSet {
                    label: workload::word_list_label(path),
                    terms,
                })
            }
        }
    }
}

/// The timed queries of one class.
struct Timing {
    /// Nanoseconds per query, in query order.
    samples: Vec<f64>,
    /// Whether the class stopped at the time cap before its last query.
    capped: bool,
}

/// Times each of `queries` once, after the warm-up of `cost`, stopping at
/// `cap` (warm-up included).
fn time_queries<C: Completer>(index: &C, queries: &[Query], cost: Cost, cap: Duration) -> Timing {
    let started = Instant::now();
    let (passes, warm) = warm_up(cost);
    for _ in 0..passes {
        for query in queries.iter().take(warm) {
            black_box(query.answer(index));
        }
    }
    let mut samples = Vec::with_capacity(queries.len());
    for query in queries {
        if started.elapsed() > cap {
            return Timing {
                samples,
                capped: true,
            };
        }
        let t = Instant::now();
        let found = query.answer(black_box(index));
        let took = t.elapsed();
        black_box(found);
        samples.push(took.as_nanos() as f64);
    }
    Timing {
        samples,
        capped: false,
    }
}

/// The median (mean of the middle two for an even count, as perflab's
/// statistics take it), the nearest-rank p99 when there are enough
/// samples, and the maximum; `None` for no samples.
fn summary(samples: &[f64]) -> Option<(f64, Option<f64>, f64)> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let max = *sorted.last()?;
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    let p99 = (n >= MIN_QUERIES_FOR_P99).then(|| sorted[(n * 99).div_ceil(100) - 1]);
    Some((median, p99, max))
}

/// A measurement of this scenario, filed under [`TOOL`].
fn measured(variant: &str, benchmark: String, metric: MetricKind, value: f64) -> Measurement {
    let key = MeasurementKey {
        scenario: SCENARIO.to_owned(),
        variant: variant.to_owned(),
        benchmark,
        metric,
    };
    Measurement::new(key, value, TOOL)
}

/// Everything one contender does on one data set.
fn run_contender<C: Contender>(
    mode: RunMode,
    data: &DataSet,
    queries: &[(QueryClass, Vec<Query>)],
    reference: Option<&Naive>,
    report: &mut Report,
) -> Result<(), String> {
    let variant = C::VARIANT;
    let terms = data.terms.clone();
    let started = Instant::now();
    let index = C::build(terms);
    let build = started.elapsed();
    let load = index.load_time().transpose()?;
    let map = index.map_time().transpose()?;
    let row = IndexRow {
        data: data.label.clone(),
        variant,
        terms: index.len(),
        build,
        bytes_per_term: index.heap_bytes() as f64 / index.len().max(1) as f64,
        load,
    };
    report.index(row);
    let ns = |d: Duration| d.as_nanos() as f64;
    let build_id = format!("index_build/{}", data.label);
    report.push(measured(variant, build_id, MetricKind::WallTime, ns(build)));
    let size_id = format!("index_size/{}", data.label);
    report.push(measured(
        variant,
        size_id,
        MetricKind::BytesPerItem,
        index.heap_bytes() as f64 / index.len().max(1) as f64,
    ));
    if let Some(load) = load {
        let load_id = format!("index_load/{}", data.label);
        report.push(measured(variant, load_id, MetricKind::WallTime, ns(load)));
    }
    if let Some(map) = map {
        let map_id = format!("index_map/{}", data.label);
        report.push(measured(variant, map_id, MetricKind::WallTime, ns(map)));
    }

    for (class, all) in queries {
        let cost = C::cost(*class);
        let count = workload::latency_query_count(mode, cost, data.terms.len(), *class);
        if count == 0 {
            eprintln!(
                "    {variant:<9} {:<8} skipped: a scan, in quick mode",
                class.id()
            );
            continue;
        }
        let chosen = &all[..count.min(all.len())];
        let timing = time_queries(&index, chosen, cost, workload::latency_time_cap(mode));
        let what = format!("{variant} {}_{}", data.label, class.id());
        if timing.capped {
            report.warn(format!(
                "{what}: stopped after {} of {} queries at the {} cap",
                timing.samples.len(),
                chosen.len(),
                duration(workload::latency_time_cap(mode)),
            ));
        }
        if let Some(naive) = reference {
            for query in chosen {
                if query.answer(&index) != query.answer(naive) {
                    return Err(format!(
                        "{what}: answer to {:?} differs from naive's",
                        query.text()
                    ));
                }
            }
        }
        let Some((p50, p99, max)) = summary(&timing.samples) else {
            report.warn(format!("{what}: no queries (no term is long enough)"));
            continue;
        };
        let benchmark = format!("latency/{}_{}", data.label, class.id());
        let p50_of = measured(variant, benchmark.clone(), MetricKind::LatencyP50, p50);
        report.push(p50_of.with_samples(timing.samples.clone()));
        if let Some(p99) = p99 {
            report.push(measured(variant, benchmark, MetricKind::LatencyP99, p99));
        }
        report.class(ClassRow {
            data: data.label.clone(),
            variant,
            class: *class,
            queries: timing.samples.len(),
            p50,
            p99,
            max,
        });
    }
    Ok(())
}

fn run() -> Result<(), String> {
    let mode = RunMode::detect();
    let mut sources: Vec<Source> = workload::latency_sizes(mode)
        .iter()
        .map(|&size| Source::Generated(size))
        .collect();
    let mut report = Report::new(mode);
    match workload::word_list() {
        Some(path) => sources.push(Source::WordList(path)),
        None => report.warn(format!(
            "no word list ({}): the real-data set is skipped (Debian: apt-get install wamerican-insane)",
            workload::WORD_LISTS.join(", ")
        )),
    }
    for source in &sources {
        let started = Instant::now();
        let data = source.load(mode)?;
        report.data_set(&data.label, data.terms.len(), started.elapsed());
        let most = workload::latency_query_count(
            mode,
            Cost::Indexed,
            data.terms.len(),
            QueryClass::Prefix1,
        );
        let queries = QueryClass::ALL
            .iter()
            .map(|&class| {
                let texts = workload::latency_queries(&data.terms, class, most, SEED);
                let parsed: Result<Vec<Query>, String> =
                    texts.iter().map(|t| Query::new(class, t)).collect();
                parsed.map(|q| (class, q))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let reference = (mode == RunMode::Test).then(|| Naive::build(data.terms.clone()));
        let reference = reference.as_ref();
        for &variant in workload::latency_variants(mode, data.terms.len()) {
            match variant {
                "naive" => run_contender::<Naive>(mode, &data, &queries, reference, &mut report)?,
                "fst" => run_contender::<FstMap>(mode, &data, &queries, reference, &mut report)?,
                "optimized" => {
                    run_contender::<Optimized>(mode, &data, &queries, reference, &mut report)?
                }
                other => return Err(format!("no contender named {other:?}")),
            }
        }
    }
    report.print_summary();
    let fragment: Fragment = report.into_fragment();
    BenchOutput::from_env(SCENARIO)
        .write_fragment(&fragment)
        .map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("autocomplete latency bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One contender's build on one data set.
struct IndexRow {
    data: String,
    variant: &'static str,
    terms: usize,
    build: Duration,
    bytes_per_term: f64,
    load: Option<Duration>,
}

/// One contender's timed queries of one class on one data set.
struct ClassRow {
    data: String,
    variant: &'static str,
    class: QueryClass,
    queries: usize,
    p50: f64,
    p99: Option<f64>,
    max: f64,
}

/// What the bench found so far: the fragment's contents, and the rows of
/// the table it prints (each as it comes, all again at the end).
struct Report {
    mode: RunMode,
    started: Instant,
    measurements: Vec<Measurement>,
    warnings: Vec<String>,
    indexes: Vec<IndexRow>,
    classes: Vec<ClassRow>,
}

impl Report {
    fn new(mode: RunMode) -> Self {
        eprintln!("autocomplete latency bench ({mode:?} mode), k = {K}");
        Self {
            mode,
            started: Instant::now(),
            measurements: Vec::new(),
            warnings: Vec::new(),
            indexes: Vec::new(),
            classes: Vec::new(),
        }
    }

    fn elapsed(&self) -> String {
        format!("[{:>6.1} s]", self.started.elapsed().as_secs_f64())
    }

    fn data_set(&self, label: &str, terms: usize, took: Duration) {
        eprintln!(
            "{} {label}: {terms} terms, ready in {}",
            self.elapsed(),
            duration(took)
        );
    }

    fn index(&mut self, row: IndexRow) {
        eprintln!(
            "{}   {:<9} build {:>9}  {:>6.1} B/term  load {}",
            self.elapsed(),
            row.variant,
            duration(row.build),
            row.bytes_per_term,
            row.load.map_or_else(|| "n/a".to_owned(), duration),
        );
        self.indexes.push(row);
    }

    fn class(&mut self, row: ClassRow) {
        eprintln!(
            "{}   {:<9} {:<8} {:>5} queries  p50 {:>9}  p99 {:>9}  max {:>9}",
            self.elapsed(),
            row.variant,
            row.class.id(),
            row.queries,
            nanos(row.p50),
            row.p99.map_or_else(|| "—".to_owned(), nanos),
            nanos(row.max),
        );
        self.classes.push(row);
    }

    fn push(&mut self, measurement: Measurement) {
        self.measurements.push(measurement);
    }

    fn warn(&mut self, warning: String) {
        eprintln!("warning: {warning}");
        self.warnings.push(warning);
    }

    /// The whole table again, one row per data set and contender, one
    /// column per class (`p50 / p99 (queries)`), in Markdown.
    fn print_summary(&self) {
        let mut header = "| data | variant | terms | build | B/term | load |".to_owned();
        let mut rule = "|---|---|---:|---:|---:|---:|".to_owned();
        for class in QueryClass::ALL {
            header.push_str(&format!(" {} p50 / p99 (n) |", class.id()));
            rule.push_str("---:|");
        }
        eprintln!("\n{header}\n{rule}");
        for index in &self.indexes {
            let mut line = format!(
                "| {} | {} | {} | {} | {:.1} | {} |",
                index.data,
                index.variant,
                index.terms,
                duration(index.build),
                index.bytes_per_term,
                index.load.map_or_else(|| "n/a".to_owned(), duration),
            );
            for class in QueryClass::ALL {
                let cell = self
                    .classes
                    .iter()
                    .find(|c| {
                        c.data == index.data && c.variant == index.variant && c.class == class
                    })
                    .map_or_else(
                        || "—".to_owned(),
                        |c| {
                            let p99 = c.p99.map_or_else(|| "—".to_owned(), nanos);
                            format!("{} / {p99} ({})", nanos(c.p50), c.queries)
                        },
                    );
                line.push_str(&format!(" {cell} |"));
            }
            eprintln!("{line}");
        }
        eprintln!(
            "({:?} mode, {} in all; p99 only from {MIN_QUERIES_FOR_P99} queries up)",
            self.mode,
            duration(self.started.elapsed())
        );
    }

    fn into_fragment(self) -> Fragment {
        let mut fragment = Fragment::new(self.measurements);
        fragment.warnings = self.warnings;
        fragment
    }
}

/// A duration for the table, in the unit that keeps 3 significant digits.
fn duration(d: Duration) -> String {
    nanos(d.as_nanos() as f64)
}

/// Nanoseconds for the table, scaled to ns, µs, ms or s.
fn nanos(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}
