//! Which scenarios, variants and benchmarks a command works on: shell-style
//! globs (`*` any run of characters, `?` one character) over perflab keys.

use perflab_schema::MeasurementKey;

/// A glob pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob(String);

impl std::str::FromStr for Glob {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err("an empty pattern matches nothing".into());
        }
        Ok(Glob(s.to_owned()))
    }
}

impl Glob {
    pub fn matches(&self, text: &str) -> bool {
        glob_match(self.0.as_bytes(), text.as_bytes())
    }
}

fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    // Iterative matcher with single-star backtracking: linear in practice.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
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
        any(&self.scenario, &key.scenario)
            && any(&self.variant, &key.variant)
            && any(&self.benchmark, &key.benchmark)
    }

    pub fn is_empty(&self) -> bool {
        self.scenario.is_empty() && self.variant.is_empty() && self.benchmark.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let g = |p: &str, t: &str| p.parse::<Glob>().unwrap().matches(t);
        assert!(g("*", "anything"));
        assert!(g("complete/*", "complete/terms=1M,prefix=2"));
        assert!(!g("complete/*", "build/terms=1M"));
        assert!(g("*1M*", "complete/terms=1M,prefix=2"));
        assert!(g("n?ive", "naive"));
        assert!(!g("naive", "naive2"));
        assert!(g("a*b*c", "aXXbYYc"));
        assert!(!g("a*b*c", "aXXbYY"));
        assert!("".parse::<Glob>().is_err());
    }
}
