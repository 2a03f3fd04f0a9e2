//! The typed outcome of a leak check and how it reads to a person: bytes in
//! binary units, intervals in brackets.
//!
//! Rendering only: the numbers come finished from [`super::judge`].

use std::fmt;

/// What [`super::judge`] concluded about a memory series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LeakVerdict {
    /// Memory grows by about `bytes_per_iter` every iteration: the 95% lower
    /// bound of the slope is above the rule's minimum over all points after
    /// warm-up and over their later half.
    Leaks {
        bytes_per_iter: f64,
        ci95: (f64, f64),
    },
    /// No growth above the rule's minimum could be shown, and the series did
    /// not drift more than allowed.
    Flat {
        slope: f64,
        ci95: (f64, f64),
        drift_pct: f64,
    },
    /// Not a steady leak, but the median of the last window after warm-up is
    /// more than the allowed percentage above the median of the first.
    Drifts { drift_pct: f64 },
    /// Too few points after warm-up to judge; no guess is made.
    NotEnoughData { points: usize, needed: usize },
}

impl LeakVerdict {
    /// Whether this is [`LeakVerdict::Leaks`].
    pub fn is_leak(&self) -> bool {
        matches!(self, LeakVerdict::Leaks { .. })
    }

    /// The verdict as a sentence, naming the iteration (`"job"`,
    /// `"request"`): "leaks about 48.2 KiB per job [47.9 KiB, 48.5 KiB] 95%".
    /// [`Display`](fmt::Display) says "iteration".
    pub fn describe<'a>(&'a self, per: &'a str) -> impl fmt::Display + 'a {
        Described { verdict: self, per }
    }
}

impl fmt::Display for LeakVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Described {
            verdict: self,
            per: "iteration",
        }
        .fmt(f)
    }
}

struct Described<'a> {
    verdict: &'a LeakVerdict,
    per: &'a str,
}

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per = self.per;
        match *self.verdict {
            LeakVerdict::Leaks {
                bytes_per_iter,
                ci95: (lo, hi),
            } => write!(
                f,
                "leaks about {} per {per} [{}, {}] 95%",
                format_bytes(bytes_per_iter),
                format_bytes(lo),
                format_bytes(hi)
            ),
            LeakVerdict::Flat {
                slope,
                ci95: (lo, hi),
                drift_pct,
            } => write!(
                f,
                "flat ({}{} per {per} [{}, {}] 95%, drift {drift_pct:+.1}%)",
                if slope >= 0.0 { "+" } else { "" },
                format_bytes(slope),
                format_bytes(lo),
                format_bytes(hi)
            ),
            LeakVerdict::Drifts { drift_pct } => write!(
                f,
                "drifts {drift_pct:+.1}% from the first to the last window after warm-up"
            ),
            LeakVerdict::NotEnoughData { points, needed } => {
                write!(f, "not enough data: {points} points, needs {needed}")
            }
        }
    }
}

/// Bytes in binary units with one decimal: `512.0 B`, `48.2 KiB`,
/// `-1.5 MiB`. Fractions of a byte stay in bytes (a slope can be 0.3 B per
/// iteration).
pub fn format_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    if !bytes.is_finite() {
        return format!("{bytes} B");
    }
    let mut value = bytes;
    let mut unit = 0;
    while value.abs() >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_in_binary_units() {
        assert_eq!(format_bytes(0.3), "0.3 B");
        assert_eq!(format_bytes(512.0), "512.0 B");
        assert_eq!(format_bytes(49_357.0), "48.2 KiB");
        assert_eq!(format_bytes(-1.5 * 1024.0 * 1024.0), "-1.5 MiB");
        assert_eq!(format_bytes(3.0 * 1024f64.powi(3)), "3.0 GiB");
    }

    #[test]
    fn verdicts_read_as_sentences() {
        let leak = LeakVerdict::Leaks {
            bytes_per_iter: 49_357.0,
            ci95: (49_050.0, 49_664.0),
        };
        assert_eq!(
            leak.describe("job").to_string(),
            "leaks about 48.2 KiB per job [47.9 KiB, 48.5 KiB] 95%"
        );
        assert!(leak.to_string().contains("per iteration"));
        let flat = LeakVerdict::Flat {
            slope: 12.0,
            ci95: (-30.5, 54.5),
            drift_pct: 0.42,
        };
        assert_eq!(
            flat.to_string(),
            "flat (+12.0 B per iteration [-30.5 B, 54.5 B] 95%, drift +0.4%)"
        );
        assert_eq!(
            LeakVerdict::Drifts { drift_pct: 7.5 }.to_string(),
            "drifts +7.5% from the first to the last window after warm-up"
        );
        assert_eq!(
            LeakVerdict::NotEnoughData {
                points: 5,
                needed: 18
            }
            .to_string(),
            "not enough data: 5 points, needs 18"
        );
    }
}
