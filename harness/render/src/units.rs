//! Numbers for people: values scaled into human units (ns/µs/ms/s, K/M/G,
//! KiB/MiB/GiB), signed percentages and speedup factors.

use perflab_schema::Unit;

/// A value in `unit`, scaled for reading: `1.23 ms`, `45.6 M`, `1.50 MiB`,
/// `32.1 K/s`. About four significant digits.
pub fn format_value(value: f64, unit: Unit) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    match unit {
        Unit::Nanoseconds => scaled(value, &[(1e9, "s"), (1e6, "ms"), (1e3, "µs")], "ns"),
        Unit::Bytes => scaled(
            value,
            &[
                (1024.0 * 1024.0 * 1024.0, "GiB"),
                (1024.0 * 1024.0, "MiB"),
                (1024.0, "KiB"),
            ],
            "B",
        ),
        Unit::Instructions | Unit::Events | Unit::Blocks | Unit::Count => {
            scaled(value, &[(1e9, "G"), (1e6, "M"), (1e3, "K")], "")
        }
        Unit::PerSecond => scaled(value, &[(1e9, "G/s"), (1e6, "M/s"), (1e3, "K/s")], "/s"),
        Unit::Ratio => format!("{}×", digits(value)),
        Unit::Fraction => format!("{}%", digits(value * 100.0)),
    }
}

fn scaled(value: f64, steps: &[(f64, &str)], base: &str) -> String {
    for (factor, suffix) in steps {
        if value.abs() >= *factor {
            return format!("{} {suffix}", digits(value / factor));
        }
    }
    // Below the first step: counts and bytes are whole, times are not.
    let text = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        digits(value)
    };
    if base.is_empty() {
        text
    } else if base.starts_with('/') {
        format!("{text}{base}")
    } else {
        format!("{text} {base}")
    }
}

fn digits(v: f64) -> String {
    match v.abs() {
        a if a >= 100.0 => format!("{v:.1}"),
        a if a >= 10.0 => format!("{v:.2}"),
        _ => format!("{v:.3}"),
    }
}

/// A signed value in `unit` (`+200.0 K`, `-1.20 ms`).
pub fn format_signed(value: f64, unit: Unit) -> String {
    let sign = if value < 0.0 { "-" } else { "+" };
    format!("{sign}{}", format_value(value.abs(), unit))
}

/// A signed percentage: two decimals below 1%, one above (`+0.25%`, `-12.3%`).
pub fn format_pct(pct: f64) -> String {
    if pct.is_nan() {
        "n/a".into()
    } else if pct.is_infinite() {
        if pct > 0.0 { "+inf%" } else { "-inf%" }.into()
    } else if pct.abs() < 1.0 {
        format!("{pct:+.2}%")
    } else {
        format!("{pct:+.1}%")
    }
}

/// A factor such as a speedup: `3.21×`.
pub fn format_factor(x: f64) -> String {
    if x.is_infinite() {
        "inf×".into()
    } else if x >= 100.0 {
        format!("{x:.0}×")
    } else {
        format!("{x:.2}×")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_scale_through_ns_us_ms_s() {
        assert_eq!(format_value(950.0, Unit::Nanoseconds), "950 ns");
        assert_eq!(format_value(12.5, Unit::Nanoseconds), "12.50 ns");
        assert_eq!(format_value(1_234.0, Unit::Nanoseconds), "1.234 µs");
        assert_eq!(format_value(123_456_789.0, Unit::Nanoseconds), "123.5 ms");
        assert_eq!(format_value(2.5e9, Unit::Nanoseconds), "2.500 s");
    }

    #[test]
    fn counts_bytes_and_rates_scale() {
        assert_eq!(format_value(999.0, Unit::Instructions), "999");
        assert_eq!(format_value(1_030_000.0, Unit::Instructions), "1.030 M");
        assert_eq!(format_value(45_600.0, Unit::Events), "45.60 K");
        assert_eq!(format_value(512.0, Unit::Bytes), "512 B");
        assert_eq!(format_value(1_572_864.0, Unit::Bytes), "1.500 MiB");
        assert_eq!(format_value(32_100.0, Unit::PerSecond), "32.10 K/s");
        assert_eq!(format_value(12.0, Unit::PerSecond), "12/s");
        assert_eq!(format_value(1.587, Unit::Ratio), "1.587×");
        assert_eq!(format_value(0.9342, Unit::Fraction), "93.42%");
    }

    #[test]
    fn signs_percentages_and_factors() {
        assert_eq!(format_signed(-200_000.0, Unit::Instructions), "-200.0 K");
        assert_eq!(format_pct(3.0), "+3.0%");
        assert_eq!(format_pct(-0.25), "-0.25%");
        assert_eq!(format_pct(f64::INFINITY), "+inf%");
        assert_eq!(format_factor(3.214), "3.21×");
        assert_eq!(format_factor(f64::INFINITY), "inf×");
    }
}
