//! Which scenarios, variants and benchmarks a command works on: the gate's
//! shell-style globs over perflab keys.

pub use perflab_gate::Glob;
use perflab_schema::MeasurementKey;

/// Parses a command-line glob (clap value parser).
pub fn parse_glob(s: &str) -> Result<Glob, String> {
    Glob::new(s).map_err(|e| e.to_string())
}

/// The filters given on the command line; an absent filter matches everything.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub scenario: Vec<Glob>,
    pub variant: Vec<Glob>,
    pub benchmark: Vec<Glob>,
}

fn any(globs: &[Glob], text: &str) -> bool {
    globs.is_empty() || globs.iter().any(|g| g.matches(text))
}

impl Filters {
    pub fn scenario(&self, name: &str) -> bool {
        any(&self.scenario, name)
    }

    pub fn key(&self, key: &MeasurementKey) -> bool {
        self.names(&key.scenario, &key.variant, &key.benchmark)
    }

    pub fn artifact(&self, artifact: &perflab_schema::Artifact) -> bool {
        self.names(&artifact.scenario, &artifact.variant, &artifact.benchmark)
    }

    fn names(&self, scenario: &str, variant: &str, benchmark: &str) -> bool {
        any(&self.scenario, scenario)
            && any(&self.variant, variant)
            && any(&self.benchmark, benchmark)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_keys_by_glob() {
        let key = MeasurementKey {
            scenario: "autocomplete".into(),
            variant: "naive".into(),
            benchmark: "complete/terms=1M,prefix=2".into(),
            metric: perflab_schema::MetricKind::WallTime,
        };
        let g = |p: &str| vec![parse_glob(p).unwrap()];
        assert!(Filters::default().key(&key));
        assert!(
            Filters {
                benchmark: g("complete/*1M*"),
                ..Filters::default()
            }
            .key(&key)
        );
        assert!(
            !Filters {
                variant: g("optimized"),
                ..Filters::default()
            }
            .key(&key)
        );
        assert!(
            Filters {
                scenario: g("auto*"),
                variant: g("n?ive"),
                ..Filters::default()
            }
            .key(&key)
        );
        assert!(parse_glob("").is_err());
    }
}
