//! Request paths: templates such as `/users/{id}/dashboard` whose placeholders
//! are drawn from seeded distributions, and the small generator behind them.
//!
//! The generator is `perflab-seeded`'s SplitMix64, so a plan's request
//! sequence for a given seed never changes with a dependency update. It is
//! for picking ids, not for anything secret.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The largest `n` a Zipf distribution may have: its table takes 8 bytes per
/// value.
pub const MAX_ZIPF_N: u64 = 1_000_000;

/// The seeded generator behind request paths: perflab's one SplitMix64.
pub type SeededRng = perflab_seeded::SplitMix64;

/// How a placeholder's values are drawn.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Distribution {
    /// Every integer in `min..=max` equally likely.
    Uniform { min: u64, max: u64 },
    /// Ranks `1..=n`, rank k with probability proportional to 1/k^exponent:
    /// a few hot ids and a long tail, as real traffic tends to be.
    Zipf { n: u64, exponent: f64 },
}

/// Why a template or distribution is unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    #[error("path {0:?} must start with `/`")]
    NotAbsolute(String),
    #[error("path {path:?}: unclosed or empty `{{...}}` placeholder")]
    Syntax { path: String },
    #[error("path {path:?}: placeholder {{{name}}} has no distribution in `params`")]
    Unbound { path: String, name: String },
    #[error("`params.{0}` is not used by the path")]
    Unused(String),
    #[error("`params.{name}`: {problem}")]
    Distribution { name: String, problem: String },
}

#[derive(Debug, Clone)]
enum Sampler {
    Uniform {
        min: u64,
        span: u64,
    },
    /// Cumulative probabilities of ranks 1..=n.
    Zipf(Arc<[f64]>),
}

impl Sampler {
    fn new(name: &str, d: &Distribution) -> Result<Self, TemplateError> {
        let bad = |problem: String| TemplateError::Distribution {
            name: name.to_owned(),
            problem,
        };
        match *d {
            Distribution::Uniform { min, max } => {
                if min > max {
                    return Err(bad(format!("uniform `min` {min} is above `max` {max}")));
                }
                // `span` 0 stands for the whole u64 range.
                Ok(Sampler::Uniform {
                    min,
                    span: (max - min).wrapping_add(1),
                })
            }
            Distribution::Zipf { n, exponent } => {
                if n == 0 || n > MAX_ZIPF_N {
                    return Err(bad(format!("zipf `n` must be 1 to {MAX_ZIPF_N}, got {n}")));
                }
                if !(exponent.is_finite() && exponent > 0.0) {
                    return Err(bad(format!(
                        "zipf `exponent` must be a positive finite number, got {exponent}"
                    )));
                }
                let mut cdf: Vec<f64> = (1..=n)
                    .scan(0.0, |acc, k| {
                        *acc += (k as f64).powf(-exponent);
                        Some(*acc)
                    })
                    .collect();
                let total = *cdf.last().expect("n >= 1");
                cdf.iter_mut().for_each(|c| *c /= total);
                Ok(Sampler::Zipf(cdf.into()))
            }
        }
    }

    fn sample(&self, rng: &mut SeededRng) -> u64 {
        match self {
            Sampler::Uniform { min, span: 0 } => min.wrapping_add(rng.next_u64()),
            Sampler::Uniform { min, span } => min + rng.below(*span),
            Sampler::Zipf(cdf) => {
                let u = rng.unit();
                let i = cdf.partition_point(|&c| c <= u).min(cdf.len() - 1);
                i as u64 + 1
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    Param(Sampler),
}

/// A parsed path template.
#[derive(Debug, Clone)]
pub struct PathTemplate {
    segments: Vec<Segment>,
}

impl PathTemplate {
    /// Parses `path`, binding each `{name}` to `params[name]`. Every param
    /// must be used, so a typo in either place is caught.
    pub fn parse(
        path: &str,
        params: &BTreeMap<String, Distribution>,
    ) -> Result<Self, TemplateError> {
        if !path.starts_with('/') {
            return Err(TemplateError::NotAbsolute(path.to_owned()));
        }
        let syntax = || TemplateError::Syntax {
            path: path.to_owned(),
        };
        let mut segments = Vec::new();
        let mut used = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                segments.push(Segment::Literal(rest[..open].to_owned()));
            }
            let close = rest[open..].find('}').ok_or_else(syntax)? + open;
            let name = &rest[open + 1..close];
            if name.is_empty() || name.contains('{') {
                return Err(syntax());
            }
            let d = params.get(name).ok_or_else(|| TemplateError::Unbound {
                path: path.to_owned(),
                name: name.to_owned(),
            })?;
            segments.push(Segment::Param(Sampler::new(name, d)?));
            used.push(name);
            rest = &rest[close + 1..];
        }
        if rest.contains('}') {
            return Err(syntax());
        }
        if !rest.is_empty() {
            segments.push(Segment::Literal(rest.to_owned()));
        }
        if let Some(unused) = params.keys().find(|k| !used.contains(&k.as_str())) {
            return Err(TemplateError::Unused(unused.clone()));
        }
        Ok(PathTemplate { segments })
    }

    /// A path with every placeholder drawn from its distribution.
    pub fn render(&self, rng: &mut SeededRng) -> String {
        let mut out = String::new();
        for s in &self.segments {
            match s {
                Segment::Literal(l) => out.push_str(l),
                Segment::Param(p) => out.push_str(&p.sample(rng).to_string()),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, Distribution)]) -> BTreeMap<String, Distribution> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn templates_render_within_their_ranges_and_repeat_with_the_seed() {
        let t = PathTemplate::parse(
            "/users/{id}/dashboard",
            &params(&[("id", Distribution::Uniform { min: 5, max: 7 })]),
        )
        .unwrap();
        let draw = |seed| {
            let mut rng = SeededRng::new(seed);
            (0..100).map(|_| t.render(&mut rng)).collect::<Vec<_>>()
        };
        let a = draw(9);
        assert_eq!(a, draw(9));
        for p in &a {
            let id: u64 = p
                .strip_prefix("/users/")
                .and_then(|s| s.strip_suffix("/dashboard"))
                .unwrap()
                .parse()
                .unwrap();
            assert!((5..=7).contains(&id), "{p}");
        }
        for id in 5..=7 {
            assert!(a.contains(&format!("/users/{id}/dashboard")));
        }
    }

    #[test]
    fn fixed_paths_need_no_params() {
        let t = PathTemplate::parse("/health", &BTreeMap::new()).unwrap();
        assert_eq!(t.render(&mut SeededRng::new(0)), "/health");
    }

    #[test]
    fn template_mistakes_are_named() {
        let none = BTreeMap::new();
        assert!(matches!(
            PathTemplate::parse("users", &none),
            Err(TemplateError::NotAbsolute(_))
        ));
        assert!(matches!(
            PathTemplate::parse("/u/{id", &none),
            Err(TemplateError::Syntax { .. })
        ));
        assert_eq!(
            PathTemplate::parse("/u/{id}", &none).unwrap_err(),
            TemplateError::Unbound {
                path: "/u/{id}".into(),
                name: "id".into()
            }
        );
        let extra = params(&[("idd", Distribution::Uniform { min: 1, max: 2 })]);
        assert_eq!(
            PathTemplate::parse("/u", &extra).unwrap_err(),
            TemplateError::Unused("idd".into())
        );
        let bad = params(&[("id", Distribution::Uniform { min: 3, max: 2 })]);
        assert!(matches!(
            PathTemplate::parse("/u/{id}", &bad),
            Err(TemplateError::Distribution { .. })
        ));
    }

    #[test]
    fn zipf_favours_low_ranks_and_stays_in_range() {
        let mut rng = SeededRng::new(1);
        let z = Sampler::new(
            "id",
            &Distribution::Zipf {
                n: 100,
                exponent: 1.0,
            },
        )
        .unwrap();
        let draws: Vec<u64> = (0..20_000).map(|_| z.sample(&mut rng)).collect();
        assert!(draws.iter().all(|&d| (1..=100).contains(&d)));
        let ones = draws.iter().filter(|&&d| d == 1).count() as f64 / draws.len() as f64;
        // P(1) = 1 / H(100) ≈ 0.193.
        assert!((ones - 0.193).abs() < 0.02, "share of rank 1 = {ones}");
    }

    #[test]
    fn below_stays_below() {
        let mut rng = SeededRng::new(0);
        assert!((0..1000).all(|_| rng.below(3) < 3));
        assert!((0..1000).all(|_| (0.0..1.0).contains(&rng.unit())));
    }
}
