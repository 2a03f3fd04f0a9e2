//! The generated site in a real browser: headless Chromium, driven over
//! WebDriver by `fantoccini` and Debian's `chromedriver` (see
//! `browser/chromium.rs`), opens every page of a small report from `file://` and
//! checks that no page logs an error or opens a dialog (a benchmark named
//! `<script>alert(1)</script>` must stay text), that benchmark pages carry
//! their SVG charts, that every internal link resolves to a file (and its
//! anchor to an element), that "regressions only" hides everything else and
//! that plotting several benchmarks together draws a chart, and that long
//! tables page, sort and filter across pages. It leaves a
//! screenshot of the overview at `target/perflab/report-screenshot/overview.png`.
//!
//! Without Chromium or chromedriver the test says "skipping" and passes,
//! except under CI (`CI` set), where it fails: CI installs Debian's
//! `chromium` and `chromium-driver`.

#[path = "browser/chromium.rs"]
mod chromium;

use perflab_compare::Speedup;
use perflab_gate::Config;
use perflab_render::html::{Commit, History, ScenarioVariants, SiteInput, render_site};
use perflab_schema::{
    Artifact, ArtifactKind, Interval, Measurement, MeasurementKey, MetricKind, Run, Tool,
};
use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

const EVIL: &str = "<script>alert(1)</script>";

fn measurement(
    scenario: &str,
    variant: &str,
    bench: &str,
    metric: MetricKind,
    v: f64,
) -> Measurement {
    let key = MeasurementKey {
        scenario: scenario.into(),
        variant: variant.into(),
        benchmark: bench.into(),
        metric,
    };
    if metric == MetricKind::WallTime {
        Measurement::new(key, v, Tool::Criterion)
            .with_interval(Interval {
                lower: v * 0.98,
                upper: v * 1.02,
                level: 0.95,
            })
            .with_samples(
                (0..40)
                    .map(|i| v * (0.96 + f64::from(i % 9) * 0.01))
                    .collect(),
            )
    } else {
        Measurement::new(key, v, Tool::Gungraun)
    }
}

/// Two scenarios (one with a hostile name), a few benchmarks, two variants.
fn current() -> Run {
    let mut ms = Vec::new();
    for (scenario, bench) in [
        ("autocomplete", "complete/1k"),
        ("autocomplete", "complete/1m"),
        ("autocomplete", "build/10k"),
        (EVIL, EVIL),
    ] {
        for (variant, factor) in [("naive", 5.0), ("optimized", 1.0)] {
            ms.push(measurement(
                scenario,
                variant,
                bench,
                MetricKind::WallTime,
                2_000.0 * factor,
            ));
            ms.push(measurement(
                scenario,
                variant,
                bench,
                MetricKind::Instructions,
                1e7 * factor,
            ));
            ms.push(measurement(
                scenario,
                variant,
                bench,
                MetricKind::HeapPeakBytes,
                1e5 * factor,
            ));
        }
    }
    perflab_schema::testing::run("machine", ms)
}

/// The speedups the CLI hands in: each scenario's other variants over its
/// reference (`naive` here).
fn speedups(run: &Run) -> Vec<Speedup> {
    perflab_compare::variant_speedups(run, &ScenarioVariants::of_run(&[], run))
}

fn write_site(dir: &Path) -> PathBuf {
    let mut run = current();
    // One profile that explains the speedup, and one the run lost.
    let diff = dir.join("naive-vs-optimized.diff.svg");
    std::fs::write(
        &diff,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"40\"><rect width=\"120\" height=\"20\" fill=\"#e55\"/></svg>",
    )
    .unwrap();
    for (kind, path) in [
        (ArtifactKind::DiffFlamegraph, diff.display().to_string()),
        (ArtifactKind::Flamegraph, "gone/optimized.svg".to_owned()),
    ] {
        run.artifacts.push(Artifact {
            scenario: "autocomplete".into(),
            variant: "optimized".into(),
            benchmark: "complete/1m".into(),
            kind,
            path,
            against: Some("naive".into()),
        });
    }
    // The baseline: optimized instructions of complete/1k were 30% lower.
    let mut baseline = current();
    for m in &mut baseline.measurements {
        if m.key.benchmark == "complete/1k"
            && m.key.variant == "optimized"
            && m.key.metric == MetricKind::Instructions
        {
            m.estimate *= 0.7;
        }
    }
    let mut history = History::new();
    for i in 0..12 {
        // Earlier versions drift a little, so history lines are not flat.
        let mut version = baseline.clone();
        for (j, m) in version.measurements.iter_mut().enumerate() {
            m.estimate *= 1.0 + 0.03 * ((i as f64) * 0.7 + j as f64).sin() * (11 - i) as f64 / 11.0;
        }
        history.push(
            Commit {
                id: format!("{i:040x}"),
                time: 1_790_000_000 + i * 3_600,
                summary: format!("change {i} {EVIL}"),
            },
            &version,
        );
    }
    let gate = perflab_gate::evaluate(&Config::default(), Some(&baseline), &run, &|_| Vec::new());
    let out = dir.join("site");
    let speedups = speedups(&run);
    let input = SiteInput {
        run: &run,
        run_dir: dir.to_owned(),
        run_label: "browser-test.json".into(),
        gate: &gate,
        baseline_origin: Some(format!("main {EVIL}")),
        history: &history,
        variants: &[],
        speedups: &speedups,
        warnings: Vec::new(),
        artifact_roots: Vec::new(),
    };
    render_site(&input, &out, None).unwrap().index
}

/// Where the overview's screenshot is kept: `<target>/perflab/report-screenshot/`.
fn screenshot_path() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent()
        .unwrap_or(tmp)
        .join("perflab/report-screenshot/overview.png")
}

/// Chromium and chromedriver, or `None` after saying what is missing (the
/// test then skips); under CI a missing browser fails the test instead.
fn binaries_or_skip() -> Option<chromium::Binaries> {
    match chromium::find() {
        Ok(found) => Some(found),
        Err(missing) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{missing}, and CI is set: apt-get install chromium chromium-driver"
            );
            eprintln!("skipping: {missing}");
            None
        }
    }
}

#[test]
fn the_site_works_in_headless_chromium() {
    let Some(chromium) = binaries_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let index = write_site(dir.path());
    let site = index.parent().unwrap().canonicalize().unwrap();
    let browser = chromium::Browser::launch(&chromium);
    let page = browser.new_page();

    // Crawl every page reachable from the overview.
    let mut queue = VecDeque::from([site.join("index.html")]);
    let mut seen = BTreeSet::new();
    let mut bench_pages = 0;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let url = format!("file://{}", path.display());
        browser.goto(&page, &url);
        let links = browser.eval(
            &page,
            "Array.from(document.querySelectorAll('a[href]')).map(a => a.href)",
        );
        for link in links.as_array().unwrap() {
            let link = link.as_str().unwrap();
            let parsed = url::Url::parse(link).unwrap();
            if parsed.scheme() != "file" {
                panic!("{url} links outside the site: {link}");
            }
            let anchor = parsed.fragment().unwrap_or("");
            let file = parsed.to_file_path().unwrap();
            assert!(
                file.starts_with(&site),
                "{url} links outside the site: {link}"
            );
            assert!(file.is_file(), "{url} links to a missing file: {link}");
            if !anchor.is_empty() {
                let html = std::fs::read_to_string(&file).unwrap();
                assert!(
                    html.contains(&format!("id=\"{anchor}\"")),
                    "{url}: no #{anchor} in {link}"
                );
            }
            if file.extension().is_some_and(|e| e == "html") {
                queue.push_back(file);
            }
        }
        if path.parent().is_some_and(|p| p.ends_with("bench")) {
            bench_pages += 1;
            let charts = browser.eval(&page, "document.querySelectorAll('svg.chart').length");
            assert!(charts.as_u64().unwrap() >= 3, "{url} has {charts} charts");
        }
        let text = browser.eval(&page, "document.body.innerText");
        if path.ends_with("index.html") {
            assert!(
                text.as_str().unwrap().contains(EVIL),
                "the hostile name shows as text"
            );
        }
    }
    assert_eq!(bench_pages, 4, "every benchmark page was reached: {seen:?}");
    assert!(seen.len() >= 7, "{seen:?}");

    // The overview: filter, search, plot together, screenshot.
    browser.goto(
        &page,
        &format!("file://{}", site.join("index.html").display()),
    );
    let visible = |b: &chromium::Browser, regressed: bool| {
        let sel = if regressed { "=\"1\"" } else { "=\"0\"" };
        b.eval(
            &page,
            &format!("Array.from(document.querySelectorAll('#bench-table tbody tr[data-regressed{sel}]')).filter(r => !r.hidden).length"),
        )
        .as_u64()
        .unwrap()
    };
    assert_eq!((visible(&browser, true), visible(&browser, false)), (1, 3));
    browser.eval(&page, "document.getElementById('only-regressions').click()");
    assert_eq!((visible(&browser, true), visible(&browser, false)), (1, 0));
    browser.eval(&page, "document.getElementById('only-regressions').click()");
    browser.eval(
        &page,
        "(() => { const s = document.getElementById('search'); s.value = '1M'; s.dispatchEvent(new Event('input')); })()",
    );
    assert_eq!(visible(&browser, false), 1, "search is case-insensitive");
    browser.eval(
        &page,
        "(() => { const s = document.getElementById('search'); s.value = ''; s.dispatchEvent(new Event('input')); })()",
    );
    browser.eval(
        &page,
        "document.querySelectorAll('input.pick').forEach((c, i) => { if (i < 3) c.checked = true; }); document.getElementById('plot-selected').click()",
    );
    let plotted = browser.eval(
        &page,
        "new Promise(done => { const t0 = Date.now(); (function poll() { const n = document.querySelectorAll('#plot svg path.series').length; if (n > 0 || Date.now() - t0 > 10000) done(n); else setTimeout(poll, 50); })(); })",
    );
    assert!(
        plotted.as_u64().unwrap() >= 3,
        "plot together drew {plotted} series"
    );
    let png = browser.screenshot(&page);
    assert!(png.starts_with(b"\x89PNG"));
    let path = screenshot_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, png).unwrap();
    eprintln!("overview screenshot: {}", path.display());

    let errors = browser.errors();
    assert!(errors.is_empty(), "the pages reported errors: {errors:#?}");
}

/// Rows of the benchmark table shown, as (regressed, not regressed).
fn shown(b: &chromium::Browser, page: &chromium::Page) -> (u64, u64) {
    let count = |b: &chromium::Browser, flag: &str| {
        b.eval(
            page,
            &format!("Array.from(document.querySelectorAll('#bench-table tbody tr[data-regressed=\"{flag}\"]')).filter(r => !r.hidden).length"),
        )
        .as_u64()
        .unwrap()
    };
    (count(b, "1"), count(b, "0"))
}

#[test]
fn long_tables_page_and_filters_span_pages() {
    let Some(chromium) = binaries_or_skip() else {
        return;
    };
    // 250 benchmarks; the baseline has three of them 20% cheaper.
    let bulk = |factor_of: &dyn Fn(usize) -> f64| {
        let ms = (0..250)
            .flat_map(|i| {
                let bench = format!("case/{i:03}");
                let f = factor_of(i);
                [("naive", 3.0), ("optimized", 1.0)].map(|(v, x)| {
                    measurement("bulk", v, &bench, MetricKind::Instructions, 1e6 * x * f)
                })
            })
            .collect();
        perflab_schema::testing::run("machine", ms)
    };
    let run = bulk(&|_| 1.0);
    let baseline = bulk(&|i| if i % 100 == 7 { 0.8 } else { 1.0 });
    let gate = perflab_gate::evaluate(&Config::default(), Some(&baseline), &run, &|_| Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let speedups = speedups(&run);
    let input = SiteInput {
        run: &run,
        run_dir: dir.path().to_owned(),
        run_label: "bulk.json".into(),
        gate: &gate,
        baseline_origin: None,
        history: &History::new(),
        variants: &[],
        speedups: &speedups,
        warnings: Vec::new(),
        artifact_roots: Vec::new(),
    };
    let index = render_site(&input, &dir.path().join("site"), None)
        .unwrap()
        .index;
    let browser = chromium::Browser::launch(&chromium);
    let page = browser.new_page();
    browser.goto(&page, &format!("file://{}", index.display()));
    // Regressions sort first, so page 1 holds all three and 97 others.
    assert_eq!(shown(&browser, &page), (3, 97));
    browser.eval(&page, "document.getElementById('next-page').click()");
    assert_eq!(shown(&browser, &page), (0, 100));
    let info = browser.eval(&page, "document.getElementById('page-info').textContent");
    assert_eq!(info, "page 2 of 3");
    browser.eval(&page, "document.getElementById('only-regressions').click()");
    assert_eq!(shown(&browser, &page), (3, 0));
    assert_eq!(
        browser.eval(&page, "document.querySelector('.pager').hidden"),
        true
    );
    // Sorting by name twice (descending), without the filter, starts at case/249.
    browser.eval(&page, "document.getElementById('only-regressions').click()");
    for _ in 0..2 {
        browser.eval(
            &page,
            "document.querySelector('#bench-table th[data-sort=name]').click()",
        );
    }
    let first = browser.eval(
        &page,
        "Array.from(document.querySelectorAll('#bench-table tbody tr')).find(r => !r.hidden).dataset.name",
    );
    assert_eq!(first, "bulk/case/249");
    let errors = browser.errors();
    assert!(errors.is_empty(), "the page reported errors: {errors:#?}");
}

/// The "no errors" assertions above mean something only if errors are
/// seen: an exception, a `console.error`, an error log entry (a missing
/// image) and a dialog each show up.
#[test]
fn the_browser_reports_what_a_page_gets_wrong() {
    let Some(chromium) = binaries_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page_path = dir.path().join("broken.html");
    std::fs::write(
        &page_path,
        "<!doctype html><title>broken</title><img src=\"missing.png\">\
         <script>console.error('console says no'); setTimeout(() => { throw new Error('thrown'); });</script>",
    )
    .unwrap();
    let browser = chromium::Browser::launch(&chromium);
    let page = browser.new_page();
    browser.goto(&page, &format!("file://{}", page_path.display()));
    let seen = |what: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            if browser.errors().iter().any(|e| e.contains(what)) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        false
    };
    assert!(seen("console says no"), "{:#?}", browser.errors());
    assert!(seen("thrown"), "{:#?}", browser.errors());
    assert!(seen("missing.png"), "{:#?}", browser.errors());
    // Last: a dialog blocks the page until it is answered. The driver's
    // log never shows one: `Browser::errors` asks whether one is open and
    // notes it under the DevTools protocol's name for the event.
    browser.eval(&page, "setTimeout(() => alert('dialog'))");
    assert!(seen("JavascriptDialogOpening"), "{:#?}", browser.errors());
}
