//! Line charts over a shared x axis: baseline history across commits (this
//! run marked beside it), growth per iteration, latency over a load run.

use super::{MAX_TOOLTIPS, RIGHT, Scale, WIDTH, color, esc, finite_range, open, thin};
use crate::html::model::view::value_text;
use perflab_schema::Unit;
use std::fmt::Write;

/// A series of points with a tooltip each, for [`lines`].
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    /// (x, y, tooltip)
    pub points: Vec<(f64, f64, String)>,
    /// An extra point drawn apart (this run beside the baseline history).
    pub marker: Option<(f64, f64, String)>,
}

/// Lines over a shared x axis (commits, iterations, requests).
pub fn lines(title: &str, unit: Unit, x_label: &str, series: &[Series]) -> String {
    let height = 220.0;
    let (top, bottom, left) = (10.0, height - 40.0, 70.0);
    let all = || {
        series
            .iter()
            .flat_map(|s| s.points.iter().chain(&s.marker).map(|p| (p.0, p.1)))
    };
    let (xlo, xhi) = finite_range(all().map(|p| p.0)).unwrap_or((0.0, 1.0));
    let (ylo, yhi) = finite_range(all().map(|p| p.1)).unwrap_or((0.0, 1.0));
    let pad = (yhi - ylo).max(yhi.abs() * 0.01) * 0.08;
    let xs = Scale::new(xlo, xhi, left, WIDTH - RIGHT - 60.0);
    let floor = if ylo >= 0.0 {
        (ylo - pad).max(0.0)
    } else {
        ylo - pad
    };
    let ys = Scale::new(floor, yhi + pad, bottom, top);
    let mut out = open("lines", height, title);
    for i in 0..=3 {
        let v = ys.lo + (ys.hi - ys.lo) * f64::from(i) / 3.0;
        let y = ys.at(v);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT - 60.0,
            left - 4.0,
            y + 4.0,
            esc(&value_text(Some(v), unit))
        );
    }
    let _ = write!(
        out,
        r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        (left + WIDTH - RIGHT - 60.0) / 2.0,
        height - 8.0,
        esc(x_label)
    );
    for (i, s) in series.iter().enumerate() {
        let pts = thin(&s.points.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>());
        let mut d = String::new();
        for (j, (x, y)) in pts.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1} {:.1}",
                if j == 0 { "M" } else { "L" },
                xs.at(*x),
                ys.at(*y)
            );
        }
        let _ = write!(
            out,
            r#"<path class="series" d="{d}" stroke="{}" fill="none"/>"#,
            color(i)
        );
        // Per-point tooltips only while they are few: they weigh most of a page.
        if s.points.len() <= MAX_TOOLTIPS {
            for (x, y, tip) in &s.points {
                let _ = write!(
                    out,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{}"><title>{}</title></circle>"#,
                    xs.at(*x),
                    ys.at(*y),
                    color(i),
                    esc(tip)
                );
            }
        }
        if let Some((x, y, tip)) = &s.marker {
            let _ = write!(
                out,
                r#"<rect class="current" x="{:.1}" y="{:.1}" width="7" height="7" fill="{}"><title>{}</title></rect>"#,
                xs.at(*x) - 3.5,
                ys.at(*y) - 3.5,
                color(i),
                esc(tip)
            );
        }
        let _ = write!(
            out,
            r#"<text class="legend" x="{:.1}" y="{:.1}" fill="{}">{}</text>"#,
            WIDTH - RIGHT - 55.0,
            top + 12.0 + i as f64 * 14.0,
            color(i),
            esc(&s.label)
        );
    }
    out.push_str("</svg>");
    out
}
