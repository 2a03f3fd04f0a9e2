//! Ordinary least squares of a series against its iteration number, with a
//! 95% confidence interval on the slope from Student's t distribution.
//!
//! Pure arithmetic on `f64`s: no allocation beyond the caller's slices, no
//! judgement (that is [`super::judge`]).

/// Fewer points than this leave no degrees of freedom for the residuals
/// (a line through two points fits exactly and says nothing about noise).
pub const MIN_FIT_POINTS: usize = 3;

/// Two-sided 95% quantiles of Student's t, `t(0.975, df)` for df = 1..=30,
/// to 7 decimals (Abramowitz & Stegun, table 26.10; the same values as R's
/// `qt(0.975, df)`). Index 0 is df = 1.
const T_975: [f64; 30] = [
    12.706_204_7,
    4.302_652_7,
    3.182_446_3,
    2.776_445_1,
    2.570_581_8,
    2.446_911_9,
    2.364_624_3,
    2.306_004_1,
    2.262_157_2,
    2.228_138_9,
    2.200_985_2,
    2.178_812_8,
    2.160_368_7,
    2.144_786_7,
    2.131_449_5,
    2.119_905_3,
    2.109_815_6,
    2.100_922_0,
    2.093_024_1,
    2.085_963_4,
    2.079_613_8,
    2.073_873_1,
    2.068_657_6,
    2.063_898_6,
    2.059_538_6,
    2.055_529_4,
    2.051_830_5,
    2.048_407_1,
    2.045_229_6,
    2.042_272_5,
];

/// The standard normal's 0.975 quantile, the limit of `t(0.975, df)`.
const Z_975: f64 = 1.959_963_985;

/// `t(0.975, df)`: from a table up to 30 degrees of freedom, above that
/// from the Cornish–Fisher expansion of t around the normal quantile
/// (Abramowitz & Stegun 26.7.5, four terms), which is within 3e-6 of the
/// exact value at df = 30 and closer beyond. `None` for df = 0.
pub fn t_975(df: usize) -> Option<f64> {
    match df {
        0 => None,
        1..=30 => Some(T_975[df - 1]),
        _ => {
            let z = Z_975;
            let n = df as f64;
            let (z2, z3) = (z * z, z * z * z);
            let (z5, z7, z9) = (z3 * z2, z3 * z2 * z2, z3 * z3 * z3);
            let g1 = (z3 + z) / 4.0;
            let g2 = (5.0 * z5 + 16.0 * z3 + 3.0 * z) / 96.0;
            let g3 = (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / 384.0;
            let g4 = (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / 92_160.0;
            Some(z + g1 / n + g2 / (n * n) + g3 / (n * n * n) + g4 / (n * n * n * n))
        }
    }
}

/// A straight line fitted to a series by ordinary least squares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Growth {
    /// Change per iteration, in the series' unit (bytes per iteration).
    pub slope: f64,
    /// 95% confidence interval of the slope, assuming independent residuals
    /// (see the [module docs](super) for why that is optimistic).
    pub ci95: (f64, f64),
    /// The fitted value at x = 0: the first point for [`fit_growth`].
    pub intercept: f64,
    /// Points fitted.
    pub n: usize,
    /// Share of the variance the line explains, in [0, 1]; 1 for a series
    /// without any variance.
    pub r_squared: f64,
}

/// Fits `series[i]` against `i`. `None` when there are fewer than
/// [`MIN_FIT_POINTS`] points or any is not finite.
pub fn fit_growth(series: &[f64]) -> Option<Growth> {
    fit_points(series.iter().enumerate().map(|(i, &y)| (i as f64, y)))
}

/// Fits `y` against `x` for points whose `x` need not be evenly spaced (an
/// iteration number that skips). `None` when there are fewer than
/// [`MIN_FIT_POINTS`] points, any coordinate is not finite, or all `x` are
/// equal.
pub fn fit_points(points: impl Iterator<Item = (f64, f64)> + Clone) -> Option<Growth> {
    let mut n = 0usize;
    let (mut sum_x, mut sum_y) = (0.0, 0.0);
    for (x, y) in points.clone() {
        if !(x.is_finite() && y.is_finite()) {
            return None;
        }
        n += 1;
        sum_x += x;
        sum_y += y;
    }
    if n < MIN_FIT_POINTS {
        return None;
    }
    let nf = n as f64;
    let (mean_x, mean_y) = (sum_x / nf, sum_y / nf);
    // Centred sums: the raw-moment formulas lose everything to cancellation
    // when the series is an RSS of ~1e9 bytes moving by ~1e3.
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in points.clone() {
        let (dx, dy) = (x - mean_x, y - mean_y);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    let ss_res: f64 = points
        .map(|(x, y)| {
            let r = y - (intercept + slope * x);
            r * r
        })
        .sum();
    let df = n - 2;
    let se = (ss_res / df as f64 / sxx).sqrt();
    let half = t_975(df)? * se;
    let r_squared = if syy > 0.0 {
        (1.0 - ss_res / syy).clamp(0.0, 1.0)
    } else {
        1.0
    };
    Some(Growth {
        slope,
        ci95: (slope - half, slope + half),
        intercept,
        n,
        r_squared,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_table_and_expansion_agree_with_reference_values() {
        assert_eq!(t_975(0), None);
        assert!((t_975(1).unwrap() - 12.706_204_7).abs() < 1e-9);
        // R: qt(0.975, c(31, 40, 60, 120, 1000))
        for (df, want) in [
            (31, 2.039_513_4),
            (40, 2.021_075_4),
            (60, 2.000_297_8),
            (120, 1.979_930_4),
            (1000, 1.962_339_1),
        ] {
            let got = t_975(df).unwrap();
            assert!((got - want).abs() < 1e-5, "df {df}: {got} vs {want}");
        }
        // Continuous and decreasing across the switch from table to formula.
        let (at30, at31) = (t_975(30).unwrap(), t_975(31).unwrap());
        assert!(at31 < at30 && at30 - at31 < 0.005);
    }

    #[test]
    fn exact_line_has_a_zero_width_interval() {
        let series: Vec<f64> = (0..10).map(|i| 100.0 + 3.0 * i as f64).collect();
        let g = fit_growth(&series).unwrap();
        assert!((g.slope - 3.0).abs() < 1e-12);
        assert!((g.intercept - 100.0).abs() < 1e-9);
        assert!((g.ci95.1 - g.ci95.0).abs() < 1e-9);
        assert!((g.r_squared - 1.0).abs() < 1e-12);
        assert_eq!(g.n, 10);
    }

    #[test]
    fn matches_a_hand_computed_fit() {
        // x = 0..5, y = [1, 3, 2, 5, 4]: slope 0.8, intercept 1.4,
        // residual SS 3.6, se = sqrt(3.6 / 3 / 10), t(0.975, 3) = 3.1824463.
        let g = fit_growth(&[1.0, 3.0, 2.0, 5.0, 4.0]).unwrap();
        assert!((g.slope - 0.8).abs() < 1e-12);
        assert!((g.intercept - 1.4).abs() < 1e-12);
        let half = 3.182_446_3 * (3.6f64 / 3.0 / 10.0).sqrt();
        assert!((g.ci95.0 - (0.8 - half)).abs() < 1e-9);
        assert!((g.ci95.1 - (0.8 + half)).abs() < 1e-9);
        assert!((g.r_squared - 0.64).abs() < 1e-12);
    }

    #[test]
    fn too_few_or_non_finite_points_give_none() {
        assert_eq!(fit_growth(&[]), None);
        assert_eq!(fit_growth(&[1.0, 2.0]), None);
        assert_eq!(fit_growth(&[1.0, f64::NAN, 2.0]), None);
        assert_eq!(
            fit_points([(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)].into_iter()),
            None
        );
    }

    #[test]
    fn large_offsets_do_not_cancel() {
        let series: Vec<f64> = (0..50).map(|i| 4e9 + 512.0 * i as f64).collect();
        let g = fit_growth(&series).unwrap();
        assert!((g.slope - 512.0).abs() < 1e-6, "{g:?}");
    }
}
