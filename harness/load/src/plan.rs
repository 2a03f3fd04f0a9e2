//! What a load run does: users, ramp, how it stops, the request mix and the
//! pacing. A [`LoadPlan`] is plain data (it deserializes from TOML or JSON)
//! plus, optionally, closures that build paths in code.
//!
//! This module only describes and validates a plan; it sends nothing. Every
//! check lives in [`LoadPlan::validate`], so a plan built in code and one read
//! from a file fail the same way, naming the field at fault.

use crate::path::{Distribution, PathTemplate, SeededRng};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The most users one plan may ask for: a guard against a typo turning a
/// loopback benchmark into a fork bomb of tasks and sockets.
pub const MAX_USERS: usize = 10_000;

/// The longest run a plan may ask for, in seconds (one hour): load runs must
/// stop by themselves.
pub const MAX_DURATION_SECS: u64 = 3_600;

/// A complete load run description.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadPlan {
    /// Names the benchmark: measurements are `load/<name>/<request>`.
    pub name: String,
    /// Concurrent simulated users (goose users), each a closed loop or a
    /// paced schedule.
    pub users: usize,
    /// How the users are started.
    #[serde(default)]
    pub ramp: Ramp,
    /// Stop after this many whole seconds of load (goose `--run-time`).
    #[serde(default)]
    pub duration_secs: Option<u64>,
    /// Stop after this many requests in total. With `duration_secs` too, the
    /// run still ends at the duration but sends no more than this.
    #[serde(default)]
    pub max_requests: Option<u64>,
    /// Closed loop or paced at a total rate.
    #[serde(default)]
    pub pacing: Pacing,
    /// Seeds every user's generator, so the request sequence is reproducible.
    #[serde(default)]
    pub seed: u64,
    /// The request types, each picked with probability weight / total weight.
    pub mix: Vec<RequestType>,
}

/// How users are started. goose starts them one by one; until all run, the
/// offered load is lower than planned, and that time is measured too.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Default)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Ramp {
    /// All users start at once (within a few milliseconds).
    #[default]
    Immediate,
    /// Start this many users per second (goose `--increase-rate`).
    Rate { users_per_sec: f64 },
    /// Spread the starts over this many seconds (goose `--increase-time`).
    Over { secs: u64 },
}

/// How fast users send.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Default)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Pacing {
    /// Each user sends its next request as soon as the previous one is
    /// answered (no think time). Latency is service time; a slow server lowers
    /// the offered load (coordinated omission is inherent in a closed loop).
    #[default]
    Closed,
    /// All users together aim at `requests_per_sec`. Each user follows a fixed
    /// schedule (`users / requests_per_sec` apart, phases staggered), and
    /// latency is measured from the scheduled send time, so a stall is charged
    /// to every request it delayed.
    Paced { requests_per_sec: f64 },
}

/// Builds a request path in code, from the user's seeded generator.
#[derive(Clone)]
pub struct PathFn(pub Arc<dyn Fn(&mut SeededRng) -> String + Send + Sync>);

impl fmt::Debug for PathFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PathFn(..)")
    }
}

/// One kind of request in the mix. Only `GET` is supported.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestType {
    /// Names the benchmark `load/<plan>/<name>` and goose's request name.
    pub name: String,
    /// Relative frequency in the mix; 0 disables the type.
    #[serde(default = "one")]
    pub weight: u32,
    /// A path template such as `/users/{id}/dashboard`. Ignored when
    /// `path_fn` is set.
    #[serde(default)]
    pub path: String,
    /// The distribution of each `{placeholder}` in `path`.
    #[serde(default)]
    pub params: BTreeMap<String, Distribution>,
    /// Builds the path in code instead of the template.
    #[serde(skip)]
    pub path_fn: Option<PathFn>,
}

fn one() -> u32 {
    1
}

impl RequestType {
    /// A request type with a fixed path or a template, weight 1.
    pub fn get(name: &str, path: &str) -> Self {
        RequestType {
            name: name.to_owned(),
            weight: 1,
            path: path.to_owned(),
            params: BTreeMap::new(),
            path_fn: None,
        }
    }

    /// A request type whose path a closure builds.
    pub fn get_with(
        name: &str,
        f: impl Fn(&mut SeededRng) -> String + Send + Sync + 'static,
    ) -> Self {
        RequestType {
            path_fn: Some(PathFn(Arc::new(f))),
            ..RequestType::get(name, "")
        }
    }

    pub fn weight(mut self, weight: u32) -> Self {
        self.weight = weight;
        self
    }

    /// Draws `{name}` in the template from `distribution`.
    pub fn param(mut self, name: &str, distribution: Distribution) -> Self {
        self.params.insert(name.to_owned(), distribution);
        self
    }
}

/// Why a plan cannot run. Each names the plan and the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("load plan has an empty `name`")]
    EmptyName,
    #[error("load plan {plan:?}: `users` must be between 1 and {MAX_USERS}, got {users}")]
    Users { plan: String, users: usize },
    #[error(
        "load plan {plan:?}: give `duration_secs` (1 to {MAX_DURATION_SECS}) or `max_requests` (at least 1) so the run stops by itself"
    )]
    NoStop { plan: String },
    #[error(
        "load plan {plan:?}: `duration_secs` must be between 1 and {MAX_DURATION_SECS}, got {secs}"
    )]
    Duration { plan: String, secs: u64 },
    #[error("load plan {plan:?}: `max_requests` must be at least 1")]
    MaxRequests { plan: String },
    #[error("load plan {plan:?}: `ramp` {problem}")]
    Ramp { plan: String, problem: String },
    #[error(
        "load plan {plan:?}: `pacing.requests_per_sec` must be a positive finite number, got {rate}"
    )]
    Rate { plan: String, rate: f64 },
    #[error("load plan {plan:?}: `mix` needs at least one request type with a weight above 0")]
    EmptyMix { plan: String },
    #[error("load plan {plan:?}: request type {request:?}: {problem}")]
    Request {
        plan: String,
        request: String,
        problem: String,
    },
}

impl LoadPlan {
    /// A closed-loop plan with no request types yet.
    pub fn new(name: &str, users: usize) -> Self {
        LoadPlan {
            name: name.to_owned(),
            users,
            ramp: Ramp::Immediate,
            duration_secs: None,
            max_requests: None,
            pacing: Pacing::Closed,
            seed: 0,
            mix: Vec::new(),
        }
    }

    pub fn duration_secs(mut self, secs: u64) -> Self {
        self.duration_secs = Some(secs);
        self
    }

    pub fn max_requests(mut self, n: u64) -> Self {
        self.max_requests = Some(n);
        self
    }

    pub fn ramp(mut self, ramp: Ramp) -> Self {
        self.ramp = ramp;
        self
    }

    pub fn pacing(mut self, pacing: Pacing) -> Self {
        self.pacing = pacing;
        self
    }

    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    pub fn request(mut self, request: RequestType) -> Self {
        self.mix.push(request);
        self
    }

    /// Checks everything serde cannot, and compiles the path templates.
    pub fn validate(&self) -> Result<Vec<CompiledRequest>, PlanError> {
        let plan = || self.name.clone();
        if self.name.trim().is_empty() {
            return Err(PlanError::EmptyName);
        }
        if self.users == 0 || self.users > MAX_USERS {
            return Err(PlanError::Users {
                plan: plan(),
                users: self.users,
            });
        }
        match (self.duration_secs, self.max_requests) {
            (None, None) => return Err(PlanError::NoStop { plan: plan() }),
            (Some(secs), _) if secs == 0 || secs > MAX_DURATION_SECS => {
                return Err(PlanError::Duration { plan: plan(), secs });
            }
            (_, Some(0)) => return Err(PlanError::MaxRequests { plan: plan() }),
            _ => {}
        }
        match self.ramp {
            Ramp::Rate { users_per_sec } if !(users_per_sec.is_finite() && users_per_sec > 0.0) => {
                return Err(PlanError::Ramp {
                    plan: plan(),
                    problem: format!(
                        "`users_per_sec` must be a positive finite number, got {users_per_sec}"
                    ),
                });
            }
            Ramp::Over { secs } if secs > MAX_DURATION_SECS => {
                return Err(PlanError::Ramp {
                    plan: plan(),
                    problem: format!("`secs` must be at most {MAX_DURATION_SECS}, got {secs}"),
                });
            }
            _ => {}
        }
        if let Pacing::Paced { requests_per_sec } = self.pacing
            && !(requests_per_sec.is_finite() && requests_per_sec > 0.0)
        {
            return Err(PlanError::Rate {
                plan: plan(),
                rate: requests_per_sec,
            });
        }
        let mut compiled = Vec::new();
        let mut names = std::collections::HashSet::new();
        for r in &self.mix {
            let bad = |problem: String| PlanError::Request {
                plan: plan(),
                request: r.name.clone(),
                problem,
            };
            if r.name.trim().is_empty() || r.name.contains('/') {
                return Err(bad("`name` must be non-empty and contain no `/`".into()));
            }
            if !names.insert(r.name.as_str()) {
                return Err(bad("appears more than once in `mix`".into()));
            }
            let path = match &r.path_fn {
                Some(f) => PathSource::Fn(f.clone()),
                None => PathSource::Template(
                    PathTemplate::parse(&r.path, &r.params).map_err(|e| bad(e.to_string()))?,
                ),
            };
            if r.weight > 0 {
                compiled.push(CompiledRequest {
                    name: r.name.clone(),
                    weight: r.weight,
                    path,
                });
            }
        }
        if compiled.is_empty() {
            return Err(PlanError::EmptyMix { plan: plan() });
        }
        Ok(compiled)
    }
}

/// A validated request type, ready to produce paths.
#[derive(Debug, Clone)]
pub struct CompiledRequest {
    pub name: String,
    pub weight: u32,
    path: PathSource,
}

#[derive(Debug, Clone)]
enum PathSource {
    Template(PathTemplate),
    Fn(PathFn),
}

impl CompiledRequest {
    /// The next path for this request type.
    pub fn path(&self, rng: &mut SeededRng) -> String {
        match &self.path {
            PathSource::Template(t) => t.render(rng),
            PathSource::Fn(f) => (f.0)(rng),
        }
    }
}

/// Picks a request index with probability weight / total weight.
pub fn pick(mix: &[CompiledRequest], rng: &mut SeededRng) -> usize {
    let total: u64 = mix.iter().map(|r| u64::from(r.weight)).sum();
    let mut x = rng.below(total);
    for (i, r) in mix.iter().enumerate() {
        let w = u64::from(r.weight);
        if x < w {
            return i;
        }
        x -= w;
    }
    unreachable!("x < total weight")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> LoadPlan {
        LoadPlan::new("p", 2)
            .duration_secs(1)
            .request(RequestType::get("a", "/a"))
    }

    #[test]
    fn a_minimal_plan_is_valid() {
        assert_eq!(plan().validate().unwrap().len(), 1);
    }

    #[test]
    fn zero_users_and_no_stop_are_rejected_by_name() {
        let err = LoadPlan { users: 0, ..plan() }.validate().unwrap_err();
        assert!(err.to_string().contains("`users`"), "{err}");
        let err = LoadPlan {
            duration_secs: None,
            ..plan()
        }
        .validate()
        .unwrap_err();
        assert!(matches!(err, PlanError::NoStop { .. }), "{err}");
        let err = plan().duration_secs(0).validate().unwrap_err();
        assert!(err.to_string().contains("`duration_secs`"), "{err}");
        let err = plan().max_requests(0).validate().unwrap_err();
        assert!(err.to_string().contains("`max_requests`"), "{err}");
    }

    #[test]
    fn bad_rates_and_mixes_are_rejected() {
        let err = plan()
            .pacing(Pacing::Paced {
                requests_per_sec: 0.0,
            })
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("requests_per_sec"), "{err}");
        let err = plan()
            .ramp(Ramp::Rate {
                users_per_sec: -1.0,
            })
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("users_per_sec"), "{err}");
        let err = LoadPlan::new("p", 1)
            .duration_secs(1)
            .request(RequestType::get("a", "/a").weight(0))
            .validate()
            .unwrap_err();
        assert!(matches!(err, PlanError::EmptyMix { .. }));
        let err = plan()
            .request(RequestType::get("a", "/b"))
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("more than once"), "{err}");
        let err = plan()
            .request(RequestType::get("u", "/users/{id}"))
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("\"u\""), "{err}");
    }

    #[test]
    fn plans_deserialize_from_toml() {
        let plan: LoadPlan = toml::from_str(
            r#"
            name = "dashboard"
            users = 64
            duration_secs = 10
            seed = 7
            ramp = { rate = { users_per_sec = 32.0 } }
            pacing = { paced = { requests_per_sec = 200.0 } }

            [[mix]]
            name = "dashboard"
            weight = 9
            path = "/users/{id}/dashboard"
            params = { id = { zipf = { n = 1000, exponent = 1.1 } } }

            [[mix]]
            name = "health"
            path = "/health"
            "#,
        )
        .unwrap();
        assert_eq!(plan.users, 64);
        assert_eq!(
            plan.pacing,
            Pacing::Paced {
                requests_per_sec: 200.0
            }
        );
        assert_eq!(
            plan.ramp,
            Ramp::Rate {
                users_per_sec: 32.0
            }
        );
        let mix = plan.validate().unwrap();
        assert_eq!(mix[0].weight, 9);
        assert_eq!(mix[1].weight, 1);
        let mut rng = SeededRng::new(1);
        let p = mix[0].path(&mut rng);
        assert!(p.starts_with("/users/") && p.ends_with("/dashboard"), "{p}");
    }

    #[test]
    fn pick_follows_the_weights() {
        let mix = LoadPlan::new("p", 1)
            .duration_secs(1)
            .request(RequestType::get("a", "/a").weight(3))
            .request(RequestType::get("b", "/b").weight(1))
            .validate()
            .unwrap();
        let mut rng = SeededRng::new(42);
        let n = 40_000;
        let a = (0..n).filter(|_| pick(&mix, &mut rng) == 0).count();
        let share = a as f64 / n as f64;
        assert!((share - 0.75).abs() < 0.02, "share of a = {share}");
    }

    #[test]
    fn closures_build_paths() {
        let mix = LoadPlan::new("p", 1)
            .max_requests(1)
            .request(RequestType::get_with("c", |rng| {
                format!("/item/{}", rng.below(10))
            }))
            .validate()
            .unwrap();
        let p = mix[0].path(&mut SeededRng::new(3));
        assert!(p.starts_with("/item/"), "{p}");
    }
}
