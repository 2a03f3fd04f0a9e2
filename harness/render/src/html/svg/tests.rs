//! Charts drawn from odd and hostile inputs: escaping, thinning, log
//! axes, degenerate ranges.

use super::*;
use crate::html::model::view::Bar;
use perflab_schema::Interval;

#[test]
fn text_in_charts_is_escaped() {
    let evil = "<script>alert(1)</script>";
    let svg = bars(
        evil,
        Unit::Nanoseconds,
        &[Bar {
            label: evil.to_owned(),
            value: 5.0,
            interval: Some(Interval {
                lower: 4.0,
                upper: 6.0,
                level: 0.95,
            }),
        }],
    );
    assert!(!svg.contains("<script"));
    assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let svg = lines(
        "t",
        Unit::Count,
        "x",
        &[Series {
            label: evil.to_owned(),
            points: vec![(0.0, 1.0, evil.to_owned())],
            marker: None,
        }],
    );
    assert!(!svg.contains("<script"));
}

#[test]
fn many_samples_are_thinned() {
    let samples: Vec<f64> = (0..10_000).map(f64::from).collect();
    let svg = distribution("d", Unit::Nanoseconds, &[("v".into(), samples)]);
    assert_eq!(svg.matches("<circle").count(), MAX_POINTS);
}

#[test]
fn samples_orders_of_magnitude_apart_get_a_log_axis() {
    let near = distribution("d", Unit::Nanoseconds, &[("a".into(), vec![10.0, 12.0])]);
    assert!(!near.contains("log scale"));
    let far = distribution(
        "d",
        Unit::Nanoseconds,
        &[
            ("a".into(), vec![1e3, 1.1e3]),
            ("b".into(), vec![1e6, 1.2e6]),
        ],
    );
    assert!(far.contains("log scale"));
    assert!(!far.contains("NaN"));
}

#[test]
fn degenerate_inputs_draw_without_nan() {
    let svg = bars(
        "b",
        Unit::Count,
        &[Bar {
            label: "z".into(),
            value: 0.0,
            interval: None,
        }],
    );
    assert!(!svg.contains("NaN"));
    let svg = distribution("d", Unit::Count, &[("v".into(), vec![3.0; 5])]);
    assert!(!svg.contains("NaN"));
}
