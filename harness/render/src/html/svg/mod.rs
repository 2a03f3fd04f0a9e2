//! Inline SVG charts, drawn from the view model's numbers as strings.
//!
//! Every piece of text that goes into a chart (variant names, commit
//! summaries, values) passes through [`esc`], because these strings are
//! inserted into pages unescaped. Charts draw; they compute nothing beyond
//! positions (the medians they mark come from `perflab-compare`).

use crate::html::model::view::Bar;
use crate::html::model::view::value_text;
use perflab_schema::Unit;
use std::fmt::Write;

const WIDTH: f64 = 640.0;
const LEFT: f64 = 150.0;
const RIGHT: f64 = 20.0;
const ROW: f64 = 22.0;
/// At most this many points of one series are drawn; more are thinned evenly.
pub const MAX_POINTS: usize = 400;
/// Series with more points than this are drawn as a bare line.
pub const MAX_TOOLTIPS: usize = 40;
const COLORS: [&str; 6] = [
    "#d1495b", "#2e86ab", "#edae49", "#3b8b5a", "#8e6c8a", "#555555",
];

/// Escapes text for SVG and HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn color(i: usize) -> &'static str {
    COLORS[i % COLORS.len()]
}

fn open(kind: &str, height: f64, label: &str) -> String {
    format!(
        r#"<svg class="chart chart-{kind}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-label="{}">"#,
        esc(label)
    )
}

/// Evenly thinned indices so at most [`MAX_POINTS`] remain.
fn thin<T: Copy>(values: &[T]) -> Vec<T> {
    if values.len() <= MAX_POINTS {
        return values.to_vec();
    }
    let step = values.len() as f64 / MAX_POINTS as f64;
    (0..MAX_POINTS)
        .map(|i| values[(i as f64 * step) as usize])
        .collect()
}

/// A linear scale from `[lo, hi]` to `[a, b]` pixels.
#[derive(Clone, Copy)]
struct Scale {
    lo: f64,
    hi: f64,
    a: f64,
    b: f64,
    /// Logarithmic: positions by `ln(v)`; `lo` and `hi` are then positive.
    log: bool,
}

/// Positive data spanning more than this ratio is drawn on a log axis, so
/// variants orders of magnitude apart both stay visible.
pub const LOG_RATIO: f64 = 20.0;

impl Scale {
    fn new(lo: f64, hi: f64, a: f64, b: f64) -> Scale {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 1.0, hi + 1.0)
        };
        Scale {
            lo,
            hi,
            a,
            b,
            log: false,
        }
    }

    /// A log scale over positive `[lo, hi]` with a little room either side.
    fn log(lo: f64, hi: f64, a: f64, b: f64) -> Scale {
        Scale {
            lo: lo / 1.15,
            hi: hi * 1.15,
            a,
            b,
            log: true,
        }
    }

    fn at(&self, v: f64) -> f64 {
        if self.log {
            let (v, lo, hi) = (v.max(self.lo).ln(), self.lo.ln(), self.hi.ln());
            self.a + (v - lo) / (hi - lo) * (self.b - self.a)
        } else {
            self.a + (v - self.lo) / (self.hi - self.lo) * (self.b - self.a)
        }
    }

    /// The value `i / n` of the way along the axis.
    fn value_at(&self, i: u32, n: u32) -> f64 {
        let f = f64::from(i) / f64::from(n);
        if self.log {
            (self.lo.ln() + (self.hi.ln() - self.lo.ln()) * f).exp()
        } else {
            self.lo + (self.hi - self.lo) * f
        }
    }
}

fn finite_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// Value ticks along the x axis at the bottom.
fn x_ticks(out: &mut String, scale: Scale, unit: Unit, y: f64) {
    for i in 0..=4 {
        let v = scale.value_at(i, 4);
        let x = scale.at(v);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{x:.1}" y1="0" x2="{x:.1}" y2="{y:.1}"/><text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            y + 14.0,
            esc(&value_text(Some(v), unit))
        );
    }
}

/// Horizontal bars from zero with interval whiskers, one per bar.
pub fn bars(title: &str, unit: Unit, bars: &[Bar]) -> String {
    let height = bars.len() as f64 * ROW + 30.0;
    let hi = finite_range(
        bars.iter()
            .flat_map(|b| [Some(b.value), b.interval.map(|i| i.upper)])
            .flatten(),
    )
    .map_or(1.0, |(_, hi)| hi.max(0.0));
    let scale = Scale::new(
        0.0,
        if hi > 0.0 { hi * 1.05 } else { 1.0 },
        LEFT,
        WIDTH - RIGHT,
    );
    let mut out = open("bars", height, title);
    x_ticks(&mut out, scale, unit, height - 24.0);
    for (i, bar) in bars.iter().enumerate() {
        let y = i as f64 * ROW + 2.0;
        let w = (scale.at(bar.value) - LEFT).max(0.5);
        let tip = format!(
            "{}: {}{}",
            bar.label,
            value_text(Some(bar.value), unit),
            bar.interval.map_or_else(String::new, |ci| format!(
                " [{}, {}]",
                value_text(Some(ci.lower), unit),
                value_text(Some(ci.upper), unit)
            ))
        );
        let _ = write!(
            out,
            r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{LEFT}" y="{y:.1}" width="{w:.1}" height="{:.1}" fill="{}"><title>{}</title></rect>"#,
            LEFT - 6.0,
            y + ROW * 0.6,
            esc(&bar.label),
            ROW - 6.0,
            color(i),
            esc(&tip)
        );
        if let Some(ci) = bar.interval {
            let (x1, x2, ym) = (
                scale.at(ci.lower),
                scale.at(ci.upper),
                y + (ROW - 6.0) / 2.0,
            );
            let _ = write!(
                out,
                r#"<path class="whisker" d="M{x1:.1} {ym:.1}H{x2:.1}M{x1:.1} {:.1}V{:.1}M{x2:.1} {:.1}V{:.1}"/>"#,
                ym - 5.0,
                ym + 5.0,
                ym - 5.0,
                ym + 5.0
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// One row of dots per variant (a strip plot of the raw samples) with the
/// median marked.
pub fn distribution(title: &str, unit: Unit, series: &[(String, Vec<f64>)]) -> String {
    let height = series.len() as f64 * ROW * 2.0 + 30.0;
    let (lo, hi) =
        finite_range(series.iter().flat_map(|(_, s)| s.iter().copied())).unwrap_or((0.0, 1.0));
    let pad = (hi - lo) * 0.05;
    let log = lo > 0.0 && hi / lo > LOG_RATIO;
    let scale = if log {
        Scale::log(lo, hi, LEFT, WIDTH - RIGHT)
    } else {
        // Non-negative data gets no negative axis labels.
        let floor = if lo >= 0.0 {
            (lo - pad).max(0.0)
        } else {
            lo - pad
        };
        Scale::new(floor, hi + pad, LEFT, WIDTH - RIGHT)
    };
    let mut out = open("distribution", height, title);
    if log {
        let _ = write!(
            out,
            r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">log scale</text>"#,
            LEFT - 6.0,
            height - 10.0
        );
    }
    x_ticks(&mut out, scale, unit, height - 24.0);
    for (i, (label, samples)) in series.iter().enumerate() {
        let y0 = i as f64 * ROW * 2.0 + 4.0;
        let _ = write!(
            out,
            r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="end">{} (n={})</text><g fill="{}" fill-opacity="0.55">"#,
            LEFT - 6.0,
            y0 + ROW,
            esc(label),
            samples.len(),
            color(i)
        );
        for (j, v) in thin(samples).into_iter().enumerate() {
            // Deterministic jitter so identical runs draw identical pictures.
            let jitter = ((j * 7919) % 29) as f64 / 29.0 * (ROW * 1.4);
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.2"/>"#,
                scale.at(v),
                y0 + 4.0 + jitter
            );
        }
        out.push_str("</g>");
        if let Some(median) = perflab_compare::stats::median(samples) {
            let x = scale.at(median);
            let _ = write!(
                out,
                r#"<line class="median" x1="{x:.1}" y1="{y0:.1}" x2="{x:.1}" y2="{:.1}"><title>median {}</title></line>"#,
                y0 + ROW * 1.8,
                esc(&value_text(Some(median), unit))
            );
        }
    }
    out.push_str("</svg>");
    out
}

mod lines;
pub use lines::{Series, lines};

#[cfg(test)]
mod tests;
