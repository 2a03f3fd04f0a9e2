//! Writing the site model to files: tera templates (autoescaped HTML),
//! inline SVG charts, per-benchmark data scripts for the "plot together"
//! view, the stylesheet and script, and copies of the run's artifacts.
//!
//! Pages are written into a fresh directory beside the output and swapped
//! in at the end with `perflab_fs::replace_dir`, so a failed render leaves
//! the previous site untouched.

use crate::html::ReportError;
use crate::html::charts;
use crate::html::model::Site;
use crate::html::model::bench::BenchPage;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tera::{Context, Tera};

/// Marks a directory as a perflab site, so replacing it never deletes
/// anything else a user pointed `--out` at.
pub const MARKER: &str = ".perflab-report";

const TEMPLATES: [(&str, &str); 6] = [
    ("base.html", include_str!("../../templates/base.html")),
    (
        "controls.html",
        include_str!("../../templates/controls.html"),
    ),
    (
        "bench_rows.html",
        include_str!("../../templates/bench_rows.html"),
    ),
    ("index.html", include_str!("../../templates/index.html")),
    (
        "scenario.html",
        include_str!("../../templates/scenario.html"),
    ),
    ("bench.html", include_str!("../../templates/bench.html")),
];
const CSS: &str = include_str!("../../templates/site.css");
const JS: &str = include_str!("../../templates/site.js");

/// What a render produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The front page.
    pub index: PathBuf,
    pub pages: usize,
    /// Artifact files copied into the site.
    pub copied: usize,
    /// Artifact files the run listed that did not exist (shown as warnings).
    pub missing: usize,
    /// Total size of the site in bytes.
    pub bytes: u64,
}

/// Progress callback: pages done, pages in total.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

fn tera() -> Result<Tera, ReportError> {
    let mut tera = Tera::new();
    tera.autoescape_on([".html"]);
    tera.add_raw_templates(TEMPLATES)
        .map_err(ReportError::template("templates"))?;
    Ok(tera)
}

/// Renders `site` into `out`, replacing a previous perflab site there.
pub fn write_site(
    site: &mut Site,
    out: &Path,
    progress: Option<Progress<'_>>,
) -> Result<Rendered, ReportError> {
    check_output(out)?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(ReportError::io(parent))?;
    let tmp = perflab_fs::temp_sibling(out);
    let result = render_into(site, &tmp, progress);
    let rendered = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    perflab_fs::replace_dir(&tmp, out).map_err(|e| ReportError::Io {
        path: e.path,
        source: e.source,
    })?;
    Ok(Rendered {
        index: out.join("index.html"),
        ..rendered
    })
}

/// Refuses to replace anything that is not a perflab site or empty.
fn check_output(out: &Path) -> Result<(), ReportError> {
    if !out.exists() {
        return Ok(());
    }
    let bad = |problem: &str| ReportError::Output {
        path: out.to_owned(),
        problem: problem.to_owned(),
    };
    if !out.is_dir() {
        return Err(bad("exists and is not a directory"));
    }
    let empty = std::fs::read_dir(out)
        .map_err(ReportError::io(out))?
        .next()
        .is_none();
    if !empty && !out.join(MARKER).exists() {
        return Err(bad(&format!(
            "is not empty and holds no {MARKER} marker, so it is not a perflab report to replace"
        )));
    }
    Ok(())
}

struct Writer {
    root: PathBuf,
    bytes: u64,
}

impl Writer {
    fn write(&mut self, relative: &str, content: &[u8]) -> Result<(), ReportError> {
        let path = self.root.join(relative);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(ReportError::io(dir))?;
        }
        std::fs::write(&path, content).map_err(ReportError::io(&path))?;
        self.bytes += content.len() as u64;
        Ok(())
    }
}

fn render_into(
    site: &mut Site,
    root: &Path,
    progress: Option<Progress<'_>>,
) -> Result<Rendered, ReportError> {
    let tera = tera()?;
    let mut w = Writer {
        root: root.to_owned(),
        bytes: 0,
    };
    w.write(
        MARKER,
        b"perflab report; `perflab report` replaces this directory\n",
    )?;
    w.write("assets/site.css", CSS.as_bytes())?;
    w.write("assets/site.js", JS.as_bytes())?;
    let (copied, missing) = copy_files(&site.files, &site.copy_roots, &mut w)?;
    for bench in &mut site.benches {
        for a in &mut bench.artifacts {
            if let Some(problem) = missing.get(&a.site_path) {
                a.missing = true;
                a.problem = problem.clone();
                bench
                    .warnings
                    .push(format!("{} of {}: {problem}", a.kind, a.variant));
            }
        }
    }
    let commits = serde_json::to_string(&site.commits).map_err(json_error)?;
    w.write(
        "data/commits.js",
        format!("perflabCommits({commits});\n").as_bytes(),
    )?;

    let total = site.benches.len() + site.scenarios.len() + 1;
    let mut done = 0;
    let tick = |done: &mut usize| {
        *done += 1;
        if let Some(p) = progress {
            p(*done, total);
        }
    };
    let mut ctx = Context::new();
    ctx.insert("root", "");
    ctx.insert("title", "perflab report");
    ctx.insert("page", &site.overview);
    ctx.insert("rows", &site.overview.benches);
    ctx.insert("scenario_count", &site.scenarios.len());
    ctx.insert("bench_count", &site.benches.len());
    let html = tera
        .render("index.html", &ctx)
        .map_err(ReportError::template("index.html"))?;
    w.write("index.html", html.as_bytes())?;
    tick(&mut done);
    for s in &site.scenarios {
        let mut ctx = Context::new();
        ctx.insert("root", "../");
        ctx.insert("title", &format!("{} · perflab", s.name));
        ctx.insert("page", s);
        ctx.insert("rows", &s.benches);
        let html = tera
            .render("scenario.html", &ctx)
            .map_err(ReportError::template("scenario.html"))?;
        w.write(&s.path, html.as_bytes())?;
        tick(&mut done);
    }
    // Benchmark pages are most of the work and independent: render them on
    // every core, each thread writing its own files.
    let done = std::sync::atomic::AtomicUsize::new(done);
    let results = perflab_compare::par::map(&site.benches, |b| {
        let bytes = bench_page(&tera, root, b, &site.commits)?;
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if let Some(p) = progress {
            p(n, total);
        }
        Ok::<u64, ReportError>(bytes)
    });
    for bytes in results {
        w.bytes += bytes?;
    }
    Ok(Rendered {
        index: root.join("index.html"),
        pages: total,
        copied,
        missing: missing.len(),
        bytes: w.bytes,
    })
}

/// Renders one benchmark's page and data script; returns the bytes written.
fn bench_page(
    tera: &Tera,
    root: &Path,
    b: &BenchPage,
    commits: &[crate::html::model::CommitView],
) -> Result<u64, ReportError> {
    let mut w = Writer {
        root: root.to_owned(),
        bytes: 0,
    };
    let view = BenchView::new(b, commits);
    let mut ctx = Context::new();
    ctx.insert("root", "../");
    ctx.insert(
        "title",
        &format!("{} {} · perflab", b.scenario, b.benchmark),
    );
    ctx.insert("page", b);
    ctx.insert("charts", &view);
    let html = tera
        .render("bench.html", &ctx)
        .map_err(ReportError::template("bench.html"))?;
    w.write(&b.path, html.as_bytes())?;
    let data = charts::plot_data(b).map_err(json_error)?;
    let slug = serde_json::to_string(&b.slug).map_err(json_error)?;
    w.write(
        &format!("data/{}.js", b.slug),
        format!("perflabData({slug}, {data});\n").as_bytes(),
    )?;
    Ok(w.bytes)
}

fn json_error(e: serde_json::Error) -> ReportError {
    ReportError::Template {
        template: "data scripts".into(),
        message: e.to_string(),
    }
}

/// Copies artifacts that lie under one of `roots`. A missing file, or one
/// outside the roots (a run file could name any file on the machine, and the
/// site may be published), is reported per site path, not an error.
fn copy_files(
    files: &[(PathBuf, String)],
    roots: &[PathBuf],
    w: &mut Writer,
) -> Result<(usize, HashMap<String, String>), ReportError> {
    let roots: Vec<PathBuf> = roots.iter().filter_map(|r| r.canonicalize().ok()).collect();
    let mut copied = 0;
    let mut missing = HashMap::new();
    for (from, to) in files {
        let real = match from.canonicalize() {
            Ok(real) => real,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing.insert(to.clone(), format!("missing file {}", from.display()));
                continue;
            }
            Err(e) => {
                return Err(ReportError::Io {
                    path: from.clone(),
                    source: e,
                });
            }
        };
        if !roots.iter().any(|r| real.starts_with(r)) {
            missing.insert(
                to.clone(),
                format!(
                    "{} is outside the run's and the build's directories, so it was not copied",
                    from.display()
                ),
            );
            continue;
        }
        let bytes = std::fs::read(&real).map_err(ReportError::io(from))?;
        w.write(to, &bytes)?;
        copied += 1;
    }
    Ok((copied, missing))
}

/// The charts of a benchmark page, drawn here and inserted unescaped: only
/// SVG this crate generated (with every text escaped) goes in.
#[derive(Debug, Serialize)]
struct BenchView<'a> {
    /// Per metric section, in the page's order.
    sections: Vec<SectionView<'a>>,
    load: Vec<String>,
}

#[derive(Debug, Serialize)]
struct SectionView<'a> {
    section: &'a crate::html::model::bench::MetricSection,
    charts: charts::SectionCharts,
}

impl BenchView<'_> {
    fn new<'a>(b: &'a BenchPage, commits: &[crate::html::model::CommitView]) -> BenchView<'a> {
        BenchView {
            sections: b
                .sections
                .iter()
                .map(|section| SectionView {
                    section,
                    charts: charts::section(section, commits),
                })
                .collect(),
            load: charts::load(b),
        }
    }
}
